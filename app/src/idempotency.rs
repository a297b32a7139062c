//! The store of `Idempotency-Key`s (`idempotency_keys`), with Stripe's semantics; the HTTP
//! middleware that uses it is api/src/idempotency.rs. A key (per user) is claimed before its
//! request runs, with a lease; the answer is stored for replay or the claim is released; keys
//! are purged after [`RETENTION`].

use std::time::Duration;

use sqlx::PgPool;
use uuid::Uuid;

/// How long a key and its stored answer are kept (at least; the purge runs every few minutes).
pub const RETENTION: Duration = Duration::from_secs(24 * 60 * 60);
/// How long a request holds its key; a server that died mid-request frees it after this.
/// Longer than any request runs (the longest wait inside a request is 10 s).
pub const LEASE: Duration = Duration::from_secs(60);
/// How often the purge of expired keys runs.
pub const PURGE_EVERY: Duration = Duration::from_secs(10 * 60);
/// How long the answer waits for its key to be settled; then the settling goes on in the
/// background (an outage must not add the pool's whole acquire timeout to a 503).
const SETTLE_INLINE: Duration = Duration::from_millis(300);

/// A request as its key remembers it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    /// Digest of the method, path with query, and body.
    pub fingerprint: &'a [u8],
}

/// A stored answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: i16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// What claiming a key found.
#[derive(Debug)]
pub enum Claim {
    /// The key is this request's now: run it, then [`settle`].
    Claimed,
    /// The key's first request was answered: replay this.
    Replay(Answer),
    /// The key belongs to another request (another endpoint or body).
    Reused,
    /// The key's first request still runs.
    Running,
    /// The key kept disappearing between claim and read.
    ChangingHands,
}

/// A stored key: fingerprint, status (None while in flight), content type and body.
type KeyRow = (Vec<u8>, Option<i16>, Option<String>, Option<Vec<u8>>);

/// Claims `key` of `user` for `request`, or says why not.
pub async fn claim(
    pool: &PgPool,
    user: Uuid,
    key: &str,
    request: Request<'_>,
) -> Result<Claim, sqlx::Error> {
    // A few rounds: a row can disappear (released, purged) between the insert and the read.
    for _ in 0..3 {
        let claimed: Option<bool> = sqlx::query_scalar(
            "INSERT INTO idempotency_keys (user_id, key, method, path, fingerprint, locked_until) \
             VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) \
             ON CONFLICT (user_id, key) DO UPDATE SET method = EXCLUDED.method, path = EXCLUDED.path, \
               fingerprint = EXCLUDED.fingerprint, locked_until = EXCLUDED.locked_until, created_at = now(), \
               status = NULL, content_type = NULL, body = NULL \
             WHERE (idempotency_keys.status IS NULL AND idempotency_keys.locked_until < now()) \
                OR idempotency_keys.created_at < now() - make_interval(secs => $7) \
             RETURNING true",
        )
        .bind(user)
        .bind(key)
        .bind(request.method)
        .bind(request.path)
        .bind(request.fingerprint)
        .bind(LEASE.as_secs_f64())
        .bind(RETENTION.as_secs_f64())
        .fetch_optional(pool)
        .await?;
        if claimed.is_some() {
            return Ok(Claim::Claimed);
        }
        let row: Option<KeyRow> = sqlx::query_as(
            "SELECT fingerprint, status, content_type, body FROM idempotency_keys \
             WHERE user_id = $1 AND key = $2",
        )
        .bind(user)
        .bind(key)
        .fetch_optional(pool)
        .await?;
        let Some((stored_print, status, content_type, body)) = row else {
            continue;
        };
        if stored_print != request.fingerprint {
            return Ok(Claim::Reused);
        }
        let Some(status) = status else {
            return Ok(Claim::Running);
        };
        return Ok(Claim::Replay(Answer {
            status,
            content_type,
            body: body.unwrap_or_default(),
        }));
    }
    Ok(Claim::ChangingHands)
}

/// Stores the answer (Some) or deletes the claim (None). When that does not succeed within
/// [`SETTLE_INLINE`], keeps trying in the background until the lease would end, so the key
/// neither stays blocked nor loses an answer that a retry should see (meanwhile a retry is
/// told the key is in use).
pub async fn settle(pool: PgPool, user: Uuid, key: String, answer: Option<Answer>) {
    let once = settle_once(&pool, user, &key, answer.as_ref());
    if let Ok(Ok(())) = tokio::time::timeout(SETTLE_INLINE, once).await {
        return;
    }
    tokio::spawn(async move {
        let until = tokio::time::Instant::now() + LEASE;
        while tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(500)).await;
            match settle_once(&pool, user, &key, answer.as_ref()).await {
                Ok(()) => return,
                Err(e) => tracing::debug!(error = %e, "idempotency key not settled yet"),
            }
        }
        tracing::warn!(%user, key, "could not settle an idempotency key; it frees itself when its lease ends");
    });
}

async fn settle_once(
    pool: &PgPool,
    user: Uuid,
    key: &str,
    answer: Option<&Answer>,
) -> Result<(), sqlx::Error> {
    match answer {
        Some(a) => sqlx::query(
            "UPDATE idempotency_keys SET status = $3, content_type = $4, body = $5 \
             WHERE user_id = $1 AND key = $2",
        )
        .bind(user)
        .bind(key)
        .bind(a.status)
        .bind(&a.content_type)
        .bind(&a.body)
        .execute(pool)
        .await
        .map(|_| ()),
        None => sqlx::query(
            "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status IS NULL",
        )
        .bind(user)
        .bind(key)
        .execute(pool)
        .await
        .map(|_| ()),
    }
}

/// Deletes keys older than [`RETENTION`]; returns how many.
pub async fn purge(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1) \
         AND (status IS NOT NULL OR locked_until < now())",
    )
    .bind(RETENTION.as_secs_f64())
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Purges expired keys every [`PURGE_EVERY`]; an outage only delays a round.
pub fn spawn_purge(pool: PgPool) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(PURGE_EVERY);
        loop {
            every.tick().await;
            match purge(&pool).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(keys = n, "purged expired idempotency keys"),
                Err(e) => {
                    tracing::warn!(error = %e, "purging idempotency keys failed; next round retries")
                }
            }
        }
    })
}

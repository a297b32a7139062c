//! `Idempotency-Key` for every POST of the API, with Stripe's semantics, as one middleware:
//!
//! - the same key (per user) with the same request (method, path with query, body) answers the
//!   stored first response, status and body, and writes nothing again;
//! - the same key with another request answers 422 `idempotency_key_reused`;
//! - the same key while its first request still runs answers 409 `idempotency_key_in_use`;
//! - only 2xx and 4xx answers other than 409 and 429 are stored: after a 5xx (an outage's 503)
//!   or a conflict the retry runs again;
//! - keys are 1–255 printable ASCII characters, kept [`RETENTION`], then purged.
//!
//! The key is also handed to the handler ([`IdempotencyKey`] in the request's extensions) so
//! handlers that move money can derive their postings' ids from it: a retry after a 503 that
//! came after the commit (the answer was lost, the write was not) then finds its own posting
//! instead of booking a second one.
//!
//! Requests without a bearer token (sign-in, registration) and multipart uploads (streamed to
//! disk; an upload of the same file is answered with the earlier import) pass through.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

pub const HEADER: &str = "idempotency-key";
/// Set on a replayed answer.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
pub const MAX_KEY_CHARS: usize = 255;
/// How long a key and its stored answer are kept (at least; the purge runs every few minutes).
pub const RETENTION: Duration = Duration::from_secs(24 * 60 * 60);
/// How long a request holds its key; a server that died mid-request frees it after this.
/// Longer than any request runs (the longest wait inside a request is 10 s).
pub const LEASE: Duration = Duration::from_secs(60);
/// Largest answer stored for replay; a larger one is not stored (the key is released).
pub const MAX_STORED_BYTES: usize = 16 * 1024 * 1024;
/// How often the purge of expired keys runs.
pub const PURGE_EVERY: Duration = Duration::from_secs(10 * 60);

/// The caller's idempotency key, for handlers that derive ids from it.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub user_id: Uuid,
    pub key: String,
}

impl IdempotencyKey {
    /// The key in its user's scope, as text to derive ids from.
    pub fn scoped(&self) -> String {
        format!("{}:{}", self.user_id, self.key)
    }
}

fn invalid_key(detail: &str) -> ApiError {
    ApiError::Status {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "idempotency_key_invalid",
        detail: detail.to_string(),
        field: Some("Idempotency-Key".into()),
    }
}

/// 1 to [`MAX_KEY_CHARS`] printable ASCII characters (space to `~`).
pub fn parse_key(value: &HeaderValue) -> Result<String, ApiError> {
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_KEY_CHARS {
        return Err(invalid_key("must be 1 to 255 characters"));
    }
    if !bytes.iter().all(|b| (0x20..=0x7e).contains(b)) {
        return Err(invalid_key("must be printable ASCII characters"));
    }
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        })
}

fn fingerprint(parts: &Parts, body: &[u8]) -> Vec<u8> {
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut h = Sha256::new();
    h.update(parts.method.as_str());
    h.update([0]);
    h.update(target);
    h.update([0]);
    h.update(body);
    h.finalize().to_vec()
}

/// The middleware (see the module documentation).
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match handle(state, req, next).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn handle(state: AppState, req: Request, next: Next) -> Result<Response, ApiError> {
    let Some(raw) = req
        .headers()
        .get(HEADER)
        .filter(|_| req.method() == Method::POST)
    else {
        return Ok(next.run(req).await);
    };
    let key = parse_key(raw)?;
    if is_multipart(req.headers()) {
        return Ok(next.run(req).await);
    }
    let (mut parts, body) = req.into_parts();
    let user = match AuthUser::from_request_parts(&mut parts, &state).await {
        Ok(user) => user,
        // The database is unreachable: the handler would wait for it a second time (and the
        // 503 would come after two pool timeouts); answer now.
        Err(e) if e.to_problem().status == StatusCode::SERVICE_UNAVAILABLE.as_u16() => {
            return Err(e);
        }
        // Not signed in: the handler answers (or refuses) as it would without a key.
        Err(_) => return Ok(next.run(Request::from_parts(parts, body)).await),
    };
    let bytes = axum::body::to_bytes(body, state.settings.max_body_bytes)
        .await
        .map_err(|_| {
            ApiError::status(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!(
                    "request bodies up to {} bytes are accepted",
                    state.settings.max_body_bytes
                ),
            )
        })?;
    let print = fingerprint(&parts, &bytes);
    if let Some(stored) = claim(&state.pool, user.id, &key, &parts, &print).await? {
        return Ok(stored);
    }
    parts.extensions.insert(IdempotencyKey {
        user_id: user.id,
        key: key.clone(),
    });
    let req = Request::from_parts(parts, Body::from(bytes));
    // Run to the end even if the client goes away (the handler's writes may commit anyway):
    // the outcome must be stored or the key released.
    let pool = state.pool.clone();
    let task = tokio::spawn(async move {
        let response = next.run(req).await;
        finish(pool, user.id, key, response).await
    });
    task.await.map_err(ApiError::internal)
}

/// A stored key: fingerprint, status (None while in flight), content type and body.
type KeyRow = (Vec<u8>, Option<i16>, Option<String>, Option<Vec<u8>>);

/// Claims `key` for this request (None) or answers without running it: the stored answer, 422
/// when the key belongs to another request, 409 while its first request still runs.
async fn claim(
    pool: &PgPool,
    user: Uuid,
    key: &str,
    parts: &Parts,
    print: &[u8],
) -> Result<Option<Response>, ApiError> {
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
        .bind(parts.method.as_str())
        .bind(parts.uri.path())
        .bind(print)
        .bind(LEASE.as_secs_f64())
        .bind(RETENTION.as_secs_f64())
        .fetch_optional(pool)
        .await?;
        if claimed.is_some() {
            return Ok(None);
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
        if stored_print != print {
            return Err(ApiError::status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request (another endpoint or body); use a new key",
            ));
        }
        let Some(status) = status else {
            return Err(ApiError::conflict(
                "idempotency_key_in_use",
                "a request with this Idempotency-Key is still running; retry shortly",
            ));
        };
        return Ok(Some(replay(status, content_type, body.unwrap_or_default())));
    }
    Err(ApiError::conflict(
        "idempotency_key_in_use",
        "this Idempotency-Key is changing hands; retry shortly",
    ))
}

fn replay(status: i16, content_type: Option<String>, body: Vec<u8>) -> Response {
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    if let Some(ct) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.insert(CONTENT_TYPE, ct);
    }
    headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}

/// Whether an answer is kept for replay: successes and the client's own mistakes, but not
/// conflicts, throttling or server errors (the retry must run again).
fn storable(status: StatusCode) -> bool {
    status.is_success()
        || (status.is_client_error()
            && status != StatusCode::CONFLICT
            && status != StatusCode::TOO_MANY_REQUESTS)
}

/// Stores the answer (or releases the key) and hands the answer on.
async fn finish(pool: PgPool, user: Uuid, key: String, response: Response) -> Response {
    let status = response.status();
    if !storable(status) {
        settle(pool, user, key, None).await;
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            settle(pool, user, key, None).await;
            return ApiError::internal(format!("reading the answer: {e}")).into_response();
        }
    };
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let stored = (bytes.len() <= MAX_STORED_BYTES).then(|| Stored {
        status: status.as_u16() as i16,
        content_type,
        body: bytes.clone(),
    });
    settle(pool, user, key, stored).await;
    parts.extensions.clear();
    Response::from_parts(parts, Body::from(bytes))
}

struct Stored {
    status: i16,
    content_type: Option<String>,
    body: Bytes,
}

/// How long the answer waits for its key to be settled; then the settling goes on in the
/// background (an outage must not add the pool's whole acquire timeout to a 503).
const SETTLE_INLINE: Duration = Duration::from_millis(300);

/// Stores the answer (Some) or deletes the claim (None). When that does not succeed within
/// [`SETTLE_INLINE`], keeps trying in the background until the lease would end, so the key
/// neither stays blocked nor loses an answer that a retry should see (meanwhile a retry is
/// told 409 `idempotency_key_in_use`).
async fn settle(pool: PgPool, user: Uuid, key: String, stored: Option<Stored>) {
    let once = settle_once(&pool, user, &key, stored.as_ref());
    if let Ok(Ok(())) = tokio::time::timeout(SETTLE_INLINE, once).await {
        return;
    }
    tokio::spawn(async move {
        let until = tokio::time::Instant::now() + LEASE;
        while tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(500)).await;
            match settle_once(&pool, user, &key, stored.as_ref()).await {
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
    stored: Option<&Stored>,
) -> Result<(), sqlx::Error> {
    match stored {
        Some(s) => sqlx::query(
            "UPDATE idempotency_keys SET status = $3, content_type = $4, body = $5 \
             WHERE user_id = $1 AND key = $2",
        )
        .bind(user)
        .bind(key)
        .bind(s.status)
        .bind(&s.content_type)
        .bind(s.body.as_ref())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_printable_ascii_of_bounded_length() {
        let ok = |s: &str| parse_key(&HeaderValue::from_str(s).unwrap()).is_ok();
        assert!(ok("a"));
        assert!(ok("order 42/retry ~"));
        assert!(ok(&"k".repeat(255)));
        assert!(!ok(&"k".repeat(256)));
        assert!(!ok("tab\there"));
        assert!(parse_key(&HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap()).is_err());
        assert!(parse_key(&HeaderValue::from_static("")).is_err());
    }

    #[test]
    fn only_successes_and_client_mistakes_are_stored() {
        assert!(storable(StatusCode::CREATED));
        assert!(storable(StatusCode::UNPROCESSABLE_ENTITY));
        assert!(storable(StatusCode::NOT_FOUND));
        assert!(!storable(StatusCode::CONFLICT));
        assert!(!storable(StatusCode::TOO_MANY_REQUESTS));
        assert!(!storable(StatusCode::SERVICE_UNAVAILABLE));
        assert!(!storable(StatusCode::INTERNAL_SERVER_ERROR));
    }
}

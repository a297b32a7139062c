//! What every request checks about its caller, now: the user's role, whether the account is
//! disabled, its token version, whether the sign-in (refresh-token family) is still live, and
//! for API tokens whether the token is revoked or expired.
//!
//! Answers are cached in-process (a few thousand entries) so a request normally costs no query.
//! An entry is dropped (a) at once by this instance when it changes something
//! ([`AccessCache::forget_user`] and friends), (b) by every instance when PostgreSQL's
//! `ledger_access` channel says so (triggers on `users`, `refresh_tokens` and `api_tokens`
//! notify; see migration 20261203000001), and (c) after [`FALLBACK_TTL`] while the listener is
//! not connected, since notifications may then be missed. After the listener reconnects the
//! whole cache is dropped for the same reason.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use moka::sync::Cache;
use sqlx::postgres::PgListener;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use domain::access::rules::token_live;
use domain::access::token::{api_token_well_formed, digest};
use domain::access::{AccessError, Caller, Credential, Role, Scope, ScopeSet};

use super::parse_role;
use crate::error::AppResult;

/// The notification channel of access changes.
pub const CHANNEL: &str = "ledger_access";
/// Entries per cache (users, sessions, API tokens).
pub const MAX_ENTRIES: u64 = 10_000;
/// Longest an entry lives while notifications arrive (a safety net, not the mechanism).
pub const CACHE_TTL: Duration = Duration::from_secs(60);
/// Longest an entry is trusted while the listener is down.
pub const FALLBACK_TTL: Duration = Duration::from_secs(2);
/// `last_used_at` of an API token is written at most this often.
const TOUCH_INTERVAL: Duration = Duration::from_secs(60);

/// A user's access state.
#[derive(Debug, Clone, Copy)]
pub struct UserAccess {
    pub role: Role,
    pub disabled: bool,
    pub token_version: i32,
    fetched: Instant,
}

/// An API token's state.
#[derive(Debug, Clone)]
pub struct TokenAccess {
    pub id: Uuid,
    pub user_id: Uuid,
    pub scopes: ScopeSet,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked: bool,
    fetched: Instant,
}

/// The cache; cheap to clone.
#[derive(Clone)]
pub struct AccessCache {
    users: Cache<Uuid, UserAccess>,
    sessions: Cache<Uuid, (bool, Instant)>,
    tokens: Cache<Vec<u8>, Option<TokenAccess>>,
    touched: Cache<Uuid, ()>,
    listening: Arc<AtomicBool>,
}

impl Default for AccessCache {
    fn default() -> Self {
        Self {
            users: Cache::builder()
                .max_capacity(MAX_ENTRIES)
                .time_to_live(CACHE_TTL)
                .build(),
            sessions: Cache::builder()
                .max_capacity(MAX_ENTRIES)
                .time_to_live(CACHE_TTL)
                .build(),
            tokens: Cache::builder()
                .max_capacity(MAX_ENTRIES)
                .time_to_live(CACHE_TTL)
                .build(),
            touched: Cache::builder()
                .max_capacity(MAX_ENTRIES)
                .time_to_live(TOUCH_INTERVAL)
                .build(),
            listening: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl AccessCache {
    /// Whether an entry fetched at `at` may still be used.
    fn fresh(&self, at: Instant) -> bool {
        self.listening.load(Ordering::Relaxed) || at.elapsed() < FALLBACK_TTL
    }

    pub fn forget_user(&self, id: Uuid) {
        self.users.invalidate(&id);
    }

    pub fn forget_session(&self, family_id: Uuid) {
        self.sessions.invalidate(&family_id);
    }

    /// Drops every cached API token (revocations are rare; tokens are keyed by digest).
    pub fn forget_tokens(&self) {
        self.tokens.invalidate_all();
    }

    fn forget_all(&self) {
        self.users.invalidate_all();
        self.sessions.invalidate_all();
        self.tokens.invalidate_all();
    }

    /// Applies one notification payload (`user:<id>`, `session:<id>`, `token:<id>`).
    pub fn apply(&self, payload: &str) {
        let Some((kind, id)) = payload.split_once(':') else {
            return;
        };
        let Ok(id) = Uuid::parse_str(id) else {
            return;
        };
        match kind {
            "user" => self.forget_user(id),
            "session" => self.forget_session(id),
            "token" => self.forget_tokens(),
            _ => {}
        }
    }

    /// The user's current access state.
    pub async fn user(&self, pool: &PgPool, id: Uuid) -> AppResult<Option<UserAccess>> {
        if let Some(u) = self.users.get(&id).filter(|u| self.fresh(u.fetched)) {
            return Ok(Some(u));
        }
        let row = sqlx::query(
            "SELECT role, disabled_at IS NOT NULL AS disabled, token_version FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let access = UserAccess {
            role: parse_role(row.try_get("role")?)?,
            disabled: row.try_get("disabled")?,
            token_version: row.try_get("token_version")?,
            fetched: Instant::now(),
        };
        self.users.insert(id, access);
        Ok(Some(access))
    }

    /// Whether a sign-in (refresh-token family) of `user_id` is still live.
    async fn session_live(&self, pool: &PgPool, sid: Uuid, user_id: Uuid) -> AppResult<bool> {
        if let Some((live, at)) = self.sessions.get(&sid).filter(|(_, at)| self.fresh(*at)) {
            let _ = at;
            return Ok(live);
        }
        let live: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM refresh_tokens
                            WHERE family_id = $1 AND user_id = $2 AND revoked_at IS NULL)",
        )
        .bind(sid)
        .bind(user_id)
        .fetch_one(pool)
        .await?;
        self.sessions.insert(sid, (live, Instant::now()));
        Ok(live)
    }

    /// The caller of a verified access token of user `sub` at token version `ver` in sign-in
    /// `sid`, as they are now: refused when the account is gone, the token version moved on or
    /// the sign-in ended, or when the account is disabled.
    pub async fn session_user(
        &self,
        pool: &PgPool,
        sub: Uuid,
        ver: Option<i32>,
        sid: Option<Uuid>,
    ) -> AppResult<Caller> {
        let (Some(ver), Some(sid)) = (ver, sid) else {
            return Err(AccessError::SessionEnded.into());
        };
        let user = self
            .user(pool, sub)
            .await?
            .ok_or(AccessError::AccountGone)?;
        if user.disabled {
            return Err(AccessError::AccountDisabled.into());
        }
        if user.token_version != ver || !self.session_live(pool, sid, sub).await? {
            return Err(AccessError::SessionEnded.into());
        }
        Ok(Caller {
            id: sub,
            role: user.role,
            credential: Credential::Session { sid },
        })
    }

    async fn token(&self, pool: &PgPool, digest: Vec<u8>) -> AppResult<Option<TokenAccess>> {
        if let Some(t) = self.tokens.get(&digest) {
            match &t {
                Some(a) if self.fresh(a.fetched) => return Ok(t),
                // Unknown digests stay unknown: a token is never created with an old digest.
                None => return Ok(None),
                Some(_) => {}
            }
        }
        let row = sqlx::query(
            "SELECT id, user_id, scopes, expires_at, revoked_at IS NOT NULL AS revoked
             FROM api_tokens WHERE token_hash = $1",
        )
        .bind(&digest)
        .fetch_optional(pool)
        .await?;
        let access = match row {
            None => None,
            Some(row) => {
                let scopes: Vec<String> = row.try_get("scopes")?;
                Some(TokenAccess {
                    id: row.try_get("id")?,
                    user_id: row.try_get("user_id")?,
                    scopes: scopes.iter().filter_map(|s| Scope::parse(s)).collect(),
                    expires_at: row.try_get("expires_at")?,
                    revoked: row.try_get("revoked")?,
                    fetched: Instant::now(),
                })
            }
        };
        self.tokens.insert(digest, access.clone());
        Ok(access)
    }

    /// The caller of a personal API token: its user with the user's current role, limited to
    /// the token's scopes.
    pub async fn api_token_user(&self, pool: &PgPool, secret: &str) -> AppResult<Caller> {
        if !api_token_well_formed(secret) {
            return Err(AccessError::InvalidApiToken.into());
        }
        let token = self
            .token(pool, digest(secret))
            .await?
            .filter(|t| token_live(t.revoked, t.expires_at, Utc::now()))
            .ok_or(AccessError::InvalidApiToken)?;
        let user = self
            .user(pool, token.user_id)
            .await?
            .ok_or(AccessError::InvalidApiToken)?;
        if user.disabled {
            return Err(AccessError::AccountDisabled.into());
        }
        self.touch(pool, token.id);
        Ok(Caller {
            id: token.user_id,
            role: user.role,
            credential: Credential::ApiToken {
                id: token.id,
                scopes: token.scopes,
            },
        })
    }

    /// Records that a token was used, at most once a minute per token, off the request's path.
    fn touch(&self, pool: &PgPool, id: Uuid) {
        if self.touched.contains_key(&id) {
            return;
        }
        self.touched.insert(id, ());
        let pool = pool.clone();
        tokio::spawn(async move {
            if let Err(e) = sqlx::query("UPDATE api_tokens SET last_used_at = now() WHERE id = $1")
                .bind(id)
                .execute(&pool)
                .await
            {
                tracing::warn!(error = %e, token_id = %id, "recording an API token's use failed");
            }
        });
    }

    /// Listens on [`CHANNEL`] for ever, reconnecting after a second when the connection drops.
    /// Returns once the first LISTEN is in place (or failed), so a server that answers requests
    /// already hears every change made after it started.
    pub async fn spawn_listener(&self, pool: PgPool) {
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        let cache = self.clone();
        tokio::spawn(async move {
            let mut ready = Some(ready_tx);
            loop {
                match cache.listen_until_lost(&pool, &mut ready).await {
                    Ok(()) => {
                        tracing::warn!("the access listener lost its connection; reconnecting")
                    }
                    Err(e) => tracing::warn!(error = %e, "the access listener failed; retrying"),
                }
                cache.listening.store(false, Ordering::Relaxed);
                if let Some(tx) = ready.take() {
                    let _ = tx.send(());
                }
                if pool.is_closed() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        let _ = tokio::time::timeout(Duration::from_secs(5), ready_rx).await;
    }

    async fn listen_until_lost(
        &self,
        pool: &PgPool,
        ready: &mut Option<tokio::sync::oneshot::Sender<()>>,
    ) -> Result<(), sqlx::Error> {
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        // Anything may have changed while nobody listened.
        self.forget_all();
        self.listening.store(true, Ordering::Relaxed);
        if let Some(tx) = ready.take() {
            let _ = tx.send(());
        }
        while let Some(n) = listener.try_recv().await? {
            self.apply(n.payload());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_drop_the_named_entries() {
        let cache = AccessCache::default();
        let id = Uuid::now_v7();
        let access = UserAccess {
            role: Role::Admin,
            disabled: false,
            token_version: 0,
            fetched: Instant::now(),
        };
        cache.users.insert(id, access);
        cache.sessions.insert(id, (true, Instant::now()));
        cache.apply("nonsense");
        cache.apply("user:not-a-uuid");
        assert!(cache.users.get(&id).is_some());
        cache.apply(&format!("user:{id}"));
        assert!(cache.users.get(&id).is_none());
        cache.apply(&format!("session:{id}"));
        assert!(cache.sessions.get(&id).is_none());
    }

    #[test]
    fn entries_are_trusted_briefly_while_nobody_listens() {
        let cache = AccessCache::default();
        assert!(cache.fresh(Instant::now()));
        let old = Instant::now() - FALLBACK_TTL - Duration::from_millis(1);
        assert!(!cache.fresh(old));
        cache.listening.store(true, Ordering::Relaxed);
        assert!(cache.fresh(old));
    }
}

//! Personal API tokens for scripts and trackers: `lgr_` + 32 random bytes (base64url), shown
//! once and stored as a SHA-256 digest. A token acts as its user with the user's current role,
//! further limited by its scopes; it never gets a scope the user's role lacks
//! (`domain::access::rules::resolve_scopes`), and no scope grants admin actions.

use chrono::{DateTime, Utc};
use domain::access::rules::{self, MAX_TOKENS_PER_USER};
use domain::access::token::{API_TOKEN_PREFIX, digest};
use domain::access::{AccessError, AccessEvent, Caller, Role, Scope};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use utoipa::ToSchema;
use uuid::Uuid;

use super::cache::AccessCache;
use super::{audit, sessions};
use crate::error::{AppError, AppResult};
use crate::ledger::Actor;

/// Most tokens one list answers (`?all=true` included).
pub const MAX_LIST: i64 = 1_000;

/// A new random token.
pub fn generate() -> String {
    format!("{API_TOKEN_PREFIX}{}", sessions::generate())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiToken {
    /// What the token is for, 1 to 100 characters.
    #[schema(example = "nightly import")]
    pub name: String,
    /// One or more of `read`, `books:write`, `traffic:write`, `postback`, `audit`, `metrics`;
    /// each must be allowed to the creating user's role.
    pub scopes: Vec<String>,
    /// When the token stops working (absent: never).
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A token as listed (never with its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenView {
    pub id: Uuid,
    /// The owner.
    pub user_id: Uuid,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A token just created, with its secret: shown only here.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiToken {
    #[serde(flatten)]
    pub view: ApiTokenView,
    /// Send as `Authorization: Bearer <token>`. Not shown again.
    #[schema(example = "lgr_3q2-7wEvmP1uTt4bYt3Wc0yq0kC3x2i2bQp8dJm4H8s")]
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenList {
    pub items: Vec<ApiTokenView>,
}

const VIEW_COLUMNS: &str = "id, user_id, name, scopes, created_at, expires_at, last_used_at";

impl ApiTokenView {
    fn from_row(row: &PgRow) -> AppResult<Self> {
        let scopes: Vec<String> = row.try_get("scopes")?;
        Ok(Self {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            name: row.try_get("name")?,
            scopes: scopes.iter().filter_map(|s| Scope::parse(s)).collect(),
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
            last_used_at: row.try_get("last_used_at")?,
        })
    }
}

/// Creates a personal API token for `caller` (at most [`MAX_TOKENS_PER_USER`] live ones).
/// The secret is in this answer only.
pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    caller: &Caller,
    new: NewApiToken,
) -> AppResult<CreatedApiToken> {
    let name = rules::normalize_token_name(&new.name)?;
    let scopes = rules::resolve_scopes(caller.role, &new.scopes)?;
    rules::check_token_expiry(new.expires_at, Utc::now())?;
    let secret = generate();
    let (user_id, expires_at) = (caller.id, new.expires_at);
    let (name, scopes, secret_ref) = (&name, &scopes, secret.as_str());
    let view = audit::run(pool, actor, |mut work| {
        Box::pin(async move {
            let view = insert(work.conn(), user_id, name, scopes, secret_ref, expires_at).await?;
            let event = AccessEvent::ApiTokenCreated {
                token_id: view.id,
                name: name.clone(),
                scopes: scopes.clone(),
            };
            audit::stage(&mut work, user_id, &[event]).await?;
            Ok((work, view))
        })
    })
    .await?;
    Ok(CreatedApiToken {
        view,
        token: secret,
    })
}

/// Stores a token, refusing a user's token beyond [`MAX_TOKENS_PER_USER`] live ones.
async fn insert(
    conn: &mut PgConnection,
    user_id: Uuid,
    name: &str,
    scopes: &[Scope],
    secret: &str,
    expires_at: Option<DateTime<Utc>>,
) -> AppResult<ApiTokenView> {
    // Serialise this user's creations so the per-user bound holds.
    sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let live: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL
           AND (expires_at IS NULL OR expires_at > now())",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    if live >= MAX_TOKENS_PER_USER {
        return Err(AccessError::TooManyTokens.into());
    }
    let scope_names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    let row = sqlx::query(&format!(
        "INSERT INTO api_tokens (id, user_id, name, scopes, token_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {VIEW_COLUMNS}"
    ))
    .bind(Uuid::now_v7())
    .bind(user_id)
    .bind(name)
    .bind(&scope_names)
    .bind(digest(secret))
    .bind(expires_at)
    .fetch_one(&mut *conn)
    .await?;
    ApiTokenView::from_row(&row)
}

/// The live tokens of `user_id` (`all`: everyone's), newest first.
pub async fn list(pool: &PgPool, user_id: Uuid, all: bool) -> AppResult<ApiTokenList> {
    let rows = sqlx::query(&format!(
        "SELECT {VIEW_COLUMNS} FROM api_tokens
         WHERE revoked_at IS NULL AND ($1 OR user_id = $2)
         ORDER BY created_at DESC, id LIMIT $3"
    ))
    .bind(all)
    .bind(user_id)
    .bind(MAX_LIST)
    .fetch_all(pool)
    .await?;
    let items = rows
        .iter()
        .map(ApiTokenView::from_row)
        .collect::<AppResult<_>>()?;
    Ok(ApiTokenList { items })
}

/// Revokes a token at once (its owner, or an admin). Revoking it again is harmless.
pub async fn revoke(
    pool: &PgPool,
    cache: &AccessCache,
    actor: &Actor,
    caller: &Caller,
    id: Uuid,
) -> AppResult<()> {
    let (is_admin, user_id) = (caller.role == Role::Admin, caller.id);
    audit::run(pool, actor, |mut work| {
        Box::pin(async move {
            let row = sqlx::query(
                "SELECT user_id, revoked_at IS NOT NULL AS revoked FROM api_tokens
                 WHERE id = $1 AND ($2 OR user_id = $3) FOR UPDATE",
            )
            .bind(id)
            .bind(is_admin)
            .bind(user_id)
            .fetch_optional(work.conn())
            .await?
            .ok_or_else(|| AppError::not_found(format!("API token {id}")))?;
            if row.try_get::<bool, _>("revoked")? {
                return Ok((work, ()));
            }
            let owner: Uuid = row.try_get("user_id")?;
            sqlx::query("UPDATE api_tokens SET revoked_at = now() WHERE id = $1")
                .bind(id)
                .execute(work.conn())
                .await?;
            let event = AccessEvent::ApiTokenRevoked { token_id: id };
            audit::stage(&mut work, owner, &[event]).await?;
            Ok((work, ()))
        })
    })
    .await?;
    cache.forget_tokens();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::access::token::api_token_well_formed;

    #[test]
    fn tokens_have_the_prefix_and_are_recognised() {
        let t = generate();
        assert!(t.starts_with("lgr_") && t.len() == 47, "{t}");
        assert!(api_token_well_formed(&t));
        assert!(!api_token_well_formed(&t[4..]));
    }
}

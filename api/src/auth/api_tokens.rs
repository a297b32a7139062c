//! Personal API tokens for scripts and trackers: `lgr_` + 32 random bytes (base64url), shown once
//! and stored as a SHA-256 digest. A token acts as its user with the user's current role,
//! further limited by its scopes; it never gets a scope the user's role lacks, and no scope grants
//! admin actions. Mounted with [`router`] under `/api/tokens`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::postgres::PgRow;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::audit::{self, AccessEvent};
use super::{AuthUser, Role, Scope, policy, refresh};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Json, Path, Query};
use crate::routes::common::request_id;
use crate::state::AppState;
use app::ledger::Actor;

/// What every API token starts with (tells it apart from a JWT at a glance, and to scanners).
pub const PREFIX: &str = "lgr_";
/// Longest token name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Live tokens one user may hold.
pub const MAX_TOKENS_PER_USER: i64 = 50;
/// Most tokens one list answers (`?all=true` included).
pub const MAX_LIST: i64 = 1_000;
/// Latest expiry accepted, in days from now.
pub const MAX_LIFETIME_DAYS: i64 = 3_650;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_token, list_tokens))
        .routes(routes!(revoke_token))
}

/// A new random token.
pub fn generate() -> String {
    format!("{PREFIX}{}", refresh::generate())
}

/// Whether `token` has the shape [`generate`] produces (checked before any look-up).
pub fn well_formed(token: &str) -> bool {
    token.strip_prefix(PREFIX).is_some_and(refresh::well_formed)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiToken {
    /// What the token is for, 1 to 100 characters.
    #[schema(example = "nightly import")]
    pub name: String,
    /// One or more of `read`, `books:write`, `traffic:write`, `postback`, `audit`; each must be
    /// allowed to the creating user's role.
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListTokensQuery {
    /// Admins only: every user's live tokens, not just their own.
    pub all: Option<bool>,
}

const VIEW_COLUMNS: &str = "id, user_id, name, scopes, created_at, expires_at, last_used_at";

impl ApiTokenView {
    fn from_row(row: &PgRow) -> Result<Self, ApiError> {
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

/// Checks a token name: trimmed, 1 to 100 characters, no control or bidi-override characters.
pub fn normalize_token_name(raw: &str) -> Result<String, ApiError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid(
            "name",
            format!("the name must have 1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if name.chars().any(|c| c.is_control() || bidi(c)) {
        return Err(ApiError::invalid(
            "name",
            "the name must not contain control or text-direction characters",
        ));
    }
    Ok(name.to_string())
}

/// Parses the requested scopes and refuses any the role does not allow (field `scopes`).
pub fn resolve_scopes(role: Role, requested: &[String]) -> Result<Vec<Scope>, ApiError> {
    if requested.is_empty() {
        return Err(ApiError::invalid("scopes", "name at least one scope"));
    }
    let mut scopes = Vec::new();
    for s in requested {
        let scope = Scope::parse(s).ok_or_else(|| {
            ApiError::invalid(
                "scopes",
                "unknown scope; use read, books:write, traffic:write, postback or audit",
            )
        })?;
        if !scope.roles().contains(&role) {
            return Err(ApiError::invalid(
                "scopes",
                format!(
                    "the {} role may not grant the `{}` scope",
                    role.as_str(),
                    scope.as_str()
                ),
            ));
        }
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    Ok(scopes)
}

/// Creates a personal API token for the signed-in user. The secret is in this answer only.
#[utoipa::path(post, path = "/api/tokens", tag = "auth", request_body = NewApiToken,
    responses(
        (status = 201, description = "the token, with its secret", body = CreatedApiToken),
        (status = 403, description = "`session_required`: API tokens cannot create tokens", body = Problem),
        (status = 409, description = "`too_many_tokens`", body = Problem),
        (status = 422, description = "`validation_failed` (field `name`, `scopes` or `expires_at`)", body = Problem),
    ))]
async fn create_token(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(body): Json<NewApiToken>,
) -> ApiResult<(StatusCode, axum::Json<CreatedApiToken>)> {
    user.require_session()?;
    let name = normalize_token_name(&body.name)?;
    let scopes = resolve_scopes(user.role, &body.scopes)?;
    if let Some(at) = body.expires_at {
        let now = Utc::now();
        if at <= now || at > now + chrono::Duration::days(MAX_LIFETIME_DAYS) {
            return Err(ApiError::invalid(
                "expires_at",
                format!("must be in the future and within {MAX_LIFETIME_DAYS} days"),
            ));
        }
    }
    let secret = generate();
    let scope_names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    let mut tx = state.pool.begin().await?;
    // Serialise this user's creations so the per-user bound holds.
    sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE")
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    let live: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL
           AND (expires_at IS NULL OR expires_at > now())",
    )
    .bind(user.id)
    .fetch_one(&mut *tx)
    .await?;
    if live >= MAX_TOKENS_PER_USER {
        return Err(ApiError::conflict(
            "too_many_tokens",
            format!("at most {MAX_TOKENS_PER_USER} live tokens per user; revoke one first"),
        ));
    }
    let row = sqlx::query(&format!(
        "INSERT INTO api_tokens (id, user_id, name, scopes, token_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {VIEW_COLUMNS}"
    ))
    .bind(Uuid::now_v7())
    .bind(user.id)
    .bind(&name)
    .bind(&scope_names)
    .bind(refresh::digest(&secret))
    .bind(body.expires_at)
    .fetch_one(&mut *tx)
    .await?;
    let view = ApiTokenView::from_row(&row)?;
    let actor = Actor::api(user.id, request_id(&headers));
    let event = AccessEvent::ApiTokenCreated {
        token_id: view.id,
        name,
        scopes,
    };
    audit::record(&mut tx, user.id, &actor, &[event]).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedApiToken {
            view,
            token: secret,
        }),
    ))
}

/// The caller's live tokens, newest first (admins: everyone's with `all=true`).
#[utoipa::path(get, path = "/api/tokens", tag = "auth", params(ListTokensQuery),
    responses(
        (status = 200, description = "live tokens, without secrets", body = ApiTokenList),
        (status = 403, description = "`forbidden`: `all` is for admins", body = Problem),
    ))]
async fn list_tokens(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<ListTokensQuery>,
) -> ApiResult<axum::Json<ApiTokenList>> {
    user.require_session()?;
    let all = q.all.unwrap_or(false);
    if all {
        user.require(policy::ADMIN)?;
    }
    let rows = sqlx::query(&format!(
        "SELECT {VIEW_COLUMNS} FROM api_tokens
         WHERE revoked_at IS NULL AND ($1 OR user_id = $2)
         ORDER BY created_at DESC, id LIMIT $3"
    ))
    .bind(all)
    .bind(user.id)
    .bind(MAX_LIST)
    .fetch_all(&state.pool)
    .await?;
    let items = rows
        .iter()
        .map(ApiTokenView::from_row)
        .collect::<Result<_, _>>()?;
    Ok(axum::Json(ApiTokenList { items }))
}

/// Revokes a token at once (its owner, or an admin). Revoking it again is harmless.
#[utoipa::path(delete, path = "/api/tokens/{id}", tag = "auth", params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "revoked"),
        (status = 404, description = "`not_found`", body = Problem),
    ))]
async fn revoke_token(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    user.require_session()?;
    let is_admin = user.role == Role::Admin;
    let mut tx = state.pool.begin().await?;
    let row = sqlx::query(
        "SELECT user_id, revoked_at IS NOT NULL AS revoked FROM api_tokens
         WHERE id = $1 AND ($2 OR user_id = $3) FOR UPDATE",
    )
    .bind(id)
    .bind(is_admin)
    .bind(user.id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ApiError::not_found(format!("API token {id}")))?;
    if row.try_get::<bool, _>("revoked")? {
        return Ok(StatusCode::NO_CONTENT);
    }
    let owner: Uuid = row.try_get("user_id")?;
    sqlx::query("UPDATE api_tokens SET revoked_at = now() WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let actor = Actor::api(user.id, request_id(&headers));
    audit::record(
        &mut tx,
        owner,
        &actor,
        &[AccessEvent::ApiTokenRevoked { token_id: id }],
    )
    .await?;
    tx.commit().await?;
    state.access.forget_tokens();
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_the_prefix_and_are_recognised() {
        let t = generate();
        assert!(t.starts_with("lgr_") && t.len() == 47, "{t}");
        assert!(well_formed(&t));
        assert!(!well_formed(&t[4..]));
        assert!(!well_formed("lgr_short"));
        assert!(!well_formed("eyJhbGciOiJIUzI1NiJ9.e30.x"));
    }

    #[test]
    fn scopes_never_exceed_the_role() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            resolve_scopes(Role::Accountant, &s(&["read", "books:write", "read"])).unwrap(),
            vec![Scope::Read, Scope::BooksWrite]
        );
        for (role, scope) in [
            (Role::Accountant, "audit"),
            (Role::Viewer, "books:write"),
            (Role::Analyst, "books:write"),
            (Role::Auditor, "traffic:write"),
            (Role::Viewer, "postback"),
            (Role::Pending, "read"),
        ] {
            let e = resolve_scopes(role, &s(&[scope])).unwrap_err().to_problem();
            assert_eq!(
                (e.status, e.field.as_deref()),
                (422, Some("scopes")),
                "{role:?} {scope}"
            );
        }
        assert!(resolve_scopes(Role::Admin, &s(&["root"])).is_err());
        assert!(resolve_scopes(Role::Admin, &[]).is_err());
        assert!(resolve_scopes(Role::Admin, &s(&["audit", "postback"])).is_ok());
    }

    #[test]
    fn token_names_are_bounded_and_plain() {
        assert_eq!(normalize_token_name("  ci  ").unwrap(), "ci");
        for bad in ["", "   ", "a\u{0}b", "x\u{202E}y", &"n".repeat(101)] {
            let e = normalize_token_name(bad).unwrap_err().to_problem();
            assert_eq!(e.field.as_deref(), Some("name"), "{bad:?}");
        }
    }
}

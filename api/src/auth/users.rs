//! User administration (admins only): listing, reading and changing role, name and whether the
//! account is disabled. Mounted with [`router`].

use crate::extract::Path;
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
use super::routes::{normalize_name, parse_role};
use super::{AuthUser, Role, policy, refresh};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Json, Query};
use crate::routes::common::request_id;
use crate::state::AppState;
use app::ledger::Actor;

/// Rows per page when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest `limit` accepted.
pub const MAX_LIMIT: i64 = 500;
/// Advisory lock serialising changes of role or disabled state, so two concurrent changes
/// cannot together remove the last active admin.
const ADMIN_CHANGES_LOCK: i64 = 0x4c45_4447_4144_4d31;

/// All routes of this module, under `/api/users`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users))
        .routes(routes!(get_user, update_user))
}

/// A user as administrators see them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserDetail {
    pub id: Uuid,
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub email_confirmed: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const DETAIL_COLUMNS: &str = "id, email, name, role, email_confirmed_at IS NOT NULL AS email_confirmed, \
                              disabled_at IS NOT NULL AS disabled, created_at, updated_at";

impl UserDetail {
    fn from_row(row: &PgRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            name: row.try_get("name")?,
            role: parse_role(row.try_get("role")?)?,
            email_confirmed: row.try_get("email_confirmed")?,
            disabled: row.try_get("disabled")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListUsersQuery {
    /// Rows per page (1 to 500, default 50).
    pub limit: Option<i64>,
    /// Rows to skip (default 0).
    pub offset: Option<i64>,
    /// Case-insensitive substring of the email or the name.
    pub q: Option<String>,
    /// Only users with this role.
    #[param(inline)]
    pub role: Option<Role>,
}

/// One page of users, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserDetail>,
    /// Users matching the filter, over all pages.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// The fields to change; absent (or null) fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    pub role: Option<Role>,
    /// New display name; an empty string removes it.
    pub name: Option<String>,
    /// `true` disables the account and ends its sessions; `false` enables it again.
    pub disabled: Option<bool>,
}

/// Resolves paging, refusing values outside the bounds.
pub fn resolve_paging(limit: Option<i64>, offset: Option<i64>) -> Result<(i64, i64), ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("must be 1 to {MAX_LIMIT}"),
        ));
    }
    let offset = offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::invalid("offset", "must not be negative"));
    }
    Ok((limit, offset))
}

/// An ILIKE pattern matching `q` anywhere, with its wildcards taken literally; `None` for a
/// blank search.
pub fn search_pattern(q: Option<&str>) -> Option<String> {
    let q = q.map(str::trim).filter(|q| !q.is_empty())?;
    let mut pattern = String::with_capacity(q.len() + 2);
    pattern.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Some(pattern)
}

/// Whether a change from (`role`, `disabled`) to (`new_role`, `new_disabled`) takes away an
/// active admin.
pub fn removes_active_admin(
    role: Role,
    disabled: bool,
    new_role: Role,
    new_disabled: bool,
) -> bool {
    let active_admin = |r: Role, d: bool| r == Role::Admin && !d;
    active_admin(role, disabled) && !active_admin(new_role, new_disabled)
}

/// Lists users, optionally searched by email or name and filtered by role.
#[utoipa::path(get, path = "/api/users", tag = "users", params(ListUsersQuery),
    responses(
        (status = 200, description = "one page of users", body = UserPage),
        (status = 403, description = "`forbidden`: admins only", body = Problem),
        (status = 422, description = "`validation_failed` (field `limit` or `offset`)", body = Problem),
    ))]
async fn list_users(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<ListUsersQuery>,
) -> ApiResult<axum::Json<UserPage>> {
    user.require(policy::ADMIN)?;
    let (limit, offset) = resolve_paging(query.limit, query.offset)?;
    let pattern = search_pattern(query.q.as_deref());
    let role = query.role.map(Role::as_str);
    const FILTER: &str =
        "($1::text IS NULL OR email ILIKE $1 OR name ILIKE $1) AND ($2::text IS NULL OR role = $2)";

    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM users WHERE {FILTER}"))
        .bind(&pattern)
        .bind(role)
        .fetch_one(&state.pool)
        .await?;
    let rows = sqlx::query(&format!(
        "SELECT {DETAIL_COLUMNS} FROM users WHERE {FILTER} ORDER BY created_at, id LIMIT $3 OFFSET $4"
    ))
    .bind(&pattern)
    .bind(role)
    .bind(limit)
    .bind(offset)
    .fetch_all(&state.pool)
    .await?;
    let items = rows
        .iter()
        .map(UserDetail::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(axum::Json(UserPage {
        items,
        total,
        limit,
        offset,
    }))
}

/// One user.
#[utoipa::path(get, path = "/api/users/{id}", tag = "users", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "the user", body = UserDetail),
        (status = 403, description = "`forbidden`: admins only", body = Problem),
        (status = 404, description = "`not_found`", body = Problem),
    ))]
async fn get_user(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<UserDetail>> {
    user.require(policy::ADMIN)?;
    let row = sqlx::query(&format!("SELECT {DETAIL_COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(&state.pool)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("user {id}")))?;
    Ok(axum::Json(UserDetail::from_row(&row)?))
}

/// The access events of a change of role or disabled state.
pub fn access_events(
    role: Role,
    disabled: bool,
    new_role: Role,
    new_disabled: bool,
) -> Vec<AccessEvent> {
    let mut events = Vec::new();
    if role != new_role {
        events.push(AccessEvent::RoleChanged {
            from: role,
            to: new_role,
        });
    }
    match (disabled, new_disabled) {
        (false, true) => events.push(AccessEvent::Disabled {}),
        (true, false) => events.push(AccessEvent::Enabled {}),
        _ => {}
    }
    events
}

fn cannot_change_own_access() -> ApiError {
    ApiError::status(
        StatusCode::FORBIDDEN,
        "cannot_change_own_access",
        "nobody may change their own role or disabled state; ask another admin",
    )
}

/// Changes a user's role, name or disabled state; takes effect on the user's tokens at once.
/// Disabling also ends the user's sessions. Nobody changes their own role or disabled state
/// (403 `cannot_change_own_access`), and the last active admin can be neither demoted nor
/// disabled (409 `last_admin`).
#[utoipa::path(patch, path = "/api/users/{id}", tag = "users", params(("id" = Uuid, Path)), request_body = UserUpdate,
    responses(
        (status = 200, description = "the changed user", body = UserDetail),
        (status = 403, description = "`forbidden`: admins only; `cannot_change_own_access`", body = Problem),
        (status = 404, description = "`not_found`", body = Problem),
        (status = 409, description = "`last_admin`", body = Problem),
        (status = 422, description = "`validation_failed` (field `name`)", body = Problem),
    ))]
async fn update_user(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Json(body): Json<UserUpdate>,
) -> ApiResult<axum::Json<UserDetail>> {
    user.require(policy::ADMIN)?;
    // `Some(None)`: remove the name.
    let name = body
        .name
        .as_deref()
        .map(|n| normalize_name(Some(n)))
        .transpose()?;

    let mut tx = state.pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(ADMIN_CHANGES_LOCK)
        .execute(&mut *tx)
        .await?;
    let current = sqlx::query(
        "SELECT role, disabled_at IS NOT NULL AS disabled FROM users WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ApiError::not_found(format!("user {id}")))?;
    let role = parse_role(current.try_get("role")?)?;
    let disabled: bool = current.try_get("disabled")?;
    let new_role = body.role.unwrap_or(role);
    let new_disabled = body.disabled.unwrap_or(disabled);
    if id == user.id && (new_role != role || new_disabled != disabled) {
        return Err(cannot_change_own_access());
    }

    if removes_active_admin(role, disabled, new_role, new_disabled) {
        let others: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if others == 0 {
            return Err(ApiError::conflict(
                "last_admin",
                "this is the last active admin: make another user admin first",
            ));
        }
    }

    let row = sqlx::query(&format!(
        "UPDATE users SET
             role = $2,
             name = CASE WHEN $3 THEN $4 ELSE name END,
             disabled_at = CASE WHEN $5 THEN COALESCE(disabled_at, now()) ELSE NULL END,
             updated_at = now()
         WHERE id = $1
         RETURNING {DETAIL_COLUMNS}"
    ))
    .bind(id)
    .bind(new_role.as_str())
    .bind(name.is_some())
    .bind(name.flatten())
    .bind(new_disabled)
    .fetch_one(&mut *tx)
    .await?;
    if new_disabled {
        refresh::revoke_all_for_user(&mut tx, id).await?;
    }
    let events = access_events(role, disabled, new_role, new_disabled);
    let actor = Actor::api(user.id, request_id(&headers));
    audit::record(&mut tx, id, &actor, &events).await?;
    tx.commit().await?;
    state.access.forget_user(id);
    if role != new_role || disabled != new_disabled {
        tracing::info!(by = %user.id, user_id = %id, role = new_role.as_str(), disabled = new_disabled, "user changed");
    }
    Ok(axum::Json(UserDetail::from_row(&row)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_defaults_and_bounds() {
        assert_eq!(resolve_paging(None, None).unwrap(), (50, 0));
        assert_eq!(resolve_paging(Some(500), Some(20)).unwrap(), (500, 20));
        assert_eq!(resolve_paging(Some(1), None).unwrap(), (1, 0));
        let e = resolve_paging(Some(501), None).unwrap_err().to_problem();
        assert_eq!((e.status, e.field.as_deref()), (422, Some("limit")));
        assert!(resolve_paging(Some(0), None).is_err());
        let e = resolve_paging(None, Some(-1)).unwrap_err().to_problem();
        assert_eq!(e.field.as_deref(), Some("offset"));
    }

    #[test]
    fn search_patterns_escape_wildcards() {
        assert_eq!(search_pattern(None), None);
        assert_eq!(search_pattern(Some("  ")), None);
        assert_eq!(search_pattern(Some(" alice ")).as_deref(), Some("%alice%"));
        assert_eq!(
            search_pattern(Some("50%_a\\b")).as_deref(),
            Some("%50\\%\\_a\\\\b%")
        );
    }

    #[test]
    fn only_changes_that_take_away_an_active_admin_are_checked() {
        use Role::*;
        assert!(removes_active_admin(Admin, false, Viewer, false));
        assert!(removes_active_admin(Admin, false, Admin, true));
        assert!(removes_active_admin(Admin, false, Auditor, true));
        assert!(!removes_active_admin(Admin, false, Admin, false));
        assert!(
            !removes_active_admin(Admin, true, Viewer, true),
            "a disabled admin is not active"
        );
        assert!(!removes_active_admin(Viewer, false, Admin, false));
        assert!(!removes_active_admin(Accountant, false, Viewer, true));
    }

    #[test]
    fn role_and_disabled_changes_become_access_events() {
        use Role::*;
        assert!(access_events(Viewer, false, Viewer, false).is_empty());
        assert_eq!(
            access_events(Admin, false, Viewer, true),
            vec![
                AccessEvent::RoleChanged {
                    from: Admin,
                    to: Viewer
                },
                AccessEvent::Disabled {}
            ]
        );
        assert_eq!(
            access_events(Viewer, true, Viewer, false),
            vec![AccessEvent::Enabled {}]
        );
        let p = cannot_change_own_access().to_problem();
        assert_eq!(
            (p.status, p.code.as_str()),
            (403, "cannot_change_own_access")
        );
    }

    #[test]
    fn updates_refuse_unknown_fields_and_parse_roles() {
        let u: UserUpdate =
            serde_json::from_str(r#"{"role":"accountant","disabled":true}"#).unwrap();
        assert_eq!(u.role, Some(Role::Accountant));
        assert_eq!(u.disabled, Some(true));
        assert!(u.name.is_none());
        assert!(serde_json::from_str::<UserUpdate>(r#"{"email":"x@y.z"}"#).is_err());
        assert!(serde_json::from_str::<UserUpdate>(r#"{"role":"root"}"#).is_err());
    }

    #[test]
    fn the_router_documents_every_route() {
        let (_, api) = router().split_for_parts();
        let users = api.paths.paths.get("/api/users").expect("list");
        assert!(users.get.is_some());
        let one = api.paths.paths.get("/api/users/{id}").expect("one");
        assert!(one.get.is_some() && one.patch.is_some());
        let schemas = &api.components.as_ref().unwrap().schemas;
        assert!(schemas.contains_key("UserPage") && schemas.contains_key("UserUpdate"));
    }
}

//! The routes of user administration (admins only), under `/api/users` (storage:
//! `app::access::users`).

use app::access::users::{self, UserDetail, UserFilter, UserPage, UserUpdate};
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{AuthUser, Role, policy};
use crate::error::{ApiResult, Problem};
use crate::extract::{Json, Path, Query};
use crate::routes::common::request_id;
use crate::state::AppState;
use app::ledger::Actor;

/// All routes of this module, under `/api/users`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users))
        .routes(routes!(get_user, update_user))
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
    Query(q): Query<ListUsersQuery>,
) -> ApiResult<axum::Json<UserPage>> {
    user.require(policy::ADMIN)?;
    let filter = UserFilter {
        limit: q.limit,
        offset: q.offset,
        q: q.q,
        role: q.role,
    };
    Ok(axum::Json(users::list(&state.pool, filter).await?))
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
    Ok(axum::Json(users::get(&state.pool, id).await?))
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
    let actor = Actor::api(user.id, request_id(&headers));
    let changed = users::update(&state.pool, &state.access, &actor, user.id, id, body).await?;
    Ok(axum::Json(changed))
}

#[cfg(test)]
mod tests {
    use super::*;

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

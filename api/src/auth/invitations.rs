//! The routes of invitations (admins only), under `/api/invitations` (storage and mail:
//! `app::access::invitations`).

use app::access::invitations::{self, CreatedInvitation, InvitationPage, NewInvitation};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{AuthUser, policy};
use crate::error::{ApiResult, Problem};
use crate::extract::{Json, Path, Query};
use crate::routes::common::request_id;
use crate::state::AppState;
use app::ledger::Actor;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_invitation, list_invitations))
        .routes(routes!(revoke_invitation))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListInvitationsQuery {
    /// Rows per page (1 to 500, default 50).
    pub limit: Option<i64>,
    /// Rows to skip (default 0).
    pub offset: Option<i64>,
}

/// Invites someone. A pending invitation for the same address is revoked (the newest link
/// counts). 409 `email_taken` when an account with the address exists.
#[utoipa::path(post, path = "/api/invitations", tag = "users", request_body = NewInvitation,
    responses(
        (status = 201, description = "invited; the link is mailed and returned", body = CreatedInvitation),
        (status = 403, description = "`forbidden`: admins only (never by API token)", body = Problem),
        (status = 409, description = "`email_taken`", body = Problem),
        (status = 422, description = "`validation_failed` (field `email` or `role`)", body = Problem),
    ))]
async fn create_invitation(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(body): Json<NewInvitation>,
) -> ApiResult<(StatusCode, axum::Json<CreatedInvitation>)> {
    user.require(policy::ADMIN)?;
    let actor = Actor::api(user.id, request_id(&headers));
    let settings = state.settings.access();
    let created = invitations::create(&state.pool, &settings, &actor, user.id, body).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// Invitations, newest first.
#[utoipa::path(get, path = "/api/invitations", tag = "users", params(ListInvitationsQuery),
    responses(
        (status = 200, description = "one page of invitations", body = InvitationPage),
        (status = 403, description = "`forbidden`: admins only", body = Problem),
    ))]
async fn list_invitations(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<ListInvitationsQuery>,
) -> ApiResult<axum::Json<InvitationPage>> {
    user.require(policy::ADMIN)?;
    let page = invitations::list(&state.pool, q.limit, q.offset).await?;
    Ok(axum::Json(page))
}

/// Revokes an invitation; its link stops working. Revoking twice is harmless; an accepted
/// invitation cannot be revoked (409 `invitation_accepted`: disable the user instead).
#[utoipa::path(delete, path = "/api/invitations/{id}", tag = "users", params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "revoked"),
        (status = 403, description = "`forbidden`: admins only", body = Problem),
        (status = 404, description = "`not_found`", body = Problem),
        (status = 409, description = "`invitation_accepted`", body = Problem),
    ))]
async fn revoke_invitation(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    user.require(policy::ADMIN)?;
    let actor = Actor::api(user.id, request_id(&headers));
    invitations::revoke(&state.pool, &actor, user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

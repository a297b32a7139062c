//! The routes of personal API tokens, under `/api/tokens` (storage and rules:
//! `app::access::api_tokens`, `domain::access::rules`).

use app::access::api_tokens::{self, ApiTokenList, CreatedApiToken, NewApiToken};
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
        .routes(routes!(create_token, list_tokens))
        .routes(routes!(revoke_token))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListTokensQuery {
    /// Admins only: every user's live tokens, not just their own.
    pub all: Option<bool>,
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
    let actor = Actor::api(user.id, request_id(&headers));
    let created = api_tokens::create(&state.pool, &actor, &user, body).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
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
    Ok(axum::Json(
        api_tokens::list(&state.pool, user.id, all).await?,
    ))
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
    let actor = Actor::api(user.id, request_id(&headers));
    api_tokens::revoke(&state.pool, &state.access, &actor, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

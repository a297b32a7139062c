//! The period lock: close months, reopen them.

use axum::extract::State;
use axum::http::HeaderMap;
use chrono::NaiveDate;
use domain::period::PeriodCommand;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{Consistency, request_id};
use crate::auth::{AuthUser, policy};
use crate::error::ApiResult;
use crate::extract::{Json, Query};
use crate::state::AppState;
use app::ledger::{Actor, periods};

#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseIn {
    /// Any day of the last month to close; the whole month is closed.
    pub through: NaiveDate,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReopenIn {
    /// Keep months up to this day's month closed; absent: reopen everything.
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodsOut {
    /// Last day that takes no postings (null: nothing closed).
    pub closed_through: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
}

#[utoipa::path(get, path = "/api/periods", tag = "periods", params(Consistency), responses((status = 200, body = PeriodsOut)))]
async fn get_periods(
    State(state): State<AppState>,
    user: AuthUser,
    Query(c): Query<Consistency>,
) -> ApiResult<axum::Json<PeriodsOut>> {
    user.require(policy::READ_BOOKS)?;
    state.wait_for_position(c.min_position).await?;
    let closed_through = projections::queries::closed_through(&state.pool).await?;
    Ok(axum::Json(PeriodsOut {
        closed_through,
        position: None,
    }))
}

#[utoipa::path(post, path = "/api/periods/close", tag = "periods", request_body = CloseIn,
    responses((status = 200, body = PeriodsOut), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn close(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(body): Json<CloseIn>,
) -> ApiResult<axum::Json<PeriodsOut>> {
    user.require(policy::CLOSE_PERIODS)?;
    let actor = Actor::api(user.id, request_id(&headers));
    let (written, p) = periods::execute(
        &state.pool,
        &actor,
        PeriodCommand::Close {
            through: body.through,
        },
    )
    .await?;
    state.projector.nudge();
    Ok(axum::Json(PeriodsOut {
        closed_through: p.closed_through,
        position: Some(written.position),
    }))
}

#[utoipa::path(post, path = "/api/periods/reopen", tag = "periods", request_body = ReopenIn,
    responses((status = 200, body = PeriodsOut), (status = 409, body = crate::error::Problem)))]
async fn reopen(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(body): Json<ReopenIn>,
) -> ApiResult<axum::Json<PeriodsOut>> {
    user.require(policy::ADMIN)?;
    let actor = Actor::api(user.id, request_id(&headers));
    let (written, p) =
        periods::execute(&state.pool, &actor, PeriodCommand::Reopen { to: body.to }).await?;
    state.projector.nudge();
    Ok(axum::Json(PeriodsOut {
        closed_through: p.closed_through,
        position: Some(written.position),
    }))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_periods))
        .routes(routes!(close))
        .routes(routes!(reopen))
}

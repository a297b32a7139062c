//! `GET /api/traffic/metrics`: traffic facts summed by period and by any of campaign, source,
//! offer, program, project, country and OS, with the derived metrics and a totals row
//! (assembled by `projections::traffic::report`).

use axum::extract::State;
use projections::traffic::report::{self, MetricsOut, MetricsParams};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::Consistency;
use crate::auth::{AuthUser, policy};
use crate::error::ApiResult;
use crate::extract::Query;
use crate::state::AppState;

#[utoipa::path(get, path = "/api/traffic/metrics", tag = "traffic", params(MetricsParams, Consistency),
    responses((status = 200, body = MetricsOut), (status = 422, body = crate::error::Problem)))]
async fn metrics(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<MetricsParams>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<MetricsOut>> {
    user.require(policy::READ_BOOKS)?;
    let plan = p.plan()?;
    state.wait_for_position(consistency.min_position).await?;
    Ok(axum::Json(report::report(&state.pool, &plan).await?))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(metrics))
}

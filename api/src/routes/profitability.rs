//! `GET /api/reports/profitability`: per campaign, offer, program or project over a period,
//! what traffic cost (spend), what the tracker saw earned (revenue), and what the books hold
//! (payouts approved, and received), with profit and ROI (assembled by
//! `projections::profitability`).

use axum::extract::State;
use projections::profitability::{self, Profitability, ProfitabilityParams};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::Consistency;
use crate::auth::{AuthUser, policy};
use crate::error::ApiResult;
use crate::extract::Query;
use crate::state::AppState;

#[utoipa::path(get, path = "/api/reports/profitability", tag = "reports",
    params(ProfitabilityParams, Consistency),
    responses((status = 200, body = Profitability), (status = 400, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn profitability(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<ProfitabilityParams>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<Profitability>> {
    user.require(policy::READ_BOOKS)?;
    let plan = p.plan()?;
    state.wait_for_position(consistency.min_position).await?;
    Ok(axum::Json(profitability::report(&state.pool, &plan).await?))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(profitability))
}

//! The accounting reports: `GET /api/reports/pnl`, `/cash-flow`, `/balance-sheet`, and
//! `/postings`, the drill-down that lists the postings behind any of their figures. The
//! reports themselves are `projections::reports::statements`.

use axum::extract::State;
use projections::reports::statements::{
    self, BalanceSheetOut, CashFlowOut, CashFlowParams, PnlOut, PnlParams, PostingParams,
    PostingsOut, SheetParams,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{Consistency, Paging};
use crate::auth::{AuthUser, policy};
use crate::error::ApiResult;
use crate::extract::Query;
use crate::state::AppState;

/// Profit and loss: income and expense accounts' movements, grouped, converted per posting
/// day, optionally beside a comparison period.
#[utoipa::path(get, path = "/api/reports/pnl", tag = "reports", params(PnlParams, Consistency),
    responses((status = 200, body = PnlOut), (status = 400, description = "missing_rate"),
              (status = 422, description = "validation_failed")))]
async fn pnl(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<PnlParams>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<PnlOut>> {
    user.require(policy::READ_BOOKS)?;
    let plan = p.plan()?;
    state.wait_for_position(consistency.min_position).await?;
    Ok(axum::Json(statements::pnl(&state.pool, &plan).await?))
}

/// Assets, liabilities and equity as of a day, with the A = L + E check.
#[utoipa::path(get, path = "/api/reports/balance-sheet", tag = "reports", params(SheetParams, Consistency),
    responses((status = 200, body = BalanceSheetOut), (status = 400, description = "missing_rate"),
              (status = 422, description = "validation_failed")))]
async fn balance_sheet(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<SheetParams>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<BalanceSheetOut>> {
    user.require(policy::READ_BOOKS)?;
    let currency = statements::parse_currency(p.currency.as_deref())?;
    state.wait_for_position(consistency.min_position).await?;
    let sheet = statements::balance_sheet(&state.pool, p.as_of, currency).await?;
    Ok(axum::Json(sheet))
}

/// Money in and out of the cash, bank, card and wallet accounts by category.
#[utoipa::path(get, path = "/api/reports/cash-flow", tag = "reports", params(CashFlowParams, Consistency),
    responses((status = 200, body = CashFlowOut), (status = 400, description = "missing_rate"),
              (status = 422, description = "validation_failed")))]
async fn cash_flow(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<CashFlowParams>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<CashFlowOut>> {
    user.require(policy::READ_BOOKS)?;
    let plan = p.plan()?;
    state.wait_for_position(consistency.min_position).await?;
    Ok(axum::Json(statements::cash_flow(&state.pool, &plan).await?))
}

/// The postings behind a report figure, with their value in the report currency and the sum.
#[utoipa::path(get, path = "/api/reports/postings", tag = "reports", params(PostingParams, Paging, Consistency),
    responses((status = 200, body = PostingsOut), (status = 400, description = "missing_rate"),
              (status = 422, description = "validation_failed")))]
async fn postings(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<PostingParams>,
    Query(paging): Query<Paging>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<PostingsOut>> {
    user.require(policy::READ_BOOKS)?;
    let (limit, offset) = paging.resolve()?;
    let plan = p.plan()?;
    state.wait_for_position(consistency.min_position).await?;
    let answer = statements::postings(&state.pool, &plan, limit, offset).await?;
    Ok(axum::Json(answer))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pnl))
        .routes(routes!(balance_sheet))
        .routes(routes!(cash_flow))
        .routes(routes!(postings))
}

//! `GET /api/reports/dashboard` (`projections::reports::dashboard`): the home screen's figures in one answer — cash per account and
//! in total, this month's income, expenses and profit against last month's, open receivables and
//! payables, the oldest overdue invoices and the month's top projects, all in one report
//! currency. Each figure comes from the same queries as the full reports (P&L, balances,
//! invoices), so the dashboard and the reports never disagree.

use axum::extract::State;
use chrono::{NaiveDate, Utc};
use projections::reports::dashboard::{self, DashboardOut};
use projections::reports::statements::parse_currency;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::Consistency;
use crate::auth::{AuthUser, policy};
use crate::error::ApiResult;
use crate::extract::Query;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// Report currency (default USD).
    pub currency: Option<String>,
    /// The day the dashboard is for (default: today, UTC). Months are calendar months.
    pub today: Option<NaiveDate>,
}

#[utoipa::path(get, path = "/api/reports/dashboard", tag = "reports",
    params(DashboardParams, Consistency),
    responses((status = 200, body = DashboardOut), (status = 400, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn dashboard(
    State(state): State<AppState>,
    user: AuthUser,
    Query(params): Query<DashboardParams>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<DashboardOut>> {
    user.require(policy::READ_BOOKS)?;
    state.wait_for_position(consistency.min_position).await?;
    let currency = parse_currency(params.currency.as_deref())?;
    let today = params.today.unwrap_or_else(|| Utc::now().date_naive());
    Ok(axum::Json(
        dashboard::dashboard(&state.pool, currency, today).await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(dashboard))
}

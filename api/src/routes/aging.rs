//! The ageing report (`projections::invoices::aging`): what is open on receivable or payable invoices at a date, per
//! counterparty and invoice currency, in buckets of days past due (current, 1–30, 31–60, 61–90,
//! over 90), with totals per currency and, optionally, converted to one report currency at the
//! books' rates of that date.

use axum::extract::State;
use chrono::{NaiveDate, Utc};
use domain::Currency;
use domain::invoice::Direction;
use projections::invoices::aging::{self, AgingReport};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{Consistency, Paging};
use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgingQuery {
    /// The date to age at (default today, UTC). Payments dated after it do not count.
    pub as_of: Option<NaiveDate>,
    /// receivable (default) or payable.
    pub direction: Option<Direction>,
    /// Report currency: convert every row at the books' rate of `as_of`.
    pub currency: Option<String>,
    /// Only invoices in this currency.
    pub invoice_currency: Option<String>,
}

fn parse_currency(field: &str, code: Option<&str>) -> Result<Option<Currency>, ApiError> {
    code.map(Currency::parse)
        .transpose()
        .map_err(|e| ApiError::invalid(field, e.to_string()))
}

#[utoipa::path(get, path = "/api/reports/aging", tag = "reports", params(AgingQuery, Paging, Consistency),
    responses((status = 200, body = AgingReport), (status = 400, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn aging(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<AgingQuery>,
    Query(paging): Query<Paging>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<AgingReport>> {
    user.require(policy::READ_BOOKS)?;
    let (limit, offset) = paging.resolve()?;
    let as_of = q.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let direction = q.direction.unwrap_or(Direction::Receivable);
    let report_currency = parse_currency("currency", q.currency.as_deref())?;
    let only = parse_currency("invoice_currency", q.invoice_currency.as_deref())?;
    state.wait_for_position(consistency.min_position).await?;
    let query = aging::AgingQuery {
        as_of,
        direction,
        report_currency,
        only,
    };
    Ok(axum::Json(
        aging::report(&state.pool, &query, limit, offset).await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(aging))
}

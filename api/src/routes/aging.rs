//! The ageing report: what is open on receivable or payable invoices at a date, per
//! counterparty and invoice currency, in buckets of days past due (current, 1–30, 31–60, 61–90,
//! over 90), with totals per currency and, optionally, converted to one report currency at the
//! books' rates of that date.

use std::collections::BTreeMap;

use axum::extract::State;
use chrono::{NaiveDate, Utc};
use domain::Currency;
use domain::invoice::Direction;
use domain::money::round_to_scale;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::common::{Consistency, Paging};
use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::state::AppState;

/// Most (counterparty, currency) groups one report adds up; more is refused, not truncated.
pub const MAX_GROUPS: i64 = 100_000;

/// Open amounts at `$1` per counterparty and currency: each invoice open that day has exactly
/// one span in `read.invoice_open` covering it (see `domain::invoice::open_spans`), so neither
/// payments nor settlement dates are looked at here. Days past due are `$1 − due_date`.
const AGING_SQL: &str = "\
WITH g AS ( \
  SELECT counterparty_id, currency, count(*) AS invoices, \
    coalesce(sum(amount) FILTER (WHERE due_date >= $1), 0) AS current, \
    coalesce(sum(amount) FILTER (WHERE due_date BETWEEN $1::date - 30 AND $1::date - 1), 0) AS days_1_30, \
    coalesce(sum(amount) FILTER (WHERE due_date BETWEEN $1::date - 60 AND $1::date - 31), 0) AS days_31_60, \
    coalesce(sum(amount) FILTER (WHERE due_date BETWEEN $1::date - 90 AND $1::date - 61), 0) AS days_61_90, \
    coalesce(sum(amount) FILTER (WHERE due_date < $1::date - 90), 0) AS over_90, \
    sum(amount) AS total \
  FROM read.invoice_open \
  WHERE direction = $2 AND valid_from <= $1 AND (valid_until IS NULL OR valid_until > $1) \
    AND ($3::text IS NULL OR currency = $3) \
  GROUP BY counterparty_id, currency \
  ORDER BY total DESC, counterparty_id, currency \
  LIMIT $4) \
SELECT g.*, e.name AS counterparty_name \
FROM g LEFT JOIN read.entities e ON e.entity_type = 'counterparty' AND e.id = g.counterparty_id \
ORDER BY g.total DESC, g.counterparty_id, g.currency";

#[derive(Debug, Clone, Default, Serialize, ToSchema, FromRow)]
pub struct Buckets {
    /// Not yet due (or due on the date).
    #[schema(value_type = String)]
    pub current: Decimal,
    #[schema(value_type = String)]
    pub days_1_30: Decimal,
    #[schema(value_type = String)]
    pub days_31_60: Decimal,
    #[schema(value_type = String)]
    pub days_61_90: Decimal,
    #[schema(value_type = String)]
    pub over_90: Decimal,
    #[schema(value_type = String)]
    pub total: Decimal,
}

impl Buckets {
    fn parts(&mut self) -> [&mut Decimal; 6] {
        [
            &mut self.current,
            &mut self.days_1_30,
            &mut self.days_31_60,
            &mut self.days_61_90,
            &mut self.over_90,
            &mut self.total,
        ]
    }

    fn add(&mut self, other: &Buckets) {
        let mut o = other.clone();
        for (a, b) in self.parts().into_iter().zip(o.parts()) {
            *a += *b;
        }
    }

    fn converted(&self, rate: Decimal, to: Currency) -> Buckets {
        let mut out = self.clone();
        for a in out.parts() {
            *a = round_to_scale(*a * rate, to);
        }
        out
    }
}

#[derive(Debug, Serialize, ToSchema, FromRow)]
pub struct AgingRow {
    pub counterparty_id: Uuid,
    pub counterparty_name: Option<String>,
    /// The invoices' currency.
    pub currency: String,
    /// Open invoices in the row.
    pub invoices: i64,
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub buckets: Buckets,
    /// In the report currency, when one was asked for.
    #[sqlx(skip)]
    pub converted: Option<Buckets>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencyTotal {
    pub currency: String,
    pub invoices: i64,
    #[serde(flatten)]
    pub buckets: Buckets,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgingReport {
    pub as_of: NaiveDate,
    pub direction: Direction,
    /// The report currency, when one was asked for.
    pub currency: Option<String>,
    /// A page of rows, largest total first.
    pub rows: Vec<AgingRow>,
    /// Rows in all pages.
    pub total_rows: i64,
    pub limit: i64,
    pub offset: i64,
    /// Per invoice currency, over all rows.
    pub totals: Vec<CurrencyTotal>,
    /// Everything converted to the report currency (each currency's totals converted at the
    /// rate of `as_of`, then rounded and added).
    pub converted_total: Option<Buckets>,
}

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
    let mut tx = projections::queries::report_tx(&state.pool).await?;
    let mut rows: Vec<AgingRow> = sqlx::query_as(AGING_SQL)
        .bind(as_of)
        .bind(direction.as_str())
        .bind(only.map(Currency::code))
        .bind(MAX_GROUPS + 1)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    if rows.len() as i64 > MAX_GROUPS {
        return Err(ApiError::invalid(
            "invoice_currency",
            format!("more than {MAX_GROUPS} counterparty groups: narrow the report by currency"),
        ));
    }
    // Zero sums come back without their scale: print each at its currency's.
    for r in &mut rows {
        if let Ok(c) = Currency::parse(&r.currency) {
            r.buckets = r.buckets.converted(Decimal::ONE, c);
        }
    }
    let mut totals: BTreeMap<String, CurrencyTotal> = BTreeMap::new();
    for r in &rows {
        let t = totals
            .entry(r.currency.clone())
            .or_insert_with(|| CurrencyTotal {
                currency: r.currency.clone(),
                invoices: 0,
                buckets: Buckets::default(),
            });
        t.invoices += r.invoices;
        t.buckets.add(&r.buckets);
    }
    let mut converted_total = None;
    if let Some(to) = report_currency {
        let mut rates = BTreeMap::new();
        for code in totals.keys() {
            let rate = projections::queries::rate_on(&state.pool, code, to.code(), as_of)
                .await?
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "missing_rate",
                        format!("no exchange rate from {code} to {to} on or before {as_of}; enter one at /api/rates"),
                    )
                })?;
            rates.insert(code.clone(), rate.rate);
        }
        let mut sum = Buckets::default();
        for t in totals.values() {
            sum.add(&t.buckets.converted(rates[&t.currency], to));
        }
        converted_total = Some(sum);
        for r in &mut rows {
            r.converted = Some(r.buckets.converted(rates[&r.currency], to));
        }
    }
    let total_rows = rows.len() as i64;
    let rows = rows
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    Ok(axum::Json(AgingReport {
        as_of,
        direction,
        currency: report_currency.map(|c| c.code().to_string()),
        rows,
        total_rows,
        limit,
        offset,
        totals: totals.into_values().collect(),
        converted_total,
    }))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(aging))
}

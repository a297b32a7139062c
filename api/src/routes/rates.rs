//! Exchange rates: entered by hand, in batches, or synced from a provider; listed; and a
//! conversion that says which rate it used.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{Days, NaiveDate, Utc};
use domain::Currency;
use domain::money::round_to_scale;
use domain::rates::SetRate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{Consistency, Page, Paging, request_id};
use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::state::AppState;
use app::fx::{CATCH_UP_DAYS, Provider, SyncReport};
use app::ledger::Actor;
use app::ledger::rates::set_many;
use projections::rates::RateOut;

/// Source recorded for rates entered through the API.
const MANUAL: &str = "manual";

/// 1 `base` = `rate` `quote` on `date`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateIn {
    pub date: NaiveDate,
    #[schema(value_type = String, example = "EUR")]
    pub base: Currency,
    #[schema(value_type = String, example = "USD")]
    pub quote: Currency,
    #[schema(value_type = String, example = "1.0876")]
    pub rate: Decimal,
    /// Where the rate comes from (default "manual").
    pub source: Option<String>,
}

impl RateIn {
    fn command(self) -> SetRate {
        SetRate {
            base: self.base,
            quote: self.quote,
            date: self.date,
            rate: self.rate,
            source: self.source.unwrap_or_else(|| MANUAL.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatesWrittenOut {
    /// New or corrected rates.
    pub written: usize,
    /// Rates the books already held as given.
    pub unchanged: usize,
    /// Pass as `min_position` to read them.
    pub position: i64,
}

fn actor(user: &AuthUser, headers: &HeaderMap) -> Actor {
    Actor::api(user.id, request_id(headers))
}

#[utoipa::path(post, path = "/api/rates", tag = "rates", request_body = RateIn,
    responses((status = 201, body = RatesWrittenOut), (status = 422, body = crate::error::Problem)))]
async fn set_rate(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(body): Json<RateIn>,
) -> ApiResult<(StatusCode, axum::Json<RatesWrittenOut>)> {
    user.require(policy::WRITE_BOOKS)?;
    let w = set_many(&state.pool, &actor(&user, &headers), vec![body.command()]).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(RatesWrittenOut {
            written: w.changed,
            unchanged: w.unchanged,
            position: w.written.position,
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatesBatch {
    /// Up to 10,000 rates, all set or none.
    pub rates: Vec<RateIn>,
}

#[utoipa::path(post, path = "/api/rates/batch", tag = "rates", request_body = RatesBatch,
    responses((status = 200, body = RatesWrittenOut), (status = 422, body = crate::error::Problem)))]
async fn set_rates(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(body): Json<RatesBatch>,
) -> ApiResult<axum::Json<RatesWrittenOut>> {
    user.require(policy::WRITE_BOOKS)?;
    if body.rates.is_empty() {
        return Err(ApiError::invalid("rates", "must not be empty"));
    }
    let commands = body.rates.into_iter().map(RateIn::command).collect();
    let w = set_many(&state.pool, &actor(&user, &headers), commands).await?;
    Ok(axum::Json(RatesWrittenOut {
        written: w.changed,
        unchanged: w.unchanged,
        position: w.written.position,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RateFilter {
    pub base: Option<String>,
    pub quote: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

fn currency_param(field: &str, v: &Option<String>) -> ApiResult<Option<String>> {
    v.as_deref()
        .map(|c| {
            Currency::parse(c)
                .map(|c| c.code().to_string())
                .map_err(|e| ApiError::invalid(field, e.to_string()))
        })
        .transpose()
}

#[utoipa::path(get, path = "/api/rates", tag = "rates", params(RateFilter, Paging, Consistency),
    responses((status = 200, body = Page<RateOut>)))]
async fn list_rates(
    State(state): State<AppState>,
    user: AuthUser,
    Query(f): Query<RateFilter>,
    Query(paging): Query<Paging>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<Page<RateOut>>> {
    user.require(policy::READ_BOOKS)?;
    let (limit, offset) = paging.resolve()?;
    let base = currency_param("base", &f.base)?;
    let quote = currency_param("quote", &f.quote)?;
    state.wait_for_position(consistency.min_position).await?;
    let filter = projections::rates::RateFilter {
        base,
        quote,
        from: f.from,
        to: f.to,
    };
    let (items, total) = projections::rates::list(&state.pool, &filter, limit, offset).await?;
    Ok(axum::Json(Page {
        items,
        total,
        limit,
        offset,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConvertParams {
    #[param(value_type = String)]
    pub amount: Decimal,
    pub from: String,
    pub to: String,
    /// Day of the conversion (default today).
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Conversion {
    #[schema(value_type = String)]
    pub amount: Decimal,
    pub from: String,
    pub to: String,
    pub date: NaiveDate,
    /// Rounded to the target currency's scale.
    #[schema(value_type = String)]
    pub converted: Decimal,
    /// 1 `from` = `rate` `to`.
    #[schema(value_type = String)]
    pub rate: Decimal,
    /// The rate's own date.
    pub rate_date: NaiveDate,
    /// True when no rate exists for the day itself and the nearest earlier one was used.
    pub earlier_rate: bool,
}

#[utoipa::path(get, path = "/api/rates/convert", tag = "rates", params(ConvertParams, Consistency),
    responses((status = 200, body = Conversion), (status = 404, body = crate::error::Problem)))]
async fn convert(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<ConvertParams>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<Conversion>> {
    user.require(policy::READ_BOOKS)?;
    state.wait_for_position(consistency.min_position).await?;
    let from = Currency::parse(&p.from).map_err(|e| ApiError::invalid("from", e.to_string()))?;
    let to = Currency::parse(&p.to).map_err(|e| ApiError::invalid("to", e.to_string()))?;
    let date = p.date.unwrap_or_else(|| Utc::now().date_naive());
    let found = projections::queries::rate_on(&state.pool, from.code(), to.code(), date)
        .await?
        .ok_or_else(|| {
            ApiError::status(
                StatusCode::NOT_FOUND,
                "missing_rate",
                format!(
                    "no exchange rate from {from} to {to} on or before {date}; enter one at /api/rates"
                ),
            )
        })?;
    Ok(axum::Json(Conversion {
        amount: p.amount,
        from: from.code().to_string(),
        to: to.code().to_string(),
        date,
        converted: round_to_scale(p.amount * found.rate, to),
        rate: found.rate,
        rate_date: found.date,
        earlier_rate: found.date < date,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    pub provider: Provider,
    /// First day (default: a week ago).
    pub from: Option<NaiveDate>,
    /// Last day (default: today).
    pub to: Option<NaiveDate>,
}

#[utoipa::path(post, path = "/api/rates/sync", tag = "rates", request_body = SyncRequest,
    responses((status = 200, body = SyncReport), (status = 502, body = crate::error::Problem)))]
async fn sync_rates(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(body): Json<SyncRequest>,
) -> ApiResult<axum::Json<SyncReport>> {
    user.require(policy::WRITE_BOOKS)?;
    let to = body.to.unwrap_or_else(|| Utc::now().date_naive());
    let from = body.from.unwrap_or(to - Days::new(CATCH_UP_DAYS));
    Ok(axum::Json(
        app::fx::sync(
            &state.pool,
            &state.settings.fx_sources(),
            &actor(&user, &headers),
            body.provider,
            from,
            to,
        )
        .await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_rate, list_rates))
        .routes(routes!(set_rates))
        .routes(routes!(convert))
        .routes(routes!(sync_rates))
}

//! `GET /api/traffic/metrics`: traffic facts summed by period and by any of campaign, source,
//! offer, program, project, country and OS, with the derived metrics and a totals row.

use std::collections::HashMap;

use axum::extract::State;
use chrono::NaiveDate;
use domain::Currency;
use domain::money::round_to_scale;
use domain::traffic_metrics::{Ratios, Totals};
use projections::traffic::{
    Dimension, Granularity, MetricsQuery, MetricsRow, MetricsSort, SortDirection,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::common::Consistency;
use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::state::AppState;

/// Longest period one metrics query may cover.
pub const MAX_METRICS_DAYS: i64 = 3 * 366;
/// Most rows one page lists (the totals always cover every row).
pub const MAX_METRICS_ROWS: i64 = 20_000;
const DEFAULT_METRICS_ROWS: i64 = 1_000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MetricsParams {
    /// First day (inclusive).
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// day (default), week (ISO weeks from Monday), month, or total (one row per group).
    #[param(value_type = Option<String>)]
    pub granularity: Option<Granularity>,
    /// Comma-separated: campaign, source, offer, program, project, country, os.
    pub group_by: Option<String>,
    pub campaign_id: Option<Uuid>,
    pub source_id: Option<Uuid>,
    pub offer_id: Option<Uuid>,
    pub program_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
    /// ios, android, ...
    pub os: Option<String>,
    /// Report currency (default USD); amounts in others are converted with the day's rate.
    pub currency: Option<String>,
    /// period (default: by period, then group), impressions, clicks, installs, conversions,
    /// spend, revenue or profit; `-` first for descending.
    pub sort: Option<String>,
    /// Rows per page (1 to MAX_METRICS_ROWS, default 1000).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Sums and metrics of one row (or of the totals).
#[derive(Debug, Serialize, ToSchema)]
pub struct Figures {
    pub impressions: i64,
    /// Clicks the traffic source counted.
    pub clicks: i64,
    pub installs: i64,
    /// Clicks the tracker counted.
    pub tracker_clicks: i64,
    pub conversions: i64,
    #[schema(value_type = String)]
    pub spend: Decimal,
    #[schema(value_type = String)]
    pub revenue: Decimal,
    #[schema(value_type = String)]
    pub profit: Decimal,
    /// Percent. Null when its denominator is zero (as every ratio below).
    #[schema(value_type = Option<String>)]
    pub ctr: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub cr: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub cpc: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub cpm: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub cpi: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub cpa: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub epc: Option<Decimal>,
    /// Percent.
    #[schema(value_type = Option<String>)]
    pub roi: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub roas: Option<Decimal>,
}

fn figures(t: Totals, currency: Currency) -> Figures {
    let Ratios {
        profit,
        ctr,
        cr,
        cpc,
        cpm,
        cpi,
        cpa,
        epc,
        roi,
        roas,
    } = t.ratios();
    Figures {
        impressions: t.impressions,
        clicks: t.clicks,
        installs: t.installs,
        tracker_clicks: t.tracker_clicks,
        conversions: t.conversions,
        spend: round_to_scale(t.spend, currency),
        revenue: round_to_scale(t.revenue, currency),
        profit: round_to_scale(profit, currency),
        ctr,
        cr,
        cpc,
        cpm,
        cpi,
        cpa,
        epc,
        roi,
        roas,
    }
}

/// One group in one period.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricsRowOut {
    /// First day of the period.
    pub period: Option<NaiveDate>,
    /// The group: dimension name → id (or country/OS), null for rows no campaign claims.
    pub group: HashMap<String, Option<String>>,
    /// Names of the group's entities (dimension → name).
    pub names: HashMap<String, String>,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RateUsedOut {
    pub currency: String,
    /// The facts' day.
    pub day: NaiveDate,
    /// The rate's own date (the latest on or before the day).
    pub rate_date: NaiveDate,
    /// 1 `currency` = `rate` report currency.
    #[schema(value_type = String)]
    pub rate: Decimal,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MetricsOut {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub granularity: String,
    pub currency: String,
    pub group_by: Vec<String>,
    pub rows: Vec<MetricsRowOut>,
    /// Rows over all pages.
    pub total_rows: i64,
    pub limit: i64,
    pub offset: i64,
    /// Over every row, not just this page.
    pub totals: Figures,
    /// Rates used to convert amounts into the report currency.
    pub rates_used: Vec<RateUsedOut>,
}

fn parse_group_by(text: Option<&str>) -> ApiResult<Vec<Dimension>> {
    let mut out = Vec::new();
    for part in text
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let d = Dimension::ALL
            .into_iter()
            .find(|d| d.name() == part)
            .ok_or_else(|| {
                ApiError::invalid(
                    "group_by",
                    format!("`{part}` is not one of campaign, source, offer, program, project, country, os"),
                )
            })?;
        if !out.contains(&d) {
            out.push(d);
        }
    }
    Ok(out)
}

fn parse_sort(text: &str) -> ApiResult<(MetricsSort, SortDirection)> {
    let (name, direction) = match text.strip_prefix('-') {
        Some(rest) => (rest, SortDirection::Descending),
        None => (text, SortDirection::Ascending),
    };
    MetricsSort::NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| (*s, direction))
        .ok_or_else(|| {
            let names: Vec<&str> = MetricsSort::NAMES.iter().map(|(n, _)| *n).collect();
            ApiError::invalid(
                "sort",
                format!(
                    "must be one of {} (with - for descending)",
                    names.join(", ")
                ),
            )
        })
}

fn totals_of(r: &MetricsRow) -> Totals {
    Totals {
        impressions: r.impressions,
        clicks: r.clicks,
        installs: r.installs,
        tracker_clicks: r.tracker_clicks,
        conversions: r.conversions,
        spend: r.spend,
        revenue: r.revenue,
    }
}

#[utoipa::path(get, path = "/api/traffic/metrics", tag = "traffic", params(MetricsParams, Consistency),
    responses((status = 200, body = MetricsOut), (status = 422, body = crate::error::Problem)))]
async fn metrics(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<MetricsParams>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<MetricsOut>> {
    user.require(policy::READ_BOOKS)?;
    if p.to < p.from {
        return Err(ApiError::invalid("to", "must not be before from"));
    }
    if (p.to - p.from).num_days() >= MAX_METRICS_DAYS {
        return Err(ApiError::invalid(
            "to",
            format!("one query covers at most {MAX_METRICS_DAYS} days"),
        ));
    }
    let currency = Currency::parse(p.currency.as_deref().unwrap_or("USD"))?;
    let group_by = parse_group_by(p.group_by.as_deref())?;
    let mut filters = Vec::new();
    for (d, v) in [
        (Dimension::Campaign, p.campaign_id),
        (Dimension::Source, p.source_id),
        (Dimension::Offer, p.offer_id),
        (Dimension::Program, p.program_id),
        (Dimension::Project, p.project_id),
    ] {
        if let Some(id) = v {
            filters.push((d, id.to_string()));
        }
    }
    if let Some(c) = &p.country {
        let c = c.trim().to_ascii_uppercase();
        if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ApiError::invalid(
                "country",
                "must be an ISO 3166 alpha-2 code",
            ));
        }
        filters.push((Dimension::Country, c));
    }
    if let Some(os) = &p.os {
        filters.push((Dimension::Os, os.trim().to_lowercase()));
    }
    let limit = p.limit.unwrap_or(DEFAULT_METRICS_ROWS);
    if !(1..=MAX_METRICS_ROWS).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("must be 1 to {MAX_METRICS_ROWS}"),
        ));
    }
    let offset = p.offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::invalid("offset", "must not be negative"));
    }
    let sort = p.sort.as_deref().map(parse_sort).transpose()?;
    state.wait_for_position(consistency.min_position).await?;
    let granularity = p.granularity.unwrap_or(Granularity::Day);
    let query = MetricsQuery {
        from: p.from,
        to: p.to,
        granularity,
        group_by: group_by.clone(),
        filters,
        currency: currency.code().to_string(),
        sort,
        limit,
        offset,
    };
    let answer = projections::traffic::metrics(&state.pool, &query).await?;

    let names = entity_names(&state, &answer.rows).await?;
    let rows_out = answer
        .rows
        .iter()
        .map(|r| {
            let mut group = HashMap::new();
            let mut row_names = HashMap::new();
            for (d, k) in group_by.iter().zip(&r.keys) {
                group.insert(d.name().to_string(), k.clone());
                if let Some(name) = k.as_ref().and_then(|k| names.get(k)) {
                    row_names.insert(d.name().to_string(), name.clone());
                }
            }
            MetricsRowOut {
                period: r.period,
                group,
                names: row_names,
                figures: figures(totals_of(r), currency),
            }
        })
        .collect();
    Ok(axum::Json(MetricsOut {
        from: p.from,
        to: p.to,
        granularity: format!("{granularity:?}").to_lowercase(),
        currency: currency.code().to_string(),
        group_by: group_by.iter().map(|d| d.name().to_string()).collect(),
        rows: rows_out,
        total_rows: answer.total_rows,
        limit,
        offset,
        totals: figures(totals_of(&answer.totals), currency),
        rates_used: answer
            .rates
            .into_iter()
            .map(|r| RateUsedOut {
                currency: r.currency,
                day: r.day,
                rate_date: r.rate_date,
                rate: r.rate,
            })
            .collect(),
    }))
}

/// Names of the entities the rows' groups name (ids as text → name).
async fn entity_names(state: &AppState, rows: &[MetricsRow]) -> ApiResult<HashMap<String, String>> {
    let mut ids: Vec<Uuid> = rows
        .iter()
        .flat_map(|r| r.keys.iter().flatten())
        .filter_map(|k| k.parse().ok())
        .collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let names = projections::queries::entity_names(&state.pool, ids).await?;
    Ok(names
        .into_iter()
        .map(|(id, n)| (id.to_string(), n))
        .collect())
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(metrics))
}

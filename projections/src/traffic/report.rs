//! The traffic metrics report as the API returns it (`GET /api/traffic/metrics`): the
//! parameters checked ([`MetricsParams::plan`], before the caller waits for its consistency
//! token), the metrics query run, each row's group named, and the ratios computed from the
//! summed numerators and denominators (`domain::traffic_metrics`).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use domain::Currency;
use domain::money::round_to_scale;
use domain::traffic_metrics::{Ratios, Totals};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

use super::metrics::{
    Dimension, Granularity, MetricsQuery, MetricsRow, MetricsSort, RateUsed, SortDirection, metrics,
};
use crate::ReadError;

/// Longest period one metrics query may cover.
pub const MAX_METRICS_DAYS: i64 = 3 * 366;
/// Most rows one page lists (the totals always cover every row).
pub const MAX_METRICS_ROWS: i64 = 20_000;
const DEFAULT_METRICS_ROWS: i64 = 1_000;

#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct MetricsParams {
    /// First day (inclusive).
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// day (default), week (ISO weeks from Monday), month, or total (one row per group).
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>))]
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
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    pub impressions: i64,
    /// Clicks the traffic source counted.
    pub clicks: i64,
    pub installs: i64,
    /// Clicks the tracker counted.
    pub tracker_clicks: i64,
    pub conversions: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub spend: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub revenue: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub profit: Decimal,
    /// Percent. Null when its denominator is zero (as every ratio below).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub ctr: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub cr: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub cpc: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub cpm: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub cpi: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub cpa: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub epc: Option<Decimal>,
    /// Percent.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub roi: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
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
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RateUsedOut {
    pub currency: String,
    /// The facts' day.
    pub day: NaiveDate,
    /// The rate's own date (the latest on or before the day).
    pub rate_date: NaiveDate,
    /// 1 `currency` = `rate` report currency.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub rate: Decimal,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// A metrics report whose parameters passed their checks.
#[derive(Debug, Clone)]
pub struct MetricsPlan {
    query: MetricsQuery,
    currency: Currency,
}

fn parse_group_by(text: Option<&str>) -> Result<Vec<Dimension>, ReadError> {
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
                ReadError::invalid(
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

fn parse_sort(text: &str) -> Result<(MetricsSort, SortDirection), ReadError> {
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
            ReadError::invalid(
                "sort",
                format!(
                    "must be one of {} (with - for descending)",
                    names.join(", ")
                ),
            )
        })
}

impl MetricsParams {
    /// Checks the parameters (before the caller waits for its consistency token), in the
    /// order a person fixing a request reads them: the period, the currency, the grouping,
    /// the filters, then paging and order.
    pub fn plan(&self) -> Result<MetricsPlan, ReadError> {
        self.check_period()?;
        let currency = Currency::parse(self.currency.as_deref().unwrap_or("USD"))?;
        let group_by = parse_group_by(self.group_by.as_deref())?;
        let filters = self.filters()?;
        let (limit, offset) = self.page()?;
        let sort = self.sort.as_deref().map(parse_sort).transpose()?;
        Ok(MetricsPlan {
            query: MetricsQuery {
                from: self.from,
                to: self.to,
                granularity: self.granularity.unwrap_or(Granularity::Day),
                group_by,
                filters,
                currency: currency.code().to_string(),
                sort,
                limit,
                offset,
            },
            currency,
        })
    }

    fn check_period(&self) -> Result<(), ReadError> {
        if self.to < self.from {
            return Err(ReadError::invalid("to", "must not be before from"));
        }
        if (self.to - self.from).num_days() >= MAX_METRICS_DAYS {
            return Err(ReadError::invalid(
                "to",
                format!("one query covers at most {MAX_METRICS_DAYS} days"),
            ));
        }
        Ok(())
    }

    /// The exact-match filters: ids as text, the country in upper case, the OS in lower.
    fn filters(&self) -> Result<Vec<(Dimension, String)>, ReadError> {
        let mut filters = Vec::new();
        for (d, v) in [
            (Dimension::Campaign, self.campaign_id),
            (Dimension::Source, self.source_id),
            (Dimension::Offer, self.offer_id),
            (Dimension::Program, self.program_id),
            (Dimension::Project, self.project_id),
        ] {
            if let Some(id) = v {
                filters.push((d, id.to_string()));
            }
        }
        if let Some(c) = &self.country {
            let c = c.trim().to_ascii_uppercase();
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(ReadError::invalid(
                    "country",
                    "must be an ISO 3166 alpha-2 code",
                ));
            }
            filters.push((Dimension::Country, c));
        }
        if let Some(os) = &self.os {
            filters.push((Dimension::Os, os.trim().to_lowercase()));
        }
        Ok(filters)
    }

    /// (limit, offset).
    fn page(&self) -> Result<(i64, i64), ReadError> {
        let limit = self.limit.unwrap_or(DEFAULT_METRICS_ROWS);
        if !(1..=MAX_METRICS_ROWS).contains(&limit) {
            return Err(ReadError::invalid(
                "limit",
                format!("must be 1 to {MAX_METRICS_ROWS}"),
            ));
        }
        let offset = self.offset.unwrap_or(0);
        if offset < 0 {
            return Err(ReadError::invalid("offset", "must not be negative"));
        }
        Ok((limit, offset))
    }
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

/// Answers a checked metrics report: the page of rows with their groups named, the totals
/// and the rates used.
pub async fn report(pool: &PgPool, plan: &MetricsPlan) -> Result<MetricsOut, ReadError> {
    let (q, currency) = (&plan.query, plan.currency);
    let answer = metrics(pool, q).await?;
    let names = entity_names(pool, &answer.rows).await?;
    let rows = answer
        .rows
        .iter()
        .map(|r| row_out(&q.group_by, r, &names, currency))
        .collect();
    Ok(MetricsOut {
        from: q.from,
        to: q.to,
        granularity: format!("{:?}", q.granularity).to_lowercase(),
        currency: currency.code().to_string(),
        group_by: q.group_by.iter().map(|d| d.name().to_string()).collect(),
        rows,
        total_rows: answer.total_rows,
        limit: q.limit,
        offset: q.offset,
        totals: figures(totals_of(&answer.totals), currency),
        rates_used: answer.rates.into_iter().map(rate_out).collect(),
    })
}

/// One row with its group spelled out per dimension and the names of what it names.
fn row_out(
    group_by: &[Dimension],
    r: &MetricsRow,
    names: &HashMap<String, String>,
    currency: Currency,
) -> MetricsRowOut {
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
}

fn rate_out(r: RateUsed) -> RateUsedOut {
    RateUsedOut {
        currency: r.currency,
        day: r.day,
        rate_date: r.rate_date,
        rate: r.rate,
    }
}

/// Names of the entities the rows' groups name (ids as text → name).
async fn entity_names(
    pool: &PgPool,
    rows: &[MetricsRow],
) -> Result<HashMap<String, String>, ReadError> {
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
    let names: BTreeMap<Uuid, String> = crate::queries::entity_names(pool, ids).await?;
    Ok(names
        .into_iter()
        .map(|(id, n)| (id.to_string(), n))
        .collect())
}

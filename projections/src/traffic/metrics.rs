//! The metrics query: traffic sums by period and any of campaign, source, offer, program,
//! project, country and OS, converted into one currency per day, from the rollups (or the
//! facts, for country and OS).

use chrono::{Datelike, NaiveDate};

use super::keys::CAMPAIGN_KEYS_CTE;
use super::schema::NIL;
use crate::ReadError;

/// Dimensions metrics can be grouped and filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Campaign,
    Source,
    Offer,
    Program,
    Project,
    Country,
    Os,
}

impl Dimension {
    pub const ALL: [Dimension; 7] = [
        Dimension::Campaign,
        Dimension::Source,
        Dimension::Offer,
        Dimension::Program,
        Dimension::Project,
        Dimension::Country,
        Dimension::Os,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Dimension::Campaign => "campaign",
            Dimension::Source => "source",
            Dimension::Offer => "offer",
            Dimension::Program => "program",
            Dimension::Project => "project",
            Dimension::Country => "country",
            Dimension::Os => "os",
        }
    }

    /// The SQL expression of the dimension over the joined rows (see [`metrics`]).
    fn sql(self) -> &'static str {
        match self {
            Dimension::Campaign => "d.campaign_id::text",
            Dimension::Source => {
                "coalesce(d.campaign_source, nullif(b.source_id, '00000000-0000-0000-0000-000000000000'))::text"
            }
            Dimension::Offer => "d.offer_id::text",
            Dimension::Program => "d.program_id::text",
            Dimension::Project => "d.project_id::text",
            Dimension::Country => "b.country",
            Dimension::Os => "b.os",
        }
    }

    /// Whether only the facts table (not the rollups) knows this dimension.
    fn needs_facts(self) -> bool {
        matches!(self, Dimension::Country | Dimension::Os)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Day,
    Week,
    Month,
    /// One period: the whole range (its period is the first day).
    Total,
}

/// A metrics question.
#[derive(Debug, Clone)]
pub struct MetricsQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub granularity: Granularity,
    pub group_by: Vec<Dimension>,
    /// Exact-match filters: (dimension, value) — ids as text, countries as alpha-2, OS lower case.
    pub filters: Vec<(Dimension, String)>,
    pub currency: String,
    /// Row order: by period and group (None), or by a figure.
    pub sort: Option<(MetricsSort, SortDirection)>,
    pub limit: i64,
    pub offset: i64,
}

impl MetricsQuery {
    /// Whether the range is whole calendar months, which the monthly rollups can answer.
    fn whole_months(&self) -> bool {
        self.from.day() == 1 && (self.to + chrono::Days::new(1)).day() == 1
    }
}

/// Figures rows can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsSort {
    Period,
    Impressions,
    Clicks,
    Installs,
    Conversions,
    Spend,
    Revenue,
    Profit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDirection {
    Ascending,
    Descending,
}

impl MetricsSort {
    pub const NAMES: [(&'static str, MetricsSort); 8] = [
        ("period", MetricsSort::Period),
        ("impressions", MetricsSort::Impressions),
        ("clicks", MetricsSort::Clicks),
        ("installs", MetricsSort::Installs),
        ("conversions", MetricsSort::Conversions),
        ("spend", MetricsSort::Spend),
        ("revenue", MetricsSort::Revenue),
        ("profit", MetricsSort::Profit),
    ];

    fn sql(self) -> &'static str {
        match self {
            MetricsSort::Period => "period",
            MetricsSort::Impressions => "impressions",
            MetricsSort::Clicks => "clicks",
            MetricsSort::Installs => "installs",
            MetricsSort::Conversions => "conversions",
            MetricsSort::Spend => "spend",
            MetricsSort::Revenue => "revenue",
            MetricsSort::Profit => "revenue - spend",
        }
    }
}

/// One page of a metrics answer, with the totals over every row.
#[derive(Debug, Clone, Default)]
pub struct MetricsAnswer {
    pub rows: Vec<MetricsRow>,
    /// Rows over all pages.
    pub total_rows: i64,
    pub totals: MetricsRow,
    pub rates: Vec<RateUsed>,
}

/// Summed facts of one period and group, money converted to the report currency.
#[derive(Debug, Clone, Default)]
pub struct MetricsRow {
    pub period: Option<NaiveDate>,
    /// The group's value per dimension of `group_by`, in order (None: not known, e.g. rows of a
    /// key no campaign claims).
    pub keys: Vec<Option<String>>,
    pub impressions: i64,
    pub clicks: i64,
    pub installs: i64,
    pub tracker_clicks: i64,
    pub conversions: i64,
    pub spend: rust_decimal::Decimal,
    pub revenue: rust_decimal::Decimal,
}

/// A rate a metrics answer used: 1 `currency` = `rate` report currency on `date` (the rate's
/// own date, the latest on or before the facts' day).
#[derive(Debug, Clone)]
pub struct RateUsed {
    pub currency: String,
    pub day: NaiveDate,
    pub rate_date: NaiveDate,
    pub rate: rust_decimal::Decimal,
}

/// Campaign dimensions of every report key, resolved once per query (a few thousand rows).
const DIMS_CTE: &str = "dims AS MATERIALIZED ( \
    SELECT k.source_id, k.key, k.campaign_id, (c.data->>'source_id')::uuid AS campaign_source, \
           (c.data->>'offer_id')::uuid AS offer_id, (o.data->>'program_id')::uuid AS program_id, \
           (c.data->>'project_id')::uuid AS project_id \
    FROM campaign_keys k \
    JOIN read.entities c ON c.entity_type = 'campaign' AND c.id = k.campaign_id \
    LEFT JOIN read.entities o ON o.entity_type = 'offer' AND o.id = (c.data->>'offer_id')::uuid)";

/// The totals row of a metrics answer, over rows with the metric columns (`n_rows` counts them).
const TOTALS: &str = "count(*) AS n_rows, sum(impressions)::bigint AS t_impressions, \
    sum(clicks)::bigint AS t_clicks, sum(installs)::bigint AS t_installs, \
    sum(tracker_clicks)::bigint AS t_tracker_clicks, sum(conversions)::bigint AS t_conversions, \
    sum(spend) AS t_spend, sum(revenue) AS t_revenue";

/// SQL over the dims row `d` for a filter on a campaign dimension (parameter `$n`).
fn dims_condition(d: Dimension, n: usize) -> Option<String> {
    let column = match d {
        Dimension::Campaign => "campaign_id",
        Dimension::Offer => "offer_id",
        Dimension::Program => "program_id",
        Dimension::Project => "project_id",
        Dimension::Source | Dimension::Country | Dimension::Os => return None,
    };
    Some(format!("{column}::text = ${n}"))
}

/// Conditions that narrow a rollup's rows to the filters, before any join: spend rows are
/// found by their source directly, tracker rows through the keys of the matching campaigns.
/// `source` and `key` are the scanned rows' source and campaign-key expressions.
fn pushdown(q: &MetricsQuery, first_param: usize, source: &str, key: &str) -> String {
    let mut out = String::new();
    let mut dims_conds = Vec::new();
    for (i, (d, _)) in q.filters.iter().enumerate() {
        let n = first_param + i;
        if *d == Dimension::Source {
            out.push_str(&format!(
                " AND ({source}::text = ${n} OR ({source} = {NIL} AND {key} IN \
                   (SELECT key FROM dims WHERE source_id = {NIL} AND campaign_source::text = ${n})))"
            ));
        } else if let Some(c) = dims_condition(*d, n) {
            dims_conds.push(c);
        }
    }
    if !dims_conds.is_empty() {
        out.push_str(&format!(
            " AND ({source}, {key}) IN (SELECT source_id, key FROM dims WHERE {})",
            dims_conds.join(" AND ")
        ));
    }
    out
}

const ROLLUP_COLUMNS: &str = "source_id, campaign_key, currency, NULL::text AS country, NULL::text AS os, \
    impressions, clicks, installs, tracker_clicks, conversions, spend, revenue";

/// The base rows: from the facts table when country or OS matter; from the per-source daily
/// rollup (spend) and the tracker rows of the source's campaigns when only sources matter;
/// else from the campaign rollups (the monthly one when whole months are asked for by month
/// and no amount needs converting: rates apply per day).
fn base_sql(q: &MetricsQuery, monthly_allowed: bool, first_filter_param: usize) -> String {
    let dims_used = q.group_by.iter().chain(q.filters.iter().map(|(d, _)| d));
    let by_facts = dims_used.clone().any(|d| d.needs_facts());
    let only_sources = dims_used.clone().all(|d| *d == Dimension::Source);
    let pushed = pushdown(q, first_filter_param, "source_id", "campaign_key");
    if by_facts {
        // The facts have no source column: it comes from the import that holds the day.
        let pushed = pushdown(q, first_filter_param, "e.source_id", "f.campaign_key");
        format!(
            "SELECT f.date AS day, e.source_id, f.campaign_key, f.currency, f.country, f.os, \
                    f.impressions, f.clicks, f.installs, f.tracker_clicks, f.conversions, f.spend, f.revenue \
             FROM traffic_facts f \
             JOIN read.traffic_effective e ON e.import_id = f.import_id AND e.date = f.date \
             WHERE f.date BETWEEN $1 AND $2{pushed}"
        )
    } else if only_sources {
        let spend_filter = q
            .filters
            .iter()
            .enumerate()
            .map(|(i, _)| format!(" AND source_id::text = ${}", first_filter_param + i))
            .collect::<String>();
        format!(
            "SELECT date AS day, source_id, NULL::text AS campaign_key, currency, NULL::text AS country, \
                    NULL::text AS os, impressions, clicks, installs, tracker_clicks, conversions, spend, revenue \
             FROM read.traffic_source_daily WHERE date BETWEEN $1 AND $2{spend_filter} \
             UNION ALL \
             SELECT date AS day, {ROLLUP_COLUMNS} FROM read.traffic_daily \
             WHERE source_id = {NIL} AND date BETWEEN $1 AND $2{pushed}"
        )
    } else if q.granularity == Granularity::Month && q.whole_months() && monthly_allowed {
        format!(
            "SELECT month AS day, {ROLLUP_COLUMNS} FROM read.traffic_monthly \
             WHERE month BETWEEN $1 AND $2{pushed}"
        )
    } else {
        format!(
            "SELECT date AS day, {ROLLUP_COLUMNS} FROM read.traffic_daily \
             WHERE date BETWEEN $1 AND $2{pushed}"
        )
    }
}

/// Answers `q`: one row per period and group (a page of them), the totals and the rates used.
/// Ratios are left to the caller, computed from these sums.
pub async fn metrics(pool: &sqlx::PgPool, q: &MetricsQuery) -> Result<MetricsAnswer, ReadError> {
    let foreign = has_foreign_amounts(pool, q).await?;
    // Parameters: $1 from, $2 to, $3 currency, $4..$6 the rates, then the filters.
    let base = base_sql(q, !foreign, 7);
    let used = if foreign {
        rates_used(pool, q, &base).await?
    } else {
        Vec::new()
    };
    let sql = page_sql(q, foreign, &base);
    let (rows, page_len) = fetch_page(pool, q, &sql, &used).await?;
    Ok(answer_of(q, &rows, page_len, used))
}

/// Whether any amount of the period is in another currency than the report's (most queries
/// need no rate join).
async fn has_foreign_amounts(pool: &sqlx::PgPool, q: &MetricsQuery) -> Result<bool, ReadError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM read.traffic_currencies \
         WHERE month BETWEEN date_trunc('month', $1::date) AND $2 AND currency <> $3)",
    )
    .bind(q.from)
    .bind(q.to)
    .bind(&q.currency)
    .fetch_one(pool)
    .await?)
}

/// The rate of every (currency, day) in the base rows that is not the report currency; a
/// missing one refuses the query.
async fn rates_used(
    pool: &sqlx::PgPool,
    q: &MetricsQuery,
    base: &str,
) -> Result<Vec<RateUsed>, ReadError> {
    let lookup = crate::queries::rate_lookup_sql("p.currency", "$3", "p.day");
    let sql = format!(
        "WITH {CAMPAIGN_KEYS_CTE}, {DIMS_CTE}, b AS ({base}), \
           pairs AS (SELECT DISTINCT currency, day FROM b WHERE currency <> $3) \
         SELECT p.currency, p.day, r.date, r.rate FROM pairs p \
         LEFT JOIN LATERAL ({lookup}) r ON true \
         ORDER BY p.currency, p.day"
    );
    let mut query = sqlx::query_as(&sql)
        .bind(q.from)
        .bind(q.to)
        .bind(&q.currency)
        .bind(None::<Vec<String>>)
        .bind(None::<Vec<NaiveDate>>)
        .bind(None::<Vec<rust_decimal::Decimal>>);
    for (_, v) in &q.filters {
        query = query.bind(v.clone());
    }
    let rates: Vec<(
        String,
        NaiveDate,
        Option<NaiveDate>,
        Option<rust_decimal::Decimal>,
    )> = query.fetch_all(pool).await?;
    let mut used = Vec::with_capacity(rates.len());
    for (currency, day, rate_date, rate) in rates {
        match (rate_date, rate) {
            (Some(rate_date), Some(rate)) => used.push(RateUsed {
                currency,
                day,
                rate_date,
                rate,
            }),
            _ => {
                return Err(ReadError::NoRateOnOrBefore {
                    currency,
                    report: q.currency.clone(),
                    day,
                });
            }
        }
    }
    Ok(used)
}

/// The query of one page of groups with the totals over every group beside each row.
/// Parameters: $1..$3 as in the rate query (the base rows use $1 and $2), $4..$6 the rates,
/// then the filters, then limit and offset.
fn page_sql(q: &MetricsQuery, foreign: bool, base: &str) -> String {
    let bucket = match q.granularity {
        Granularity::Day => "b.day",
        Granularity::Week => "date_trunc('week', b.day)::date",
        Granularity::Month => "date_trunc('month', b.day)::date",
        Granularity::Total => "$1::date",
    };
    let mut select_keys = String::new();
    let mut group = String::from("1");
    for (i, d) in q.group_by.iter().enumerate() {
        select_keys.push_str(&format!(", {} AS k{i}", d.sql()));
        group.push_str(&format!(", {}", i + 2));
    }
    let mut filter = String::from("true");
    for (i, (d, _)) in q.filters.iter().enumerate() {
        filter.push_str(&format!(" AND {} = ${}", d.sql(), i + 7));
    }
    // Without foreign amounts the sums need no rate join.
    let (rate_join, spend, revenue) = if foreign {
        (
            "LEFT JOIN rate ON rate.currency = b.currency AND rate.day = b.day",
            "sum(b.spend * coalesce(rate.rate, 1))",
            "sum(b.revenue * coalesce(rate.rate, 1))",
        )
    } else {
        ("", "sum(b.spend)", "sum(b.revenue)")
    };
    let order = match q.sort {
        None => group.clone(),
        Some((key, dir)) => {
            let dir = match dir {
                SortDirection::Ascending => "ASC",
                SortDirection::Descending => "DESC",
            };
            format!("{} {dir} NULLS LAST, {group}", key.sql())
        }
    };
    let n = q.filters.len();
    // Monthly by campaign over whole months, unfiltered and in one currency: the campaign-month
    // rollup holds exactly these rows, so they need no grouping (a top-N and one aggregate).
    let by_campaign_month = !foreign
        && q.group_by == [Dimension::Campaign]
        && q.filters.is_empty()
        && q.granularity == Granularity::Month
        && q.whole_months();
    // The page is cut before the totals join it (a join above the sort keeps PostgreSQL from
    // sorting only the top rows: it sorted all 120,000 campaign-months), and the totals are
    // computed once (inlined, they were re-aggregated for every row of the page).
    if by_campaign_month {
        format!(
            "WITH t AS MATERIALIZED (SELECT {TOTALS} \
                FROM read.traffic_campaign_monthly WHERE month BETWEEN $1 AND $2), \
             p AS (SELECT c.month AS period, nullif(c.campaign_id, {NIL})::text AS k0, c.impressions, \
                    c.clicks, c.installs, c.tracker_clicks, c.conversions, c.spend, c.revenue \
                FROM read.traffic_campaign_monthly c WHERE c.month BETWEEN $1 AND $2 \
                ORDER BY {order} LIMIT $7 OFFSET $8) \
             SELECT p.*, t.* FROM p CROSS JOIN t ORDER BY {order}"
        )
    } else {
        format!(
            "WITH {CAMPAIGN_KEYS_CTE}, {DIMS_CTE}, b AS ({base}), \
         rate AS (SELECT * FROM UNNEST($4::text[], $5::date[], $6::numeric[]) AS r(currency, day, rate)), \
         g AS ( \
         SELECT {bucket} AS period{select_keys}, \
                sum(b.impressions)::bigint AS impressions, sum(b.clicks)::bigint AS clicks, \
                sum(b.installs)::bigint AS installs, sum(b.tracker_clicks)::bigint AS tracker_clicks, \
                sum(b.conversions)::bigint AS conversions, \
                coalesce({spend}, 0) AS spend, coalesce({revenue}, 0) AS revenue \
         FROM b \
         LEFT JOIN dims d ON d.source_id = b.source_id AND d.key = b.campaign_key \
         {rate_join} \
         WHERE {filter} \
         GROUP BY {group}), \
         t AS MATERIALIZED (SELECT {TOTALS} FROM g), \
         p AS (SELECT * FROM g ORDER BY {order} LIMIT ${} OFFSET ${}) \
         SELECT p.*, t.* FROM p CROSS JOIN t ORDER BY {order}",
            7 + n,
            8 + n
        )
    }
}

/// Runs the page query: the page's rows (and its length), or past the last page one row that
/// still carries the totals.
async fn fetch_page(
    pool: &sqlx::PgPool,
    q: &MetricsQuery,
    sql: &str,
    used: &[RateUsed],
) -> Result<(Vec<sqlx::postgres::PgRow>, usize), ReadError> {
    // Grouping a hundred thousand rows with numeric sums needs ~150 MB of hash table; with the
    // default work_mem it spills to disk.
    // Planned per call: the generic plan of "top campaigns by spend" sorted all 120,000
    // campaign-months (145 ms) where the custom one reads the spend index's first rows.
    let mut tx = crate::queries::report_tx(pool).await?;
    sqlx::query("SET LOCAL work_mem = '256MB'")
        .execute(&mut *tx)
        .await?;
    let fetch = |limit: i64, offset: i64| {
        let mut query = sqlx::query(sql)
            .bind(q.from)
            .bind(q.to)
            .bind(&q.currency)
            .bind(used.iter().map(|r| r.currency.clone()).collect::<Vec<_>>())
            .bind(used.iter().map(|r| r.day).collect::<Vec<_>>())
            .bind(used.iter().map(|r| r.rate).collect::<Vec<_>>());
        for (_, v) in &q.filters {
            query = query.bind(v.clone());
        }
        query.bind(limit).bind(offset)
    };
    let mut rows = fetch(q.limit, q.offset).fetch_all(&mut *tx).await?;
    let page_len = rows.len();
    if rows.is_empty() && q.offset > 0 {
        // Past the last page: the totals still describe every row.
        rows = fetch(1, 0).fetch_all(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok((rows, page_len))
}

/// The answer from the page's rows: the first `page_len` are the page, and each carries the
/// totals.
fn answer_of(
    q: &MetricsQuery,
    rows: &[sqlx::postgres::PgRow],
    page_len: usize,
    used: Vec<RateUsed>,
) -> MetricsAnswer {
    use sqlx::Row;
    let mut answer = MetricsAnswer {
        rates: used,
        ..Default::default()
    };
    if let Some(first) = rows.first() {
        answer.total_rows = first.get("n_rows");
        answer.totals = MetricsRow {
            period: None,
            keys: Vec::new(),
            impressions: first.get("t_impressions"),
            clicks: first.get("t_clicks"),
            installs: first.get("t_installs"),
            tracker_clicks: first.get("t_tracker_clicks"),
            conversions: first.get("t_conversions"),
            spend: first.get("t_spend"),
            revenue: first.get("t_revenue"),
        };
    }
    answer.rows = rows
        .iter()
        .take(page_len)
        .map(|r| MetricsRow {
            period: r.get("period"),
            keys: (0..q.group_by.len())
                .map(|i| r.get::<Option<String>, _>(format!("k{i}").as_str()))
                .collect(),
            impressions: r.get("impressions"),
            clicks: r.get("clicks"),
            installs: r.get("installs"),
            tracker_clicks: r.get("tracker_clicks"),
            conversions: r.get("conversions"),
            spend: r.get("spend"),
            revenue: r.get("revenue"),
        })
        .collect();
    answer
}

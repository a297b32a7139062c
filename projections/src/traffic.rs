//! Traffic read models: which import holds each day of each scope, and the daily and monthly
//! rollups per campaign key that metric queries read. Built from the append-only facts table
//! when the projector meets an applied import.

use chrono::{Datelike, Months, NaiveDate};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{ProjectionError, ReadError};

const SUMS: &str = "sum(impressions)::bigint, sum(clicks)::bigint, sum(installs)::bigint, \
     sum(tracker_clicks)::bigint, sum(conversions)::bigint, sum(spend), sum(revenue)";

/// An applied import, as the rollups need it.
pub struct AppliedImport<'a> {
    pub id: Uuid,
    /// What it restates (see `domain::traffic_import::scope`).
    pub scope: &'a str,
    /// The spend report's source (nil for trackers).
    pub source_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The facts of the import `import_id` (an SQL expression) summed per day, campaign key and
/// currency: what an import writes as its day sums.
fn facts_days_sql(import_id: &str) -> String {
    format!(
        "SELECT date, campaign_key, currency, sum(impressions)::bigint AS impressions, \
           sum(clicks)::bigint AS clicks, sum(installs)::bigint AS installs, \
           sum(tracker_clicks)::bigint AS tracker_clicks, sum(conversions)::bigint AS conversions, \
           sum(spend) AS spend, sum(revenue) AS revenue, count(*) AS rows \
         FROM traffic_facts WHERE import_id = {import_id} GROUP BY date, campaign_key, currency"
    )
}

/// Writes the day sums of import `import_id` from its facts, in the caller's transaction: for a
/// file with too many (day, key, currency) groups to sum while parsing. Every applied import
/// has its day sums; the daily rollup is a view over them.
pub async fn sum_import_days(conn: &mut PgConnection, import_id: Uuid) -> Result<u64, sqlx::Error> {
    sqlx::query("SET LOCAL work_mem = '256MB'")
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query(&format!(
        "INSERT INTO traffic_import_days (import_id, date, campaign_key, currency, impressions, \
           clicks, installs, tracker_clicks, conversions, spend, revenue, rows) \
         SELECT $1, d.* FROM ({days}) d",
        days = facts_days_sql("$1")
    ))
    .bind(import_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// Makes the import the holder of its scope's days `from..=to` and rebuilds the rollups of
/// those days (and of their months) from its rows.
pub async fn apply_import(
    conn: &mut PgConnection,
    schema: &str,
    import: &AppliedImport<'_>,
) -> Result<(), ProjectionError> {
    let AppliedImport {
        id,
        scope,
        source_id,
        from,
        to,
    } = *import;
    assert!(from <= to, "an applied import covers at least one day");
    // A million-row import groups into a few hundred thousand days × keys: with the default
    // work_mem the hash aggregate spills to disk.
    sqlx::query("SET work_mem = '256MB'")
        .execute(&mut *conn)
        .await?;
    sqlx::query(&format!(
        "INSERT INTO {schema}.traffic_effective (scope, date, import_id, source_id) \
         SELECT $1, d::date, $2, $5 FROM generate_series($3::date, $4::date, interval '1 day') d \
         ON CONFLICT (scope, date) DO UPDATE SET import_id = excluded.import_id"
    ))
    .bind(scope)
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(source_id)
    .execute(&mut *conn)
    .await?;
    // The months the days touch, recomputed whole from the daily rollup.
    let first = from.with_day(1).expect("day 1 exists");
    let after = to.with_day(1).expect("day 1 exists") + Months::new(1);
    sqlx::query(&format!(
        "DELETE FROM {schema}.traffic_monthly WHERE scope = $1 AND month >= $2 AND month < $3"
    ))
    .bind(scope)
    .bind(first)
    .bind(after)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO {schema}.traffic_monthly (scope, month, campaign_key, currency, source_id, \
           impressions, clicks, installs, tracker_clicks, conversions, spend, revenue, rows) \
         SELECT scope, date_trunc('month', date)::date, campaign_key, currency, source_id, {SUMS}, sum(rows)::bigint \
         FROM {schema}.traffic_daily WHERE scope = $1 AND date >= $2 AND date < $3 \
         GROUP BY scope, date_trunc('month', date), campaign_key, currency, source_id"
    ))
    .bind(scope)
    .bind(first)
    .bind(after)
    .execute(&mut *conn)
    .await?;
    if scope.starts_with("source:") {
        sqlx::query(&format!(
            "DELETE FROM {schema}.traffic_source_daily WHERE source_id = $1 AND date BETWEEN $2 AND $3"
        ))
        .bind(source_id)
        .bind(from)
        .bind(to)
        .execute(&mut *conn)
        .await?;
        sqlx::query(&format!(
            "INSERT INTO {schema}.traffic_source_daily (source_id, date, currency, impressions, clicks, \
               installs, tracker_clicks, conversions, spend, revenue) \
             SELECT source_id, date, currency, {SUMS} FROM {schema}.traffic_daily \
             WHERE scope = $1 AND date BETWEEN $2 AND $3 GROUP BY source_id, date, currency"
        ))
        .bind(scope)
        .bind(from)
        .bind(to)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(&format!(
        "INSERT INTO {schema}.traffic_currencies (month, currency) \
         SELECT DISTINCT month, currency FROM {schema}.traffic_monthly \
         WHERE scope = $1 AND month >= $2 AND month < $3 ON CONFLICT DO NOTHING"
    ))
    .bind(scope)
    .bind(first)
    .bind(after)
    .execute(&mut *conn)
    .await?;
    let months: Vec<NaiveDate> = std::iter::successors(Some(first), |m| {
        Some(*m + Months::new(1)).filter(|next| *next < after)
    })
    .collect();
    recompute_campaign_months(conn, schema, &months).await?;
    sqlx::query("RESET work_mem").execute(&mut *conn).await?;
    Ok(())
}

/// Compares the stored per-day sums of every import that has them with its facts summed
/// afresh: `(stored rows, summed rows, rows that differ)`. The sums are written by the import
/// beside its facts; this is what makes them as trustworthy as the facts.
pub async fn check_import_days(conn: &mut PgConnection) -> Result<(i64, i64, i64), sqlx::Error> {
    sqlx::query("SET work_mem = '256MB'")
        .execute(&mut *conn)
        .await?;
    let counts = sqlx::query_as(&format!(
        "WITH stored AS (SELECT * FROM traffic_import_days), \
         summed AS ( \
           SELECT import_id, d.* FROM (SELECT DISTINCT import_id FROM traffic_import_days) i, \
             LATERAL ({days}) d), \
         differ AS ((SELECT * FROM stored EXCEPT ALL SELECT * FROM summed) \
           UNION ALL (SELECT * FROM summed EXCEPT ALL SELECT * FROM stored)) \
         SELECT (SELECT count(*) FROM stored), (SELECT count(*) FROM summed), (SELECT count(*) FROM differ)",
        days = facts_days_sql("i.import_id")
    ))
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("RESET work_mem").execute(&mut *conn).await?;
    Ok(counts)
}

/// Applies a conversion log: each conversion's latest row (the log's last line for it) becomes
/// its current status; a changed status is counted.
pub async fn apply_conversions(
    conn: &mut PgConnection,
    schema: &str,
    id: Uuid,
    tracker: &str,
) -> Result<(), ProjectionError> {
    sqlx::query(&format!(
        "INSERT INTO {schema}.conversions AS c (tracker, conversion_id, click_id, campaign_key, offer, \
           status, original_status, payout, currency, converted_at, country, import_id, status_changes) \
         SELECT DISTINCT ON (conversion_id) $2, conversion_id, click_id, campaign_key, offer, status, \
                original_status, payout, currency, converted_at, country, import_id, 0 \
         FROM traffic_conversions WHERE import_id = $1 ORDER BY conversion_id, line DESC \
         ON CONFLICT (tracker, conversion_id) DO UPDATE SET \
           click_id = excluded.click_id, campaign_key = excluded.campaign_key, offer = excluded.offer, \
           status = excluded.status, original_status = excluded.original_status, \
           payout = excluded.payout, currency = excluded.currency, converted_at = excluded.converted_at, \
           country = excluded.country, import_id = excluded.import_id, \
           status_changes = c.status_changes + (c.status <> excluded.status)::int"
    ))
    .bind(id)
    .bind(tracker)
    .execute(conn)
    .await?;
    Ok(())
}

/// Which campaign each report key leads to: `(source_id, key)` for a source's spend reports,
/// `(nil, key)` for tracker reports. If two campaigns ever claimed one key (validation refuses
/// it, but the read side may lag), the older campaign wins, so no row counts twice.
pub const CAMPAIGN_KEYS_CTE: &str = "campaign_keys AS ( \
    SELECT DISTINCT ON (source_id, key) source_id, key, campaign_id FROM read.campaign_keys \
    ORDER BY source_id, key, created_at, campaign_id)";

/// [`CAMPAIGN_KEYS_CTE`] over the entities of read schema `schema` (a rebuild's, say).
fn campaign_keys_cte(schema: &str) -> String {
    CAMPAIGN_KEYS_CTE.replace("read.campaign_keys", &format!("{schema}.campaign_keys"))
}

/// Rebuilds the campaign-month rollup for `months` from the monthly rollup and the current
/// mapping of report keys to campaigns (rows no campaign claims go to the nil campaign).
pub async fn recompute_campaign_months(
    conn: &mut PgConnection,
    schema: &str,
    months: &[NaiveDate],
) -> Result<(), ProjectionError> {
    if months.is_empty() {
        return Ok(());
    }
    sqlx::query(&format!(
        "DELETE FROM {schema}.traffic_campaign_monthly WHERE month = ANY($1)"
    ))
    .bind(months)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "WITH {keys} \
         INSERT INTO {schema}.traffic_campaign_monthly (month, campaign_id, currency, impressions, clicks, \
           installs, tracker_clicks, conversions, spend, revenue) \
         SELECT m.month, coalesce(k.campaign_id, {NIL}), m.currency, {SUMS} \
         FROM {schema}.traffic_monthly m \
         LEFT JOIN campaign_keys k ON k.source_id = m.source_id AND k.key = m.campaign_key \
         WHERE m.month = ANY($1) GROUP BY 1, 2, 3",
        keys = campaign_keys_cte(schema)
    ))
    .bind(months)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Keeps the key table of campaign `id` in step with its entity row (just written).
pub async fn store_campaign_keys(
    conn: &mut PgConnection,
    schema: &str,
    id: Uuid,
) -> Result<(), ProjectionError> {
    sqlx::query(&format!(
        "DELETE FROM {schema}.campaign_keys WHERE campaign_id = $1"
    ))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO {schema}.campaign_keys (source_id, key, campaign_id, created_at) \
         SELECT (data->>'source_id')::uuid, k, id, created_at \
           FROM {schema}.entities, jsonb_array_elements_text(data->'source_keys') k \
           WHERE entity_type = 'campaign' AND id = $1 \
         UNION ALL \
         SELECT {NIL}, k, id, created_at \
           FROM {schema}.entities, jsonb_array_elements_text(data->'tracker_keys') k \
           WHERE entity_type = 'campaign' AND id = $1 \
         ON CONFLICT DO NOTHING"
    ))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A campaign's report keys as `(source_id, key)`: its source keys under its source, its tracker
/// keys under the nil source.
pub fn campaign_report_keys(data: &serde_json::Value) -> Vec<(Uuid, String)> {
    let source: Uuid = data
        .get("source_id")
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
        .unwrap_or_default();
    let list = |field: &str| -> Vec<String> {
        data.get(field)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut keys: Vec<(Uuid, String)> = list("source_keys")
        .into_iter()
        .map(|k| (source, k))
        .collect();
    keys.extend(list("tracker_keys").into_iter().map(|k| (Uuid::nil(), k)));
    keys
}

/// After a campaign's report keys changed: rebuilds the campaign-month rollup of every month
/// that has rows under any of `keys` (`(source_id, key)`, nil source for tracker keys).
pub async fn remap_keys(
    conn: &mut PgConnection,
    schema: &str,
    keys: &[(Uuid, String)],
) -> Result<(), ProjectionError> {
    if keys.is_empty() {
        return Ok(());
    }
    let (sources, names): (Vec<Uuid>, Vec<String>) = keys.iter().cloned().unzip();
    let months: Vec<NaiveDate> = sqlx::query_scalar(&format!(
        "SELECT DISTINCT month FROM {schema}.traffic_monthly \
         WHERE (source_id, campaign_key) IN (SELECT * FROM UNNEST($1::uuid[], $2::text[])) ORDER BY 1"
    ))
    .bind(sources)
    .bind(names)
    .fetch_all(&mut *conn)
    .await?;
    recompute_campaign_months(conn, schema, &months).await
}

/// Report rows of one campaign key that no campaign claims.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Unmatched {
    pub side: String,
    pub source_id: Option<Uuid>,
    pub campaign_key: String,
    pub campaign_name: Option<String>,
    pub rows: i64,
    pub first_date: NaiveDate,
    pub last_date: NaiveDate,
    pub spend: rust_decimal::Decimal,
    pub revenue: rust_decimal::Decimal,
}

/// Most unmatched keys listed at once (the biggest first).
pub const MAX_UNMATCHED: i64 = 1000;

/// Keys without a campaign: in one import's rows, or (None) in every day's effective facts.
pub async fn unmatched(
    pool: &sqlx::PgPool,
    import_id: Option<Uuid>,
) -> Result<Vec<Unmatched>, sqlx::Error> {
    let sql = match import_id {
        Some(_) => format!(
            "WITH {CAMPAIGN_KEYS_CTE}, rows AS ( \
               SELECT CASE WHEN i.kind = 'spend' THEN i.source_id \
                           ELSE '00000000-0000-0000-0000-000000000000'::uuid END AS source_id, \
                      i.kind AS side, f.* \
               FROM traffic_facts f JOIN traffic_imports i ON i.id = f.import_id \
               WHERE f.import_id = $1) \
             SELECT side, nullif(source_id, '00000000-0000-0000-0000-000000000000') AS source_id, \
                    campaign_key, min(campaign_name) AS campaign_name, count(*) AS rows, \
                    min(date) AS first_date, max(date) AS last_date, sum(spend) AS spend, sum(revenue) AS revenue \
             FROM rows r WHERE NOT EXISTS (SELECT 1 FROM campaign_keys k \
                 WHERE k.source_id = r.source_id AND k.key = r.campaign_key) \
             GROUP BY side, source_id, campaign_key ORDER BY count(*) DESC, campaign_key LIMIT {MAX_UNMATCHED}"
        ),
        None => format!(
            "WITH {CAMPAIGN_KEYS_CTE} \
             SELECT CASE WHEN d.scope LIKE 'source:%' THEN 'spend' ELSE 'results' END AS side, \
                    nullif(d.source_id, '00000000-0000-0000-0000-000000000000') AS source_id, \
                    d.campaign_key, NULL::text AS campaign_name, sum(d.rows)::bigint AS rows, \
                    min(d.date) AS first_date, max(d.date) AS last_date, sum(d.spend) AS spend, sum(d.revenue) AS revenue \
             FROM read.traffic_daily d WHERE ($1::uuid IS NULL) AND NOT EXISTS (SELECT 1 FROM campaign_keys k \
                 WHERE k.source_id = d.source_id AND k.key = d.campaign_key) \
             GROUP BY 1, 2, 3 ORDER BY sum(d.rows) DESC, d.campaign_key LIMIT {MAX_UNMATCHED}"
        ),
    };
    sqlx::query_as::<_, Unmatched>(&sql)
        .bind(import_id)
        .fetch_all(pool)
        .await
}

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

const NIL: &str = "'00000000-0000-0000-0000-000000000000'::uuid";

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
    let foreign: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM read.traffic_currencies \
         WHERE month BETWEEN date_trunc('month', $1::date) AND $2 AND currency <> $3)",
    )
    .bind(q.from)
    .bind(q.to)
    .bind(&q.currency)
    .fetch_one(pool)
    .await?;
    // Parameters: $1 from, $2 to, $3 currency, $4..$6 the rates, then the filters.
    let base = base_sql(q, !foreign, 7);
    let mut used = Vec::new();
    if foreign {
        // Rates for every (currency, day) in the base rows that is not the report currency.
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
        let rates: Vec<(
            String,
            NaiveDate,
            Option<NaiveDate>,
            Option<rust_decimal::Decimal>,
        )> = {
            for (_, v) in &q.filters {
                query = query.bind(v.clone());
            }
            query.fetch_all(pool).await?
        };
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
    }

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
    let sql = if by_campaign_month {
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
    };
    // $1..$3 as in the rate query (the base rows use $1 and $2), $4..$6 the rates, then the
    // filters, then limit and offset.
    // Grouping a hundred thousand rows with numeric sums needs ~150 MB of hash table; with the
    // default work_mem it spills to disk.
    // Planned per call: the generic plan of "top campaigns by spend" sorted all 120,000
    // campaign-months (145 ms) where the custom one reads the spend index's first rows.
    let mut tx = crate::queries::report_tx(pool).await?;
    sqlx::query("SET LOCAL work_mem = '256MB'")
        .execute(&mut *tx)
        .await?;
    let fetch = |limit: i64, offset: i64| {
        let mut query = sqlx::query(&sql)
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
    Ok(answer)
}

/// Which of `keys` other campaigns than `id` already claim in their `field` (`source_keys`
/// or `tracker_keys`); with `same_source`, only campaigns of `source_id` count. Read from
/// `read.entities`, which may lag the log (see docs/architecture.md, known limits).
pub async fn taken_campaign_keys(
    conn: &mut PgConnection,
    id: Uuid,
    field: &str,
    keys: &[String],
    same_source: bool,
    source_id: Uuid,
) -> Result<Vec<String>, ReadError> {
    Ok(sqlx::query_scalar::<_, String>(
        "SELECT DISTINCT k FROM read.entities, jsonb_array_elements_text(data->$5) k \
         WHERE entity_type = 'campaign' AND id <> $1 AND k = ANY($2) \
           AND (NOT $3 OR data->>'source_id' = $4)",
    )
    .bind(id)
    .bind(keys)
    .bind(same_source)
    .bind(source_id.to_string())
    .bind(field)
    .fetch_all(conn)
    .await?)
}

//! Traffic read models: which import holds each day of each scope, and the daily and monthly
//! rollups per campaign key that metric queries read. Built from the append-only facts table
//! when the projector meets an applied import.

use chrono::{Datelike, Months, NaiveDate};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::ProjectionError;

const SUMS: &str = "sum(impressions)::bigint, sum(clicks)::bigint, sum(installs)::bigint, \
     sum(tracker_clicks)::bigint, sum(conversions)::bigint, sum(spend), sum(revenue)";

/// Makes import `id` the holder of `scope`'s days `from..=to` and rebuilds the rollups of
/// those days (and of their months) from its facts.
pub async fn apply_import(
    conn: &mut PgConnection,
    schema: &str,
    id: Uuid,
    scope: &str,
    source_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(), ProjectionError> {
    assert!(from <= to, "an applied import covers at least one day");
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
    sqlx::query(&format!(
        "DELETE FROM {schema}.traffic_daily WHERE scope = $1 AND date BETWEEN $2 AND $3"
    ))
    .bind(scope)
    .bind(from)
    .bind(to)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO {schema}.traffic_daily (scope, date, campaign_key, currency, source_id, import_id, \
           impressions, clicks, installs, tracker_clicks, conversions, spend, revenue, rows) \
         SELECT $1, date, campaign_key, currency, $2, $3, {SUMS}, count(*) \
         FROM traffic_facts WHERE import_id = $3 \
         GROUP BY date, campaign_key, currency"
    ))
    .bind(scope)
    .bind(source_id)
    .bind(id)
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
    Ok(())
}

/// Which campaign each report key leads to: `(source_id, key)` for a source's spend reports,
/// `(nil, key)` for tracker reports. If two campaigns ever claimed one key (validation refuses
/// it, but the read side may lag), the older campaign wins, so no row counts twice.
pub const CAMPAIGN_KEYS_CTE: &str = "campaign_keys AS ( \
    SELECT DISTINCT ON (source_id, key) source_id, key, campaign_id FROM ( \
      SELECT (data->>'source_id')::uuid AS source_id, k AS key, id AS campaign_id, created_at \
        FROM read.entities, jsonb_array_elements_text(data->'source_keys') k \
        WHERE entity_type = 'campaign' \
      UNION ALL \
      SELECT '00000000-0000-0000-0000-000000000000'::uuid, k, id, created_at \
        FROM read.entities, jsonb_array_elements_text(data->'tracker_keys') k \
        WHERE entity_type = 'campaign' \
    ) x ORDER BY source_id, key, created_at, campaign_id)";

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

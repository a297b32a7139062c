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
        "INSERT INTO {schema}.traffic_effective (scope, date, import_id) \
         SELECT $1, d::date, $2 FROM generate_series($3::date, $4::date, interval '1 day') d \
         ON CONFLICT (scope, date) DO UPDATE SET import_id = excluded.import_id"
    ))
    .bind(scope)
    .bind(id)
    .bind(from)
    .bind(to)
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

//! How applied imports and campaign changes apply to the traffic tables: an import becomes the
//! holder of its scope's days and the rollups of those days and months are rebuilt from its
//! rows; a conversion log updates each conversion's latest status; a campaign whose report keys
//! change moves the campaign rollups of the months those keys have rows in.

use chrono::{Datelike, Months, NaiveDate};
use domain::traffic_import::ReportKind;
use sqlx::PgConnection;
use uuid::Uuid;

use super::keys::campaign_keys_cte;
use super::schema::NIL;
use crate::ProjectionError;

const SUMS: &str = "sum(impressions)::bigint, sum(clicks)::bigint, sum(installs)::bigint, \
     sum(tracker_clicks)::bigint, sum(conversions)::bigint, sum(spend), sum(revenue)";

/// An applied traffic import, as the projector meets it in the log.
pub struct ImportOp {
    pub id: Uuid,
    pub kind: ReportKind,
    pub format: String,
    pub scope: String,
    pub source_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Applies an import: a conversion log to the conversions, a spend or results report to the
/// days it holds and their rollups.
pub async fn write_import(
    conn: &mut PgConnection,
    schema: &str,
    op: ImportOp,
) -> Result<(), ProjectionError> {
    match op.kind {
        ReportKind::Conversions => apply_conversions(conn, schema, op.id, &op.format).await,
        ReportKind::Spend | ReportKind::Results => {
            apply_import(
                conn,
                schema,
                &AppliedImport {
                    id: op.id,
                    scope: &op.scope,
                    source_id: op.source_id,
                    from: op.from,
                    to: op.to,
                },
            )
            .await
        }
    }
}

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
        scope,
        source_id,
        from,
        to,
        ..
    } = *import;
    assert!(from <= to, "an applied import covers at least one day");
    // A million-row import groups into a few hundred thousand days × keys: with the default
    // work_mem the hash aggregate spills to disk.
    sqlx::query("SET work_mem = '256MB'")
        .execute(&mut *conn)
        .await?;
    hold_days(conn, schema, import).await?;
    // The months the days touch, recomputed whole from the daily rollup.
    let first = from.with_day(1).expect("day 1 exists");
    let after = to.with_day(1).expect("day 1 exists") + Months::new(1);
    rebuild_monthly(conn, schema, scope, first, after).await?;
    if scope.starts_with("source:") {
        rebuild_source_days(conn, schema, scope, source_id, from, to).await?;
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

/// Makes the import the holder of its scope's days (a restatement takes them over).
async fn hold_days(
    conn: &mut PgConnection,
    schema: &str,
    import: &AppliedImport<'_>,
) -> Result<(), ProjectionError> {
    sqlx::query(&format!(
        "INSERT INTO {schema}.traffic_effective (scope, date, import_id, source_id) \
         SELECT $1, d::date, $2, $5 FROM generate_series($3::date, $4::date, interval '1 day') d \
         ON CONFLICT (scope, date) DO UPDATE SET import_id = excluded.import_id"
    ))
    .bind(import.scope)
    .bind(import.id)
    .bind(import.from)
    .bind(import.to)
    .bind(import.source_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Recomputes the scope's monthly rollup of the months `first..after` from the daily one.
async fn rebuild_monthly(
    conn: &mut PgConnection,
    schema: &str,
    scope: &str,
    first: NaiveDate,
    after: NaiveDate,
) -> Result<(), ProjectionError> {
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

/// Recomputes a spend source's per-day totals of `from..=to` from its scope's daily rollup.
async fn rebuild_source_days(
    conn: &mut PgConnection,
    schema: &str,
    scope: &str,
    source_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(), ProjectionError> {
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

/// The report keys whose rows may move when a campaign's data goes from `old` (None: a new
/// campaign) to `new`: none if its keys stayed the same, else its keys before and after.
pub fn changed_report_keys(
    old: Option<&serde_json::Value>,
    new: &serde_json::Value,
) -> Vec<(Uuid, String)> {
    let mut keys = campaign_report_keys(new);
    if let Some(old) = old {
        let before = campaign_report_keys(old);
        if before == keys {
            keys.clear();
        } else {
            keys.extend(before);
        }
    }
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

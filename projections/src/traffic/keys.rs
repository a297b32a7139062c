//! Campaigns' report keys as queries see them: which campaign a key leads to, the keys no
//! campaign claims, and the keys other campaigns already claim.

use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::ReadError;

/// Which campaign each report key leads to: `(source_id, key)` for a source's spend reports,
/// `(nil, key)` for tracker reports. If two campaigns ever claimed one key (validation refuses
/// it, but the read side may lag), the older campaign wins, so no row counts twice.
pub const CAMPAIGN_KEYS_CTE: &str = "campaign_keys AS ( \
    SELECT DISTINCT ON (source_id, key) source_id, key, campaign_id FROM read.campaign_keys \
    ORDER BY source_id, key, created_at, campaign_id)";

/// [`CAMPAIGN_KEYS_CTE`] over the entities of read schema `schema` (a rebuild's, say).
pub(crate) fn campaign_keys_cte(schema: &str) -> String {
    CAMPAIGN_KEYS_CTE.replace("read.campaign_keys", &format!("{schema}.campaign_keys"))
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

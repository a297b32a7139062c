//! The import jobs as the API shows them (`traffic_imports`, the job queue: not a read model,
//! since it holds the state of work in progress rather than what the log says).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgConnection, PgPool, Row};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// An import as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    pub id: Uuid,
    pub source_id: Option<Uuid>,
    /// The format asked for (absent: detected from the header).
    pub format: Option<String>,
    /// The format the file was read as.
    pub detected_format: Option<String>,
    /// spend, results or conversions, once read.
    pub kind: Option<String>,
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub options: serde_json::Value,
    /// queued, running, done, failed or duplicate.
    pub state: String,
    /// Data rows in the file (an estimate from its line count until the import ends).
    pub rows_total: Option<i64>,
    pub rows_done: i64,
    pub bytes_done: i64,
    /// 0 to 1, for a progress bar.
    pub progress: f64,
    pub rows_ok: i64,
    pub rows_failed: i64,
    pub rows_skipped: i64,
    /// Why the import failed, when it did.
    pub error: Option<String>,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    /// The earlier import of the same file, for `duplicate`.
    pub duplicate_of: Option<Uuid>,
    /// Log position of the applied import's event: pass as `min_position` to see its metrics.
    pub position: Option<i64>,
    pub attempts: i32,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl FromRow<'_, PgRow> for ImportOut {
    fn from_row(r: &PgRow) -> Result<Self, sqlx::Error> {
        let state: String = r.try_get("state")?;
        let size: i64 = r.try_get("size_bytes")?;
        let bytes_done: i64 = r.try_get("bytes_done")?;
        let progress = match state.as_str() {
            "queued" => 0.0,
            "running" if size > 0 => (bytes_done as f64 / size as f64).clamp(0.0, 0.99),
            "running" => 0.0,
            _ => 1.0,
        };
        Ok(Self {
            id: r.try_get("id")?,
            source_id: r.try_get("source_id")?,
            format: r.try_get("format")?,
            detected_format: r.try_get("detected_format")?,
            kind: r.try_get("kind")?,
            file_name: r.try_get("file_name")?,
            sha256: r.try_get("sha256")?,
            size_bytes: size,
            options: r.try_get("options")?,
            state,
            rows_total: r.try_get("rows_total")?,
            rows_done: r.try_get("rows_done")?,
            bytes_done,
            progress,
            rows_ok: r.try_get("rows_ok")?,
            rows_failed: r.try_get("rows_failed")?,
            rows_skipped: r.try_get("rows_skipped")?,
            error: r.try_get("error")?,
            date_from: r.try_get("date_from")?,
            date_to: r.try_get("date_to")?,
            duplicate_of: r.try_get("duplicate_of")?,
            position: r.try_get("position")?,
            attempts: r.try_get("attempts")?,
            created_by: r.try_get("created_by")?,
            created_at: r.try_get("created_at")?,
            started_at: r.try_get("started_at")?,
            finished_at: r.try_get("finished_at")?,
        })
    }
}

const IMPORT_COLUMNS: &str = "id, source_id, format, detected_format, kind, file_name, sha256, size_bytes, \
    options, state, rows_total, rows_done, bytes_done, rows_ok, rows_failed, rows_skipped, error, date_from, \
    date_to, duplicate_of, position, attempts, created_by, created_at, started_at, finished_at";

pub async fn load(pool: &PgPool, id: Uuid) -> AppResult<ImportOut> {
    sqlx::query_as::<_, ImportOut>(&format!(
        "SELECT {IMPORT_COLUMNS} FROM traffic_imports WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::not_found(format!("import {id}")))
}

/// A page of imports, newest first, with the count over all pages.
pub async fn list(
    pool: &PgPool,
    state: Option<&str>,
    source_id: Option<Uuid>,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<ImportOut>, i64)> {
    let filter = "($1::text IS NULL OR state = $1) AND ($2::uuid IS NULL OR source_id = $2)";
    let items = sqlx::query_as::<_, ImportOut>(&format!(
        "SELECT {IMPORT_COLUMNS} FROM traffic_imports WHERE {filter} \
         ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"
    ))
    .bind(state)
    .bind(source_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM traffic_imports WHERE {filter}"
    ))
    .bind(state)
    .bind(source_id)
    .fetch_one(pool)
    .await?;
    Ok((items, total))
}

/// Where the uploaded file of import `id` is (or was) kept.
pub async fn file_path(pool: &PgPool, id: Uuid) -> AppResult<String> {
    Ok(
        sqlx::query_scalar("SELECT file_path FROM traffic_imports WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await?,
    )
}

/// Queues failed import `id` again (its attempts reset), optionally changing whether it
/// accepts the valid rows of a file with bad ones.
pub async fn requeue(pool: &PgPool, id: Uuid, accept_valid: Option<bool>) -> AppResult<()> {
    sqlx::query(
        "UPDATE traffic_imports SET state = 'queued', attempts = 0, error = NULL, \
           options = CASE WHEN $2::boolean IS NULL THEN options \
                          ELSE jsonb_set(options, '{accept_valid}', to_jsonb($2::boolean)) END \
         WHERE id = $1 AND state = 'failed'",
    )
    .bind(id)
    .bind(accept_valid)
    .execute(pool)
    .await?;
    Ok(())
}

/// The states of an import job (the table's CHECK constraint).
pub const STATES: [&str; 5] = ["queued", "running", "done", "failed", "duplicate"];

/// How many jobs are in each state, every state listed (zero included), for `/metrics`.
pub async fn count_by_state(conn: &mut PgConnection) -> AppResult<Vec<(&'static str, i64)>> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, count(*) FROM traffic_imports GROUP BY state")
            .fetch_all(conn)
            .await?;
    Ok(STATES
        .iter()
        .map(|s| {
            let n = rows.iter().find(|(state, _)| state == s).map_or(0, |r| r.1);
            (*s, n)
        })
        .collect())
}

/// An import that failed, as the operator alerts name it.
#[derive(Debug, Clone)]
pub struct FailedImport {
    pub id: Uuid,
    pub file_name: String,
    pub error: Option<String>,
    pub finished_at: DateTime<Utc>,
}

/// Imports that failed since `since` and were not queued again, newest first (at most 100).
pub async fn failed_since(pool: &PgPool, since: DateTime<Utc>) -> AppResult<Vec<FailedImport>> {
    let rows: Vec<(Uuid, String, Option<String>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT id, file_name, error, finished_at FROM traffic_imports \
         WHERE state = 'failed' AND finished_at >= $1 ORDER BY finished_at DESC LIMIT 100",
    )
    .bind(since)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, file_name, error, finished_at)| FailedImport {
            id,
            file_name,
            error,
            finished_at,
        })
        .collect())
}

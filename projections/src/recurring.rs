//! The recurring payments read model: one row per schedule (its aggregate state, status and
//! next runs) and one row per handled day. Next runs depend only on the log (no clock), so a
//! rebuild gives the same rows. Also its queries.

use chrono::{DateTime, NaiveDate, Utc};
use domain::Aggregate;
use domain::recurring::Schedule;
use domain::recurring_payment::{NEXT_RUNS, RecurringEvent, RecurringPayment};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::queries::escape_like;
use crate::{ProjectionError, ReadError};

pub const TABLES: &[(&str, &str)] = &[
    ("recurring", "id"),
    ("recurring_occurrences", "recurring_id, date"),
];

pub const DDL: &str = r#"
-- Recurring payments: `state` is the aggregate as the log builds it (the API shows its
-- template, schedule and pauses); the columns beside it are what lists filter and sort on.
CREATE TABLE {s}.recurring (
    id              uuid        PRIMARY KEY,
    name            text        NOT NULL,
    status          text        NOT NULL,
    frequency       text        NOT NULL,
    description     text        NOT NULL,
    start_date      date        NOT NULL,
    end_date        date,
    handled_through date,
    next_run        date,
    next_runs       date[]      NOT NULL,
    posted          bigint      NOT NULL,
    failed          bigint      NOT NULL,
    state           jsonb       NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    version         bigint      NOT NULL
);
CREATE INDEX ON {s}.recurring (next_run) WHERE next_run IS NOT NULL;
-- Each handled day of a schedule: posted (with its transaction) or failed (with the reason).
CREATE TABLE {s}.recurring_occurrences (
    recurring_id   uuid NOT NULL,
    date           date NOT NULL,
    status         text NOT NULL,
    transaction_id uuid,
    reason         text,
    PRIMARY KEY (recurring_id, date)
);
"#;

/// A recurring payment event, applied in log order.
pub struct RecurringOp {
    pub id: Uuid,
    pub event: RecurringEvent,
    pub at: DateTime<Utc>,
    pub version: i64,
    pub position: i64,
}

pub fn frequency(s: &Schedule) -> &'static str {
    match s {
        Schedule::Daily { .. } => "daily",
        Schedule::Weekly { .. } => "weekly",
        Schedule::Monthly { .. } => "monthly",
        Schedule::Yearly { .. } => "yearly",
        Schedule::Cron { .. } => "cron",
    }
}

pub async fn apply(
    conn: &mut PgConnection,
    schema: &str,
    id: Uuid,
    event: RecurringEvent,
    at: DateTime<Utc>,
    version: i64,
    position: i64,
) -> Result<(), ProjectionError> {
    let mut state = match &event {
        RecurringEvent::Created(_) => RecurringPayment::default(),
        _ => {
            let Json(state): Json<RecurringPayment> = sqlx::query_scalar(&format!(
                "SELECT state FROM {schema}.recurring WHERE id = $1"
            ))
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
            state
        }
    };
    match &event {
        RecurringEvent::OccurrencePosted {
            date,
            transaction_id,
        } => {
            occurrence(
                conn,
                schema,
                id,
                *date,
                "posted",
                Some(*transaction_id),
                None,
            )
            .await?
        }
        RecurringEvent::OccurrenceFailed { date, reason } => {
            occurrence(conn, schema, id, *date, "failed", None, Some(reason)).await?
        }
        _ => {}
    }
    state.apply(event);
    let Some(def) = &state.definition else {
        return Err(ProjectionError::Corrupt {
            position,
            reason: format!("recurring payment {id} has events but no definition"),
        });
    };
    let next_runs: Vec<NaiveDate> = state.upcoming(NEXT_RUNS);
    sqlx::query(&format!(
        "INSERT INTO {schema}.recurring (id, name, status, frequency, description, start_date, end_date, \
           handled_through, next_run, next_runs, posted, failed, state, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15) \
         ON CONFLICT (id) DO UPDATE SET name = $2, status = $3, frequency = $4, description = $5, \
           start_date = $6, end_date = $7, handled_through = $8, next_run = $9, next_runs = $10, \
           posted = $11, failed = $12, state = $13, updated_at = $14, version = $15"
    ))
    .bind(id)
    .bind(&def.name)
    .bind(state.status().as_str())
    .bind(frequency(&def.schedule))
    .bind(&def.template.description)
    .bind(def.start)
    .bind(def.end)
    .bind(state.handled_through)
    .bind(next_runs.first())
    .bind(&next_runs)
    .bind(state.posted as i64)
    .bind(state.failed as i64)
    .bind(Json(&state))
    .bind(at)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(())
}

async fn occurrence(
    conn: &mut PgConnection,
    schema: &str,
    id: Uuid,
    date: NaiveDate,
    status: &str,
    transaction_id: Option<Uuid>,
    reason: Option<&String>,
) -> Result<(), ProjectionError> {
    sqlx::query(&format!(
        "INSERT INTO {schema}.recurring_occurrences (recurring_id, date, status, transaction_id, reason) \
         VALUES ($1, $2, $3, $4, $5)"
    ))
    .bind(id)
    .bind(date)
    .bind(status)
    .bind(transaction_id)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(())
}

/// A schedule as `read.recurring` holds it.
#[derive(sqlx::FromRow)]
pub struct RecurringRow {
    pub id: Uuid,
    pub status: String,
    pub next_runs: Vec<NaiveDate>,
    pub posted: i64,
    pub failed: i64,
    pub state: Json<RecurringPayment>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A handled day: `posted` (with its transaction) or `failed` (with the reason).
#[derive(sqlx::FromRow)]
pub struct OccurrenceRow {
    pub date: NaiveDate,
    pub status: String,
    pub transaction_id: Option<Uuid>,
    pub reason: Option<String>,
}

const COLUMNS: &str = "id, status, next_runs, posted, failed, state, created_at, updated_at";

/// Schedule `id` (`NotFound` when there is none).
pub async fn get(pool: &PgPool, id: Uuid) -> Result<RecurringRow, ReadError> {
    sqlx::query_as::<_, RecurringRow>(&format!(
        "SELECT {COLUMNS} FROM read.recurring WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| ReadError::NotFound(format!("recurring payment {id}")))
}

/// The latest `limit` days schedule `id` handled, latest first.
pub async fn occurrences(
    pool: &PgPool,
    id: Uuid,
    limit: i64,
) -> Result<Vec<OccurrenceRow>, ReadError> {
    Ok(sqlx::query_as(
        "SELECT date, status, transaction_id, reason FROM read.recurring_occurrences \
         WHERE recurring_id = $1 ORDER BY date DESC LIMIT $2",
    )
    .bind(id)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// Which schedules a page lists.
#[derive(Debug, Clone, Default)]
pub struct RecurringFilter {
    pub status: Option<String>,
    pub frequency: Option<String>,
    /// Text in the name or the template's description.
    pub q: Option<String>,
}

/// A page of schedules in `sort` (an SQL ORDER BY list the caller chose from its allowed
/// sorts), with the count over all pages.
pub async fn list(
    pool: &PgPool,
    f: &RecurringFilter,
    sort: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<RecurringRow>, i64), ReadError> {
    let q = f.q.as_deref().map(|q| format!("%{}%", escape_like(q)));
    let filter = "($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR frequency = $2) \
                  AND ($3::text IS NULL OR name ILIKE $3 OR description ILIKE $3)";
    let rows = sqlx::query_as::<_, RecurringRow>(&format!(
        "SELECT {COLUMNS} FROM read.recurring WHERE {filter} ORDER BY {sort} LIMIT $4 OFFSET $5"
    ))
    .bind(&f.status)
    .bind(&f.frequency)
    .bind(&q)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM read.recurring WHERE {filter}"
    ))
    .bind(&f.status)
    .bind(&f.frequency)
    .bind(&q)
    .fetch_one(pool)
    .await?;
    Ok((rows, total))
}

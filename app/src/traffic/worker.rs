//! The import queue: uploaded files wait as `queued` rows of `traffic_imports`; a worker in
//! every server instance claims them one at a time. A claimed job holds a session advisory
//! lock for as long as it runs, so a `running` job whose lock is free lost its worker (a
//! crash, a restart) and goes back to the queue. Its rows were never committed: the whole
//! import is one transaction.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sqlx::pool::PoolConnection;
use sqlx::{Connection, PgPool, Postgres, Row};
use tokio::sync::Notify;
use uuid::Uuid;

use super::imports::{self, ImportOptions, Job, Outcome};
use super::uploads::Cleanup;

/// Advisory lock class of running imports (the second key is a hash of the import id).
const LOCK_CLASS: i32 = 0x494d_5054; // "IMPT"
/// Runs of one job before it is given up (each ended with the server going away).
pub const MAX_ATTEMPTS: i32 = 3;
/// How often the queue is looked at without a wake-up (another instance's upload).
const POLL: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct ImportWorker {
    wake: Arc<Notify>,
}

impl ImportWorker {
    /// Starts the worker. With `uploads` kept for 0 days, the upload folder is cleaned after
    /// every round, so a finished upload's file goes at once.
    pub fn spawn(pool: PgPool, uploads: Option<Cleanup>) -> Self {
        let wake = Arc::new(Notify::new());
        let worker = Self { wake: wake.clone() };
        tokio::spawn(async move {
            loop {
                if let Err(e) = drain(&pool).await {
                    tracing::error!(error = %e, "import queue");
                }
                if let Some(c) = uploads.as_ref().filter(|c| c.keep_days == 0) {
                    super::uploads::run_logged(&pool, c).await;
                }
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                }
            }
        });
        worker
    }

    /// Looks at the queue now (after an upload or a retry).
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

async fn drain(pool: &PgPool) -> Result<(), crate::error::AppError> {
    requeue_abandoned(pool).await?;
    while run_next(pool, None).await?.is_some() {}
    Ok(())
}

/// Claims and runs the oldest queued job (or job `only`, if it is queued); None when there
/// was nothing to run.
async fn run_next(
    pool: &PgPool,
    only: Option<Uuid>,
) -> Result<Option<Result<Outcome, crate::error::AppError>>, crate::error::AppError> {
    {
        let Some((mut conn, job)) = claim(pool, only).await? else {
            return Ok(None);
        };
        let started = std::time::Instant::now();
        let outcome = imports::run(pool, &mut conn, &job, Utc::now().date_naive()).await;
        let seconds = started.elapsed().as_secs_f64();
        match &outcome {
            Ok(o) => {
                crate::ops::metrics::import_finished(o.state(), seconds);
                tracing::info!(import_id = %job.id, seconds, outcome = ?o, "import finished")
            }
            Err(e) => {
                tracing::error!(import_id = %job.id, error = %e, "import failed to run");
                mark_failed(pool, job.id, &format!("the import could not run: {e}")).await?;
                crate::ops::metrics::import_finished("failed", seconds);
            }
        }
        // The lock is per session and the connection goes back to the pool.
        sqlx::query("SELECT pg_advisory_unlock($1, hashtext($2::text))")
            .bind(LOCK_CLASS)
            .bind(job.id)
            .execute(&mut *conn)
            .await?;
        Ok(Some(outcome))
    }
}

async fn mark_failed(pool: &PgPool, id: Uuid, reason: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE traffic_imports SET state = 'failed', error = $2, finished_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(reason)
    .execute(pool)
    .await?;
    Ok(())
}

/// Puts `running` jobs whose worker is gone back in the queue.
async fn requeue_abandoned(pool: &PgPool) -> Result<(), sqlx::Error> {
    let running: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM traffic_imports WHERE state = 'running'")
            .fetch_all(pool)
            .await?;
    for id in running {
        let mut conn = pool.acquire().await?;
        let free: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, hashtext($2::text))")
            .bind(LOCK_CLASS)
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        if free {
            tracing::warn!(import_id = %id, "import abandoned by its worker; queued again");
            sqlx::query(
                "UPDATE traffic_imports SET state = 'queued' WHERE id = $1 AND state = 'running'",
            )
            .bind(id)
            .execute(&mut *conn)
            .await?;
            sqlx::query("SELECT pg_advisory_unlock($1, hashtext($2::text))")
                .bind(LOCK_CLASS)
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// Takes the oldest queued job, with its lock held on the returned connection.
async fn claim(
    pool: &PgPool,
    only: Option<Uuid>,
) -> Result<Option<(PoolConnection<Postgres>, Job)>, crate::error::AppError> {
    loop {
        let mut conn = pool.acquire().await?;
        let mut tx = conn.begin().await?;
        let Some(row) = sqlx::query(
            "SELECT id, source_id, format, file_name, file_path, sha256, options, created_by, attempts \
             FROM traffic_imports WHERE state = 'queued' AND ($1::uuid IS NULL OR id = $1) \
             ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED",
        )
        .bind(only)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        let id: Uuid = row.get("id");
        let locked: bool =
            sqlx::query_scalar("SELECT pg_try_advisory_lock($1, hashtext($2::text))")
                .bind(LOCK_CLASS)
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        if !locked {
            // Someone is requeueing it right now; look again shortly.
            tx.rollback().await?;
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        let attempts: i32 = row.get("attempts");
        if attempts >= MAX_ATTEMPTS {
            sqlx::query(
                "UPDATE traffic_imports SET state = 'failed', finished_at = now(), \
                 error = 'gave up after the server stopped during each of its runs' WHERE id = $1",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            sqlx::query("SELECT pg_advisory_unlock($1, hashtext($2::text))")
                .bind(LOCK_CLASS)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            continue;
        }
        sqlx::query(
            "UPDATE traffic_imports SET state = 'running', started_at = now(), attempts = attempts + 1, \
             rows_done = 0, bytes_done = 0, error = NULL WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let options: sqlx::types::Json<ImportOptions> = row.get("options");
        let path: String = row.get("file_path");
        let job = Job {
            id,
            source_id: row.get("source_id"),
            format: row.get("format"),
            file_name: row.get("file_name"),
            file_path: path.into(),
            sha256: row.get("sha256"),
            options: options.0,
            created_by: row.get("created_by"),
        };
        return Ok(Some((conn, job)));
    }
}

/// Runs queued job `id` now, on this task (the CLI's path); None if it was not queued.
pub async fn run_now(pool: &PgPool, id: Uuid) -> Result<Option<Outcome>, crate::error::AppError> {
    match run_next(pool, Some(id)).await? {
        None => Ok(None),
        Some(outcome) => outcome.map(Some),
    }
}

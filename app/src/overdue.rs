//! The daily overdue job: records `BecameOverdue` once on every open invoice past its due date,
//! so the log says when it happened (reads derive "overdue" on their own, job or not).

use chrono::Utc;
use sqlx::PgPool;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::error::AppError;
use crate::ledger::invoices::mark_overdue;

/// Shortly after midnight UTC, when yesterday's due dates have passed.
const OVERDUE_CRON: &str = "0 5 0 * * *";

/// Adds the overdue job to `scheduler` (or to a new, started one) and runs it once now, to
/// catch up after downtime.
pub async fn start(
    scheduler: Option<JobScheduler>,
    pool: PgPool,
) -> Result<JobScheduler, AppError> {
    let scheduler = match scheduler {
        Some(s) => s,
        None => {
            let s = JobScheduler::new().await.map_err(AppError::internal)?;
            s.start().await.map_err(AppError::internal)?;
            s
        }
    };
    let job_pool = pool.clone();
    let job = Job::new_async(OVERDUE_CRON, move |_id, _scheduler| {
        let pool = job_pool.clone();
        Box::pin(async move { run(&pool).await })
    })
    .map_err(AppError::internal)?;
    scheduler.add(job).await.map_err(AppError::internal)?;
    tokio::spawn(async move {
        // A first start builds the read tables first; the start-up run waits for them.
        projections::read_model::wait_ready(&pool, projections::read_model::READY_WAIT).await;
        run(&pool).await
    });
    Ok(scheduler)
}

async fn run(pool: &PgPool) {
    match mark_overdue(pool, Utc::now().date_naive()).await {
        Ok(n) => tracing::info!(marked = n, "overdue invoices recorded"),
        Err(e) => tracing::warn!(error = %e, "overdue job failed; the next run retries"),
    }
}

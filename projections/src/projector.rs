//! The projector: the one process that seals new events into the hash chain and projects them
//! into the live read tables, both in the same database transaction. Exactly one runs at a time
//! (a session-level advisory lock); others wait to take over if it dies.

use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::{Connection, PgConnection, PgPool, Postgres};
use std::sync::Arc;
use tokio::sync::{Notify, watch};

use crate::ProjectionError;
use crate::rebuild::prepare_live_schema;
// The leader's lock and its one step live below both this loop and the rebuild (which also
// takes the lock and steps); they keep their paths here.
pub use crate::live::{LIVE_BATCH_EVENTS, PROJECTOR_LOCK, Pace, Progress, step, try_lock, unlock};

/// How often an idle projector looks for events written by other server instances.
pub const IDLE_POLL: Duration = Duration::from_millis(20);
/// After a small batch, how long the projector lets events accumulate before the next one:
/// each step costs a dozen statements whatever its size, so under load it pays to take fewer,
/// larger steps. Bounds the extra wait of a read-your-writes query.
pub const COALESCE: Duration = Duration::from_millis(5);

/// Why the projector is not moving: set when a step fails, cleared by the next step that
/// succeeds. `position` names the event it cannot apply, when the failure is that event's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stuck {
    pub position: Option<i64>,
    pub reason: String,
    pub since: chrono::DateTime<chrono::Utc>,
    /// Failed attempts in a row.
    pub attempts: u64,
}

/// Longest pause between two attempts of a failing projector: it keeps trying (a database
/// outage ends by itself) without flooding the log with one error per second.
pub const MAX_RETRY_PAUSE: Duration = Duration::from_secs(30);

/// Handle to the running projector.
#[derive(Clone)]
pub struct ProjectorHandle {
    pub progress: watch::Receiver<Progress>,
    pub wake: Arc<Notify>,
    /// `Some` while the projector fails: what `/readyz` and the metrics report.
    pub stuck: watch::Receiver<Option<Stuck>>,
    task: Option<tokio::task::AbortHandle>,
}

impl ProjectorHandle {
    /// Tell the projector new events were committed (saves it a poll interval).
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    /// Stops the projector task (its connection, and with it the leadership lock, goes away).
    /// Every step is one database transaction, so stopping mid-batch loses nothing.
    pub fn stuck(&self) -> Option<Stuck> {
        self.stuck.borrow().clone()
    }

    pub fn stop(&self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// Spawns the projector loop: wait for leadership, prepare the schema, then seal and project
/// forever. Errors are logged and retried after a pause; a lost connection releases the lock
/// so another instance can take over.
pub fn spawn(pool: PgPool) -> ProjectorHandle {
    let (tx, rx) = watch::channel(Progress::default());
    let (stuck_tx, stuck_rx) = watch::channel(None);
    let wake = Arc::new(Notify::new());
    let task_wake = wake.clone();
    let task = tokio::spawn(async move {
        loop {
            match run_leader(&pool, &tx, &stuck_tx, &task_wake).await {
                Ok(()) => return,
                Err(e) => {
                    let stuck = record_failure(&stuck_tx, &e);
                    tracing::error!(
                        error = %e,
                        position = stuck.position,
                        attempts = stuck.attempts,
                        "projector failed; the read side is not moving (see /readyz); retrying"
                    );
                    tokio::time::sleep(retry_pause(stuck.attempts)).await;
                }
            }
        }
    });
    ProjectorHandle {
        progress: rx,
        wake,
        stuck: stuck_rx,
        task: Some(task.abort_handle()),
    }
}

/// Publishes a failed attempt; answers what is now published.
fn record_failure(stuck: &watch::Sender<Option<Stuck>>, e: &ProjectionError) -> Stuck {
    let position = match e {
        ProjectionError::Corrupt { position, .. } => Some(*position),
        _ => None,
    };
    stuck.send_modify(|s| {
        let attempts = s.as_ref().map_or(0, |s| s.attempts) + 1;
        let since = s.as_ref().map_or_else(chrono::Utc::now, |s| s.since);
        *s = Some(Stuck {
            position,
            reason: e.to_string(),
            since,
            attempts,
        });
    });
    stuck.borrow().clone().expect("just set")
}

/// 1 s after the first failure, doubling up to [`MAX_RETRY_PAUSE`].
fn retry_pause(attempts: u64) -> Duration {
    let doublings = attempts.saturating_sub(1).min(5) as u32;
    Duration::from_secs(1u64 << doublings).min(MAX_RETRY_PAUSE)
}

async fn acquire(pool: &PgPool) -> Result<PoolConnection<Postgres>, ProjectionError> {
    loop {
        let mut conn = pool.acquire().await?;
        if try_lock(&mut conn).await? {
            return Ok(conn);
        }
        drop(conn);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn run_leader(
    pool: &PgPool,
    progress: &watch::Sender<Progress>,
    stuck: &watch::Sender<Option<Stuck>>,
    wake: &Notify,
) -> Result<(), ProjectionError> {
    // A pooled connection returns to the pool with its session lock; detach it so the lock
    // lives and dies with this task's connection.
    let mut conn = acquire(pool).await?.detach();
    let result = lead(pool, &mut conn, progress, stuck, wake).await;
    let _ = conn.close().await;
    result
}

async fn lead(
    pool: &PgPool,
    conn: &mut PgConnection,
    progress: &watch::Sender<Progress>,
    stuck: &watch::Sender<Option<Stuck>>,
    wake: &Notify,
) -> Result<(), ProjectionError> {
    prepare_live_schema(pool, conn).await?;
    let mut pace = Pace::default();
    loop {
        let (n, p) = step(conn, &mut pace).await?;
        progress.send_replace(p);
        if stuck.borrow().is_some() {
            tracing::info!(position = p.last_position, "projector moving again");
            stuck.send_replace(None);
        }
        if n == 0 {
            let _ = tokio::time::timeout(IDLE_POLL, wake.notified()).await;
        } else if (n as i64) < LIVE_BATCH_EVENTS / 4 {
            tokio::time::sleep(COALESCE).await;
        }
    }
}

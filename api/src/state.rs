use std::sync::Arc;
use std::time::Duration;

use projections::projector::ProjectorHandle;
use sqlx::PgPool;

use crate::auth::tokens::JwtKeys;
use crate::config::Settings;
use crate::error::ApiError;
use app::ledger::committer::Committer;

/// Shared by every request handler.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub jwt: JwtKeys,
    pub settings: Arc<Settings>,
    pub projector: ProjectorHandle,
    pub committer: Committer,
    pub imports: app::traffic::worker::ImportWorker,
    /// Scheduled jobs (exchange-rate syncs), when enabled.
    pub scheduler: Option<tokio_cron_scheduler::JobScheduler>,
    /// The recurring-payment runner's schedule, when enabled.
    pub recurring: Option<tokio_cron_scheduler::JobScheduler>,
    pub metrics: metrics_exporter_prometheus::PrometheusHandle,
    /// One TronScan client per server, so its request spacing covers all callers.
    pub tronscan: Arc<importers::tronscan::TronScanClient>,
    /// Every caller's current role and state, cached and invalidated through NOTIFY.
    pub access: app::access::cache::AccessCache,
    /// Rate limits of sign-in and registration.
    pub auth_limits: Arc<crate::auth::limits::AuthLimits>,
    /// Scheduled backups and their last success (disabled without `LEDGER_BACKUP_CRON`).
    pub backups: app::ops::schedule::BackupMonitor,
}

/// Longest a query waits for the projector to reach a requested position.
pub const MAX_CONSISTENCY_WAIT: Duration = Duration::from_secs(10);

impl AppState {
    /// Read-your-writes: waits until the event at `position` is projected (no-op for None).
    pub async fn wait_for_position(&self, position: Option<i64>) -> Result<(), ApiError> {
        let Some(position) = position.filter(|p| *p > 0) else {
            return Ok(());
        };
        let mut progress = self.projector.progress.clone();
        let deadline = tokio::time::Instant::now() + MAX_CONSISTENCY_WAIT;
        loop {
            // Sealing follows (transaction id, position) order, not position order, so a larger
            // projected position proves nothing: ask the chain itself.
            progress.borrow_and_update();
            if self.is_sealed(position).await? {
                return Ok(());
            }
            self.projector.nudge();
            // Other instances' projectors publish nothing here; poll as a fallback.
            let wait = tokio::time::timeout(Duration::from_millis(25), progress.changed());
            if tokio::time::timeout_at(deadline, wait).await.is_err() {
                return Err(ApiError::status(
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    "projection_lagging",
                    format!("the read side has not reached position {position} yet; retry shortly"),
                ));
            }
        }
    }

    /// Whether the event at `position` is sealed (and so projected).
    async fn is_sealed(&self, position: i64) -> Result<bool, ApiError> {
        let mut conn = self.pool.acquire().await?;
        match eventstore::lookup::is_sealed(&mut conn, position).await? {
            Some(s) => Ok(s),
            None => Err(ApiError::invalid(
                "min_position",
                format!("no event at position {position}"),
            )),
        }
    }
}

//! Building and running the server.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use importers::tronscan::{Config, HttpConfig, TronScanClient};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sqlx::PgPool;
use tokio::net::TcpListener;

use crate::auth::tokens::{JwtKeys, load_or_create_secret};
use crate::config::Settings;
use app::ledger::committer::Committer;

/// Posting workers (each commits one group at a time; a few overlap their round trips).
pub const POSTING_WORKERS: usize = 4;
use crate::state::AppState;

/// The process-wide metrics recorder (installing it twice would fail, e.g. in tests).
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .install_recorder()
                .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder().handle())
        })
        .clone()
}

/// Application state over a migrated database; starts the projector.
pub async fn build_state(settings: Settings, pool: PgPool) -> anyhow::Result<AppState> {
    // Installed first: jobs started below publish gauges at once (the last backup's time).
    let metrics = metrics_handle();
    let secret = load_or_create_secret(settings.jwt_secret.as_deref(), &settings.data_dir)?;
    let jwt = JwtKeys::new(&secret, settings.access_token_seconds)?;
    app::access::passwords::configure_pool(settings.hash_threads, settings.hash_queue);
    let access = app::access::cache::AccessCache::default();
    access.spawn_listener(pool.clone()).await;
    let auth_limits = Arc::new(crate::auth::limits::AuthLimits::new(
        settings.auth_rate_per_ip_per_minute,
        settings.auth_rate_global_per_second,
    ));
    let projector = projections::projector::spawn(pool.clone());
    let committer = Committer::spawn(pool.clone(), POSTING_WORKERS);
    let uploads = app::traffic::uploads::Cleanup {
        dir: app::traffic::uploads::dir(&settings.data_dir),
        keep_days: settings.upload_keep_days,
    };
    app::traffic::uploads::spawn_cleanup(pool.clone(), uploads.clone());
    let imports = app::traffic::worker::ImportWorker::spawn(pool.clone(), Some(uploads));
    app::idempotency::spawn_purge(pool.clone());
    let scheduler = if settings.fx_sync {
        Some(app::fx::start_scheduler(pool.clone(), settings.fx_sources()).await?)
    } else {
        None
    };
    let tronscan = Arc::new(tronscan_client(&settings)?);
    let recurring = if settings.recurring {
        Some(
            app::ledger::recurring::start_scheduler(
                pool.clone(),
                &settings.recurring_cron,
                settings.recurring_max_catchup_days,
            )
            .await?,
        )
    } else {
        None
    };
    let scheduler = if settings.overdue_job {
        Some(app::overdue::start(scheduler, pool.clone()).await?)
    } else {
        scheduler
    };
    let (scheduler, backups) = start_backups(&settings, scheduler, &pool).await?;
    Ok(AppState {
        access,
        auth_limits,
        tronscan,
        imports,
        recurring,
        scheduler,
        pool,
        jwt,
        settings: Arc::new(settings),
        projector,
        committer,
        metrics,
        backups,
    })
}

/// Scheduled backups when `LEDGER_BACKUP_CRON` is set. They dump the database the server
/// runs on: `database_url` is set by the caller for the embedded cluster too.
async fn start_backups(
    settings: &Settings,
    scheduler: Option<tokio_cron_scheduler::JobScheduler>,
    pool: &PgPool,
) -> anyhow::Result<(
    Option<tokio_cron_scheduler::JobScheduler>,
    app::ops::schedule::BackupMonitor,
)> {
    let (Some(cron), Some(url)) = (&settings.backup_cron, &settings.database_url) else {
        return Ok((scheduler, app::ops::schedule::BackupMonitor::disabled()));
    };
    let config = app::ops::schedule::ScheduleConfig {
        cron: cron.clone(),
        dir: settings
            .backup_dir
            .clone()
            .unwrap_or_else(|| settings.data_dir.join("backups")),
        keep: settings.backup_keep,
        database_url: url.clone(),
        data_dir: settings.data_dir.clone(),
    };
    let (scheduler, monitor) = app::ops::schedule::start(scheduler, pool.clone(), config).await?;
    Ok((Some(scheduler), monitor))
}

/// A bound, not yet running server (tests read its address before serving).
pub struct Server {
    listener: TcpListener,
    state: AppState,
}

impl Server {
    pub async fn bind(state: AppState) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(state.settings.listen).await?;
        Ok(Self { listener, state })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let app = crate::routes::app(self.state);
        axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}

/// Builds the server's TronScan client from the settings.
fn tronscan_client(settings: &Settings) -> anyhow::Result<TronScanClient> {
    Ok(TronScanClient::new(Config {
        base_url: settings.tronscan_url.clone(),
        api_key: settings.tronscan_api_key.clone(),
        http: HttpConfig {
            timeout: Duration::from_millis(settings.tronscan_timeout_ms.max(1)),
            max_retries: settings.tronscan_retries,
            backoff_base: Duration::from_millis(settings.tronscan_backoff_ms),
            ..HttpConfig::default()
        },
        ..Config::default()
    })?)
}

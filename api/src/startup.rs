//! Building and running the server.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use importers::tronscan::{Config, HttpConfig, TronScanClient};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sqlx::PgPool;
use tokio::net::TcpListener;

use crate::auth::tokens::{JwtKeys, load_or_create_secret};
use crate::config::Settings;
use app::ledger::committer::Committer;

/// Posting workers (each commits one group at a time; a few overlap their round trips).
pub const POSTING_WORKERS: usize = 4;
use crate::state::AppState;

/// How often the recorder's histograms are drained when nobody scrapes (they grow until then).
const METRICS_UPKEEP: Duration = Duration::from_secs(5);

/// The process-wide metrics recorder (installing it twice would fail, e.g. in tests), with
/// explicit histogram buckets and every metric described.
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = metrics_builder()
                .install_recorder()
                .unwrap_or_else(|_| metrics_builder().build_recorder().handle());
            app::ops::metrics::describe();
            // A thread, not a task: the recorder outlives any one runtime (each test has its own).
            let upkeep = handle.clone();
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(METRICS_UPKEEP);
                    upkeep.run_upkeep();
                }
            });
            handle
        })
        .clone()
}

fn metrics_builder() -> PrometheusBuilder {
    app::ops::metrics::HISTOGRAMS
        .iter()
        .fold(PrometheusBuilder::new(), |b, (name, buckets)| {
            b.set_buckets_for_metric(Matcher::Full((*name).to_string()), buckets)
                .expect("buckets are not empty")
        })
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
    if settings.alerts {
        start_alerts(&settings, &pool, &projector, &backups)?;
    }
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

/// The operator alert checks, mailing the admins through the server's mailer.
fn start_alerts(
    settings: &Settings,
    pool: &PgPool,
    projector: &projections::projector::ProjectorHandle,
    backups: &app::ops::schedule::BackupMonitor,
) -> anyhow::Result<()> {
    use app::ops::alerts::{Notifier, Watch, spawn};
    let watch = Watch {
        pool: pool.clone(),
        projector: projector.clone(),
        backups: backups.clone(),
    };
    let notifier = Notifier {
        mailer: app::access::mail::Mailer::shared(&settings.access().mail)?,
        public_url: settings.public_url.clone(),
    };
    spawn(
        watch,
        notifier,
        Duration::from_secs(settings.alerts_interval_seconds),
    );
    Ok(())
}

/// A bound, not yet running server (tests read its addresses before serving).
pub struct Server {
    listener: TcpListener,
    /// `LEDGER_METRICS_LISTEN`: `/metrics` alone, without authentication.
    metrics_listener: Option<TcpListener>,
    state: AppState,
}

impl Server {
    pub async fn bind(state: AppState) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(state.settings.listen).await?;
        let metrics_listener = match state.settings.metrics_listen {
            Some(addr) => Some(TcpListener::bind(addr).await?),
            None => None,
        };
        Ok(Self {
            listener,
            metrics_listener,
            state,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The address serving `/metrics` alone, when `LEDGER_METRICS_LISTEN` is set.
    pub fn metrics_addr(&self) -> Option<std::io::Result<SocketAddr>> {
        self.metrics_listener.as_ref().map(TcpListener::local_addr)
    }

    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // The metrics listener stops with the main one (or when this function returns).
        let (stop, stopped) = tokio::sync::watch::channel(());
        let metrics = self.metrics_listener.map(|listener| {
            let app = crate::routes::health::metrics_router(self.state.clone());
            let mut stopped = stopped.clone();
            tokio::spawn(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.changed().await;
                    })
                    .await
            })
        });
        let app = crate::routes::app(self.state);
        let served = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        drop(stop);
        if let Some(task) = metrics {
            task.await.map_err(std::io::Error::other)??;
        }
        served
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

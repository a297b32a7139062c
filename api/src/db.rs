//! Connecting to PostgreSQL: the embedded cluster or a given URL, migrations, and the pool the
//! application uses (running as the `ledger_app` role where it exists, so the database itself
//! refuses changes to the log).

use std::path::Path;
use std::time::Duration;

use embedded_pg::{EmbeddedPostgres, Options};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Executor, PgPool};

/// One database connection, for code outside the database layer that hands one on (route
/// files name no database types of their own).
pub type Conn = sqlx::PgConnection;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Where the database comes from; keeps an embedded cluster alive while held.
pub struct Database {
    pub url: String,
    pub embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// Uses `url` if given, otherwise starts (creating if needed) the cluster in `data_dir`.
    pub async fn open(url: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        if let Some(url) = url {
            return Ok(Self {
                url: url.to_string(),
                embedded: None,
            });
        }
        std::fs::create_dir_all(data_dir)?;
        let data_dir = std::fs::canonicalize(data_dir)?;
        tracing::info!(dir = %data_dir.display(), "starting the embedded PostgreSQL cluster");
        let pg = EmbeddedPostgres::start(Options {
            data_dir,
            port: None,
            ephemeral: false,
        })
        .await?;
        pg.create_database("ledger").await?;
        Ok(Self {
            url: pg.url("ledger"),
            embedded: Some(pg),
        })
    }

    /// As [`open`](Self::open), but when a server already runs on the data folder's embedded
    /// cluster, uses that server instead of starting the cluster (which would stop it): backup
    /// and restore must work while `ledger serve` runs.
    pub async fn attach_or_open(url: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        if url.is_none()
            && let Some(running) = EmbeddedPostgres::running_url(data_dir, "ledger")
        {
            return Ok(Self {
                url: running,
                embedded: None,
            });
        }
        Self::open(url, data_dir).await
    }

    pub async fn close(self) {
        if let Some(pg) = self.embedded
            && let Err(e) = pg.stop().await
        {
            tracing::warn!(error = %e, "stopping the embedded cluster failed");
        }
    }
}

pub async fn migrate(url: &str) -> anyhow::Result<()> {
    let options: PgConnectOptions = url.parse()?;
    let mut conn = options.connect().await?;
    MIGRATOR.run(&mut conn).await?;
    Ok(())
}

/// Longest a request waits for a database connection (connecting included) before it is
/// answered 503 `database_unavailable`: an outage must not make clients hang.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_millis(1500);

/// The application pool with [`DEFAULT_ACQUIRE_TIMEOUT`].
pub async fn pool(url: &str, size: u32) -> anyhow::Result<PgPool> {
    pool_with(url, size, DEFAULT_ACQUIRE_TIMEOUT).await
}

/// The application pool. Each connection switches to `ledger_app` when it is a member.
/// `acquire_timeout` bounds getting a connection, including connecting to the server, so
/// with the database down every query fails within it (and the pool reconnects by itself
/// once the database is back).
pub async fn pool_with(url: &str, size: u32, acquire_timeout: Duration) -> anyhow::Result<PgPool> {
    let options: PgConnectOptions = url.parse::<PgConnectOptions>()?.application_name("ledger");
    let pool = PgPoolOptions::new()
        .max_connections(size)
        .acquire_timeout(acquire_timeout)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(
                    "DO $$ BEGIN \
                       IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_app') \
                          AND pg_has_role(current_user, 'ledger_app', 'MEMBER') THEN \
                         SET ROLE ledger_app; \
                       END IF; \
                     END $$",
                )
                .await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    Ok(pool)
}

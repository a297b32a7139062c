//! `ledger`: the server and its maintenance commands.

use std::process::ExitCode;
use std::time::Duration;

use api::config::Settings;
use api::db::{self, Database};
use api::startup::{Server, build_state};
use clap::{Parser, Subcommand};
use sqlx::Connection;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "ledger",
    version,
    about = "Event-sourced double-entry ledger with traffic analytics",
    after_help = "Secret settings (those whose value this help hides) can also be read from a file: \
                  set NAME_FILE to its path, e.g. LEDGER_JWT_SECRET_FILE=/run/secrets/jwt_secret \
                  (one trailing newline is dropped)."
)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    /// Log as JSON lines instead of text.
    #[arg(long, env = "LEDGER_LOG_JSON", global = true)]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate and serve the API and web UI (the default way to run the product).
    Serve {
        /// Fill an empty ledger with the demo company first.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate {
        /// List the migrations that would run, and apply nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write one consistent backup archive (database dump, uploads, manifest); works while the
    /// server runs.
    Backup(api::ops_cli::BackupArgs),
    /// Restore a backup archive into an empty database, rebuild the read side and verify it
    /// against the archive's manifest.
    Restore(api::ops_cli::RestoreArgs),
    /// Drop and rebuild every read table from the log.
    Replay,
    /// Recompute the hash chain and compare a fresh rebuild of the read tables with the live ones.
    Verify,
    /// Fill an empty ledger with a demo company (six months of books in USD, EUR, USDT, TRX).
    SeedDemo,
    /// Import a traffic report file (the same as an upload), with progress on stderr.
    Import(api::traffic::cli::ImportArgs),
    /// Print the OpenAPI document (no database needed).
    Openapi,
    /// Manage users without HTTP (bootstrap or recover access).
    User {
        #[command(subcommand)]
        command: api::auth::cli::UserCommand,
    },
}

fn init_tracing(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

async fn run(mut cli: Cli) -> anyhow::Result<ExitCode> {
    // Before anything else, so every command sees its secrets the same way.
    cli.settings.read_secret_files()?;
    if let Command::Openapi = cli.command {
        println!("{}", api::routes::openapi().to_pretty_json()?);
        return Ok(ExitCode::SUCCESS);
    }
    let settings = cli.settings;
    // Backup, restore and the migration plan attach to a server already running on the
    // embedded cluster (starting the cluster would stop that server).
    let attach = matches!(
        cli.command,
        Command::Backup(_) | Command::Restore(_) | Command::Migrate { dry_run: true }
    );
    let database = if attach {
        Database::attach_or_open(settings.database_url.as_deref(), &settings.data_dir).await?
    } else {
        Database::open(settings.database_url.as_deref(), &settings.data_dir).await?
    };
    let result = run_with(&cli.command, settings, &database.url).await;
    database.close().await;
    result
}

async fn run_with(command: &Command, settings: Settings, url: &str) -> anyhow::Result<ExitCode> {
    // These read (or replace) the database as it is: migrating first would change it.
    match command {
        Command::Migrate { dry_run: true } => return api::ops_cli::migrate_dry_run(url).await,
        Command::Backup(args) => return api::ops_cli::backup(&settings, url, args).await,
        Command::Restore(args) => return api::ops_cli::restore(&settings, url, args).await,
        _ => {}
    }
    db::migrate(url).await?;
    match command {
        Command::Openapi | Command::Backup(_) | Command::Restore(_) => {
            unreachable!("handled above")
        }
        Command::Migrate { .. } => {
            println!("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { demo } => {
            // Scheduled backups dump the database the server runs on, the embedded one too.
            let mut settings = settings;
            settings.database_url.get_or_insert_with(|| url.to_string());
            let pool = db::pool_with(
                url,
                settings.db_pool_size,
                Duration::from_millis(settings.db_acquire_timeout_ms),
            )
            .await?;
            if *demo {
                let empty: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM events)")
                    .fetch_one(&pool)
                    .await?;
                if empty {
                    let n = app::demo::seed(&pool).await?;
                    println!("seeded the demo company ({n} transactions)");
                }
            }
            let state = build_state(settings, pool.clone()).await?;
            let projector = state.projector.clone();
            let server = Server::bind(state).await?;
            let addr = server.local_addr()?;
            tracing::info!(%addr, "serving; API docs at http://{addr}/api/docs");
            if let Some(metrics) = server.metrics_addr().transpose()? {
                tracing::info!(%metrics, "serving /metrics alone (LEDGER_METRICS_LISTEN)");
            }
            println!(
                "Ledger is running at http://{addr} (API docs: http://{addr}/api/docs). Press Ctrl-C to stop."
            );
            server.run(shutdown_signal()).await?;
            // Stop the projector before the database goes away (the embedded cluster stops next).
            projector.stop();
            pool.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Replay => {
            let pool = db::pool(url, 6).await?;
            let mut conn = pool.acquire().await?.detach();
            projections::rebuild::wait_for_lock(&mut conn, Duration::from_secs(10))
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "{e}: stop `ledger serve` first, the running projector owns the read tables"
                    )
                })?;
            let stats = projections::rebuild::replay(&pool, &mut conn).await?;
            let _ = conn.close().await;
            println!(
                "replayed {} events in {:.3} s ({:.0} events/s)",
                stats.events, stats.seconds, stats.events_per_second
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(args) => {
            let pool = db::pool(url, 6).await?;
            let applied = api::traffic::cli::import_file(&pool, args).await?;
            pool.close().await;
            Ok(if applied {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::User { command } => {
            let pool = db::pool(url, 2).await?;
            let line = api::auth::cli::run(&pool, command).await?;
            pool.close().await;
            println!("{line}");
            Ok(ExitCode::SUCCESS)
        }
        Command::SeedDemo => {
            let pool = db::pool(url, 4).await?;
            let n = app::demo::seed(&pool).await?;
            println!(
                "seeded the demo company: {n} transactions (projected when `ledger serve` runs)"
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify => {
            let pool = db::pool(url, 6).await?;
            let report = projections::rebuild::verify(&pool).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            if report.ok() {
                println!(
                    "OK: {} events, chain head {}; read tables match a fresh rebuild",
                    report.events_checked, report.head_hash
                );
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "FAILED: chain ok = {}, tables ok = {}, read side ok = {}{}",
                    report.chain_ok,
                    report.tables_ok,
                    report.read_side_ok,
                    report
                        .projector_error
                        .as_deref()
                        .map(|e| format!(" (projector: {e})"))
                        .unwrap_or_default()
                );
                Ok(ExitCode::from(2))
            }
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.log_json);
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

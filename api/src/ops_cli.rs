//! `ledger backup`, `ledger restore` and `ledger migrate --dry-run`: argument handling and
//! output only; the work is `app::ops`.

use std::path::PathBuf;
use std::process::ExitCode;

use sqlx::Connection;

use crate::config::Settings;
use crate::db;

#[derive(Debug, Clone, clap::Args)]
pub struct BackupArgs {
    /// The archive to write (never overwritten). Default: `ledger-<UTC time>.tar` here.
    #[arg(long)]
    pub to: Option<PathBuf>,
    /// Also store the JWT secret (anyone holding the archive can then sign access tokens).
    #[arg(long)]
    pub include_secrets: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct RestoreArgs {
    /// The archive `ledger backup` wrote.
    pub path: PathBuf,
    /// Delete everything the target database holds and replace it with the backup.
    #[arg(long)]
    pub force: bool,
}

/// Writes a backup of the database at `url` with the uploads of `settings.data_dir`.
pub async fn backup(settings: &Settings, url: &str, args: &BackupArgs) -> anyhow::Result<ExitCode> {
    let to = args.to.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "ledger-{}.tar",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ))
    });
    let jwt_secret = if args.include_secrets {
        Some(crate::auth::tokens::load_or_create_secret(
            settings.jwt_secret.as_deref(),
            &settings.data_dir,
        )?)
    } else {
        None
    };
    let opts = app::ops::backup::BackupOptions {
        database_url: url.to_string(),
        data_dir: settings.data_dir.clone(),
        to,
        jwt_secret,
    };
    let summary = app::ops::backup::create(&opts).await?;
    let m = &summary.manifest;
    println!(
        "backup written: {} ({} bytes; {} events, chain head seq {} hash {}, {} uploads{})",
        summary.path.display(),
        summary.bytes,
        m.event_count,
        m.log_head.seq,
        m.log_head.hash,
        m.uploads.len(),
        if m.includes_secrets {
            ", with the JWT secret"
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// Restores `args.path` into the database at `url`; exits 2 when the result differs from the
/// archive's manifest or fails verification, saying what differs.
pub async fn restore(
    settings: &Settings,
    url: &str,
    args: &RestoreArgs,
) -> anyhow::Result<ExitCode> {
    let opts = app::ops::restore::RestoreOptions {
        archive: args.path.clone(),
        database_url: url.to_string(),
        data_dir: settings.data_dir.clone(),
        force: args.force,
    };
    let pool_url = url.to_string();
    let connect = async move || db::pool(&pool_url, 6).await.map_err(into_sqlx);
    let report = app::ops::restore::run(&opts, &db::MIGRATOR, connect).await?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    if report.ok() {
        println!(
            "OK: restored {} events (chain head seq {} hash {}), {} uploads; migrations applied: {:?}; verify passed",
            report.manifest.event_count,
            report.manifest.log_head.seq,
            report.manifest.log_head.hash,
            report.uploads_restored,
            report.migrations_applied
        );
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("RESTORE DIFFERS FROM THE BACKUP:");
    for d in &report.differences {
        eprintln!("  - {d}");
    }
    Ok(ExitCode::from(2))
}

fn into_sqlx(e: anyhow::Error) -> sqlx::Error {
    match e.downcast::<sqlx::Error>() {
        Ok(e) => e,
        Err(e) => sqlx::Error::Configuration(e.into()),
    }
}

/// Lists what `ledger migrate` would apply; exits 2 when an applied migration was changed.
pub async fn migrate_dry_run(url: &str) -> anyhow::Result<ExitCode> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let plan = app::ops::migrations::plan(&mut conn, &db::MIGRATOR).await?;
    let _ = conn.close().await;
    println!(
        "database at migration {}",
        plan.current
            .map_or_else(|| "none (new database)".into(), |v| v.to_string())
    );
    if plan.pending.is_empty() {
        println!("nothing to apply");
    }
    for m in &plan.pending {
        println!("would apply {} {}", m.version, m.description);
    }
    for v in &plan.unknown {
        println!("applied but unknown to this release: {v} (the database is newer)");
    }
    for m in &plan.changed {
        eprintln!(
            "CHANGED: {} {} was applied with other contents; migrating will fail",
            m.version, m.description
        );
    }
    Ok(if plan.changed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

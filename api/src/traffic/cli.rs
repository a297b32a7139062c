//! `ledger import FILE`: the same import as an upload, run in this process with progress on
//! stderr. The file is read where it lies (no copy).

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;
use domain::Currency;
use sqlx::PgPool;
use uuid::Uuid;

use app::traffic::imports::{
    Enqueued, ImportOptions, NewImport, Outcome, check_request, enqueue, fingerprint, stored_errors,
};
use app::traffic::{jobs, worker};

/// What the command line asked for.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// The report file (CSV; UTF-8 or UTF-16; comma, semicolon or tab delimited).
    pub file: PathBuf,
    /// moloco, keitaro, binom, voluum, redtrack or custom (default: detected from the header).
    #[arg(long)]
    pub format: Option<String>,
    /// Traffic source id (required for spend reports such as Moloco's).
    #[arg(long)]
    pub source: Option<Uuid>,
    /// Apply the valid rows even if some rows are invalid.
    #[arg(long)]
    pub accept_valid: bool,
    /// Currency of amounts when the file has no currency column.
    #[arg(long)]
    pub currency: Option<String>,
    /// Report day for files without a date column (YYYY-MM-DD).
    #[arg(long)]
    pub date: Option<NaiveDate>,
    /// JSON file with the column mapping of the custom format.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
}

/// Runs the import; true when it was applied (or had been before).
pub async fn import_file(pool: &PgPool, args: &ImportArgs) -> anyhow::Result<bool> {
    let mapping = match &args.mapping {
        Some(p) => Some(serde_json::from_slice(&std::fs::read(p)?)?),
        None => None,
    };
    let options = ImportOptions {
        accept_valid: args.accept_valid,
        default_date: args.date,
        currency: args.currency.as_deref().map(Currency::parse).transpose()?,
        mapping,
    };
    check_request(pool, args.source, args.format.as_deref(), &options).await?;
    let path = args.file.canonicalize()?;
    let (sha256, size_bytes, lines) = fingerprint(&path)?;
    let id = Uuid::now_v7();
    let new = NewImport {
        id,
        source_id: args.source,
        format: args.format.clone(),
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default(),
        file_path: path,
        sha256,
        size_bytes,
        lines,
        options,
        created_by: None,
    };
    if let Enqueued::Duplicate(existing) = enqueue(pool, &new).await? {
        println!("this file was imported before (import {existing}); nothing to do");
        return Ok(true);
    }
    let printer = tokio::spawn(print_progress(pool.clone(), id, size_bytes));
    let outcome = worker::run_now(pool, id).await;
    printer.abort();
    eprintln!();
    let outcome = match outcome? {
        Some(o) => o,
        // A running server's worker took it first: follow it there.
        None => wait_finished(pool, id).await?,
    };
    match outcome {
        Outcome::Done { position, rows } => {
            println!("import {id}: applied {rows} rows (log position {position})");
            Ok(true)
        }
        Outcome::Duplicate { of } => {
            println!("import {id}: the same file was applied meanwhile as import {of}");
            Ok(true)
        }
        Outcome::Failed { reason } => {
            eprintln!("import {id} failed: {reason}");
            let errors = stored_errors(pool, id, 20, 0).await?;
            for e in errors {
                eprintln!(
                    "  line {}{}{}: {}",
                    e.line.map(|l| l.to_string()).unwrap_or_else(|| "?".into()),
                    e.column
                        .map(|c| format!(", column {c}"))
                        .unwrap_or_default(),
                    e.value
                        .map(|v| format!(", value {v:?}"))
                        .unwrap_or_default(),
                    e.reason
                );
            }
            Ok(false)
        }
    }
}

async fn print_progress(pool: PgPool, id: Uuid, size: u64) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let job = jobs::load(&pool, id).await.ok();
        if let Some((rows, bytes)) = job.map(|j| (j.rows_done, j.bytes_done)) {
            let percent = if size > 0 {
                bytes as f64 * 100.0 / size as f64
            } else {
                0.0
            };
            eprint!("\r{rows} rows read ({percent:.0}%)   ");
        }
    }
}

async fn wait_finished(pool: &PgPool, id: Uuid) -> anyhow::Result<Outcome> {
    loop {
        let job = jobs::load(pool, id).await?;
        match job.state.as_str() {
            "done" => {
                return Ok(Outcome::Done {
                    position: job.position.unwrap_or_default(),
                    rows: job.rows_ok as u64,
                });
            }
            "failed" => {
                return Ok(Outcome::Failed {
                    reason: job.error.unwrap_or_default(),
                });
            }
            "duplicate" => {
                return Ok(Outcome::Duplicate {
                    of: job.duplicate_of.unwrap_or_default(),
                });
            }
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

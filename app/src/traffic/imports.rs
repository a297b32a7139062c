//! Running one import: parse the stored file, COPY its rows into the facts table and append
//! the `Applied` event, all in one database transaction, so a file counts whole or not at all
//! (a crash rolls the transaction back and the job can run again).
//!
//! The parse runs on a blocking thread and hands binary COPY chunks to the async side through
//! a small bounded channel: parsing and PostgreSQL's COPY overlap, and memory stays bounded
//! whatever the file's size.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::NaiveDate;
use domain::aggregate::decide;
use domain::entity::Entity;
use domain::traffic::TrafficSourceSpec;
use domain::traffic_import::{ImportApplied, ImportCommand, ReportKind, TrafficImport, scope};
use domain::{Currency, DomainError};
use importers::report::{self, ColumnMapping, Format, Kind, RowError};
use projections::copy_binary::BinaryCopy;
use serde::{Deserialize, Serialize};
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::day_totals::{self, DayTotals};
use super::facts::{self, month_of};
use crate::error::AppError;
use crate::ledger::Actor;
use eventstore::{self as store, NewEvent};

/// Row errors kept per import (all are counted).
pub const MAX_STORED_ERRORS: usize = 10_000;
/// COPY data handed over per chunk.
const CHUNK_BYTES: usize = 4 << 20;
/// Chunks in flight between the parser and COPY: bounds memory at a few chunks.
const CHUNKS_IN_FLIGHT: usize = 4;
/// How often progress is written for pollers and the SSE stream.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// What the user asked for when uploading.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportOptions {
    /// Apply the valid rows even when some rows are invalid (they are reported either way).
    #[serde(default)]
    pub accept_valid: bool,
    /// The report day for files without a date column (Moloco dashboard exports).
    #[serde(default)]
    pub default_date: Option<NaiveDate>,
    /// Currency of amounts when the file has no currency column (default: the source's).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub currency: Option<Currency>,
    /// Column mapping for the `custom` format.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub mapping: Option<ColumnMapping>,
}

/// A claimed job, as stored.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: Uuid,
    pub source_id: Option<Uuid>,
    pub format: Option<String>,
    pub file_name: String,
    pub file_path: PathBuf,
    pub sha256: String,
    pub options: ImportOptions,
    pub created_by: Option<Uuid>,
}

/// How a run ended (errors of the machinery itself are `Err`).
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Done { position: i64, rows: u64 },
    Failed { reason: String },
    Duplicate { of: Uuid },
}

impl Outcome {
    /// The job's state after this outcome (a `traffic_imports.state`).
    pub fn state(&self) -> &'static str {
        match self {
            Outcome::Done { .. } => "done",
            Outcome::Failed { .. } => "failed",
            Outcome::Duplicate { .. } => "duplicate",
        }
    }
}

/// Counters the parser thread advances and the progress writer reads.
#[derive(Default)]
struct Progress {
    rows: AtomicU64,
    bytes: AtomicU64,
}

/// Counts the bytes read from the file, for progress.
struct Counting<R> {
    inner: R,
    progress: Arc<Progress>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// What the parser thread found, once the file is read.
#[derive(Debug, Default)]
struct Summary {
    format: Option<Format>,
    kind: Option<Kind>,
    rows_ok: u64,
    rows_failed: u64,
    rows_skipped: u64,
    errors: Vec<RowError>,
    file_error: Option<String>,
    /// Months whose partition did not exist: the run must be repeated once they do.
    missing_months: BTreeSet<NaiveDate>,
    date_from: Option<NaiveDate>,
    date_to: Option<NaiveDate>,
    /// The written rows' per-day sums as COPY data for `traffic_import_days`, when kept.
    day_totals: Option<CopyData>,
}

/// Binary COPY data, shown by its size only.
struct CopyData(Vec<u8>);

impl std::fmt::Debug for CopyData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CopyData({} bytes)", self.0.len())
    }
}

enum Message {
    /// The file is open: its rows go to this COPY statement.
    Start(String),
    Chunk(Vec<u8>),
    Done(Box<Summary>),
}

struct ParseInput {
    job: Job,
    options: report::Options,
    known_months: BTreeSet<NaiveDate>,
    progress: Arc<Progress>,
}

/// The parser thread: reads the whole file, sends COPY chunks while the rows are worth
/// writing, and always reports every row error.
fn parse(input: ParseInput, tx: mpsc::Sender<Message>) {
    let ParseInput {
        job,
        options,
        known_months,
        progress,
    } = input;
    let mut summary = Summary::default();
    let file = match File::open(&job.file_path) {
        Ok(f) => f,
        Err(e) => {
            summary.file_error = Some(format!("the uploaded file cannot be read: {e}"));
            let _ = tx.blocking_send(Message::Done(Box::new(summary)));
            return;
        }
    };
    let counting = Counting {
        inner: file,
        progress: progress.clone(),
    };
    let reader = match report::open(BufReader::with_capacity(1 << 16, counting), &options) {
        Ok(r) => r,
        Err(e) => {
            summary.file_error = Some(e.to_string());
            let _ = tx.blocking_send(Message::Done(Box::new(summary)));
            return;
        }
    };
    summary.format = Some(reader.format());
    summary.kind = Some(reader.kind());
    let kind = reader.kind();
    if tx
        .blocking_send(Message::Start(facts::copy_statement(kind)))
        .is_err()
    {
        return;
    }
    let accept_valid = job.options.accept_valid;
    let mut copy = BinaryCopy::default();
    let mut totals = DayTotals::default();
    let mut writing = true;
    let mut reader = reader;
    for item in reader.by_ref() {
        progress.rows.fetch_add(1, Ordering::Relaxed);
        match item {
            Ok(parsed) => {
                let date = facts::date_of(&parsed.record);
                summary.rows_ok += 1;
                summary.date_from = Some(summary.date_from.map_or(date, |d| d.min(date)));
                summary.date_to = Some(summary.date_to.map_or(date, |d| d.max(date)));
                let month = month_of(date);
                if facts::partitioned(kind) && !known_months.contains(&month) {
                    summary.missing_months.insert(month);
                    writing = false;
                }
                if writing {
                    facts::encode(&mut copy, job.id, parsed.line, &parsed.record);
                    totals.add(&parsed.record);
                    if copy.buffered() >= CHUNK_BYTES
                        && tx.blocking_send(Message::Chunk(copy.take())).is_err()
                    {
                        return; // the receiver gave up; nothing will be committed
                    }
                }
            }
            Err(e) => {
                if !accept_valid {
                    // The run will be rolled back: keep reading only to report every error.
                    writing = false;
                }
                let fatal = e.fatal;
                if summary.errors.len() < MAX_STORED_ERRORS {
                    summary.errors.push(e);
                }
                if fatal {
                    writing = false;
                    summary.file_error =
                        Some("the file cannot be read past this point (see the row errors)".into());
                    break;
                }
            }
        }
    }
    let stats = reader.stats();
    summary.rows_failed = stats.rejected;
    summary.rows_skipped = stats.skipped_totals + stats.skipped_blank;
    if writing && summary.rows_ok > 0 {
        let _ = tx.blocking_send(Message::Chunk(copy.finish()));
        if facts::partitioned(kind) {
            summary.day_totals = totals.encode(job.id).map(CopyData);
        }
    }
    let _ = tx.blocking_send(Message::Done(Box::new(summary)));
}

/// The months that have a facts partition.
async fn known_months(conn: &mut PgConnection) -> Result<BTreeSet<NaiveDate>, sqlx::Error> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
         WHERE i.inhparent = 'traffic_facts'::regclass",
    )
    .fetch_all(conn)
    .await?;
    Ok(names
        .iter()
        .filter_map(|n| {
            let ym = n.strip_prefix("traffic_facts_")?;
            NaiveDate::parse_from_str(&format!("{ym}_01"), "%Y_%m_%d").ok()
        })
        .collect())
}

async fn create_partitions(pool: &PgPool, months: &BTreeSet<NaiveDate>) -> Result<(), sqlx::Error> {
    for month in months {
        sqlx::query("SELECT traffic_facts_partition($1)")
            .bind(month)
            .execute(pool)
            .await?;
    }
    Ok(())
}

async fn source_currency(
    conn: &mut PgConnection,
    source_id: Option<Uuid>,
) -> Result<Option<Currency>, AppError> {
    let Some(id) = source_id else { return Ok(None) };
    let (source, _) = store::load::<Entity<TrafficSourceSpec>>(conn, &id.to_string()).await?;
    let spec = source.spec.ok_or(DomainError::NotFound {
        entity: "traffic_source",
        id: id.to_string(),
    })?;
    Ok(Some(spec.currency))
}

/// The format called `name` (moloco, keitaro, binom, voluum, redtrack, custom).
pub fn format_named(name: &str) -> Option<Format> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

pub fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Spend => "spend",
        Kind::Results => "results",
        Kind::Conversions => "conversions",
    }
}

fn parser_options(job: &Job, currency: Option<Currency>, today: NaiveDate) -> report::Options {
    let mut options = report::Options::new(today);
    options.format = job.format.as_deref().and_then(format_named);
    options.mapping = job.options.mapping.clone();
    options.default_currency = job.options.currency.or(currency);
    options.default_date = job.options.default_date;
    options.file_name = Some(job.file_name.clone());
    options
}

/// Writes progress every [`PROGRESS_EVERY`] until stopped.
fn spawn_progress_writer(
    pool: PgPool,
    id: Uuid,
    progress: Arc<Progress>,
) -> tokio::sync::oneshot::Sender<()> {
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = &mut stopped => return,
                _ = tokio::time::sleep(PROGRESS_EVERY) => {}
            }
            let _ = sqlx::query(
                "UPDATE traffic_imports SET rows_done = $2, bytes_done = $3 WHERE id = $1 AND state = 'running'",
            )
            .bind(id)
            .bind(progress.rows.load(Ordering::Relaxed) as i64)
            .bind(progress.bytes.load(Ordering::Relaxed) as i64)
            .execute(&pool)
            .await;
        }
    });
    stop
}

/// Runs `job` to its end on `conn` (which the caller holds for the job's lifetime).
pub async fn run(
    pool: &PgPool,
    conn: &mut PgConnection,
    job: &Job,
    today: NaiveDate,
) -> Result<Outcome, AppError> {
    let currency = match source_currency(conn, job.source_id).await {
        Ok(c) => c,
        Err(e) => {
            return Ok(Outcome::Failed {
                reason: e.to_string(),
            });
        }
    };
    // Once partitions are created the second attempt finds them all.
    for _attempt in 0..2 {
        let progress = Arc::new(Progress::default());
        let stop_progress = spawn_progress_writer(pool.clone(), job.id, progress.clone());
        let attempt = run_once(pool, conn, job, currency, today, progress).await;
        let _ = stop_progress.send(());
        match attempt? {
            Attempt::Finished(outcome, summary) => {
                if !matches!(outcome, Outcome::Done { .. }) {
                    // A done import stored its result in its own transaction.
                    let mut tx = pool.begin().await?;
                    store_result(&mut tx, job.id, &outcome, &summary).await?;
                    tx.commit().await?;
                }
                return Ok(outcome);
            }
            Attempt::NeedPartitions(months) => create_partitions(pool, &months).await?,
        }
    }
    Err(AppError::internal(
        "facts partitions still missing after creating them",
    ))
}

/// Why a parsed file must not be applied, if it must not.
fn refusal(summary: &Summary, accept_valid: bool) -> Option<String> {
    if let Some(e) = &summary.file_error {
        Some(e.clone())
    } else if summary.rows_failed > 0 && !accept_valid {
        Some(format!(
            "{} of {} rows are invalid; nothing was imported (fix the file, or import again accepting the valid rows)",
            summary.rows_failed,
            summary.rows_failed + summary.rows_ok
        ))
    } else if summary.rows_ok == 0 {
        Some("the file has no data rows".into())
    } else {
        None
    }
}

/// Feeds the parser's chunks to one COPY on `conn` and ends it: finished when the rows are to
/// be applied, aborted otherwise.
async fn receive(
    conn: &mut PgConnection,
    chunks: &mut mpsc::Receiver<Message>,
    accept_valid: bool,
) -> Result<Box<Summary>, AppError> {
    let closed = || AppError::internal("the import parser stopped unexpectedly");
    let statement = match chunks.recv().await.ok_or_else(closed)? {
        Message::Done(summary) => return Ok(summary),
        Message::Start(statement) => statement,
        Message::Chunk(_) => return Err(AppError::internal("rows before the file was opened")),
    };
    let first = match chunks.recv().await.ok_or_else(closed)? {
        Message::Done(summary) => return Ok(summary),
        Message::Chunk(bytes) => bytes,
        Message::Start(_) => return Err(AppError::internal("the file was opened twice")),
    };
    let mut copy = conn.copy_in_raw(&statement).await?;
    copy.send(first).await?;
    let summary = loop {
        match chunks.recv().await.ok_or_else(closed)? {
            Message::Chunk(bytes) => {
                copy.send(bytes).await?;
            }
            Message::Done(summary) => break summary,
            Message::Start(_) => return Err(AppError::internal("the file was opened twice")),
        }
    };
    if summary.missing_months.is_empty() && refusal(&summary, accept_valid).is_none() {
        copy.finish().await?;
    } else {
        copy.abort("import not applied").await.ok();
    }
    Ok(summary)
}

enum Attempt {
    Finished(Outcome, Box<Summary>),
    NeedPartitions(BTreeSet<NaiveDate>),
}

async fn run_once(
    pool: &PgPool,
    conn: &mut PgConnection,
    job: &Job,
    currency: Option<Currency>,
    today: NaiveDate,
    progress: Arc<Progress>,
) -> Result<Attempt, AppError> {
    let known = known_months(conn).await?;
    let (tx_chunks, mut chunks) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let input = ParseInput {
        job: job.clone(),
        options: parser_options(job, currency, today),
        known_months: known,
        progress,
    };
    let parser = tokio::task::spawn_blocking(move || parse(input, tx_chunks));

    let mut tx = conn.begin().await?;
    let summary = receive(&mut tx, &mut chunks, job.options.accept_valid).await?;
    parser.await.map_err(AppError::internal)?;
    if !summary.missing_months.is_empty() {
        tx.rollback().await?;
        return Ok(Attempt::NeedPartitions(summary.missing_months.clone()));
    }
    if let Some(reason) = refusal(&summary, job.options.accept_valid) {
        tx.rollback().await?;
        return Ok(Attempt::Finished(Outcome::Failed { reason }, summary));
    }
    let failed = |reason: String| Outcome::Failed { reason };
    let mut summary = summary;
    match summary.day_totals.take() {
        Some(CopyData(bytes)) => {
            let mut copy = tx.copy_in_raw(&day_totals::copy_statement()).await?;
            copy.send(bytes).await?;
            copy.finish().await?;
        }
        // Too many groups to sum while parsing: PostgreSQL sums the facts just written.
        None => {
            projections::traffic::sum_import_days(&mut tx, job.id).await?;
        }
    }

    let kind = match summary.kind {
        Some(Kind::Spend) => ReportKind::Spend,
        Some(Kind::Conversions) => ReportKind::Conversions,
        _ => ReportKind::Results,
    };
    let format = summary.format.map(|f| f.name()).unwrap_or("custom");
    let (from, to) = (
        summary.date_from.expect("rows imply dates"),
        summary.date_to.expect("rows imply dates"),
    );
    let applied = ImportApplied {
        kind,
        source_id: job.source_id,
        format: format.to_string(),
        scope: scope(kind, job.source_id, format),
        file_name: job.file_name.clone(),
        sha256: job.sha256.clone(),
        rows: summary.rows_ok,
        rows_rejected: summary.rows_failed,
        date_from: from,
        date_to: to,
        day_totals: true,
    };
    let id = job.id.to_string();
    let (mut state, version) = store::load::<TrafficImport>(&mut tx, &id).await?;
    let events = match decide(&mut state, ImportCommand::Apply(applied), &()).await {
        Ok(events) => events,
        Err(e) => {
            tx.rollback().await?;
            return Ok(Attempt::Finished(failed(e.to_string()), summary));
        }
    };
    let events = NewEvent::from_domain::<TrafficImport>(&id, version, events)?;
    let actor = Actor {
        user_id: job.created_by,
        request_id: None,
        source: format!("import:{}", job.id),
    };
    let position = crate::executor::append_in(&mut tx, &events, &actor, "the import").await?;
    // Claims the file's checksum; a concurrent import of the same file loses here.
    let claimed = sqlx::query(
        "UPDATE traffic_imports SET state = 'done', position = $2 WHERE id = $1 \
         AND NOT EXISTS (SELECT 1 FROM traffic_imports WHERE sha256 = $3 AND state = 'done')",
    )
    .bind(job.id)
    .bind(position)
    .bind(&job.sha256)
    .execute(&mut *tx)
    .await;
    match claimed {
        Ok(r) if r.rows_affected() == 1 => {}
        Ok(_) | Err(_) => {
            tx.rollback().await.ok();
            let of: Uuid = sqlx::query_scalar(
                "SELECT id FROM traffic_imports WHERE sha256 = $1 AND state = 'done'",
            )
            .bind(&job.sha256)
            .fetch_one(pool)
            .await?;
            return Ok(Attempt::Finished(Outcome::Duplicate { of }, summary));
        }
    }
    let outcome = Outcome::Done {
        position,
        rows: summary.rows_ok,
    };
    // In the same transaction: whoever sees `done` sees the counters too.
    store_result(&mut tx, job.id, &outcome, &summary).await?;
    tx.commit().await?;
    Ok(Attempt::Finished(outcome, summary))
}

/// Records the end of a run: counters, state and the row errors.
async fn store_result(
    tx: &mut PgConnection,
    id: Uuid,
    outcome: &Outcome,
    s: &Summary,
) -> Result<(), AppError> {
    let state = outcome.state();
    let (error, duplicate_of) = match outcome {
        Outcome::Done { .. } => (None, None),
        Outcome::Failed { reason } => (Some(reason.clone()), None),
        Outcome::Duplicate { of } => (None, Some(*of)),
    };
    let total = (s.rows_ok + s.rows_failed) as i64;
    sqlx::query(
        "UPDATE traffic_imports SET state = $2, error = $3, duplicate_of = $4, \
           detected_format = $5, kind = $6, rows_total = $7, rows_done = $7, bytes_done = size_bytes, \
           rows_ok = $8, rows_failed = $9, rows_skipped = $10, date_from = $11, date_to = $12, \
           finished_at = now() \
         WHERE id = $1",
    )
    .bind(id)
    .bind(state)
    .bind(error)
    .bind(duplicate_of)
    .bind(s.format.map(|f| f.name()))
    .bind(s.kind.map(kind_name))
    .bind(total)
    .bind(s.rows_ok as i64)
    .bind(s.rows_failed as i64)
    .bind(s.rows_skipped as i64)
    .bind(s.date_from)
    .bind(s.date_to)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM traffic_import_errors WHERE import_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if !s.errors.is_empty() {
        let n: Vec<i32> = (1..=s.errors.len() as i32).collect();
        let lines: Vec<i64> = s.errors.iter().map(|e| e.line as i64).collect();
        let columns: Vec<Option<String>> = s.errors.iter().map(|e| e.column.clone()).collect();
        let values: Vec<Option<String>> = s.errors.iter().map(|e| e.value.clone()).collect();
        let reasons: Vec<String> = s.errors.iter().map(|e| e.reason.clone()).collect();
        sqlx::query(
            "INSERT INTO traffic_import_errors (import_id, n, line, \"column\", value, reason) \
             SELECT $1, * FROM UNNEST($2::int[], $3::bigint[], $4::text[], $5::text[], $6::text[])",
        )
        .bind(id)
        .bind(n)
        .bind(lines)
        .bind(columns)
        .bind(values)
        .bind(reasons)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// A file ready to queue.
#[derive(Debug, Clone)]
pub struct NewImport {
    pub id: Uuid,
    pub source_id: Option<Uuid>,
    pub format: Option<String>,
    pub file_name: String,
    pub file_path: PathBuf,
    pub sha256: String,
    pub size_bytes: u64,
    /// Line breaks in the file: the row estimate shown until the parse counts exactly.
    pub lines: u64,
    pub options: ImportOptions,
    pub created_by: Option<Uuid>,
}

pub enum Enqueued {
    Queued,
    /// The same file was applied before, by this import.
    Duplicate(Uuid),
}

/// Checks what can be checked before the file is read: the format's needs and the source.
pub async fn check_request(
    pool: &PgPool,
    source_id: Option<Uuid>,
    format: Option<&str>,
    options: &ImportOptions,
) -> Result<(), AppError> {
    if let Some(f) = format
        && format_named(f).is_none()
    {
        return Err(AppError::invalid(
            "format",
            "must be moloco, keitaro, binom, voluum, redtrack or custom",
        ));
    }
    if format == Some("custom") && options.mapping.is_none() {
        return Err(AppError::invalid(
            "mapping",
            "the custom format needs a column mapping",
        ));
    }
    if format == Some("moloco") && source_id.is_none() {
        return Err(AppError::invalid(
            "source_id",
            "a Moloco spend report belongs to a traffic source",
        ));
    }
    if let Some(source) = source_id {
        let mut conn = pool.acquire().await?;
        let (entity, _) =
            store::load::<Entity<TrafficSourceSpec>>(&mut conn, &source.to_string()).await?;
        if !entity.exists() {
            return Err(AppError::invalid(
                "source_id",
                format!("no traffic source with id {source}"),
            ));
        }
        if entity.archived {
            return Err(AppError::invalid(
                "source_id",
                "the traffic source is archived",
            ));
        }
    }
    Ok(())
}

/// Queues `n`, unless the same file was applied before.
pub async fn enqueue(pool: &PgPool, n: &NewImport) -> Result<Enqueued, AppError> {
    if let Some(existing) = sqlx::query_scalar::<_, Uuid>(
        "SELECT id FROM traffic_imports WHERE sha256 = $1 AND state = 'done'",
    )
    .bind(&n.sha256)
    .fetch_optional(pool)
    .await?
    {
        return Ok(Enqueued::Duplicate(existing));
    }
    sqlx::query(
        "INSERT INTO traffic_imports (id, source_id, format, file_name, file_path, sha256, size_bytes, \
           options, state, rows_total, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $10)",
    )
    .bind(n.id)
    .bind(n.source_id)
    .bind(&n.format)
    .bind(&n.file_name)
    .bind(n.file_path.to_string_lossy().to_string())
    .bind(&n.sha256)
    .bind(n.size_bytes as i64)
    .bind(sqlx::types::Json(&n.options))
    .bind(n.lines.saturating_sub(1) as i64)
    .bind(n.created_by)
    .execute(pool)
    .await?;
    Ok(Enqueued::Queued)
}

/// SHA-256 (hex), size and line breaks of a file, read in blocks.
pub fn fingerprint(path: &std::path::Path) -> std::io::Result<(String, u64, u64)> {
    use sha2::{Digest, Sha256};
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let (mut hash, mut size, mut lines) = (Sha256::new(), 0u64, 0u64);
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        size += n as u64;
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
    }
    Ok((hex::encode(hash.finalize()), size, lines))
}

/// One invalid row, as stored.
#[derive(Debug, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct ImportErrorOut {
    pub line: Option<i64>,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

/// A page of import `id`'s stored row errors, in file order.
pub async fn stored_errors(
    pool: &PgPool,
    id: Uuid,
    limit: i64,
    offset: i64,
) -> Result<Vec<ImportErrorOut>, sqlx::Error> {
    sqlx::query_as::<_, ImportErrorOut>(
        "SELECT line, \"column\", value, reason FROM traffic_import_errors WHERE import_id = $1 \
         ORDER BY n LIMIT $2 OFFSET $3",
    )
    .bind(id)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
}

//! The upload folder (`<data dir>/imports`): report files wait there for the import worker.
//! It has a quota (an upload that would exceed it is refused before it is written) and a
//! cleanup: files of finished, failed or duplicate imports are deleted after
//! `LEDGER_UPLOAD_KEEP_DAYS` (0: at once), and files no import names (an upload that broke
//! off in a crash) after a day. Only `*.upload` files in this folder are ever deleted: a file
//! imported by `ledger import FILE` stays where its owner keeps it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::error::AppError;

/// File name ending of uploads.
pub const SUFFIX: &str = "upload";
/// How often the periodic cleanup runs.
pub const CLEANUP_EVERY: Duration = Duration::from_secs(60 * 60);
/// Age after which a file no import names is deleted.
pub const ORPHAN_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
/// Most files one cleanup round looks at (the next round continues).
pub const MAX_FILES_PER_ROUND: usize = 10_000;

/// Where uploads wait, under the server's data folder.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("imports")
}

/// The cleanup's settings.
#[derive(Debug, Clone)]
pub struct Cleanup {
    pub dir: PathBuf,
    pub keep_days: u32,
}

/// Bytes the folder's uploads take now.
pub async fn usage_bytes(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    while let Some(entry) = entries.next_entry().await? {
        if let Ok(meta) = entry.metadata().await
            && meta.is_file()
        {
            total += meta.len();
        }
    }
    Ok(total)
}

/// The folder cannot take `incoming` more bytes.
pub fn quota_exceeded(used: u64, incoming: u64, quota: u64) -> AppError {
    AppError::UploadQuotaExceeded {
        detail: format!(
            "the upload folder holds {used} of {quota} bytes (LEDGER_UPLOAD_QUOTA_BYTES); \
             this upload of at least {incoming} bytes would exceed it. Try again after \
             finished uploads are cleaned up"
        ),
    }
}

/// Upload files in `dir` with the import id in their name.
async fn upload_files(dir: &Path) -> std::io::Result<Vec<(Uuid, PathBuf, std::fs::Metadata)>> {
    let mut out = Vec::new();
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    while let Some(entry) = entries.next_entry().await? {
        let path = entry.path();
        let id = path
            .extension()
            .filter(|e| *e == SUFFIX)
            .and_then(|_| path.file_stem()?.to_str()?.parse::<Uuid>().ok());
        if let (Some(id), Ok(meta)) = (id, entry.metadata().await)
            && meta.is_file()
        {
            out.push((id, path, meta));
            if out.len() >= MAX_FILES_PER_ROUND {
                break;
            }
        }
    }
    Ok(out)
}

/// Deletes the uploads whose import ended more than `keep_days` before `now`, and files no
/// import names that are older than [`ORPHAN_AFTER`]. Answers how many it deleted.
pub async fn cleanup(pool: &PgPool, c: &Cleanup, now: DateTime<Utc>) -> Result<usize, AppError> {
    let files = upload_files(&c.dir).await.map_err(AppError::internal)?;
    if files.is_empty() {
        return Ok(0);
    }
    let ids: Vec<Uuid> = files.iter().map(|(id, _, _)| *id).collect();
    let ended: Vec<(Uuid, Option<DateTime<Utc>>)> = sqlx::query_as(
        "SELECT id, CASE WHEN state IN ('done', 'failed', 'duplicate') \
                         THEN coalesce(finished_at, created_at) END \
           FROM traffic_imports WHERE id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    let ended: std::collections::HashMap<Uuid, Option<DateTime<Utc>>> = ended.into_iter().collect();
    let keep = chrono::Duration::days(i64::from(c.keep_days));
    let mut deleted = 0;
    for (id, path, meta) in files {
        let expired = match ended.get(&id) {
            Some(Some(at)) => *at + keep <= now,
            Some(None) => false, // queued or running
            None => meta
                .modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age >= ORPHAN_AFTER),
        };
        if expired {
            match tokio::fs::remove_file(&path).await {
                Ok(()) => deleted += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "could not delete an upload")
                }
            }
        }
    }
    Ok(deleted)
}

/// Runs [`cleanup`] now and every [`CLEANUP_EVERY`]; an outage only delays a round.
pub fn spawn_cleanup(pool: PgPool, c: Cleanup) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(CLEANUP_EVERY);
        loop {
            every.tick().await;
            run_logged(&pool, &c).await;
        }
    })
}

/// One cleanup round, logged, never failing.
pub async fn run_logged(pool: &PgPool, c: &Cleanup) {
    match cleanup(pool, c, Utc::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(files = n, "deleted finished uploads"),
        Err(e) => tracing::warn!(error = %e, "cleaning up uploads failed; the next round retries"),
    }
}

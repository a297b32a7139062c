//! Scheduled backups in the server (`LEDGER_BACKUP_CRON`, `LEDGER_BACKUP_DIR`,
//! `LEDGER_BACKUP_KEEP`): an archive per run named by its time, the oldest beyond `keep`
//! deleted, and the last success kept where `/metrics` and the admin endpoint read it.
//!
//! The last success is read back from the folder itself (the newest archive's manifest), so a
//! restarted server still knows it, and only archives that were completely written count: a
//! backup appears there only by its final, atomic link.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use tokio_cron_scheduler::{Job, JobScheduler};

use super::backup::{self, BackupOptions};
use super::{OpsError, OpsResult, archive};

/// Archives this schedule writes, and the only files its rotation ever deletes.
const PREFIX: &str = "ledger-";
const SUFFIX: &str = ".tar";
/// Advisory lock key of a running scheduled backup ("LEDGBKUP"): with several instances on
/// one database, one of them backs up per tick.
pub const BACKUP_LOCK: i64 = 0x4c45_4447_424b_5550;

#[derive(Debug, Clone)]
pub struct ScheduleConfig {
    /// Cron expression with seconds, in UTC.
    pub cron: String,
    pub dir: PathBuf,
    /// Archives kept (the newest ones); 0 keeps all.
    pub keep: usize,
    pub database_url: String,
    pub data_dir: PathBuf,
}

/// An archive in the backup folder.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ArchiveInfo {
    pub file: String,
    pub bytes: u64,
    pub created_at: DateTime<Utc>,
    pub head_seq: i64,
    pub head_hash: String,
    pub event_count: i64,
}

/// A scheduled backup that failed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Failure {
    pub at: DateTime<Utc>,
    pub error: String,
}

/// What the server knows about its scheduled backups.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BackupStatus {
    pub enabled: bool,
    pub cron: Option<String>,
    pub dir: Option<String>,
    pub keep: Option<usize>,
    pub last_success: Option<ArchiveInfo>,
    /// The latest failure, if it came after the last success.
    pub last_failure: Option<Failure>,
    /// The archives in the folder, newest first.
    pub archives: Vec<ArchiveInfo>,
}

/// Shared by the schedule, `/metrics` and the admin endpoint.
#[derive(Clone, Default)]
pub struct BackupMonitor {
    config: Option<Arc<ScheduleConfig>>,
    last_failure: Arc<Mutex<Option<Failure>>>,
    /// When the schedule started here: with no archive yet, backups are overdue counting
    /// from then.
    started_at: DateTime<Utc>,
}

impl BackupMonitor {
    /// A monitor of a server without scheduled backups.
    pub fn disabled() -> Self {
        Self::default()
    }

    pub fn config(&self) -> Option<&ScheduleConfig> {
        self.config.as_deref()
    }

    pub fn started_at(&self) -> DateTime<Utc> {
        self.started_at
    }

    /// Reads the folder now (the endpoint calls it; cheap for a handful of archives).
    pub async fn status(&self) -> BackupStatus {
        let Some(cfg) = self.config.clone() else {
            return BackupStatus {
                enabled: false,
                cron: None,
                dir: None,
                keep: None,
                last_success: None,
                last_failure: None,
                archives: Vec::new(),
            };
        };
        let dir = cfg.dir.clone();
        let archives = tokio::task::spawn_blocking(move || list(&dir))
            .await
            .unwrap_or_default();
        let last_success = archives.first().cloned();
        let failure = self.last_failure.lock().expect("not poisoned").clone();
        let last_failure =
            failure.filter(|f| last_success.as_ref().is_none_or(|s| f.at > s.created_at));
        BackupStatus {
            enabled: true,
            cron: Some(cfg.cron.clone()),
            dir: Some(cfg.dir.display().to_string()),
            keep: Some(cfg.keep),
            last_success,
            last_failure,
            archives,
        }
    }

    /// Runs one backup now (the schedule's tick, or an admin's request) and rotates.
    pub async fn run_once(&self, pool: &PgPool) -> OpsResult<Option<ArchiveInfo>> {
        let Some(cfg) = self.config.clone() else {
            return Err(OpsError::Other(
                "scheduled backups are off (set LEDGER_BACKUP_CRON)".into(),
            ));
        };
        let result = locked_backup(pool, &cfg).await;
        match &result {
            Ok(Some(info)) => {
                publish_metric(info);
                rotate(&cfg.dir, cfg.keep);
                tracing::info!(file = %info.file, bytes = info.bytes, head = info.head_seq, "backup written");
            }
            Ok(None) => tracing::info!("another instance is backing up; skipped"),
            Err(e) => {
                metrics::counter!(super::metrics::BACKUP_FAILURES).increment(1);
                tracing::error!(error = %e, "scheduled backup failed");
                *self.last_failure.lock().expect("not poisoned") = Some(Failure {
                    at: Utc::now(),
                    error: e.to_string(),
                });
            }
        }
        result
    }
}

/// Adds the backup job to `scheduler` (or a new one) and publishes the last success found in
/// the folder, so the metric is right from the first scrape after a restart.
pub async fn start(
    scheduler: Option<JobScheduler>,
    pool: PgPool,
    config: ScheduleConfig,
) -> OpsResult<(JobScheduler, BackupMonitor)> {
    std::fs::create_dir_all(&config.dir)
        .map_err(OpsError::io(format!("creating {}", config.dir.display())))?;
    let monitor = BackupMonitor {
        config: Some(Arc::new(config.clone())),
        last_failure: Arc::default(),
        started_at: Utc::now(),
    };
    if let Some(newest) = list(&config.dir).first() {
        publish_metric(newest);
    }
    let scheduler = match scheduler {
        Some(s) => s,
        None => {
            let s = JobScheduler::new().await.map_err(other)?;
            s.start().await.map_err(other)?;
            s
        }
    };
    let job_monitor = monitor.clone();
    let job = Job::new_async(config.cron.as_str(), move |_id, _scheduler| {
        let (monitor, pool) = (job_monitor.clone(), pool.clone());
        Box::pin(async move {
            let _ = monitor.run_once(&pool).await;
        })
    })
    .map_err(|e| OpsError::Other(format!("LEDGER_BACKUP_CRON {:?}: {e}", config.cron)))?;
    scheduler.add(job).await.map_err(other)?;
    Ok((scheduler, monitor))
}

fn other(e: impl std::fmt::Display) -> OpsError {
    OpsError::Other(e.to_string())
}

fn publish_metric(info: &ArchiveInfo) {
    metrics::gauge!(super::metrics::BACKUP_LAST_SUCCESS).set(info.created_at.timestamp() as f64);
    metrics::gauge!(super::metrics::BACKUP_LAST_SIZE).set(info.bytes as f64);
}

/// One backup under the advisory lock; `None` when another instance holds it.
async fn locked_backup(pool: &PgPool, cfg: &ScheduleConfig) -> OpsResult<Option<ArchiveInfo>> {
    let mut conn = pool.acquire().await?;
    let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(BACKUP_LOCK)
        .fetch_one(&mut *conn)
        .await?;
    if !got {
        return Ok(None);
    }
    let stamp = Utc::now().format("%Y%m%dT%H%M%S%3fZ");
    let opts = BackupOptions {
        database_url: cfg.database_url.clone(),
        data_dir: cfg.data_dir.clone(),
        to: cfg.dir.join(format!("{PREFIX}{stamp}{SUFFIX}")),
        // Scheduled archives sit on a disk next to the server: no secrets in them.
        jwt_secret: None,
    };
    let result = backup::create(&opts).await;
    let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(BACKUP_LOCK)
        .execute(&mut *conn)
        .await;
    let summary = result?;
    Ok(Some(info(&summary.path, summary.bytes, &summary.manifest)))
}

fn info(path: &Path, bytes: u64, m: &archive::Manifest) -> ArchiveInfo {
    ArchiveInfo {
        file: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        bytes,
        created_at: m.created_at,
        head_seq: m.log_head.seq,
        head_hash: m.log_head.hash.clone(),
        event_count: m.event_count,
    }
}

/// The schedule's archives in `dir`, newest first (names sort by time).
pub fn list(dir: &Path) -> Vec<ArchiveInfo> {
    let mut names: Vec<PathBuf> = archive_paths(dir);
    names.sort();
    names.reverse();
    names
        .iter()
        .filter_map(|path| {
            let manifest = archive::read_manifest(path).ok()?;
            let bytes = std::fs::metadata(path).ok()?.len();
            Some(info(path, bytes, &manifest))
        })
        .collect()
}

fn archive_paths(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        })
        .collect()
}

/// Deletes the schedule's oldest archives beyond `keep` (0 keeps all). Only files named as
/// this schedule names them are touched: anything else in the folder is the operator's.
pub fn rotate(dir: &Path, keep: usize) {
    if keep == 0 {
        return;
    }
    let mut paths = archive_paths(dir);
    paths.sort();
    let excess = paths.len().saturating_sub(keep);
    for path in paths.into_iter().take(excess) {
        if let Err(e) = std::fs::remove_file(&path) {
            tracing::warn!(path = %path.display(), error = %e, "could not delete an old backup");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_keeps_the_newest_and_touches_nothing_else() {
        let dir = std::env::temp_dir().join(format!("rotate-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let names = [
            "ledger-20261201T000000000Z.tar",
            "ledger-20261202T000000000Z.tar",
            "ledger-20261203T000000000Z.tar",
            "operator-copy.tar",
        ];
        for n in names {
            std::fs::write(dir.join(n), b"x").unwrap();
        }
        rotate(&dir, 2);
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [names[1], names[2], names[3]]);
        rotate(&dir, 0);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

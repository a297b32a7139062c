//! Operations: backup archives, restore, scheduled backups, the migration plan, and monitoring
//! (the Prometheus figures, the outcomes of outside services, the operator alerts). The CLI
//! and the server call these; nothing here knows HTTP or command-line parsing.

pub mod alerts;
pub mod archive;
pub mod backup;
pub mod metrics;
pub mod migrations;
pub mod pg_tools;
pub mod restore;
pub mod schedule;
pub mod upstream;

use std::path::{Path, PathBuf};

/// Why a backup or a restore did not happen (or did not check out), typed so that the CLI can
/// say exactly what to do.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// The target of a backup exists: archives are never overwritten.
    #[error("{} exists; a backup never overwrites a file (choose another --to)", .0.display())]
    TargetExists(PathBuf),
    /// `pg_dump`/`pg_restore` are not installed where we look.
    #[error(
        "`{tool}` not found: install the PostgreSQL client (Debian/Ubuntu: `apt-get install postgresql-client`) or set LEDGER_PG_BIN to the folder holding it"
    )]
    ToolMissing { tool: String },
    /// A PostgreSQL tool ran and failed.
    #[error("`{command}` failed ({status}):\n{output}")]
    ToolFailed {
        command: String,
        status: String,
        output: String,
    },
    /// The restore target holds a ledger already.
    #[error("{0}")]
    NotEmpty(String),
    /// The archive is not one of ours, or it is damaged.
    #[error("the archive is not usable: {0}")]
    BadArchive(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("projection: {0}")]
    Projection(#[from] projections::ProjectionError),
    #[error("{0}")]
    Other(String),
}

impl OpsError {
    /// An I/O error with what we were doing.
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> OpsError {
        let context = context.into();
        move |source| OpsError::Io { context, source }
    }
}

pub type OpsResult<T> = Result<T, OpsError>;

/// The folder holding `path` (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> Option<&Path> {
    match path.parent() {
        Some(p) if p.as_os_str().is_empty() => Some(Path::new(".")),
        other => other,
    }
}

/// A private folder beside the target (same file system, so the final link is cheap and the
/// dump never fills a small /tmp), removed when dropped whatever happened.
pub(crate) struct WorkDir {
    pub(crate) path: PathBuf,
}

impl WorkDir {
    pub(crate) fn beside(target: &Path) -> OpsResult<Self> {
        let parent = parent_dir(target).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .map_err(OpsError::io(format!("creating {}", parent.display())))?;
        let name = target
            .file_name()
            .map_or_else(|| "backup".into(), |n| n.to_string_lossy().into_owned());
        let path = parent.join(format!(".{name}.partial-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir(&path).map_err(OpsError::io(format!("creating {}", path.display())))?;
        Ok(Self { path })
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

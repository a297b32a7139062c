//! `ledger backup`: one consistent archive of a running (or stopped) ledger.
//!
//! Consistency comes from one database snapshot: we open a repeatable-read, read-only
//! transaction, export its snapshot, read the log head and the uploads list in it, and hand the
//! same snapshot to `pg_dump --snapshot`. The manifest's head is therefore exactly the head in
//! the dump, whatever commits meanwhile. Read-only transactions take no transaction id, so the
//! snapshot does not hold the projector back (it reads below the oldest *writing* transaction).

use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sqlx::{Connection, PgConnection, Row};

use super::archive::{self, Entry, LogHead, Manifest, Part, Upload};
use super::{OpsError, OpsResult, WorkDir, parent_dir, pg_tools};

/// What to back up and where.
#[derive(Debug, Clone)]
pub struct BackupOptions {
    /// The ledger's database (any user that can read every table, usually its owner).
    pub database_url: String,
    /// The server's data folder, whose `imports/` holds the uploads.
    pub data_dir: PathBuf,
    /// The archive to write; must not exist.
    pub to: PathBuf,
    /// The JWT secret to include (`--include-secrets`); `None` leaves secrets out.
    pub jwt_secret: Option<Vec<u8>>,
}

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackupSummary {
    pub path: PathBuf,
    pub bytes: u64,
    pub manifest: Manifest,
}

/// The log and the uploads as the dump's snapshot sees them.
struct SnapshotFacts {
    head: LogHead,
    event_count: i64,
    schema_version: Option<i64>,
    uploads: Vec<(uuid::Uuid, String, String)>,
}

/// The read side is rebuilt from the log on restore, so it is left out: smaller archives,
/// faster restores, and no lock taken on tables the projector swaps.
const EXCLUDED_SCHEMAS: [&str; 2] = ["read", "read_*"];

/// Writes the archive `opts.to` (atomically: a temporary file beside it, then a link that
/// fails if the target appeared meanwhile).
pub async fn create(opts: &BackupOptions) -> OpsResult<BackupSummary> {
    if opts.to.exists() {
        return Err(OpsError::TargetExists(opts.to.clone()));
    }
    let work = WorkDir::beside(&opts.to)?;
    let dump = work.path.join(archive::DUMP);
    let mut conn = PgConnection::connect(&opts.database_url).await?;
    let mut snapshot = conn.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *snapshot)
        .await?;
    let id: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
        .fetch_one(&mut *snapshot)
        .await?;
    let facts = snapshot_facts(&mut snapshot).await?;
    pg_tools::run("pg_dump", &dump_args(&opts.database_url, &id, &dump)).await?;
    snapshot.commit().await?;
    let _ = conn.close().await;

    let (sha256, bytes) = archive::hash_file(&dump)?;
    let database = Entry {
        path: archive::DUMP.into(),
        bytes,
        sha256,
    };
    let created_at = Utc::now();
    let (uploads, mut parts) = open_uploads(&opts.data_dir, &facts.uploads)?;
    parts.insert(0, open_part(&dump, archive::DUMP)?);
    if let Some(secret) = &opts.jwt_secret {
        let path = work.path.join("jwt-secret");
        std::fs::write(&path, secret).map_err(OpsError::io("writing the secret"))?;
        parts.push(open_part(&path, archive::JWT_SECRET)?);
    }
    let manifest = manifest(
        facts,
        database,
        uploads,
        created_at,
        opts.jwt_secret.is_some(),
    );
    let tmp = work.path.join("archive.tar");
    let (m, t) = (manifest.clone(), tmp.clone());
    tokio::task::spawn_blocking(move || archive::write(&t, &m, parts))
        .await
        .map_err(|e| OpsError::Other(e.to_string()))??;
    publish(&tmp, &opts.to)?;
    let bytes = std::fs::metadata(&opts.to).map_or(0, |m| m.len());
    Ok(BackupSummary {
        path: opts.to.clone(),
        bytes,
        manifest,
    })
}

fn manifest(
    facts: SnapshotFacts,
    database: Entry,
    uploads: Vec<Upload>,
    created_at: DateTime<Utc>,
    includes_secrets: bool,
) -> Manifest {
    Manifest {
        format_version: archive::FORMAT_VERSION,
        product_version: env!("CARGO_PKG_VERSION").to_string(),
        schema_version: facts.schema_version,
        log_head: facts.head,
        event_count: facts.event_count,
        created_at,
        database,
        uploads,
        includes_secrets,
    }
}

fn dump_args(url: &str, snapshot: &str, out: &Path) -> Vec<String> {
    let mut args = vec![
        "--format=custom".to_string(),
        format!("--snapshot={snapshot}"),
        format!("--file={}", out.display()),
    ];
    args.extend(
        EXCLUDED_SCHEMAS
            .iter()
            .map(|s| format!("--exclude-schema={s}")),
    );
    args.push(format!("--dbname={url}"));
    args
}

async fn snapshot_facts(conn: &mut PgConnection) -> OpsResult<SnapshotFacts> {
    let head = sqlx::query(
        "SELECT last_seq, last_position, encode(head_hash, 'hex') AS hash FROM chain_head",
    )
    .fetch_one(&mut *conn)
    .await?;
    let event_count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&mut *conn)
        .await?;
    let schema_version: Option<i64> =
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await?;
    let uploads = sqlx::query_as("SELECT id, file_path, sha256 FROM traffic_imports ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    Ok(SnapshotFacts {
        head: LogHead {
            seq: head.try_get("last_seq")?,
            position: head.try_get("last_position")?,
            hash: head.try_get("hash")?,
        },
        event_count,
        schema_version,
        uploads,
    })
}

/// Opens the upload files the imports name that are still in the upload folder. They are
/// opened before the archive is written, so a cleanup deleting one meanwhile cannot tear the
/// archive (an open file outlives its name). Files elsewhere (`ledger import FILE` reads the
/// user's own file in place) are not uploads and stay out.
fn open_uploads(
    data_dir: &Path,
    named: &[(uuid::Uuid, String, String)],
) -> OpsResult<(Vec<Upload>, Vec<Part>)> {
    let dir = crate::traffic::uploads::dir(data_dir);
    let mut uploads = Vec::new();
    let mut parts = Vec::new();
    for (import_id, file_path, sha256) in named {
        let Some(name) = Path::new(file_path).file_name() else {
            continue;
        };
        let path = dir.join(name);
        let Ok(file) = File::open(&path) else {
            continue; // cleaned up already, or not an upload of this folder
        };
        let bytes = file.metadata().map_or(0, |m| m.len());
        let entry = Entry {
            path: format!("{}/{}", archive::UPLOADS, name.to_string_lossy()),
            bytes,
            sha256: sha256.clone(),
        };
        parts.push(Part {
            name: entry.path.clone(),
            file,
            bytes,
        });
        uploads.push(Upload {
            import_id: *import_id,
            entry,
        });
    }
    Ok((uploads, parts))
}

fn open_part(path: &Path, name: &str) -> OpsResult<Part> {
    let file = File::open(path).map_err(OpsError::io(format!("opening {}", path.display())))?;
    let bytes = file.metadata().map_or(0, |m| m.len());
    Ok(Part {
        name: name.to_string(),
        file,
        bytes,
    })
}

/// Moves the finished archive into place without ever replacing a file: `link` fails when the
/// target exists (a `rename` would silently overwrite it). Then syncs the folder so that the
/// new name survives a crash.
fn publish(tmp: &Path, to: &Path) -> OpsResult<()> {
    match std::fs::hard_link(tmp, to) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(OpsError::TargetExists(to.to_path_buf()));
        }
        Err(e) => {
            return Err(OpsError::Io {
                context: format!("moving the archive to {}", to.display()),
                source: e,
            });
        }
    }
    if let Some(parent) = parent_dir(to)
        && let Ok(dir) = File::open(parent)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

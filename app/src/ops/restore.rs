//! `ledger restore`: an archive back into an empty database, checked against its own manifest.
//!
//! Order matters: the dump is restored and its log head compared with the manifest *before*
//! anything else writes (so a difference is the archive's, not ours); then newer migrations
//! apply (an upgrade), the read side is rebuilt from the log, and `verify` recomputes the chain.
//! Every difference is collected and reported; the caller exits non-zero on any.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use sqlx::migrate::Migrator;
use sqlx::{Connection, Executor, PgConnection, PgPool, Row};

use super::archive::{self, Manifest};
use super::{OpsError, OpsResult, WorkDir, pg_tools};
use projections::rebuild::VerifyReport;

#[derive(Debug, Clone)]
pub struct RestoreOptions {
    pub archive: PathBuf,
    /// The target database, as a user that may create its objects (usually its owner).
    pub database_url: String,
    /// The data folder the restored server will use (uploads and the JWT secret go there).
    pub data_dir: PathBuf,
    /// Replace whatever the target database holds.
    pub force: bool,
}

/// What a restore did and found.
#[derive(Debug, Serialize)]
pub struct RestoreReport {
    pub manifest: Manifest,
    /// Each way the restored ledger differs from the manifest, or fails verification.
    pub differences: Vec<String>,
    /// Migrations newer than the archive, applied after the restore.
    pub migrations_applied: Vec<i64>,
    pub uploads_restored: usize,
    pub secret_restored: bool,
    pub events_replayed: u64,
    pub verify: Option<VerifyReport>,
}

impl RestoreReport {
    pub fn ok(&self) -> bool {
        self.differences.is_empty()
    }
}

/// How long restore waits for the projector lock (a server still running on the target).
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// Restores `opts.archive`, migrates with `migrator`, then rebuilds and verifies through the
/// pool `app_pool` opens (the application's pool, so the read side belongs to the role the
/// server runs as).
pub async fn run<F>(
    opts: &RestoreOptions,
    migrator: &Migrator,
    app_pool: F,
) -> OpsResult<RestoreReport>
where
    F: AsyncFnOnce() -> Result<PgPool, sqlx::Error>,
{
    let manifest = archive::read_manifest(&opts.archive)?;
    let mut conn = PgConnection::connect(&opts.database_url).await?;
    make_room(&mut conn, opts.force).await?;
    std::fs::create_dir_all(&opts.data_dir).map_err(OpsError::io(format!(
        "creating {}",
        opts.data_dir.display()
    )))?;
    let work = WorkDir::beside(&opts.data_dir.join("restore"))?;
    unpack_checked(&opts.archive, &work.path, &manifest)?;
    let privileges = prepare_roles(&mut conn).await?;
    restore_dump(
        &opts.database_url,
        &work.path.join(archive::DUMP),
        privileges,
    )
    .await?;
    prepare_roles(&mut conn).await?;
    let mut differences = compare_head(&mut conn, &manifest).await?;
    advance_transaction_ids(&mut conn).await?;
    let uploads_restored = place_uploads(&mut conn, &work.path, &opts.data_dir, &manifest).await?;
    let secret_restored = place_secret(&work.path, &opts.data_dir, opts.force)?;
    let migrations_applied = migrate(&mut conn, migrator).await?;
    let _ = conn.close().await;

    let pool = app_pool().await?;
    let events_replayed = rebuild(&pool).await?;
    let verify = projections::rebuild::verify(&pool).await?;
    differences.extend(verify_differences(&verify));
    differences.extend(chain_passes_head(&pool, &manifest).await?);
    pool.close().await;
    Ok(RestoreReport {
        manifest,
        differences,
        migrations_applied,
        uploads_restored,
        secret_restored,
        events_replayed,
        verify: Some(verify),
    })
}

/// Refuses a database that holds a ledger unless `force`; with `force` (or when all it holds
/// is a blank, migrated schema with no events and no users) drops our schemas first.
async fn make_room(conn: &mut PgConnection, force: bool) -> OpsResult<()> {
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
           AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'",
    )
    .fetch_one(&mut *conn)
    .await?;
    if tables == 0 {
        return Ok(());
    }
    let (events, users) = ledger_size(conn).await;
    let blank = events == Some(0) && users == Some(0);
    if !blank && !force {
        let database: String = sqlx::query_scalar("SELECT current_database()")
            .fetch_one(&mut *conn)
            .await?;
        let holds = match (events, users) {
            (Some(e), Some(u)) => format!("a ledger with {e} events and {u} users"),
            _ => format!("{tables} tables that are not a ledger's"),
        };
        return Err(OpsError::NotEmpty(format!(
            "refusing to restore: database {database:?} is not empty (it holds {holds}). \
             Restore into an empty database, or pass --force to delete everything in it \
             and replace it with the backup"
        )));
    }
    // A server on this database would fight the restore (and keep its own idea of the log).
    if !projections::projector::try_lock(conn).await? {
        return Err(OpsError::NotEmpty(
            "refusing to restore: a server is running on this database (it holds the \
             projector lock); stop every `ledger serve` on it first"
                .into(),
        ));
    }
    projections::projector::unlock(conn).await?;
    drop_schemas(conn).await
}

/// Events and users, when the database has those tables.
async fn ledger_size(conn: &mut PgConnection) -> (Option<i64>, Option<i64>) {
    (
        count_rows(conn, "events").await,
        count_rows(conn, "users").await,
    )
}

async fn count_rows(conn: &mut PgConnection, table: &str) -> Option<i64> {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(conn)
        .await
        .ok()
}

async fn drop_schemas(conn: &mut PgConnection) -> OpsResult<()> {
    let schemas: Vec<String> = sqlx::query_scalar(
        "SELECT nspname::text FROM pg_namespace WHERE nspname = 'public' OR nspname LIKE 'read%'",
    )
    .fetch_all(&mut *conn)
    .await?;
    for schema in schemas {
        conn.execute(format!("DROP SCHEMA \"{schema}\" CASCADE").as_str())
            .await?;
    }
    conn.execute("CREATE SCHEMA public").await?;
    Ok(())
}

/// Unpacks the archive and checks every file against the manifest before anything is restored.
fn unpack_checked(archive: &Path, dir: &Path, manifest: &Manifest) -> OpsResult<()> {
    archive::unpack(archive, dir)?;
    archive::check(dir, &manifest.database)?;
    for upload in &manifest.uploads {
        archive::check(dir, &upload.entry)?;
    }
    Ok(())
}

/// Roles are the cluster's, not the database's, so a dump does not carry them: the
/// application role and the database grant are made again as the first migration makes them.
/// Answers whether the role exists (on a managed server we may not create it; then the dump's
/// grants to it are skipped and the application runs as its own user).
async fn prepare_roles(conn: &mut PgConnection) -> OpsResult<bool> {
    conn.execute(
        "DO $$ BEGIN \
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_app') THEN \
             CREATE ROLE ledger_app NOLOGIN; \
           END IF; \
         EXCEPTION WHEN insufficient_privilege OR unique_violation OR duplicate_object THEN \
           RAISE NOTICE 'cannot create role ledger_app'; \
         END $$",
    )
    .await?;
    conn.execute(
        "DO $$ BEGIN \
           IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_app') THEN \
             EXECUTE format('GRANT ledger_app TO %I', current_user); \
             EXECUTE format('GRANT CREATE ON DATABASE %I TO ledger_app', current_database()); \
             GRANT USAGE, CREATE ON SCHEMA public TO ledger_app; \
           END IF; \
         EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN \
           RAISE NOTICE 'cannot grant ledger_app'; \
         END $$",
    )
    .await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_app')")
            .fetch_one(&mut *conn)
            .await?;
    Ok(exists)
}

/// `pg_restore` in one transaction: a failure leaves the database as it was.
async fn restore_dump(url: &str, dump: &Path, privileges: bool) -> OpsResult<()> {
    let mut args = vec![
        "--no-owner".to_string(),
        "--exit-on-error".to_string(),
        "--single-transaction".to_string(),
    ];
    if !privileges {
        args.push("--no-privileges".into());
    }
    args.push(format!("--dbname={url}"));
    args.push(dump.display().to_string());
    pg_tools::run("pg_restore", &args).await
}

/// The restored log's head and size against the manifest's, before anything new is sealed.
async fn compare_head(conn: &mut PgConnection, manifest: &Manifest) -> OpsResult<Vec<String>> {
    let row = sqlx::query(
        "SELECT last_seq, last_position, encode(head_hash, 'hex') AS hash, \
                (SELECT count(*) FROM events) AS events FROM chain_head",
    )
    .fetch_one(&mut *conn)
    .await?;
    let head = archive::LogHead {
        seq: row.try_get("last_seq")?,
        position: row.try_get("last_position")?,
        hash: row.try_get("hash")?,
    };
    let events: i64 = row.try_get("events")?;
    let mut differences = Vec::new();
    let want = &manifest.log_head;
    if head != *want {
        differences.push(format!(
            "log head: the manifest says seq {} at position {} with hash {}, the restored log \
             has seq {} at position {} with hash {}",
            want.seq, want.position, want.hash, head.seq, head.position, head.hash
        ));
    }
    if events != manifest.event_count {
        differences.push(format!(
            "event count: the manifest says {}, the restored log holds {events}",
            manifest.event_count
        ));
    }
    Ok(differences)
}

/// The log orders events by the writing transaction's id (`xid8`), and the projector seals
/// only ids below the oldest running transaction. Ids come from the cluster, so a fresh
/// cluster hands out ids *below* the restored events' ones: new events would sort before the
/// sealed head and never be sealed, and restored unsealed events would wait. So the cluster's
/// id counter is moved past the highest restored id first, by committing empty transactions
/// (asynchronously: they carry nothing worth an fsync).
async fn advance_transaction_ids(conn: &mut PgConnection) -> OpsResult<()> {
    let highest: Option<String> = sqlx::query_scalar(
        "SELECT greatest((SELECT tx_id FROM events ORDER BY tx_id DESC LIMIT 1), \
                (SELECT last_tx_id FROM chain_head))::text",
    )
    .fetch_one(&mut *conn)
    .await?;
    let Some(highest) = highest.and_then(|h| h.parse::<u64>().ok()) else {
        return Ok(());
    };
    let current: String = sqlx::query_scalar("SELECT pg_current_xact_id()::text")
        .fetch_one(&mut *conn)
        .await?;
    let current: u64 = current.parse().unwrap_or(u64::MAX);
    if current > highest {
        return Ok(());
    }
    tracing::info!(
        from = current,
        to = highest + 1,
        "advancing the cluster's transaction ids past the restored log"
    );
    conn.execute("SET synchronous_commit = off").await?;
    // Simple-query DO may COMMIT inside its loop: each turn is a transaction of its own.
    let burn = format!(
        "DO $$ BEGIN WHILE pg_current_xact_id() <= '{highest}'::xid8 LOOP COMMIT; END LOOP; END $$"
    );
    conn.execute(burn.as_str()).await?;
    conn.execute("RESET synchronous_commit").await?;
    Ok(())
}

/// Moves the restored uploads into this data folder's upload folder and points their imports
/// at them (a job row's path is the machine's, not a fact of the log).
async fn place_uploads(
    conn: &mut PgConnection,
    work: &Path,
    data_dir: &Path,
    manifest: &Manifest,
) -> OpsResult<usize> {
    let dir = crate::traffic::uploads::dir(data_dir);
    std::fs::create_dir_all(&dir).map_err(OpsError::io(format!("creating {}", dir.display())))?;
    for upload in &manifest.uploads {
        let from = work.join(&upload.entry.path);
        let name = Path::new(&upload.entry.path).file_name().ok_or_else(|| {
            OpsError::BadArchive(format!("bad upload name {}", upload.entry.path))
        })?;
        let to = dir.join(name);
        std::fs::rename(&from, &to).map_err(OpsError::io(format!("moving {}", to.display())))?;
        sqlx::query("UPDATE traffic_imports SET file_path = $1 WHERE id = $2")
            .bind(to.display().to_string())
            .bind(upload.import_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(manifest.uploads.len())
}

/// Puts the archived JWT secret where the server looks for it, unless one is there already
/// (then only `--force` replaces it: signed-in sessions of that server would end).
fn place_secret(work: &Path, data_dir: &Path, force: bool) -> OpsResult<bool> {
    let from = work.join(archive::JWT_SECRET);
    let to = data_dir.join("jwt-secret");
    if !from.exists() || (to.exists() && !force) {
        return Ok(false);
    }
    std::fs::copy(&from, &to).map_err(OpsError::io(format!("writing {}", to.display())))?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600))
        .map_err(OpsError::io(format!("chmod {}", to.display())))?;
    Ok(true)
}

/// Applies the migrations the archive's release did not have; answers their versions.
async fn migrate(conn: &mut PgConnection, migrator: &Migrator) -> OpsResult<Vec<i64>> {
    let before = super::migrations::applied(conn).await?;
    migrator.run(&mut *conn).await?;
    let after = super::migrations::applied(conn).await?;
    Ok(after.into_iter().filter(|v| !before.contains(v)).collect())
}

/// Seals what the dump held unsealed and rebuilds every read table from the log.
async fn rebuild(pool: &PgPool) -> OpsResult<u64> {
    let mut conn = pool.acquire().await?.detach();
    projections::rebuild::wait_for_lock(&mut conn, LOCK_WAIT).await?;
    let stats = projections::rebuild::replay(pool, &mut conn).await;
    projections::projector::unlock(&mut conn).await?;
    let _ = conn.close().await;
    Ok(stats?.events)
}

fn verify_differences(v: &VerifyReport) -> Vec<String> {
    let mut out = Vec::new();
    if !v.chain_ok {
        out.push(format!(
            "verify: the hash chain is broken at seq {}",
            v.first_broken_seq.unwrap_or_default()
        ));
    }
    for t in v.tables.iter().filter(|t| !t.equal) {
        out.push(format!(
            "verify: read table {} differs from a fresh rebuild",
            t.table
        ));
    }
    if !v.read_side_ok {
        out.push(format!(
            "verify: the read side is behind the log ({} events unprojected{})",
            v.unprojected_events,
            v.projector_error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        ));
    }
    out
}

/// After sealing what was pending, the chain must still pass through the manifest's head: the
/// link at its seq must be the same event with the same hash.
async fn chain_passes_head(pool: &PgPool, manifest: &Manifest) -> OpsResult<Vec<String>> {
    let want = &manifest.log_head;
    if want.seq == 0 {
        return Ok(Vec::new());
    }
    let found: Option<(i64, String)> = sqlx::query_as(
        "SELECT event_position, encode(hash, 'hex') FROM event_chain WHERE seq = $1",
    )
    .bind(want.seq)
    .fetch_optional(pool)
    .await?;
    Ok(match found {
        Some((position, hash)) if position == want.position && hash == want.hash => Vec::new(),
        Some((position, hash)) => vec![format!(
            "chain: seq {} is position {position} with hash {hash}, the manifest says position {} with hash {}",
            want.seq, want.position, want.hash
        )],
        None => vec![format!("chain: the restored chain has no seq {}", want.seq)],
    })
}

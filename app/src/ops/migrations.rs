//! What `ledger migrate` would do, without doing it (`--dry-run`): the migrations this release
//! carries that the database has not applied, and any applied one whose text changed since (a
//! released migration is never edited; sqlx refuses to run past one).

use serde::Serialize;
use sqlx::PgConnection;
use sqlx::migrate::Migrator;

use super::OpsResult;

/// One migration in the plan.
#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    pub version: i64,
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The latest migration the database has applied (none on a new database).
    pub current: Option<i64>,
    /// What `ledger migrate` (and `serve`) would apply, in order.
    pub pending: Vec<Planned>,
    /// Applied migrations whose checksum differs from this release's file: migrating fails.
    pub changed: Vec<Planned>,
    /// Applied migrations this release does not know (the database is newer than the binary).
    pub unknown: Vec<i64>,
}

/// Versions the database has applied successfully (none when it was never migrated).
pub async fn applied(conn: &mut PgConnection) -> OpsResult<Vec<i64>> {
    Ok(applied_with_checksums(conn)
        .await?
        .into_iter()
        .map(|(v, _)| v)
        .collect())
}

async fn applied_with_checksums(conn: &mut PgConnection) -> OpsResult<Vec<(i64, Vec<u8>)>> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await?;
    if !exists {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_as(
        "SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version",
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// Compares the database with `migrator` and writes nothing.
pub async fn plan(conn: &mut PgConnection, migrator: &Migrator) -> OpsResult<Plan> {
    let applied = applied_with_checksums(conn).await?;
    let mut plan = Plan {
        current: applied.last().map(|(v, _)| *v),
        pending: Vec::new(),
        changed: Vec::new(),
        unknown: Vec::new(),
    };
    for m in migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
    {
        let planned = Planned {
            version: m.version,
            description: m.description.to_string(),
        };
        match applied.iter().find(|(v, _)| *v == m.version) {
            None => plan.pending.push(planned),
            Some((_, sum)) if sum.as_slice() != &*m.checksum => plan.changed.push(planned),
            Some(_) => {}
        }
    }
    plan.unknown = applied
        .iter()
        .map(|(v, _)| *v)
        .filter(|v| !migrator.iter().any(|m| m.version == *v))
        .collect();
    Ok(plan)
}

//! Locks that order commands against the facts they are validated against.

use sqlx::PgConnection;

/// Advisory lock protecting the facts postings are validated against (archived accounts and
/// other references, the closed period). Postings hold it shared; changes to those facts hold
/// it exclusively, so a posting never commits against a fact that changed under it.
pub const POSTING_FACTS_LOCK: i64 = 0x4c45_4447_4641_4354;

pub async fn lock_posting_facts_shared(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock_shared($1)")
        .bind(POSTING_FACTS_LOCK)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn lock_posting_facts_exclusive(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(POSTING_FACTS_LOCK)
        .execute(conn)
        .await?;
    Ok(())
}

//! One step of the live projector and the lock that makes its caller the only one: seal the
//! next batch of the log and project it into the live read tables in one database
//! transaction. Both the projector's loop and `rebuild` (replay, verify's catch-up) step
//! through here.

use sqlx::{Connection, PgConnection};

use crate::ProjectionError;
use crate::apply::apply_events;
use crate::read_model::LIVE_SCHEMA;
use eventstore::chain;

/// Advisory lock key held by the projector leader ("LEDGPROJ").
pub const PROJECTOR_LOCK: i64 = 0x4c45_4447_5052_4f4a;
/// Most events sealed and projected in one database transaction.
pub const LIVE_BATCH_EVENTS: i64 = 2_000;

/// Where the projector stands; published after every committed batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub last_seq: i64,
    pub last_position: i64,
}

pub async fn try_lock(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(PROJECTOR_LOCK)
        .fetch_one(conn)
        .await
}

pub async fn unlock(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(PROJECTOR_LOCK)
        .execute(conn)
        .await?;
    Ok(())
}

/// Seals and projects at most one batch. Returns the number of events handled.
pub async fn step(conn: &mut PgConnection) -> Result<(usize, Progress), ProjectionError> {
    let mut tx = conn.begin().await?;
    let (sealed, head) = chain::seal_next(&mut tx, LIVE_BATCH_EVENTS).await?;
    if !sealed.is_empty() {
        apply_events(&mut tx, LIVE_SCHEMA, &sealed).await?;
    }
    tx.commit().await?;
    Ok((
        sealed.len(),
        Progress {
            last_seq: head.last_seq,
            last_position: head.last_position,
        },
    ))
}

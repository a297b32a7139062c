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
/// Most events one step seals and projects while the projector keeps up: small steps keep
/// short the wait of a reader asking for its own write.
pub const LIVE_BATCH_EVENTS: i64 = 2_000;
/// Most events one step takes while it works through a backlog (after a bulk import, a
/// restart, a stall). The balance and rollup upserts cost per distinct key they touch, not per
/// event, so a big step touches each key once for many events: 2,000-event steps drained a
/// million bulk-written events at a third of the speed of 20,000-event ones (bench/RESULTS.md).
pub const BACKLOG_BATCH_EVENTS: i64 = 20_000;

/// How many events the next step takes. A full step means a backlog: the next one takes twice
/// as many, up to [`BACKLOG_BATCH_EVENTS`]; a short one means caught up: back to
/// [`LIVE_BATCH_EVENTS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    limit_events: i64,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            limit_events: LIVE_BATCH_EVENTS,
        }
    }
}

impl Pace {
    pub fn limit_events(self) -> i64 {
        self.limit_events
    }

    /// Sets the next step's size from what the last one handled.
    pub fn after(&mut self, handled_events: usize) {
        let handled = handled_events as i64;
        assert!(
            handled <= self.limit_events,
            "a step sealed {handled} events, over its limit of {}",
            self.limit_events
        );
        self.limit_events = if handled == self.limit_events {
            (self.limit_events * 2).min(BACKLOG_BATCH_EVENTS)
        } else {
            LIVE_BATCH_EVENTS
        };
    }
}

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

/// Seals and projects at most one batch, as large as `pace` says, and sets the next one's
/// size. Returns the number of events handled.
pub async fn step(
    conn: &mut PgConnection,
    pace: &mut Pace,
) -> Result<(usize, Progress), ProjectionError> {
    let mut tx = conn.begin().await?;
    let (sealed, head) = chain::seal_next(&mut tx, pace.limit_events()).await?;
    if !sealed.is_empty() {
        apply_events(&mut tx, LIVE_SCHEMA, &sealed).await?;
    }
    tx.commit().await?;
    pace.after(sealed.len());
    Ok((
        sealed.len(),
        Progress {
            last_seq: head.last_seq,
            last_position: head.last_position,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backlog_grows_the_steps_and_catching_up_shrinks_them() {
        let mut pace = Pace::default();
        let mut sizes = Vec::new();
        for _ in 0..6 {
            sizes.push(pace.limit_events());
            pace.after(pace.limit_events() as usize);
        }
        assert_eq!(sizes, [2_000, 4_000, 8_000, 16_000, 20_000, 20_000]);
        pace.after(19_999);
        assert_eq!(pace, Pace::default());
        pace.after(0);
        assert_eq!(pace, Pace::default());
    }

    #[test]
    #[should_panic(expected = "over its limit")]
    fn a_step_over_its_limit_is_a_bug() {
        Pace::default().after(LIVE_BATCH_EVENTS as usize + 1);
    }
}

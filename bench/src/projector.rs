//! `ledger-bench --projector`: how fast the live projector drains a backlog of bulk-written
//! events when nothing else runs, split into its parts (fetching and sealing, applying,
//! committing), against a plain keyset read of the same events in its largest batch size (the
//! baseline a projector can never beat) measured in the same run.
//!
//! The full run's figure ("the live projector sealed and projected them in …") is catch-up
//! after a concurrent bulk write, which also measures how long 100,000-event INSERTs hold back
//! sealing; this one isolates the projector.

use std::time::Instant;

use sqlx::{Connection, PgConnection, PgPool};

use eventstore::chain;
use projections::apply::apply_events;
use projections::live::{BACKLOG_BATCH_EVENTS, LIVE_BATCH_EVENTS, Pace, try_lock, unlock};
use projections::read_model::LIVE_SCHEMA;

/// Where one drain spent its time, in seconds.
#[derive(Default)]
struct Drain {
    events: usize,
    batches: usize,
    seal_seconds: f64,
    apply_seconds: f64,
    commit_seconds: f64,
}

/// Reads the whole log in (tx_id, position) order, `BACKLOG_BATCH_EVENTS` at a time, as the
/// projector's fetch does, without sealing or applying: the baseline.
async fn plain_read(conn: &mut PgConnection) -> anyhow::Result<(usize, f64)> {
    let started = Instant::now();
    let (mut after, mut total) = ((0_i64, 0_i64), 0_usize);
    loop {
        let batch =
            eventstore::log::fetch_range(conn, after, (i64::MAX, i64::MAX), BACKLOG_BATCH_EVENTS)
                .await?;
        let Some(last) = batch.last() else { break };
        after = (last.tx_id, last.position);
        total += batch.len();
    }
    Ok((total, started.elapsed().as_secs_f64()))
}

/// The projector's step (`projections::live::step`, with its pace), with a clock on each part.
async fn drain(conn: &mut PgConnection) -> anyhow::Result<Drain> {
    let mut d = Drain::default();
    let mut pace = Pace::default();
    loop {
        let t0 = Instant::now();
        let mut tx = conn.begin().await?;
        let (sealed, _) = chain::seal_next(&mut tx, pace.limit_events()).await?;
        let t1 = Instant::now();
        if sealed.is_empty() {
            tx.rollback().await?;
            return Ok(d);
        }
        apply_events(&mut tx, LIVE_SCHEMA, &sealed).await?;
        let t2 = Instant::now();
        tx.commit().await?;
        let t3 = Instant::now();
        pace.after(sealed.len());
        d.events += sealed.len();
        d.batches += 1;
        d.seal_seconds += (t1 - t0).as_secs_f64();
        d.apply_seconds += (t2 - t1).as_secs_f64();
        d.commit_seconds += (t3 - t2).as_secs_f64();
    }
}

/// Drains the backlog already in the log (no server may run) and answers the report's notes.
pub async fn run(pool: &PgPool) -> anyhow::Result<Vec<String>> {
    let mut conn = pool.acquire().await?.detach();
    anyhow::ensure!(
        try_lock(&mut conn).await?,
        "a projector still holds the lock: stop the server first"
    );
    let (read_events, read_seconds) = plain_read(&mut conn).await?;
    let d = drain(&mut conn).await?;
    unlock(&mut conn).await?;
    conn.close().await?;
    let total = d.seal_seconds + d.apply_seconds + d.commit_seconds;
    let rate = d.events as f64 / total;
    Ok(vec![
        format!(
            "Live projector, backlog of {} events drained alone in {total:.1} s ({rate:.0} events/s, {} batches of {LIVE_BATCH_EVENTS} growing to {BACKLOG_BATCH_EVENTS}): \
             fetch and seal {:.1} s, apply {:.1} s, commit {:.1} s.",
            d.events, d.batches, d.seal_seconds, d.apply_seconds, d.commit_seconds
        ),
        format!(
            "Baseline: a plain keyset read of the same {read_events} events in batches of {BACKLOG_BATCH_EVENTS}: {read_seconds:.1} s ({:.0} events/s); the projector runs at {:.2} of it.",
            read_events as f64 / read_seconds,
            rate / (read_events as f64 / read_seconds)
        ),
    ])
}

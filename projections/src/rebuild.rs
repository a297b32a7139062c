//! Rebuilding read tables from the log (`ledger replay`) and checking the live ones against a
//! fresh rebuild and the hash chain against a recomputation (`ledger verify`).

use std::time::{Duration, Instant};

use serde::Serialize;
use sqlx::{Connection, PgConnection, PgPool};

use crate::ProjectionError;
use crate::apply::{Ordered, Rows, prepare, write_ordered, write_rows};
use crate::read_model::{self, LIVE_SCHEMA, MODEL_VERSION};
use eventstore::chain;
use eventstore::log::{Sequenced, StoredEvent, chain_head, fetch_range, fetch_sealed};

/// Events read and applied per database transaction during a rebuild.
pub const REBUILD_BATCH_EVENTS: i64 = 20_000;
const NEXT_SCHEMA: &str = "read_next";

#[derive(Debug, Clone, Serialize)]
pub struct RebuildStats {
    pub events: u64,
    pub seconds: f64,
    pub events_per_second: f64,
    /// Of `seconds`: reading, decoding and COPYing the rows.
    pub load_seconds: f64,
    /// Of `seconds`: building indexes and applying the ordered changes.
    pub finish_seconds: f64,
}

/// Batches a rebuild prepares ahead of each writer.
const PIPELINE_DEPTH: usize = 2;
/// Connections COPYing rows during a rebuild (PostgreSQL parses each COPY on one core).
const ROW_WRITERS: usize = 2;

/// Creates `schema` afresh and projects every sealed event up to `up_to_seq` into it. One
/// connection from `pool` reads the log while batches are decoded here and COPYed by
/// [`ROW_WRITERS`] others, so decoding and PostgreSQL's parsing run on all cores; `conn` builds
/// the indexes and applies the ordered part at the end. Uses 1 + ROW_WRITERS pool connections.
pub async fn rebuild_into(
    pool: &PgPool,
    conn: &mut PgConnection,
    schema: &str,
    up_to_seq: i64,
) -> Result<RebuildStats, ProjectionError> {
    let started = Instant::now();
    read_model::create_tables(conn, schema).await?;
    // The sealed order is the log's (tx_id, position) order, so a rebuild reads the log itself
    // up to the last sealed event's cursor and numbers events as it goes; no join with the chain.
    let up_to = cursor_of(conn, up_to_seq).await?;
    let reader = pool.acquire().await?;
    let mut writers = Vec::with_capacity(ROW_WRITERS);
    for _ in 0..ROW_WRITERS {
        writers.push(pool.acquire().await?);
    }
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..ROW_WRITERS)
        .map(|_| tokio::sync::mpsc::channel::<Rows>(PIPELINE_DEPTH))
        .unzip();

    // The log is read on a task of its own, so PostgreSQL serves the next batch while this one
    // is decoded here.
    let (fetcher, fetched) = spawn_log_reader(reader, up_to);
    let read = decode_all(fetched, senders, up_to_seq);
    let write_all = futures::future::try_join_all(writers.iter_mut().zip(receivers).map(
        |(writer, mut rows)| async move {
            while let Some(batch) = rows.recv().await {
                write_rows(writer, schema, batch).await?;
            }
            Ok::<(), ProjectionError>(())
        },
    ));
    let (read, written) = tokio::join!(read, write_all);
    fetcher.await.expect("the log reader does not panic")?;
    written?;
    let (events, ordered) = read?;
    let loaded = started.elapsed().as_secs_f64();
    read_model::create_indexes(conn, &mut writers[0], schema).await?;
    let mut tx = conn.begin().await?;
    write_ordered(&mut tx, schema, ordered).await?;
    tx.commit().await?;
    tracing::info!(
        schema,
        events,
        load_seconds = loaded,
        index_seconds = started.elapsed().as_secs_f64() - loaded,
        "rebuilt read tables"
    );
    let seconds = started.elapsed().as_secs_f64();
    Ok(RebuildStats {
        events,
        seconds,
        load_seconds: loaded,
        finish_seconds: seconds - loaded,
        events_per_second: if seconds > 0.0 {
            events as f64 / seconds
        } else {
            0.0
        },
    })
}

/// Reads the log in the sealed order up to the cursor `up_to`, a batch at a time, on a task of
/// its own.
fn spawn_log_reader(
    mut reader: sqlx::pool::PoolConnection<sqlx::Postgres>,
    up_to: (i64, i64),
) -> (
    tokio::task::JoinHandle<Result<(), sqlx::Error>>,
    tokio::sync::mpsc::Receiver<Vec<StoredEvent>>,
) {
    let (fetched_tx, fetched) = tokio::sync::mpsc::channel::<Vec<StoredEvent>>(PIPELINE_DEPTH);
    let fetcher = tokio::spawn(async move {
        let mut after = (0i64, 0i64);
        loop {
            let events = fetch_range(&mut reader, after, up_to, REBUILD_BATCH_EVENTS).await?;
            let Some(last) = events.last() else { break };
            after = (last.tx_id, last.position);
            if fetched_tx.send(events).await.is_err() {
                break; // the decoder stopped; its error is the one to report
            }
        }
        Ok::<(), sqlx::Error>(())
    });
    (fetcher, fetched)
}

/// Numbers and prepares the batches the log reader sends. Rows are append-only, so batches go
/// to several COPY connections in any order (round robin over `senders`); what must keep log
/// order (entities, reversals, the period lock) and the balance sums are collected and
/// returned, to be applied once at the end, after the indexes exist. Answers the events read.
async fn decode_all(
    // Owned here, so an early return drops it and the reader stops instead of waiting.
    mut fetched: tokio::sync::mpsc::Receiver<Vec<StoredEvent>>,
    senders: Vec<tokio::sync::mpsc::Sender<Rows>>,
    up_to_seq: i64,
) -> Result<(u64, Ordered), ProjectionError> {
    let mut ordered = Ordered::default();
    let mut last_position = 0i64;
    let mut seq = 0i64;
    let mut batch_no = 0usize;
    while let Some(events) = fetched.recv().await {
        last_position = events.last().map_or(last_position, |e| e.position);
        let batch: Vec<Sequenced> = events
            .into_iter()
            .map(|event| {
                seq += 1;
                Sequenced { seq, event }
            })
            .collect();
        let (rows, part) = prepare(&batch)?.split();
        ordered.absorb(part);
        if senders[batch_no % ROW_WRITERS].send(rows).await.is_err() {
            break; // a writer failed; its error is the one to report
        }
        batch_no += 1;
    }
    drop(senders);
    if seq != up_to_seq {
        return Err(ProjectionError::Corrupt {
            position: last_position,
            reason: format!(
                "the log holds {seq} events up to the chain head, the chain says {up_to_seq}"
            ),
        });
    }
    Ok((seq as u64, ordered))
}

/// The (tx_id, position) cursor of sealed event `seq` ((0, 0) for 0).
async fn cursor_of(conn: &mut PgConnection, seq: i64) -> Result<(i64, i64), ProjectionError> {
    if seq == 0 {
        return Ok((0, 0));
    }
    let row: (i64, i64) = sqlx::query_as(
        "SELECT e.tx_id::text::bigint, e.position FROM event_chain c JOIN events e ON e.position = c.event_position \
         WHERE c.seq = $1",
    )
    .bind(seq)
    .fetch_one(conn)
    .await?;
    Ok(row)
}

/// Makes sure the live read schema exists, matches this build's model version and has
/// projected everything sealed so far (rebuilding it from the log if not).
pub async fn prepare_live_schema(
    pool: &PgPool,
    conn: &mut PgConnection,
) -> Result<(), ProjectionError> {
    let head = chain_head(conn, false).await?;
    match read_model::checkpoint(conn, LIVE_SCHEMA).await? {
        Some((seq, version)) if version == MODEL_VERSION && seq == head.last_seq => Ok(()),
        found => {
            tracing::info!(
                ?found,
                head = head.last_seq,
                "rebuilding read tables from the log"
            );
            replace_live(pool, conn).await?;
            Ok(())
        }
    }
}

/// Rebuilds the live read tables from the whole sealed log and swaps them in. The caller must
/// hold the projector lock, so nothing is sealed meanwhile.
pub async fn replace_live(
    pool: &PgPool,
    conn: &mut PgConnection,
) -> Result<RebuildStats, ProjectionError> {
    let head = chain_head(conn, false).await?;
    let stats = rebuild_into(pool, conn, NEXT_SCHEMA, head.last_seq).await?;
    read_model::swap_in(conn, NEXT_SCHEMA).await?;
    Ok(stats)
}

#[derive(Debug, Clone, Serialize)]
pub struct TableCheck {
    pub table: String,
    pub live_rows: u64,
    pub rebuilt_rows: u64,
    pub equal: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub events_checked: u64,
    pub head_seq: i64,
    pub head_hash: String,
    /// First sealed event whose recomputed hash differs from the stored one.
    pub first_broken_seq: Option<i64>,
    pub chain_ok: bool,
    pub compared_at_seq: i64,
    pub tables: Vec<TableCheck>,
    pub tables_ok: bool,
    /// Committed events the read side had not projected when verify gave up waiting.
    pub unprojected_events: i64,
    /// Why the projector could not apply the log, when it could not.
    pub projector_error: Option<String>,
    /// Whether the read side had reached the log: nothing unprojected, no projector error.
    pub read_side_ok: bool,
    pub seconds: f64,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.chain_ok && self.tables_ok && self.read_side_ok
    }
}

/// Longest `verify` waits for a running server's projector to reach the log.
pub const VERIFY_CATCH_UP_WAIT: Duration = Duration::from_secs(10);

/// Committed events not yet sealed (and so not projected).
async fn unprojected(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT count(*) FROM events e, chain_head h \
         WHERE (e.tx_id, e.position) > (h.last_tx_id, h.last_position) \
           AND e.tx_id < pg_snapshot_xmin(pg_current_snapshot())",
    )
    .fetch_one(conn)
    .await
}

/// Brings the read side up to the log before it is compared, so that a projector that cannot
/// apply an event fails verification instead of hiding behind the events before it. With no
/// server running, verify takes the projector lock and projects what is committed (as
/// `replay` does); with a server running, it waits for that server's projector. Answers the
/// events still unprojected and the projector's error, if any.
async fn catch_up(
    pool: &PgPool,
    conn: &mut PgConnection,
) -> Result<(i64, Option<String>), ProjectionError> {
    let behind = unprojected(conn).await?;
    if behind == 0 {
        return Ok((0, None));
    }
    if crate::live::try_lock(conn).await? {
        let projected = async {
            prepare_live_schema(pool, conn).await?;
            let mut pace = crate::live::Pace::default();
            while crate::live::step(conn, &mut pace).await?.0 > 0 {}
            Ok::<(), ProjectionError>(())
        }
        .await;
        crate::live::unlock(conn).await?;
        let error = projected.err().map(|e| e.to_string());
        return Ok((unprojected(conn).await?, error));
    }
    let deadline = Instant::now() + VERIFY_CATCH_UP_WAIT;
    loop {
        let behind = unprojected(conn).await?;
        if behind == 0 {
            return Ok((0, None));
        }
        if Instant::now() >= deadline {
            let error = format!(
                "the running server's projector has not applied {behind} committed events \
                 within {} s (see its /readyz)",
                VERIFY_CATCH_UP_WAIT.as_secs()
            );
            return Ok((behind, Some(error)));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn verify_schema_name() -> String {
    format!("read_verify_{}", uuid::Uuid::new_v4().simple())
}

/// Recomputes the hash chain from genesis and compares it with every stored link and the head.
pub async fn verify_chain(
    conn: &mut PgConnection,
) -> Result<(u64, i64, [u8; 32], Option<i64>), ProjectionError> {
    let head = chain_head(conn, false).await?;
    let mut previous = chain::GENESIS;
    let mut after = 0i64;
    let mut checked = 0u64;
    let mut first_broken = None;
    loop {
        let batch = fetch_sealed(conn, after, head.last_seq, REBUILD_BATCH_EVENTS).await?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        for s in &batch {
            checked += 1;
            let expected = chain::link(&previous, s.seq, &s.event);
            if first_broken.is_none() && (expected != s.hash || s.seq != checked as i64) {
                first_broken = Some(s.seq);
            }
            previous = expected;
        }
    }
    if first_broken.is_none() && (previous != head.head_hash || checked as i64 != head.last_seq) {
        first_broken = Some(head.last_seq);
    }
    Ok((checked, head.last_seq, head.head_hash, first_broken))
}

/// Checks the chain, then rebuilds the read tables beside the live ones at the live checkpoint
/// and compares them byte for byte. Needs two connections: one holds a snapshot of the live
/// tables while the other rebuilds; the live projector may keep running.
pub async fn verify(pool: &PgPool) -> Result<VerifyReport, ProjectionError> {
    let started = Instant::now();
    let mut snapshot_conn = pool.acquire().await?;
    let mut work_conn = pool.acquire().await?;
    let work_conn = &mut *work_conn;
    let (unprojected_events, projector_error) = catch_up(pool, work_conn).await?;
    let (events_checked, head_seq, head_hash, first_broken_seq) = verify_chain(work_conn).await?;

    let mut snapshot = (*snapshot_conn).begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *snapshot)
        .await?;
    let (live_seq, _) = read_model::checkpoint(&mut snapshot, LIVE_SCHEMA)
        .await?
        .unwrap_or((0, 0));
    let live = read_model::digests(&mut snapshot, LIVE_SCHEMA).await?;
    snapshot.commit().await?;

    // A schema of its own, so verifications running at the same time do not collide.
    let schema = verify_schema_name();
    let rebuilt = async {
        rebuild_into(pool, work_conn, &schema, live_seq).await?;
        read_model::digests(work_conn, &schema)
            .await
            .map_err(ProjectionError::from)
    }
    .await;
    read_model::drop_schema(work_conn, &schema).await?;
    let rebuilt = rebuilt?;

    let tables: Vec<TableCheck> = live
        .iter()
        .zip(&rebuilt)
        .map(
            |((table, live_rows, live_digest), (_, rebuilt_rows, rebuilt_digest))| TableCheck {
                table: table.clone(),
                live_rows: *live_rows,
                rebuilt_rows: *rebuilt_rows,
                equal: live_digest == rebuilt_digest,
            },
        )
        .collect();
    let mut tables = tables;
    let (stored, summed, differ) = crate::traffic::check_import_days(work_conn).await?;
    tables.push(TableCheck {
        table: "traffic_import_days (against the facts)".into(),
        live_rows: u64::try_from(stored).unwrap_or_default(),
        rebuilt_rows: u64::try_from(summed).unwrap_or_default(),
        equal: differ == 0,
    });
    let tables_ok = tables.iter().all(|t| t.equal);
    Ok(VerifyReport {
        events_checked,
        head_seq,
        head_hash: hex::encode(head_hash),
        first_broken_seq,
        chain_ok: first_broken_seq.is_none(),
        compared_at_seq: live_seq,
        tables,
        tables_ok,
        read_side_ok: unprojected_events == 0 && projector_error.is_none(),
        unprojected_events,
        projector_error,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Waits up to `timeout` for the projector lock (a running server holds it).
pub async fn wait_for_lock(
    conn: &mut PgConnection,
    timeout: Duration,
) -> Result<(), ProjectionError> {
    let deadline = Instant::now() + timeout;
    while !crate::live::try_lock(conn).await? {
        if Instant::now() >= deadline {
            return Err(ProjectionError::LockBusy);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// `ledger replay`: seals whatever the log holds that is not sealed yet, then rebuilds every
/// read table from the whole sealed log and swaps them in. The caller holds the projector lock.
pub async fn replay(
    pool: &PgPool,
    conn: &mut PgConnection,
) -> Result<RebuildStats, ProjectionError> {
    prepare_live_schema(pool, conn).await?;
    let mut pace = crate::live::Pace::default();
    while crate::live::step(conn, &mut pace).await?.0 > 0 {}
    replace_live(pool, conn).await
}

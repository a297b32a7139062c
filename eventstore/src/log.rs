//! Reading the event log in its one global order.
//!
//! Events are sealed in (writing transaction id, position) order, and only below the oldest
//! transaction still in flight (`pg_snapshot_xmin`). A transaction that took an early position
//! but commits late therefore cannot be skipped: while it is open, nothing at or above its id
//! is read. Ordering by position alone would be wrong, because two writers can take their ids
//! and positions in opposite orders.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, Row};
use uuid::Uuid;

/// Who caused an event, when, under which request, from which part of the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// `api`, `import:<id>`, `scheduler`, `cli`, `seed`.
    pub source: String,
    pub time: DateTime<Utc>,
}

/// An event as stored. `payload` and `metadata` are kept as PostgreSQL's own jsonb text, which is
/// what the hash chain covers.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub position: i64,
    pub tx_id: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: String,
    pub metadata: String,
    pub recorded_at: DateTime<Utc>,
}

/// An event with its place in the gapless global order: what projections consume.
#[derive(Debug, Clone)]
pub struct Sequenced {
    pub seq: i64,
    pub event: StoredEvent,
}

/// A sealed event: its place in the gapless global order and its chain hash.
#[derive(Debug, Clone)]
pub struct SealedEvent {
    pub seq: i64,
    pub hash: [u8; 32],
    pub event: StoredEvent,
}

const EVENT_COLUMNS: &str = "e.position, e.tx_id::text::bigint AS tx_id, e.aggregate_type, e.aggregate_id, e.sequence, \
     e.event_type, e.event_version, e.payload::text AS payload, e.metadata::text AS metadata, e.recorded_at";

fn stored_event(row: &sqlx::postgres::PgRow) -> Result<StoredEvent, sqlx::Error> {
    Ok(StoredEvent {
        position: row.try_get("position")?,
        tx_id: row.try_get("tx_id")?,
        aggregate_type: row.try_get("aggregate_type")?,
        aggregate_id: row.try_get("aggregate_id")?,
        sequence: row.try_get("sequence")?,
        event_type: row.try_get("event_type")?,
        event_version: row.try_get("event_version")?,
        payload: row.try_get("payload")?,
        metadata: row.try_get("metadata")?,
        recorded_at: row.try_get("recorded_at")?,
    })
}

/// Committed events after `(tx_id, position)` that no in-flight transaction can still precede.
pub async fn fetch_unsealed(
    conn: &mut PgConnection,
    after_tx_id: i64,
    after_position: i64,
    limit: i64,
) -> Result<Vec<StoredEvent>, sqlx::Error> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events e \
         WHERE (e.tx_id, e.position) > ($1::text::xid8, $2) \
           AND e.tx_id < pg_snapshot_xmin(pg_current_snapshot()) \
         ORDER BY e.tx_id, e.position LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(after_tx_id.to_string())
        .bind(after_position)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(stored_event).collect()
}

/// Events after `after` up to and including `up_to` in (tx_id, position) order — the sealed
/// order — read straight from the log without joining the chain (what a rebuild needs).
pub async fn fetch_range(
    conn: &mut PgConnection,
    after: (i64, i64),
    up_to: (i64, i64),
    limit: i64,
) -> Result<Vec<StoredEvent>, sqlx::Error> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events e \
         WHERE (e.tx_id, e.position) > ($1::text::xid8, $2) AND (e.tx_id, e.position) <= ($3::text::xid8, $4) \
         ORDER BY e.tx_id, e.position LIMIT $5"
    );
    let rows = sqlx::query(&sql)
        .bind(after.0.to_string())
        .bind(after.1)
        .bind(up_to.0.to_string())
        .bind(up_to.1)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(stored_event).collect()
}

/// Sealed events with `seq` in `(after_seq, up_to_seq]`, in order.
pub async fn fetch_sealed(
    conn: &mut PgConnection,
    after_seq: i64,
    up_to_seq: i64,
    limit: i64,
) -> Result<Vec<SealedEvent>, sqlx::Error> {
    let sql = format!(
        "SELECT c.seq, c.hash, {EVENT_COLUMNS} FROM event_chain c JOIN events e ON e.position = c.event_position \
         WHERE c.seq > $1 AND c.seq <= least($2, $1 + $3) ORDER BY c.seq"
    );
    let rows = sqlx::query(&sql)
        .bind(after_seq)
        .bind(up_to_seq)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(sealed_event).collect()
}

fn sealed_event(row: &sqlx::postgres::PgRow) -> Result<SealedEvent, sqlx::Error> {
    let hash: Vec<u8> = row.try_get("hash")?;
    Ok(SealedEvent {
        seq: row.try_get("seq")?,
        hash: hash
            .try_into()
            .map_err(|_| sqlx::Error::Decode("chain hash is not 32 bytes".into()))?,
        event: stored_event(row)?,
    })
}

/// What an auditor narrows the sealed events to; `None` matches everything.
#[derive(Debug, Clone, Default)]
pub struct SealedFilter {
    pub aggregate_type: Option<String>,
    pub aggregate_id: Option<String>,
    pub event_type: Option<String>,
    /// Recorded at or after.
    pub recorded_from: Option<DateTime<Utc>>,
    /// Recorded strictly before.
    pub recorded_before: Option<DateTime<Utc>>,
    /// The `user_id` of the event's metadata.
    pub user_id: Option<Uuid>,
}

/// The sealed events after `after_seq` that match `filter`, in sealed order, at most `limit` of
/// them, looking only at the `window` sequence numbers after `after_seq`.
///
/// The window bounds the work of one call whatever the filter (the log has no index on the
/// filtered columns): a rare match costs the caller more calls, never one unbounded scan.
pub async fn fetch_sealed_matching(
    conn: &mut PgConnection,
    after_seq: i64,
    window: i64,
    filter: &SealedFilter,
    limit: i64,
) -> Result<Vec<SealedEvent>, sqlx::Error> {
    let sql = format!(
        "SELECT c.seq, c.hash, {EVENT_COLUMNS} FROM event_chain c JOIN events e ON e.position = c.event_position \
         WHERE c.seq > $1 AND c.seq <= $1 + $2 \
           AND ($3::text IS NULL OR e.aggregate_type = $3) \
           AND ($4::text IS NULL OR e.aggregate_id = $4) \
           AND ($5::text IS NULL OR e.event_type = $5) \
           AND ($6::timestamptz IS NULL OR e.recorded_at >= $6) \
           AND ($7::timestamptz IS NULL OR e.recorded_at < $7) \
           AND ($8::text IS NULL OR e.metadata->>'user_id' = $8) \
         ORDER BY c.seq LIMIT $9"
    );
    let rows = sqlx::query(&sql)
        .bind(after_seq)
        .bind(window)
        .bind(filter.aggregate_type.as_deref())
        .bind(filter.aggregate_id.as_deref())
        .bind(filter.event_type.as_deref())
        .bind(filter.recorded_from)
        .bind(filter.recorded_before)
        .bind(filter.user_id.map(|u| u.to_string()))
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(sealed_event).collect()
}

/// One kind of event present in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventKind {
    pub aggregate_type: String,
    pub event_type: String,
}

/// The distinct (aggregate type, event type) pairs in the log, sorted, at most `limit`.
pub async fn event_kinds(
    conn: &mut PgConnection,
    limit: i64,
) -> Result<Vec<EventKind>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT aggregate_type, event_type FROM events GROUP BY 1, 2 ORDER BY 1, 2 LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(EventKind {
                aggregate_type: row.try_get("aggregate_type")?,
                event_type: row.try_get("event_type")?,
            })
        })
        .collect()
}

/// Committed events the chain has not reached yet (the projector seals and projects in one
/// transaction, so these are also the unprojected ones).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backlog {
    pub events: i64,
    /// When the longest-waiting of them was recorded (None: nothing waits). Not necessarily the
    /// next to seal: a transaction that started earlier may commit later.
    pub oldest_recorded_at: Option<DateTime<Utc>>,
}

/// What waits behind the chain head. Every committed event counts, also those that wait for an
/// older transaction still in flight: they are behind just the same. One pass over the
/// `(tx_id, position)` index from the head on, so the cost is the backlog's size.
pub async fn backlog(conn: &mut PgConnection) -> Result<Backlog, sqlx::Error> {
    let row = sqlx::query(
        "SELECT count(*) AS events, min(e.recorded_at) AS oldest \
         FROM events e, chain_head h \
         WHERE (e.tx_id, e.position) > (h.last_tx_id, h.last_position)",
    )
    .fetch_one(conn)
    .await?;
    Ok(Backlog {
        events: row.try_get("events")?,
        oldest_recorded_at: row.try_get("oldest")?,
    })
}

/// The chain's head: last sealed sequence number and its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainHead {
    pub last_tx_id: i64,
    pub last_position: i64,
    pub last_seq: i64,
    pub head_hash: [u8; 32],
}

pub async fn chain_head(
    conn: &mut PgConnection,
    for_update: bool,
) -> Result<ChainHead, sqlx::Error> {
    let sql = format!(
        "SELECT last_tx_id::text::bigint AS last_tx_id, last_position, last_seq, head_hash FROM chain_head{}",
        if for_update { " FOR UPDATE" } else { "" }
    );
    let row = sqlx::query(&sql).fetch_one(conn).await?;
    let hash: Vec<u8> = row.try_get("head_hash")?;
    Ok(ChainHead {
        last_tx_id: row.try_get("last_tx_id")?,
        last_position: row.try_get("last_position")?,
        last_seq: row.try_get("last_seq")?,
        head_hash: hash
            .try_into()
            .map_err(|_| sqlx::Error::Decode("head hash is not 32 bytes".into()))?,
    })
}

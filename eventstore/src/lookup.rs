//! Finding events by a field of their payload, straight from the log. For rules that must
//! know history written before their own stream existed (which payouts a program already
//! had, which invoice a transaction already settled): the log is never behind, read tables
//! are.

use sqlx::PgConnection;

/// Events of one type whose payload field equals a value.
#[derive(Debug, Clone, Copy)]
pub struct FieldMatch<'a> {
    pub aggregate_type: &'a str,
    pub event_type: &'a str,
    /// A top-level field of the event's payload (`payload -> event_type ->> field`).
    pub field: &'a str,
    pub equals: &'a str,
    /// Leave out streams that also hold an event of this type (e.g. a payout later cancelled).
    pub unless_stream_has: Option<&'a str>,
}

/// One event found: its stream and its payload (the event's own object, without the
/// variant's name around it).
#[derive(Debug, Clone)]
pub struct Found {
    pub aggregate_id: String,
    pub payload: serde_json::Value,
}

/// The first `limit` events matching `m`, in log order.
pub async fn find_by_field(
    conn: &mut PgConnection,
    m: FieldMatch<'_>,
    limit: i64,
) -> Result<Vec<Found>, sqlx::Error> {
    assert!(limit > 0, "a lookup returns at least one event");
    let rows: Vec<(String, serde_json::Value)> = sqlx::query_as(
        "SELECT c.aggregate_id, c.payload -> $2 \
         FROM events c \
         WHERE c.aggregate_type = $1 AND c.event_type = $2 AND c.payload -> $2 ->> $3 = $4 \
           AND ($5::text IS NULL OR NOT EXISTS ( \
                 SELECT 1 FROM events x WHERE x.aggregate_type = c.aggregate_type \
                   AND x.aggregate_id = c.aggregate_id AND x.event_type = $5)) \
         ORDER BY c.position LIMIT $6",
    )
    .bind(m.aggregate_type)
    .bind(m.event_type)
    .bind(m.field)
    .bind(m.equals)
    .bind(m.unless_stream_has)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(aggregate_id, payload)| Found {
            aggregate_id,
            payload,
        })
        .collect())
}

/// The position of the first event of stream (`aggregate_type`, `aggregate_id`): where it
/// was created. None when the stream has no events.
pub async fn first_position(
    conn: &mut PgConnection,
    aggregate_type: &str,
    aggregate_id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT position FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 \
         AND sequence = 1",
    )
    .bind(aggregate_type)
    .bind(aggregate_id)
    .fetch_optional(conn)
    .await
}

/// The last sequence number of one stream (0 for a stream with no events yet), for writers
/// that append to a stream without loading it (an audit trail under its own lock).
pub async fn last_sequence(
    conn: &mut PgConnection,
    aggregate_type: &str,
    aggregate_id: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COALESCE(max(sequence), 0) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2",
    )
    .bind(aggregate_type)
    .bind(aggregate_id)
    .fetch_one(conn)
    .await
}

/// Whether the event at `position` is sealed (and so projected); `None` when no event has that
/// position. Sealing follows (transaction id, position) order, so an event is sealed iff its
/// cursor is at or below the chain head's.
pub async fn is_sealed(
    conn: &mut PgConnection,
    position: i64,
) -> Result<Option<bool>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT (e.tx_id, e.position) <= (h.last_tx_id, h.last_position) \
         FROM events e, chain_head h WHERE e.position = $1",
    )
    .bind(position)
    .fetch_optional(conn)
    .await
}

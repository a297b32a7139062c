//! Appending to the event log: new events of several aggregates at once when a command spans
//! them (a reversal touches two transactions; a batch touches thousands), in one multi-row
//! INSERT. A duplicate (aggregate_type, aggregate_id, sequence) means someone else wrote first.
//! This is the only code that writes `events`.

use std::collections::HashMap;

use domain::{Aggregate, DomainEvent};
use sqlx::PgConnection;

use crate::log::EventMetadata;

/// An event ready to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub aggregate_type: &'static str,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    /// The event as JSON text, stored verbatim.
    pub payload: String,
}

impl NewEvent {
    /// Wraps the events a command produced for aggregate `A` at stream `id`, which stood at
    /// `version` (its last sequence number) when loaded.
    pub fn from_domain<A: Aggregate>(
        id: &str,
        version: i64,
        events: Vec<A::Event>,
    ) -> Result<Vec<NewEvent>, Unstorable> {
        events
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let payload = serde_json::to_string(&e).expect("domain events serialise to JSON");
                refuse_unstorable(A::TYPE, &e.event_type(), &payload)?;
                Ok(NewEvent {
                    aggregate_type: A::TYPE,
                    aggregate_id: id.to_string(),
                    sequence: version + 1 + i as i64,
                    event_type: e.event_type(),
                    event_version: e.event_version(),
                    payload,
                })
            })
            .collect()
    }
}

/// An event holding text PostgreSQL could not store in a read table (a NUL).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{aggregate_type}/{event_type}: text must not contain NUL characters (U+0000)")]
pub struct Unstorable {
    pub aggregate_type: &'static str,
    pub event_type: String,
}

/// The log's last line of defence: an event whose text PostgreSQL could not store in a read
/// table (a NUL) is never appended, whatever let it through. The domain's text rule
/// (`domain::text`) and the request extractors refuse such text first, naming the field;
/// reaching this means a field escaped the rule, so it is logged.
fn refuse_unstorable(
    aggregate_type: &'static str,
    event_type: &str,
    payload: &str,
) -> Result<(), Unstorable> {
    if domain::text::json_has_nul_escape(payload.as_bytes()) {
        tracing::error!(
            aggregate_type,
            event_type,
            "refused to append an event holding a NUL character"
        );
        return Err(Unstorable {
            aggregate_type,
            event_type: event_type.to_string(),
        });
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("another writer appended to the same stream first")]
    Conflict,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Appends `events` within the caller's transaction; returns the highest position written
/// (0 when there was nothing to write). Readers see the events once the transaction commits.
pub async fn append(
    conn: &mut PgConnection,
    events: &[NewEvent],
    meta: &EventMetadata,
) -> Result<i64, AppendError> {
    let metadata = vec![serde_json::to_string(meta).expect("metadata serialises"); events.len()];
    Ok(append_positions(conn, events, &metadata)
        .await?
        .into_iter()
        .max()
        .unwrap_or(0))
}

/// [`append`] with each event's own metadata (serialised JSON; several commands may share one
/// append), answering each event's own position, in the order of `events`.
pub async fn append_positions(
    conn: &mut PgConnection,
    events: &[NewEvent],
    metadata: &[String],
) -> Result<Vec<i64>, AppendError> {
    assert_eq!(events.len(), metadata.len(), "one metadata per event");
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let n = events.len();
    let (mut types, mut ids, mut seqs) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut kinds, mut versions, mut payloads) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for (e, m) in events.iter().zip(metadata) {
        // Every event was made by `NewEvent::from_domain`, which refused unstorable text.
        assert!(
            !domain::text::has_unstorable(&e.aggregate_id)
                && !domain::text::json_has_nul_escape(e.payload.as_bytes())
                && !domain::text::json_has_nul_escape(m.as_bytes()),
            "event {}/{} holds a NUL",
            e.aggregate_type,
            e.aggregate_id
        );
        types.push(e.aggregate_type);
        ids.push(e.aggregate_id.as_str());
        seqs.push(e.sequence);
        kinds.push(e.event_type.as_str());
        versions.push(e.event_version.as_str());
        payloads.push(e.payload.as_str());
    }
    let result = sqlx::query_as::<_, (String, String, i64, i64)>(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         SELECT t, i, s, k, v, p::json, m::json \
         FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[]) \
           AS u(t, i, s, k, v, p, m) \
         RETURNING aggregate_type, aggregate_id, sequence, position",
    )
    .bind(&types)
    .bind(&ids)
    .bind(&seqs)
    .bind(&kinds)
    .bind(&versions)
    .bind(&payloads)
    .bind(metadata)
    .fetch_all(conn)
    .await;
    match result {
        Ok(rows) => {
            let by_key: HashMap<(String, String, i64), i64> = rows
                .into_iter()
                .map(|(t, i, s, p)| ((t, i, s), p))
                .collect();
            debug_assert_eq!(by_key.len(), events.len());
            Ok(events
                .iter()
                .map(|e| {
                    by_key[&(
                        e.aggregate_type.to_string(),
                        e.aggregate_id.clone(),
                        e.sequence,
                    )]
                })
                .collect())
        }
        Err(sqlx::Error::Database(e)) if e.constraint() == Some("events_pkey") => {
            Err(AppendError::Conflict)
        }
        Err(e) => Err(e.into()),
    }
}

//! The write side of the event log: loading aggregates from their streams and appending new
//! events, several aggregates at once when a command spans them (a reversal touches two
//! transactions; a batch touches thousands). Appends use one multi-row INSERT; a duplicate
//! (aggregate_type, aggregate_id, sequence) means someone else wrote first.

use std::collections::HashMap;

use domain::{Aggregate, DomainEvent};
use projections::log::EventMetadata;
use serde_json::Value;
use sqlx::{PgConnection, Row};

use crate::error::ApiError;

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

/// An event ready to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub aggregate_type: &'static str,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: Value,
}

impl NewEvent {
    /// Wraps the events a command produced for aggregate `A` at stream `id`, which stood at
    /// `version` (its last sequence number) when loaded.
    pub fn from_domain<A: Aggregate>(
        id: &str,
        version: i64,
        events: Vec<A::Event>,
    ) -> Result<Vec<NewEvent>, ApiError> {
        events
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                Ok(NewEvent {
                    aggregate_type: A::TYPE,
                    aggregate_id: id.to_string(),
                    sequence: version + 1 + i as i64,
                    event_type: e.event_type(),
                    event_version: e.event_version(),
                    payload: serde_json::to_value(&e).map_err(ApiError::internal)?,
                })
            })
            .collect()
    }
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
    if events.is_empty() {
        return Ok(0);
    }
    let metadata = serde_json::to_value(meta).expect("metadata serialises");
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
    for e in events {
        types.push(e.aggregate_type);
        ids.push(e.aggregate_id.as_str());
        seqs.push(e.sequence);
        kinds.push(e.event_type.as_str());
        versions.push(e.event_version.as_str());
        payloads.push(&e.payload);
    }
    let result = sqlx::query_scalar::<_, Option<i64>>(
        "WITH inserted AS ( \
           INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
           SELECT t, i, s, k, v, p, $7 FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::jsonb[]) \
             AS u(t, i, s, k, v, p) \
           RETURNING position) \
         SELECT max(position) FROM inserted",
    )
    .bind(&types)
    .bind(&ids)
    .bind(&seqs)
    .bind(&kinds)
    .bind(&versions)
    .bind(&payloads)
    .bind(&metadata)
    .fetch_one(conn)
    .await;
    match result {
        Ok(max) => Ok(max.unwrap_or(0)),
        Err(sqlx::Error::Database(e)) if e.constraint() == Some("events_pkey") => {
            Err(AppendError::Conflict)
        }
        Err(e) => Err(e.into()),
    }
}

/// Loads aggregates of type `A` by id from their event streams. Missing ids load as the
/// default (empty) aggregate with version 0.
pub async fn load_many<A: Aggregate>(
    conn: &mut PgConnection,
    ids: &[String],
) -> Result<HashMap<String, (A, i64)>, ApiError> {
    let rows = sqlx::query(
        "SELECT aggregate_id, sequence, event_type, event_version, payload::text AS payload FROM events \
         WHERE aggregate_type = $1 AND aggregate_id = ANY($2) ORDER BY aggregate_id, sequence",
    )
    .bind(A::TYPE)
    .bind(ids)
    .fetch_all(conn)
    .await?;
    let mut out: HashMap<String, (A, i64)> = ids
        .iter()
        .map(|id| (id.clone(), (A::default(), 0)))
        .collect();
    for row in rows {
        let id: String = row.get("aggregate_id");
        let sequence: i64 = row.get("sequence");
        let event_type: String = row.get("event_type");
        let version: String = row.get("event_version");
        let payload: String = row.get("payload");
        let value: Value = serde_json::from_str(&payload).map_err(ApiError::internal)?;
        let value = projections::upcast::upcast_value(A::TYPE, &event_type, &version, value);
        let event: A::Event = serde_json::from_value(value).map_err(|e| {
            ApiError::internal(format!(
                "event {}/{id}#{sequence} does not load: {e}",
                A::TYPE
            ))
        })?;
        let entry = out.entry(id).or_insert_with(|| (A::default(), 0));
        entry.0.apply(event);
        entry.1 = sequence;
    }
    Ok(out)
}

pub async fn load<A: Aggregate>(conn: &mut PgConnection, id: &str) -> Result<(A, i64), ApiError> {
    let mut all = load_many::<A>(conn, &[id.to_string()]).await?;
    Ok(all.remove(id).unwrap_or_default())
}

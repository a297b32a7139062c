//! The aggregate repository: loads the streams a command needs in one round trip and folds
//! them into aggregates, upcasting old event versions on the way.

use std::collections::HashMap;

use domain::Aggregate;
use sqlx::{PgConnection, Row};

/// Why a stream could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("event {aggregate_type}/{aggregate_id}#{sequence} does not load: {reason}")]
    Undecodable {
        aggregate_type: &'static str,
        aggregate_id: String,
        sequence: i64,
        reason: String,
    },
}

/// One stored event of a stream, not yet decoded.
#[derive(Debug, Clone)]
pub struct RawEvent {
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: String,
}

/// Event streams keyed by (aggregate type, aggregate id), each in sequence order.
#[derive(Debug, Default)]
pub struct Streams(HashMap<(String, String), Vec<RawEvent>>);

impl Streams {
    /// Rebuilds aggregate `A` with id `id` (the default, version 0, if it has no events).
    pub fn fold<A: Aggregate>(&self, id: &str) -> Result<(A, i64), LoadError> {
        let mut state = A::default();
        let mut version = 0;
        for e in self
            .0
            .get(&(A::TYPE.to_string(), id.to_string()))
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let event: A::Event =
                crate::upcast::decode_payload(A::TYPE, &e.event_type, &e.event_version, &e.payload)
                    .map_err(|err| LoadError::Undecodable {
                        aggregate_type: A::TYPE,
                        aggregate_id: id.to_string(),
                        sequence: e.sequence,
                        reason: err.to_string(),
                    })?;
            state.apply(event);
            version = e.sequence;
        }
        Ok((state, version))
    }
}

/// Loads the event streams of `keys` (aggregate type, id) in one query: a command that needs
/// several aggregates pays one round trip, not one per aggregate.
pub async fn load_streams(
    conn: &mut PgConnection,
    keys: &[(&str, String)],
) -> Result<Streams, sqlx::Error> {
    let types: Vec<&str> = keys.iter().map(|(t, _)| *t).collect();
    let ids: Vec<&str> = keys.iter().map(|(_, i)| i.as_str()).collect();
    let rows = sqlx::query(
        // LATERAL makes it one primary-key range scan per stream; a plain join of the key list
        // with `events` let the planner pick a hash join over the whole log (measured: 1.8 ms
        // per posting on a log of 50,000 events, growing with the log).
        "SELECT k.t AS aggregate_type, k.i AS aggregate_id, e.sequence, e.event_type, e.event_version, \
                e.payload::text AS payload \
         FROM UNNEST($1::text[], $2::text[]) AS k(t, i) \
         CROSS JOIN LATERAL ( \
           SELECT sequence, event_type, event_version, payload FROM events \
           WHERE aggregate_type = k.t AND aggregate_id = k.i ORDER BY sequence) e",
    )
    .bind(&types)
    .bind(&ids)
    .fetch_all(conn)
    .await?;
    let mut out: HashMap<(String, String), Vec<RawEvent>> = HashMap::new();
    for row in rows {
        out.entry((row.get("aggregate_type"), row.get("aggregate_id")))
            .or_default()
            .push(RawEvent {
                sequence: row.get("sequence"),
                event_type: row.get("event_type"),
                event_version: row.get("event_version"),
                payload: row.get("payload"),
            });
    }
    Ok(Streams(out))
}

/// Loads aggregates of type `A` by id. Missing ids load as the default (empty) aggregate with
/// version 0.
pub async fn load_many<A: Aggregate>(
    conn: &mut PgConnection,
    ids: &[String],
) -> Result<HashMap<String, (A, i64)>, LoadError> {
    let keys: Vec<(&str, String)> = ids.iter().map(|id| (A::TYPE, id.clone())).collect();
    let streams = load_streams(conn, &keys).await?;
    ids.iter()
        .map(|id| Ok((id.clone(), streams.fold::<A>(id)?)))
        .collect()
}

pub async fn load<A: Aggregate>(conn: &mut PgConnection, id: &str) -> Result<(A, i64), LoadError> {
    load_streams(conn, &[(A::TYPE, id.to_string())])
        .await?
        .fold::<A>(id)
}

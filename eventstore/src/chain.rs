//! The tamper-evident hash chain over the sealed global order.
//!
//! `hash(n) = SHA-256(hash(n-1) || canonical(event n))` with `hash(0)` all zeros. The canonical
//! form is length-prefixed, so no two different events can serialise to the same bytes.

use sha2::{Digest, Sha256};
use sqlx::PgConnection;

use crate::log::{ChainHead, Sequenced, StoredEvent, chain_head, fetch_unsealed};

pub const GENESIS: [u8; 32] = [0; 32];

fn put(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

pub fn link(previous: &[u8; 32], seq: i64, e: &StoredEvent) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(previous);
    h.update(seq.to_be_bytes());
    h.update(e.position.to_be_bytes());
    put(&mut h, e.aggregate_type.as_bytes());
    put(&mut h, e.aggregate_id.as_bytes());
    h.update(e.sequence.to_be_bytes());
    put(&mut h, e.event_type.as_bytes());
    put(&mut h, e.event_version.as_bytes());
    put(&mut h, e.payload.as_bytes());
    put(&mut h, e.metadata.as_bytes());
    h.update(e.recorded_at.timestamp_micros().to_be_bytes());
    h.finalize().into()
}

/// Seals the next committed events, at most `limit_events`, within the caller's database
/// transaction: gives each its gapless `seq` and chain hash and moves the head. The head row
/// stays locked until the caller commits, so whoever projects the events in the same
/// transaction makes "sealed" and "projected" one fact. Answers the sealed events (none when
/// nothing is sealable) and the head after them.
pub async fn seal_next(
    tx: &mut PgConnection,
    limit_events: i64,
) -> Result<(Vec<Sequenced>, ChainHead), sqlx::Error> {
    assert!(limit_events > 0, "a sealing batch holds at least one event");
    let head = chain_head(tx, true).await?;
    let events = fetch_unsealed(tx, head.last_tx_id, head.last_position, limit_events).await?;
    let Some(last) = events.last() else {
        return Ok((Vec::new(), head));
    };
    let (last_tx_id, last_position) = (last.tx_id, last.position);
    let mut hash = head.head_hash;
    let mut hashes: Vec<Vec<u8>> = Vec::with_capacity(events.len());
    let mut sealed = Vec::with_capacity(events.len());
    for (i, event) in events.into_iter().enumerate() {
        let seq = head.last_seq + 1 + i as i64;
        hash = link(&hash, seq, &event);
        hashes.push(hash.to_vec());
        sealed.push(Sequenced { seq, event });
    }
    let seqs: Vec<i64> = sealed.iter().map(|s| s.seq).collect();
    let positions: Vec<i64> = sealed.iter().map(|s| s.event.position).collect();
    sqlx::query(
        "INSERT INTO event_chain (seq, event_position, hash) \
         SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::bytea[])",
    )
    .bind(&seqs)
    .bind(&positions)
    .bind(&hashes)
    .execute(&mut *tx)
    .await?;
    let last_seq = head.last_seq + sealed.len() as i64;
    sqlx::query("UPDATE chain_head SET last_tx_id = $1::text::xid8, last_position = $2, last_seq = $3, head_hash = $4")
        .bind(last_tx_id.to_string())
        .bind(last_position)
        .bind(last_seq)
        .bind(hash.to_vec())
        .execute(&mut *tx)
        .await?;
    let new_head = ChainHead {
        last_tx_id,
        last_position,
        last_seq,
        head_hash: hash,
    };
    Ok((sealed, new_head))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn event() -> StoredEvent {
        StoredEvent {
            position: 1,
            tx_id: 10,
            aggregate_type: "account".into(),
            aggregate_id: "a".into(),
            sequence: 1,
            event_type: "Created".into(),
            event_version: "1.0".into(),
            payload: "{}".into(),
            metadata: "{}".into(),
            recorded_at: Utc::now(),
        }
    }

    #[test]
    fn any_field_change_changes_the_hash() {
        let e = event();
        let base = link(&GENESIS, 1, &e);
        let mut variants = vec![];
        let mut v = e.clone();
        v.payload = "{ }".into();
        variants.push(v);
        let mut v = e.clone();
        v.aggregate_id = "b".into();
        variants.push(v);
        let mut v = e.clone();
        v.sequence = 2;
        variants.push(v);
        let mut v = e.clone();
        v.metadata = "{\"a\":1}".into();
        variants.push(v);
        // Moving bytes between adjacent fields must not collide.
        let mut v = e.clone();
        v.aggregate_type = "accoun".into();
        v.aggregate_id = "ta".into();
        variants.push(v);
        for v in variants {
            assert_ne!(link(&GENESIS, 1, &v), base);
        }
        assert_ne!(link(&GENESIS, 2, &e), base);
        assert_ne!(link(&[1; 32], 1, &e), base);
        assert_eq!(link(&GENESIS, 1, &e), base);
    }
}

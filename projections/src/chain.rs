//! The tamper-evident hash chain over the sealed global order.
//!
//! `hash(n) = SHA-256(hash(n-1) || canonical(event n))` with `hash(0)` all zeros. The canonical
//! form is length-prefixed, so no two different events can serialise to the same bytes.

use sha2::{Digest, Sha256};

use crate::log::StoredEvent;

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

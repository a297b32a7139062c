//! Event schema versions. Payloads are stored as written; readers upcast old versions to the
//! current shape before deserialising, so old events load after every schema change.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::log::StoredEvent;

/// A stored event that does not decode into its aggregate's event type.
#[derive(Debug, Clone, thiserror::Error)]
#[error("event at position {position} cannot be read: {reason}")]
pub struct CorruptEvent {
    pub position: i64,
    pub reason: String,
}

/// Whether an event of this type and version needs upcasting before it loads.
fn is_old(aggregate_type: &str, event_type: &str, version: &str) -> bool {
    (aggregate_type, event_type, version) == ("transaction", "Posted", "0.9")
}

/// The upcasters, oldest first. Version 0.9 of `transaction/Posted` (the first prototype's)
/// had no request fingerprint; it loads as if its fingerprint were empty.
pub fn upcast_value(
    aggregate_type: &str,
    event_type: &str,
    version: &str,
    mut value: Value,
) -> Value {
    if is_old(aggregate_type, event_type, version)
        && let Some(posted) = value.get_mut("Posted").and_then(Value::as_object_mut)
    {
        posted
            .entry("fingerprint")
            .or_insert(Value::String(String::new()));
    }
    value
}

/// Deserialises a payload in the current schema, upcasting only the old versions (the common
/// case parses the text once, straight into `T`).
///
/// The repair path for unstorable text: an event whose strings hold a NUL (written before the
/// text rule existed, or behind the application's back) would stop every projection, because
/// PostgreSQL cannot store a NUL in `text` or `jsonb`. Such a payload loads with each NUL
/// replaced by U+FFFD. The stored event is not touched (the log is append-only and the hash
/// chain covers its text as written); only what it projects shows the replacement character.
/// See docs/operations.md "An event the projector cannot apply".
pub fn decode_payload<T: DeserializeOwned>(
    aggregate_type: &str,
    event_type: &str,
    version: &str,
    payload: &str,
) -> Result<T, serde_json::Error> {
    let unstorable = domain::text::json_has_nul_escape(payload.as_bytes());
    if !unstorable && !is_old(aggregate_type, event_type, version) {
        return serde_json::from_str(payload);
    }
    let mut value: Value = serde_json::from_str(payload)?;
    if unstorable {
        domain::text::replace_nul_in_json(&mut value);
    }
    serde_json::from_value(upcast_value(aggregate_type, event_type, version, value))
}

/// [`decode_payload`] for a stored event, with the event's position in the error.
pub fn decode<T: DeserializeOwned>(e: &StoredEvent) -> Result<T, CorruptEvent> {
    decode_payload(
        &e.aggregate_type,
        &e.event_type,
        &e.event_version,
        &e.payload,
    )
    .map_err(|err| CorruptEvent {
        position: e.position,
        reason: err.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::transaction::TransactionEvent;

    #[test]
    fn old_posted_events_still_load() {
        let old = serde_json::json!({"Posted": {
            "date": "2024-01-02", "kind": "journal", "description": "old",
            "legs": [
                {"account_id": "00000000-0000-0000-0000-000000000001", "amount": "1.00", "currency": "USD"},
                {"account_id": "00000000-0000-0000-0000-000000000002", "amount": "-1.00", "currency": "USD"}
            ]
        }})
        .to_string();
        assert!(serde_json::from_str::<TransactionEvent>(&old).is_err());
        let e: TransactionEvent = decode_payload("transaction", "Posted", "0.9", &old).unwrap();
        assert!(matches!(e, TransactionEvent::Posted(p) if p.fingerprint.is_empty()));
        assert!(decode_payload::<TransactionEvent>("transaction", "Posted", "1.0", &old).is_err());
    }

    #[test]
    fn a_payload_holding_nul_loads_with_the_replacement_character() {
        let stored = r#"{"Created":{"name":"Acme","notes":"bad\u0000note"}}"#;
        let v: Value = decode_payload("project", "Created", "1.0", stored).unwrap();
        assert_eq!(v["Created"]["notes"], "bad\u{FFFD}note");
        // An escaped backslash followed by `u0000` is text, not a NUL: left as it is.
        let plain = r#"{"Created":{"notes":"C:\\u0000"}}"#;
        let v: Value = decode_payload("project", "Created", "1.0", plain).unwrap();
        assert_eq!(v["Created"]["notes"], "C:\\u0000");
    }
}

//! Event schema versions. Payloads are stored as written; readers upcast old versions to the
//! current shape before deserialising, so old events load after every schema change.

use serde_json::Value;

use crate::ProjectionError;
use crate::log::StoredEvent;

/// Returns the payload of `e` in the current schema of its event type.
pub fn upcast(e: &StoredEvent) -> Result<Value, ProjectionError> {
    let value: Value =
        serde_json::from_str(&e.payload).map_err(|err| ProjectionError::Corrupt {
            position: e.position,
            reason: err.to_string(),
        })?;
    Ok(upcast_value(
        &e.aggregate_type,
        &e.event_type,
        &e.event_version,
        value,
    ))
}

/// The upcasters, oldest first. Version 0.9 of `transaction/Posted` (the first prototype's)
/// had no request fingerprint; it loads as if its fingerprint were empty.
pub fn upcast_value(
    aggregate_type: &str,
    event_type: &str,
    version: &str,
    mut value: Value,
) -> Value {
    if (aggregate_type, event_type, version) == ("transaction", "Posted", "0.9")
        && let Some(posted) = value.get_mut("Posted").and_then(Value::as_object_mut)
    {
        posted
            .entry("fingerprint")
            .or_insert(Value::String(String::new()));
    }
    value
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
        }});
        assert!(serde_json::from_value::<TransactionEvent>(old.clone()).is_err());
        let v = upcast_value("transaction", "Posted", "0.9", old);
        let e: TransactionEvent = serde_json::from_value(v).unwrap();
        assert!(matches!(e, TransactionEvent::Posted(p) if p.fingerprint.is_empty()));
    }
}

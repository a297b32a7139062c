//! Command handling: load what a command needs from the log, let the domain decide, append the
//! events, all in one database transaction. HTTP handlers call these; so do the CLI and seeding.

pub mod accounts;
pub mod committer;
pub mod crypto;
pub mod entities;
pub mod invoices;
pub mod locks;
pub mod payouts;
pub mod periods;
pub mod rates;
pub mod recurring;
pub mod transactions;

use chrono::Utc;
use eventstore::EventMetadata;
use uuid::Uuid;

/// Who is acting and through what: becomes every written event's metadata.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    pub request_id: Option<String>,
    pub source: String,
}

impl Actor {
    pub fn api(user_id: Uuid, request_id: Option<String>) -> Self {
        Self {
            user_id: Some(user_id),
            request_id,
            source: "api".into(),
        }
    }

    pub fn system(source: &str) -> Self {
        Self {
            user_id: None,
            request_id: None,
            source: source.into(),
        }
    }

    pub fn metadata(&self) -> EventMetadata {
        EventMetadata {
            user_id: self.user_id,
            request_id: self.request_id.clone(),
            source: self.source.clone(),
            time: Utc::now(),
        }
    }
}

/// The result of a command: what it wrote and where in the log.
#[derive(Debug, Clone, Copy)]
pub struct Written {
    /// Highest log position written (0 when the command changed nothing).
    pub position: i64,
}

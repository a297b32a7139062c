//! The read side: the projector (it seals the log through `eventstore` and projects it into read
//! tables in the same transaction), rebuilding and verifying the read tables, and their queries.

pub mod apply;
pub mod beancount;
pub mod copy_binary;
pub mod crypto;
pub mod invoices;
pub mod payouts;
pub mod projector;
pub mod queries;
pub mod read_model;
pub mod rebuild;
pub mod recurring;
pub mod reports;
pub mod traffic;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ProjectionError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("event at position {position} cannot be read: {reason}")]
    Corrupt { position: i64, reason: String },
    #[error("the projector lock is held by another process (is a server running?)")]
    LockBusy,
}

impl ProjectionError {
    pub fn corrupt(ev: &eventstore::StoredEvent, reason: impl std::fmt::Display) -> Self {
        Self::Corrupt {
            position: ev.position,
            reason: reason.to_string(),
        }
    }
}

impl From<eventstore::CorruptEvent> for ProjectionError {
    fn from(e: eventstore::CorruptEvent) -> Self {
        Self::Corrupt {
            position: e.position,
            reason: e.reason,
        }
    }
}

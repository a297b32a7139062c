//! The read side: reading the log in its global order, sealing it into a hash chain, projecting
//! it into read tables, rebuilding and verifying them, and the queries that read them.

pub mod apply;
pub mod beancount;
pub mod chain;
pub mod copy_binary;
pub mod crypto;
pub mod invoices;
pub mod log;
pub mod payouts;
pub mod projector;
pub mod queries;
pub mod read_model;
pub mod rebuild;
pub mod recurring;
pub mod reports;
pub mod traffic;
pub mod upcast;

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
    pub fn corrupt(ev: &log::StoredEvent, reason: impl std::fmt::Display) -> Self {
        Self::Corrupt {
            position: ev.position,
            reason: reason.to_string(),
        }
    }
}

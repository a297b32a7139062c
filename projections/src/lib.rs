//! The read side: the projector (it seals the log through `eventstore` and projects it into read
//! tables in the same transaction), rebuilding and verifying the read tables, and their queries.

pub mod aggregate;
pub mod apply;
pub mod beancount;
pub mod copy_binary;
pub mod crypto;
pub mod entities;
pub mod invoices;
pub mod ledger;
pub mod live;
pub mod payouts;
pub mod profitability;
pub mod projector;
pub mod queries;
pub mod rates;
pub mod read_model;
pub mod rebuild;
pub mod recurring;
pub mod reports;
pub mod traffic;

use chrono::NaiveDate;
use thiserror::Error;
use uuid::Uuid;

#[derive(Debug, Error)]
pub enum ProjectionError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("event at position {position} cannot be read: {reason}")]
    Corrupt { position: i64, reason: String },
    #[error("the projector lock is held by another process (is a server running?)")]
    LockBusy,
}

/// Why a query of the read side gave no answer. The HTTP layer maps each kind once
/// (api/src/error.rs); nothing here knows a status code.
#[derive(Debug, Error)]
pub enum ReadError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// A report of the books found no rate for a (currency, day) it must convert (the rule of
    /// `queries::rate_lookup_sql`).
    #[error("no {currency}/{report} rate on or up to 31 days before {day}")]
    MissingRate {
        currency: String,
        report: String,
        day: NaiveDate,
    },
    /// A conversion at one day's rate (ageing, profitability, traffic metrics) found none.
    #[error(
        "no exchange rate from {currency} to {report} on or before {day}; enter one at /api/rates"
    )]
    NoRateOnOrBefore {
        currency: String,
        report: String,
        day: NaiveDate,
    },
    #[error(
        "the report has more than {} rows; narrow the period or the grouping",
        reports::MAX_REPORT_ROWS
    )]
    TooManyRows,
    /// A parameter the query cannot answer for, named as the caller passed it.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// What was asked for does not exist (e.g. `invoice <id>`).
    #[error("{0} not found")]
    NotFound(String),
    #[error("account {0} cannot be read: {1}")]
    Account(Uuid, String),
    /// A read row that contradicts the read model's own rules.
    #[error("{0}")]
    Internal(String),
    /// A parameter the domain refuses (e.g. an unknown currency code), answered as the
    /// domain's own refusal.
    #[error(transparent)]
    Domain(#[from] domain::DomainError),
}

impl ReadError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }
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

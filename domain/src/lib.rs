//! The business rules of the ledger: money, reference data, journal entries and the period lock.
//! Commands go in, events come out; nothing here touches a database, a clock or the network.

pub mod access;
pub mod account;
pub mod aggregate;
pub mod category;
pub mod counterparty;
pub mod crypto;
pub mod entity;
pub mod error;
pub mod invoice;
pub mod leg;
pub mod money;
pub mod payment_application;
pub mod payout;
pub mod payout_scope;
pub mod period;
pub mod project;
pub mod rates;
pub mod recurring;
pub mod recurring_payment;
pub mod report;
pub mod text;
pub mod traffic;
pub mod traffic_import;
pub mod traffic_metrics;
pub mod transaction;
pub mod tron;
pub mod tron_wallet;

pub use cqrs_es::{Aggregate, DomainEvent};
pub use error::DomainError;
pub use money::{Currency, Money};

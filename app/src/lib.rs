//! The application layer: runs every command the same way (load the streams, decide in the
//! domain, append atomically, refuse or retry a conflict with a typed error), the traffic
//! import pipeline, the overdue marker and the demo seed. It knows no HTTP: `api` maps its
//! errors to problem+json once, and the CLI, the benchmarks and the tests call it directly.

pub mod access;
pub mod demo;
pub mod error;
pub mod executor;
pub mod fx;
pub mod idempotency;
pub mod ledger;
pub mod ops;
pub mod overdue;
pub mod traffic;

pub use error::{AppError, AppResult};

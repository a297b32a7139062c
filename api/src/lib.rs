//! The ledger server: configuration, database, command handling, HTTP routes and startup.

pub mod auth;
pub mod client_ip;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod ops_cli;
pub mod routes;
pub mod security_headers;
pub mod startup;
pub mod state;
pub mod traffic;

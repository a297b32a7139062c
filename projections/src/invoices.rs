//! The invoices read model: one row per invoice (with its running paid, overpaid and open
//! amounts), its lines and its payments. [`schema`] holds the tables, [`apply`] how invoice
//! events change them (from the invoice's events alone, so a rebuild gives the same rows),
//! [`queries`] and [`aging`] what the API reads.

pub mod aging;
pub mod apply;
pub mod queries;
pub mod schema;

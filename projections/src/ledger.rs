//! The books read model: transactions and their postings, balances per account, the rollup
//! the accounting reports read, and the closed-through date of the period lock. [`schema`]
//! holds the tables, [`apply`] how transaction and period events change them, [`rollup`] the
//! per-day and per-month sums. Its queries: `crate::queries` (transactions, balances,
//! closed-through) and `crate::reports` (P&L, balance sheet, cash flow, dashboard).

pub mod apply;
pub mod rollup;
pub mod schema;

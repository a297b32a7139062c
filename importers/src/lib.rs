//! Readers of the outside world's data: traffic report files (CSV), the TronScan API and
//! exchange-rate sources. Nothing here touches the database: callers get typed records or
//! typed errors and decide what to store.

pub mod fx;
pub mod report;
pub mod tronscan;

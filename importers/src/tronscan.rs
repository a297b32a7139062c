//! TronScan API client: transaction lookup, payment verification and wallet transfer history.
//!
//! Amounts come out as `Decimal` in whole tokens (TRX from sun, TRC20 scaled by the token's
//! decimals); tokens are identified by contract address only. Transport failures are retried
//! with backoff (see [`http`]) and then reported as typed errors.

mod client;
mod error;
mod history;
pub mod http;
mod model;
mod verify;
mod wire;

pub use client::{
    API_KEY_HEADER, Config, DEFAULT_BASE_URL, MAX_OFFSET, MAX_PAGE_SIZE, TronScanClient,
};
pub use error::TronScanError;
pub use history::{HistoryKind, HistoryQuery};
pub use http::{FetchError, HttpConfig};
pub use model::{
    Direction, Token, TokenTransfer, Transfer, TxInfo, USDT_CONTRACT, scale_units, sun_to_trx,
    validate_hash,
};
pub use verify::{Expected, Mismatch, Verification, check};

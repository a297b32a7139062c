//! Exchange-rate sources: the ECB's euro reference rates for fiat, and CoinGecko for TRX and
//! USDT. Every source implements [`RateSource`] and shares the TronScan client's HTTP retry
//! policy ([`crate::tronscan::http`]).

mod coingecko;
mod ecb;
mod ecb_xml;
mod error;
mod rate;

pub use coingecko::{
    COINGECKO, COINGECKO_KEY_HEADER, CoinGecko, CoinGeckoConfig, DEFAULT_COINGECKO_BASE_URL,
    PricePoint, RATE_DECIMALS, daily_closes, parse_market_chart, round_rate,
};
pub use ecb::{DEFAULT_ECB_BASE_URL, Ecb, EcbConfig, EcbFile};
pub use ecb_xml::{ECB, EcbRates, parse_eurofxref};
pub use error::FxError;
pub use rate::{Rate, RateSource};

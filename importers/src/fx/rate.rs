use async_trait::async_trait;
use chrono::NaiveDate;
use domain::Currency;
use rust_decimal::Decimal;

use super::error::FxError;

/// One published rate: 1 `base` = `rate` `quote` on `date`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rate {
    pub date: NaiveDate,
    pub base: Currency,
    pub quote: Currency,
    pub rate: Decimal,
    /// The provider's name, e.g. "ECB" or "CoinGecko".
    pub source: String,
}

/// A pluggable provider of daily rates. `async_trait` rather than a native async fn so that
/// sources can be kept as `Box<dyn RateSource>` side by side.
#[async_trait]
pub trait RateSource: Send + Sync {
    fn name(&self) -> &str;

    /// Rates for the days in `from..=to` that the provider published. Days without a
    /// publication (weekends and holidays for the ECB) are simply absent, not an error.
    async fn rates(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Rate>, FxError>;
}

pub(crate) fn check_range(from: NaiveDate, to: NaiveDate) -> Result<(), FxError> {
    if from > to {
        return Err(FxError::InvalidRange { from, to });
    }
    Ok(())
}

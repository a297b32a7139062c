use chrono::NaiveDate;

use crate::tronscan::http::FetchError;

/// Everything a rate source can fail with. Transport failures come wrapped in [`FetchError`],
/// already retried as the configuration allows.
#[derive(Debug, thiserror::Error)]
pub enum FxError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{provider}: malformed XML: {message}")]
    Xml { provider: String, message: String },
    #[error("{provider}: malformed JSON: {message}")]
    Json { provider: String, message: String },
    #[error("{provider}: invalid {what} `{value}`")]
    InvalidValue {
        provider: String,
        what: String,
        value: String,
    },
    #[error("the date range {from}..={to} is empty (from after to)")]
    InvalidRange { from: NaiveDate, to: NaiveDate },
    #[error("{0}")]
    Config(String),
}

impl FxError {
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, FxError::Fetch(FetchError::RateLimited { .. }))
    }
}

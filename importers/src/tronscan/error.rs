use super::http::FetchError;

/// Everything the TronScan client can fail with. Transport failures (rate limits, timeouts,
/// HTTP statuses) come wrapped in [`FetchError`], already retried as the configuration allows.
#[derive(Debug, thiserror::Error)]
pub enum TronScanError {
    #[error("`{0}` is not a transaction hash (64 hexadecimal characters)")]
    InvalidHash(String),
    #[error("{0}")]
    InvalidAddress(String),
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("cannot decode {what}: {message}")]
    Decode { what: String, message: String },
    #[error("{what}: more than {limit} pages; ask for a shorter time range")]
    TooManyPages { what: String, limit: u32 },
    /// More transfers share one millisecond than one offset window can page through, so
    /// narrowing the time window cannot make progress.
    #[error(
        "{what}: more than {window} entries at timestamp {timestamp_ms} ms; cannot page past them"
    )]
    WindowStuck {
        what: String,
        window: u32,
        timestamp_ms: i64,
    },
}

impl TronScanError {
    pub(crate) fn decode(what: impl Into<String>, message: impl Into<String>) -> Self {
        TronScanError::Decode {
            what: what.into(),
            message: message.into(),
        }
    }

    /// True when the service said "too many requests" until the retries ran out.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, TronScanError::Fetch(FetchError::RateLimited { .. }))
    }

    pub fn is_timeout(&self) -> bool {
        matches!(self, TronScanError::Fetch(FetchError::Timeout { .. }))
    }
}

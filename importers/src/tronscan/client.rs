//! The TronScan client: configuration, transaction lookup and payment verification. Wallet
//! history (paging) is in `history`.

use reqwest::header::{HeaderMap, HeaderValue};

use super::error::TronScanError;
use super::http::{FetchError, HttpClient, HttpConfig, join_url};
use super::model::{Token, TxInfo, validate_address, validate_hash};
use super::verify::{Expected, Verification, check};
use super::wire::parse_tx_info;

pub const DEFAULT_BASE_URL: &str = "https://apilist.tronscanapi.com";
pub const API_KEY_HEADER: &str = "TRON-PRO-API-KEY";
/// TronScan refuses `limit` above 50.
pub const MAX_PAGE_SIZE: u32 = 50;
/// TronScan refuses `start + limit` above 10,000.
pub const MAX_OFFSET: u32 = 10_000;

#[derive(Clone, Debug)]
pub struct Config {
    pub base_url: String,
    /// Sent as `TRON-PRO-API-KEY`. Without a key TronScan throttles much harder.
    pub api_key: Option<String>,
    /// Timeout, retries, backoff, request spacing (`min_interval`) and the response-size cap.
    pub http: HttpConfig,
    /// Entries asked for per page; clamped to 1..=50.
    pub page_size: u32,
    /// The largest `start + limit` the server accepts; clamped to page_size..=10,000. Past it
    /// the client narrows the time window instead (see `history`).
    pub max_offset: u32,
    /// Pages one history call may fetch, over all windows, before it gives up.
    pub max_pages: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_string(),
            api_key: None,
            http: HttpConfig::default(),
            page_size: MAX_PAGE_SIZE,
            max_offset: MAX_OFFSET,
            max_pages: 2_000,
        }
    }
}

#[derive(Debug)]
pub struct TronScanClient {
    pub(super) base_url: String,
    pub(super) http: HttpClient,
    pub(super) page_size: u32,
    pub(super) max_offset: u32,
    pub(super) max_pages: u32,
}

impl TronScanClient {
    pub fn new(config: Config) -> Result<Self, TronScanError> {
        let mut headers = HeaderMap::new();
        if let Some(key) = config.api_key.as_deref().filter(|k| !k.trim().is_empty()) {
            let mut value = HeaderValue::from_str(key.trim()).map_err(|_| {
                FetchError::Client("the API key is not a valid header value".to_string())
            })?;
            value.set_sensitive(true);
            headers.insert(API_KEY_HEADER, value);
        }
        let page_size = config.page_size.clamp(1, MAX_PAGE_SIZE);
        Ok(Self {
            base_url: config.base_url,
            http: HttpClient::new("tronscan", config.http, headers)?,
            page_size,
            max_offset: config.max_offset.clamp(page_size, MAX_OFFSET),
            max_pages: config.max_pages.max(1),
        })
    }

    pub(super) fn url(&self, path: &str) -> String {
        join_url(&self.base_url, path)
    }

    /// Looks a transaction up. `Ok(None)` when TronScan does not know the hash. The hash is
    /// checked before any request is made.
    pub async fn transaction(&self, hash: &str) -> Result<Option<TxInfo>, TronScanError> {
        let hash = validate_hash(hash)?;
        let body = self
            .http
            .get(&self.url("api/transaction-info"), &[("hash", hash.clone())])
            .await?;
        parse_tx_info(&body, &hash)
    }

    /// Fetches the transaction and compares it with `expected` (see [`check`]). Addresses in
    /// `expected` are validated before any request.
    pub async fn verify(
        &self,
        hash: &str,
        expected: &Expected,
    ) -> Result<Verification, TronScanError> {
        validate_hash(hash)?;
        if let Token::Trc20 { contract } = &expected.token {
            validate_address("token contract", contract)?;
        }
        if let Some(from) = &expected.from {
            validate_address("from", from)?;
        }
        if let Some(to) = &expected.to {
            validate_address("to", to)?;
        }
        Ok(match self.transaction(hash).await? {
            None => Verification::NotFound,
            Some(tx) => check(&tx, expected),
        })
    }
}

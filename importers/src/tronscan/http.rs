//! The HTTP transport shared by the TronScan client and the exchange-rate sources: timeouts,
//! client-side spacing of requests, retries with exponential backoff and jitter, `Retry-After`,
//! and a cap on response size. Every outside service this crate talks to rate-limits, so the
//! policy lives in one place instead of one copy per client.
//!
//! It sits under `tronscan` only because this crate's module list (lib.rs) is owned elsewhere;
//! `fx` uses it as `crate::tronscan::http`.

use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use tokio::sync::Mutex;
use tokio::time::Instant;

/// How a client reaches its service. The defaults suit a background job: patient, but bounded.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// Whole-request timeout (connect, send, and reading the body).
    pub timeout: Duration,
    /// Retries after the first attempt, for 429, 408, 5xx, timeouts and connection errors.
    pub max_retries: u32,
    /// The least time between the starts of two requests of one client, retries included.
    pub min_interval: Duration,
    /// First backoff delay; it doubles with each retry up to `backoff_max`.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// A `Retry-After` longer than this is not slept through: the call fails with
    /// [`FetchError::RateLimited`] at once so that a scheduler can come back later, rather
    /// than a request hanging for an hour.
    pub max_retry_after: Duration,
    /// Bodies larger than this are refused; a runaway answer must not eat the memory.
    pub max_body_bytes: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(20),
            max_retries: 4,
            min_interval: Duration::from_millis(250),
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            max_body_bytes: 8 * 1024 * 1024,
        }
    }
}

impl HttpConfig {
    /// Delay before retry number `retry` (0 for the first retry): exponential, capped, with
    /// "equal jitter" (half fixed, half random) so that clients which failed together do not
    /// come back together, while the delay still grows.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(30));
        let capped = self
            .backoff_base
            .saturating_mul(factor)
            .min(self.backoff_max);
        let half = capped / 2;
        let half_nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        let jitter = rand::thread_rng().gen_range(0..=half_nanos);
        half + Duration::from_nanos(jitter)
    }
}

/// What went wrong talking to a service, after the retries the policy allows.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: rate limited (HTTP 429) after {attempts} attempt(s){}", retry_after_note(*.retry_after))]
    RateLimited {
        url: String,
        attempts: u32,
        /// The last `Retry-After` the server sent, if any.
        retry_after: Option<Duration>,
    },
    #[error("{url}: no complete answer within {timeout:?} after {attempts} attempt(s)")]
    Timeout {
        url: String,
        attempts: u32,
        timeout: Duration,
    },
    #[error("{url}: HTTP {status} after {attempts} attempt(s): {body}")]
    Http {
        url: String,
        status: u16,
        attempts: u32,
        /// The start of the response body, for the log.
        body: String,
    },
    #[error("{url}: network error after {attempts} attempt(s): {message}")]
    Network {
        url: String,
        attempts: u32,
        message: String,
    },
    #[error("{url}: response larger than {limit} bytes")]
    TooLarge { url: String, limit: usize },
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

fn retry_after_note(retry_after: Option<Duration>) -> String {
    retry_after
        .map(|d| format!("; the server asked to wait {}s", d.as_secs()))
        .unwrap_or_default()
}

/// The outcome of one attempt that did not succeed, before it is known whether to retry.
enum Failure {
    Status {
        status: StatusCode,
        retry_after: Option<Duration>,
        body: String,
    },
    Timeout,
    Network(String),
    TooLarge,
}

impl Failure {
    fn is_retryable(&self) -> bool {
        match self {
            Failure::Status { status, .. } => {
                *status == StatusCode::TOO_MANY_REQUESTS
                    || *status == StatusCode::REQUEST_TIMEOUT
                    || status.is_server_error()
            }
            Failure::Timeout | Failure::Network(_) => true,
            Failure::TooLarge => false,
        }
    }

    fn into_error(self, url: &str, attempts: u32, config: &HttpConfig) -> FetchError {
        let url = url.to_string();
        match self {
            Failure::Status {
                status,
                retry_after,
                ..
            } if status == StatusCode::TOO_MANY_REQUESTS => FetchError::RateLimited {
                url,
                attempts,
                retry_after,
            },
            Failure::Status { status, body, .. } => FetchError::Http {
                url,
                status: status.as_u16(),
                attempts,
                body,
            },
            Failure::Timeout => FetchError::Timeout {
                url,
                attempts,
                timeout: config.timeout,
            },
            Failure::Network(message) => FetchError::Network {
                url,
                attempts,
                message,
            },
            Failure::TooLarge => FetchError::TooLarge {
                url,
                limit: config.max_body_bytes,
            },
        }
    }
}

/// Bytes of an error body kept for messages and logs.
const ERROR_BODY_SNIPPET: usize = 300;

/// A GET-only client with the retry policy built in.
#[derive(Debug)]
pub struct HttpClient {
    service: &'static str,
    client: reqwest::Client,
    config: HttpConfig,
    /// When the next request may start; shared by concurrent callers so each takes its own slot.
    next_slot: Mutex<Option<Instant>>,
}

impl HttpClient {
    /// `service` names the remote side in logs; `headers` go with every request (API keys).
    pub fn new(
        service: &'static str,
        config: HttpConfig,
        headers: HeaderMap,
    ) -> Result<Self, FetchError> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .default_headers(headers)
            .user_agent(concat!("ledger-importers/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Client(error_chain(&e)))?;
        Ok(Self {
            service,
            client,
            config,
            next_slot: Mutex::new(None),
        })
    }

    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// GETs `url` with `query` and returns the body of the first successful answer.
    pub async fn get(&self, url: &str, query: &[(&str, String)]) -> Result<Vec<u8>, FetchError> {
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            self.wait_turn().await;
            let failure = match self.attempt(url, query).await {
                Ok(body) => return Ok(body),
                Err(failure) => failure,
            };
            let retries_done = attempts - 1;
            if !failure.is_retryable() || retries_done >= self.config.max_retries {
                return Err(failure.into_error(url, attempts, &self.config));
            }
            let delay = match &failure {
                Failure::Status {
                    retry_after: Some(wait),
                    ..
                } => {
                    if *wait > self.config.max_retry_after {
                        tracing::warn!(
                            service = self.service,
                            url,
                            retry_after_s = wait.as_secs(),
                            "server asks to wait longer than the configured maximum; giving up"
                        );
                        return Err(failure.into_error(url, attempts, &self.config));
                    }
                    *wait
                }
                _ => self.config.backoff(retries_done),
            };
            tracing::warn!(
                service = self.service,
                url,
                attempt = attempts,
                reason = failure_reason(&failure),
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "request failed; retrying"
            );
            tokio::time::sleep(delay).await;
        }
    }

    async fn wait_turn(&self) {
        if self.config.min_interval.is_zero() {
            return;
        }
        let start_at = {
            let mut next = self.next_slot.lock().await;
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.config.min_interval);
            slot
        };
        tokio::time::sleep_until(start_at).await;
    }

    async fn attempt(&self, url: &str, query: &[(&str, String)]) -> Result<Vec<u8>, Failure> {
        let mut response = self
            .client
            .get(url)
            .query(query)
            .send()
            .await
            .map_err(classify)?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let body = read_limited(&mut response, ERROR_BODY_SNIPPET, false)
                .await
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            return Err(Failure::Status {
                status,
                retry_after,
                body,
            });
        }
        if response
            .content_length()
            .is_some_and(|len| len > self.config.max_body_bytes as u64)
        {
            return Err(Failure::TooLarge);
        }
        read_limited(&mut response, self.config.max_body_bytes, true).await
    }
}

/// Reads at most `limit` bytes of the body. With `strict`, more than that is an error; without,
/// the rest is dropped (error bodies are only wanted for their first lines).
async fn read_limited(
    response: &mut reqwest::Response,
    limit: usize,
    strict: bool,
) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(classify)? {
        if body.len() + chunk.len() > limit {
            if strict {
                return Err(Failure::TooLarge);
            }
            body.extend_from_slice(&chunk[..limit - body.len()]);
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn classify(error: reqwest::Error) -> Failure {
    if error.is_timeout() {
        Failure::Timeout
    } else {
        Failure::Network(error_chain(&error))
    }
}

fn failure_reason(failure: &Failure) -> String {
    match failure {
        Failure::Status { status, .. } => format!("HTTP {}", status.as_u16()),
        Failure::Timeout => "timeout".to_string(),
        Failure::Network(message) => message.clone(),
        Failure::TooLarge => "too large".to_string(),
    }
}

/// reqwest's own message is often just "error sending request"; the cause is further down.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.with_timezone(&Utc) - Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// Joins a configured base URL and a path, whether or not the base ends with a slash.
pub fn join_url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_capped() {
        let config = HttpConfig {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(1000),
            ..HttpConfig::default()
        };
        for _ in 0..50 {
            let first = config.backoff(0);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = config.backoff(2);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let late = config.backoff(40);
            assert!(late >= Duration::from_millis(500) && late <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        let later = (Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        let wait = parse_retry_after(&later).expect("a date parses");
        assert!(wait > Duration::from_secs(25) && wait <= Duration::from_secs(30));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn urls_join_with_one_slash() {
        assert_eq!(join_url("http://a/b/", "/c.xml"), "http://a/b/c.xml");
        assert_eq!(join_url("http://a/b", "c.xml"), "http://a/b/c.xml");
    }
}

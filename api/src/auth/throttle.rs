//! Throttling of failed sign-ins, shared by all API instances through `login_failures`.
//!
//! Failures are counted per email (`email:<lowercased>`) and per client address
//! (`ip:<addr>`; IPv6 clients by their /64 network) over a sliding window. Once
//! [`EMAIL_LIMIT`] failures for an email, or [`IP_LIMIT`] for an address, fall within
//! [`WINDOW_MINUTES`], further attempts are refused with 429 `too_many_attempts` and a
//! `Retry-After` header, without checking the password, until enough failures age out.

use std::net::IpAddr;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use sqlx::PgPool;

use crate::error::ApiError;

/// Failures allowed per email within the window; the next attempt is refused.
pub const EMAIL_LIMIT: i64 = 5;
/// Failures allowed per client address within the window; the next attempt is refused.
pub const IP_LIMIT: i64 = 20;
/// Length of the sliding window.
pub const WINDOW_MINUTES: i64 = 15;
/// Failures older than this are deleted (now and then, on a later failure).
pub const KEEP_HOURS: i64 = 24;

pub fn email_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

/// The key of a client address: IPv4 (also when mapped into IPv6) as is, IPv6 by its /64, the
/// block one subscriber usually controls whole.
pub fn ip_key(ip: Option<IpAddr>) -> String {
    match ip.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V4(v4)) => format!("ip:{v4}"),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("ip:{net}/64")
        }
        None => "ip:unknown".to_string(),
    }
}

/// Seconds to announce in `Retry-After` for a wait of `seconds` (whole seconds, at least 1).
pub fn retry_after_secs(seconds: f64) -> u64 {
    if seconds.is_finite() && seconds > 1.0 {
        seconds.ceil() as u64
    } else {
        1
    }
}

/// The wait in words for the problem's detail ("1 minute", "3 minutes").
pub fn wait_text(retry_after: u64) -> String {
    let minutes = retry_after.div_ceil(60).max(1);
    if minutes == 1 {
        "1 minute".to_string()
    } else {
        format!("{minutes} minutes")
    }
}

/// The error of the sign-in endpoint: any API error, or throttled (429 with `Retry-After`).
#[derive(Debug)]
pub enum LoginError {
    Api(ApiError),
    Throttled { retry_after: u64 },
}

impl From<ApiError> for LoginError {
    fn from(e: ApiError) -> Self {
        LoginError::Api(e)
    }
}

impl From<sqlx::Error> for LoginError {
    fn from(e: sqlx::Error) -> Self {
        LoginError::Api(e.into())
    }
}

/// The 429 problem itself, without the header.
pub fn too_many_attempts(retry_after: u64) -> ApiError {
    ApiError::status(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        format!(
            "too many failed sign-in attempts; try again in {}",
            wait_text(retry_after)
        ),
    )
}

impl IntoResponse for LoginError {
    fn into_response(self) -> Response {
        match self {
            LoginError::Api(e) => e.into_response(),
            LoginError::Throttled { retry_after } => {
                let mut response = too_many_attempts(retry_after).into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
                response
            }
        }
    }
}

/// Seconds until `key` drops below `limit` failures in the window, or `None` if it already is.
async fn wait_for(pool: &PgPool, key: &str, limit: i64) -> Result<Option<f64>, sqlx::Error> {
    // The limit-th most recent failure: once it leaves the window, fewer than `limit` remain.
    sqlx::query_scalar(
        "SELECT EXTRACT(EPOCH FROM (failed_at + make_interval(mins => $2) - now()))::float8
         FROM login_failures
         WHERE key = $1 AND failed_at > now() - make_interval(mins => $2)
         ORDER BY failed_at DESC
         OFFSET $3 LIMIT 1",
    )
    .bind(key)
    .bind(WINDOW_MINUTES as i32)
    .bind(limit - 1)
    .fetch_optional(pool)
    .await
}

/// Refuses the attempt when the email or the address has too many recent failures.
pub async fn check(pool: &PgPool, email: &str, ip: Option<IpAddr>) -> Result<(), LoginError> {
    let by_email = wait_for(pool, &email_key(email), EMAIL_LIMIT).await?;
    let by_ip = wait_for(pool, &ip_key(ip), IP_LIMIT).await?;
    match (by_email, by_ip) {
        (None, None) => Ok(()),
        (a, b) => Err(LoginError::Throttled {
            retry_after: retry_after_secs(a.unwrap_or(0.0).max(b.unwrap_or(0.0))),
        }),
    }
}

/// Counts a failed attempt against the email and the address; now and then deletes failures
/// older than a day.
pub async fn record_failure(
    pool: &PgPool,
    email: &str,
    ip: Option<IpAddr>,
) -> Result<(), ApiError> {
    sqlx::query("INSERT INTO login_failures (key) VALUES ($1), ($2)")
        .bind(email_key(email))
        .bind(ip_key(ip))
        .execute(pool)
        .await?;
    if rand::thread_rng().gen_ratio(1, 20) {
        prune(pool).await?;
    }
    Ok(())
}

/// Forgets the failures of an email (after a successful sign-in or a password reset).
pub async fn clear_email(pool: &PgPool, email: &str) -> Result<(), ApiError> {
    sqlx::query("DELETE FROM login_failures WHERE key = $1")
        .bind(email_key(email))
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes failures older than [`KEEP_HOURS`].
pub async fn prune(pool: &PgPool) -> Result<u64, ApiError> {
    let done = sqlx::query(
        "DELETE FROM login_failures WHERE failed_at < now() - make_interval(hours => $1)",
    )
    .bind(KEEP_HOURS as i32)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_keys_are_trimmed_and_lowercased() {
        assert_eq!(email_key("  Alice@Example.COM "), "email:alice@example.com");
    }

    #[test]
    fn ip_keys() {
        assert_eq!(ip_key(Some("192.0.2.7".parse().unwrap())), "ip:192.0.2.7");
        assert_eq!(
            ip_key(Some("::ffff:192.0.2.7".parse().unwrap())),
            "ip:192.0.2.7"
        );
        assert_eq!(
            ip_key(Some("2001:db8:1:2:3:4:5:6".parse().unwrap())),
            "ip:2001:db8:1:2::/64"
        );
        assert_eq!(
            ip_key(Some("2001:db8:1:2:ffff::1".parse().unwrap())),
            ip_key(Some("2001:db8:1:2::9".parse().unwrap()))
        );
        assert_eq!(ip_key(Some("::1".parse().unwrap())), "ip:::/64");
        assert_eq!(ip_key(None), "ip:unknown");
    }

    #[test]
    fn retry_after_is_whole_seconds_and_at_least_one() {
        assert_eq!(retry_after_secs(899.2), 900);
        assert_eq!(retry_after_secs(0.3), 1);
        assert_eq!(retry_after_secs(-4.0), 1);
        assert_eq!(retry_after_secs(f64::NAN), 1);
    }

    #[test]
    fn waits_are_told_in_minutes_rounded_up() {
        assert_eq!(wait_text(1), "1 minute");
        assert_eq!(wait_text(60), "1 minute");
        assert_eq!(wait_text(61), "2 minutes");
        assert_eq!(wait_text(900), "15 minutes");
    }

    #[test]
    fn throttled_answers_429_with_retry_after() {
        let response = LoginError::Throttled { retry_after: 120 }.into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "120");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let problem = too_many_attempts(120).to_problem();
        assert_eq!(problem.code, "too_many_attempts");
        assert!(problem.detail.contains("2 minutes"), "{}", problem.detail);
    }

    #[test]
    fn other_errors_pass_through() {
        let response = LoginError::from(ApiError::unauthorized("no")).into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().get(header::RETRY_AFTER).is_none());
    }
}

//! Throttling of failed sign-ins, shared by all API instances through `login_failures`.
//!
//! Attempts are counted per (email, client address) (`pair:<email>|<addr>`) and per client
//! address (`ip:<addr>`; IPv6 clients by their /64 network) over a sliding window, and recorded
//! *before* the password is checked, so an attacker cannot make the server hash faster than the
//! throttle counts (a successful attempt deletes its own rows). Once [`PAIR_LIMIT`] failures for
//! an (email, address), or [`IP_LIMIT`] for an address, fall within [`WINDOW_MINUTES`], further
//! attempts are refused with 429 `too_many_attempts` and a `Retry-After` header, without checking
//! the password, until enough failures age out.
//!
//! The email alone is never throttled: five wrong passwords from one address must not lock the
//! owner out from another. Failures per email (`email:<lowercased>`) are still counted, and when
//! [`ALERT_THRESHOLD`] of them fall within the window the owner is mailed, once per window.

use std::net::IpAddr;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use sqlx::PgPool;

use crate::error::ApiError;

/// Failures allowed per (email, client address) within the window; the next attempt is refused.
pub const PAIR_LIMIT: i64 = 5;
/// Failures per email (from any address) within the window after which the owner is mailed.
pub const ALERT_THRESHOLD: i64 = 5;
/// Failures allowed per client address within the window; the next attempt is refused.
pub const IP_LIMIT: i64 = 20;
/// Length of the sliding window.
pub const WINDOW_MINUTES: i64 = 15;
/// Failures older than this are deleted (now and then, on a later failure).
pub const KEEP_HOURS: i64 = 24;

pub fn email_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

/// The key of an (email, client address) pair.
pub fn pair_key(email: &str, ip: Option<IpAddr>) -> String {
    let ip = ip_key(ip);
    format!(
        "pair:{}|{}",
        email.trim().to_lowercase(),
        ip.trim_start_matches("ip:")
    )
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

/// Refuses the attempt when the (email, address) pair or the address has too many recent
/// failures.
pub async fn check(pool: &PgPool, email: &str, ip: Option<IpAddr>) -> Result<(), LoginError> {
    let by_pair = wait_for(pool, &pair_key(email, ip), PAIR_LIMIT).await?;
    let by_ip = wait_for(pool, &ip_key(ip), IP_LIMIT).await?;
    match (by_pair, by_ip) {
        (None, None) => Ok(()),
        (a, b) => Err(LoginError::Throttled {
            retry_after: retry_after_secs(a.unwrap_or(0.0).max(b.unwrap_or(0.0))),
        }),
    }
}

/// The rows an attempt wrote, deleted again if it succeeds.
#[derive(Debug, Clone)]
pub struct Attempt {
    ids: Vec<i64>,
    pair: String,
}

/// Counts an attempt as a failure against the pair, the address and the email, before the
/// password is checked; now and then deletes failures older than a day.
pub async fn record_attempt(
    pool: &PgPool,
    email: &str,
    ip: Option<IpAddr>,
) -> Result<Attempt, ApiError> {
    let pair = pair_key(email, ip);
    let ids: Vec<i64> =
        sqlx::query_scalar("INSERT INTO login_failures (key) VALUES ($1), ($2), ($3) RETURNING id")
            .bind(&pair)
            .bind(ip_key(ip))
            .bind(email_key(email))
            .fetch_all(pool)
            .await?;
    if rand::thread_rng().gen_ratio(1, 20) {
        prune(pool).await?;
    }
    Ok(Attempt { ids, pair })
}

/// A successful sign-in: forgets its own attempt and the earlier failures of its pair.
pub async fn forget_attempt(pool: &PgPool, attempt: &Attempt) -> Result<(), ApiError> {
    sqlx::query("DELETE FROM login_failures WHERE id = ANY($1) OR key = $2")
        .bind(&attempt.ids)
        .bind(&attempt.pair)
        .execute(pool)
        .await?;
    Ok(())
}

/// After a failed attempt on an existing account (`owner`: its address): mails the owner when
/// failures for the address reached [`ALERT_THRESHOLD`] in the window, at most once per window.
pub async fn after_failure(
    state: &crate::state::AppState,
    owner: Option<&str>,
) -> Result<(), ApiError> {
    let Some(email) = owner else {
        return Ok(());
    };
    let key = email_key(email);
    let failures: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM login_failures WHERE key = $1 AND failed_at > now() - make_interval(mins => $2)",
    )
    .bind(&key)
    .bind(WINDOW_MINUTES as i32)
    .fetch_one(&state.pool)
    .await?;
    if failures < ALERT_THRESHOLD {
        return Ok(());
    }
    // Claim this window's mail; a concurrent failure that loses the race sends nothing.
    let claimed = sqlx::query(
        "INSERT INTO login_alerts (email_key, sent_at) VALUES ($1, now())
         ON CONFLICT (email_key) DO UPDATE SET sent_at = now()
         WHERE login_alerts.sent_at <= now() - make_interval(mins => $2)",
    )
    .bind(key.trim_start_matches("email:"))
    .bind(WINDOW_MINUTES as i32)
    .execute(&state.pool)
    .await?
    .rows_affected()
        == 1;
    if claimed {
        let mailer = super::mail::Mailer::shared(&state.settings)?;
        mailer
            .dispatch(
                email.to_string(),
                "Failed sign-in attempts on your Ledger account".into(),
                alert_mail_body(&state.settings.public_url, failures),
            )
            .await;
    }
    Ok(())
}

pub fn alert_mail_body(public_url: &str, failures: i64) -> String {
    format!(
        "Hello,\n\nthere were {failures} failed attempts to sign in to your Ledger account in the last \
         {WINDOW_MINUTES} minutes. If it was not you, choose a new password at \
         {}/forgot-password. Attempts from other places do not lock you out.\n",
        public_url.trim_end_matches('/')
    )
}

/// Forgets the failures of an email from every address (after a password reset).
pub async fn clear_email(pool: &PgPool, email: &str) -> Result<(), ApiError> {
    let lower = email.trim().to_lowercase();
    sqlx::query("DELETE FROM login_failures WHERE key = $1 OR (key LIKE $2 ESCAPE '\\')")
        .bind(email_key(email))
        .bind(format!("pair:{}|%", like_escape(&lower)))
        .execute(pool)
        .await?;
    Ok(())
}

/// `text` with LIKE's wildcards taken literally.
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
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
    fn pair_keys_name_the_email_and_the_address() {
        let a: IpAddr = "192.0.2.7".parse().unwrap();
        let b: IpAddr = "192.0.2.8".parse().unwrap();
        assert_eq!(pair_key(" A@B.co ", Some(a)), "pair:a@b.co|192.0.2.7");
        assert_ne!(pair_key("a@b.co", Some(a)), pair_key("a@b.co", Some(b)));
        assert_eq!(
            pair_key("a@b.co", Some("2001:db8::1".parse().unwrap())),
            "pair:a@b.co|2001:db8::/64"
        );
        assert_eq!(like_escape("a_b%c\\d"), "a\\_b\\%c\\\\d");
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

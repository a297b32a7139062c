//! The store of the sign-in throttle, shared by all API instances through `login_failures`
//! (the rules and their arithmetic: `domain::access::throttle`). Attempts are recorded before
//! the password is checked, so an attacker cannot make the server hash faster than the
//! throttle counts; a successful attempt deletes its own rows.

use std::net::IpAddr;

use domain::access::throttle::{
    ALERT_THRESHOLD, IP_LIMIT, KEEP_HOURS, PAIR_LIMIT, WINDOW_MINUTES, email_key, ip_key, pair_key,
    verdict,
};
use rand::Rng;
use sqlx::PgPool;

use super::AccessSettings;
use super::mail::Mailer;
use crate::error::AppResult;

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

/// Refuses the attempt (`AccessError::TooManyAttempts`) when the (email, address) pair or the
/// address has too many recent failures.
pub async fn check(pool: &PgPool, email: &str, ip: Option<IpAddr>) -> AppResult<()> {
    let by_pair = wait_for(pool, &pair_key(email, ip), PAIR_LIMIT).await?;
    let by_ip = wait_for(pool, &ip_key(ip), IP_LIMIT).await?;
    Ok(verdict(by_pair, by_ip)?)
}

/// The rows an attempt wrote, deleted again if it succeeds.
#[derive(Debug, Clone)]
pub struct Attempt {
    ids: Vec<i64>,
    pair: String,
}

/// Counts an attempt as a failure against the pair, the address and the email, before the
/// password is checked; now and then deletes failures older than a day.
pub async fn record_attempt(pool: &PgPool, email: &str, ip: Option<IpAddr>) -> AppResult<Attempt> {
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
pub async fn forget_attempt(pool: &PgPool, attempt: &Attempt) -> AppResult<()> {
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
    pool: &PgPool,
    settings: &AccessSettings,
    owner: Option<&str>,
) -> AppResult<()> {
    let Some(email) = owner else {
        return Ok(());
    };
    let key = email_key(email);
    let failures: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM login_failures WHERE key = $1 AND failed_at > now() - make_interval(mins => $2)",
    )
    .bind(&key)
    .bind(WINDOW_MINUTES as i32)
    .fetch_one(pool)
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
    .execute(pool)
    .await?
    .rows_affected()
        == 1;
    if claimed {
        let mailer = Mailer::shared(&settings.mail)?;
        mailer
            .dispatch(
                email.to_string(),
                "Failed sign-in attempts on your Ledger account".into(),
                alert_mail_body(&settings.public_url, failures),
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
pub async fn clear_email(pool: &PgPool, email: &str) -> AppResult<()> {
    let lower = email.trim().to_lowercase();
    sqlx::query("DELETE FROM login_failures WHERE key = $1 OR (key LIKE $2 ESCAPE '\\')")
        .bind(email_key(email))
        .bind(format!("pair:{}|%", super::like_escape(&lower)))
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes failures older than [`KEEP_HOURS`].
pub async fn prune(pool: &PgPool) -> AppResult<u64> {
    let done = sqlx::query(
        "DELETE FROM login_failures WHERE failed_at < now() - make_interval(hours => $1)",
    )
    .bind(KEEP_HOURS as i32)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

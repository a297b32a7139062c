//! Mailed one-time links (`email_tokens`): email confirmation and password reset. A link's
//! token is stored as its SHA-256 digest, works once and expires.

use domain::access::AccessError;
use domain::access::rules::{CONFIRM_EMAIL_HOURS, MAIL_INTERVAL_SECS, RESET_PASSWORD_HOURS};
use domain::access::token::{digest, well_formed};
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use super::sessions::generate;
use crate::error::AppResult;

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    ConfirmEmail,
    ResetPassword,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::ConfirmEmail => "confirm_email",
            Purpose::ResetPassword => "reset_password",
        }
    }
    fn hours(self) -> i32 {
        match self {
            Purpose::ConfirmEmail => CONFIRM_EMAIL_HOURS,
            Purpose::ResetPassword => RESET_PASSWORD_HOURS,
        }
    }
    /// The page of the web app the link opens.
    pub fn page(self) -> &'static str {
        match self {
            Purpose::ConfirmEmail => "/confirm-email",
            Purpose::ResetPassword => "/reset-password",
        }
    }
}

/// Stores a one-time mail token and returns it.
pub async fn create(conn: &mut PgConnection, user_id: Uuid, purpose: Purpose) -> AppResult<String> {
    let token = generate();
    sqlx::query(
        "INSERT INTO email_tokens (token_hash, user_id, purpose, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(hours => $4))",
    )
    .bind(digest(&token))
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(purpose.hours())
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

/// Whether a link of `purpose` was mailed to `user_id` within the last minute (the endpoints
/// must not flood anyone's mailbox).
pub async fn sent_recently(
    conn: &mut PgConnection,
    user_id: Uuid,
    purpose: Purpose,
) -> AppResult<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM email_tokens WHERE user_id = $1 AND purpose = $3
                        AND created_at > now() - make_interval(secs => $2))",
    )
    .bind(user_id)
    .bind(f64::from(MAIL_INTERVAL_SECS))
    .bind(purpose.as_str())
    .fetch_one(&mut *conn)
    .await?)
}

/// Marks a one-time mail token used and answers its user; refused as
/// [`AccessError::InvalidLinkToken`] if it is unknown, of another purpose, expired or used.
pub async fn consume(conn: &mut PgConnection, token: &str, purpose: Purpose) -> AppResult<Uuid> {
    let token = token.trim();
    if !well_formed(token) {
        return Err(AccessError::InvalidLinkToken.into());
    }
    let row = sqlx::query(
        "SELECT user_id, used_at IS NULL AND expires_at > now() AS usable
         FROM email_tokens WHERE token_hash = $1 AND purpose = $2 FOR UPDATE",
    )
    .bind(digest(token))
    .bind(purpose.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Err(AccessError::InvalidLinkToken.into());
    };
    if !row.try_get::<bool, _>("usable")? {
        return Err(AccessError::InvalidLinkToken.into());
    }
    sqlx::query("UPDATE email_tokens SET used_at = now() WHERE token_hash = $1")
        .bind(digest(token))
        .execute(&mut *conn)
        .await?;
    Ok(row.try_get("user_id")?)
}

fn greeting(name: Option<&str>) -> String {
    match name {
        Some(n) => format!("Hello {n},"),
        None => "Hello,".to_string(),
    }
}

pub fn confirm_mail_body(name: Option<&str>, link: &str) -> String {
    format!(
        "{}\n\nplease confirm your email address for Ledger by opening this link within {CONFIRM_EMAIL_HOURS} \
         hours:\n\n{link}\n\nIf you did not create an account, ignore this mail.\n",
        greeting(name)
    )
}

pub fn reset_mail_body(name: Option<&str>, link: &str) -> String {
    format!(
        "{}\n\nto choose a new Ledger password, open this link within {RESET_PASSWORD_HOURS} hour:\n\n{link}\n\n\
         If you did not ask for this, ignore this mail; your password stays as it is.\n",
        greeting(name)
    )
}

pub fn already_registered_mail_body(public_url: &str) -> String {
    let base = public_url.trim_end_matches('/');
    format!(
        "Hello,\n\nsomeone (perhaps you) tried to create a Ledger account with this email address, \
         which already has one. If it was you, sign in at {base}/login or reset your password at \
         {base}/forgot-password.\n\nIf it was not you, ignore this mail; nothing was changed.\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::mail;

    #[test]
    fn mail_bodies_carry_the_link() {
        let body = confirm_mail_body(Some("Alice"), "http://h/confirm-email?token=abc");
        assert!(body.starts_with("Hello Alice,"));
        assert_eq!(
            mail::token_from_link(&body, "/confirm-email").as_deref(),
            Some("abc")
        );
        let body = reset_mail_body(None, "http://h/reset-password?token=xyz");
        assert!(body.starts_with("Hello,"));
        assert_eq!(
            mail::token_from_link(&body, "/reset-password").as_deref(),
            Some("xyz")
        );
    }
}

//! Access storage and workflows: users, sign-ins (refresh-token families), invitations,
//! personal API tokens, mailed one-time links, the sign-in throttle's store, the password
//! hashing pool, outgoing mail and the per-request access cache. The rules they apply are
//! `domain::access`; every access event goes to the log through [`crate::executor::execute`]
//! ([`audit`]). Nothing here knows HTTP: refusals are `AppError::Access`.

pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod cache;
pub mod invitations;
pub mod links;
pub mod mail;
pub mod passwords;
pub mod sessions;
pub mod throttle;
pub mod users;

use domain::access::Role;
pub use domain::access::rules::RegistrationMode;

use crate::error::{AppError, AppResult};

/// What the access workflows need to know of the server's settings.
#[derive(Debug, Clone)]
pub struct AccessSettings {
    /// Base of mailed links (`LEDGER_PUBLIC_URL`).
    pub public_url: String,
    pub registration: RegistrationMode,
    /// Refuse sign-in until the email address is confirmed.
    pub email_confirmation_required: bool,
    /// Lifetime of refresh tokens, in days.
    pub refresh_token_days: u64,
    pub mail: mail::MailSettings,
}

/// A role as stored in `users.role`.
pub(crate) fn parse_role(text: &str) -> AppResult<Role> {
    Role::parse(text).ok_or_else(|| AppError::internal(format!("unknown role {text:?} in users")))
}

/// An ILIKE/LIKE pattern text with its wildcards taken literally.
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(super::like_escape("a_b%c\\d"), "a\\_b\\%c\\\\d");
    }
}

//! Why an access rule refused, typed. Each variant has one stable code ([`AccessError::code`]);
//! the HTTP edge gives each its status once (api/src/error.rs).

use super::{Role, Scope, rules, throttle};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// Input that breaks a rule; `field` is the command's field (`email`, `password`, …).
    #[error("{detail}")]
    Invalid { field: &'static str, detail: String },
    #[error("the {} role may not do this", .role.as_str())]
    RoleForbidden { role: Role },
    #[error("this API token lacks the `{}` scope", .scope.as_str())]
    ScopeMissing { scope: Scope },
    #[error("API tokens may not do this; sign in")]
    SessionRequired,
    #[error(
        "this sign-in has ended (signed out, password changed or access revoked); sign in again"
    )]
    SessionEnded,
    #[error("the account of this access token no longer exists")]
    AccountGone,
    #[error("the API token is not valid, has expired or was revoked")]
    InvalidApiToken,
    #[error("this account is disabled; ask an administrator")]
    AccountDisabled,
    #[error("the email or the password is wrong")]
    InvalidCredentials,
    #[error("confirm your email address first: follow the link we mailed (or ask for a new one)")]
    EmailNotConfirmed,
    #[error("an account with this email address already exists")]
    EmailTaken,
    #[error("this ledger admits new users by invitation only; ask an administrator for one")]
    InvitationRequired,
    #[error("registration is closed; ask an administrator")]
    RegistrationClosed,
    #[error(
        "the invitation is not valid, has expired, was revoked or was already used; ask for a new one"
    )]
    InvalidInvitation,
    #[error("this invitation was already used; disable the user instead")]
    InvitationAccepted,
    /// A mailed one-time link (email confirmation, password reset) that cannot be used.
    #[error("the link is not valid, has expired or was already used")]
    InvalidLinkToken,
    #[error("the refresh token is not valid, has expired or was revoked; sign in again")]
    InvalidRefreshToken,
    #[error(
        "this refresh token was already used; all sessions of this sign-in were ended, sign in again"
    )]
    RefreshTokenReused,
    #[error("nobody may change their own role or disabled state; ask another admin")]
    CannotChangeOwnAccess,
    #[error("this is the last active admin: make another user admin first")]
    LastAdmin,
    #[error(
        "at most {} live tokens per user; revoke one first",
        rules::MAX_TOKENS_PER_USER
    )]
    TooManyTokens,
    /// The sign-in throttle refuses further attempts for `retry_after` seconds.
    #[error("too many failed sign-in attempts; try again in {}", throttle::wait_text(*.retry_after))]
    TooManyAttempts { retry_after: u64 },
    /// Every password hashing thread is busy and the queue is full.
    #[error("the server is busy checking passwords; try again in a moment")]
    HashingBusy,
}

/// Seconds a caller turned away by a full hashing queue is told to wait.
pub const BUSY_RETRY_AFTER_SECS: u64 = 2;

impl AccessError {
    pub fn invalid(field: &'static str, detail: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            detail: detail.into(),
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        use AccessError::*;
        match self {
            Invalid { .. } => "validation_failed",
            RoleForbidden { .. } | ScopeMissing { .. } => "forbidden",
            SessionRequired => "session_required",
            SessionEnded | AccountGone | InvalidApiToken => "unauthorized",
            AccountDisabled => "account_disabled",
            InvalidCredentials => "invalid_credentials",
            EmailNotConfirmed => "email_not_confirmed",
            EmailTaken => "email_taken",
            InvitationRequired => "invitation_required",
            RegistrationClosed => "registration_closed",
            InvalidInvitation => "invalid_invitation",
            InvitationAccepted => "invitation_accepted",
            InvalidLinkToken => "invalid_token",
            InvalidRefreshToken => "invalid_refresh_token",
            RefreshTokenReused => "refresh_token_reused",
            CannotChangeOwnAccess => "cannot_change_own_access",
            LastAdmin => "last_admin",
            TooManyTokens => "too_many_tokens",
            TooManyAttempts { .. } => "too_many_attempts",
            HashingBusy => "too_many_requests",
        }
    }

    /// Seconds the caller should wait before trying again, for refusals that say so.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AccessError::TooManyAttempts { retry_after } => Some(*retry_after),
            AccessError::HashingBusy => Some(BUSY_RETRY_AFTER_SECS),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_texts_are_stable() {
        assert_eq!(
            AccessError::RefreshTokenReused.code(),
            "refresh_token_reused"
        );
        assert_eq!(AccessError::InvalidLinkToken.code(), "invalid_token");
        assert_eq!(
            AccessError::TooManyTokens.to_string(),
            "at most 50 live tokens per user; revoke one first"
        );
        let t = AccessError::TooManyAttempts { retry_after: 120 };
        assert_eq!(t.code(), "too_many_attempts");
        assert!(t.to_string().contains("2 minutes"), "{t}");
        assert_eq!(t.retry_after(), Some(120));
        assert_eq!(AccessError::HashingBusy.retry_after(), Some(2));
        assert_eq!(AccessError::LastAdmin.retry_after(), None);
    }
}

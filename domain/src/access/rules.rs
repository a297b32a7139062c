//! The rules of accounts, registration, invitations, API tokens and user administration.

use chrono::{DateTime, Duration, Utc};

use super::{AccessError, AccessEvent, Role, Scope};

/// Longest email address accepted (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// Longest display name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted, in characters (bounds the hashing work per request).
pub const MAX_PASSWORD_CHARS: usize = 200;
/// Lifetime of an email confirmation link.
pub const CONFIRM_EMAIL_HOURS: i32 = 48;
/// Lifetime of a password reset link.
pub const RESET_PASSWORD_HOURS: i32 = 1;
/// A new mailed link is not sent within this many seconds of the previous one.
pub const MAIL_INTERVAL_SECS: i32 = 60;
/// Lifetime of an invitation.
pub const INVITATION_DAYS: i32 = 7;
/// Longest API token name, in characters.
pub const MAX_TOKEN_NAME_CHARS: usize = 100;
/// Live API tokens one user may hold.
pub const MAX_TOKENS_PER_USER: i64 = 50;
/// Latest API token expiry accepted, in days from now.
pub const MAX_TOKEN_LIFETIME_DAYS: i64 = 3_650;
/// Rows per page of users or invitations when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest `limit` accepted.
pub const MAX_LIMIT: i64 = 500;

/// Who may create an account without an invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationMode {
    /// Only the first user of an empty ledger without an invitation; everyone else with one.
    Invite,
    /// Anyone; new accounts are `pending` (read nothing) until an admin gives them a role.
    Open,
    /// Only the first user of an empty ledger (and `ledger user create`).
    Closed,
}

/// Refuses a registration without invitation unless the ledger is empty or open. The answer
/// does not depend on the address.
pub fn admit_without_invitation(empty: bool, mode: RegistrationMode) -> Result<(), AccessError> {
    match mode {
        _ if empty => Ok(()),
        RegistrationMode::Open => Ok(()),
        RegistrationMode::Closed => Err(AccessError::RegistrationClosed),
        RegistrationMode::Invite => Err(AccessError::InvitationRequired),
    }
}

/// The role and the `how` of a registration without invitation: the first user is admin,
/// anyone later (open mode) pending.
pub fn plain_registration(first: bool) -> (Role, &'static str) {
    if first {
        (Role::Admin, "first_user")
    } else {
        (Role::Pending, "open")
    }
}

/// An invitation's address must equal the one the registration names, if it names one.
pub fn check_invitation_email(given: Option<&str>, invited: &str) -> Result<(), AccessError> {
    match given {
        Some(email) if !email.eq_ignore_ascii_case(invited) => Err(AccessError::invalid(
            "email",
            "this invitation is for another email address",
        )),
        _ => Ok(()),
    }
}

/// Nobody is invited as `pending`.
pub fn check_invitation_role(role: Role) -> Result<(), AccessError> {
    if role == Role::Pending {
        return Err(AccessError::invalid(
            "role",
            "invite with a role: admin, accountant, analyst, viewer or auditor",
        ));
    }
    Ok(())
}

/// Checks the password rules; the error names `field` (e.g. `password`).
pub fn check_password(field: &'static str, password: &str) -> Result<(), AccessError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(AccessError::invalid(
            field,
            format!("the password must have at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(AccessError::invalid(
            field,
            format!("the password must have at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

/// Checks the shape of an email address and returns it trimmed (case kept; uniqueness and
/// look-ups ignore case).
pub fn normalize_email(raw: &str) -> Result<String, AccessError> {
    let email = raw.trim();
    let bad =
        |why: &str| AccessError::invalid("email", format!("not a valid email address: {why}"));
    if email.is_empty() {
        return Err(bad("it is empty"));
    }
    if email.len() > MAX_EMAIL_LEN {
        return Err(bad("it is too long"));
    }
    if email
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"".contains(c))
    {
        return Err(bad(
            "it contains spaces or characters not allowed in an address",
        ));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(bad("it has no @"));
    };
    if local.is_empty() || local.len() > 64 {
        return Err(bad("the part before @ must have 1 to 64 characters"));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(bad("misplaced dot before @"));
    }
    if domain.contains('@') {
        return Err(bad("it has more than one @"));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err(bad("the domain needs a dot, as in example.com"));
    }
    if labels
        .iter()
        .any(|l| l.is_empty() || l.len() > 63 || l.starts_with('-') || l.ends_with('-'))
    {
        return Err(bad("the domain is malformed"));
    }
    Ok(email.to_string())
}

/// The address a sign-in names, trimmed; `None` when it cannot belong to any account (the
/// caller answers as for a wrong password, without a look-up).
pub fn sign_in_email(raw: &str) -> Option<String> {
    let email = raw.trim();
    (!email.is_empty() && email.len() <= MAX_EMAIL_LEN && !email.contains('\0'))
        .then(|| email.to_string())
}

/// Why a user whose password matched may still not sign in: disabled, or the address is not
/// confirmed while confirmation is required. The first part is the audit trail's reason.
pub fn sign_in_refusal(
    disabled: bool,
    confirmed: bool,
    confirmation_required: bool,
) -> Option<(&'static str, AccessError)> {
    if disabled {
        Some(("disabled", AccessError::AccountDisabled))
    } else if confirmation_required && !confirmed {
        Some(("email_not_confirmed", AccessError::EmailNotConfirmed))
    } else {
        None
    }
}

/// Trims a display name; blank means none.
pub fn normalize_name(raw: Option<&str>) -> Result<Option<String>, AccessError> {
    let Some(name) = raw.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(AccessError::invalid(
            "name",
            format!("the name must have at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AccessError::invalid(
            "name",
            "the name must not contain control characters",
        ));
    }
    Ok(Some(name.to_string()))
}

/// Checks an API token name: trimmed, 1 to 100 characters, no control or bidi-override
/// characters.
pub fn normalize_token_name(raw: &str) -> Result<String, AccessError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_TOKEN_NAME_CHARS {
        return Err(AccessError::invalid(
            "name",
            format!("the name must have 1 to {MAX_TOKEN_NAME_CHARS} characters"),
        ));
    }
    let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if name.chars().any(|c| c.is_control() || bidi(c)) {
        return Err(AccessError::invalid(
            "name",
            "the name must not contain control or text-direction characters",
        ));
    }
    Ok(name.to_string())
}

/// Parses the requested scopes and refuses any the role does not allow (field `scopes`).
pub fn resolve_scopes(role: Role, requested: &[String]) -> Result<Vec<Scope>, AccessError> {
    if requested.is_empty() {
        return Err(AccessError::invalid("scopes", "name at least one scope"));
    }
    let mut scopes = Vec::new();
    for s in requested {
        let scope = Scope::parse(s).ok_or_else(|| {
            AccessError::invalid(
                "scopes",
                "unknown scope; use read, books:write, traffic:write, postback, audit or metrics",
            )
        })?;
        if !scope.roles().contains(&role) {
            return Err(AccessError::invalid(
                "scopes",
                format!(
                    "the {} role may not grant the `{}` scope",
                    role.as_str(),
                    scope.as_str()
                ),
            ));
        }
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    Ok(scopes)
}

/// An API token's expiry must lie in the future and within [`MAX_TOKEN_LIFETIME_DAYS`].
pub fn check_token_expiry(
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), AccessError> {
    match expires_at {
        Some(at) if at <= now || at > now + Duration::days(MAX_TOKEN_LIFETIME_DAYS) => {
            Err(AccessError::invalid(
                "expires_at",
                format!("must be in the future and within {MAX_TOKEN_LIFETIME_DAYS} days"),
            ))
        }
        _ => Ok(()),
    }
}

/// Whether a token that expires at `expires_at` still works at `now`.
pub fn token_live(revoked: bool, expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    !revoked && expires_at.is_none_or(|e| e > now)
}

/// Resolves paging, refusing values outside the bounds.
pub fn resolve_paging(limit: Option<i64>, offset: Option<i64>) -> Result<(i64, i64), AccessError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AccessError::invalid(
            "limit",
            format!("must be 1 to {MAX_LIMIT}"),
        ));
    }
    let offset = offset.unwrap_or(0);
    if offset < 0 {
        return Err(AccessError::invalid("offset", "must not be negative"));
    }
    Ok((limit, offset))
}

/// A user's role and whether the account is disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub role: Role,
    pub disabled: bool,
}

impl Standing {
    fn active_admin(self) -> bool {
        self.role == Role::Admin && !self.disabled
    }
}

/// A change of a user's standing by an admin, checked: nobody changes their own role or
/// disabled state. Answers the new standing.
pub fn change_standing(
    by_self: bool,
    now: Standing,
    role: Option<Role>,
    disabled: Option<bool>,
) -> Result<Standing, AccessError> {
    let new = Standing {
        role: role.unwrap_or(now.role),
        disabled: disabled.unwrap_or(now.disabled),
    };
    if by_self && new != now {
        return Err(AccessError::CannotChangeOwnAccess);
    }
    Ok(new)
}

/// Whether a change from `now` to `new` takes away an active admin (then another active admin
/// must remain: [`AccessError::LastAdmin`] otherwise).
pub fn removes_active_admin(now: Standing, new: Standing) -> bool {
    now.active_admin() && !new.active_admin()
}

/// The access events of a change of standing.
pub fn standing_events(now: Standing, new: Standing) -> Vec<AccessEvent> {
    let mut events = Vec::new();
    if now.role != new.role {
        events.push(AccessEvent::RoleChanged {
            from: now.role,
            to: new.role,
        });
    }
    match (now.disabled, new.disabled) {
        (false, true) => events.push(AccessEvent::Disabled {}),
        (true, false) => events.push(AccessEvent::Enabled {}),
        _ => {}
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(e: AccessError) -> Option<&'static str> {
        match e {
            AccessError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    fn s(role: Role, disabled: bool) -> Standing {
        Standing { role, disabled }
    }

    #[test]
    fn registration_without_invitation() {
        use RegistrationMode::*;
        assert!(admit_without_invitation(true, Closed).is_ok());
        assert!(admit_without_invitation(false, Open).is_ok());
        assert_eq!(
            admit_without_invitation(false, Closed),
            Err(AccessError::RegistrationClosed)
        );
        assert_eq!(
            admit_without_invitation(false, Invite),
            Err(AccessError::InvitationRequired)
        );
        assert_eq!(plain_registration(true), (Role::Admin, "first_user"));
        assert_eq!(plain_registration(false), (Role::Pending, "open"));
        assert!(check_invitation_email(Some("A@b.co"), "a@B.co").is_ok());
        assert!(check_invitation_email(None, "a@b.co").is_ok());
        assert_eq!(
            field(check_invitation_email(Some("x@b.co"), "a@b.co").unwrap_err()),
            Some("email")
        );
        assert_eq!(
            field(check_invitation_role(Role::Pending).unwrap_err()),
            Some("role")
        );
    }

    #[test]
    fn passwords_are_bounded_in_characters() {
        assert!(check_password("password", "123456789").is_err());
        assert!(check_password("password", "1234567890").is_ok());
        assert!(check_password("password", &"x".repeat(MAX_PASSWORD_CHARS)).is_ok());
        assert!(check_password("password", &"x".repeat(MAX_PASSWORD_CHARS + 1)).is_err());
        // Characters, not bytes.
        assert!(check_password("password", &"é".repeat(10)).is_ok());
        assert!(check_password("password", &"é".repeat(9)).is_err());
        assert!(check_password("password", &"🔑".repeat(MAX_PASSWORD_CHARS)).is_ok());
        let e = check_password("new_password", "short").unwrap_err();
        assert_eq!(e.code(), "validation_failed");
        assert!(e.to_string().contains("at least 10"));
        assert_eq!(field(e), Some("new_password"));
        let long = check_password("password", &"x".repeat(201)).unwrap_err();
        assert!(long.to_string().contains("at most 200"));
    }

    #[test]
    fn valid_emails_are_trimmed_and_keep_their_case() {
        assert_eq!(
            normalize_email("  Alice@Example.com ").unwrap(),
            "Alice@Example.com"
        );
        for ok in [
            "a@b.co",
            "first.last+tag@sub.example.org",
            "x_y-z@exa-mple.io",
            "ü@bücher.de",
        ] {
            assert!(normalize_email(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn malformed_emails_are_refused_on_the_email_field() {
        for bad in [
            "",
            "   ",
            "alice",
            "alice@",
            "@example.com",
            "alice@example",
            "alice@@example.com",
            "a@b@example.com",
            "alice@example..com",
            "alice@.example.com",
            "alice@example.com.",
            "alice@-example.com",
            ".alice@example.com",
            "al..ice@example.com",
            "al ice@example.com",
            "alice@exa mple.com",
            "Alice <alice@example.com>",
            "alice@example.com,bob@example.com",
            "alice\n@example.com",
        ] {
            let e = normalize_email(bad).expect_err(bad);
            assert_eq!(e.code(), "validation_failed");
            assert_eq!(field(e), Some("email"), "{bad}");
        }
        assert!(normalize_email(&format!("{}@example.com", "a".repeat(65))).is_err());
        assert!(normalize_email(&format!("a@{}.com", "b".repeat(250))).is_err());
        assert_eq!(sign_in_email(" a@b.co ").as_deref(), Some("a@b.co"));
        assert_eq!(sign_in_email("  "), None);
        assert_eq!(sign_in_email("a\0@b.co"), None);
    }

    #[test]
    fn names_are_trimmed_blank_is_none_and_length_is_bounded() {
        assert_eq!(normalize_name(None).unwrap(), None);
        assert_eq!(normalize_name(Some("   ")).unwrap(), None);
        assert_eq!(
            normalize_name(Some(" Alice Smith ")).unwrap().as_deref(),
            Some("Alice Smith")
        );
        assert!(normalize_name(Some(&"n".repeat(MAX_NAME_CHARS))).is_ok());
        let e = normalize_name(Some(&"n".repeat(MAX_NAME_CHARS + 1))).unwrap_err();
        assert_eq!(field(e), Some("name"));
        assert!(normalize_name(Some("a\u{0}b")).is_err());
    }

    #[test]
    fn sign_in_refusals() {
        assert_eq!(sign_in_refusal(false, false, false), None);
        assert_eq!(
            sign_in_refusal(true, true, true).map(|r| r.0),
            Some("disabled")
        );
        assert_eq!(
            sign_in_refusal(false, false, true),
            Some(("email_not_confirmed", AccessError::EmailNotConfirmed))
        );
    }

    #[test]
    fn scopes_never_exceed_the_role() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            resolve_scopes(Role::Accountant, &s(&["read", "books:write", "read"])).unwrap(),
            vec![Scope::Read, Scope::BooksWrite]
        );
        for (role, scope) in [
            (Role::Accountant, "audit"),
            (Role::Viewer, "books:write"),
            (Role::Analyst, "books:write"),
            (Role::Auditor, "traffic:write"),
            (Role::Viewer, "postback"),
            (Role::Pending, "read"),
            // Only admins watch the server.
            (Role::Accountant, "metrics"),
        ] {
            let e = resolve_scopes(role, &s(&[scope])).unwrap_err();
            assert_eq!(field(e), Some("scopes"), "{role:?} {scope}");
        }
        assert!(resolve_scopes(Role::Admin, &s(&["root"])).is_err());
        assert!(resolve_scopes(Role::Admin, &[]).is_err());
        assert!(resolve_scopes(Role::Admin, &s(&["audit", "postback"])).is_ok());
        assert!(resolve_scopes(Role::Admin, &s(&["metrics"])).is_ok());
    }

    #[test]
    fn token_names_and_expiry() {
        assert_eq!(normalize_token_name("  ci  ").unwrap(), "ci");
        for bad in ["", "   ", "a\u{0}b", "x\u{202E}y", &"n".repeat(101)] {
            assert_eq!(
                field(normalize_token_name(bad).unwrap_err()),
                Some("name"),
                "{bad:?}"
            );
        }
        let now = Utc::now();
        assert!(check_token_expiry(None, now).is_ok());
        assert!(check_token_expiry(Some(now + Duration::days(1)), now).is_ok());
        assert!(check_token_expiry(Some(now), now).is_err());
        assert!(check_token_expiry(Some(now + Duration::days(3_651)), now).is_err());
        assert!(token_live(false, None, now));
        assert!(!token_live(true, None, now));
        assert!(!token_live(false, Some(now), now));
    }

    #[test]
    fn paging_defaults_and_bounds() {
        assert_eq!(resolve_paging(None, None).unwrap(), (50, 0));
        assert_eq!(resolve_paging(Some(500), Some(20)).unwrap(), (500, 20));
        assert_eq!(resolve_paging(Some(1), None).unwrap(), (1, 0));
        assert_eq!(
            field(resolve_paging(Some(501), None).unwrap_err()),
            Some("limit")
        );
        assert!(resolve_paging(Some(0), None).is_err());
        assert_eq!(
            field(resolve_paging(None, Some(-1)).unwrap_err()),
            Some("offset")
        );
    }

    #[test]
    fn only_changes_that_take_away_an_active_admin_are_checked() {
        use Role::*;
        assert!(removes_active_admin(s(Admin, false), s(Viewer, false)));
        assert!(removes_active_admin(s(Admin, false), s(Admin, true)));
        assert!(removes_active_admin(s(Admin, false), s(Auditor, true)));
        assert!(!removes_active_admin(s(Admin, false), s(Admin, false)));
        assert!(
            !removes_active_admin(s(Admin, true), s(Viewer, true)),
            "a disabled admin is not active"
        );
        assert!(!removes_active_admin(s(Viewer, false), s(Admin, false)));
        assert!(!removes_active_admin(s(Accountant, false), s(Viewer, true)));
    }

    #[test]
    fn standing_changes_are_checked_and_become_access_events() {
        use Role::*;
        assert_eq!(
            change_standing(true, s(Admin, false), Some(Viewer), None),
            Err(AccessError::CannotChangeOwnAccess)
        );
        assert_eq!(
            change_standing(true, s(Admin, false), Some(Admin), Some(false)),
            Ok(s(Admin, false))
        );
        assert_eq!(
            change_standing(false, s(Admin, false), None, Some(true)),
            Ok(s(Admin, true))
        );
        assert!(standing_events(s(Viewer, false), s(Viewer, false)).is_empty());
        assert_eq!(
            standing_events(s(Admin, false), s(Viewer, true)),
            vec![
                AccessEvent::RoleChanged {
                    from: Admin,
                    to: Viewer
                },
                AccessEvent::Disabled {}
            ]
        );
        assert_eq!(
            standing_events(s(Viewer, true), s(Viewer, false)),
            vec![AccessEvent::Enabled {}]
        );
    }
}

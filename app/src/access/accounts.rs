//! Accounts: registration (first user, invitation, open mode), sign-in, the caller's own
//! record, and the mailed one-time links (email confirmation, password reset).

use std::net::IpAddr;

use domain::access::rules::{self, RegistrationMode};
use domain::access::{AccessError, AccessEvent, Role};
use serde::Serialize;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use utoipa::ToSchema;
use uuid::Uuid;

use super::cache::AccessCache;
use super::links::{self, Purpose};
use super::mail::{self, Mailer};
use super::sessions::{self, Issued};
use super::{AccessSettings, audit, invitations, parse_role, passwords, throttle};
use crate::error::{AppError, AppResult};
use crate::executor::Work;
use crate::ledger::Actor;

/// Advisory lock serialising registrations, so that exactly one first user becomes admin.
const REGISTRATION_LOCK: i64 = 0x4c45_4447_5245_4731;

/// A user as they see themselves.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub email_confirmed: bool,
}

/// Columns read by [`UserView::from_row`].
pub const USER_VIEW_COLUMNS: &str =
    "id, email, name, role, email_confirmed_at IS NOT NULL AS email_confirmed";

impl UserView {
    pub fn from_row(row: &PgRow) -> AppResult<Self> {
        Ok(Self {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            name: row.try_get("name")?,
            role: parse_role(row.try_get("role")?)?,
            email_confirmed: row.try_get("email_confirmed")?,
        })
    }
}

/// What a registration asks for, as sent.
#[derive(Debug)]
pub struct Registration {
    pub email: Option<String>,
    pub password: String,
    pub name: Option<String>,
    pub invitation_token: Option<String>,
}

/// What a registration asks for, validated.
struct NewUser {
    email: Option<String>,
    name: Option<String>,
    password: String,
}

/// How a registration ended.
#[derive(Debug)]
pub enum Registered {
    /// The account exists (first user, or by invitation).
    Created(UserView),
    /// `open` mode: a mail was sent, whether the address was free or taken.
    CheckYourMail,
}

/// Creates an account. The first account of an empty ledger becomes admin. After that, in
/// `invite` mode only an invitation admits (its role, email confirmed); `open` admits anyone as
/// `pending` and answers a free and a taken address alike; `closed` admits nobody.
pub async fn register(
    pool: &PgPool,
    settings: &AccessSettings,
    actor: &Actor,
    r: Registration,
) -> AppResult<Registered> {
    rules::check_password("password", &r.password)?;
    let name = rules::normalize_name(r.name.as_deref())?;
    let email = r.email.as_deref().map(rules::normalize_email).transpose()?;
    // Fail on a mail misconfiguration before anything is written.
    let mailer = Mailer::shared(&settings.mail)?;
    let new = NewUser {
        email,
        name,
        password: r.password,
    };
    match r.invitation_token {
        Some(token) => register_invited(pool, actor, new, &token).await,
        None => register_plain(pool, settings, actor, &mailer, new).await,
    }
}

/// A user row to insert.
struct UserRow<'a> {
    id: Uuid,
    email: &'a str,
    name: Option<&'a str>,
    password_hash: &'a str,
    role: Role,
    confirmed: bool,
}

/// Inserts a user and returns it; refused as `email_taken` on a duplicate address.
async fn insert_user(conn: &mut PgConnection, u: UserRow<'_>) -> AppResult<UserView> {
    let row = sqlx::query(&format!(
        "INSERT INTO users (id, email, name, password_hash, role, email_confirmed_at)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN now() END)
         RETURNING {USER_VIEW_COLUMNS}"
    ))
    .bind(u.id)
    .bind(u.email)
    .bind(u.name)
    .bind(u.password_hash)
    .bind(u.role.as_str())
    .bind(u.confirmed)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => AccessError::EmailTaken.into(),
        _ => AppError::from(e),
    })?;
    UserView::from_row(&row)
}

/// Registration through an invitation: its email (the registration's must match) and role;
/// the address counts as confirmed, since the link reached it.
async fn register_invited(
    pool: &PgPool,
    actor: &Actor,
    new: NewUser,
    token: &str,
) -> AppResult<Registered> {
    // Check the link before paying for a hash, then again under lock.
    let mut conn = pool.acquire().await?;
    let found = invitations::take(&mut conn, token).await?;
    drop(conn);
    rules::check_invitation_email(new.email.as_deref(), &found.email)?;
    let password_hash = passwords::hash(new.password).await?;
    let id = Uuid::now_v7();
    let actor = Actor {
        user_id: Some(id),
        ..actor.clone()
    };
    let (name, password_hash) = (new.name.as_deref(), password_hash.as_str());
    let (user, role) = audit::run(pool, &actor, |mut work| {
        Box::pin(async move {
            let inv = invitations::take(work.conn(), token).await?;
            let row = UserRow {
                id,
                email: &inv.email,
                name,
                password_hash,
                role: inv.role,
                confirmed: true,
            };
            let user = insert_user(work.conn(), row).await?;
            invitations::mark_accepted(work.conn(), inv.id, user.id).await?;
            let events = [
                AccessEvent::InvitationAccepted {
                    invitation_id: inv.id,
                    invited_by: inv.invited_by,
                    role: inv.role,
                },
                AccessEvent::Registered {
                    email: user.email.clone(),
                    role: inv.role,
                    how: "invitation".into(),
                },
            ];
            audit::stage(&mut work, user.id, &events).await?;
            Ok((work, (user, inv.role)))
        })
    })
    .await?;
    tracing::info!(user_id = %user.id, role = role.as_str(), "user registered by invitation");
    Ok(Registered::Created(user))
}

/// What the registering transaction of a plain registration found.
enum Plain {
    /// The address has an account already; nothing was written.
    Taken,
    /// Created, with its confirmation link's token; `first`: the ledger was empty.
    Created {
        user: UserView,
        token: String,
        first: bool,
    },
}

/// Registration without an invitation: the first user of an empty ledger, or anyone in `open`
/// mode (pending, and the same answer for a taken address).
async fn register_plain(
    pool: &PgPool,
    settings: &AccessSettings,
    actor: &Actor,
    mailer: &Mailer,
    new: NewUser,
) -> AppResult<Registered> {
    let email = new
        .email
        .ok_or_else(|| AccessError::invalid("email", "the email address is required"))?;
    let mode = settings.registration;
    let empty: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM users)")
        .fetch_one(pool)
        .await?;
    // Answered before any hashing; the answer does not depend on the address.
    rules::admit_without_invitation(empty, mode)?;
    let password_hash = passwords::hash(new.password).await?;
    let id = Uuid::now_v7();
    let actor = Actor {
        user_id: Some(id),
        ..actor.clone()
    };
    let row = UserRow {
        id,
        email: &email,
        name: new.name.as_deref(),
        password_hash: &password_hash,
        role: Role::Pending,
        confirmed: false,
    };
    let row = &row;
    let outcome = audit::run(pool, &actor, |mut work| {
        Box::pin(async move {
            let outcome = insert_plain(&mut work, mode, row).await?;
            Ok((work, outcome))
        })
    })
    .await?;
    let (user, token, first) = match outcome {
        Plain::Taken => {
            tell_owner_of_taken_address(settings, mailer, email).await;
            return Ok(Registered::CheckYourMail);
        }
        Plain::Created { user, token, first } => (user, token, first),
    };
    tracing::info!(user_id = %user.id, role = user.role.as_str(), "user registered");
    let link = mail::link(&settings.public_url, Purpose::ConfirmEmail.page(), &token);
    mailer
        .dispatch(
            user.email.clone(),
            "Confirm your email address".into(),
            links::confirm_mail_body(new.name.as_deref(), &link),
        )
        .await;
    Ok(if first {
        Registered::Created(user)
    } else {
        Registered::CheckYourMail
    })
}

/// The registering transaction of a plain registration: under the registration lock, checks
/// again whether the ledger is empty and the address free, inserts the user (admin when first,
/// else pending), its confirmation link and the `Registered` event.
async fn insert_plain(
    work: &mut Work,
    mode: RegistrationMode,
    row: &UserRow<'_>,
) -> AppResult<Plain> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(REGISTRATION_LOCK)
        .execute(work.conn())
        .await?;
    let first: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM users)")
        .fetch_one(work.conn())
        .await?;
    rules::admit_without_invitation(first, mode)?;
    let taken: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email_key = lower($1))")
            .bind(row.email)
            .fetch_one(work.conn())
            .await?;
    if taken {
        return Ok(Plain::Taken);
    }
    let (role, how) = rules::plain_registration(first);
    let user = insert_user(work.conn(), UserRow { role, ..*row }).await?;
    let token = links::create(work.conn(), user.id, Purpose::ConfirmEmail).await?;
    let event = AccessEvent::Registered {
        email: user.email.clone(),
        role,
        how: how.into(),
    };
    audit::stage(work, user.id, &[event]).await?;
    Ok(Plain::Created { user, token, first })
}

/// `open` mode, taken address: the owner is told, the caller gets the answer of a free one.
async fn tell_owner_of_taken_address(settings: &AccessSettings, mailer: &Mailer, email: String) {
    mailer
        .dispatch(
            email,
            "Your Ledger account already exists".into(),
            links::already_registered_mail_body(&settings.public_url),
        )
        .await;
}

/// A successful sign-in: who, and the first refresh token of its family.
#[derive(Debug)]
pub struct SignedIn {
    pub user_id: Uuid,
    pub role: Role,
    pub token_version: i32,
    pub issued: Issued,
}

/// What sign-in reads of a user.
struct SignInRow {
    id: Uuid,
    password_hash: String,
    role: String,
    token_version: i32,
    disabled: bool,
    confirmed: bool,
}

async fn find_for_sign_in(pool: &PgPool, email: &str) -> AppResult<Option<SignInRow>> {
    let row = sqlx::query(
        "SELECT id, password_hash, role, token_version, disabled_at IS NOT NULL AS disabled,
                email_confirmed_at IS NOT NULL AS confirmed
         FROM users WHERE email_key = lower($1)",
    )
    .bind(email)
    .fetch_optional(pool)
    .await?;
    row.map(|u| {
        Ok(SignInRow {
            id: u.try_get("id")?,
            password_hash: u.try_get("password_hash")?,
            role: u.try_get("role")?,
            token_version: u.try_get("token_version")?,
            disabled: u.try_get("disabled")?,
            confirmed: u.try_get("confirmed")?,
        })
    })
    .transpose()
}

/// Signs in with email and password. Failures are throttled per (email, client address) and
/// per address; every attempt counts before the password is checked, and the owner of the
/// address is mailed after repeated failures.
pub async fn sign_in(
    pool: &PgPool,
    settings: &AccessSettings,
    actor: &Actor,
    email: &str,
    password: String,
    ip: Option<IpAddr>,
) -> AppResult<SignedIn> {
    let email = rules::sign_in_email(email).ok_or(AccessError::InvalidCredentials)?;
    throttle::check(pool, &email, ip).await?;
    let attempt = throttle::record_attempt(pool, &email, ip).await?;
    let user = find_for_sign_in(pool, &email).await?;
    let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
    let verified = passwords::verify(password, stored_hash).await?;
    let ip_text = ip.map(|i| i.to_string());
    let known = user.as_ref().map(|u| u.id);
    let Some(user) = user.filter(|_| verified) else {
        if let Some(id) = known {
            let event = AccessEvent::LoginFailed {
                ip: ip_text,
                reason: "wrong_password".into(),
            };
            audit::record_alone(pool, id, actor, event).await?;
        }
        let owner = known.is_some().then_some(email.as_str());
        throttle::after_failure(pool, settings, owner).await?;
        return Err(AccessError::InvalidCredentials.into());
    };
    throttle::forget_attempt(pool, &attempt).await?;
    let refusal = rules::sign_in_refusal(
        user.disabled,
        user.confirmed,
        settings.email_confirmation_required,
    );
    if let Some((reason, error)) = refusal {
        let event = AccessEvent::LoginFailed {
            ip: ip_text,
            reason: reason.into(),
        };
        audit::record_alone(pool, user.id, actor, event).await?;
        return Err(error.into());
    }
    let actor = Actor {
        user_id: Some(user.id),
        ..actor.clone()
    };
    start_session(pool, settings, &actor, &user, ip_text).await
}

/// Starts a sign-in (a new refresh-token family) and records it.
async fn start_session(
    pool: &PgPool,
    settings: &AccessSettings,
    actor: &Actor,
    user: &SignInRow,
    ip: Option<String>,
) -> AppResult<SignedIn> {
    let role = parse_role(&user.role)?;
    let (user_id, ttl, ip) = (user.id, settings.refresh_token_days, &ip);
    let issued = audit::run(pool, actor, |mut work| {
        Box::pin(async move {
            let issued = sessions::issue(work.conn(), user_id, None, ttl).await?;
            let event = AccessEvent::LoginSucceeded { ip: ip.clone() };
            audit::stage(&mut work, user_id, &[event]).await?;
            Ok((work, issued))
        })
    })
    .await?;
    Ok(SignedIn {
        user_id,
        role,
        token_version: user.token_version,
        issued,
    })
}

/// The signed-in user as they are now.
pub async fn me(pool: &PgPool, user_id: Uuid) -> AppResult<UserView> {
    let row = sqlx::query(&format!(
        "SELECT {USER_VIEW_COLUMNS}, disabled_at IS NOT NULL AS disabled FROM users WHERE id = $1"
    ))
    .bind(user_id)
    .fetch_optional(pool)
    .await?
    .ok_or(AccessError::AccountGone)?;
    if row.try_get::<bool, _>("disabled")? {
        return Err(AccessError::AccountDisabled.into());
    }
    UserView::from_row(&row)
}

/// Confirms the email address with the token of the mailed link.
pub async fn confirm_email(pool: &PgPool, token: &str) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let user_id = links::consume(&mut tx, token, Purpose::ConfirmEmail).await?;
    sqlx::query(
        "UPDATE users SET email_confirmed_at = COALESCE(email_confirmed_at, now()), updated_at = now() WHERE id = $1",
    )
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Mails a link of `purpose` to the account with this address, if it exists, is enabled (and
/// for a confirmation link: not confirmed yet) and got no such link within the last minute.
/// Answers nothing either way, so the caller cannot learn whether the account exists.
pub async fn mail_link(
    settings: &AccessSettings,
    pool: &PgPool,
    email: &str,
    purpose: Purpose,
) -> AppResult<()> {
    let mailer = Mailer::shared(&settings.mail)?;
    let Ok(email) = rules::normalize_email(email) else {
        return Ok(());
    };
    let unconfirmed = match purpose {
        Purpose::ConfirmEmail => " AND email_confirmed_at IS NULL",
        Purpose::ResetPassword => "",
    };
    let mut tx = pool.begin().await?;
    let user = sqlx::query(&format!(
        "SELECT id, email, name FROM users
         WHERE email_key = lower($1) AND disabled_at IS NULL{unconfirmed} FOR UPDATE"
    ))
    .bind(&email)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user) = user else {
        return Ok(());
    };
    let user_id: Uuid = user.try_get("id")?;
    if links::sent_recently(&mut tx, user_id, purpose).await? {
        return Ok(());
    }
    let token = links::create(&mut tx, user_id, purpose).await?;
    tx.commit().await?;
    let to: String = user.try_get("email")?;
    let name: Option<String> = user.try_get("name")?;
    let link = mail::link(&settings.public_url, purpose.page(), &token);
    let (subject, body) = match purpose {
        Purpose::ConfirmEmail => (
            "Confirm your email address",
            links::confirm_mail_body(name.as_deref(), &link),
        ),
        Purpose::ResetPassword => (
            "Reset your password",
            links::reset_mail_body(name.as_deref(), &link),
        ),
    };
    mailer.dispatch(to, subject.into(), body).await;
    Ok(())
}

/// Sets a new password with the token of the mailed link. Ends every session of the account,
/// spends its other reset links and confirms its email address.
pub async fn reset_password(
    pool: &PgPool,
    cache: &AccessCache,
    token: &str,
    password: String,
) -> AppResult<()> {
    rules::check_password("password", &password)?;
    let mut tx = pool.begin().await?;
    let user_id = links::consume(&mut tx, token, Purpose::ResetPassword).await?;
    let password_hash = passwords::hash(password).await?;
    let email: String = sqlx::query_scalar(
        "UPDATE users SET password_hash = $2, email_confirmed_at = COALESCE(email_confirmed_at, now()),
                          token_version = token_version + 1, updated_at = now()
         WHERE id = $1 RETURNING email",
    )
    .bind(user_id)
    .bind(&password_hash)
    .fetch_one(&mut *tx)
    .await?;
    // Every other reset link of the account is spent too.
    sqlx::query(
        "UPDATE email_tokens SET used_at = now() WHERE user_id = $1 AND purpose = 'reset_password' AND used_at IS NULL",
    )
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    sessions::revoke_all_for_user(&mut tx, user_id).await?;
    tx.commit().await?;
    cache.forget_user(user_id);
    throttle::clear_email(pool, &email).await?;
    tracing::info!(%user_id, "password reset");
    Ok(())
}

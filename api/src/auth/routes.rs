//! Sign-up, sign-in, token refresh and sign-out, and the mailed one-time links (email
//! confirmation, password reset). Mounted with [`router`].

use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::audit::{self, AccessEvent};
use super::limits::ClientIp;
use super::mail::{self, Mailer};
use super::throttle::{self, LoginError};
use super::{AuthUser, Role, invitations, passwords, refresh};
use crate::config::RegistrationMode;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::routes::common::request_id;
use crate::state::AppState;
use app::ledger::Actor;

/// Longest email address accepted (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// Longest display name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Lifetime of an email confirmation link.
pub const CONFIRM_EMAIL_HOURS: i32 = 48;
/// Lifetime of a password reset link.
pub const RESET_PASSWORD_HOURS: i32 = 1;
/// A new reset link is not mailed within this many seconds of the previous one.
const RESET_MAIL_INTERVAL_SECS: i32 = 60;
/// Advisory lock serialising registrations, so that exactly one first user becomes admin.
const REGISTRATION_LOCK: i64 = 0x4c45_4447_5245_4731;

/// All routes of this module, under `/api/auth`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh_tokens))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(confirm_email))
        .routes(routes!(forgot_password))
        .routes(routes!(reset_password))
        .routes(routes!(resend_confirmation))
}

// ---------------------------------------------------------------------------------------------
// DTOs

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Required without an invitation; with one it may be omitted, and must equal the
    /// invitation's address if given.
    #[schema(example = "alice@example.com")]
    #[serde(default)]
    pub email: Option<String>,
    /// 10 to 200 characters.
    pub password: String,
    #[serde(default)]
    pub name: Option<String>,
    /// The token of an invitation link (`/register?invitation=<token>`): fixes the email and
    /// the role, and confirms the address.
    #[serde(default)]
    pub invitation_token: Option<String>,
}

/// The answer of a registration in `open` mode, the same whether the address was free or taken
/// (the owner of a taken address is told by mail).
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationAccepted {
    #[schema(example = "check_your_mail")]
    pub status: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResendConfirmationRequest {
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "alice@example.com")]
    pub email: String,
    pub password: String,
}

/// The OAuth2 password grant (`application/x-www-form-urlencoded`), as sent by Swagger UI.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordGrant {
    /// `password` (may be omitted).
    pub grant_type: Option<String>,
    /// The email address.
    pub username: String,
    pub password: String,
    pub scope: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// JWT to send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Opaque token for `POST /api/auth/refresh`; single use, rotated on each refresh.
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The token from the mailed link.
    pub token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The token from the mailed link.
    pub token: String,
    /// The new password, 10 to 200 characters.
    pub password: String,
}

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
    pub fn from_row(row: &PgRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            name: row.try_get("name")?,
            role: parse_role(row.try_get("role")?)?,
            email_confirmed: row.try_get("email_confirmed")?,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

pub fn parse_role(text: &str) -> Result<Role, ApiError> {
    Role::parse(text).ok_or_else(|| ApiError::internal(format!("unknown role {text:?} in users")))
}

pub fn account_disabled() -> ApiError {
    ApiError::status(
        StatusCode::FORBIDDEN,
        "account_disabled",
        "this account is disabled; ask an administrator",
    )
}

fn invalid_credentials() -> ApiError {
    ApiError::status(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "the email or the password is wrong",
    )
}

fn invalid_link_token() -> ApiError {
    ApiError::bad_request(
        "invalid_token",
        "the link is not valid, has expired or was already used",
    )
}

/// Checks the shape of an email address and returns it trimmed (case kept; uniqueness and
/// look-ups ignore case).
pub fn normalize_email(raw: &str) -> Result<String, ApiError> {
    let email = raw.trim();
    let bad = |why: &str| ApiError::invalid("email", format!("not a valid email address: {why}"));
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

/// Trims a display name; blank means none.
pub fn normalize_name(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(name) = raw.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid(
            "name",
            format!("the name must have at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "name",
            "the name must not contain control characters",
        ));
    }
    Ok(Some(name.to_string()))
}

/// Whether a Content-Type names an urlencoded form (parameters and case ignored).
pub fn is_form_content_type(content_type: &str) -> bool {
    content_type.split(';').next().is_some_and(|essence| {
        essence
            .trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    })
}

fn form_rejection(r: FormRejection) -> ApiError {
    ApiError::status(r.status(), "invalid_body", r.body_text())
}

fn token_response(
    state: &AppState,
    user_id: Uuid,
    role: Role,
    token_version: i32,
    issued: refresh::Issued,
) -> ApiResult<TokenResponse> {
    Ok(TokenResponse {
        access_token: state
            .jwt
            .issue(user_id, role, token_version, issued.family_id)?,
        refresh_token: issued.token,
        token_type: "Bearer".to_string(),
        expires_in: state.jwt.access_ttl_seconds,
    })
}

/// Stores a one-time mail token and returns it.
async fn create_email_token(
    conn: &mut PgConnection,
    user_id: Uuid,
    purpose: &str,
    hours: i32,
) -> ApiResult<String> {
    let token = refresh::generate();
    sqlx::query(
        "INSERT INTO email_tokens (token_hash, user_id, purpose, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(hours => $4))",
    )
    .bind(refresh::digest(&token))
    .bind(user_id)
    .bind(purpose)
    .bind(hours)
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

/// Marks a one-time mail token used and answers its user; 400 `invalid_token` if it is
/// unknown, of another purpose, expired or used.
async fn consume_email_token(
    conn: &mut PgConnection,
    token: &str,
    purpose: &str,
) -> ApiResult<Uuid> {
    if !refresh::well_formed(token.trim()) {
        return Err(invalid_link_token());
    }
    let row = sqlx::query(
        "SELECT user_id, used_at IS NULL AND expires_at > now() AS usable
         FROM email_tokens WHERE token_hash = $1 AND purpose = $2 FOR UPDATE",
    )
    .bind(refresh::digest(token.trim()))
    .bind(purpose)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Err(invalid_link_token());
    };
    if !row.try_get::<bool, _>("usable")? {
        return Err(invalid_link_token());
    }
    sqlx::query("UPDATE email_tokens SET used_at = now() WHERE token_hash = $1")
        .bind(refresh::digest(token.trim()))
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

// ---------------------------------------------------------------------------------------------
// Handlers

/// Creates an account. The first account of an empty ledger becomes `admin` (201). After that,
/// with `LEDGER_REGISTRATION=invite` (the default) only an invitation admits (201, its role,
/// email confirmed); `open` answers 202 `check_your_mail` for a free and a taken address alike
/// (the new account is `pending` until an admin gives it a role); `closed` admits nobody.
#[utoipa::path(post, path = "/api/auth/register", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, description = "account created (first user, or by invitation)", body = UserView),
        (status = 202, description = "`open` mode: a mail was sent", body = RegistrationAccepted),
        (status = 403, description = "`invitation_required`, `registration_closed` or `invalid_invitation`", body = Problem),
        (status = 409, description = "`email_taken` (an invitation whose address got an account meanwhile)", body = Problem),
        (status = 422, description = "`validation_failed` (field `email`, `password` or `name`)", body = Problem),
        (status = 429, description = "`too_many_requests`; see `Retry-After`", body = Problem),
    ))]
async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Json(body): Json<RegisterRequest>,
) -> ApiResult<Response> {
    state.auth_limits.check(ip)?;
    passwords::validate("password", &body.password)?;
    let name = normalize_name(body.name.as_deref())?;
    let email = body.email.as_deref().map(normalize_email).transpose()?;
    // Fail on a mail misconfiguration before anything is written.
    let mailer = Mailer::shared(&state.settings)?;
    let actor = Actor {
        user_id: None,
        request_id: request_id(&headers),
        source: "api".into(),
    };
    let new = NewUser {
        email,
        name,
        password: body.password,
    };
    match body.invitation_token {
        Some(token) => register_invited(&state, &actor, new, &token).await,
        None => register_plain(&state, &actor, &mailer, new).await,
    }
}

/// What a registration asks for, validated.
struct NewUser {
    email: Option<String>,
    name: Option<String>,
    password: String,
}

fn invitation_required() -> ApiError {
    ApiError::status(
        StatusCode::FORBIDDEN,
        "invitation_required",
        "this ledger admits new users by invitation only; ask an administrator for one",
    )
}

fn registration_closed() -> ApiError {
    ApiError::status(
        StatusCode::FORBIDDEN,
        "registration_closed",
        "registration is closed; ask an administrator",
    )
}

/// Refuses a registration without invitation unless the ledger is empty or open. Answered
/// before any hashing; the answer does not depend on the address.
fn refuse_unless(empty: bool, mode: RegistrationMode) -> ApiResult<()> {
    match mode {
        _ if empty => Ok(()),
        RegistrationMode::Open => Ok(()),
        RegistrationMode::Closed => Err(registration_closed()),
        RegistrationMode::Invite => Err(invitation_required()),
    }
}

/// Inserts a user and returns it; 409 `email_taken` on a duplicate address.
async fn insert_user(
    conn: &mut PgConnection,
    email: &str,
    name: Option<&str>,
    password_hash: &str,
    role: Role,
    confirmed: bool,
) -> ApiResult<UserView> {
    let row = sqlx::query(&format!(
        "INSERT INTO users (id, email, name, password_hash, role, email_confirmed_at)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN now() END)
         RETURNING {USER_VIEW_COLUMNS}"
    ))
    .bind(Uuid::now_v7())
    .bind(email)
    .bind(name)
    .bind(password_hash)
    .bind(role.as_str())
    .bind(confirmed)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => email_taken(),
        _ => ApiError::from(e),
    })?;
    UserView::from_row(&row)
}

/// Registration through an invitation: its email (the body's must match) and role; the
/// address counts as confirmed, since the link reached it.
async fn register_invited(
    state: &AppState,
    actor: &Actor,
    new: NewUser,
    token: &str,
) -> ApiResult<Response> {
    // Check the link before paying for a hash, then again under lock.
    let mut conn = state.pool.acquire().await?;
    let found = invitations::take(&mut conn, token).await?;
    drop(conn);
    if let Some(email) = &new.email
        && !email.eq_ignore_ascii_case(&found.email)
    {
        return Err(ApiError::invalid(
            "email",
            "this invitation is for another email address",
        ));
    }
    let password_hash = passwords::hash(new.password).await?;
    let mut tx = state.pool.begin().await?;
    let inv = invitations::take(&mut tx, token).await?;
    let user = insert_user(
        &mut tx,
        &inv.email,
        new.name.as_deref(),
        &password_hash,
        inv.role,
        true,
    )
    .await?;
    invitations::mark_accepted(&mut tx, inv.id, user.id).await?;
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
    let actor = Actor {
        user_id: Some(user.id),
        ..actor.clone()
    };
    audit::record(&mut tx, user.id, &actor, &events).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.id, role = inv.role.as_str(), "user registered by invitation");
    Ok((StatusCode::CREATED, axum::Json(user)).into_response())
}

/// Registration without an invitation: the first user of an empty ledger, or anyone in `open`
/// mode (pending, and the same answer for a taken address).
async fn register_plain(
    state: &AppState,
    actor: &Actor,
    mailer: &Mailer,
    new: NewUser,
) -> ApiResult<Response> {
    let email = new
        .email
        .ok_or_else(|| ApiError::invalid("email", "the email address is required"))?;
    let mode = state.settings.registration;
    let empty: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM users)")
        .fetch_one(&state.pool)
        .await?;
    refuse_unless(empty, mode)?;
    let password_hash = passwords::hash(new.password).await?;

    let mut tx = state.pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(REGISTRATION_LOCK)
        .execute(&mut *tx)
        .await?;
    let first: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM users)")
        .fetch_one(&mut *tx)
        .await?;
    refuse_unless(first, mode)?;
    let taken: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email_key = lower($1))")
            .bind(&email)
            .fetch_one(&mut *tx)
            .await?;
    if taken {
        drop(tx);
        return Ok(tell_owner_of_taken_address(state, mailer, email).await);
    }
    let role = if first { Role::Admin } else { Role::Pending };
    let user = insert_user(
        &mut tx,
        &email,
        new.name.as_deref(),
        &password_hash,
        role,
        false,
    )
    .await?;
    let token = create_email_token(&mut tx, user.id, "confirm_email", CONFIRM_EMAIL_HOURS).await?;
    let how = if first { "first_user" } else { "open" };
    let event = AccessEvent::Registered {
        email: user.email.clone(),
        role,
        how: how.into(),
    };
    let actor = Actor {
        user_id: Some(user.id),
        ..actor.clone()
    };
    audit::record(&mut tx, user.id, &actor, &[event]).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.id, role = role.as_str(), "user registered");

    let link = mail::link(&state.settings.public_url, "/confirm-email", &token);
    mailer
        .dispatch(
            user.email.clone(),
            "Confirm your email address".into(),
            confirm_mail_body(new.name.as_deref(), &link),
        )
        .await;
    Ok(if first {
        (StatusCode::CREATED, axum::Json(user)).into_response()
    } else {
        check_your_mail()
    })
}

/// `open` mode, taken address: the owner is told, the caller gets the answer of a free one.
async fn tell_owner_of_taken_address(state: &AppState, mailer: &Mailer, email: String) -> Response {
    mailer
        .dispatch(
            email,
            "Your Ledger account already exists".into(),
            already_registered_mail_body(&state.settings.public_url),
        )
        .await;
    check_your_mail()
}

fn check_your_mail() -> Response {
    (
        StatusCode::ACCEPTED,
        axum::Json(RegistrationAccepted {
            status: "check_your_mail".into(),
        }),
    )
        .into_response()
}

pub fn already_registered_mail_body(public_url: &str) -> String {
    let base = public_url.trim_end_matches('/');
    format!(
        "Hello,\n\nsomeone (perhaps you) tried to create a Ledger account with this email address, \
         which already has one. If it was you, sign in at {base}/login or reset your password at \
         {base}/forgot-password.\n\nIf it was not you, ignore this mail; nothing was changed.\n"
    )
}

fn email_taken() -> ApiError {
    ApiError::conflict(
        "email_taken",
        "an account with this email address already exists",
    )
}

fn email_not_confirmed() -> ApiError {
    ApiError::status(
        StatusCode::FORBIDDEN,
        "email_not_confirmed",
        "confirm your email address first: follow the link we mailed (or ask for a new one)",
    )
}

/// Reads a sign-in request, as JSON or as an OAuth2 password grant form.
async fn login_credentials(
    state: &AppState,
    request: Request,
) -> Result<(String, String), LoginError> {
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if is_form_content_type(content_type) {
        let axum::Form(form) = axum::Form::<PasswordGrant>::from_request(request, state)
            .await
            .map_err(form_rejection)?;
        if form.grant_type.as_deref().is_some_and(|g| g != "password") {
            return Err(ApiError::bad_request(
                "unsupported_grant_type",
                "only grant_type=password is supported",
            )
            .into());
        }
        Ok((form.username, form.password))
    } else {
        let Json(body) = Json::<LoginRequest>::from_request(request, state).await?;
        Ok((body.email, body.password))
    }
}

/// Signs in with email and password, as JSON or as an OAuth2 password grant form
/// (`grant_type=password&username=…&password=…`, what Swagger UI's Authorize sends).
/// Requests are rate-limited per client address and globally (429 `too_many_requests`), and
/// failures are throttled per (email, client address) and per address (429
/// `too_many_attempts`), both with `Retry-After`; every attempt counts before the password is
/// checked. The owner of the address is mailed after repeated failures.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth",
    request_body(content(
        (LoginRequest = "application/json"),
        (PasswordGrant = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "signed in", body = TokenResponse),
        (status = 401, description = "`invalid_credentials`", body = Problem),
        (status = 403, description = "`account_disabled` or `email_not_confirmed`", body = Problem),
        (status = 429, description = "`too_many_requests` or `too_many_attempts`; see the `Retry-After` header", body = Problem),
    ))]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    request: Request,
) -> Result<axum::Json<TokenResponse>, LoginError> {
    state.auth_limits.check(ip)?;
    let actor = Actor {
        user_id: None,
        request_id: request_id(request.headers()),
        source: "api".into(),
    };
    let (email, password) = login_credentials(&state, request).await?;
    let email = email.trim().to_string();
    if email.is_empty() || email.len() > MAX_EMAIL_LEN || email.contains('\0') {
        return Err(invalid_credentials().into());
    }

    throttle::check(&state.pool, &email, ip).await?;
    let attempt = throttle::record_attempt(&state.pool, &email, ip).await?;
    let user = sqlx::query(
        "SELECT id, password_hash, role, token_version, disabled_at IS NOT NULL AS disabled,
                email_confirmed_at IS NOT NULL AS confirmed
         FROM users WHERE email_key = lower($1)",
    )
    .bind(&email)
    .fetch_optional(&state.pool)
    .await?;
    let stored_hash = user
        .as_ref()
        .map(|u| u.try_get::<String, _>("password_hash"))
        .transpose()?;
    let verified = passwords::verify(password, stored_hash).await?;
    let ip_text = ip.map(|i| i.to_string());
    let known = user
        .as_ref()
        .map(|u| u.try_get::<Uuid, _>("id"))
        .transpose()?;
    let Some(user) = user.filter(|_| verified) else {
        if let Some(id) = known {
            let event = AccessEvent::LoginFailed {
                ip: ip_text,
                reason: "wrong_password".into(),
            };
            audit::record_alone(&state.pool, id, &actor, event).await?;
        }
        let owner = known.is_some().then_some(email.as_str());
        throttle::after_failure(&state, owner).await?;
        return Err(invalid_credentials().into());
    };
    throttle::forget_attempt(&state.pool, &attempt).await?;
    let user_id: Uuid = user.try_get("id")?;
    if let Some((reason, error)) = refusal(&state, &user)? {
        let event = AccessEvent::LoginFailed {
            ip: ip_text,
            reason: reason.into(),
        };
        audit::record_alone(&state.pool, user_id, &actor, event).await?;
        return Err(error.into());
    }
    let actor = Actor {
        user_id: Some(user_id),
        ..actor
    };
    Ok(axum::Json(
        start_session(&state, &actor, &user, ip_text).await?,
    ))
}

/// Why a user whose password matched may still not sign in: disabled, or the address is not
/// confirmed while confirmation is required.
fn refusal(state: &AppState, user: &PgRow) -> ApiResult<Option<(&'static str, ApiError)>> {
    Ok(if user.try_get::<bool, _>("disabled")? {
        Some(("disabled", account_disabled()))
    } else if state.settings.email_confirmation_required()
        && !user.try_get::<bool, _>("confirmed")?
    {
        Some(("email_not_confirmed", email_not_confirmed()))
    } else {
        None
    })
}

/// Starts a sign-in (a new refresh-token family), records it and answers the tokens.
async fn start_session(
    state: &AppState,
    actor: &Actor,
    user: &PgRow,
    ip: Option<String>,
) -> ApiResult<TokenResponse> {
    let user_id: Uuid = user.try_get("id")?;
    let role = parse_role(user.try_get("role")?)?;
    let version: i32 = user.try_get("token_version")?;
    let mut tx = state.pool.begin().await?;
    let issued = refresh::issue(&mut tx, user_id, None, state.settings.refresh_token_days).await?;
    let event = AccessEvent::LoginSucceeded { ip };
    audit::record(&mut tx, user_id, actor, &[event]).await?;
    tx.commit().await?;
    token_response(state, user_id, role, version, issued)
}

/// Exchanges a refresh token for new tokens. The presented token is used up; presenting it
/// again ends every session of that sign-in (401 `refresh_token_reused`).
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "new tokens", body = TokenResponse),
        (status = 401, description = "`invalid_refresh_token` or `refresh_token_reused`", body = Problem),
        (status = 403, description = "`account_disabled`", body = Problem),
    ))]
async fn refresh_tokens(
    State(state): State<AppState>,
    Json(body): Json<RefreshRequest>,
) -> ApiResult<axum::Json<TokenResponse>> {
    let rotated = refresh::rotate(
        &state.pool,
        body.refresh_token.trim(),
        state.settings.refresh_token_days,
    )
    .await?;
    Ok(axum::Json(token_response(
        &state,
        rotated.user_id,
        rotated.role,
        rotated.token_version,
        rotated.issued,
    )?))
}

/// Signs out: revokes the refresh token and every token rotated from the same sign-in; the
/// access tokens of that sign-in stop working at once. Unknown tokens are accepted too.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204, description = "signed out")))]
async fn logout(
    State(state): State<AppState>,
    Json(body): Json<RefreshRequest>,
) -> ApiResult<StatusCode> {
    if let Some(family) = refresh::revoke(&state.pool, body.refresh_token.trim()).await? {
        state.access.forget_session(family);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth",
    responses(
        (status = 200, description = "the caller", body = UserView),
        (status = 401, description = "`unauthorized`", body = Problem),
        (status = 403, description = "`account_disabled`", body = Problem),
    ))]
async fn me(State(state): State<AppState>, user: AuthUser) -> ApiResult<axum::Json<UserView>> {
    let row = sqlx::query(&format!(
        "SELECT {USER_VIEW_COLUMNS}, disabled_at IS NOT NULL AS disabled FROM users WHERE id = $1"
    ))
    .bind(user.id)
    .fetch_optional(&state.pool)
    .await?
    .ok_or_else(|| ApiError::unauthorized("the account of this access token no longer exists"))?;
    if row.try_get::<bool, _>("disabled")? {
        return Err(account_disabled());
    }
    Ok(axum::Json(UserView::from_row(&row)?))
}

/// Confirms the email address with the token of the mailed link (valid 48 hours, once).
#[utoipa::path(post, path = "/api/auth/confirm-email", tag = "auth", request_body = TokenRequest,
    responses(
        (status = 204, description = "email confirmed"),
        (status = 400, description = "`invalid_token`", body = Problem),
    ))]
async fn confirm_email(
    State(state): State<AppState>,
    Json(body): Json<TokenRequest>,
) -> ApiResult<StatusCode> {
    let mut tx = state.pool.begin().await?;
    let user_id = consume_email_token(&mut tx, &body.token, "confirm_email").await?;
    sqlx::query(
        "UPDATE users SET email_confirmed_at = COALESCE(email_confirmed_at, now()), updated_at = now() WHERE id = $1",
    )
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Mails a password reset link (valid 1 hour) if an active account has this address. Always
/// answers 202, so the answer does not tell whether the account exists.
#[utoipa::path(post, path = "/api/auth/forgot-password", tag = "auth", request_body = ForgotPasswordRequest,
    responses((status = 202, description = "a link was mailed if the account exists")))]
async fn forgot_password(
    State(state): State<AppState>,
    Json(body): Json<ForgotPasswordRequest>,
) -> ApiResult<StatusCode> {
    let mailer = Mailer::shared(&state.settings)?;
    let Ok(email) = normalize_email(&body.email) else {
        return Ok(StatusCode::ACCEPTED);
    };
    let mut tx = state.pool.begin().await?;
    let user = sqlx::query(
        "SELECT id, email, name FROM users WHERE email_key = lower($1) AND disabled_at IS NULL FOR UPDATE",
    )
    .bind(&email)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user) = user else {
        return Ok(StatusCode::ACCEPTED);
    };
    let user_id: Uuid = user.try_get("id")?;
    // Do not let the endpoint flood someone's mailbox.
    let recent: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM email_tokens WHERE user_id = $1 AND purpose = 'reset_password'
                        AND created_at > now() - make_interval(secs => $2))",
    )
    .bind(user_id)
    .bind(f64::from(RESET_MAIL_INTERVAL_SECS))
    .fetch_one(&mut *tx)
    .await?;
    if recent {
        return Ok(StatusCode::ACCEPTED);
    }
    let token =
        create_email_token(&mut tx, user_id, "reset_password", RESET_PASSWORD_HOURS).await?;
    tx.commit().await?;
    let to: String = user.try_get("email")?;
    let name: Option<String> = user.try_get("name")?;
    let link = mail::link(&state.settings.public_url, "/reset-password", &token);
    mailer
        .dispatch(
            to,
            "Reset your password".into(),
            reset_mail_body(name.as_deref(), &link),
        )
        .await;
    Ok(StatusCode::ACCEPTED)
}

/// Sets a new password with the token of the mailed link (valid 1 hour, once). Ends every
/// session of the account and confirms its email address.
#[utoipa::path(post, path = "/api/auth/reset-password", tag = "auth", request_body = ResetPasswordRequest,
    responses(
        (status = 204, description = "password changed; sign in again"),
        (status = 400, description = "`invalid_token`", body = Problem),
        (status = 422, description = "`validation_failed` (field `password`)", body = Problem),
    ))]
async fn reset_password(
    State(state): State<AppState>,
    Json(body): Json<ResetPasswordRequest>,
) -> ApiResult<StatusCode> {
    passwords::validate("password", &body.password)?;
    let mut tx = state.pool.begin().await?;
    let user_id = consume_email_token(&mut tx, &body.token, "reset_password").await?;
    let password_hash = passwords::hash(body.password).await?;
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
    refresh::revoke_all_for_user(&mut tx, user_id).await?;
    tx.commit().await?;
    state.access.forget_user(user_id);
    throttle::clear_email(&state.pool, &email).await?;
    tracing::info!(%user_id, "password reset");
    Ok(StatusCode::NO_CONTENT)
}

/// Mails a new confirmation link if an account with this address exists and is not confirmed
/// yet. Always answers 202 (the answer does not tell whether the account exists); rate-limited
/// per client address, and at most one mail a minute per account.
#[utoipa::path(post, path = "/api/auth/resend-confirmation", tag = "auth", request_body = ResendConfirmationRequest,
    responses(
        (status = 202, description = "a link was mailed if an unconfirmed account has this address"),
        (status = 429, description = "`too_many_requests`; see `Retry-After`", body = Problem),
    ))]
async fn resend_confirmation(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<ResendConfirmationRequest>,
) -> ApiResult<StatusCode> {
    state.auth_limits.check(ip)?;
    let mailer = Mailer::shared(&state.settings)?;
    let Ok(email) = normalize_email(&body.email) else {
        return Ok(StatusCode::ACCEPTED);
    };
    let mut tx = state.pool.begin().await?;
    let user = sqlx::query(
        "SELECT id, email, name FROM users
         WHERE email_key = lower($1) AND disabled_at IS NULL AND email_confirmed_at IS NULL FOR UPDATE",
    )
    .bind(&email)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user) = user else {
        return Ok(StatusCode::ACCEPTED);
    };
    let user_id: Uuid = user.try_get("id")?;
    let recent: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM email_tokens WHERE user_id = $1 AND purpose = 'confirm_email'
                        AND created_at > now() - make_interval(secs => $2))",
    )
    .bind(user_id)
    .bind(f64::from(RESET_MAIL_INTERVAL_SECS))
    .fetch_one(&mut *tx)
    .await?;
    if recent {
        return Ok(StatusCode::ACCEPTED);
    }
    let token = create_email_token(&mut tx, user_id, "confirm_email", CONFIRM_EMAIL_HOURS).await?;
    tx.commit().await?;
    let name: Option<String> = user.try_get("name")?;
    let link = mail::link(&state.settings.public_url, "/confirm-email", &token);
    mailer
        .dispatch(
            user.try_get("email")?,
            "Confirm your email address".into(),
            confirm_mail_body(name.as_deref(), &link),
        )
        .await;
    Ok(StatusCode::ACCEPTED)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(e: ApiError) -> Option<String> {
        e.to_problem().field
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
            assert_eq!(e.to_problem().code, "validation_failed");
            assert_eq!(field(e).as_deref(), Some("email"), "{bad}");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(normalize_email(&long_local).is_err());
        let long = format!("a@{}.com", "b".repeat(250));
        assert!(normalize_email(&long).is_err());
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
        assert_eq!(field(e).as_deref(), Some("name"));
        assert!(normalize_name(Some("a\u{0}b")).is_err());
    }

    #[test]
    fn form_content_types_are_recognised() {
        assert!(is_form_content_type("application/x-www-form-urlencoded"));
        assert!(is_form_content_type(
            "application/x-www-form-urlencoded; charset=UTF-8"
        ));
        assert!(is_form_content_type("Application/X-WWW-Form-Urlencoded"));
        assert!(!is_form_content_type("application/json"));
        assert!(!is_form_content_type("multipart/form-data; boundary=x"));
        assert!(!is_form_content_type(""));
    }

    #[test]
    fn the_password_grant_form_parses_with_swagger_extras() {
        let form: PasswordGrant = serde_urlencoded_like(
            "grant_type=password&username=a%40b.co&password=p%26ss+word&scope=&client_id=ui",
        );
        assert_eq!(form.grant_type.as_deref(), Some("password"));
        assert_eq!(form.username, "a@b.co");
        assert_eq!(form.password, "p&ss word");
    }

    /// Parses a form body the way `axum::Form` does.
    fn serde_urlencoded_like(body: &str) -> PasswordGrant {
        let req = axum::http::Request::builder()
            .method("POST")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(body.to_string()))
            .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            axum::Form::<PasswordGrant>::from_request(req, &())
                .await
                .unwrap()
                .0
        })
    }

    #[test]
    fn json_dtos_refuse_unknown_fields() {
        assert!(
            serde_json::from_str::<LoginRequest>(r#"{"email":"a@b.co","password":"x","extra":1}"#)
                .is_err()
        );
        assert!(
            serde_json::from_str::<RegisterRequest>(
                r#"{"email":"a@b.co","password":"x","role":"admin"}"#
            )
            .is_err()
        );
        let r: RegisterRequest =
            serde_json::from_str(r#"{"email":"a@b.co","password":"x"}"#).unwrap();
        assert_eq!(r.name, None);
    }

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

    #[test]
    fn error_codes() {
        let p = invalid_credentials().to_problem();
        assert_eq!((p.status, p.code.as_str()), (401, "invalid_credentials"));
        let p = account_disabled().to_problem();
        assert_eq!((p.status, p.code.as_str()), (403, "account_disabled"));
        let p = email_taken().to_problem();
        assert_eq!((p.status, p.code.as_str()), (409, "email_taken"));
        let p = invalid_link_token().to_problem();
        assert_eq!((p.status, p.code.as_str()), (400, "invalid_token"));
    }

    #[test]
    fn the_router_documents_every_route() {
        let (_, api) = router().split_for_parts();
        let paths: Vec<&str> = api.paths.paths.keys().map(String::as_str).collect();
        for p in [
            "/api/auth/register",
            "/api/auth/login",
            "/api/auth/refresh",
            "/api/auth/logout",
            "/api/auth/me",
            "/api/auth/confirm-email",
            "/api/auth/forgot-password",
            "/api/auth/reset-password",
        ] {
            assert!(paths.contains(&p), "{p} missing from {paths:?}");
        }
        let schemas = &api.components.as_ref().unwrap().schemas;
        assert!(schemas.contains_key("TokenResponse"));
        assert!(schemas.contains_key("PasswordGrant"));
    }
}

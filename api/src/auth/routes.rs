//! Sign-up, sign-in, token refresh and sign-out, and the mailed one-time links (email
//! confirmation, password reset). Mounted with [`router`].

use app::access::accounts::{self, Registered, Registration, UserView};
use app::access::links::Purpose;
use app::access::sessions::{self, Issued};
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::limits::ClientIp;
use super::{AuthUser, Role};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::routes::common::request_id;
use crate::state::AppState;
use app::ledger::Actor;
use uuid::Uuid;

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

// ---------------------------------------------------------------------------------------------
// Helpers

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
    issued: Issued,
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

/// The actor of a request nobody has signed in to yet.
fn anonymous(headers: &HeaderMap) -> Actor {
    Actor {
        user_id: None,
        request_id: request_id(headers),
        source: "api".into(),
    }
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
    let registration = Registration {
        email: body.email,
        password: body.password,
        name: body.name,
        invitation_token: body.invitation_token,
    };
    let settings = state.settings.access();
    let actor = anonymous(&headers);
    Ok(
        match accounts::register(&state.pool, &settings, &actor, registration).await? {
            Registered::Created(user) => (StatusCode::CREATED, axum::Json(user)).into_response(),
            Registered::CheckYourMail => (
                StatusCode::ACCEPTED,
                axum::Json(RegistrationAccepted {
                    status: "check_your_mail".into(),
                }),
            )
                .into_response(),
        },
    )
}

/// Reads a sign-in request, as JSON or as an OAuth2 password grant form.
async fn login_credentials(state: &AppState, request: Request) -> ApiResult<(String, String)> {
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
            ));
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
) -> ApiResult<axum::Json<TokenResponse>> {
    state.auth_limits.check(ip)?;
    let actor = anonymous(request.headers());
    let (email, password) = login_credentials(&state, request).await?;
    let settings = state.settings.access();
    let s = accounts::sign_in(&state.pool, &settings, &actor, &email, password, ip).await?;
    let tokens = token_response(&state, s.user_id, s.role, s.token_version, s.issued)?;
    Ok(axum::Json(tokens))
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
    let days = state.settings.refresh_token_days;
    let r = sessions::rotate(&state.pool, body.refresh_token.trim(), days).await?;
    let tokens = token_response(&state, r.user_id, r.role, r.token_version, r.issued)?;
    Ok(axum::Json(tokens))
}

/// Signs out: revokes the refresh token and every token rotated from the same sign-in; the
/// access tokens of that sign-in stop working at once. Unknown tokens are accepted too.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204, description = "signed out")))]
async fn logout(
    State(state): State<AppState>,
    Json(body): Json<RefreshRequest>,
) -> ApiResult<StatusCode> {
    if let Some(family) = sessions::revoke(&state.pool, body.refresh_token.trim()).await? {
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
    Ok(axum::Json(accounts::me(&state.pool, user.id).await?))
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
    accounts::confirm_email(&state.pool, &body.token).await?;
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
    let settings = state.settings.access();
    accounts::mail_link(&settings, &state.pool, &body.email, Purpose::ResetPassword).await?;
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
    accounts::reset_password(&state.pool, &state.access, &body.token, body.password).await?;
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
    let settings = state.settings.access();
    accounts::mail_link(&settings, &state.pool, &body.email, Purpose::ConfirmEmail).await?;
    Ok(StatusCode::ACCEPTED)
}

#[cfg(test)]
mod tests {
    use super::*;

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

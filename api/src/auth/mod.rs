//! Authentication at the HTTP edge: the `AuthUser` extractor (JWT access tokens and personal
//! API tokens), JWT signing, cookie sessions with CSRF, request rate limits, and the routes of
//! sign-in, registration, users, invitations and API tokens. Roles, scopes and the policy are
//! `domain::access`; storage and workflows are `app::access`.

pub mod api_tokens;
pub mod cli;
pub mod cookies;
pub mod invitations;
pub mod limits;
pub mod routes;
pub mod tokens;
pub mod users;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
pub use domain::access::{Caller, Credential, Policy, Role, Scope, ScopeSet, policy};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

/// JWT claims of an access token. `role` is informational (what the user had when it was
/// issued); every request reads the current role. `ver` must equal the user's token version and
/// `sid` (the sign-in's refresh-token family) must still be live.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub role: Role,
    pub exp: u64,
    pub iat: u64,
    #[serde(default)]
    pub ver: Option<i32>,
    #[serde(default)]
    pub sid: Option<Uuid>,
}

/// The authenticated caller, taken from `Authorization: Bearer <access token or lgr_ token>`,
/// with the user's role as it is now. Its checks (`require`, `require_session`) are
/// [`Caller`]'s.
#[derive(Debug, Clone, Copy)]
pub struct AuthUser(pub Caller);

impl std::ops::Deref for AuthUser {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

/// The bearer token of a request.
fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let header = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::unauthorized("sign in: send `Authorization: Bearer <access token>`")
        })?;
    header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::unauthorized("the Authorization header must be `Bearer <access token>`")
        })
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        let caller = if token.starts_with(domain::access::token::API_TOKEN_PREFIX) {
            state.access.api_token_user(&state.pool, token).await?
        } else {
            let claims = state.jwt.verify(token)?;
            state
                .access
                .session_user(&state.pool, claims.sub, claims.ver, claims.sid)
                .await?
        };
        Ok(AuthUser(caller))
    }
}

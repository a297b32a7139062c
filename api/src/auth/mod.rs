//! Authentication and authorisation: JWT access tokens, the `AuthUser` extractor and roles.
//! Sign-in, registration, refresh tokens and mail live in the submodules.

pub mod cookies;
pub mod mail;
pub mod passwords;
pub mod refresh;
pub mod routes;
pub mod throttle;
pub mod tokens;
pub mod users;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Accountant,
    Analyst,
    Viewer,
    Auditor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Accountant => "accountant",
            Role::Analyst => "analyst",
            Role::Viewer => "viewer",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [
            Role::Admin,
            Role::Accountant,
            Role::Analyst,
            Role::Viewer,
            Role::Auditor,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// Who may do what. One place for the whole policy; handlers name the action they perform.
pub mod policy {
    use super::Role::{self, *};

    /// Read the books, reports and reference data.
    pub const READ_BOOKS: &[Role] = &[Admin, Accountant, Analyst, Viewer, Auditor];
    /// Post transactions and maintain reference data.
    pub const WRITE_BOOKS: &[Role] = &[Admin, Accountant];
    /// Maintain traffic sources, programs, offers and campaigns, and import reports.
    pub const WRITE_TRAFFIC: &[Role] = &[Admin, Accountant, Analyst];
    /// Close and reopen periods.
    pub const CLOSE_PERIODS: &[Role] = &[Admin, Accountant];
    /// Read the raw event log and the hash chain.
    pub const AUDIT: &[Role] = &[Admin, Auditor];
    /// Manage users and run maintenance.
    pub const ADMIN: &[Role] = &[Admin];

    /// Who may change an entity of the given aggregate type.
    pub fn write_entity(entity_type: &str) -> &'static [Role] {
        match entity_type {
            "traffic_source" | "program" | "offer" | "campaign" => WRITE_TRAFFIC,
            _ => WRITE_BOOKS,
        }
    }
}

/// JWT claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub role: Role,
    pub exp: u64,
    pub iat: u64,
}

/// The authenticated caller, taken from `Authorization: Bearer <access token>`.
#[derive(Debug, Clone, Copy)]
pub struct AuthUser {
    pub id: Uuid,
    pub role: Role,
}

impl AuthUser {
    pub fn require(&self, allowed: &[Role]) -> Result<(), ApiError> {
        if allowed.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "the {} role may not do this",
                self.role.as_str()
            )))
        }
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                ApiError::unauthorized("sign in: send `Authorization: Bearer <access token>`")
            })?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or_else(|| {
                ApiError::unauthorized("the Authorization header must be `Bearer <access token>`")
            })?;
        let claims = state.jwt.verify(token.trim())?;
        Ok(AuthUser {
            id: claims.sub,
            role: claims.role,
        })
    }
}

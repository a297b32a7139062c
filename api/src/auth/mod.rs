//! Authentication and authorisation: JWT access tokens and personal API tokens, the `AuthUser`
//! extractor, roles, scopes and the policy. Sign-in, registration, invitations, refresh tokens
//! and mail live in the submodules.

pub mod access;
pub mod api_tokens;
pub mod audit;
pub mod cli;
pub mod cookies;
pub mod invitations;
pub mod limits;
pub mod mail;
pub mod passwords;
pub mod refresh;
pub mod routes;
pub mod throttle;
pub mod tokens;
pub mod users;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
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
    /// Registered in `open` mode and not yet given a role by an admin: may read nothing.
    Pending,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Accountant,
        Role::Analyst,
        Role::Viewer,
        Role::Auditor,
        Role::Pending,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Accountant => "accountant",
            Role::Analyst => "analyst",
            Role::Viewer => "viewer",
            Role::Auditor => "auditor",
            Role::Pending => "pending",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// What a personal API token may be used for. Each policy names the scope it needs; admin
/// actions need a signed-in session and no scope grants them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Scope {
    /// Read the books, reports and reference data.
    #[serde(rename = "read")]
    Read,
    /// Post transactions, maintain reference data, close periods.
    #[serde(rename = "books:write")]
    BooksWrite,
    /// Maintain traffic data and import reports.
    #[serde(rename = "traffic:write")]
    TrafficWrite,
    /// Send tracker postbacks (reads nothing).
    #[serde(rename = "postback")]
    Postback,
    /// Read the raw event log and the hash chain.
    #[serde(rename = "audit")]
    Audit,
}

impl Scope {
    pub const ALL: [Scope; 5] = [
        Scope::Read,
        Scope::BooksWrite,
        Scope::TrafficWrite,
        Scope::Postback,
        Scope::Audit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::BooksWrite => "books:write",
            Scope::TrafficWrite => "traffic:write",
            Scope::Postback => "postback",
            Scope::Audit => "audit",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The roles that may hold this scope: a token never gets more than its user's role allows.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Scope::Read => policy::READ_BOOKS.roles,
            Scope::BooksWrite => policy::WRITE_BOOKS.roles,
            // Postbacks write traffic facts.
            Scope::TrafficWrite | Scope::Postback => policy::WRITE_TRAFFIC.roles,
            Scope::Audit => policy::AUDIT.roles,
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of scopes (a few bits, so `AuthUser` stays `Copy`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScopeSet(u8);

impl ScopeSet {
    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }
    pub fn insert(&mut self, scope: Scope) {
        self.0 |= scope.bit();
    }
}

impl FromIterator<Scope> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        let mut set = ScopeSet::default();
        for s in iter {
            set.insert(s);
        }
        set
    }
}

/// Who may do what: the roles allowed and the scope an API token needs (none: never by token).
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub roles: &'static [Role],
    pub scope: Option<Scope>,
}

/// Who may do what. One place for the whole policy; handlers name the action they perform.
pub mod policy {
    use super::Policy;
    use super::Role::*;
    use super::Scope;

    /// Read the books, reports and reference data.
    pub const READ_BOOKS: Policy = Policy {
        roles: &[Admin, Accountant, Analyst, Viewer, Auditor],
        scope: Some(Scope::Read),
    };
    /// Post transactions and maintain reference data.
    pub const WRITE_BOOKS: Policy = Policy {
        roles: &[Admin, Accountant],
        scope: Some(Scope::BooksWrite),
    };
    /// Maintain traffic sources, programs, offers and campaigns, and import reports.
    pub const WRITE_TRAFFIC: Policy = Policy {
        roles: &[Admin, Accountant, Analyst],
        scope: Some(Scope::TrafficWrite),
    };
    /// Close and reopen periods.
    pub const CLOSE_PERIODS: Policy = Policy {
        roles: &[Admin, Accountant],
        scope: Some(Scope::BooksWrite),
    };
    /// Export the whole ledger (a copy of every posting leaves the server).
    pub const EXPORT_BOOKS: Policy = Policy {
        roles: &[Admin, Accountant, Auditor],
        scope: Some(Scope::Read),
    };
    /// Read the raw event log and the hash chain.
    pub const AUDIT: Policy = Policy {
        roles: &[Admin, Auditor],
        scope: Some(Scope::Audit),
    };
    /// Receive tracker postbacks (for the postback endpoint).
    pub const POSTBACK: Policy = Policy {
        roles: &[Admin, Accountant, Analyst],
        scope: Some(Scope::Postback),
    };
    /// Manage users, invitations and run maintenance: never by API token.
    pub const ADMIN: Policy = Policy {
        roles: &[Admin],
        scope: None,
    };

    /// Who may change an entity of the given aggregate type.
    pub fn write_entity(entity_type: &str) -> Policy {
        match entity_type {
            "traffic_source" | "program" | "offer" | "campaign" => WRITE_TRAFFIC,
            _ => WRITE_BOOKS,
        }
    }
}

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

/// How the caller authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A signed-in session (JWT access token); `sid` is its refresh-token family.
    Session { sid: Uuid },
    /// A personal API token, limited to its scopes.
    ApiToken { id: Uuid, scopes: ScopeSet },
}

/// The authenticated caller, taken from `Authorization: Bearer <access token or lgr_ token>`,
/// with the user's role as it is now.
#[derive(Debug, Clone, Copy)]
pub struct AuthUser {
    pub id: Uuid,
    pub role: Role,
    pub credential: Credential,
}

impl AuthUser {
    pub fn require(&self, policy: Policy) -> Result<(), ApiError> {
        if !policy.roles.contains(&self.role) {
            return Err(ApiError::forbidden(format!(
                "the {} role may not do this",
                self.role.as_str()
            )));
        }
        match (self.credential, policy.scope) {
            (Credential::Session { .. }, _) => Ok(()),
            (Credential::ApiToken { scopes, .. }, Some(scope)) if scopes.contains(scope) => Ok(()),
            (Credential::ApiToken { .. }, Some(scope)) => Err(ApiError::forbidden(format!(
                "this API token lacks the `{}` scope",
                scope.as_str()
            ))),
            (Credential::ApiToken { .. }, None) => Err(session_required()),
        }
    }

    /// Refuses API tokens: managing users, invitations and tokens needs a signed-in person.
    pub fn require_session(&self) -> Result<(), ApiError> {
        match self.credential {
            Credential::Session { .. } => Ok(()),
            Credential::ApiToken { .. } => Err(session_required()),
        }
    }
}

fn session_required() -> ApiError {
    ApiError::status(
        StatusCode::FORBIDDEN,
        "session_required",
        "API tokens may not do this; sign in",
    )
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
        if token.starts_with(api_tokens::PREFIX) {
            return state.access.api_token_user(&state.pool, token).await;
        }
        let claims = state.jwt.verify(token)?;
        state.access.session_user(&state.pool, &claims).await
    }
}

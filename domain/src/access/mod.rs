//! Who may do what: roles, the scopes of personal API tokens and the policy naming both for
//! every action; the rules of accounts (email, name, password), of registration and
//! invitations, of API tokens and refresh tokens (their format), and the arithmetic of the
//! sign-in throttle. No I/O: `app::access` stores users, sessions, tokens and invitations and
//! runs the workflows; `api` maps [`AccessError`] to problem+json once.

pub mod error;
pub mod event;
pub mod rules;
pub mod throttle;
pub mod token;

pub use error::AccessError;
pub use event::{AGGREGATE_TYPE, AccessEvent};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Scrape `/metrics` (the Prometheus figures of the server; no books).
    #[serde(rename = "metrics")]
    Metrics,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::Read,
        Scope::BooksWrite,
        Scope::TrafficWrite,
        Scope::Postback,
        Scope::Audit,
        Scope::Metrics,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::BooksWrite => "books:write",
            Scope::TrafficWrite => "traffic:write",
            Scope::Postback => "postback",
            Scope::Audit => "audit",
            Scope::Metrics => "metrics",
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
            Scope::Metrics => policy::METRICS.roles,
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of scopes (a few bits, so a [`Caller`] stays `Copy`).
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
    /// Scrape `/metrics`: operators (admins), or a monitoring system with a `metrics` token.
    /// The figures hold no books, but they tell how busy the ledger is and what fails.
    pub const METRICS: Policy = Policy {
        roles: &[Admin],
        scope: Some(Scope::Metrics),
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

/// How the caller authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A signed-in session (JWT access token); `sid` is its refresh-token family.
    Session { sid: Uuid },
    /// A personal API token, limited to its scopes.
    ApiToken { id: Uuid, scopes: ScopeSet },
}

/// An authenticated caller with the user's role as it is now.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub id: Uuid,
    pub role: Role,
    pub credential: Credential,
}

impl Caller {
    /// Whether the caller may act under `policy`: its role must be allowed and an API token
    /// must hold the policy's scope (a policy without scope is never open to tokens).
    pub fn require(&self, policy: Policy) -> Result<(), AccessError> {
        if !policy.roles.contains(&self.role) {
            return Err(AccessError::RoleForbidden { role: self.role });
        }
        match (self.credential, policy.scope) {
            (Credential::Session { .. }, _) => Ok(()),
            (Credential::ApiToken { scopes, .. }, Some(scope)) if scopes.contains(scope) => Ok(()),
            (Credential::ApiToken { .. }, Some(scope)) => Err(AccessError::ScopeMissing { scope }),
            (Credential::ApiToken { .. }, None) => Err(AccessError::SessionRequired),
        }
    }

    /// Refuses API tokens: managing users, invitations and tokens needs a signed-in person.
    pub fn require_session(&self) -> Result<(), AccessError> {
        match self.credential {
            Credential::Session { .. } => Ok(()),
            Credential::ApiToken { .. } => Err(AccessError::SessionRequired),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(scopes: &[Scope]) -> Caller {
        Caller {
            id: Uuid::nil(),
            role: Role::Accountant,
            credential: Credential::ApiToken {
                id: Uuid::nil(),
                scopes: scopes.iter().copied().collect(),
            },
        }
    }

    #[test]
    fn roles_and_scopes_round_trip_their_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Some(s));
        }
        assert_eq!(Role::parse("root"), None);
        assert_eq!(
            serde_json::to_string(&Scope::BooksWrite).unwrap(),
            "\"books:write\""
        );
    }

    #[test]
    fn tokens_need_the_scope_and_never_act_as_admin() {
        let t = token(&[Scope::Read]);
        assert!(t.require(policy::READ_BOOKS).is_ok());
        assert_eq!(
            t.require(policy::WRITE_BOOKS).unwrap_err().code(),
            "forbidden"
        );
        let admin = Caller {
            role: Role::Admin,
            ..token(&Scope::ALL)
        };
        assert_eq!(
            admin.require(policy::ADMIN).unwrap_err().code(),
            "session_required"
        );
        assert_eq!(
            admin.require_session().unwrap_err(),
            AccessError::SessionRequired
        );
        let session = Caller {
            credential: Credential::Session { sid: Uuid::nil() },
            ..admin
        };
        assert!(session.require(policy::ADMIN).is_ok());
        let viewer = Caller {
            role: Role::Viewer,
            ..session
        };
        assert_eq!(
            viewer.require(policy::ADMIN).unwrap_err().to_string(),
            "the viewer role may not do this"
        );
    }
}

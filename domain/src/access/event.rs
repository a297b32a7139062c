//! Access changes as events in the log (aggregate type `access`, one stream per user): sign-ins,
//! invitations, API tokens, role and disabled changes. They are for auditors only: no read model
//! applies them (the projector checks their event type and passes them by) and nothing is decided from
//! them; users, invitations and tokens themselves live in plain tables. Never put a password, a
//! hash or a token secret in one.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Role, Scope};

/// The aggregate type of access events.
pub const AGGREGATE_TYPE: &str = "access";

/// One access event. Stored externally tagged, like the domain's events.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum AccessEvent {
    Registered {
        email: String,
        role: Role,
        /// `first_user`, `invitation`, `open` or `cli`.
        how: String,
    },
    LoginSucceeded {
        ip: Option<String>,
    },
    LoginFailed {
        ip: Option<String>,
        /// `wrong_password`, `disabled` or `email_not_confirmed`.
        reason: String,
    },
    InvitationCreated {
        invitation_id: Uuid,
        email: String,
        role: Role,
    },
    InvitationRevoked {
        invitation_id: Uuid,
    },
    InvitationAccepted {
        invitation_id: Uuid,
        invited_by: Uuid,
        role: Role,
    },
    ApiTokenCreated {
        token_id: Uuid,
        name: String,
        scopes: Vec<Scope>,
    },
    ApiTokenRevoked {
        token_id: Uuid,
    },
    RoleChanged {
        from: Role,
        to: Role,
    },
    Disabled {},
    Enabled {},
    /// `ledger user create` set a new password and ended every session.
    Recovered {},
}

impl AccessEvent {
    pub fn event_type(&self) -> &'static str {
        match self {
            AccessEvent::Registered { .. } => "Registered",
            AccessEvent::LoginSucceeded { .. } => "LoginSucceeded",
            AccessEvent::LoginFailed { .. } => "LoginFailed",
            AccessEvent::InvitationCreated { .. } => "InvitationCreated",
            AccessEvent::InvitationRevoked { .. } => "InvitationRevoked",
            AccessEvent::InvitationAccepted { .. } => "InvitationAccepted",
            AccessEvent::ApiTokenCreated { .. } => "ApiTokenCreated",
            AccessEvent::ApiTokenRevoked { .. } => "ApiTokenRevoked",
            AccessEvent::RoleChanged { .. } => "RoleChanged",
            AccessEvent::Disabled {} => "Disabled",
            AccessEvent::Enabled {} => "Enabled",
            AccessEvent::Recovered {} => "Recovered",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_externally_tagged_and_named_by_their_variant() {
        let e = AccessEvent::ApiTokenCreated {
            token_id: Uuid::nil(),
            name: "n".into(),
            scopes: vec![Scope::Read, Scope::BooksWrite],
        };
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.starts_with("{\"ApiTokenCreated\":"), "{json}");
        assert!(json.contains("\"books:write\""), "{json}");
        assert_eq!(e.event_type(), "ApiTokenCreated");
        // Payloads are always objects.
        assert_eq!(
            serde_json::to_string(&AccessEvent::Disabled {}).unwrap(),
            "{\"Disabled\":{}}"
        );
        let back: AccessEvent = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
    }
}

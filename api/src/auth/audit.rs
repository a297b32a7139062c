//! Access changes as events in the log (aggregate type `access`, one stream per user): sign-ins,
//! invitations, API tokens, role and disabled changes. They are for auditors only: no read model
//! applies them (the projector checks their event type and passes them by) and nothing is decided from
//! them; users, invitations and tokens themselves live in plain tables. Never put a password, a
//! hash or a token secret in one.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Role, Scope};
use crate::error::ApiError;
use app::ledger::Actor;
use eventstore::{self as store, NewEvent};

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
    fn event_type(&self) -> &'static str {
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

/// Appends `events` to the stream of `user_id` within the caller's transaction. The stream is
/// locked first (a transaction-scoped advisory lock on its name), so concurrent sign-ins of one
/// user take sequence numbers one after the other instead of conflicting.
pub async fn record(
    conn: &mut PgConnection,
    user_id: Uuid,
    actor: &Actor,
    events: &[AccessEvent],
) -> Result<i64, ApiError> {
    if events.is_empty() {
        return Ok(0);
    }
    let stream = user_id.to_string();
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('access:' || $1, 0))")
        .bind(&stream)
        .execute(&mut *conn)
        .await?;
    let last: i64 = sqlx::query_scalar(
        "SELECT COALESCE(max(sequence), 0) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2",
    )
    .bind(AGGREGATE_TYPE)
    .bind(&stream)
    .fetch_one(&mut *conn)
    .await?;
    let new: Vec<NewEvent> = events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            Ok(NewEvent {
                aggregate_type: AGGREGATE_TYPE,
                aggregate_id: stream.clone(),
                sequence: last + 1 + i as i64,
                event_type: e.event_type().to_string(),
                event_version: "1.0".to_string(),
                payload: serde_json::to_string(e).map_err(ApiError::internal)?,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    store::append(conn, &new, &actor.metadata())
        .await
        .map_err(|e| match e {
            store::AppendError::Conflict => {
                ApiError::internal("an access event conflicted although its stream was locked")
            }
            store::AppendError::Db(e) => e.into(),
        })
}

/// [`record`] in a transaction of its own (for events that accompany no other write).
pub async fn record_alone(
    pool: &sqlx::PgPool,
    user_id: Uuid,
    actor: &Actor,
    event: AccessEvent,
) -> Result<(), ApiError> {
    let mut tx = pool.begin().await?;
    record(&mut tx, user_id, actor, &[event]).await?;
    tx.commit().await?;
    Ok(())
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

//! Create, update, archive and restore reference data of any kind.

use domain::DomainError;
use domain::aggregate::decide;
use domain::entity::{Entity, EntityCommand, EntitySpec};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{Actor, Written};
use crate::error::AppError;
use crate::executor::{self, Lock, Run};
use eventstore::{self as store, NewEvent};

/// Runs one command against entity `id` inside the caller's transaction and returns the events
/// to append.
pub async fn decide_entity<S: EntitySpec>(
    conn: &mut PgConnection,
    id: Uuid,
    command: EntityCommand<S>,
    ctx: &S::Context,
) -> Result<Vec<NewEvent>, AppError> {
    let key = id.to_string();
    let (mut entity, version) = store::load::<Entity<S>>(conn, &key).await?;
    if !entity.exists() && !matches!(command, EntityCommand::Create(_)) {
        return Err(DomainError::NotFound {
            entity: S::TYPE,
            id: key,
        }
        .into());
    }
    let events = decide(&mut entity, command, ctx)
        .await
        .map_err(|e| with_id(e, id))?;
    Ok(NewEvent::from_domain::<Entity<S>>(&key, version, events)?)
}

/// The domain does not know ids; put them into its errors for the client.
fn with_id(e: DomainError, id: Uuid) -> DomainError {
    match e {
        DomainError::NotFound { entity, id: i } if i.is_empty() => DomainError::NotFound {
            entity,
            id: id.to_string(),
        },
        DomainError::Archived { entity, id: i } if i.is_empty() => DomainError::Archived {
            entity,
            id: id.to_string(),
        },
        DomainError::AlreadyExists { entity, id: i } if i.is_empty() => {
            DomainError::AlreadyExists {
                entity,
                id: id.to_string(),
            }
        }
        other => other,
    }
}

/// Executes one entity command in its own transaction. Archiving and restoring change what
/// postings may reference, so they take the posting-facts lock exclusively.
pub async fn execute<S: EntitySpec>(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    command: EntityCommand<S>,
    ctx: &S::Context,
) -> Result<Written, AppError> {
    let lock = match command {
        EntityCommand::Archive | EntityCommand::Restore => Lock::PostingFactsExclusive,
        _ => Lock::None,
    };
    let command = &command;
    let run = Run::new(actor, format!("{} {id}", S::TYPE)).lock(lock);
    let ((), written) = executor::execute(pool, run, |mut work| {
        Box::pin(async move {
            let events = decide_entity(work.conn(), id, command.clone(), ctx).await?;
            work.stage(events);
            Ok((work, ()))
        })
    })
    .await?;
    Ok(written)
}

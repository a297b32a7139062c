//! Create, update, archive and restore reference data of any kind.

use domain::DomainError;
use domain::aggregate::decide;
use domain::entity::{Entity, EntityCommand, EntitySpec};
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

use super::{Actor, Written};
use crate::error::AppError;
use eventstore::{self as store, AppendError, NewEvent};

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
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    if matches!(command, EntityCommand::Archive | EntityCommand::Restore) {
        crate::ledger::locks::lock_posting_facts_exclusive(&mut tx).await?;
    }
    let events = decide_entity(&mut tx, id, command, ctx).await?;
    let position = match store::append(&mut tx, &events, &actor.metadata()).await {
        Ok(p) => p,
        Err(AppendError::Conflict) => {
            return Err(AppError::ConcurrentUpdate {
                detail: format!("{} {id} changed meanwhile; retry", S::TYPE),
            });
        }
        Err(AppendError::Db(e)) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(Written { position })
}

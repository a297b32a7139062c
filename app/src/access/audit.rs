//! The access trail in the log (aggregate type `access`, one stream per user; the events are
//! `domain::access::AccessEvent`). Appended like every other command's events: a workflow's
//! body stages them with [`stage`] and [`run`] hands it to the executor, which appends them in
//! the workflow's own transaction.

use domain::access::{AGGREGATE_TYPE, AccessEvent};
use eventstore::NewEvent;
use futures::future::BoxFuture;
use sqlx::PgPool;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::executor::{self, Run, Work};
use crate::ledger::Actor;

/// Runs an access workflow as one command: `body` reads and writes the access tables on
/// [`Work::conn`] and stages its events; they are appended and committed together.
pub async fn run<'a, T, F>(pool: &PgPool, actor: &Actor, body: F) -> AppResult<T>
where
    F: FnMut(Work) -> BoxFuture<'a, AppResult<(Work, T)>>,
{
    let (value, _) = executor::execute(pool, Run::new(actor, "the access trail"), body).await?;
    Ok(value)
}

/// Stages `events` on the stream of `user_id`. The stream is locked first (a
/// transaction-scoped advisory lock on its name), so concurrent sign-ins of one user take
/// sequence numbers one after the other instead of conflicting.
pub async fn stage(work: &mut Work, user_id: Uuid, events: &[AccessEvent]) -> AppResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let stream = user_id.to_string();
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('access:' || $1, 0))")
        .bind(&stream)
        .execute(work.conn())
        .await?;
    let last = eventstore::lookup::last_sequence(work.conn(), AGGREGATE_TYPE, &stream).await?;
    let new = events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            Ok(NewEvent {
                aggregate_type: AGGREGATE_TYPE,
                aggregate_id: stream.clone(),
                sequence: last + 1 + i as i64,
                event_type: e.event_type().to_string(),
                event_version: "1.0".to_string(),
                payload: serde_json::to_string(e).map_err(AppError::internal)?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    work.stage(new);
    Ok(())
}

/// Records one event that accompanies no other write (a failed sign-in).
pub async fn record_alone(
    pool: &PgPool,
    user_id: Uuid,
    actor: &Actor,
    event: AccessEvent,
) -> AppResult<()> {
    let event = &event;
    run(pool, actor, |mut work| {
        Box::pin(async move {
            stage(&mut work, user_id, std::slice::from_ref(event)).await?;
            Ok((work, ()))
        })
    })
    .await
}

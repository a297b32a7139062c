//! Closing and reopening periods.

use chrono::Utc;
use domain::aggregate::decide;
use domain::period::{BOOKS_ID, PeriodCommand, PeriodContext, Periods};
use sqlx::{Connection, PgPool};

use super::{Actor, Written};
use crate::error::AppError;
use eventstore::{self as store, AppendError, NewEvent};

pub async fn execute(
    pool: &PgPool,
    actor: &Actor,
    command: PeriodCommand,
) -> Result<(Written, Periods), AppError> {
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    // Excludes postings in flight: none can commit into a month while it is being closed.
    crate::ledger::locks::lock_posting_facts_exclusive(&mut tx).await?;
    let (mut periods, version) = store::load::<Periods>(&mut tx, BOOKS_ID).await?;
    let ctx = PeriodContext {
        today: Some(Utc::now().date_naive()),
    };
    let events = decide(&mut periods, command, &ctx).await?;
    let events = NewEvent::from_domain::<Periods>(BOOKS_ID, version, events)?;
    let position = store::append(&mut tx, &events, &actor.metadata())
        .await
        .map_err(|e| match e {
            AppendError::Conflict => AppError::ConcurrentUpdate {
                detail: "the period lock changed meanwhile; retry".into(),
            },
            AppendError::Db(e) => e.into(),
        })?;
    tx.commit().await?;
    Ok((Written { position }, periods))
}

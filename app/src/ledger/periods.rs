//! Closing and reopening periods.

use chrono::Utc;
use domain::period::{BOOKS_ID, PeriodCommand, PeriodContext, Periods};
use sqlx::PgPool;

use super::{Actor, Written};
use crate::error::AppError;
use crate::executor::{self, Lock, Run};

pub async fn execute(
    pool: &PgPool,
    actor: &Actor,
    command: PeriodCommand,
) -> Result<(Written, Periods), AppError> {
    // Excludes postings in flight: none can commit into a month while it is being closed.
    let command = &command;
    let run = Run::new(actor, "the period lock").lock(Lock::PostingFactsExclusive);
    let (periods, written) = executor::execute(pool, run, |mut work| {
        Box::pin(async move {
            let (mut periods, version) = work.load::<Periods>(BOOKS_ID).await?;
            let ctx = PeriodContext {
                today: Some(Utc::now().date_naive()),
            };
            work.decide(BOOKS_ID, &mut periods, version, command.clone(), &ctx)
                .await?;
            Ok((work, periods))
        })
    })
    .await?;
    Ok((written, periods))
}

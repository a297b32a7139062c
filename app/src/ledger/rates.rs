//! Setting exchange rates, many at once (a sync job's batch) in one transaction.

use chrono::Utc;
use domain::DomainError;
use domain::aggregate::decide;
use domain::rates::{DailyRate, RateContext, SetRate, rate_id};
use sqlx::PgPool;

use super::{Actor, Written};
use crate::error::AppError;
use crate::executor::{self, Run};
use eventstore as store;

/// Most rates one call may set.
pub const MAX_RATES_PER_CALL: usize = 10_000;

/// What a batch of rates changed.
#[derive(Debug, Clone, Copy)]
pub struct RatesWritten {
    pub written: Written,
    /// Rates that were new or corrected.
    pub changed: usize,
    /// Rates the log already held as given.
    pub unchanged: usize,
}

/// Sets `rates` (all or none).
pub async fn set_many(
    pool: &PgPool,
    actor: &Actor,
    rates: Vec<SetRate>,
) -> Result<RatesWritten, AppError> {
    if rates.len() > MAX_RATES_PER_CALL {
        return Err(AppError::invalid(
            "rates",
            format!("at most {MAX_RATES_PER_CALL} rates per call"),
        ));
    }
    let ctx = RateContext {
        today: Some(Utc::now().date_naive()),
    };
    // A conflict with a concurrent writer of the same days is retried once: the second look
    // finds the other writer's rates and writes only differences.
    let (rates, ctx) = (&rates, &ctx);
    let run = Run::new(actor, "rates of the same days").retry(2);
    let (changed, written) = executor::execute(pool, run, |mut work| {
        Box::pin(async move {
            let ids: Vec<String> = rates
                .iter()
                .map(|r| rate_id(r.base, r.quote, r.date))
                .collect();
            let mut loaded = store::load_many::<DailyRate>(work.conn(), &ids).await?;
            let mut changed = 0;
            for (i, (id, cmd)) in ids.iter().zip(rates).enumerate() {
                let (state, version) = loaded.get_mut(id).expect("load_many answers every id");
                let new = decide(state, cmd.clone(), ctx).await.map_err(|e| match e {
                    DomainError::Invalid { field, reason } => DomainError::invalid(
                        format!("rates[{i}].{field}"),
                        format!("{id}: {reason}"),
                    ),
                    other => other,
                })?;
                // `decide` has applied the new events to `state`, so a later rate of the same
                // day in this call sees them.
                if !new.is_empty() {
                    changed += 1;
                    let written = new.len() as i64;
                    work.stage_domain::<DailyRate>(id, *version, new)?;
                    *version += written;
                }
            }
            Ok((work, changed))
        })
    })
    .await?;
    Ok(RatesWritten {
        written,
        changed,
        unchanged: rates.len() - changed,
    })
}

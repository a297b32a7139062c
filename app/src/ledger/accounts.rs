//! Creating an account, with its opening balance posted in the same database transaction.

use chrono::{NaiveDate, Utc};
use domain::Currency;
use domain::account::{self, Account, AccountSpec};
use domain::aggregate::decide;
use domain::entity::EntityCommand;
use domain::error::Field;
use domain::transaction::{PostTransaction, Transaction, TransactionCommand};
use rust_decimal::Decimal;
use sqlx::PgPool;
use uuid::Uuid;

use super::entities::decide_entity;
use super::transactions::posting_context;
use super::{Actor, Written};
use crate::error::AppError;
use crate::executor::{self, Lock, Run, Work};

/// Creates account `id`; with an opening balance, also the currency's opening-balance equity
/// account (when missing) and the opening posting, all in one command. The account is appended
/// (in the command's transaction) before the posting is decided, because deciding reads the
/// accounts it posts to from the log.
pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    spec: AccountSpec,
    opening_balance: Option<Decimal>,
    opening_date: Option<NaiveDate>,
) -> Result<(Written, Account), AppError> {
    let date = opening_date.unwrap_or_else(|| Utc::now().date_naive());
    let opening =
        opening_balance.and_then(|a| account::opening_balance(id, spec.currency, a, date));
    let lock = match opening {
        Some(_) => Lock::PostingFactsShared,
        None => Lock::None,
    };
    let (spec, opening) = (&spec, &opening);
    let run = Run::new(actor, "the account").lock(lock);
    let (account, written) = executor::execute(pool, run, |mut work| {
        Box::pin(async move {
            let events = decide_entity::<AccountSpec>(
                work.conn(),
                id,
                EntityCommand::Create(spec.clone()),
                &(),
            )
            .await?;
            work.stage(events);
            // Appended now: the opening posting and the answer read the account back.
            work.append_now().await?;
            if let Some(command) = opening {
                stage_opening(&mut work, id, spec.currency, command.clone()).await?;
            }
            let (account, _) = work.load::<Account>(&id.to_string()).await?;
            Ok((work, account))
        })
    })
    .await?;
    Ok((written, account))
}

/// Stages the opening posting of account `id`, creating the currency's opening-balance equity
/// account first when it is missing.
async fn stage_opening(
    work: &mut Work,
    id: Uuid,
    currency: Currency,
    command: PostTransaction,
) -> Result<(), AppError> {
    let (equity, equity_spec) = account::opening_equity(currency);
    let (existing, _) = work.load::<Account>(&equity.to_string()).await?;
    if !existing.exists() {
        let events = decide_entity::<AccountSpec>(
            work.conn(),
            equity,
            EntityCommand::Create(equity_spec),
            &(),
        )
        .await?;
        work.stage(events);
        work.append_now().await?;
    }
    let ctx = posting_context(work.conn(), std::iter::once(&command)).await?;
    let mut t = Transaction::default();
    let produced = decide(&mut t, TransactionCommand::Post(command), &ctx)
        .await
        .map_err(|e| match e {
            domain::DomainError::Invalid { field, reason }
                if matches!(field, Field::Leg { .. }) || field == "entries" =>
            {
                domain::DomainError::invalid("opening_balance", reason)
            }
            other => other,
        })?;
    let key = account::opening_transaction_id(id).to_string();
    work.stage_domain::<Transaction>(&key, 0, produced)
}

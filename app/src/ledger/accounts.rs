//! Creating an account, with its opening balance posted in the same database transaction.

use chrono::{NaiveDate, Utc};
use domain::account::{self, Account, AccountSpec};
use domain::aggregate::decide;
use domain::entity::EntityCommand;
use domain::error::Field;
use domain::transaction::{Transaction, TransactionCommand};
use rust_decimal::Decimal;
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

use super::entities::decide_entity;
use super::transactions::posting_context;
use super::{Actor, Written};
use crate::error::AppError;
use eventstore::{self as store, AppendError};

async fn append(
    conn: &mut PgConnection,
    events: &[store::NewEvent],
    actor: &Actor,
) -> Result<i64, AppError> {
    store::append(conn, events, &actor.metadata())
        .await
        .map_err(|e| match e {
            AppendError::Conflict => AppError::ConcurrentUpdate {
                detail: "the account changed meanwhile; retry".into(),
            },
            AppendError::Db(e) => e.into(),
        })
}

pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    spec: AccountSpec,
    opening_balance: Option<Decimal>,
    opening_date: Option<NaiveDate>,
) -> Result<(Written, Account), AppError> {
    let currency = spec.currency;
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    let events =
        decide_entity::<AccountSpec>(&mut tx, id, EntityCommand::Create(spec), &()).await?;
    let mut position = append(&mut tx, &events, actor).await?;

    let date = opening_date.unwrap_or_else(|| Utc::now().date_naive());
    let opening = opening_balance.and_then(|a| account::opening_balance(id, currency, a, date));
    if let Some(command) = opening {
        let (equity, equity_spec) = account::opening_equity(currency);
        let (existing, _) = store::load::<Account>(&mut tx, &equity.to_string()).await?;
        if !existing.exists() {
            let events = decide_entity::<AccountSpec>(
                &mut tx,
                equity,
                EntityCommand::Create(equity_spec),
                &(),
            )
            .await?;
            append(&mut tx, &events, actor).await?;
        }
        crate::ledger::locks::lock_posting_facts_shared(&mut tx).await?;
        let ctx = posting_context(&mut tx, std::iter::once(&command)).await?;
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
        let events = store::NewEvent::from_domain::<Transaction>(
            &account::opening_transaction_id(id).to_string(),
            0,
            produced,
        )?;
        position = append(&mut tx, &events, actor).await?;
    }
    let (account, _) = store::load::<Account>(&mut tx, &id.to_string()).await?;
    tx.commit().await?;
    Ok((Written { position }, account))
}

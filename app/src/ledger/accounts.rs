//! Creating an account, with its opening balance posted in the same database transaction.

use chrono::{NaiveDate, Utc};
use domain::account::{Account, AccountKind, AccountSpec, AccountType};
use domain::aggregate::decide;
use domain::entity::EntityCommand;
use domain::money::Currency;
use domain::transaction::{
    LegInput, PostTransaction, Transaction, TransactionCommand, TransactionKind,
};
use rust_decimal::Decimal;
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

use super::entities::decide_entity;
use super::transactions::posting_context;
use super::{Actor, Written};
use crate::error::AppError;
use eventstore::{self as store, AppendError};

const OPENING_NAMESPACE: Uuid = Uuid::from_u128(0x6f70_656e_696e_672d_6261_6c61_6e63_6573);

/// The equity account that takes the other side of opening balances in `currency`; one per
/// currency, created on first use.
pub fn opening_equity_id(currency: Currency) -> Uuid {
    Uuid::new_v5(&OPENING_NAMESPACE, currency.code().as_bytes())
}

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

    if let Some(amount) = opening_balance.filter(|a| !a.is_zero()) {
        let equity = opening_equity_id(currency);
        let (existing, _) = store::load::<Account>(&mut tx, &equity.to_string()).await?;
        if !existing.exists() {
            let equity_spec = AccountSpec {
                name: format!("Opening balances ({currency})"),
                account_type: AccountType::Equity,
                kind: AccountKind::Other,
                currency,
                code: None,
                description: Some("Counterpart of opening balances".into()),
                tron_address: None,
            };
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
        let command = PostTransaction {
            adjusts: None,
            origin: None,
            date: opening_date.unwrap_or_else(|| Utc::now().date_naive()),
            kind: TransactionKind::Opening,
            description: "Opening balance".into(),
            legs: vec![
                LegInput {
                    account_id: id,
                    amount,
                    price: None,
                    memo: None,
                },
                LegInput {
                    account_id: equity,
                    amount: -amount,
                    price: None,
                    memo: None,
                },
            ],
            project_id: None,
            category_id: None,
            counterparty_id: None,
            tags: vec![],
            idempotency_key: None,
            fingerprint: format!("opening:{id}"),
            reverses: None,
            replaces: None,
            crypto: None,
        };
        let ctx = posting_context(&mut tx, std::iter::once(&command)).await?;
        let mut t = Transaction::default();
        let produced = decide(&mut t, TransactionCommand::Post(command), &ctx)
            .await
            .map_err(|e| match e {
                domain::DomainError::Invalid { field, reason } if field.starts_with("entries") => {
                    domain::DomainError::invalid("opening_balance", reason)
                }
                other => other,
            })?;
        let events = store::NewEvent::from_domain::<Transaction>(
            &Uuid::new_v5(&OPENING_NAMESPACE, id.as_bytes()).to_string(),
            0,
            produced,
        )?;
        position = append(&mut tx, &events, actor).await?;
    }
    let (account, _) = store::load::<Account>(&mut tx, &id.to_string()).await?;
    tx.commit().await?;
    Ok((Written { position }, account))
}

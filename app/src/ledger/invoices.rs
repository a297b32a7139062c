//! Invoice commands: create and edit drafts; issue (a number from the series and the posting of
//! the receivable or payable); record payments (posting the money movement, or applying a
//! posting that already moved it); cancel (reversing the issue). Each command appends its
//! postings, the series allocation and the invoice's own event in one database transaction:
//! the books, the numbers and the invoice never disagree.

use chrono::{NaiveDate, Utc};
use domain::Currency;
use domain::account::{AccountKind, AccountSpec, AccountType};
use domain::aggregate::decide;
use domain::category::CategorySpec;
use domain::counterparty::CounterpartySpec;
use domain::entity::{Entity, EntitySpec};
use domain::invoice::posting as invoice_posting;
use domain::invoice::{
    Allocate, Direction, DraftInput, Invoice, InvoiceCommand, InvoiceEvent, InvoiceSeries,
    InvoiceStatus, PaymentInput, format_number, series_of,
};
use domain::payment_application::{
    PaymentApplication, PaymentApplicationCommand, PaymentApplicationEvent,
};
use domain::project::ProjectSpec;
use domain::transaction::{Origin, OriginKind, PostTransaction, Transaction, TransactionKind};
use rust_decimal::Decimal;
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

use super::transactions::{PostRequest, decide_in, document_posting, position_of, reverse_in};
use super::{Actor, Written};
use crate::error::AppError;
use eventstore::{self as store, AppendError, NewEvent};
use sha2::{Digest, Sha256};

/// How often an issue is retried when another issue took the series' next number first.
pub const MAX_ISSUE_ATTEMPTS: usize = 8;

fn conflict(e: AppendError) -> AppError {
    match e {
        AppendError::Conflict => AppError::ConcurrentUpdate {
            detail: "the invoice changed meanwhile; retry".into(),
        },
        AppendError::Db(e) => e.into(),
    }
}

fn origin(id: Uuid) -> Origin {
    Origin {
        kind: OriginKind::Invoice,
        id,
    }
}

/// Checks that the draft's counterparty, projects and categories exist and are active (one
/// round trip), so a bad reference is refused at the draft, not only at the issue.
async fn check_references(conn: &mut PgConnection, d: &DraftInput) -> Result<(), AppError> {
    let mut keys = vec![(CounterpartySpec::TYPE, d.counterparty_id.to_string())];
    for l in &d.lines {
        keys.extend(l.project_id.map(|p| (ProjectSpec::TYPE, p.to_string())));
        keys.extend(l.category_id.map(|c| (CategorySpec::TYPE, c.to_string())));
    }
    let streams = store::load_streams(conn, &keys).await?;
    fn check<S: EntitySpec>(
        streams: &store::Streams,
        id: Uuid,
        field: &str,
    ) -> Result<(), AppError> {
        let (e, _) = streams.fold::<Entity<S>>(&id.to_string())?;
        if !e.exists() {
            return Err(AppError::invalid(
                field,
                format!("no {} with id {id}", S::TYPE),
            ));
        }
        if e.archived {
            return Err(AppError::invalid(
                field,
                format!("{} {id} is archived", S::TYPE),
            ));
        }
        Ok(())
    }
    check::<CounterpartySpec>(&streams, d.counterparty_id, "counterparty_id")?;
    for (i, l) in d.lines.iter().enumerate() {
        if let Some(p) = l.project_id {
            check::<ProjectSpec>(&streams, p, &format!("lines[{i}].project_id"))?;
        }
        if let Some(c) = l.category_id {
            check::<CategorySpec>(&streams, c, &format!("lines[{i}].category_id"))?;
        }
    }
    Ok(())
}

/// Loads invoice `id`, or says it does not exist.
async fn load(conn: &mut PgConnection, id: Uuid) -> Result<(Invoice, i64), AppError> {
    let (invoice, version) = store::load::<Invoice>(conn, &id.to_string()).await?;
    if invoice.status.is_none() {
        return Err(AppError::not_found(format!("invoice {id}")));
    }
    Ok((invoice, version))
}

/// Appends `events` in `tx` and commits.
async fn commit(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    actor: &Actor,
    events: &[NewEvent],
) -> Result<Written, AppError> {
    let position = store::append(&mut tx, events, &actor.metadata())
        .await
        .map_err(conflict)?;
    tx.commit().await?;
    Ok(Written { position })
}

/// Runs `command` on invoice `id` and appends its events after `other` (postings, the series),
/// all in `tx`; commits.
async fn finish(
    tx: sqlx::Transaction<'_, sqlx::Postgres>,
    actor: &Actor,
    id: Uuid,
    invoice: &mut Invoice,
    version: i64,
    command: InvoiceCommand,
    mut other: Vec<NewEvent>,
) -> Result<Written, AppError> {
    let events = decide(invoice, command, &()).await?;
    other.extend(NewEvent::from_domain::<Invoice>(
        &id.to_string(),
        version,
        events,
    )?);
    commit(tx, actor, &other).await
}

/// Records a draft invoice.
pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    direction: Direction,
    draft: DraftInput,
) -> Result<Written, AppError> {
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    check_references(&mut tx, &draft).await?;
    let (mut invoice, version) = store::load::<Invoice>(&mut tx, &id.to_string()).await?;
    let command = InvoiceCommand::Create { direction, draft };
    finish(tx, actor, id, &mut invoice, version, command, Vec::new()).await
}

/// Replaces a draft's content.
pub async fn update(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    draft: DraftInput,
) -> Result<Written, AppError> {
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    let (mut invoice, version) = load(&mut tx, id).await?;
    check_references(&mut tx, &draft).await?;
    finish(
        tx,
        actor,
        id,
        &mut invoice,
        version,
        InvoiceCommand::UpdateDraft(draft),
        Vec::new(),
    )
    .await
}

/// An active account of the log, or a field error naming `field`.
async fn account(conn: &mut PgConnection, id: Uuid, field: &str) -> Result<AccountSpec, AppError> {
    let (a, _) = store::load::<Entity<AccountSpec>>(conn, &id.to_string()).await?;
    let spec = a
        .spec
        .ok_or_else(|| AppError::invalid(field, format!("no account with id {id}")))?;
    if a.archived {
        return Err(AppError::invalid(
            field,
            format!("account {id} is archived"),
        ));
    }
    Ok(spec)
}

/// Checks that account `id` has `wanted` type and `currency`.
async fn ledger_account(
    conn: &mut PgConnection,
    id: Uuid,
    field: &str,
    wanted: AccountType,
    currency: Currency,
) -> Result<(), AppError> {
    let spec = account(conn, id, field).await?;
    if spec.account_type != wanted {
        return Err(AppError::invalid(
            field,
            format!(
                "must be an {} account, not {}",
                wanted.as_str(),
                spec.account_type.as_str()
            ),
        ));
    }
    if spec.currency != currency {
        return Err(AppError::invalid(
            field,
            format!(
                "the account is in {}, the invoice in {currency}",
                spec.currency
            ),
        ));
    }
    Ok(())
}

pub use domain::invoice::posting::IssueAccounts;

/// The issue's postings, keyed under invoice `id`.
fn issue_postings(
    id: Uuid,
    invoice: &Invoice,
    number: &str,
    accounts: IssueAccounts,
) -> Result<Vec<PostRequest>, AppError> {
    let (Some(direction), Some(d)) = (invoice.direction, invoice.draft.as_ref()) else {
        return Err(AppError::internal("an invoice without content"));
    };
    Ok(invoice_posting::issue(direction, d, number, accounts)
        .into_iter()
        .map(|p| document_posting(origin(id), &p.step, p.command))
        .collect())
}

/// One attempt at issuing: the series' next number, the postings and the invoice's event, in
/// one database transaction. A conflict means another writer took the number (or issued this
/// invoice) first.
async fn try_issue(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    accounts: IssueAccounts,
) -> Result<Written, AppError> {
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    crate::ledger::locks::lock_posting_facts_shared(&mut tx).await?;
    let (mut invoice, version) = load(&mut tx, id).await?;
    let (Some(InvoiceStatus::Draft), Some(direction), Some(d)) =
        (invoice.status, invoice.direction, invoice.draft.clone())
    else {
        return Err(invoice.refuse("issued").into());
    };
    let (control_type, account_type) = match direction {
        Direction::Receivable => (AccountType::Asset, AccountType::Income),
        Direction::Payable => (AccountType::Liability, AccountType::Expense),
    };
    ledger_account(
        &mut tx,
        accounts.control_account_id,
        "control_account_id",
        control_type,
        d.currency,
    )
    .await?;
    ledger_account(
        &mut tx,
        accounts.account_id,
        "account_id",
        account_type,
        d.currency,
    )
    .await?;
    let series = series_of(direction, d.issue_date);
    let (mut numbers, series_version) = store::load::<InvoiceSeries>(&mut tx, &series).await?;
    let allocated = decide(&mut numbers, Allocate { invoice_id: id }, &()).await?;
    let number = format_number(&series, numbers.last);
    let requests = issue_postings(id, &invoice, &number, accounts)?;
    let (mut events, _) = decide_in(&mut tx, &requests).await?;
    events.extend(NewEvent::from_domain::<InvoiceSeries>(
        &series,
        series_version,
        allocated,
    )?);
    let command = InvoiceCommand::Issue {
        series,
        number,
        control_account_id: accounts.control_account_id,
        account_id: accounts.account_id,
        transaction_ids: requests.iter().map(|r| r.id).collect(),
    };
    finish(tx, actor, id, &mut invoice, version, command, events).await
}

/// Issues draft `id`: assigns the next number of its series (gapless: the number and the
/// issue commit together) and posts the receivable or payable. Retried when a concurrent issue
/// took the number first.
pub async fn issue(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    accounts: IssueAccounts,
) -> Result<Written, AppError> {
    let mut attempt = 1;
    loop {
        match try_issue(pool, actor, id, accounts).await {
            Err(AppError::ConcurrentUpdate { .. }) if attempt < MAX_ISSUE_ATTEMPTS => {
                attempt += 1;
                // Spread the retries of racing issues a little.
                tokio::time::sleep(std::time::Duration::from_millis(
                    (attempt as u64) * (1 + id.as_u128() as u64 % 7),
                ))
                .await;
            }
            other => return other,
        }
    }
}

/// Where a payment's money comes from.
#[derive(Debug, Clone)]
pub enum PaymentSource {
    /// Post the movement now: `amount` in `account_id`'s currency (`currency`, when given,
    /// must be it) at `rate` units of the invoice's currency per unit, when they differ.
    Money {
        date: NaiveDate,
        account_id: Uuid,
        amount: Decimal,
        currency: Option<Currency>,
        rate: Option<Decimal>,
    },
    /// Apply a posting that already moved money against the invoice's control account.
    Posted { transaction_id: Uuid },
}

/// Money accounts a payment may move through.
const MONEY_KINDS: [AccountKind; 4] = [
    AccountKind::Bank,
    AccountKind::Cash,
    AccountKind::Card,
    AccountKind::CryptoWallet,
];

/// How a payment is recorded besides its source.
#[derive(Debug, Clone, Default)]
pub struct PayOptions {
    /// Accept a payment beyond the open amount (the excess becomes credit).
    pub allow_overpayment: bool,
    /// The request's idempotency key in its user's scope: the payment's posting id derives
    /// from it, so a retry finds the payment it made instead of booking a second one.
    pub idempotency_key: Option<String>,
}

/// The step name of a payment's posting: from the request's idempotency key when there is
/// one (a retry lands on the same posting), else from the payment's number.
fn payment_step(invoice: &Invoice, key: Option<&str>) -> String {
    match key {
        Some(k) => format!("payment:key:{}", &hex::encode(Sha256::digest(k))[..32]),
        None => format!("payment:{}", invoice.payments.len() + 1),
    }
}

/// Records a payment on invoice `id`.
pub async fn pay(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    source: PaymentSource,
    options: PayOptions,
) -> Result<Written, AppError> {
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    crate::ledger::locks::lock_posting_facts_shared(&mut tx).await?;
    let (mut invoice, version) = load(&mut tx, id).await?;
    // A retry of a payment that was recorded (its answer lost) answers where it was written.
    let retried = match &source {
        PaymentSource::Money { date, .. } => {
            let step = payment_step(&invoice, options.idempotency_key.as_deref());
            let posting_id = document_posting(origin(id), &step, empty_posting(*date)).id;
            options.idempotency_key.is_some().then_some(posting_id)
        }
        PaymentSource::Posted { transaction_id } => {
            options.idempotency_key.is_some().then_some(*transaction_id)
        }
    };
    if let Some(t) = retried
        && invoice.payments.iter().any(|p| p.transaction_id == t)
    {
        let position = position_of(&mut tx, t).await?;
        return Ok(Written { position });
    }
    if !matches!(
        invoice.status,
        Some(InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid)
    ) {
        return Err(invoice.refuse("paid").into());
    }
    let (Some(direction), Some(d), Some(control)) = (
        invoice.direction,
        invoice.draft.clone(),
        invoice.control_account_id,
    ) else {
        return Err(AppError::internal("an issued invoice without its accounts"));
    };
    match source {
        PaymentSource::Money {
            date,
            account_id,
            amount,
            currency,
            rate,
        } => {
            let spec = account(&mut tx, account_id, "account_id").await?;
            if spec.account_type != AccountType::Asset || !MONEY_KINDS.contains(&spec.kind) {
                return Err(AppError::invalid(
                    "account_id",
                    "must be a bank, cash, card or crypto wallet account",
                ));
            }
            if let Some(c) = currency
                && c != spec.currency
            {
                return Err(AppError::invalid(
                    "currency",
                    format!("the account holds {}, not {c}", spec.currency),
                ));
            }
            let step = payment_step(&invoice, options.idempotency_key.as_deref());
            let mut posting = document_posting(origin(id), &step, empty_posting(date));
            let decided = decide(
                &mut invoice,
                InvoiceCommand::RecordPayment(PaymentInput {
                    date,
                    transaction_id: posting.id,
                    account_id: Some(account_id),
                    amount,
                    currency: spec.currency,
                    rate,
                    allow_overpayment: options.allow_overpayment,
                }),
                &(),
            )
            .await?;
            let Some(InvoiceEvent::PaymentRecorded(p)) = decided.first() else {
                return Err(AppError::internal("a payment without its event"));
            };
            let number = invoice.number.as_deref().unwrap_or_default();
            let accounts = invoice_posting::MoneyAccount {
                account_id,
                control_account_id: control,
            };
            posting.command = document_posting(
                origin(id),
                &step,
                invoice_posting::payment(direction, &d, number, accounts, p),
            )
            .command;
            let (mut events, _) = decide_in(&mut tx, &[posting]).await?;
            events.extend(NewEvent::from_domain::<Invoice>(
                &id.to_string(),
                version,
                decided,
            )?);
            commit(tx, actor, &events).await
        }
        PaymentSource::Posted { transaction_id } => {
            let field = "transaction_id";
            let (t, _) = store::load::<Transaction>(&mut tx, &transaction_id.to_string()).await?;
            let posted = t.posted.ok_or_else(|| {
                AppError::invalid(field, format!("no transaction with id {transaction_id}"))
            })?;
            if t.reversed_by.is_some() {
                return Err(AppError::invalid(field, "the transaction is reversed"));
            }
            if posted.counterparty_id != Some(d.counterparty_id) {
                return Err(AppError::invalid(
                    field,
                    "the transaction is not with the invoice's counterparty",
                ));
            }
            let applied = invoice_posting::settled_by(direction, control, &posted.legs);
            if applied <= Decimal::ZERO {
                return Err(AppError::invalid(
                    field,
                    format!("the transaction settles nothing on the invoice's account {control}"),
                ));
            }
            let applied_to = claim_application(&mut tx, transaction_id, id).await?;
            let command = InvoiceCommand::RecordPayment(PaymentInput {
                date: posted.date,
                transaction_id,
                account_id: None,
                amount: applied,
                currency: d.currency,
                rate: None,
                allow_overpayment: options.allow_overpayment,
            });
            finish(tx, actor, id, &mut invoice, version, command, applied_to).await
        }
    }
}

/// Records on transaction `transaction_id`'s application stream that it settles invoice
/// `invoice_id`, or refuses if it settles another one. A transaction applied before these
/// streams existed is found in the log itself (the invoice's `PaymentRecorded` event) when
/// its stream is first written. Answers the events to append with the payment.
async fn claim_application(
    conn: &mut PgConnection,
    transaction_id: Uuid,
    invoice_id: Uuid,
) -> Result<Vec<NewEvent>, AppError> {
    let key = transaction_id.to_string();
    let (mut state, version) = store::load::<PaymentApplication>(conn, &key).await?;
    let mut events = Vec::new();
    if version == 0 {
        let earlier: Option<String> = sqlx::query_scalar(
            "SELECT aggregate_id FROM events WHERE aggregate_type = 'invoice' \
               AND event_type = 'PaymentRecorded' \
               AND payload->'PaymentRecorded'->>'transaction_id' = $1 \
             ORDER BY position LIMIT 1",
        )
        .bind(&key)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(earlier) = earlier {
            let earlier = Uuid::parse_str(&earlier).map_err(AppError::internal)?;
            events.extend(apply_to(&mut state, transaction_id, earlier).await?);
        }
    }
    events.extend(apply_to(&mut state, transaction_id, invoice_id).await?);
    Ok(NewEvent::from_domain::<PaymentApplication>(
        &key, version, events,
    )?)
}

async fn apply_to(
    state: &mut PaymentApplication,
    transaction_id: Uuid,
    invoice_id: Uuid,
) -> Result<Vec<PaymentApplicationEvent>, AppError> {
    let command = PaymentApplicationCommand::Apply {
        transaction_id,
        invoice_id,
    };
    Ok(decide(state, command, &()).await?)
}

/// A posting with only its date set: enough to learn its id (from its key) before the
/// invoice decides what it posts.
fn empty_posting(date: NaiveDate) -> PostTransaction {
    PostTransaction::new(date, TransactionKind::Transfer, "", Vec::new())
}

/// Cancels invoice `id`: a draft simply; an issued one by reversing its issuing postings
/// (dated `date`, default today). Payments already recorded stay in the books: they are the
/// counterparty's credit.
pub async fn cancel(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    date: Option<NaiveDate>,
) -> Result<Written, AppError> {
    let date = date.unwrap_or_else(|| Utc::now().date_naive());
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    crate::ledger::locks::lock_posting_facts_shared(&mut tx).await?;
    let (mut invoice, version) = load(&mut tx, id).await?;
    let mut events = Vec::new();
    let mut reversal_ids = Vec::new();
    if matches!(
        invoice.status,
        Some(InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid)
    ) {
        for t in &invoice.transaction_ids {
            let r = reverse_in(&mut tx, *t, date, None).await?;
            events.extend(r.events);
            reversal_ids.push(r.reversal_id);
        }
    }
    let command = InvoiceCommand::Cancel { date, reversal_ids };
    finish(tx, actor, id, &mut invoice, version, command, events).await
}

/// Most invoices one overdue run marks (the rest wait for the next run).
pub const MAX_OVERDUE_PER_RUN: i64 = 10_000;

/// Appends `BecameOverdue` (once) to every invoice that is open and past due on `today`.
/// Returns how many it marked. Invoices that changed meanwhile are skipped, not failed.
pub async fn mark_overdue(pool: &PgPool, today: NaiveDate) -> Result<usize, AppError> {
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM read.invoices WHERE status IN ('issued', 'partially_paid') \
         AND due_date < $1 AND open > 0 AND overdue_since IS NULL ORDER BY due_date, id LIMIT $2",
    )
    .bind(today)
    .bind(MAX_OVERDUE_PER_RUN)
    .fetch_all(pool)
    .await?;
    let actor = Actor::system("scheduler:invoices");
    let mut marked = 0;
    for id in ids {
        let mut conn = pool.acquire().await?;
        let mut tx = conn.begin().await?;
        let (mut invoice, version) = load(&mut tx, id).await?;
        let command = InvoiceCommand::MarkOverdue { today };
        match finish(tx, &actor, id, &mut invoice, version, command, Vec::new()).await {
            Ok(_) => marked += 1,
            Err(AppError::Domain(_)) => {}
            Err(AppError::ConcurrentUpdate { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(marked)
}

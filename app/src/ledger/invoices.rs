//! Invoice commands: create and edit drafts; issue (a number from the series and the posting of
//! the receivable or payable); record payments (posting the money movement, or applying a
//! posting that already moved it); cancel (reversing the issue). Each command appends its
//! postings, the series allocation and the invoice's own event in one database transaction:
//! the books, the numbers and the invoice never disagree.

use chrono::{NaiveDate, Utc};
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
use domain::{Aggregate, Currency};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::transactions::{PostRequest, decide_in, document_posting, position_of, reverse_in};
use super::{Actor, Written};
use crate::error::AppError;
use crate::executor::{self, Lock, Run, Work};
use eventstore::{self as store, NewEvent};
use sha2::{Digest, Sha256};

/// How often an issue is retried when another issue took the series' next number first.
pub const MAX_ISSUE_ATTEMPTS: usize = executor::MAX_ATTEMPTS;

/// What a refused concurrent write names.
const SUBJECT: &str = "the invoice";

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

/// Runs `command` on invoice `id` (loaded at `version`) and stages its events after what the
/// command staged before (postings, the series).
async fn finish(
    work: &mut Work,
    id: Uuid,
    invoice: &mut Invoice,
    version: i64,
    command: InvoiceCommand,
) -> Result<(), AppError> {
    work.decide(&id.to_string(), invoice, version, command, &())
        .await
}

/// Records a draft invoice.
pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    direction: Direction,
    draft: DraftInput,
) -> Result<Written, AppError> {
    let draft = &draft;
    let ((), written) = executor::execute(pool, Run::new(actor, SUBJECT), |mut work| {
        Box::pin(async move {
            check_references(work.conn(), draft).await?;
            let (mut invoice, version) = work.load::<Invoice>(&id.to_string()).await?;
            let command = InvoiceCommand::Create {
                direction,
                draft: draft.clone(),
            };
            finish(&mut work, id, &mut invoice, version, command).await?;
            Ok((work, ()))
        })
    })
    .await?;
    Ok(written)
}

/// Replaces a draft's content.
pub async fn update(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    draft: DraftInput,
) -> Result<Written, AppError> {
    let draft = &draft;
    let ((), written) = executor::execute(pool, Run::new(actor, SUBJECT), |mut work| {
        Box::pin(async move {
            let (mut invoice, version) = load(work.conn(), id).await?;
            check_references(work.conn(), draft).await?;
            let command = InvoiceCommand::UpdateDraft(draft.clone());
            finish(&mut work, id, &mut invoice, version, command).await?;
            Ok((work, ()))
        })
    })
    .await?;
    Ok(written)
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

/// Checks the accounts an issue posts to: the control account (receivable asset or payable
/// liability) and the income or expense account, both in the invoice's currency.
async fn check_issue_accounts(
    conn: &mut PgConnection,
    direction: Direction,
    currency: Currency,
    accounts: IssueAccounts,
) -> Result<(), AppError> {
    let (control_type, account_type) = match direction {
        Direction::Receivable => (AccountType::Asset, AccountType::Income),
        Direction::Payable => (AccountType::Liability, AccountType::Expense),
    };
    let control = accounts.control_account_id;
    ledger_account(conn, control, "control_account_id", control_type, currency).await?;
    ledger_account(
        conn,
        accounts.account_id,
        "account_id",
        account_type,
        currency,
    )
    .await
}

/// Issuing in one unit of work: the series' next number, the postings and the invoice's
/// event. A conflict means another writer took the number (or issued this invoice) first.
async fn stage_issue(work: &mut Work, id: Uuid, accounts: IssueAccounts) -> Result<(), AppError> {
    let (mut invoice, version) = load(work.conn(), id).await?;
    let (Some(InvoiceStatus::Draft), Some(direction), Some(d)) =
        (invoice.status, invoice.direction, invoice.draft.clone())
    else {
        return Err(invoice.refuse("issued").into());
    };
    check_issue_accounts(work.conn(), direction, d.currency, accounts).await?;
    let series = series_of(direction, d.issue_date);
    let (mut numbers, series_version) = work.load::<InvoiceSeries>(&series).await?;
    let allocated = decide(&mut numbers, Allocate { invoice_id: id }, &()).await?;
    let number = format_number(&series, numbers.last);
    let requests = issue_postings(id, &invoice, &number, accounts)?;
    let (events, _) = decide_in(work.conn(), &requests).await?;
    work.stage(events);
    work.stage_domain::<InvoiceSeries>(&series, series_version, allocated)?;
    let command = InvoiceCommand::Issue {
        series,
        number,
        control_account_id: accounts.control_account_id,
        account_id: accounts.account_id,
        transaction_ids: requests.iter().map(|r| r.id).collect(),
    };
    finish(work, id, &mut invoice, version, command).await
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
    let run = Run::new(actor, SUBJECT)
        .lock(Lock::PostingFactsShared)
        .retry(MAX_ISSUE_ATTEMPTS);
    let ((), written) = executor::execute(pool, run, |mut work| {
        Box::pin(async move {
            stage_issue(&mut work, id, accounts).await?;
            Ok((work, ()))
        })
    })
    .await?;
    Ok(written)
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
    let (source, options) = (&source, &options);
    let run = Run::new(actor, SUBJECT).lock(Lock::PostingFactsShared);
    let (recorded_before, written) = executor::execute(pool, run, |mut work| {
        Box::pin(async move {
            let recorded_before = stage_payment(&mut work, id, source, options).await?;
            Ok((work, recorded_before))
        })
    })
    .await?;
    Ok(recorded_before.unwrap_or(written))
}

/// Stages a payment on invoice `id`; answers where it was written when this is a retry of a
/// payment already recorded (its answer lost), staging nothing.
async fn stage_payment(
    work: &mut Work,
    id: Uuid,
    source: &PaymentSource,
    options: &PayOptions,
) -> Result<Option<Written>, AppError> {
    let (mut invoice, version) = load(work.conn(), id).await?;
    let retried = match source {
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
        let position = position_of(work.conn(), t).await?;
        return Ok(Some(Written { position }));
    }
    if !matches!(
        invoice.status,
        Some(InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid)
    ) {
        return Err(invoice.refuse("paid").into());
    }
    let opened = Opened {
        id,
        version,
        invoice: &mut invoice,
    };
    match source.clone() {
        PaymentSource::Money {
            date,
            account_id,
            amount,
            currency,
            rate,
        } => {
            let money = Money {
                date,
                account_id,
                amount,
                currency,
                rate,
            };
            stage_money_payment(work, opened, money, options).await?
        }
        PaymentSource::Posted { transaction_id } => {
            stage_applied_payment(work, opened, transaction_id, options).await?
        }
    }
    Ok(None)
}

/// An invoice loaded for a command.
struct Opened<'a> {
    id: Uuid,
    version: i64,
    invoice: &'a mut Invoice,
}

impl Opened<'_> {
    /// The issued invoice's direction, content and control account.
    fn issued(&self) -> Result<(Direction, domain::invoice::Draft, Uuid), AppError> {
        let i = &*self.invoice;
        match (i.direction, i.draft.clone(), i.control_account_id) {
            (Some(direction), Some(d), Some(control)) => Ok((direction, d, control)),
            _ => Err(AppError::internal("an issued invoice without its accounts")),
        }
    }
}

/// A payment's money, posted with it.
struct Money {
    date: NaiveDate,
    account_id: Uuid,
    amount: Decimal,
    currency: Option<Currency>,
    rate: Option<Decimal>,
}

/// Checks that `account_id` is a money account holding `currency` (when given); answers its
/// currency.
async fn money_account(
    conn: &mut PgConnection,
    account_id: Uuid,
    currency: Option<Currency>,
) -> Result<Currency, AppError> {
    let spec = account(conn, account_id, "account_id").await?;
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
    Ok(spec.currency)
}

/// Stages a payment whose money movement is posted now, with the invoice's event.
async fn stage_money_payment(
    work: &mut Work,
    opened: Opened<'_>,
    money: Money,
    options: &PayOptions,
) -> Result<(), AppError> {
    let (direction, d, control) = opened.issued()?;
    let Opened {
        id,
        version,
        invoice,
    } = opened;
    let currency = money_account(work.conn(), money.account_id, money.currency).await?;
    let step = payment_step(invoice, options.idempotency_key.as_deref());
    let mut posting = document_posting(origin(id), &step, empty_posting(money.date));
    let payment = PaymentInput {
        date: money.date,
        transaction_id: posting.id,
        account_id: Some(money.account_id),
        amount: money.amount,
        currency,
        rate: money.rate,
        allow_overpayment: options.allow_overpayment,
    };
    let decided = decide(invoice, InvoiceCommand::RecordPayment(payment), &()).await?;
    let Some(InvoiceEvent::PaymentRecorded(p)) = decided.first() else {
        return Err(AppError::internal("a payment without its event"));
    };
    let number = invoice.number.as_deref().unwrap_or_default();
    let accounts = invoice_posting::MoneyAccount {
        account_id: money.account_id,
        control_account_id: control,
    };
    posting.command = document_posting(
        origin(id),
        &step,
        invoice_posting::payment(direction, &d, number, accounts, p),
    )
    .command;
    let (events, _) = decide_in(work.conn(), &[posting]).await?;
    work.stage(events);
    work.stage_domain::<Invoice>(&id.to_string(), version, decided)
}

/// Stages a payment by a posting that already moved the money, with the transaction's
/// application claim and the invoice's event.
async fn stage_applied_payment(
    work: &mut Work,
    opened: Opened<'_>,
    transaction_id: Uuid,
    options: &PayOptions,
) -> Result<(), AppError> {
    let (direction, d, control) = opened.issued()?;
    let field = "transaction_id";
    let (t, _) = work
        .load::<Transaction>(&transaction_id.to_string())
        .await?;
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
    let claim = claim_application(work.conn(), transaction_id, opened.id).await?;
    work.stage(claim);
    let command = InvoiceCommand::RecordPayment(PaymentInput {
        date: posted.date,
        transaction_id,
        account_id: None,
        amount: applied,
        currency: d.currency,
        rate: None,
        allow_overpayment: options.allow_overpayment,
    });
    finish(work, opened.id, opened.invoice, opened.version, command).await
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
        let earlier = store::lookup::find_by_field(
            conn,
            store::lookup::FieldMatch {
                aggregate_type: Invoice::TYPE,
                event_type: "PaymentRecorded",
                field: "transaction_id",
                equals: &key,
                unless_stream_has: None,
            },
            1,
        )
        .await?
        .into_iter()
        .next()
        .map(|found| found.aggregate_id);
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
    let run = Run::new(actor, SUBJECT).lock(Lock::PostingFactsShared);
    let ((), written) = executor::execute(pool, run, |mut work| {
        Box::pin(async move {
            let (mut invoice, version) = load(work.conn(), id).await?;
            let mut reversal_ids = Vec::new();
            if matches!(
                invoice.status,
                Some(InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid)
            ) {
                for t in invoice.transaction_ids.clone() {
                    let r = reverse_in(work.conn(), t, date, None).await?;
                    work.stage(r.events);
                    reversal_ids.push(r.reversal_id);
                }
            }
            let command = InvoiceCommand::Cancel { date, reversal_ids };
            finish(&mut work, id, &mut invoice, version, command).await?;
            Ok((work, ()))
        })
    })
    .await?;
    Ok(written)
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
        let marking = executor::execute(pool, Run::new(&actor, SUBJECT), |mut work| {
            Box::pin(async move {
                let (mut invoice, version) = load(work.conn(), id).await?;
                let command = InvoiceCommand::MarkOverdue { today };
                finish(&mut work, id, &mut invoice, version, command).await?;
                Ok((work, ()))
            })
        });
        match marking.await {
            Ok(_) => marked += 1,
            Err(AppError::Domain(_)) => {}
            Err(AppError::ConcurrentUpdate { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(marked)
}

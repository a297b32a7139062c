//! Every aggregate's `apply` asserts what its event presumes: a log that holds an impossible
//! sequence (a second posting in one stream, a payment before the issue ...) stops the reader
//! instead of folding into a silently wrong state. Legit sequences still replay.

use chrono::NaiveDate;
use domain::Aggregate;
use domain::account::{AccountKind, AccountSpec, AccountType};
use domain::aggregate::replay;
use domain::entity::{Entity, EntityEvent};
use domain::invoice::{
    Direction, Draft, Invoice, InvoiceEvent, InvoiceSeries, Payment, SeriesEvent,
};
use domain::money::Currency;
use domain::payout::{Payout, PayoutEvent};
use domain::period::{PeriodEvent, Periods};
use domain::transaction::*;
use domain::tron_wallet::{TronWallet, TronWalletEvent};
use rust_decimal::Decimal;
use uuid::Uuid;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, d).unwrap()
}

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

fn posted() -> TransactionEvent {
    let leg = |n: u128, amount: i64| Leg {
        account_id: Uuid::from_u128(n),
        amount: Decimal::from(amount),
        currency: usd(),
        weight: None,
        memo: None,
    };
    TransactionEvent::Posted(TransactionPosted {
        date: day(1),
        origin: None,
        kind: TransactionKind::Journal,
        description: "t".into(),
        legs: vec![leg(1, 5), leg(2, -5)],
        project_id: None,
        category_id: None,
        counterparty_id: None,
        tags: vec![],
        idempotency_key: None,
        fingerprint: "f".into(),
        reverses: None,
        replaces: None,
        crypto: None,
        adjusts: None,
    })
}

fn reversed() -> TransactionEvent {
    TransactionEvent::Reversed {
        reversal_id: Uuid::from_u128(9),
        replaced_by: None,
    }
}

#[test]
fn a_posted_then_reversed_transaction_replays() {
    let t: Transaction = replay([posted(), reversed()]);
    assert_eq!(t.reversed_by, Some(Uuid::from_u128(9)));
}

#[test]
#[should_panic(expected = "transaction: Posted applies only to an empty transaction")]
fn a_second_posting_in_one_stream_panics() {
    let _: Transaction = replay([posted(), posted()]);
}

#[test]
#[should_panic(expected = "transaction: Reversed applies only to a posted transaction")]
fn a_reversal_of_nothing_panics() {
    let _: Transaction = replay([reversed()]);
}

#[test]
#[should_panic(expected = "transaction: Reversed applies only to a posted transaction")]
fn a_second_reversal_panics() {
    let _: Transaction = replay([posted(), reversed(), reversed()]);
}

fn draft() -> Draft {
    Draft {
        counterparty_id: Uuid::from_u128(3),
        currency: usd(),
        issue_date: day(1),
        due_date: day(30),
        external_number: None,
        notes: None,
        lines: vec![],
        total: Decimal::from(10),
    }
}

fn drafted() -> InvoiceEvent {
    InvoiceEvent::Drafted {
        direction: Direction::Receivable,
        draft: draft(),
    }
}

fn issued() -> InvoiceEvent {
    InvoiceEvent::Issued {
        series: "INV-2026".into(),
        number: "INV-2026-00001".into(),
        control_account_id: Uuid::from_u128(1),
        account_id: Uuid::from_u128(2),
        transaction_ids: vec![Uuid::from_u128(4)],
    }
}

fn paid(n: u128) -> InvoiceEvent {
    InvoiceEvent::PaymentRecorded(Payment {
        date: day(2),
        transaction_id: Uuid::from_u128(n),
        account_id: None,
        amount: Decimal::from(10),
        currency: usd(),
        rate: None,
        applied: Decimal::from(10),
        overpaid: Decimal::ZERO,
    })
}

#[test]
fn an_issued_and_paid_invoice_replays() {
    let i: Invoice = replay([drafted(), issued(), paid(5)]);
    assert!(i.open().is_zero());
}

#[test]
#[should_panic(expected = "invoice: PaymentRecorded to an issued or partially paid invoice only")]
fn a_payment_of_a_draft_panics() {
    let _: Invoice = replay([drafted(), paid(5)]);
}

#[test]
#[should_panic(expected = "invoice: PaymentRecorded to an issued or partially paid invoice only")]
fn a_payment_of_a_paid_invoice_panics() {
    let _: Invoice = replay([drafted(), issued(), paid(5), paid(6)]);
}

#[test]
#[should_panic(expected = "invoice: Issued to a draft only")]
fn a_second_issue_panics() {
    let _: Invoice = replay([drafted(), issued(), issued()]);
}

#[test]
#[should_panic(expected = "invoice: Drafted to a new invoice only")]
fn a_second_draft_panics() {
    let _: Invoice = replay([drafted(), drafted()]);
}

#[test]
#[should_panic(expected = "invoice_series: Allocated hands out the next number only")]
fn a_skipped_series_number_panics() {
    let allocated = |number| SeriesEvent::Allocated {
        number,
        invoice_id: Uuid::from_u128(1),
    };
    let _: InvoiceSeries = replay([allocated(1), allocated(3)]);
}

fn computed() -> PayoutEvent {
    PayoutEvent::Computed {
        program_id: Uuid::from_u128(1),
        counterparty_id: Uuid::from_u128(2),
        currency: usd(),
        from: day(1),
        to: day(30),
        lines: vec![],
        total: Decimal::from(10),
    }
}

fn approved() -> PayoutEvent {
    PayoutEvent::Approved {
        date: day(30),
        receivable_account_id: Uuid::from_u128(3),
        revenue_account_id: Uuid::from_u128(4),
        category_id: None,
        transaction_ids: vec![Uuid::from_u128(5)],
    }
}

fn payout_paid() -> PayoutEvent {
    PayoutEvent::Paid {
        date: day(31),
        account_id: Uuid::from_u128(6),
        amount: Decimal::from(10),
        tx_hash: None,
        transaction_id: Uuid::from_u128(7),
    }
}

#[test]
fn a_computed_approved_and_paid_payout_replays() {
    let p: Payout = replay([computed(), approved(), payout_paid()]);
    assert_eq!(p.status, Some(domain::payout::PayoutStatus::Paid));
}

#[test]
#[should_panic(expected = "payout: Approved to a draft only")]
fn an_approval_of_nothing_panics() {
    let _: Payout = replay([approved()]);
}

#[test]
#[should_panic(expected = "payout: Paid to an approved payout only")]
fn a_payment_of_a_draft_payout_panics() {
    let _: Payout = replay([computed(), payout_paid()]);
}

#[test]
#[should_panic(expected = "payout: Cancelled to a draft only")]
fn a_cancellation_of_an_approved_payout_panics() {
    let _: Payout = replay([computed(), approved(), PayoutEvent::Cancelled]);
}

#[test]
fn the_period_lock_replays_forward_and_back() {
    let p: Periods = replay([
        PeriodEvent::Closed { through: day(31) },
        PeriodEvent::Reopened { through: None },
        PeriodEvent::Closed { through: day(31) },
    ]);
    assert_eq!(p.closed_through, Some(day(31)));
}

#[test]
#[should_panic(expected = "periods: Closed only moves the lock forward")]
fn closing_an_earlier_month_panics() {
    let _: Periods = replay([
        PeriodEvent::Closed { through: day(31) },
        PeriodEvent::Closed { through: day(30) },
    ]);
}

#[test]
#[should_panic(expected = "periods: Reopened only moves a closed lock back")]
fn reopening_open_books_panics() {
    let _: Periods = replay([PeriodEvent::Reopened { through: None }]);
}

#[test]
#[should_panic(expected = "tron_wallet: ItemPosted applies only to a pending item")]
fn posting_an_unknown_item_panics() {
    let _: TronWallet = replay([TronWalletEvent::ItemPosted {
        tx_hash: "a".repeat(64),
        transaction_id: Uuid::from_u128(1),
    }]);
}

fn account() -> AccountSpec {
    AccountSpec {
        name: "Bank".into(),
        account_type: AccountType::Asset,
        kind: AccountKind::Bank,
        currency: usd(),
        code: None,
        description: None,
        tron_address: None,
    }
}

#[test]
fn an_entity_replays_created_archived_restored() {
    let e: Entity<AccountSpec> = replay([
        EntityEvent::Created(account()),
        EntityEvent::Archived,
        EntityEvent::Restored,
        EntityEvent::Updated(account()),
    ]);
    assert!(e.exists() && !e.archived);
}

#[test]
#[should_panic(expected = "account: Created applies only to a new entity")]
fn a_second_creation_panics() {
    let _: Entity<AccountSpec> = replay([
        EntityEvent::Created(account()),
        EntityEvent::Created(account()),
    ]);
}

#[test]
#[should_panic(expected = "account: Updated, Archived and Restored apply only to an existing one")]
fn archiving_nothing_panics() {
    let mut e = Entity::<AccountSpec>::default();
    e.apply(EntityEvent::Archived);
}

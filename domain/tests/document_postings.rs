//! What each document posts: the sign rules of invoices, payouts, Tron items, opening balances
//! and the shorthand forms, and the property that every posting they make balances in every
//! currency (checked by the transaction aggregate itself), while a broken one never posts.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate};
use domain::DomainError;
use domain::account::{self, AccountType};
use domain::aggregate::decide;
use domain::crypto::CryptoToken;
use domain::error::Refusal;
use domain::invoice::posting::{self as invoice_posting, IssueAccounts, MoneyAccount};
use domain::invoice::{Direction, Draft, InvoiceLine, Payment, applied_amount};
use domain::money::Currency;
use domain::payout::Payout;
use domain::payout::posting::{self as payout_posting, ApprovalAccounts, Receipt};
use domain::report::{ComputedEquity, check_balance, presented};
use domain::transaction::shorthand::{Figure, Form, Shorthand, ShorthandError};
use domain::transaction::*;
use domain::tron;
use domain::tron_wallet::posting::{
    self as item, FeeAccounts, FeeLegs, ItemLeg, ItemPosting, ItemPostingError, Valued,
};
use domain::tron_wallet::{TransferDirection, WalletTransfer};
use futures::executor::block_on;
use proptest::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

fn d(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

fn cur(code: &str) -> Currency {
    Currency::parse(code).unwrap()
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 15).unwrap()
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// Accounts by id: currency and whether it is a crypto wallet.
type Chart = HashMap<Uuid, (Currency, bool)>;

/// Runs `cmd` through the transaction aggregate with every account of `chart` and every
/// referenced project, category and counterparty known and active.
fn post(cmd: PostTransaction, chart: &Chart) -> Result<TransactionPosted, DomainError> {
    let mut ctx = PostingContext::default();
    for (id, (currency, crypto_wallet)) in chart {
        ctx.accounts.insert(
            *id,
            AccountFacts {
                currency: *currency,
                archived: false,
                crypto_wallet: *crypto_wallet,
            },
        );
    }
    let active = ReferenceFacts { archived: false };
    ctx.projects
        .extend(cmd.project_id.map(|p| (p, active.clone())));
    ctx.categories
        .extend(cmd.category_id.map(|c| (c, active.clone())));
    ctx.counterparties
        .extend(cmd.counterparty_id.map(|c| (c, active.clone())));
    let mut t = Transaction::default();
    let events = block_on(decide(&mut t, TransactionCommand::Post(cmd), &ctx))?;
    match events.into_iter().next() {
        Some(TransactionEvent::Posted(p)) => Ok(p),
        other => panic!("a post yields Posted, not {other:?}"),
    }
}

/// Posts `cmd`, then checks that it balances and that breaking any one leg refuses it.
fn balances_and_breaks(cmd: PostTransaction, chart: &Chart) -> TransactionPosted {
    let posted = post(cmd.clone(), chart).expect("a document's posting is accepted");
    assert!(imbalance(&posted.legs).is_empty());
    for i in 0..cmd.legs.len() {
        let mut broken = cmd.clone();
        // One unit of the smallest step of the leg's own currency.
        let step = Decimal::new(1, chart[&broken.legs[i].account_id].0.scale());
        broken.legs[i].amount += step;
        if broken.legs[i].price.is_some() || broken.legs[i].amount.is_zero() {
            continue; // a priced leg's weight does not move with its amount
        }
        assert!(
            matches!(post(broken, chart), Err(DomainError::Unbalanced(_))),
            "leg {i} moved by {step} must unbalance the posting"
        );
    }
    posted
}

fn amounts(legs: &[LegInput]) -> Vec<(Uuid, Decimal)> {
    legs.iter().map(|l| (l.account_id, l.amount)).collect()
}

// ---------------------------------------------------------------- invoices

const AR: u128 = 1;
const SALES: u128 = 2;
const AP: u128 = 3;
const COSTS: u128 = 4;
const BANK_USD: u128 = 5;
const BANK_EUR: u128 = 6;

fn invoice_chart() -> Chart {
    [AR, SALES, AP, COSTS, BANK_USD]
        .into_iter()
        .map(|n| (id(n), (cur("USD"), false)))
        .chain([(id(BANK_EUR), (cur("EUR"), false))])
        .collect()
}

fn line(amount: &str, project: Option<u128>, category: Option<u128>) -> InvoiceLine {
    InvoiceLine {
        description: "work".into(),
        quantity: Decimal::ONE,
        unit_price: d(amount),
        amount: d(amount),
        project_id: project.map(id),
        category_id: category.map(id),
    }
}

fn draft(lines: Vec<InvoiceLine>) -> Draft {
    Draft {
        counterparty_id: id(99),
        currency: cur("USD"),
        issue_date: day(),
        due_date: day(),
        external_number: Some("S-7".into()),
        notes: None,
        total: lines.iter().map(|l| l.amount).sum(),
        lines,
    }
}

fn issue_accounts(direction: Direction) -> IssueAccounts {
    match direction {
        Direction::Receivable => IssueAccounts {
            control_account_id: id(AR),
            account_id: id(SALES),
        },
        Direction::Payable => IssueAccounts {
            control_account_id: id(AP),
            account_id: id(COSTS),
        },
    }
}

#[test]
fn a_receivable_issue_debits_the_receivable_per_project_and_category() {
    let d0 = draft(vec![
        line("100.00", Some(10), Some(20)),
        line("50.00", Some(10), Some(20)),
        line("20.00", None, None),
        line("0", Some(11), None),
    ]);
    let postings = invoice_posting::issue(
        Direction::Receivable,
        &d0,
        "INV-2026-00001",
        issue_accounts(Direction::Receivable),
    );
    // The zero group posts nothing; no project sorts first.
    let steps: Vec<&str> = postings.iter().map(|p| p.step.as_str()).collect();
    assert_eq!(
        steps,
        [
            "issue:-:-".to_string(),
            format!("issue:{}:{}", id(10), id(20))
        ]
    );
    let first = &postings[0].command;
    assert_eq!(first.kind, TransactionKind::Income);
    assert_eq!(first.description, "Invoice INV-2026-00001");
    assert_eq!(first.tags, ["invoice"]);
    assert_eq!(first.counterparty_id, Some(id(99)));
    assert_eq!(first.date, day());
    assert_eq!(
        amounts(&first.legs),
        [(id(AR), d("20.00")), (id(SALES), d("-20.00"))]
    );
    let second = &postings[1].command;
    assert_eq!(
        (second.project_id, second.category_id),
        (Some(id(10)), Some(id(20)))
    );
    assert_eq!(
        amounts(&second.legs),
        [(id(AR), d("150.00")), (id(SALES), d("-150.00"))]
    );
}

#[test]
fn a_payable_issue_debits_the_expense_and_names_the_suppliers_number() {
    let postings = invoice_posting::issue(
        Direction::Payable,
        &draft(vec![line("80.00", None, None)]),
        "BILL-2026-00003",
        issue_accounts(Direction::Payable),
    );
    let c = &postings[0].command;
    assert_eq!(c.kind, TransactionKind::Expense);
    assert_eq!(c.description, "Bill BILL-2026-00003 (supplier's S-7)");
    assert_eq!(
        amounts(&c.legs),
        [(id(COSTS), d("80.00")), (id(AP), d("-80.00"))]
    );
}

fn payment(amount: &str, currency: &str, applied: &str) -> Payment {
    Payment {
        date: day(),
        transaction_id: id(500),
        account_id: None,
        amount: d(amount),
        currency: cur(currency),
        rate: None,
        applied: d(applied),
        overpaid: Decimal::ZERO,
    }
}

#[test]
fn a_payment_moves_money_in_for_a_receivable_and_out_for_a_payable() {
    let d0 = draft(vec![line("100.00", None, None)]);
    let received = invoice_posting::payment(
        Direction::Receivable,
        &d0,
        "INV-1",
        MoneyAccount {
            account_id: id(BANK_USD),
            control_account_id: id(AR),
        },
        &payment("40.00", "USD", "40.00"),
    );
    assert_eq!(received.description, "Payment of invoice INV-1");
    assert_eq!(received.kind, TransactionKind::Transfer);
    assert_eq!(received.tags, ["invoice"]);
    assert_eq!(
        amounts(&received.legs),
        [(id(BANK_USD), d("40.00")), (id(AR), d("-40.00"))]
    );
    assert!(received.legs.iter().all(|l| l.price.is_none()));

    let paid = invoice_posting::payment(
        Direction::Payable,
        &d0,
        "BILL-1",
        MoneyAccount {
            account_id: id(BANK_EUR),
            control_account_id: id(AP),
        },
        &payment("37.00", "EUR", "40.00"),
    );
    assert_eq!(paid.description, "Payment of bill BILL-1");
    assert_eq!(
        amounts(&paid.legs),
        [(id(BANK_EUR), d("-37.00")), (id(AP), d("40.00"))]
    );
    assert_eq!(
        paid.legs[0].price,
        Some(Price::Total {
            currency: cur("USD"),
            total: d("40.00")
        })
    );
    balances_and_breaks(paid, &invoice_chart());
}

#[test]
fn a_posted_payment_settles_what_it_credits_the_receivable_or_debits_the_payable() {
    let leg = |account: u128, amount: &str| Leg {
        account_id: id(account),
        amount: d(amount),
        currency: cur("USD"),
        weight: None,
        memo: None,
    };
    let legs = [leg(BANK_USD, "30.00"), leg(AR, "-30.00")];
    assert_eq!(
        invoice_posting::settled_by(Direction::Receivable, id(AR), &legs),
        d("30.00")
    );
    assert_eq!(
        invoice_posting::settled_by(Direction::Payable, id(AR), &legs),
        d("-30.00")
    );
    assert!(invoice_posting::settled_by(Direction::Receivable, id(AP), &legs).is_zero());
}

fn direction_strategy() -> impl Strategy<Value = Direction> {
    prop_oneof![Just(Direction::Receivable), Just(Direction::Payable)]
}

proptest! {
    #[test]
    fn every_issue_posting_balances_and_together_they_post_the_total(
        direction in direction_strategy(),
        lines in prop::collection::vec((0i64..10_000_000, 0u128..3, 0u128..3), 1..30),
    ) {
        let lines: Vec<InvoiceLine> = lines
            .into_iter()
            .map(|(cents, p, c)| {
                let amount = Decimal::new(cents, 2).to_string();
                line(&amount, (p > 0).then_some(10 + p), (c > 0).then_some(20 + c))
            })
            .collect();
        let d0 = draft(lines);
        let accounts = issue_accounts(direction);
        let postings = invoice_posting::issue(direction, &d0, "N-1", accounts);
        let mut control = Decimal::ZERO;
        for p in postings {
            let posted = balances_and_breaks(p.command, &invoice_chart());
            control += posted
                .legs
                .iter()
                .filter(|l| l.account_id == accounts.control_account_id)
                .map(|l| l.amount)
                .sum::<Decimal>();
        }
        let expected = match direction {
            Direction::Receivable => d0.total,
            Direction::Payable => -d0.total,
        };
        prop_assert_eq!(control, expected);
    }

    #[test]
    fn every_payment_in_another_currency_balances(
        direction in direction_strategy(),
        cents in 1i64..100_000_000,
        rate_units in 1i64..3_000_000,
    ) {
        let amount = Decimal::new(cents, 2);
        let rate = Decimal::new(rate_units, 6);
        let applied = applied_amount(amount, cur("EUR"), Some(rate), cur("USD"));
        prop_assume!(applied.is_ok());
        let applied = applied.unwrap();
        let mut p = payment("1", "EUR", "1");
        p.amount = amount;
        p.applied = applied;
        let control = issue_accounts(direction).control_account_id;
        let posting = invoice_posting::payment(
            direction,
            &draft(vec![line("1.00", None, None)]),
            "N-1",
            MoneyAccount { account_id: id(BANK_EUR), control_account_id: control },
            &p,
        );
        let posted = balances_and_breaks(posting, &invoice_chart());
        let settled = invoice_posting::settled_by(direction, control, &posted.legs);
        prop_assert_eq!(settled, applied);
    }
}

// ---------------------------------------------------------------- payouts

const RECEIVABLE: u128 = 30;
const REVENUE: u128 = 31;
const USDT_WALLET: u128 = 32;

fn payout_chart() -> Chart {
    [
        (id(RECEIVABLE), (cur("USD"), false)),
        (id(REVENUE), (cur("USD"), false)),
        (id(BANK_USD), (cur("USD"), false)),
        (id(USDT_WALLET), (cur("USDT"), true)),
    ]
    .into_iter()
    .collect()
}

fn payout(lines: &[(&str, Option<u128>)]) -> Payout {
    Payout {
        status: None,
        program_id: Some(id(40)),
        counterparty_id: Some(id(41)),
        currency: Some(cur("USD")),
        from: NaiveDate::from_ymd_opt(2026, 9, 1),
        to: NaiveDate::from_ymd_opt(2026, 9, 30),
        lines: lines
            .iter()
            .map(|(amount, project)| domain::payout::PayoutLine {
                campaign_id: id(42),
                offer_id: id(43),
                project_id: project.map(id),
                conversions: 1,
                amount: d(amount),
            })
            .collect(),
        total: lines.iter().map(|(a, _)| d(a)).sum(),
        receivable_account_id: None,
        category_id: None,
    }
}

fn approval_accounts() -> ApprovalAccounts {
    ApprovalAccounts {
        receivable_account_id: id(RECEIVABLE),
        revenue_account_id: id(REVENUE),
        category_id: Some(id(44)),
    }
}

#[test]
fn an_approval_books_the_receivable_against_revenue_per_project() {
    let p = payout(&[("10.00", Some(50)), ("5.00", None), ("2.50", Some(50))]);
    let postings = payout_posting::approval(&p, day(), approval_accounts());
    let steps: Vec<&str> = postings.iter().map(|p| p.step.as_str()).collect();
    assert_eq!(
        steps,
        ["receivable".to_string(), format!("receivable:{}", id(50))]
    );
    let c = &postings[1].command;
    assert_eq!(c.description, "Affiliate payout 2026-09-01 to 2026-09-30");
    assert_eq!(c.kind, TransactionKind::Income);
    assert_eq!(c.tags, ["payout"]);
    assert_eq!((c.project_id, c.category_id), (Some(id(50)), Some(id(44))));
    assert_eq!(c.counterparty_id, Some(id(41)));
    assert_eq!(
        amounts(&c.legs),
        [(id(RECEIVABLE), d("12.50")), (id(REVENUE), d("-12.50"))]
    );
    for p in postings {
        balances_and_breaks(p.command, &payout_chart());
    }
}

#[test]
fn a_payment_needs_the_approval_and_prices_money_in_another_currency() {
    let mut p = payout(&[("100.00", None)]);
    let receipt = Receipt {
        date: day(),
        account_id: id(USDT_WALLET),
        account_currency: cur("USDT"),
        amount: d("99.950000"),
        tx_hash: Some("ab".repeat(32)),
    };
    assert!(matches!(
        payout_posting::payment(&p, cur("USD"), &receipt),
        Err(DomainError::Refused(Refusal::PayoutNotApproved))
    ));
    p.receivable_account_id = Some(id(RECEIVABLE));
    p.category_id = Some(id(44));
    let posting = payout_posting::payment(&p, cur("USD"), &receipt).unwrap();
    assert_eq!(posting.step, "payment");
    let c = posting.command;
    assert_eq!(c.description, "Affiliate payout received");
    assert_eq!(c.kind, TransactionKind::Transfer);
    assert_eq!(c.project_id, None);
    assert_eq!(c.category_id, Some(id(44)));
    assert_eq!(c.legs[0].memo.as_deref(), Some("ab".repeat(32).as_str()));
    assert_eq!(
        c.legs[0].price,
        Some(Price::Total {
            currency: cur("USD"),
            total: d("100.00")
        })
    );
    assert_eq!(
        amounts(&c.legs),
        [
            (id(USDT_WALLET), d("99.950000")),
            (id(RECEIVABLE), d("-100.00"))
        ]
    );
    balances_and_breaks(c, &payout_chart());

    let same = Receipt {
        account_id: id(BANK_USD),
        account_currency: cur("USD"),
        amount: d("100.00"),
        tx_hash: None,
        ..receipt
    };
    let c = payout_posting::payment(&p, cur("USD"), &same)
        .unwrap()
        .command;
    assert!(c.legs.iter().all(|l| l.price.is_none() && l.memo.is_none()));
}

proptest! {
    #[test]
    fn every_approval_posting_balances(
        lines in prop::collection::vec((0i64..100_000_000, 0u128..4), 1..40),
    ) {
        let lines: Vec<(String, Option<u128>)> = lines
            .into_iter()
            .map(|(cents, p)| (Decimal::new(cents, 2).to_string(), (p > 0).then_some(50 + p)))
            .collect();
        let refs: Vec<(&str, Option<u128>)> =
            lines.iter().map(|(a, p)| (a.as_str(), *p)).collect();
        let p = payout(&refs);
        let mut receivable = Decimal::ZERO;
        for posting in payout_posting::approval(&p, day(), approval_accounts()) {
            let posted = balances_and_breaks(posting.command, &payout_chart());
            receivable += posted.legs[0].amount;
        }
        prop_assert_eq!(receivable, p.total);
    }
}

// ---------------------------------------------------------------- opening balances

#[test]
fn an_opening_balance_posts_against_its_currencys_equity() {
    let usd = cur("USD");
    assert_eq!(
        account::opening_balance(id(1), usd, Decimal::ZERO, day()),
        None
    );
    let (equity, spec) = account::opening_equity(usd);
    assert_eq!(equity, account::opening_equity_id(usd));
    assert_ne!(equity, account::opening_equity_id(cur("EUR")));
    assert_eq!(spec.account_type, AccountType::Equity);
    assert_eq!(spec.name, "Opening balances (USD)");
    assert_eq!(spec.currency, usd);
    // An overdrawn account opens with a credit.
    let c = account::opening_balance(id(1), usd, d("-12.50"), day()).unwrap();
    assert_eq!(c.kind, TransactionKind::Opening);
    assert_eq!(c.description, "Opening balance");
    assert_eq!(c.fingerprint, format!("opening:{}", id(1)));
    assert_eq!(c.idempotency_key, None);
    assert_eq!(
        amounts(&c.legs),
        [(id(1), d("-12.50")), (equity, d("12.50"))]
    );
    let chart: Chart = [(id(1), (usd, false)), (equity, (usd, false))]
        .into_iter()
        .collect();
    balances_and_breaks(c, &chart);
    assert_ne!(
        account::opening_transaction_id(id(1)),
        account::opening_transaction_id(id(2))
    );
}

// ---------------------------------------------------------------- shorthands

const CASH: u128 = 60;
const INCOME: u128 = 61;
const EXPENSE: u128 = 62;
const EUR_CASH: u128 = 63;

fn shorthand_chart() -> Chart {
    [
        (id(CASH), (cur("USD"), false)),
        (id(INCOME), (cur("USD"), false)),
        (id(EXPENSE), (cur("USD"), false)),
        (id(EUR_CASH), (cur("EUR"), false)),
    ]
    .into_iter()
    .collect()
}

fn currency_of(chart: &Chart) -> impl Fn(Uuid) -> Option<Currency> + '_ {
    |a| chart.get(&a).map(|(c, _)| *c)
}

fn transfer(to: u128, amount: &str, rate: Option<&str>, to_amount: Option<&str>) -> Shorthand {
    Shorthand::Transfer {
        from_account_id: id(CASH),
        to_account_id: id(to),
        amount: d(amount),
        rate: rate.map(d),
        to_amount: to_amount.map(d),
    }
}

#[test]
fn income_debits_the_money_and_expense_credits_it() {
    let chart = shorthand_chart();
    let (kind, legs) = Shorthand::Income {
        account_id: id(CASH),
        income_account_id: id(INCOME),
        amount: d("10.00"),
    }
    .legs(currency_of(&chart))
    .unwrap();
    assert_eq!(kind, TransactionKind::Income);
    assert_eq!(
        amounts(&legs),
        [(id(CASH), d("10.00")), (id(INCOME), d("-10.00"))]
    );
    let (kind, legs) = Shorthand::Expense {
        account_id: id(CASH),
        expense_account_id: id(EXPENSE),
        amount: d("3.00"),
    }
    .legs(currency_of(&chart))
    .unwrap();
    assert_eq!(kind, TransactionKind::Expense);
    assert_eq!(
        amounts(&legs),
        [(id(EXPENSE), d("3.00")), (id(CASH), d("-3.00"))]
    );
    assert_eq!(
        Shorthand::Expense {
            account_id: id(CASH),
            expense_account_id: id(EXPENSE),
            amount: Decimal::ZERO,
        }
        .legs(currency_of(&chart)),
        Err(ShorthandError::NotPositive {
            form: Form::Expense,
            figure: Figure::Amount
        })
    );
}

#[test]
fn a_transfer_across_currencies_rounds_its_rate_half_even() {
    let chart = shorthand_chart();
    let legs = |s: Shorthand| s.legs(currency_of(&chart)).map(|(_, l)| l);
    // 1.00 × 0.925 = 0.925 → 0.92; × 0.935 → 0.94 (half to even).
    for (rate, arrives) in [("0.925", "0.92"), ("0.935", "0.94")] {
        let l = legs(transfer(EUR_CASH, "1.00", Some(rate), None)).unwrap();
        assert_eq!(
            amounts(&l),
            [(id(CASH), d("-1.00")), (id(EUR_CASH), d(arrives))]
        );
        assert_eq!(
            l[0].price,
            Some(Price::Total {
                currency: cur("EUR"),
                total: d(arrives)
            })
        );
    }
    let l = legs(transfer(EUR_CASH, "5.00", None, Some("4.60"))).unwrap();
    assert_eq!(l[1].amount, d("4.60"));
    assert_eq!(
        legs(transfer(EUR_CASH, "5.00", None, None)),
        Err(ShorthandError::TransferNeedsRate {
            from: cur("USD"),
            to: cur("EUR")
        })
    );
    assert_eq!(
        legs(transfer(EUR_CASH, "5.00", Some("0"), None)),
        Err(ShorthandError::NotPositive {
            form: Form::Transfer,
            figure: Figure::Rate
        })
    );
    assert_eq!(
        legs(transfer(EUR_CASH, "5.00", None, Some("-1"))),
        Err(ShorthandError::NotPositive {
            form: Form::Transfer,
            figure: Figure::ToAmount
        })
    );
}

#[test]
fn a_transfer_in_one_currency_takes_no_rate() {
    let chart = shorthand_chart();
    let legs = |s: Shorthand| s.legs(currency_of(&chart)).map(|(_, l)| l);
    let l = legs(transfer(INCOME, "5.00", None, Some("5.00"))).unwrap();
    assert_eq!(
        amounts(&l),
        [(id(CASH), d("-5.00")), (id(INCOME), d("5.00"))]
    );
    assert_eq!(
        legs(transfer(INCOME, "5.00", Some("1"), None)),
        Err(ShorthandError::TransferRateInOneCurrency)
    );
    assert_eq!(
        legs(transfer(INCOME, "5.00", None, Some("4.00"))),
        Err(ShorthandError::TransferRateInOneCurrency)
    );
    // An unknown account is left to the posting rules.
    assert!(legs(transfer(999, "5.00", None, None)).is_ok());
}

proptest! {
    #[test]
    fn every_shorthand_posting_balances(
        form in 0u8..3,
        cents in 1i64..1_000_000_000,
        rate_units in 1i64..5_000_000,
    ) {
        let chart = shorthand_chart();
        let amount = Decimal::new(cents, 2);
        let rate = Decimal::new(rate_units, 6).to_string();
        let s = match form {
            0 => Shorthand::Income { account_id: id(CASH), income_account_id: id(INCOME), amount },
            1 => Shorthand::Expense { account_id: id(CASH), expense_account_id: id(EXPENSE), amount },
            _ => transfer(EUR_CASH, &amount.to_string(), Some(&rate), None),
        };
        let (kind, legs) = s.legs(currency_of(&chart)).unwrap();
        prop_assume!(legs.iter().all(|l| !l.amount.is_zero()));
        let cmd = PostTransaction::new(day(), kind, "shorthand", legs);
        balances_and_breaks(cmd, &chart);
    }
}

// ---------------------------------------------------------------- Tron items

const TRX_WALLET: u128 = 70;
const USDT: u128 = 71;
const FEES_USD: u128 = 72;
const SALES_USD: u128 = 73;

fn tron_chart() -> Chart {
    [
        (id(TRX_WALLET), (cur("TRX"), true)),
        (id(USDT), (cur("USDT"), true)),
        (id(FEES_USD), (cur("USD"), false)),
        (id(SALES_USD), (cur("USD"), false)),
    ]
    .into_iter()
    .collect()
}

fn transfer_item(token: CryptoToken, direction: TransferDirection, amount: &str) -> WalletTransfer {
    let (ours, theirs) = (
        tron::address_from_bytes([1; 20]),
        tron::address_from_bytes([2; 20]),
    );
    let (from, to) = match direction {
        TransferDirection::Out => (ours.clone(), theirs),
        TransferDirection::In => (theirs, ours.clone()),
        TransferDirection::SelfTransfer => (ours.clone(), ours),
    };
    WalletTransfer {
        tx_hash: "c".repeat(64),
        token,
        from,
        to,
        amount: d(amount),
        direction,
        block: 7,
        time: DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
    }
}

fn item_posting(
    item: WalletTransfer,
    counter: Valued,
    fee: Option<FeeLegs>,
    fee_trx: &str,
) -> ItemPosting {
    let wallet = match item.token {
        CryptoToken::Trx => id(TRX_WALLET),
        CryptoToken::Usdt => id(USDT),
    };
    ItemPosting {
        wallet_account_id: wallet,
        item,
        date: day(),
        description: None,
        counter_account_id: id(SALES_USD),
        counter,
        counter_is_wallet: false,
        fee_trx: d(fee_trx),
        fee,
        block: Some(7),
        confirmations: None,
        project_id: None,
        category_id: None,
        counterparty_id: None,
        tags: vec![],
    }
}

#[test]
fn money_in_debits_the_wallet_and_books_no_fee() {
    let t = transfer_item(CryptoToken::Usdt, TransferDirection::In, "25.500000");
    assert_eq!(item::wallet_amount(&t), Ok(d("25.500000")));
    assert_eq!(
        item::fee_accounts(&t, id(USDT), d("1"), None, None),
        Ok(None)
    );
    let counter = item::valued(
        ItemLeg::Counter,
        d("-25.500000"),
        cur("USDT"),
        cur("USD"),
        d("1"),
    )
    .unwrap();
    let c = item::item_posting(item_posting(t, counter, None, "0")).unwrap();
    assert_eq!(c.kind, TransactionKind::Income);
    assert_eq!(
        c.description,
        format!("25.500000 USDT from {}", tron::address_from_bytes([2; 20]))
    );
    assert_eq!(
        c.idempotency_key.as_deref(),
        Some(item::item_key(id(USDT), &"c".repeat(64)).as_str())
    );
    assert_eq!(c.fingerprint, c.idempotency_key.clone().unwrap());
    assert_eq!(
        c.origin.map(|o| (o.kind, o.id)),
        Some((OriginKind::TronWallet, id(USDT)))
    );
    assert_eq!(
        amounts(&c.legs),
        [(id(USDT), d("25.500000")), (id(SALES_USD), d("-25.50"))]
    );
    let crypto = c.crypto.as_ref().unwrap();
    assert_eq!(
        crypto.contract.as_deref(),
        Some(domain::crypto::USDT_TRC20_CONTRACT)
    );
    assert_eq!((crypto.amount, crypto.fee_trx), (d("25.500000"), d("0")));
    balances_and_breaks(c, &tron_chart());
}

#[test]
fn money_out_credits_the_wallet_and_books_the_fee_from_the_trx_wallet() {
    let t = transfer_item(CryptoToken::Usdt, TransferDirection::Out, "10.000000");
    assert_eq!(item::wallet_amount(&t), Ok(d("-10.000000")));
    assert_eq!(
        item::fee_accounts(&t, id(USDT), d("2.5"), None, None),
        Err(ItemPostingError::FeeExpenseAccountMissing { fee_trx: d("2.5") })
    );
    assert_eq!(
        item::fee_accounts(&t, id(USDT), d("2.5"), None, Some(id(FEES_USD))),
        Err(ItemPostingError::FeeAccountMissing)
    );
    assert_eq!(
        item::fee_accounts(&t, id(USDT), d("0"), None, None),
        Ok(None)
    );
    let accounts = item::fee_accounts(
        &t,
        id(USDT),
        d("2.5"),
        Some(id(TRX_WALLET)),
        Some(id(FEES_USD)),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        accounts.check_payer(cur("USDT")),
        Err(ItemPostingError::FeeAccountNotTrx)
    );
    assert_eq!(accounts.check_payer(cur("TRX")), Ok(()));
    // 2.5 TRX at 0.241 USD = 0.6025 → 0.60 (half to even).
    let expense = item::valued(
        ItemLeg::FeeExpense,
        d("2.5"),
        cur("TRX"),
        cur("USD"),
        d("0.241"),
    )
    .unwrap();
    assert_eq!(expense.amount, d("0.60"));
    let counter = item::valued(
        ItemLeg::Counter,
        d("10.000000"),
        cur("USDT"),
        cur("USD"),
        d("1"),
    )
    .unwrap();
    let c = item::item_posting(item_posting(
        t,
        counter,
        Some(FeeLegs { accounts, expense }),
        "2.5",
    ))
    .unwrap();
    assert_eq!(c.kind, TransactionKind::Expense);
    assert_eq!(
        amounts(&c.legs),
        [
            (id(USDT), d("-10.000000")),
            (id(SALES_USD), d("10.00")),
            (id(TRX_WALLET), d("-2.5")),
            (id(FEES_USD), d("0.60")),
        ]
    );
    assert_eq!(c.legs[2].memo.as_deref(), Some(item::FEE_MEMO));
    assert_eq!(c.legs[3].memo.as_deref(), Some(item::FEE_MEMO));
    balances_and_breaks(c, &tron_chart());
}

#[test]
fn a_trx_wallet_pays_its_own_fee_and_a_self_transfer_posts_nothing() {
    let t = transfer_item(CryptoToken::Trx, TransferDirection::Out, "1");
    let accounts = item::fee_accounts(&t, id(TRX_WALLET), d("1"), None, Some(id(FEES_USD)));
    assert_eq!(
        accounts,
        Ok(Some(FeeAccounts {
            payer_account_id: id(TRX_WALLET),
            expense_account_id: id(FEES_USD)
        }))
    );
    let itself = transfer_item(CryptoToken::Trx, TransferDirection::SelfTransfer, "1");
    assert_eq!(
        item::wallet_amount(&itself),
        Err(ItemPostingError::SelfTransfer)
    );
    assert_eq!(
        item::check_fee(d("-0.1")),
        Err(ItemPostingError::NegativeFee)
    );
    assert_eq!(
        item::valued(
            ItemLeg::Counter,
            d("0.000001"),
            cur("TRX"),
            cur("USD"),
            d("0.2")
        ),
        Err(ItemPostingError::WorthNothing {
            leg: ItemLeg::Counter,
            amount: d("0.000001"),
            from: cur("TRX"),
            to: cur("USD")
        })
    );
    // One currency: unchanged and unpriced, whatever the rate.
    assert_eq!(
        item::valued(ItemLeg::Counter, d("-3"), cur("USD"), cur("USD"), d("9")),
        Ok(Valued {
            amount: d("-3"),
            price: None
        })
    );
}

proptest! {
    #[test]
    fn every_item_posting_balances(
        out in any::<bool>(),
        micro in 1i64..10_000_000_000_000,
        fee_micro in 0i64..100_000_000,
        usd_per_usdt in 900_000i64..1_100_000,
        usd_per_trx in 100_000i64..400_000,
    ) {
        let direction = if out { TransferDirection::Out } else { TransferDirection::In };
        let t = transfer_item(CryptoToken::Usdt, direction, &Decimal::new(micro, 6).to_string());
        let fee_trx = if out { Decimal::new(fee_micro, 6) } else { Decimal::ZERO };
        let signed = item::wallet_amount(&t).unwrap();
        let counter = item::valued(ItemLeg::Counter, -signed, cur("USDT"), cur("USD"), Decimal::new(usd_per_usdt, 6));
        prop_assume!(counter.is_ok());
        let fee = match item::fee_accounts(&t, id(USDT), fee_trx, Some(id(TRX_WALLET)), Some(id(FEES_USD))).unwrap() {
            None => None,
            Some(accounts) => {
                let expense = item::valued(ItemLeg::FeeExpense, fee_trx, cur("TRX"), cur("USD"), Decimal::new(usd_per_trx, 6));
                prop_assume!(expense.is_ok());
                Some(FeeLegs { accounts, expense: expense.unwrap() })
            }
        };
        let mut p = item_posting(t, counter.unwrap(), fee, "0");
        p.fee_trx = fee_trx;
        let c = item::item_posting(p).unwrap();
        balances_and_breaks(c, &tron_chart());
    }
}

// ---------------------------------------------------------------- balance sheet

/// The sheet as the report builds it: each listed account as presented, then the computed
/// equity lines; returns (assets, liabilities, equity).
fn sheet(balances: &[(AccountType, Decimal, Decimal)]) -> (Decimal, Decimal, Decimal) {
    let mut computed = ComputedEquity::default();
    let (mut a, mut l, mut e) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for (t, booked, now) in balances {
        let now = matches!(t, AccountType::Asset | AccountType::Liability).then_some(*now);
        let Some(value) = computed.add(*t, *booked, now) else {
            continue;
        };
        let shown = presented(*t, value);
        match t {
            AccountType::Asset => a += shown,
            AccountType::Liability => l += shown,
            _ => e += shown,
        }
    }
    e += computed.lines().iter().map(|(_, v)| *v).sum::<Decimal>();
    (a, l, e)
}

#[test]
fn the_computed_lines_are_earnings_unrealised_fx_and_conversion_differences() {
    let mut c = ComputedEquity::default();
    assert_eq!(
        c.add(AccountType::Asset, d("100"), Some(d("110"))),
        Some(d("110"))
    );
    assert_eq!(c.add(AccountType::Income, d("-150"), None), None);
    assert_eq!(c.add(AccountType::Expense, d("40"), None), None);
    assert_eq!(c.add(AccountType::Equity, d("9"), None), Some(d("9")));
    assert_eq!(
        c.lines(),
        [
            ("Earnings to date", d("110")),
            ("Unrealised exchange differences", d("10")),
            ("Conversion differences", d("-1")),
        ]
    );
}

fn type_strategy() -> impl Strategy<Value = AccountType> {
    prop_oneof![
        Just(AccountType::Asset),
        Just(AccountType::Liability),
        Just(AccountType::Equity),
        Just(AccountType::Income),
        Just(AccountType::Expense),
    ]
}

proptest! {
    #[test]
    fn a_sheet_with_its_computed_lines_always_balances(
        balances in prop::collection::vec(
            (type_strategy(), -1_000_000_000i64..1_000_000_000, -1_000_000_000i64..1_000_000_000),
            0..40,
        ),
    ) {
        let balances: Vec<(AccountType, Decimal, Decimal)> = balances
            .into_iter()
            .map(|(t, booked, now)| (t, Decimal::new(booked, 2), Decimal::new(now, 2)))
            .collect();
        let (a, l, e) = sheet(&balances);
        prop_assert!(check_balance(a, l, e).balanced);
    }
}

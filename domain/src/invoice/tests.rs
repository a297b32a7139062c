use proptest::prelude::*;

use super::*;
use crate::aggregate::decide;

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

fn eur() -> Currency {
    Currency::parse("EUR").unwrap()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn line(q: &str, p: &str) -> LineInput {
    LineInput {
        description: "Consulting".into(),
        quantity: dec(q),
        unit_price: dec(p),
        project_id: None,
        category_id: None,
    }
}

fn draft(lines: Vec<LineInput>) -> DraftInput {
    DraftInput {
        counterparty_id: Uuid::from_u128(1),
        currency: usd(),
        issue_date: day(1),
        due_date: day(15),
        external_number: None,
        notes: None,
        lines,
    }
}

fn run(inv: &mut Invoice, cmd: InvoiceCommand) -> Result<Vec<InvoiceEvent>, DomainError> {
    futures::executor::block_on(decide(inv, cmd, &()))
}

fn issued(total: &str) -> Invoice {
    let mut inv = Invoice::default();
    run(
        &mut inv,
        InvoiceCommand::Create {
            direction: Direction::Receivable,
            draft: draft(vec![line("1", total)]),
        },
    )
    .unwrap();
    run(&mut inv, issue()).unwrap();
    inv
}

fn issue() -> InvoiceCommand {
    InvoiceCommand::Issue {
        series: "INV-2026".into(),
        number: "INV-2026-00001".into(),
        control_account_id: Uuid::from_u128(2),
        account_id: Uuid::from_u128(3),
        transaction_ids: vec![Uuid::from_u128(4)],
    }
}

fn pay(tx: u128, amount: &str) -> InvoiceCommand {
    InvoiceCommand::RecordPayment(PaymentInput {
        date: day(5),
        transaction_id: Uuid::from_u128(tx),
        account_id: None,
        amount: dec(amount),
        currency: usd(),
        rate: None,
        allow_overpayment: true,
    })
}

#[test]
fn lines_round_half_even_to_the_currency_and_sum_to_the_total() {
    let d = check_draft(draft(vec![
        line("3", "0.125"),
        line("1", "0.135"),
        line("2.5", "4"),
    ]))
    .unwrap();
    // 0.375 → 0.38 (7 is odd: up), 0.135 → 0.14, 10.00.
    let amounts: Vec<String> = d.lines.iter().map(|l| l.amount.to_string()).collect();
    assert_eq!(amounts, ["0.38", "0.14", "10.00"]);
    assert_eq!(d.total, dec("10.52"));
    let d = check_draft(draft(vec![line("1", "0.125")])).unwrap();
    assert_eq!(d.total, dec("0.12"), "half to even: 0.125 → 0.12");
}

#[test]
fn drafts_are_validated_field_by_field() {
    let field = |r: Result<Draft, DomainError>| match r {
        Err(DomainError::Invalid { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    };
    assert_eq!(field(check_draft(draft(vec![]))), "lines");
    assert_eq!(
        field(check_draft(draft(vec![line("0", "1")]))),
        Field::Line {
            index: 0,
            field: "quantity"
        }
    );
    assert_eq!(
        field(check_draft(draft(vec![line("1", "-1")]))),
        Field::Line {
            index: 0,
            field: "unit_price"
        }
    );
    assert_eq!(
        field(check_draft(draft(vec![line("1", "0")]))),
        "lines",
        "zero total"
    );
    let mut empty = line("1", "1");
    empty.description = "  ".into();
    assert_eq!(
        field(check_draft(draft(vec![empty]))),
        Field::Line {
            index: 0,
            field: "description"
        }
    );
    let mut early = draft(vec![line("1", "1")]);
    early.due_date = day(1) - chrono::Days::new(1);
    assert_eq!(field(check_draft(early)), "due_date");
    let many = (0..=MAX_LINES).map(|_| line("1", "1")).collect();
    assert_eq!(field(check_draft(draft(many))), "lines");
    let max = (0..MAX_LINES).map(|_| line("1", "1")).collect();
    assert_eq!(check_draft(draft(max)).unwrap().total, dec("200.00"));
}

#[test]
fn an_invoice_goes_draft_issued_partially_paid_paid_and_takes_nothing_more() {
    let mut inv = issued("100");
    assert!(run(&mut inv, issue()).is_err(), "issued twice");
    assert!(
        run(
            &mut inv,
            InvoiceCommand::UpdateDraft(draft(vec![line("1", "5")]))
        )
        .is_err(),
        "an issued invoice is not edited"
    );
    run(&mut inv, pay(10, "40")).unwrap();
    assert_eq!(inv.status, Some(InvoiceStatus::PartiallyPaid));
    assert_eq!(inv.open(), dec("60"));
    assert_eq!(inv.paid.to_string(), "40.00", "at the currency's scale");
    assert!(
        matches!(
            run(&mut inv, pay(10, "10")),
            Err(DomainError::Refused(Refusal::PaymentAlreadyApplied(_)))
        ),
        "same transaction twice"
    );
    run(&mut inv, pay(11, "60")).unwrap();
    assert_eq!(inv.status, Some(InvoiceStatus::Paid));
    assert!(inv.open().is_zero());
    assert!(
        run(&mut inv, pay(12, "1")).is_err(),
        "paid takes no payment"
    );
    let cancel = InvoiceCommand::Cancel {
        date: day(6),
        reversal_ids: vec![Uuid::from_u128(9)],
    };
    assert!(
        run(&mut inv, cancel).is_err(),
        "a paid invoice is not cancelled"
    );
}

#[test]
fn an_overpayment_is_refused_unless_allowed() {
    let mut inv = issued("100");
    run(&mut inv, pay(10, "30")).unwrap();
    let refused = InvoiceCommand::RecordPayment(PaymentInput {
        allow_overpayment: false,
        ..match pay(11, "70.01") {
            InvoiceCommand::RecordPayment(p) => p,
            _ => unreachable!(),
        }
    });
    let err = run(&mut inv, refused).unwrap_err();
    assert_eq!(err.code(), "invoice_overpayment");
    let open = format!("only {} USD is open", inv.open());
    assert!(err.to_string().contains(&open), "{err}");
    assert_eq!(inv.open(), dec("70"), "nothing changed");
    let exact = InvoiceCommand::RecordPayment(PaymentInput {
        allow_overpayment: false,
        ..match pay(12, "70") {
            InvoiceCommand::RecordPayment(p) => p,
            _ => unreachable!(),
        }
    });
    run(&mut inv, exact).unwrap();
    assert_eq!(inv.status, Some(InvoiceStatus::Paid));
}

#[test]
fn an_overpayment_is_recorded_as_such() {
    let mut inv = issued("100");
    run(&mut inv, pay(10, "30")).unwrap();
    let events = run(&mut inv, pay(11, "100")).unwrap();
    let InvoiceEvent::PaymentRecorded(p) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(p.applied, dec("100"));
    assert_eq!(p.overpaid, dec("30"));
    assert_eq!(inv.status, Some(InvoiceStatus::Paid));
    assert!(inv.open().is_zero());
}

#[test]
fn a_payment_in_another_currency_needs_a_rate_and_is_rounded_to_the_invoice() {
    let mut inv = issued("100");
    let eur_pay = |rate: Option<&str>| {
        InvoiceCommand::RecordPayment(PaymentInput {
            date: day(5),
            transaction_id: Uuid::from_u128(20),
            account_id: None,
            amount: dec("45.55"),
            currency: eur(),
            rate: rate.map(dec),
            allow_overpayment: false,
        })
    };
    assert!(run(&mut inv, eur_pay(None)).is_err(), "no rate");
    assert!(run(&mut inv, eur_pay(Some("0"))).is_err(), "zero rate");
    let events = run(&mut inv, eur_pay(Some("1.0833"))).unwrap();
    let InvoiceEvent::PaymentRecorded(p) = &events[0] else {
        panic!()
    };
    // 45.55 × 1.0833 = 49.344315 → 49.34
    assert_eq!(p.applied, dec("49.34"));
    assert_eq!(p.rate, Some(dec("1.0833")));
    assert_eq!(inv.open(), dec("50.66"));
    let same_with_rate = InvoiceCommand::RecordPayment(PaymentInput {
        rate: Some(dec("1.1")),
        ..match pay(21, "1") {
            InvoiceCommand::RecordPayment(p) => p,
            _ => unreachable!(),
        }
    });
    assert!(
        run(&mut inv, same_with_rate).is_err(),
        "a rate for the same currency"
    );
}

#[test]
fn cancellation_reverses_every_issuing_posting_and_ends_payments() {
    let mut inv = issued("100");
    run(&mut inv, pay(10, "25")).unwrap();
    assert!(
        run(
            &mut inv,
            InvoiceCommand::Cancel {
                date: day(6),
                reversal_ids: vec![]
            }
        )
        .is_err(),
        "must reverse the issue"
    );
    run(
        &mut inv,
        InvoiceCommand::Cancel {
            date: day(6),
            reversal_ids: vec![Uuid::from_u128(9)],
        },
    )
    .unwrap();
    assert_eq!(inv.status, Some(InvoiceStatus::Cancelled));
    assert_eq!(
        inv.paid,
        dec("25"),
        "the payment stays (the counterparty's credit)"
    );
    assert!(run(&mut inv, pay(11, "1")).is_err());
}

#[test]
fn overdue_is_recorded_once_and_only_when_due_and_open() {
    let mut inv = issued("100");
    let mark = |d| InvoiceCommand::MarkOverdue { today: day(d) };
    assert!(run(&mut inv, mark(15)).is_err(), "due today is not overdue");
    run(&mut inv, mark(16)).unwrap();
    assert!(run(&mut inv, mark(17)).is_err(), "once");
    let mut paid = issued("100");
    run(&mut paid, pay(1, "100")).unwrap();
    assert!(run(&mut paid, mark(20)).is_err(), "paid is never overdue");
}

#[test]
fn a_series_hands_out_consecutive_numbers() {
    let mut s = InvoiceSeries::default();
    for n in 1..=3u32 {
        let events = futures::executor::block_on(decide(
            &mut s,
            Allocate {
                invoice_id: Uuid::from_u128(n as u128),
            },
            &(),
        ))
        .unwrap();
        assert_eq!(
            events,
            [SeriesEvent::Allocated {
                number: n,
                invoice_id: Uuid::from_u128(n as u128)
            }]
        );
    }
    assert_eq!(format_number("INV-2026", s.last), "INV-2026-00003");
    assert_eq!(series_of(Direction::Payable, day(1)), "BILL-2026");
}

/// A payment attempt in a random sequence: same-currency or EUR at a rate, sometimes
/// repeating an earlier transaction id, sometimes cancelling first.
#[derive(Debug, Clone)]
enum Step {
    Pay {
        tx: u8,
        cents: i64,
        rate: Option<u32>,
    },
    Cancel,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (0u8..12, -500i64..60_000, prop::option::of(1u32..40_000))
            .prop_map(|(tx, cents, rate)| Step::Pay { tx, cents, rate }),
        1 => Just(Step::Cancel),
    ]
}

proptest! {
    /// open = total − paid + overpaid never goes below zero; overpayment appears only as
    /// recorded overpaid; paid/cancelled invoices take nothing; no transaction applies twice.
    #[test]
    fn payments_never_break_the_open_amount(
        total_cents in 1i64..100_000,
        steps in prop::collection::vec(step(), 1..40),
    ) {
        let mut inv = issued(&Decimal::new(total_cents, 2).to_string());
        let total = inv.total();
        let mut used = std::collections::HashSet::new();
        for s in steps {
            let before = inv.clone();
            let result = match &s {
                Step::Pay { tx, cents, rate } => run(&mut inv, InvoiceCommand::RecordPayment(PaymentInput {
                    date: day(5),
                    transaction_id: Uuid::from_u128(*tx as u128 + 100),
                    account_id: None,
                    amount: Decimal::new(*cents, 2),
                    currency: if rate.is_some() { eur() } else { usd() },
                    rate: rate.map(|r| Decimal::new(r as i64, 4)),
                    allow_overpayment: true,
                })),
                Step::Cancel => run(&mut inv, InvoiceCommand::Cancel {
                    date: day(6),
                    reversal_ids: vec![Uuid::from_u128(9)],
                }),
            };
            match (&s, &result) {
                (Step::Pay { tx, .. }, Ok(events)) => {
                    prop_assert!(matches!(before.status, Some(InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid)));
                    prop_assert!(used.insert(*tx), "transaction applied twice");
                    let InvoiceEvent::PaymentRecorded(p) = &events[0] else { panic!() };
                    prop_assert!(p.applied > Decimal::ZERO);
                    prop_assert_eq!(p.applied.scale(), 2);
                    prop_assert_eq!(p.overpaid, (p.applied - before.open()).max(Decimal::ZERO));
                }
                (_, Err(_)) => prop_assert_eq!(&inv, &before, "a refusal changes nothing"),
                (Step::Cancel, Ok(_)) => {}
            }
            prop_assert!(inv.open() >= Decimal::ZERO);
            if inv.status != Some(InvoiceStatus::Cancelled) {
                prop_assert_eq!(inv.open(), (total - inv.paid).max(Decimal::ZERO));
                prop_assert_eq!(inv.overpaid, (inv.paid - total).max(Decimal::ZERO));
                prop_assert_eq!(inv.status == Some(InvoiceStatus::Paid), inv.open().is_zero());
            }
        }
    }

    /// Whatever the lines, the total is the sum of line amounts, each at the currency's scale
    /// and within half a minor unit of quantity × unit price.
    #[test]
    fn line_amounts_are_exact_roundings(
        lines in prop::collection::vec((1i64..10_000_000, 0i64..100_000_000, 0u32..6, 0u32..8), 1..30),
    ) {
        let inputs: Vec<LineInput> = lines.iter().map(|(q, p, qs, ps)| LineInput {
            description: "x".into(),
            quantity: Decimal::new(*q, *qs),
            unit_price: Decimal::new(*p, *ps),
            project_id: None,
            category_id: None,
        }).collect();
        match check_draft(draft(inputs.clone())) {
            Ok(d) => {
                let mut sum = Decimal::ZERO;
                for (l, i) in d.lines.iter().zip(&inputs) {
                    prop_assert_eq!(l.amount.scale(), 2);
                    prop_assert!((l.amount - i.quantity * i.unit_price).abs() <= Decimal::new(5, 3));
                    sum += l.amount;
                }
                prop_assert_eq!(d.total, sum);
                prop_assert!(d.total > Decimal::ZERO);
            }
            Err(DomainError::Invalid { field, .. }) => prop_assert_eq!(field, "lines"),
            Err(e) => prop_assert!(false, "unexpected {e:?}"),
        }
    }
}

//! Tries to break the double-entry invariant: unbalanced, over-precise, archived, closed-period
//! and malformed postings must never produce an event.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::DomainError;
use domain::aggregate::{decide, replay};
use domain::money::Currency;
use domain::transaction::*;
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

struct Books {
    ctx: PostingContext,
    ids: HashMap<&'static str, Uuid>,
}

fn books() -> Books {
    let mut ids = HashMap::new();
    let mut ctx = PostingContext {
        today: NaiveDate::from_ymd_opt(2026, 11, 26),
        ..Default::default()
    };
    for (name, code, archived) in [
        ("bank_usd", "USD", false),
        ("sales_usd", "USD", false),
        ("bank_eur", "EUR", false),
        ("wallet_usdt", "USDT", false),
        ("yen", "JPY", false),
        ("old", "USD", true),
    ] {
        let id = Uuid::new_v4();
        ids.insert(name, id);
        ctx.accounts.insert(
            id,
            AccountFacts {
                currency: cur(code),
                archived,
                crypto_wallet: false,
            },
        );
    }
    Books { ctx, ids }
}

fn leg(id: Uuid, amount: &str) -> LegInput {
    LegInput {
        account_id: id,
        amount: d(amount),
        price: None,
        memo: None,
    }
}

fn post(date: NaiveDate, legs: Vec<LegInput>) -> TransactionCommand {
    TransactionCommand::Post(PostTransaction {
        adjusts: None,
        origin: None,
        date,
        kind: TransactionKind::Journal,
        description: "test".into(),
        legs,
        project_id: None,
        category_id: None,
        counterparty_id: None,
        tags: vec![],
        idempotency_key: None,
        fingerprint: "f".into(),
        reverses: None,
        replaces: None,
        crypto: None,
    })
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 5).unwrap()
}

fn run(
    cmd: TransactionCommand,
    ctx: &PostingContext,
) -> Result<Vec<TransactionEvent>, DomainError> {
    let mut t = Transaction::default();
    block_on(decide(&mut t, cmd, ctx))
}

#[test]
fn balanced_two_leg_posts_one_event() {
    let b = books();
    let events = run(
        post(
            day(),
            vec![
                leg(b.ids["bank_usd"], "100.5"),
                leg(b.ids["sales_usd"], "-100.50"),
            ],
        ),
        &b.ctx,
    )
    .unwrap();
    assert_eq!(events.len(), 1);
    let TransactionEvent::Posted(p) = &events[0] else {
        panic!()
    };
    assert_eq!(p.legs[0].amount.to_string(), "100.50");
    assert!(imbalance(&p.legs).is_empty());
}

#[test]
fn unbalanced_is_refused() {
    let b = books();
    let err = run(
        post(
            day(),
            vec![
                leg(b.ids["bank_usd"], "100"),
                leg(b.ids["sales_usd"], "-99.99"),
            ],
        ),
        &b.ctx,
    )
    .unwrap_err();
    assert_eq!(err.code(), "transaction_unbalanced");
}

#[test]
fn cross_currency_needs_a_price() {
    let b = books();
    let unpriced = run(
        post(
            day(),
            vec![
                leg(b.ids["bank_eur"], "-100"),
                leg(b.ids["bank_usd"], "108.73"),
            ],
        ),
        &b.ctx,
    );
    assert_eq!(unpriced.unwrap_err().code(), "transaction_unbalanced");
    let mut eur = leg(b.ids["bank_eur"], "-100");
    eur.price = Some(Price::Rate {
        currency: cur("USD"),
        rate: d("1.0873"),
    });
    let events = run(
        post(day(), vec![eur, leg(b.ids["bank_usd"], "108.73")]),
        &b.ctx,
    )
    .unwrap();
    let TransactionEvent::Posted(p) = &events[0] else {
        panic!()
    };
    assert_eq!(p.legs[0].weight.unwrap().amount.to_string(), "-108.73");
}

#[test]
fn rate_rounding_is_half_even_and_must_then_balance() {
    let b = books();
    // 100 EUR × 1.08735 = 108.735 USD, rounds half-even to 108.74 (4 is even).
    let mut eur = leg(b.ids["bank_eur"], "-100");
    eur.price = Some(Price::Rate {
        currency: cur("USD"),
        rate: d("1.08735"),
    });
    assert!(
        run(
            post(day(), vec![eur.clone(), leg(b.ids["bank_usd"], "108.74")]),
            &b.ctx
        )
        .is_ok()
    );
    assert!(
        run(
            post(day(), vec![eur, leg(b.ids["bank_usd"], "108.73")]),
            &b.ctx
        )
        .is_err()
    );
}

#[test]
fn total_price_takes_the_leg_sign() {
    let b = books();
    let mut usdt = leg(b.ids["wallet_usdt"], "250.123456");
    usdt.price = Some(Price::Total {
        currency: cur("USD"),
        total: d("250.12"),
    });
    let ok = run(
        post(day(), vec![usdt, leg(b.ids["sales_usd"], "-250.12")]),
        &b.ctx,
    );
    assert!(ok.is_ok(), "{ok:?}");
}

#[test]
fn archived_account_and_closed_period_are_refused() {
    let mut b = books();
    let err = run(
        post(
            day(),
            vec![leg(b.ids["old"], "1"), leg(b.ids["sales_usd"], "-1")],
        ),
        &b.ctx,
    )
    .unwrap_err();
    assert_eq!(err.code(), "archived");
    b.ctx.closed_through = NaiveDate::from_ymd_opt(2026, 10, 31);
    let err = run(
        post(
            day(),
            vec![leg(b.ids["bank_usd"], "1"), leg(b.ids["sales_usd"], "-1")],
        ),
        &b.ctx,
    )
    .unwrap_err();
    assert_eq!(err.code(), "period_closed");
    let nov = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    assert!(
        run(
            post(
                nov,
                vec![leg(b.ids["bank_usd"], "1"), leg(b.ids["sales_usd"], "-1")]
            ),
            &b.ctx
        )
        .is_ok()
    );
}

#[test]
fn malformed_postings_are_refused() {
    let b = books();
    let one_leg = run(post(day(), vec![leg(b.ids["bank_usd"], "0")]), &b.ctx);
    assert!(one_leg.is_err());
    let zero = run(
        post(
            day(),
            vec![leg(b.ids["bank_usd"], "0"), leg(b.ids["sales_usd"], "0")],
        ),
        &b.ctx,
    );
    assert_eq!(zero.unwrap_err().code(), "validation_failed");
    let unknown = run(
        post(
            day(),
            vec![leg(Uuid::new_v4(), "1"), leg(b.ids["sales_usd"], "-1")],
        ),
        &b.ctx,
    );
    assert_eq!(unknown.unwrap_err().code(), "not_found");
    let far = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
    let future = run(
        post(
            far,
            vec![leg(b.ids["bank_usd"], "1"), leg(b.ids["sales_usd"], "-1")],
        ),
        &b.ctx,
    );
    assert_eq!(future.unwrap_err().code(), "validation_failed");
    let yen = run(
        post(
            day(),
            vec![leg(b.ids["yen"], "1.5"), leg(b.ids["yen"], "-1.5")],
        ),
        &b.ctx,
    );
    assert_eq!(yen.unwrap_err().code(), "amount_too_precise");
}

#[test]
fn posting_twice_and_reversing_twice_are_refused() {
    let b = books();
    let id = Uuid::new_v4();
    let cmd = post(
        day(),
        vec![leg(b.ids["bank_usd"], "5"), leg(b.ids["sales_usd"], "-5")],
    );
    let mut t = Transaction::default();
    block_on(decide(&mut t, cmd.clone(), &b.ctx)).unwrap();
    assert_eq!(
        block_on(decide(&mut t, cmd, &b.ctx)).unwrap_err().code(),
        "already_exists"
    );

    let rev = t.reversal(id, day(), "r".into()).unwrap();
    let events = run(TransactionCommand::Post(rev), &b.ctx).unwrap();
    let TransactionEvent::Posted(r) = &events[0] else {
        panic!()
    };
    let original = t.posted.clone().unwrap();
    for (a, b) in original.legs.iter().zip(&r.legs) {
        assert_eq!(a.amount, -b.amount);
    }
    let mark = TransactionCommand::MarkReversed {
        reversal_id: Uuid::new_v4(),
        replaced_by: None,
    };
    block_on(decide(&mut t, mark.clone(), &b.ctx)).unwrap();
    assert_eq!(
        block_on(decide(&mut t, mark, &b.ctx)).unwrap_err().code(),
        "conflict"
    );
}

#[test]
fn events_replay_to_the_same_state_once() {
    // A double-applied event would show as a second Posted overwriting or a doubled leg list.
    let b = books();
    let mut t = Transaction::default();
    let mut events = block_on(decide(
        &mut t,
        post(
            day(),
            vec![leg(b.ids["bank_usd"], "3"), leg(b.ids["sales_usd"], "-3")],
        ),
        &b.ctx,
    ))
    .unwrap();
    events.extend(
        block_on(decide(
            &mut t,
            TransactionCommand::MarkReversed {
                reversal_id: Uuid::nil(),
                replaced_by: None,
            },
            &b.ctx,
        ))
        .unwrap(),
    );
    let rebuilt: Transaction = replay(events);
    assert_eq!(rebuilt, t);
    assert_eq!(rebuilt.posted.unwrap().legs.len(), 2);
}

/// The accounts of [`books`] by currency, with the currency's scale.
const CURRENCY_GROUPS: [(&[&str], u32); 4] = [
    (&["bank_usd", "sales_usd"], 2),
    (&["bank_eur"], 2),
    (&["wallet_usdt"], 6),
    (&["yen"], 0),
];

/// Postings that balance by construction: per chosen currency a few non-zero legs at the
/// currency's scale, then one leg taking the opposite of their sum (left out when it is zero).
fn balanced_postings() -> impl Strategy<Value = Vec<(&'static str, Decimal)>> {
    let group = (
        0usize..CURRENCY_GROUPS.len(),
        prop::collection::vec(
            prop_oneof![1i64..1_000_000_000, -1_000_000_000i64..-1],
            1..5,
        ),
        0usize..2,
    );
    prop::collection::vec(group, 1..4).prop_map(|groups| {
        let mut legs = Vec::new();
        for (g, parts, pick) in groups {
            let (names, scale) = CURRENCY_GROUPS[g];
            let name = |i: usize| names[i % names.len()];
            let sum: i64 = parts.iter().sum();
            for (i, units) in parts.iter().enumerate() {
                legs.push((name(pick + i), Decimal::new(*units, scale)));
            }
            if sum != 0 {
                legs.push((name(pick + 1), Decimal::new(-sum, scale)));
            }
        }
        legs
    })
}

proptest! {
    /// Every balanced posting posts, and what it posts balances exactly, keeps each amount at
    /// its currency's scale and replays to the same state.
    #[test]
    fn balanced_postings_post_and_balance(generated in balanced_postings()) {
        let b = books();
        prop_assume!(generated.len() >= 2);
        let legs: Vec<LegInput> = generated.iter().map(|(n, a)| leg(b.ids[n], &a.to_string())).collect();
        let events = run(post(day(), legs.clone()), &b.ctx);
        prop_assert!(events.is_ok(), "a balanced posting was refused: {:?}", events);
        let events = events.unwrap();
        let TransactionEvent::Posted(p) = &events[0] else { panic!("first event is not Posted") };
        prop_assert!(imbalance(&p.legs).is_empty());
        prop_assert_eq!(p.legs.len(), legs.len());
        for (posted, asked) in p.legs.iter().zip(&legs) {
            prop_assert_eq!(posted.amount, asked.amount);
            prop_assert_eq!(posted.amount.scale(), posted.currency.scale());
            prop_assert!(!posted.amount.is_zero());
        }
        let rebuilt: Transaction = replay(events.clone());
        prop_assert_eq!(rebuilt.posted.as_ref(), Some(p));
    }

    /// Dropping any one leg of a balanced posting with three or more legs unbalances it, and
    /// the domain refuses it.
    #[test]
    fn a_balanced_posting_missing_a_leg_is_refused(generated in balanced_postings(), drop in 0usize..64) {
        let b = books();
        prop_assume!(generated.len() >= 3);
        let mut legs: Vec<LegInput> = generated.iter().map(|(n, a)| leg(b.ids[n], &a.to_string())).collect();
        legs.remove(drop % legs.len());
        let result = run(post(day(), legs), &b.ctx);
        prop_assert_eq!(result.map(|_| ()).map_err(|e| e.code()), Err("transaction_unbalanced"));
    }

    /// Perturbing one leg of a balanced posting by any non-zero amount is always refused.
    #[test]
    fn a_perturbed_posting_never_succeeds(
        parts in prop::collection::vec(1i64..10_000_000i64, 1..8),
        delta in prop_oneof![1i64..1000, -1000i64..-1],
        delta_scale in 0u32..6,
    ) {
        let b = books();
        let total: i64 = parts.iter().sum();
        let mut legs: Vec<LegInput> = parts.iter().map(|p| leg(b.ids["bank_usd"], &Decimal::new(*p, 2).to_string())).collect();
        legs.push(leg(b.ids["sales_usd"], &Decimal::new(-total, 2).to_string()));
        prop_assert!(run(post(day(), legs.clone()), &b.ctx).is_ok());
        legs[0].amount += Decimal::new(delta, delta_scale);
        if legs[0].amount.is_zero() { return Ok(()); }
        let result = run(post(day(), legs), &b.ctx);
        prop_assert!(result.is_err());
        let code = result.unwrap_err().code();
        prop_assert!(code == "transaction_unbalanced" || code == "amount_too_precise", "{}", code);
    }

    /// Amounts finer than the currency's scale never post, even when they balance.
    #[test]
    fn over_precise_never_posts(units in 1i64..1_000_000_000, extra in 1u32..4) {
        let b = books();
        for (name, scale) in [("bank_usd", 2u32), ("wallet_usdt", 6), ("yen", 0)] {
            let a = Decimal::new(units * 10 + 1, scale + extra);
            let legs = vec![leg(b.ids[name], &a.to_string()), leg(b.ids[name], &(-a).to_string())];
            let result = run(post(day(), legs), &b.ctx);
            prop_assert_eq!(result.unwrap_err().code(), "amount_too_precise");
        }
    }
}

/// An adjustment is dated in an open period and names a closed month; it never reaches into
/// the closed period itself, and an open month cannot be "adjusted".
#[test]
fn adjustments_correct_closed_months_from_open_ones() {
    let mut b = books();
    b.ctx.closed_through = NaiveDate::from_ymd_opt(2026, 9, 30);
    let legs = || vec![leg(b.ids["bank_usd"], "5"), leg(b.ids["sales_usd"], "-5")];
    let with_adjusts = |date: NaiveDate, adjusts: &str| match post(date, legs()) {
        TransactionCommand::Post(mut p) => {
            p.adjusts = Some(adjusts.parse().unwrap());
            TransactionCommand::Post(p)
        }
        other => other,
    };
    // Any day of the closed month names the month.
    let events = run(with_adjusts(day(), "2026-09-17"), &b.ctx).unwrap();
    let TransactionEvent::Posted(p) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(p.adjusts, NaiveDate::from_ymd_opt(2026, 9, 1));
    // An open month is not adjusted: the correction belongs in it.
    let err = run(with_adjusts(day(), "2026-10-01"), &b.ctx).unwrap_err();
    assert_eq!(err.code(), "validation_failed");
    // The adjustment itself cannot be dated in the closed period.
    let sept = NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
    let err = run(with_adjusts(sept, "2026-09-01"), &b.ctx).unwrap_err();
    assert_eq!(err.code(), "period_closed");
}

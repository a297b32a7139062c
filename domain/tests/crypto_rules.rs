//! Crypto details on postings and their verification, through the transaction aggregate.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{NaiveDate, Utc};
use domain::aggregate::{decide, replay};
use domain::crypto::{
    CryptoDetails, CryptoNetwork, CryptoToken, CryptoVerification, USDT_TRC20_CONTRACT,
    VerifyResult,
};
use domain::error::Refusal;
use domain::transaction::{
    AccountFacts, LegInput, PostTransaction, PostingContext, Transaction, TransactionCommand,
    TransactionEvent, TransactionKind,
};
use domain::{Currency, DomainError};
use futures::executor::block_on;
use proptest::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

const PAYER: &str = "TBYMg4pzqUVKeBDFcaUfUc61PGY8mTjfE8";
const WALLET: &str = "THXnVfYBJdhehBoWGWi4vavFNWKAUhk8Nj";

struct Books {
    ctx: PostingContext,
    wallet: Uuid,
    trx_wallet: Uuid,
    income: Uuid,
    bank: Uuid,
}

fn books() -> Books {
    let mut accounts = HashMap::new();
    let mut add = |code: &str, crypto_wallet: bool| {
        let id = Uuid::new_v4();
        accounts.insert(
            id,
            AccountFacts {
                currency: Currency::parse(code).unwrap(),
                archived: false,
                crypto_wallet,
            },
        );
        id
    };
    let wallet = add("USDT", true);
    let trx_wallet = add("TRX", true);
    let income = add("USDT", false);
    let bank = add("USDT", false);
    Books {
        ctx: PostingContext {
            accounts,
            ..Default::default()
        },
        wallet,
        trx_wallet,
        income,
        bank,
    }
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn details(amount: &str) -> CryptoDetails {
    CryptoDetails {
        network: CryptoNetwork::Tron,
        token: CryptoToken::Usdt,
        contract: Some(USDT_TRC20_CONTRACT.into()),
        tx_hash: "66836886a260cd0b7b45145c1a81682c64e50cad66237a0465e7e4236472f1a3".into(),
        from: PAYER.into(),
        to: WALLET.into(),
        amount: d(amount),
        fee_trx: d("27.3447"),
        block: Some(63_312_541),
        confirmations: Some(1843),
    }
}

fn post(debit: Uuid, credit: Uuid, amount: &str, crypto: CryptoDetails) -> TransactionCommand {
    let leg = |account_id, amount: Decimal| LegInput {
        account_id,
        amount,
        price: None,
        memo: None,
    };
    TransactionCommand::Post(PostTransaction {
        adjusts: None,
        date: NaiveDate::from_ymd_opt(2024, 7, 3).unwrap(),
        origin: None,
        kind: TransactionKind::Income,
        description: "USDT in".into(),
        legs: vec![leg(debit, d(amount)), leg(credit, -d(amount))],
        project_id: None,
        category_id: None,
        counterparty_id: None,
        tags: vec![],
        idempotency_key: None,
        fingerprint: "f".into(),
        reverses: None,
        replaces: None,
        crypto: Some(Box::new(crypto)),
    })
}

fn run(
    t: &mut Transaction,
    cmd: TransactionCommand,
    ctx: &PostingContext,
) -> Result<Vec<TransactionEvent>, DomainError> {
    block_on(decide(t, cmd, ctx))
}

fn verification(result: VerifyResult) -> TransactionCommand {
    TransactionCommand::RecordCryptoVerification(CryptoVerification {
        verified_at: Utc::now(),
        confirmations: Some(1843),
        block: Some(63_312_541),
        result,
    })
}

#[test]
fn wallet_posting_keeps_normalised_details_and_records_verification() {
    let b = books();
    let mut t = Transaction::default();
    let events = run(
        &mut t,
        post(b.wallet, b.income, "1500.25", details("1500.25")),
        &b.ctx,
    )
    .unwrap();
    let TransactionEvent::Posted(p) = &events[0] else {
        panic!("posted")
    };
    let c = p.crypto.as_ref().unwrap();
    assert_eq!(c.amount.to_string(), "1500.250000");
    assert_eq!(c.fee_trx.to_string(), "27.344700");
    run(&mut t, verification(VerifyResult::Verified), &b.ctx).unwrap();
    assert_eq!(
        t.crypto_verification.as_ref().unwrap().result,
        VerifyResult::Verified
    );
    // The state rebuilt from the log is the same.
    let mut all = events.clone();
    all.push(TransactionEvent::CryptoVerified(
        t.crypto_verification.clone().unwrap(),
    ));
    assert_eq!(replay::<Transaction>(all), t);
}

#[test]
fn details_without_a_wallet_leg_are_refused() {
    let b = books();
    let err = run(
        &mut Transaction::default(),
        post(b.bank, b.income, "1500.25", details("1500.25")),
        &b.ctx,
    )
    .unwrap_err();
    assert!(
        matches!(err, DomainError::Invalid { ref field, .. } if field == "crypto"),
        "{err:?}"
    );
    // USDT details on a TRX wallet: the token must be the wallet leg's currency.
    let mut ctx = b.ctx.clone();
    ctx.accounts.get_mut(&b.income).unwrap().currency = Currency::parse("TRX").unwrap();
    assert!(
        run(
            &mut Transaction::default(),
            post(b.trx_wallet, b.income, "1500.25", details("1500.25")),
            &ctx,
        )
        .is_err()
    );
}

#[test]
fn a_reversed_posting_or_one_without_details_is_not_verified() {
    let b = books();
    let mut t = Transaction::default();
    run(&mut t, post(b.wallet, b.income, "1", details("1")), &b.ctx).unwrap();
    run(
        &mut t,
        TransactionCommand::MarkReversed {
            reversal_id: Uuid::new_v4(),
            replaced_by: None,
        },
        &b.ctx,
    )
    .unwrap();
    assert!(matches!(
        run(&mut t, verification(VerifyResult::Verified), &b.ctx),
        Err(DomainError::Refused(Refusal::ReversedNotVerified))
    ));
    assert!(
        run(
            &mut Transaction::default(),
            verification(VerifyResult::NotFound),
            &b.ctx
        )
        .is_err()
    );
}

proptest! {
    /// A fee is accepted iff it is non-negative with at most 6 decimals, and then kept at
    /// exactly scale 6 with its value unchanged.
    #[test]
    fn fee_scale_is_enforced(units in -1_000_000_000i64..1_000_000_000, scale in 0u32..10) {
        let fee = Decimal::new(units, scale);
        let b = books();
        let mut c = details("1");
        c.fee_trx = fee;
        let result = run(&mut Transaction::default(), post(b.wallet, b.income, "1", c), &b.ctx);
        let ok = fee >= Decimal::ZERO && fee.normalize().scale() <= 6;
        prop_assert_eq!(result.is_ok(), ok, "{} -> {:?}", fee, result);
        if let Ok(events) = result {
            let TransactionEvent::Posted(p) = &events[0] else { unreachable!() };
            let kept = p.crypto.as_ref().unwrap().fee_trx;
            prop_assert_eq!(kept, fee);
            prop_assert_eq!(kept.scale(), 6);
        }
    }

    /// The details' amount must equal the wallet leg exactly.
    #[test]
    fn amount_must_match_the_wallet_leg(leg in 1i64..10_000_000, off in -3i64..3) {
        let b = books();
        let amount = Decimal::new(leg, 6);
        let claimed = Decimal::new(leg + off, 6);
        let result = run(
            &mut Transaction::default(),
            post(b.wallet, b.income, &amount.to_string(), details(&claimed.to_string())),
            &b.ctx,
        );
        prop_assert_eq!(result.is_ok(), off == 0);
    }
}

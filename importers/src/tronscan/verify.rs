//! Does a transaction pay what an invoice expects? Pure comparison, no I/O, so every rule is
//! unit-tested; the client only fetches the transaction and calls [`check`].

use rust_decimal::Decimal;

use super::model::{Token, TokenTransfer, TxInfo};
use super::wire::SUCCESS;

/// What a payment should look like. `from`/`to` are checked only when given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    pub token: Token,
    pub amount: Decimal,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One concrete way a transaction differs from the expected payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    NotConfirmed {
        confirmations: u64,
    },
    /// The execution result was not SUCCESS ("REVERT", "OUT_OF_ENERGY", ...).
    Failed {
        contract_ret: String,
    },
    Reverted,
    /// No transfer of the expected token; `found` lists the tokens that did move.
    WrongToken {
        expected: Token,
        found: Vec<Token>,
    },
    WrongAmount {
        expected: Decimal,
        found: Decimal,
    },
    WrongFrom {
        expected: String,
        found: String,
    },
    WrongTo {
        expected: String,
        found: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    /// TronScan does not know the hash (yet).
    NotFound,
    Verified {
        block: u64,
        confirmations: u64,
        /// The transfer that matched.
        transfer: TokenTransfer,
    },
    Mismatched(Vec<Mismatch>),
}

impl Verification {
    pub fn is_verified(&self) -> bool {
        matches!(self, Verification::Verified { .. })
    }
}

/// Compares `tx` with `expected`. A transaction with several transfers (a contract paying out)
/// verifies when any one transfer matches in token, amount, sender and receiver. When none does,
/// the mismatches reported are those of the closest transfer of the right token.
pub fn check(tx: &TxInfo, expected: &Expected) -> Verification {
    let mut mismatches = status_mismatches(tx);

    let candidates: Vec<&TokenTransfer> = tx
        .transfers
        .iter()
        .filter(|t| t.token == expected.token)
        .collect();
    if candidates.is_empty() {
        let mut found: Vec<Token> = tx.transfers.iter().map(|t| t.token.clone()).collect();
        found.sort();
        found.dedup();
        mismatches.push(Mismatch::WrongToken {
            expected: expected.token.clone(),
            found,
        });
        return Verification::Mismatched(mismatches);
    }

    let best = candidates
        .iter()
        .min_by_key(|t| field_mismatches(t, expected).len())
        .copied();
    let Some(best) = best else {
        return Verification::Mismatched(mismatches);
    };
    mismatches.extend(field_mismatches(best, expected));
    if mismatches.is_empty() {
        Verification::Verified {
            block: tx.block,
            confirmations: tx.confirmations,
            transfer: best.clone(),
        }
    } else {
        Verification::Mismatched(mismatches)
    }
}

fn status_mismatches(tx: &TxInfo) -> Vec<Mismatch> {
    let mut out = Vec::new();
    if !tx.confirmed {
        out.push(Mismatch::NotConfirmed {
            confirmations: tx.confirmations,
        });
    }
    if tx.contract_ret != SUCCESS {
        out.push(Mismatch::Failed {
            contract_ret: tx.contract_ret.clone(),
        });
    }
    if tx.reverted {
        out.push(Mismatch::Reverted);
    }
    out
}

fn field_mismatches(transfer: &TokenTransfer, expected: &Expected) -> Vec<Mismatch> {
    let mut out = Vec::new();
    // Decimal equality ignores scale: 1.5 equals 1.500000.
    if transfer.amount != expected.amount {
        out.push(Mismatch::WrongAmount {
            expected: expected.amount,
            found: transfer.amount,
        });
    }
    if let Some(from) = &expected.from
        && *from != transfer.from
    {
        out.push(Mismatch::WrongFrom {
            expected: from.clone(),
            found: transfer.from.clone(),
        });
    }
    if let Some(to) = &expected.to
        && *to != transfer.to
    {
        out.push(Mismatch::WrongTo {
            expected: to.clone(),
            found: transfer.to.clone(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use std::str::FromStr;

    const A: &str = "TBYMg4pzqUVKeBDFcaUfUc61PGY8mTjfE8";
    const B: &str = "THXnVfYBJdhehBoWGWi4vavFNWKAUhk8Nj";
    const FAKE_USDT: &str = "TQr56EdpSmaZDzUNBS4C2kp3uf5ptgLpcu";

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn usdt(amount: &str, from: &str, to: &str) -> TokenTransfer {
        TokenTransfer {
            token: Token::usdt(),
            symbol: "USDT".into(),
            decimals: 6,
            from: from.into(),
            to: to.into(),
            amount: dec(amount),
        }
    }

    fn tx(transfers: Vec<TokenTransfer>) -> TxInfo {
        TxInfo {
            hash: "ab".repeat(32),
            block: 64_200_001,
            timestamp: Utc.timestamp_millis_opt(1_720_000_000_000).unwrap(),
            confirmed: true,
            confirmations: 120,
            contract_ret: "SUCCESS".into(),
            reverted: false,
            success: true,
            owner_address: Some(A.into()),
            to_address: Some(crate::tronscan::model::USDT_CONTRACT.into()),
            fee_trx: Decimal::ZERO,
            transfers,
        }
    }

    fn expect(amount: &str) -> Expected {
        Expected {
            token: Token::usdt(),
            amount: dec(amount),
            from: Some(A.into()),
            to: Some(B.into()),
        }
    }

    #[test]
    fn exact_match_verifies_regardless_of_scale() {
        let t = tx(vec![usdt("1.500000", A, B)]);
        let v = check(&t, &expect("1.5"));
        assert_eq!(
            v,
            Verification::Verified {
                block: 64_200_001,
                confirmations: 120,
                transfer: usdt("1.5", A, B)
            }
        );
    }

    #[test]
    fn every_difference_is_listed() {
        let mut t = tx(vec![usdt("1.4", B, A)]);
        t.confirmed = false;
        t.contract_ret = "REVERT".into();
        t.reverted = true;
        t.success = false;
        let Verification::Mismatched(m) = check(&t, &expect("1.5")) else {
            panic!("should not verify");
        };
        assert_eq!(
            m,
            vec![
                Mismatch::NotConfirmed { confirmations: 120 },
                Mismatch::Failed {
                    contract_ret: "REVERT".into()
                },
                Mismatch::Reverted,
                Mismatch::WrongAmount {
                    expected: dec("1.5"),
                    found: dec("1.4")
                },
                Mismatch::WrongFrom {
                    expected: A.into(),
                    found: B.into()
                },
                Mismatch::WrongTo {
                    expected: B.into(),
                    found: A.into()
                },
            ]
        );
    }

    #[test]
    fn a_token_called_usdt_is_not_usdt() {
        let mut fake = usdt("1.5", A, B);
        fake.token = Token::trc20(FAKE_USDT);
        let v = check(&tx(vec![fake]), &expect("1.5"));
        assert_eq!(
            v,
            Verification::Mismatched(vec![Mismatch::WrongToken {
                expected: Token::usdt(),
                found: vec![Token::trc20(FAKE_USDT)]
            }])
        );
    }

    #[test]
    fn any_matching_transfer_of_several_verifies() {
        let t = tx(vec![usdt("9", A, A), usdt("1.5", A, B), usdt("2", B, A)]);
        assert!(check(&t, &expect("1.5")).is_verified());
    }

    #[test]
    fn the_closest_transfer_explains_the_miss() {
        let t = tx(vec![usdt("9", B, A), usdt("1.6", A, B)]);
        assert_eq!(
            check(&t, &expect("1.5")),
            Verification::Mismatched(vec![Mismatch::WrongAmount {
                expected: dec("1.5"),
                found: dec("1.6")
            }])
        );
    }

    #[test]
    fn unchecked_parties_are_not_compared() {
        let t = tx(vec![usdt("1.5", B, A)]);
        let mut e = expect("1.5");
        e.from = None;
        e.to = None;
        assert!(check(&t, &e).is_verified());
    }

    #[test]
    fn trx_expected_but_usdt_sent() {
        let t = tx(vec![usdt("1.5", A, B)]);
        let mut e = expect("1.5");
        e.token = Token::Trx;
        assert!(matches!(
            check(&t, &e),
            Verification::Mismatched(m) if matches!(&m[..], [Mismatch::WrongToken { .. }])
        ));
    }
}

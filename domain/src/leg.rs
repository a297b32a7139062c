//! A leg as posted: the piece of a transaction that both the transaction's own rules and the
//! crypto details' check read (kept apart so neither has to import the other for it).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::{Currency, Money};

/// One side of a transaction as posted: a signed amount in the account's currency (debit
/// positive, credit negative) and, when it is balanced against another currency, its weight in
/// that currency (Beancount's `@@` total price).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leg {
    pub account_id: Uuid,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    pub currency: Currency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
}

impl Leg {
    /// What this leg contributes to the balance check: its weight if priced, else itself.
    pub fn balance_contribution(&self) -> Money {
        self.weight.unwrap_or(Money {
            amount: self.amount,
            currency: self.currency,
        })
    }
}

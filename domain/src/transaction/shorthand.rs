//! The shorthand forms of a posting: income, expense and transfer, each a pair of legs with
//! its sign rule, and the transfer across currencies with its rate rounding.

use rust_decimal::Decimal;
use thiserror::Error;
use uuid::Uuid;

use super::{LegInput, Price, TransactionKind, debit_credit};
use crate::money::{Currency, round_to_scale};

/// A posting given in one of the short forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shorthand {
    /// Money in: `account_id` is debited, `income_account_id` credited.
    Income {
        account_id: Uuid,
        income_account_id: Uuid,
        amount: Decimal,
    },
    /// Money out: `expense_account_id` is debited, `account_id` credited.
    Expense {
        account_id: Uuid,
        expense_account_id: Uuid,
        amount: Decimal,
    },
    /// Between two accounts. Across currencies exactly one of `rate` (units of the target
    /// currency per unit of the source) and `to_amount` says what arrives.
    Transfer {
        from_account_id: Uuid,
        to_account_id: Uuid,
        amount: Decimal,
        rate: Option<Decimal>,
        to_amount: Option<Decimal>,
    },
}

/// Which short form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Income,
    Expense,
    Transfer,
}

impl Form {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Income => "income",
            Self::Expense => "expense",
            Self::Transfer => "transfer",
        }
    }
}

/// A number of a short form that must be positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    Amount,
    Rate,
    ToAmount,
}

impl Figure {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Amount => "amount",
            Self::Rate => "rate",
            Self::ToAmount => "to_amount",
        }
    }
}

/// Why a short form was refused. Each names the form (and figure) it is about.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ShorthandError {
    #[error("must be positive")]
    NotPositive { form: Form, figure: Figure },
    #[error("a transfer from {from} to {to} needs exactly one of `rate` and `to_amount`")]
    TransferNeedsRate { from: Currency, to: Currency },
    #[error("`rate` and `to_amount` are for transfers across currencies")]
    TransferRateInOneCurrency,
}

fn positive(form: Form, figure: Figure, value: Decimal) -> Result<Decimal, ShorthandError> {
    if value <= Decimal::ZERO {
        return Err(ShorthandError::NotPositive { form, figure });
    }
    Ok(value)
}

impl Shorthand {
    pub fn form(&self) -> Form {
        match self {
            Self::Income { .. } => Form::Income,
            Self::Expense { .. } => Form::Expense,
            Self::Transfer { .. } => Form::Transfer,
        }
    }

    /// The kind and legs of the posting. `currency_of` knows the currencies of the accounts a
    /// transfer names (an unknown account is left for the posting rules to refuse).
    pub fn legs(
        &self,
        currency_of: impl Fn(Uuid) -> Option<Currency>,
    ) -> Result<(TransactionKind, Vec<LegInput>), ShorthandError> {
        let form = self.form();
        match *self {
            Self::Income {
                account_id,
                income_account_id,
                amount,
            } => {
                let a = positive(form, Figure::Amount, amount)?;
                Ok((
                    TransactionKind::Income,
                    debit_credit(account_id, income_account_id, a),
                ))
            }
            Self::Expense {
                account_id,
                expense_account_id,
                amount,
            } => {
                let a = positive(form, Figure::Amount, amount)?;
                Ok((
                    TransactionKind::Expense,
                    debit_credit(expense_account_id, account_id, a),
                ))
            }
            Self::Transfer {
                from_account_id,
                to_account_id,
                amount,
                rate,
                to_amount,
            } => {
                let a = positive(form, Figure::Amount, amount)?;
                let from = currency_of(from_account_id);
                let to = currency_of(to_account_id);
                let (arrives, price) = arrival(a, from, to, rate, to_amount)?;
                let legs = vec![
                    LegInput::new(from_account_id, -a).with_price(price),
                    LegInput::new(to_account_id, arrives),
                ];
                Ok((TransactionKind::Transfer, legs))
            }
        }
    }
}

/// What a transfer of `amount` lands in the target account, and the price the source leg
/// carries. Across currencies a rate is applied and rounded half-even to the target's scale.
fn arrival(
    amount: Decimal,
    from: Option<Currency>,
    to: Option<Currency>,
    rate: Option<Decimal>,
    to_amount: Option<Decimal>,
) -> Result<(Decimal, Option<Price>), ShorthandError> {
    let form = Form::Transfer;
    match (from, to) {
        (Some(f), Some(c)) if f != c => {
            let arrives = match (rate, to_amount) {
                (Some(rate), None) => {
                    round_to_scale(amount * positive(form, Figure::Rate, rate)?, c)
                }
                (None, Some(to_amount)) => positive(form, Figure::ToAmount, to_amount)?,
                _ => return Err(ShorthandError::TransferNeedsRate { from: f, to: c }),
            };
            let price = Price::Total {
                currency: c,
                total: arrives,
            };
            Ok((arrives, Some(price)))
        }
        _ => {
            if rate.is_some() || to_amount.is_some_and(|x| x != amount) {
                return Err(ShorthandError::TransferRateInOneCurrency);
            }
            Ok((amount, None))
        }
    }
}

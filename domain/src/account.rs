use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entity::{Entity, EntitySpec, MAX_TEXT_CHARS, clean_line, clean_name, clean_text};
use crate::error::DomainError;
use crate::money::Currency;
use crate::transaction::{PostTransaction, TransactionKind, debit_credit};
use crate::tron;

/// The five classes of double-entry accounts. Debits are positive and credits negative, so an
/// asset's natural balance is positive and an income account's is negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    Asset,
    Liability,
    Equity,
    Income,
    Expense,
}

impl AccountType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asset => "asset",
            Self::Liability => "liability",
            Self::Equity => "equity",
            Self::Income => "income",
            Self::Expense => "expense",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Bank,
    Cash,
    Card,
    CryptoWallet,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub account_type: AccountType,
    pub kind: AccountKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "USD"))]
    pub currency: Currency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tron_address: Option<String>,
}

pub type Account = Entity<AccountSpec>;

impl EntitySpec for AccountSpec {
    const TYPE: &'static str = "account";
    type Context = ();

    fn validate(self, previous: Option<&Self>, _: &()) -> Result<Self, DomainError> {
        if let Some(prev) = previous {
            // Postings are recorded in the account's currency and classified by its type;
            // changing either would silently rewrite history.
            if prev.currency != self.currency {
                return Err(DomainError::invalid(
                    "currency",
                    "cannot change once the account exists",
                ));
            }
            if prev.account_type != self.account_type {
                return Err(DomainError::invalid(
                    "type",
                    "cannot change once the account exists",
                ));
            }
        }
        let tron_address = match self.tron_address {
            Some(a) if !a.trim().is_empty() => {
                if self.kind != AccountKind::CryptoWallet {
                    return Err(DomainError::invalid(
                        "tron_address",
                        "only crypto_wallet accounts carry an address",
                    ));
                }
                Some(tron::validate_address("tron_address", &a)?)
            }
            _ => None,
        };
        Ok(Self {
            name: clean_name("name", self.name)?,
            code: clean_line("code", self.code, 50)?,
            description: clean_text("description", self.description, MAX_TEXT_CHARS)?,
            tron_address,
            ..self
        })
    }
}

/// Namespace of the opening-balance ids: the per-currency equity accounts and each account's
/// opening posting.
const OPENING_NAMESPACE: Uuid = Uuid::from_u128(0x6f70_656e_696e_672d_6261_6c61_6e63_6573);

/// The equity account that takes the other side of opening balances in `currency`: one per
/// currency, created on first use, always with this id and this spec.
pub fn opening_equity(currency: Currency) -> (Uuid, AccountSpec) {
    let spec = AccountSpec {
        name: format!("Opening balances ({currency})"),
        account_type: AccountType::Equity,
        kind: AccountKind::Other,
        currency,
        code: None,
        description: Some("Counterpart of opening balances".into()),
        tron_address: None,
    };
    (opening_equity_id(currency), spec)
}

/// The id of [`opening_equity`]'s account in `currency`.
pub fn opening_equity_id(currency: Currency) -> Uuid {
    Uuid::new_v5(&OPENING_NAMESPACE, currency.code().as_bytes())
}

/// The id of account `account_id`'s opening-balance posting (an account has at most one).
pub fn opening_transaction_id(account_id: Uuid) -> Uuid {
    Uuid::new_v5(&OPENING_NAMESPACE, account_id.as_bytes())
}

/// The opening balance of account `account_id` in `currency` on `date`: `amount` (debit
/// positive) against the currency's opening equity. None for a zero balance, which posts
/// nothing.
pub fn opening_balance(
    account_id: Uuid,
    currency: Currency,
    amount: Decimal,
    date: NaiveDate,
) -> Option<PostTransaction> {
    if amount.is_zero() {
        return None;
    }
    let legs = debit_credit(account_id, opening_equity_id(currency), amount);
    Some(PostTransaction {
        fingerprint: format!("opening:{account_id}"),
        ..PostTransaction::new(date, TransactionKind::Opening, "Opening balance", legs)
    })
}

//! What posting a pending item books: the wallet leg (debited for money in, credited for money
//! out), the counter leg the user chose (valued at the day's rate when it is in another
//! currency), and for an outgoing transfer the network fee, from the TRX wallet that paid it to
//! a fee expense account. Pure: the caller looks up the accounts' currencies and the rates.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use thiserror::Error;
use uuid::Uuid;

use super::{TransferDirection, WalletTransfer};
use crate::crypto::{CryptoDetails, CryptoNetwork, CryptoToken};
use crate::money::{Currency, round_to_scale};
use crate::transaction::{LegInput, Origin, OriginKind, PostTransaction, Price, TransactionKind};

/// The memo of both fee legs.
pub const FEE_MEMO: &str = "network fee";

/// Which leg of an item posting a refusal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemLeg {
    Counter,
    FeeExpense,
}

/// Why an item cannot be posted as the user asked.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ItemPostingError {
    #[error("a transfer from the wallet to itself moves nothing to categorise; dismiss it")]
    SelfTransfer,
    #[error("must not be negative")]
    NegativeFee,
    #[error("the transfer paid a network fee of {fee_trx} TRX; name its expense account")]
    FeeExpenseAccountMissing { fee_trx: Decimal },
    #[error("a USDT wallet pays its fees from a TRX wallet; name it")]
    FeeAccountMissing,
    #[error("the fee is paid in TRX: name a TRX account")]
    FeeAccountNotTrx,
    #[error("{amount} {} is worth nothing in {}", from.code(), to.code())]
    WorthNothing {
        leg: ItemLeg,
        amount: Decimal,
        from: Currency,
        to: Currency,
    },
}

/// The signed amount of the wallet's own leg: money in debits it, money out credits it.
pub fn wallet_amount(item: &WalletTransfer) -> Result<Decimal, ItemPostingError> {
    match item.direction {
        TransferDirection::In => Ok(item.amount),
        TransferDirection::Out => Ok(-item.amount),
        TransferDirection::SelfTransfer => Err(ItemPostingError::SelfTransfer),
    }
}

/// A fee the user or the explorer gave.
pub fn check_fee(fee_trx: Decimal) -> Result<Decimal, ItemPostingError> {
    if fee_trx.is_sign_negative() {
        return Err(ItemPostingError::NegativeFee);
    }
    Ok(fee_trx)
}

/// A leg amount with its price, as it goes into the posting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valued {
    pub amount: Decimal,
    pub price: Option<Price>,
}

/// `amount` of `from` as a leg in `to`: unchanged in one currency; else `|amount| × rate`
/// rounded half-even to `to`'s scale, with the sign of `amount`, priced at `amount` of `from`.
/// `rate` is units of `to` per unit of `from`; it is only read across currencies.
pub fn valued(
    leg: ItemLeg,
    amount: Decimal,
    from: Currency,
    to: Currency,
    rate: Decimal,
) -> Result<Valued, ItemPostingError> {
    if from == to {
        return Ok(Valued {
            amount,
            price: None,
        });
    }
    let value = round_to_scale(amount.abs() * rate, to);
    if value.is_zero() {
        return Err(ItemPostingError::WorthNothing {
            leg,
            amount,
            from,
            to,
        });
    }
    Ok(Valued {
        amount: if amount.is_sign_negative() {
            -value
        } else {
            value
        },
        price: Some(Price::Total {
            currency: from,
            total: amount.abs(),
        }),
    })
}

/// Who pays an outgoing transfer's fee, and which expense account takes it. None when there
/// is no fee to book (money in, or a zero fee).
pub fn fee_accounts(
    item: &WalletTransfer,
    wallet_account_id: Uuid,
    fee_trx: Decimal,
    fee_account_id: Option<Uuid>,
    fee_expense_account_id: Option<Uuid>,
) -> Result<Option<FeeAccounts>, ItemPostingError> {
    if item.direction != TransferDirection::Out || fee_trx.is_zero() {
        return Ok(None);
    }
    let expense_account_id =
        fee_expense_account_id.ok_or(ItemPostingError::FeeExpenseAccountMissing { fee_trx })?;
    let payer_account_id = match (fee_account_id, item.token) {
        (Some(id), _) => id,
        (None, CryptoToken::Trx) => wallet_account_id,
        (None, CryptoToken::Usdt) => return Err(ItemPostingError::FeeAccountMissing),
    };
    Ok(Some(FeeAccounts {
        payer_account_id,
        expense_account_id,
    }))
}

/// The accounts of a fee: the TRX wallet that paid it and the expense it is booked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeAccounts {
    pub payer_account_id: Uuid,
    pub expense_account_id: Uuid,
}

impl FeeAccounts {
    /// The fee is TRX: its payer must hold TRX.
    pub fn check_payer(&self, payer_currency: Currency) -> Result<(), ItemPostingError> {
        if payer_currency != CryptoToken::Trx.currency() {
            return Err(ItemPostingError::FeeAccountNotTrx);
        }
        Ok(())
    }
}

/// A fee as booked: paid from `accounts.payer_account_id`, its expense valued in the expense
/// account's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeLegs {
    pub accounts: FeeAccounts,
    pub expense: Valued,
}

/// Everything an item posting needs, decided or looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemPosting {
    pub wallet_account_id: Uuid,
    pub item: WalletTransfer,
    pub date: NaiveDate,
    pub description: Option<String>,
    pub counter_account_id: Uuid,
    /// The counter leg, valued in the counter account's currency.
    pub counter: Valued,
    /// Whether the counter account is itself a wallet (a swap or a move between own wallets).
    pub counter_is_wallet: bool,
    pub fee_trx: Decimal,
    pub fee: Option<FeeLegs>,
    pub block: Option<u64>,
    pub confirmations: Option<u64>,
    pub project_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub counterparty_id: Option<Uuid>,
    pub tags: Vec<String>,
}

/// The idempotency key of posting wallet `account_id`'s item `tx_hash`: a retry lands on the
/// same transaction.
pub fn item_key(account_id: Uuid, tx_hash: &str) -> String {
    format!("tron:{account_id}:{tx_hash}")
}

/// The posting of a pending item, with its crypto details and the wallet as its origin.
pub fn item_posting(p: ItemPosting) -> Result<PostTransaction, ItemPostingError> {
    let outgoing = p.item.direction == TransferDirection::Out;
    let mut legs = vec![
        LegInput::new(p.wallet_account_id, wallet_amount(&p.item)?),
        LegInput::new(p.counter_account_id, p.counter.amount).with_price(p.counter.price),
    ];
    if let Some(fee) = p.fee {
        let memo = || Some(FEE_MEMO.to_string());
        legs.push(LegInput::new(fee.accounts.payer_account_id, -p.fee_trx).with_memo(memo()));
        legs.push(
            LegInput::new(fee.accounts.expense_account_id, fee.expense.amount)
                .with_price(fee.expense.price)
                .with_memo(memo()),
        );
    }
    let kind = match (p.counter_is_wallet, outgoing) {
        (true, _) => TransactionKind::Transfer,
        (false, false) => TransactionKind::Income,
        (false, true) => TransactionKind::Expense,
    };
    let item = p.item;
    let description = p.description.unwrap_or_else(|| {
        let (way, other) = if outgoing {
            ("to", &item.to)
        } else {
            ("from", &item.from)
        };
        format!("{} {} {way} {other}", item.amount, item.token.code())
    });
    let key = item_key(p.wallet_account_id, &item.tx_hash);
    let crypto = CryptoDetails {
        network: CryptoNetwork::Tron,
        token: item.token,
        contract: item.token.contract().map(str::to_string),
        amount: item.amount,
        fee_trx: p.fee_trx,
        block: p.block,
        confirmations: p.confirmations,
        tx_hash: item.tx_hash,
        from: item.from,
        to: item.to,
    };
    Ok(PostTransaction {
        origin: Some(Origin {
            kind: OriginKind::TronWallet,
            id: p.wallet_account_id,
        }),
        project_id: p.project_id,
        category_id: p.category_id,
        counterparty_id: p.counterparty_id,
        tags: p.tags,
        idempotency_key: Some(key.clone()),
        fingerprint: key,
        crypto: Some(Box::new(crypto)),
        ..PostTransaction::new(p.date, kind, description, legs)
    })
}

//! Crypto commands on Tron: verify a posting's crypto details against TronScan, sync a wallet's
//! history into pending items, and post or dismiss those items. TronScan is called before any
//! database transaction opens, so a network failure writes nothing.

use std::collections::HashSet;

use chrono::{NaiveDate, Utc};
use domain::account::{Account, AccountKind, AccountSpec};
use domain::aggregate::decide;
use domain::crypto::{CryptoToken, CryptoVerification, VerifyResult};
use domain::error::Refusal;
use domain::transaction::{Transaction, TransactionCommand, TransactionKind};
use domain::tron_wallet::posting::{self as tron_posting, FeeLegs, ItemLeg, ItemPosting, Valued};
use domain::tron_wallet::{TransferDirection, TronWallet, TronWalletCommand, WalletTransfer};
use domain::{Currency, DomainError};
use importers::tronscan::{
    Direction, Expected, Mismatch, Token, Transfer, TronScanClient, TronScanError, Verification,
};
use rust_decimal::Decimal;
use sqlx::PgPool;
use uuid::Uuid;

use super::transactions::{PostRequest, decide_in, transaction_id};
use super::{Actor, Written};
use crate::error::AppError;
use crate::executor::{self, Lock, Run};
use eventstore as store;

/// TronScan's failures: a rate limit that outlasted the retries, a timeout, anything else on
/// the way; bad input the client caught names its field.
pub fn tronscan_error(e: TronScanError) -> AppError {
    use crate::error::UpstreamFailure as F;
    let (failure, detail) = match e {
        TronScanError::InvalidHash(_) => return AppError::invalid("tx_hash", e.to_string()),
        TronScanError::InvalidAddress(_) => return AppError::invalid("address", e.to_string()),
        e if e.is_rate_limited() => (
            F::TronScanRateLimited,
            format!("TronScan is rate limiting us; nothing was written, retry later ({e})"),
        ),
        e if e.is_timeout() => (
            F::TronScanTimeout,
            format!("TronScan did not answer in time; nothing was written ({e})"),
        ),
        e => (
            F::TronScanFailed,
            format!("TronScan could not be read; nothing was written ({e})"),
        ),
    };
    AppError::Upstream { failure, detail }
}

/// Counts a TronScan call's outcome for `/metrics`, remembers its last success or failure, and
/// maps a failure to the application's error.
async fn observed<T>(
    pool: &PgPool,
    operation: &'static str,
    result: Result<T, TronScanError>,
) -> Result<T, AppError> {
    use crate::ops::{metrics, upstream};
    let outcome = match &result {
        Ok(_) => metrics::SUCCESS,
        // Bad input the client caught never reached TronScan: no call to count.
        Err(TronScanError::InvalidHash(_) | TronScanError::InvalidAddress(_)) => {
            return result.map_err(tronscan_error);
        }
        Err(e) if e.is_rate_limited() => "rate_limited",
        Err(e) if e.is_timeout() => "timeout",
        Err(_) => metrics::FAILURE,
    };
    metrics::tronscan_called(operation, outcome);
    let error = result.as_ref().err().map(ToString::to_string);
    upstream::record(pool, upstream::TRONSCAN, error.as_deref()).await;
    result.map_err(tronscan_error)
}

/// What a refused concurrent write names.
const SUBJECT: &str = "the record";

fn token_of(t: CryptoToken) -> Token {
    match t {
        CryptoToken::Trx => Token::Trx,
        CryptoToken::Usdt => Token::usdt(),
    }
}

fn describe_token(t: &Token) -> String {
    match t {
        Token::Trx => "TRX".into(),
        Token::Trc20 { contract } => format!("TRC20 {contract}"),
    }
}

/// One line a person can read per difference between the posting and the chain.
pub fn describe(m: &Mismatch) -> String {
    match m {
        Mismatch::NotConfirmed { confirmations } => {
            format!("not confirmed yet ({confirmations} confirmations)")
        }
        Mismatch::Failed { contract_ret } => format!("the transaction failed ({contract_ret})"),
        Mismatch::Reverted => "the transaction was reverted".into(),
        Mismatch::WrongToken { expected, found } => format!(
            "wrong token: expected {}, found {}",
            describe_token(expected),
            if found.is_empty() {
                "no transfer".to_string()
            } else {
                found
                    .iter()
                    .map(describe_token)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
        Mismatch::WrongAmount { expected, found } => {
            format!("wrong amount: expected {expected}, found {found}")
        }
        Mismatch::WrongFrom { expected, found } => {
            format!("wrong sender: expected {expected}, found {found}")
        }
        Mismatch::WrongTo { expected, found } => {
            format!("wrong recipient: expected {expected}, found {found}")
        }
    }
}

pub struct Verified {
    pub verification: CryptoVerification,
    pub position: i64,
}

/// Checks transaction `id`'s crypto details against TronScan and records the outcome (any
/// outcome: a mismatch is a fact worth keeping). Verified only when confirmed, successful, same
/// token/contract, same amount and same addresses.
pub async fn verify(
    pool: &PgPool,
    client: &TronScanClient,
    actor: &Actor,
    id: Uuid,
) -> Result<Verified, AppError> {
    let key = id.to_string();
    let details = {
        let mut conn = pool.acquire().await?;
        let (t, _) = store::load::<Transaction>(&mut conn, &key).await?;
        let posted = t
            .posted
            .as_ref()
            .ok_or_else(|| AppError::not_found(format!("transaction {id}")))?;
        // Refuse before calling out what the aggregate would refuse anyway.
        if t.reversed_by.is_some() || posted.kind == TransactionKind::Reversal {
            return Err(DomainError::from(Refusal::ReversedNotVerified).into());
        }
        posted
            .crypto
            .as_deref()
            .cloned()
            .ok_or_else(|| AppError::from(DomainError::from(Refusal::NoCryptoDetails)))?
    };
    let expected = Expected {
        token: token_of(details.token),
        amount: details.amount,
        from: Some(details.from.clone()),
        to: Some(details.to.clone()),
    };
    let outcome = observed(
        pool,
        "verify",
        client.verify(&details.tx_hash, &expected).await,
    )
    .await?;
    let verification = match outcome {
        Verification::NotFound => CryptoVerification {
            verified_at: Utc::now(),
            confirmations: None,
            block: None,
            result: VerifyResult::NotFound,
        },
        Verification::Verified {
            block,
            confirmations,
            ..
        } => CryptoVerification {
            verified_at: Utc::now(),
            confirmations: Some(confirmations),
            block: Some(block),
            result: VerifyResult::Verified,
        },
        Verification::Mismatched(list) => CryptoVerification {
            verified_at: Utc::now(),
            confirmations: None,
            block: None,
            result: VerifyResult::Mismatch {
                reasons: list.iter().map(describe).collect(),
            },
        },
    };
    let command = TransactionCommand::RecordCryptoVerification(verification.clone());
    let (key, command) = (&key, &command);
    let ((), written) = executor::execute(pool, Run::new(actor, SUBJECT), |mut work| {
        Box::pin(async move {
            let (mut t, version) = work.load::<Transaction>(key).await?;
            work.decide(key, &mut t, version, command.clone(), &Default::default())
                .await?;
            Ok((work, ()))
        })
    })
    .await?;
    Ok(Verified {
        verification,
        position: written.position,
    })
}

/// A crypto wallet account with its address and token.
struct Wallet {
    address: String,
    token: CryptoToken,
    currency: Currency,
}

async fn wallet(pool: &PgPool, account_id: Uuid) -> Result<Wallet, AppError> {
    let mut conn = pool.acquire().await?;
    let (account, _) = store::load::<Account>(&mut conn, &account_id.to_string()).await?;
    let spec: AccountSpec = account
        .spec
        .ok_or_else(|| AppError::not_found(format!("account {account_id}")))?;
    if spec.kind != AccountKind::CryptoWallet {
        return Err(AppError::invalid(
            "account_id",
            "only crypto_wallet accounts sync from Tron",
        ));
    }
    let address = spec
        .tron_address
        .ok_or_else(|| AppError::invalid("account_id", "the wallet has no tron_address to sync"))?;
    let token = CryptoToken::from_currency(spec.currency).ok_or_else(|| {
        AppError::invalid(
            "account_id",
            format!(
                "a Tron wallet holds TRX or USDT, not {}",
                spec.currency.code()
            ),
        )
    })?;
    Ok(Wallet {
        address,
        token,
        currency: spec.currency,
    })
}

fn wallet_transfer(token: CryptoToken, t: Transfer) -> WalletTransfer {
    WalletTransfer {
        tx_hash: t.hash,
        token,
        from: t.from,
        to: t.to,
        amount: t.amount,
        direction: match t.direction {
            Direction::In => TransferDirection::In,
            Direction::Out => TransferDirection::Out,
            Direction::SelfTransfer => TransferDirection::SelfTransfer,
        },
        block: t.block,
        time: t.time,
    }
}

pub struct Synced {
    pub found: usize,
    pub cursor: Option<chrono::DateTime<Utc>>,
    pub position: i64,
}

/// Reads the wallet's confirmed, successful transfers of its token since the last sync and
/// records the ones no posting knows as pending items. Posts nothing.
pub async fn sync(
    pool: &PgPool,
    client: &TronScanClient,
    actor: &Actor,
    account_id: Uuid,
) -> Result<Synced, AppError> {
    let w = wallet(pool, account_id).await?;
    let key = account_id.to_string();
    let since = {
        let mut conn = pool.acquire().await?;
        store::load::<TronWallet>(&mut conn, &key).await?.0.cursor
    };
    let fetched = match w.token {
        CryptoToken::Trx => client.trx_transfers(&w.address, since).await,
        CryptoToken::Usdt => {
            client
                .trc20_transfers(&w.address, since, Some(domain::crypto::USDT_TRC20_CONTRACT))
                .await
        }
    };
    let fetched = observed(pool, "wallet_sync", fetched).await?;
    let fetched: Vec<WalletTransfer> = fetched
        .into_iter()
        .map(|t| wallet_transfer(w.token, t))
        .collect();
    let hashes: Vec<String> = fetched.iter().map(|t| t.tx_hash.clone()).collect();
    let known: HashSet<String> = projections::crypto::known_hashes(pool, &hashes)
        .await?
        .into_iter()
        .collect();

    let command = TronWalletCommand::RecordSync {
        synced_at: Utc::now(),
        address: w.address,
        fetched,
        known_hashes: known,
    };
    let (key, command) = (&key, &command);
    let ((found, cursor), written) =
        executor::execute(pool, Run::new(actor, SUBJECT), |mut work| {
            Box::pin(async move {
                let (mut state, version) = work.load::<TronWallet>(key).await?;
                let events = decide(&mut state, command.clone(), &()).await?;
                let found = events
                    .iter()
                    .map(|e| match e {
                        domain::tron_wallet::TronWalletEvent::Synced { found, .. } => found.len(),
                        _ => 0,
                    })
                    .sum::<usize>();
                work.stage_domain::<TronWallet>(key, version, events)?;
                Ok((work, (found, state.cursor)))
            })
        })
        .await?;
    Ok(Synced {
        found,
        cursor,
        position: written.position,
    })
}

/// How the user categorises a pending item.
#[derive(Debug, Clone)]
pub struct PostItem {
    pub date: Option<NaiveDate>,
    pub description: Option<String>,
    /// Income for money in, expense (or a payable) for money out, another wallet for a swap or
    /// a move between own wallets. In another currency the leg is valued at the day's rate.
    pub counter_account_id: Uuid,
    pub fee_expense_account_id: Option<Uuid>,
    /// The TRX wallet that paid the fee; defaults to the wallet itself when it holds TRX.
    pub fee_account_id: Option<Uuid>,
    /// The fee in TRX; looked up on TronScan for outgoing transfers when not given.
    pub fee_trx: Option<Decimal>,
    pub project_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub counterparty_id: Option<Uuid>,
    pub tags: Vec<String>,
}

async fn account_currency(pool: &PgPool, id: Uuid) -> Result<(Currency, bool), AppError> {
    let mut conn = pool.acquire().await?;
    let (account, _) = store::load::<Account>(&mut conn, &id.to_string()).await?;
    let spec = account
        .spec
        .ok_or_else(|| AppError::not_found(format!("account {id}")))?;
    Ok((spec.currency, spec.kind == AccountKind::CryptoWallet))
}

/// `amount` of `from` as a leg in `to`, valued at `day`'s rate when the currencies differ.
async fn valued(
    pool: &PgPool,
    leg: ItemLeg,
    amount: Decimal,
    from: Currency,
    to: Currency,
    day: NaiveDate,
) -> Result<Valued, AppError> {
    let rate = if from == to {
        Decimal::ONE
    } else {
        projections::queries::rate_on(pool, from.code(), to.code(), day)
            .await?
            .ok_or_else(|| AppError::MissingRate {
                detail: format!(
                    "no {}/{} rate on or before {day} (within 31 days); add one under /api/rates",
                    from.code(),
                    to.code()
                ),
                field: crate::error::item_leg_field(leg).to_string(),
            })?
            .rate
    };
    tron_posting::valued(leg, amount, from, to, rate).map_err(AppError::from)
}

/// The fee legs of an outgoing item: its payer checked to hold TRX, its expense valued in
/// the expense account's currency at the day's rate. None when there is no fee to book.
async fn fee_legs(
    pool: &PgPool,
    item: &WalletTransfer,
    account_id: Uuid,
    fee_trx: Decimal,
    p: &PostItem,
    date: NaiveDate,
) -> Result<Option<FeeLegs>, AppError> {
    let accounts = tron_posting::fee_accounts(
        item,
        account_id,
        fee_trx,
        p.fee_account_id,
        p.fee_expense_account_id,
    )?;
    let Some(accounts) = accounts else {
        return Ok(None);
    };
    let (payer_currency, _) = account_currency(pool, accounts.payer_account_id).await?;
    accounts.check_payer(payer_currency)?;
    let (expense_currency, _) = account_currency(pool, accounts.expense_account_id).await?;
    let trx = CryptoToken::Trx.currency();
    let expense = valued(
        pool,
        ItemLeg::FeeExpense,
        fee_trx,
        trx,
        expense_currency,
        date,
    )
    .await?;
    Ok(Some(FeeLegs { accounts, expense }))
}

pub struct PostedItem {
    pub transaction_id: Uuid,
    pub position: i64,
}

/// Posts pending item `tx_hash` of wallet `account_id` as the user categorised it, with its
/// crypto details, and marks the item posted, in one database transaction. Incoming: the
/// wallet is debited. Outgoing: the wallet is credited and the network fee (TRX) goes to the
/// fee expense account.
pub async fn post_item(
    pool: &PgPool,
    client: &TronScanClient,
    actor: &Actor,
    account_id: Uuid,
    tx_hash: &str,
    p: PostItem,
) -> Result<PostedItem, AppError> {
    let w = wallet(pool, account_id).await?;
    let key = account_id.to_string();
    let item = {
        let mut conn = pool.acquire().await?;
        let (state, _) = store::load::<TronWallet>(&mut conn, &key).await?;
        state.item(tx_hash)?.0.clone()
    };
    let signed = tron_posting::wallet_amount(&item)?;
    let (fee_trx, block, confirmations) = chain_fee(pool, client, &item, p.fee_trx).await?;
    let fee_trx = tron_posting::check_fee(fee_trx)?;
    let date = p.date.unwrap_or_else(|| item.time.date_naive());
    let (counter_currency, counter_is_wallet) =
        account_currency(pool, p.counter_account_id).await?;
    let counter = valued(
        pool,
        ItemLeg::Counter,
        -signed,
        w.currency,
        counter_currency,
        date,
    )
    .await?;
    let fee = fee_legs(pool, &item, account_id, fee_trx, &p, date).await?;
    let command = tron_posting::item_posting(ItemPosting {
        wallet_account_id: account_id,
        item,
        date,
        description: p.description,
        counter_account_id: p.counter_account_id,
        counter,
        counter_is_wallet,
        fee_trx,
        fee,
        block,
        confirmations,
        project_id: p.project_id,
        category_id: p.category_id,
        counterparty_id: p.counterparty_id,
        tags: p.tags,
    })?;
    let request = PostRequest {
        id: transaction_id(command.idempotency_key.as_deref()),
        command,
    };
    let written = stage_item_posting(pool, actor, &key, tx_hash, &request).await?;
    Ok(PostedItem {
        transaction_id: request.id,
        position: written.position,
    })
}

/// An item's fee in TRX, its block and confirmations: as given for an outgoing item, else
/// looked up on TronScan; incoming items pay no fee.
async fn chain_fee(
    pool: &PgPool,
    client: &TronScanClient,
    item: &WalletTransfer,
    given_fee_trx: Option<Decimal>,
) -> Result<(Decimal, Option<u64>, Option<u64>), AppError> {
    let outgoing = item.direction == TransferDirection::Out;
    Ok(match (outgoing, given_fee_trx) {
        (false, _) => (Decimal::ZERO, Some(item.block), None),
        (true, Some(fee)) => (fee, Some(item.block), None),
        (true, None) => {
            let info = observed(pool, "transaction", client.transaction(&item.tx_hash).await)
                .await?
                .ok_or_else(|| {
                    AppError::invalid(
                        "fee_trx",
                        "TronScan does not know the transaction; give fee_trx",
                    )
                })?;
            (info.fee_trx, Some(info.block), Some(info.confirmations))
        }
    })
}

/// Posts `request` and marks wallet `key`'s item `tx_hash` posted by it, in one command.
async fn stage_item_posting(
    pool: &PgPool,
    actor: &Actor,
    key: &str,
    tx_hash: &str,
    request: &PostRequest,
) -> Result<Written, AppError> {
    let run = Run::new(actor, SUBJECT).lock(Lock::PostingFactsShared);
    let ((), written) = executor::execute(pool, run, |mut work| {
        Box::pin(async move {
            let (mut state, version) = work.load::<TronWallet>(key).await?;
            let command = TronWalletCommand::MarkPosted {
                tx_hash: tx_hash.to_string(),
                transaction_id: request.id,
            };
            let marked = decide(&mut state, command, &()).await?;
            let (events, _) = decide_in(work.conn(), std::slice::from_ref(request)).await?;
            work.stage(events);
            work.stage_domain::<TronWallet>(key, version, marked)?;
            Ok((work, ()))
        })
    })
    .await?;
    Ok(written)
}

/// Dismisses pending item `tx_hash`: the user says it needs no posting.
pub async fn dismiss_item(
    pool: &PgPool,
    actor: &Actor,
    account_id: Uuid,
    tx_hash: &str,
) -> Result<Written, AppError> {
    let key = &account_id.to_string();
    let ((), written) = executor::execute(pool, Run::new(actor, SUBJECT), |mut work| {
        Box::pin(async move {
            let (mut state, version) = work.load::<TronWallet>(key).await?;
            let command = TronWalletCommand::Dismiss {
                tx_hash: tx_hash.to_string(),
            };
            work.decide(key, &mut state, version, command, &()).await?;
            Ok((work, ()))
        })
    })
    .await?;
    Ok(written)
}

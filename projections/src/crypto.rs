//! Crypto read models: the crypto details and verification state of postings
//! (`crypto_transactions`) and the Tron wallets' pending items (`tron_pending`). Both are
//! applied in log order; every value comes from the events, so a replay gives the same rows.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::crypto::{CryptoDetails, CryptoNetwork, CryptoToken, CryptoVerification, VerifyResult};
use domain::tron_wallet::{ItemStatus, TronWalletEvent};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::ProjectionError;

/// One crypto-related change, in log order.
pub enum CryptoOp {
    Posted {
        transaction_id: Uuid,
        details: CryptoDetails,
    },
    Verified {
        transaction_id: Uuid,
        verification: CryptoVerification,
    },
    Wallet {
        account_id: Uuid,
        event: TronWalletEvent,
        at: DateTime<Utc>,
    },
}

pub const TABLES: &[(&str, &str)] = &[
    ("crypto_transactions", "transaction_id"),
    ("tron_pending", "account_id, tx_hash"),
];

pub const DDL: &str = r#"
-- Crypto details of postings and their latest check against the chain.
CREATE TABLE {s}.crypto_transactions (
    transaction_id        uuid        PRIMARY KEY,
    network               text        NOT NULL,
    token                 text        NOT NULL,
    contract              text,
    tx_hash               text        NOT NULL,
    from_address          text        NOT NULL,
    to_address            text        NOT NULL,
    amount                numeric     NOT NULL,
    fee_trx               numeric     NOT NULL,
    block                 bigint,
    confirmations         bigint,
    verification          text,
    verified_at           timestamptz,
    verify_block          bigint,
    verify_confirmations  bigint,
    verify_reasons        jsonb
);
CREATE INDEX ON {s}.crypto_transactions (tx_hash);
-- Transfers a Tron wallet sync found that no posting knew: offered until posted or dismissed.
CREATE TABLE {s}.tron_pending (
    account_id      uuid        NOT NULL,
    tx_hash         text        NOT NULL,
    token           text        NOT NULL,
    from_address    text        NOT NULL,
    to_address      text        NOT NULL,
    amount          numeric     NOT NULL,
    direction       text        NOT NULL,
    block           bigint      NOT NULL,
    time            timestamptz NOT NULL,
    status          text        NOT NULL,
    transaction_id  uuid,
    found_at        timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (account_id, tx_hash)
);
CREATE INDEX ON {s}.tron_pending (account_id, status, time);
"#;

fn to_i64(v: Option<u64>) -> Option<i64> {
    v.and_then(|v| i64::try_from(v).ok())
}

pub async fn apply(
    conn: &mut PgConnection,
    schema: &str,
    op: CryptoOp,
) -> Result<(), ProjectionError> {
    match op {
        CryptoOp::Posted {
            transaction_id,
            details: d,
        } => {
            sqlx::query(&format!(
                "INSERT INTO {schema}.crypto_transactions (transaction_id, network, token, contract, \
                   tx_hash, from_address, to_address, amount, fee_trx, block, confirmations) \
                 VALUES ($1, 'tron', $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            ))
            .bind(transaction_id)
            .bind(d.token.code())
            .bind(d.contract)
            .bind(d.tx_hash)
            .bind(d.from)
            .bind(d.to)
            .bind(d.amount)
            .bind(d.fee_trx)
            .bind(to_i64(d.block))
            .bind(to_i64(d.confirmations))
            .execute(conn)
            .await?;
        }
        CryptoOp::Verified {
            transaction_id,
            verification: v,
        } => {
            let (status, reasons) = match v.result {
                VerifyResult::Verified => ("verified", None),
                VerifyResult::NotFound => ("not_found", None),
                VerifyResult::Mismatch { reasons } => ("mismatch", Some(reasons)),
            };
            sqlx::query(&format!(
                "UPDATE {schema}.crypto_transactions SET verification = $2, verified_at = $3, \
                   verify_block = $4, verify_confirmations = $5, verify_reasons = $6 \
                 WHERE transaction_id = $1"
            ))
            .bind(transaction_id)
            .bind(status)
            .bind(v.verified_at)
            .bind(to_i64(v.block))
            .bind(to_i64(v.confirmations))
            .bind(reasons.map(sqlx::types::Json))
            .execute(conn)
            .await?;
        }
        CryptoOp::Wallet {
            account_id,
            event,
            at,
        } => apply_wallet(conn, schema, account_id, event, at).await?,
    }
    Ok(())
}

async fn apply_wallet(
    conn: &mut PgConnection,
    schema: &str,
    account_id: Uuid,
    event: TronWalletEvent,
    at: DateTime<Utc>,
) -> Result<(), ProjectionError> {
    let set_status = |status: ItemStatus| {
        format!(
            "UPDATE {schema}.tron_pending SET status = '{}', transaction_id = $3, updated_at = $4 \
             WHERE account_id = $1 AND tx_hash = $2",
            status.as_str()
        )
    };
    match event {
        TronWalletEvent::Synced { found, .. } => {
            if found.is_empty() {
                return Ok(());
            }
            let hashes: Vec<&str> = found.iter().map(|t| t.tx_hash.as_str()).collect();
            let tokens: Vec<&str> = found.iter().map(|t| t.token.code()).collect();
            let froms: Vec<&str> = found.iter().map(|t| t.from.as_str()).collect();
            let tos: Vec<&str> = found.iter().map(|t| t.to.as_str()).collect();
            let amounts: Vec<Decimal> = found.iter().map(|t| t.amount).collect();
            let directions: Vec<&str> = found.iter().map(|t| t.direction.as_str()).collect();
            let blocks: Vec<i64> = found
                .iter()
                .map(|t| i64::try_from(t.block).unwrap_or(i64::MAX))
                .collect();
            let times: Vec<DateTime<Utc>> = found.iter().map(|t| t.time).collect();
            sqlx::query(&format!(
                "INSERT INTO {schema}.tron_pending (account_id, tx_hash, token, from_address, \
                   to_address, amount, direction, block, time, status, found_at, updated_at) \
                 SELECT $1, * , 'pending', $10, $10 FROM UNNEST($2::text[], $3::text[], $4::text[], \
                   $5::text[], $6::numeric[], $7::text[], $8::bigint[], $9::timestamptz[])"
            ))
            .bind(account_id)
            .bind(hashes)
            .bind(tokens)
            .bind(froms)
            .bind(tos)
            .bind(amounts)
            .bind(directions)
            .bind(blocks)
            .bind(times)
            .bind(at)
            .execute(conn)
            .await?;
        }
        TronWalletEvent::ItemPosted {
            tx_hash,
            transaction_id,
        } => {
            sqlx::query(&set_status(ItemStatus::Posted))
                .bind(account_id)
                .bind(tx_hash)
                .bind(Some(transaction_id))
                .bind(at)
                .execute(conn)
                .await?;
        }
        TronWalletEvent::ItemDismissed { tx_hash } => {
            sqlx::query(&set_status(ItemStatus::Dismissed))
                .bind(account_id)
                .bind(tx_hash)
                .bind(None::<Uuid>)
                .bind(at)
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

/// Which of `hashes` are already on a posting.
pub async fn known_hashes(pool: &PgPool, hashes: &[String]) -> Result<Vec<String>, sqlx::Error> {
    if hashes.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_scalar(
        "SELECT DISTINCT tx_hash FROM read.crypto_transactions WHERE tx_hash = ANY($1)",
    )
    .bind(hashes)
    .fetch_all(pool)
    .await
}

#[derive(sqlx::FromRow)]
struct CryptoRow {
    transaction_id: Uuid,
    token: String,
    contract: Option<String>,
    tx_hash: String,
    from_address: String,
    to_address: String,
    amount: Decimal,
    fee_trx: Decimal,
    block: Option<i64>,
    confirmations: Option<i64>,
    verification: Option<String>,
    verified_at: Option<DateTime<Utc>>,
    verify_block: Option<i64>,
    verify_confirmations: Option<i64>,
    verify_reasons: Option<sqlx::types::Json<Vec<String>>>,
}

/// Crypto details and the latest verification of the transactions `ids` that have them.
pub async fn for_transactions(
    pool: &PgPool,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, (CryptoDetails, Option<CryptoVerification>)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<CryptoRow> = sqlx::query_as(
        "SELECT transaction_id, token, contract, tx_hash, from_address, to_address, amount, \
           fee_trx, block, confirmations, verification, verified_at, verify_block, \
           verify_confirmations, verify_reasons \
         FROM read.crypto_transactions WHERE transaction_id = ANY($1)",
    )
    .bind(ids)
    .fetch_all(pool)
    .await?;
    let to_u64 = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok());
    let mut out = HashMap::with_capacity(rows.len());
    for r in rows {
        let token = match r.token.as_str() {
            "TRX" => CryptoToken::Trx,
            _ => CryptoToken::Usdt,
        };
        let details = CryptoDetails {
            network: CryptoNetwork::Tron,
            token,
            contract: r.contract,
            tx_hash: r.tx_hash,
            from: r.from_address,
            to: r.to_address,
            amount: r.amount,
            fee_trx: r.fee_trx,
            block: to_u64(r.block),
            confirmations: to_u64(r.confirmations),
        };
        let verification = match (r.verification.as_deref(), r.verified_at) {
            (Some(status), Some(verified_at)) => Some(CryptoVerification {
                verified_at,
                confirmations: to_u64(r.verify_confirmations),
                block: to_u64(r.verify_block),
                result: match status {
                    "verified" => VerifyResult::Verified,
                    "not_found" => VerifyResult::NotFound,
                    _ => VerifyResult::Mismatch {
                        reasons: r.verify_reasons.map(|j| j.0).unwrap_or_default(),
                    },
                },
            }),
            _ => None,
        };
        out.insert(r.transaction_id, (details, verification));
    }
    Ok(out)
}

/// One pending (or handled) item of a wallet.
#[derive(Debug, sqlx::FromRow)]
pub struct PendingRow {
    pub tx_hash: String,
    pub token: String,
    pub from_address: String,
    pub to_address: String,
    pub amount: Decimal,
    pub direction: String,
    pub block: i64,
    pub time: DateTime<Utc>,
    pub status: String,
    pub transaction_id: Option<Uuid>,
}

#[derive(Debug, Default)]
pub struct PendingFilter {
    /// None: every status.
    pub status: Option<String>,
    pub direction: Option<String>,
}

/// A page of `account_id`'s items, ordered by `order_sql` (a vetted ORDER BY list).
pub async fn list_pending(
    pool: &PgPool,
    account_id: Uuid,
    filter: &PendingFilter,
    order_sql: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PendingRow>, i64), sqlx::Error> {
    let total: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM read.tron_pending WHERE account_id = $1 \
           AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR direction = $3)",
    )
    .bind(account_id)
    .bind(&filter.status)
    .bind(&filter.direction)
    .fetch_one(pool)
    .await?;
    let rows = sqlx::query_as(&format!(
        "SELECT tx_hash, token, from_address, to_address, amount, direction, block, time, status, \
           transaction_id FROM read.tron_pending WHERE account_id = $1 \
           AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR direction = $3) \
         ORDER BY {order_sql}, tx_hash LIMIT $4 OFFSET $5"
    ))
    .bind(account_id)
    .bind(&filter.status)
    .bind(&filter.direction)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    Ok((rows, total))
}

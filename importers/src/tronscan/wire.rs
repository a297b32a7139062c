//! The JSON shapes TronScan answers with, read leniently: every field is optional, numbers may
//! come as JSON numbers or as strings, and a value of the wrong type reads as absent. What is
//! required is decided in the conversions below, which answer with typed errors, never panics.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::error::TronScanError;
use super::model::{Token, TokenTransfer, TxInfo, scale_units, sun_to_trx};

/// The execution result TronScan reports for a successful transaction.
pub const SUCCESS: &str = "SUCCESS";
/// TronScan's token name for TRX itself in `/api/transfer` (TRC10 tokens have their own names).
const TRX_TOKEN_NAME: &str = "_";
/// Contract type 1 is Tron's `TransferContract`, a plain TRX payment.
const TRANSFER_CONTRACT: u64 = 1;

fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Bool(b)) => Some(b),
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(Value::Number(n)) => n.as_u64().map(|n| n != 0),
        _ => None,
    })
}

fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// An integer amount that may be a JSON number or a string of digits; kept as text so that
/// values beyond u64 (TRC20 amounts are uint256) are not silently mangled.
fn opt_units<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) if n.is_u64() => Some(n.to_string()),
        _ => None,
    })
}

fn opt_list<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    // An odd element is dropped rather than failing the whole answer.
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Array(items)) => Some(
            items
                .into_iter()
                .filter_map(|item| serde_json::from_value(item).ok())
                .collect(),
        ),
        _ => None,
    })
}

fn opt_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Ok(match Option::<Value>::deserialize(d)? {
        Some(v @ Value::Object(_)) => serde_json::from_value(v).ok(),
        _ => None,
    })
}

fn time_from_ms(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

// ---------------------------------------------------------------------------------------------
// GET /api/transaction-info

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TxInfoWire {
    #[serde(deserialize_with = "opt_string")]
    hash: Option<String>,
    #[serde(deserialize_with = "opt_u64")]
    block: Option<u64>,
    #[serde(deserialize_with = "opt_i64")]
    timestamp: Option<i64>,
    #[serde(rename = "ownerAddress", deserialize_with = "opt_string")]
    owner_address: Option<String>,
    #[serde(rename = "toAddress", deserialize_with = "opt_string")]
    to_address: Option<String>,
    #[serde(rename = "contractRet", deserialize_with = "opt_string")]
    contract_ret: Option<String>,
    #[serde(deserialize_with = "opt_bool")]
    confirmed: Option<bool>,
    #[serde(deserialize_with = "opt_bool")]
    revert: Option<bool>,
    #[serde(deserialize_with = "opt_u64")]
    confirmations: Option<u64>,
    /// Tron's numeric contract type (1 TransferContract, 2 TRC10, 31 TriggerSmartContract).
    #[serde(rename = "contractType", deserialize_with = "opt_u64")]
    contract_type_code: Option<u64>,
    /// TronScan's label: "trc20", "trx", ... (sometimes a number).
    #[serde(deserialize_with = "opt_string")]
    contract_type: Option<String>,
    #[serde(rename = "contractData", deserialize_with = "opt_object")]
    contract_data: Option<ContractDataWire>,
    #[serde(deserialize_with = "opt_object")]
    cost: Option<CostWire>,
    #[serde(rename = "trc20TransferInfo", deserialize_with = "opt_list")]
    trc20_transfer_info: Option<Vec<Trc20InfoWire>>,
    /// A single transfer decoded from the call data; present on failed calls too.
    #[serde(rename = "tokenTransferInfo", deserialize_with = "opt_object")]
    token_transfer_info: Option<Trc20InfoWire>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ContractDataWire {
    #[serde(deserialize_with = "opt_units")]
    amount: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    owner_address: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    to_address: Option<String>,
    /// Present on TRC10 transfers, which carry `amount` too but are not TRX.
    #[serde(deserialize_with = "opt_string")]
    asset_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CostWire {
    #[serde(deserialize_with = "opt_u64")]
    fee: Option<u64>,
    #[serde(deserialize_with = "opt_u64")]
    energy_fee: Option<u64>,
    #[serde(deserialize_with = "opt_u64")]
    net_fee: Option<u64>,
    #[serde(deserialize_with = "opt_u64")]
    account_create_fee: Option<u64>,
    #[serde(deserialize_with = "opt_u64")]
    multi_sign_fee: Option<u64>,
    #[serde(rename = "memoFee", deserialize_with = "opt_u64")]
    memo_fee: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Trc20InfoWire {
    #[serde(deserialize_with = "opt_string")]
    contract_address: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    from_address: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    to_address: Option<String>,
    #[serde(deserialize_with = "opt_units")]
    amount_str: Option<String>,
    #[serde(deserialize_with = "opt_u64")]
    decimals: Option<u64>,
    #[serde(deserialize_with = "opt_string")]
    symbol: Option<String>,
    #[serde(rename = "type", deserialize_with = "opt_string")]
    kind: Option<String>,
}

impl Trc20InfoWire {
    fn to_transfer(&self, hash: &str) -> Option<TokenTransfer> {
        if self.kind.as_deref().is_some_and(|k| k != "Transfer") {
            return None;
        }
        let converted = (|| {
            let decimals = u32::try_from(self.decimals?).ok()?;
            Some(TokenTransfer {
                token: Token::trc20(self.contract_address.clone()?),
                symbol: self.symbol.clone().unwrap_or_default(),
                decimals,
                from: self.from_address.clone()?,
                to: self.to_address.clone()?,
                amount: scale_units(self.amount_str.as_deref()?, decimals)?,
            })
        })();
        if converted.is_none() {
            tracing::warn!(hash, entry = ?self, "skipping a TRC20 transfer that cannot be read");
        }
        converted
    }
}

/// Parses a `/api/transaction-info` body. `{}` is TronScan's answer for an unknown hash.
pub fn parse_tx_info(body: &[u8], requested: &str) -> Result<Option<TxInfo>, TronScanError> {
    let what = "transaction-info";
    let value: Value =
        serde_json::from_slice(body).map_err(|e| TronScanError::decode(what, e.to_string()))?;
    match &value {
        Value::Object(map) if map.is_empty() => return Ok(None),
        Value::Object(_) => {}
        _ => {
            return Err(TronScanError::decode(
                what,
                "the answer is not a JSON object",
            ));
        }
    }
    let wire: TxInfoWire =
        serde_json::from_value(value).map_err(|e| TronScanError::decode(what, e.to_string()))?;
    let hash = wire
        .hash
        .clone()
        .ok_or_else(|| TronScanError::decode(what, "no `hash`"))?;
    if !hash.eq_ignore_ascii_case(requested) {
        return Err(TronScanError::decode(
            what,
            format!("asked for {requested}, got {hash}"),
        ));
    }
    let block = wire
        .block
        .ok_or_else(|| TronScanError::decode(what, "no `block`"))?;
    let timestamp = wire
        .timestamp
        .and_then(time_from_ms)
        .ok_or_else(|| TronScanError::decode(what, "no valid `timestamp`"))?;
    let contract_ret = wire.contract_ret.clone().unwrap_or_default();
    let reverted = wire.revert.unwrap_or(false);
    let fee_trx = wire.cost.as_ref().map_or(rust_decimal::Decimal::ZERO, |c| {
        let sun = c.fee.unwrap_or_else(|| {
            [
                c.energy_fee,
                c.net_fee,
                c.account_create_fee,
                c.multi_sign_fee,
                c.memo_fee,
            ]
            .into_iter()
            .flatten()
            .fold(0u64, u64::saturating_add)
        });
        sun_to_trx(sun)
    });
    let transfers = wire.transfers(&hash);
    Ok(Some(TxInfo {
        hash: hash.to_ascii_lowercase(),
        block,
        timestamp,
        confirmed: wire.confirmed.unwrap_or(false),
        confirmations: wire.confirmations.unwrap_or(0),
        success: contract_ret == SUCCESS && !reverted,
        contract_ret,
        reverted,
        owner_address: wire.owner_address,
        to_address: wire.to_address,
        fee_trx,
        transfers,
    }))
}

impl TxInfoWire {
    fn transfers(&self, hash: &str) -> Vec<TokenTransfer> {
        // The event log (trc20TransferInfo) is what happened; tokenTransferInfo is decoded from
        // the call data and is only a fallback, e.g. to show what a failed call meant to send.
        if let Some(list) = self.trc20_transfer_info.as_ref().filter(|l| !l.is_empty()) {
            return list.iter().filter_map(|t| t.to_transfer(hash)).collect();
        }
        if let Some(single) = &self.token_transfer_info {
            return single.to_transfer(hash).into_iter().collect();
        }
        if self.is_trx_transfer() {
            return self.trx_transfer(hash).into_iter().collect();
        }
        Vec::new()
    }

    fn is_trx_transfer(&self) -> bool {
        let labelled_trx = match (&self.contract_type_code, self.contract_type.as_deref()) {
            (Some(code), _) => *code == TRANSFER_CONTRACT,
            (None, Some(label)) => label == "1" || label.eq_ignore_ascii_case("trx"),
            (None, None) => false,
        };
        labelled_trx
            && self
                .contract_data
                .as_ref()
                .is_some_and(|d| d.amount.is_some() && d.asset_name.is_none())
    }

    fn trx_transfer(&self, hash: &str) -> Option<TokenTransfer> {
        let data = self.contract_data.as_ref()?;
        let converted = (|| {
            Some(TokenTransfer {
                token: Token::Trx,
                symbol: "TRX".to_string(),
                decimals: 6,
                from: data
                    .owner_address
                    .clone()
                    .or_else(|| self.owner_address.clone())?,
                to: data
                    .to_address
                    .clone()
                    .or_else(|| self.to_address.clone())?,
                amount: scale_units(data.amount.as_deref()?, 6)?,
            })
        })();
        if converted.is_none() {
            tracing::warn!(hash, "skipping a TRX transfer that cannot be read");
        }
        converted
    }
}

// ---------------------------------------------------------------------------------------------
// Wallet history lists

/// One entry of a history page, converted as far as it could be. `timestamp_ms` is kept even for
/// entries that are skipped, because paging by time windows needs every entry's time.
#[derive(Debug)]
pub struct HistoryEntry {
    pub timestamp_ms: Option<i64>,
    pub item: Option<RawTransfer>,
}

/// A history entry before the wallet's direction is known.
#[derive(Debug)]
pub struct RawTransfer {
    pub hash: String,
    pub block: u64,
    pub time: DateTime<Utc>,
    pub transfer: TokenTransfer,
    pub confirmed: bool,
    pub success: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Trc20PageWire {
    #[serde(deserialize_with = "opt_list")]
    token_transfers: Option<Vec<Trc20EntryWire>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenInfoWire {
    #[serde(rename = "tokenAbbr", deserialize_with = "opt_string")]
    abbr: Option<String>,
    #[serde(rename = "tokenDecimal", deserialize_with = "opt_u64")]
    decimals: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Trc20EntryWire {
    #[serde(deserialize_with = "opt_string")]
    transaction_id: Option<String>,
    #[serde(deserialize_with = "opt_i64")]
    block_ts: Option<i64>,
    #[serde(deserialize_with = "opt_string")]
    from_address: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    to_address: Option<String>,
    #[serde(deserialize_with = "opt_u64")]
    block: Option<u64>,
    #[serde(deserialize_with = "opt_string")]
    contract_address: Option<String>,
    #[serde(deserialize_with = "opt_units")]
    quant: Option<String>,
    #[serde(deserialize_with = "opt_units")]
    amount_str: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    event_type: Option<String>,
    #[serde(deserialize_with = "opt_bool")]
    confirmed: Option<bool>,
    #[serde(rename = "contractRet", deserialize_with = "opt_string")]
    contract_ret: Option<String>,
    #[serde(rename = "finalResult", deserialize_with = "opt_string")]
    final_result: Option<String>,
    #[serde(deserialize_with = "opt_bool")]
    revert: Option<bool>,
    #[serde(rename = "tokenInfo", deserialize_with = "opt_object")]
    token_info: Option<TokenInfoWire>,
}

impl Trc20EntryWire {
    fn convert(&self) -> Option<RawTransfer> {
        if self.event_type.as_deref().is_some_and(|t| t != "Transfer") {
            return None;
        }
        let info = self.token_info.as_ref()?;
        let decimals = u32::try_from(info.decimals?).ok()?;
        let units = self.quant.as_deref().or(self.amount_str.as_deref())?;
        let success = self.contract_ret.as_deref() == Some(SUCCESS)
            && self.final_result.as_deref().is_none_or(|r| r == SUCCESS)
            && !self.revert.unwrap_or(false);
        Some(RawTransfer {
            hash: self.transaction_id.as_deref()?.to_ascii_lowercase(),
            block: self.block?,
            time: time_from_ms(self.block_ts?)?,
            transfer: TokenTransfer {
                token: Token::trc20(self.contract_address.clone()?),
                symbol: info.abbr.clone().unwrap_or_default(),
                decimals,
                from: self.from_address.clone()?,
                to: self.to_address.clone()?,
                amount: scale_units(units, decimals)?,
            },
            confirmed: self.confirmed.unwrap_or(false),
            success,
        })
    }
}

/// Parses a `/api/token_trc20/transfers` page.
pub fn parse_trc20_page(body: &[u8]) -> Result<Vec<HistoryEntry>, TronScanError> {
    let page: Trc20PageWire = parse_page(body, "token_trc20/transfers", "token_transfers")?;
    Ok(page
        .token_transfers
        .unwrap_or_default()
        .iter()
        .map(|entry| {
            let item = entry.convert();
            if item.is_none() && entry.event_type.as_deref().is_none_or(|t| t == "Transfer") {
                tracing::warn!(?entry, "skipping a TRC20 history entry that cannot be read");
            }
            HistoryEntry {
                timestamp_ms: entry.block_ts,
                item,
            }
        })
        .collect())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TrxPageWire {
    #[serde(deserialize_with = "opt_list")]
    data: Option<Vec<TrxEntryWire>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TrxEntryWire {
    #[serde(rename = "transactionHash", deserialize_with = "opt_string")]
    transaction_hash: Option<String>,
    #[serde(deserialize_with = "opt_u64")]
    block: Option<u64>,
    #[serde(deserialize_with = "opt_i64")]
    timestamp: Option<i64>,
    #[serde(rename = "transferFromAddress", deserialize_with = "opt_string")]
    from: Option<String>,
    #[serde(rename = "transferToAddress", deserialize_with = "opt_string")]
    to: Option<String>,
    #[serde(deserialize_with = "opt_units")]
    amount: Option<String>,
    #[serde(rename = "tokenName", deserialize_with = "opt_string")]
    token_name: Option<String>,
    #[serde(deserialize_with = "opt_bool")]
    confirmed: Option<bool>,
    #[serde(rename = "contractRet", deserialize_with = "opt_string")]
    contract_ret: Option<String>,
    #[serde(deserialize_with = "opt_bool")]
    revert: Option<bool>,
}

impl TrxEntryWire {
    fn convert(&self) -> Option<RawTransfer> {
        // The same list carries TRC10 tokens; only "_" is TRX.
        if self.token_name.as_deref() != Some(TRX_TOKEN_NAME) {
            return None;
        }
        Some(RawTransfer {
            hash: self.transaction_hash.as_deref()?.to_ascii_lowercase(),
            block: self.block?,
            time: time_from_ms(self.timestamp?)?,
            transfer: TokenTransfer {
                token: Token::Trx,
                symbol: "TRX".to_string(),
                decimals: 6,
                from: self.from.clone()?,
                to: self.to.clone()?,
                amount: scale_units(self.amount.as_deref()?, 6)?,
            },
            confirmed: self.confirmed.unwrap_or(false),
            // Older entries lack contractRet; TronScan lists only executed transfers there.
            success: self.contract_ret.as_deref().is_none_or(|r| r == SUCCESS)
                && !self.revert.unwrap_or(false),
        })
    }
}

/// Parses a `/api/transfer` page (TRX and TRC10 transfers; TRC10 entries are skipped).
pub fn parse_trx_page(body: &[u8]) -> Result<Vec<HistoryEntry>, TronScanError> {
    let page: TrxPageWire = parse_page(body, "transfer", "data")?;
    Ok(page
        .data
        .unwrap_or_default()
        .iter()
        .map(|entry| {
            let item = entry.convert();
            if item.is_none() && entry.token_name.as_deref() == Some(TRX_TOKEN_NAME) {
                tracing::warn!(?entry, "skipping a TRX history entry that cannot be read");
            }
            HistoryEntry {
                timestamp_ms: entry.timestamp,
                item,
            }
        })
        .collect())
}

/// A page must be an object holding its list; anything else (an HTML error page, a message
/// object) is a decode error, not an empty history.
fn parse_page<T: serde::de::DeserializeOwned>(
    body: &[u8],
    what: &str,
    list_field: &str,
) -> Result<T, TronScanError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| TronScanError::decode(what, e.to_string()))?;
    if !value.get(list_field).is_some_and(Value::is_array) {
        return Err(TronScanError::decode(
            what,
            format!("no `{list_field}` list in the answer"),
        ));
    }
    serde_json::from_value(value).map_err(|e| TronScanError::decode(what, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "3f1ec8fbd1de0b9ea2a5c4b7e3a0d1c9f2e4b6a8c0d2e4f6a8b0c2d4e6f8a0b2";

    #[test]
    fn odd_json_never_panics() {
        for body in [
            "[]",
            "null",
            "42",
            "{\"hash\": 7}",
            "{\"hash\": \"x\"}",
            "not json",
        ] {
            assert!(parse_tx_info(body.as_bytes(), HASH).is_err(), "{body}");
        }
        assert!(parse_tx_info(b"{}", HASH).unwrap().is_none());
        assert!(parse_trc20_page(b"{\"total\": 0}").is_err());
        assert!(parse_trx_page(b"<html></html>").is_err());
    }

    #[test]
    fn wrong_types_read_as_absent() {
        let body = format!(
            "{{\"hash\":\"{HASH}\",\"block\":\"64200001\",\"timestamp\":1720000000000,\
             \"confirmed\":\"yes\",\"contractRet\":\"SUCCESS\",\"cost\":[1,2],\
             \"trc20TransferInfo\":[7, {{\"contract_address\":\"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t\"}}]}}"
        );
        let tx = parse_tx_info(body.as_bytes(), HASH).unwrap().unwrap();
        assert_eq!(tx.block, 64_200_001);
        assert!(!tx.confirmed);
        assert_eq!(tx.fee_trx, rust_decimal::Decimal::ZERO);
        assert!(tx.transfers.is_empty());
    }

    #[test]
    fn trc10_is_not_read_as_trx() {
        let body = format!(
            "{{\"hash\":\"{HASH}\",\"block\":1,\"timestamp\":1720000000000,\"contractType\":2,\
             \"contractRet\":\"SUCCESS\",\"contractData\":{{\"amount\":5,\"asset_name\":\"1002000\",\
             \"owner_address\":\"a\",\"to_address\":\"b\"}}}}"
        );
        let tx = parse_tx_info(body.as_bytes(), HASH).unwrap().unwrap();
        assert!(tx.transfers.is_empty());
    }
}

//! What the TronScan client hands out: transactions, transfers and tokens, already converted
//! to `Decimal` amounts and UTC times. The raw JSON shapes live in `wire`.

use chrono::{DateTime, Utc};
use domain::Currency;
use rust_decimal::Decimal;

use super::error::TronScanError;

/// The USDT-TRC20 contract (Tether's, 6 decimals).
pub const USDT_CONTRACT: &str = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";

/// TRX and TRC20 amounts carry at most this many decimals; `Decimal` holds at most 28.
pub const MAX_TOKEN_DECIMALS: u32 = 28;

/// Which asset moved. A TRC20 token is its contract address and nothing else: anyone can deploy
/// a token whose symbol is "USDT", so symbols are for display only.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Token {
    Trx,
    Trc20 { contract: String },
}

impl Token {
    pub fn usdt() -> Self {
        Token::Trc20 {
            contract: USDT_CONTRACT.to_string(),
        }
    }

    pub fn trc20(contract: impl Into<String>) -> Self {
        Token::Trc20 {
            contract: contract.into(),
        }
    }

    /// The books' currency for this token, when the books know it (TRX, and USDT by its contract).
    pub fn currency(&self) -> Option<Currency> {
        match self {
            Token::Trx => Currency::parse("TRX").ok(),
            Token::Trc20 { contract } if contract == USDT_CONTRACT => Currency::parse("USDT").ok(),
            Token::Trc20 { .. } => None,
        }
    }
}

/// One movement of value inside a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenTransfer {
    pub token: Token,
    /// As the token reports it; never used to identify the token.
    pub symbol: String,
    pub decimals: u32,
    pub from: String,
    pub to: String,
    /// In whole tokens (already divided by 10^decimals).
    pub amount: Decimal,
}

/// A transaction as `/api/transaction-info` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxInfo {
    pub hash: String,
    pub block: u64,
    pub timestamp: DateTime<Utc>,
    pub confirmed: bool,
    pub confirmations: u64,
    /// The execution result as TronScan reports it ("SUCCESS", "REVERT", "OUT_OF_ENERGY", ...);
    /// empty when absent.
    pub contract_ret: String,
    pub reverted: bool,
    /// `contract_ret == "SUCCESS"` and not reverted.
    pub success: bool,
    pub owner_address: Option<String>,
    pub to_address: Option<String>,
    /// TRX burnt or paid for the transaction (energy, bandwidth, account creation, ...).
    pub fee_trx: Decimal,
    pub transfers: Vec<TokenTransfer>,
}

/// A transfer's direction as seen from the wallet whose history was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    In,
    Out,
    /// From the wallet to itself: no change of balance except the fee.
    SelfTransfer,
}

/// One entry of a wallet's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub hash: String,
    pub block: u64,
    pub time: DateTime<Utc>,
    pub from: String,
    pub to: String,
    pub token: Token,
    pub symbol: String,
    pub decimals: u32,
    pub amount: Decimal,
    pub direction: Direction,
    pub confirmed: bool,
    pub success: bool,
}

impl Transfer {
    /// The identity used to drop duplicates (pages overlap when new transfers arrive while
    /// paging, and time windows overlap at their edges).
    pub fn dedup_key(&self) -> (String, Token, String, String, Decimal) {
        (
            self.hash.clone(),
            self.token.clone(),
            self.from.clone(),
            self.to.clone(),
            self.amount.normalize(),
        )
    }
}

/// Checks a transaction hash (64 hex characters) and returns it in lower case.
pub fn validate_hash(hash: &str) -> Result<String, TronScanError> {
    let trimmed = hash.trim();
    if trimmed.len() == 64 && trimmed.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(trimmed.to_ascii_lowercase())
    } else {
        Err(TronScanError::InvalidHash(hash.to_string()))
    }
}

/// Checks a Tron address (base58check, 0x41 prefix) before it is sent anywhere.
pub fn validate_address(field: &str, address: &str) -> Result<String, TronScanError> {
    domain::tron::validate_address(field, address)
        .map_err(|e| TronScanError::InvalidAddress(e.to_string()))
}

/// Turns an integer amount in the token's smallest unit ("1500000", 6 decimals) into whole
/// tokens (1.500000). `None` when the text is not a non-negative integer or does not fit a
/// `Decimal` (spam tokens mint absurd amounts).
pub fn scale_units(units: &str, decimals: u32) -> Option<Decimal> {
    let units = units.trim();
    if units.is_empty() || !units.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if decimals > MAX_TOKEN_DECIMALS {
        return None;
    }
    let mut value = Decimal::from_str_exact(units).ok()?;
    value.set_scale(decimals).ok()?;
    Some(value)
}

/// Sun (1e-6 TRX) to TRX.
pub fn sun_to_trx(sun: u64) -> Decimal {
    Decimal::from_i128_with_scale(i128::from(sun), 6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn hashes_must_be_64_hex() {
        let good = "A1".repeat(32);
        assert_eq!(validate_hash(&good).unwrap(), "a1".repeat(32));
        assert!(validate_hash(&"a1".repeat(31)).is_err());
        assert!(validate_hash(&format!("{}zz", "a".repeat(62))).is_err());
        assert!(validate_hash("").is_err());
    }

    #[test]
    fn units_scale_by_decimals() {
        assert_eq!(
            scale_units("1500000", 6),
            Some(Decimal::from_str("1.5").unwrap())
        );
        assert_eq!(scale_units("1500000", 6).unwrap().to_string(), "1.500000");
        assert_eq!(scale_units("7", 0), Some(Decimal::from(7)));
        assert_eq!(scale_units("-7", 0), None);
        assert_eq!(scale_units("1.5", 0), None);
        assert_eq!(scale_units("1", 29), None);
        // A spam token's uint256 total does not fit and is refused rather than wrapped.
        assert_eq!(scale_units(&"9".repeat(60), 18), None);
        assert_eq!(sun_to_trx(25_000_000).to_string(), "25.000000");
    }

    #[test]
    fn tokens_map_to_currencies_by_contract() {
        assert_eq!(Token::usdt().currency().unwrap().code(), "USDT");
        assert_eq!(Token::Trx.currency().unwrap().code(), "TRX");
        assert_eq!(
            Token::trc20("TQr56EdpSmaZDzUNBS4C2kp3uf5ptgLpcu").currency(),
            None
        );
    }
}

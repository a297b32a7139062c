//! Crypto details of a posting on a Tron wallet (TRX or USDT-TRC20) and the record of checking
//! them against the chain. The rules live here so that a reader finds them without reading the
//! TronScan client: what a valid hash, address, token and fee are, and which postings may carry
//! crypto details at all.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::leg::Leg;
use crate::money::Currency;
use crate::tron;

/// The USDT-TRC20 contract (Tether's). Tokens are known by contract, never by symbol: anyone can
/// deploy a token called "USDT".
pub const USDT_TRC20_CONTRACT: &str = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
/// Both TRX (sun) and USDT-TRC20 have 6 decimals; amounts and fees are checked at this scale.
pub const TOKEN_SCALE: u32 = 6;
/// Most reasons one failed verification records (the checker lists at most a handful).
pub const MAX_VERIFY_REASONS: usize = 20;
/// Longest reason text kept, in characters.
pub const MAX_REASON_CHARS: usize = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CryptoNetwork {
    Tron,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CryptoToken {
    #[serde(rename = "TRX")]
    Trx,
    #[serde(rename = "USDT")]
    Usdt,
}

impl CryptoToken {
    pub fn code(self) -> &'static str {
        match self {
            CryptoToken::Trx => "TRX",
            CryptoToken::Usdt => "USDT",
        }
    }

    /// The books' currency a wallet leg in this token is kept in.
    pub fn currency(self) -> Currency {
        Currency::parse(self.code()).expect("TRX and USDT are known currencies")
    }

    /// The contract a token transfer must name: none for TRX (native), the TRC20 one for USDT.
    pub fn contract(self) -> Option<&'static str> {
        match self {
            CryptoToken::Trx => None,
            CryptoToken::Usdt => Some(USDT_TRC20_CONTRACT),
        }
    }

    pub fn from_currency(currency: Currency) -> Option<Self> {
        match currency.code() {
            "TRX" => Some(CryptoToken::Trx),
            "USDT" => Some(CryptoToken::Usdt),
            _ => None,
        }
    }
}

/// What moved on chain for this posting. `amount` is the transferred amount in `token` (without
/// the fee); it must equal a wallet leg of the posting, which is what verification compares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CryptoDetails {
    pub network: CryptoNetwork,
    pub token: CryptoToken,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<String>,
    pub tx_hash: String,
    pub from: String,
    pub to: String,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1500.250000"))]
    pub amount: Decimal,
    /// TRX burnt or paid for the transaction by the sender (0 for an incoming payment).
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "27.344700"))]
    pub fee_trx: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmations: Option<u64>,
}

/// What the books know about each account a crypto posting touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalletLeg {
    pub currency: Currency,
    pub crypto_wallet: bool,
}

fn check_scale(field: &str, value: Decimal) -> Result<Decimal, DomainError> {
    if value.is_sign_negative() {
        return Err(DomainError::invalid(field, "must not be negative"));
    }
    let normalized = value.normalize();
    if normalized.scale() > TOKEN_SCALE {
        return Err(DomainError::invalid(
            field,
            format!("at most {TOKEN_SCALE} decimals"),
        ));
    }
    let mut out = normalized;
    out.rescale(TOKEN_SCALE);
    Ok(out)
}

/// Checks `details` against the posting's legs (`kinds` gives each leg's account facts in leg
/// order) and returns them normalised: hash in lower case, amounts at scale 6, the contract
/// filled in for USDT.
pub fn validate(
    details: CryptoDetails,
    legs: &[Leg],
    kinds: &[WalletLeg],
) -> Result<CryptoDetails, DomainError> {
    tron::check_tx_hash(details.tx_hash.trim())
        .map_err(|_| DomainError::invalid("crypto.tx_hash", "must be 64 hexadecimal characters"))?;
    let from = tron::validate_address("crypto.from", &details.from)?;
    let to = tron::validate_address("crypto.to", &details.to)?;
    let contract = match (details.token.contract(), details.contract.as_deref()) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(DomainError::invalid(
                "crypto.contract",
                "TRX is native and has no contract",
            ));
        }
        (Some(known), given) => {
            if given.is_some_and(|g| g.trim() != known) {
                return Err(DomainError::invalid(
                    "crypto.contract",
                    format!("USDT-TRC20 is contract {known}"),
                ));
            }
            Some(known.to_string())
        }
    };
    let amount = check_scale("crypto.amount", details.amount)?;
    if amount.is_zero() {
        return Err(DomainError::invalid("crypto.amount", "must be positive"));
    }
    let fee_trx = check_scale("crypto.fee_trx", details.fee_trx)?;
    let currency = details.token.currency();
    let wallet_legs: Vec<&Leg> = legs
        .iter()
        .zip(kinds)
        .filter(|(_, k)| k.crypto_wallet)
        .map(|(l, _)| l)
        .collect();
    if wallet_legs.is_empty() {
        return Err(DomainError::invalid(
            "crypto",
            "crypto details need an entry on a crypto_wallet account",
        ));
    }
    if !wallet_legs
        .iter()
        .any(|l| l.currency == currency && l.amount.abs() == amount)
    {
        return Err(DomainError::invalid(
            "crypto.amount",
            format!(
                "no crypto_wallet entry of {amount} {} matches the crypto details",
                currency.code()
            ),
        ));
    }
    Ok(CryptoDetails {
        network: details.network,
        token: details.token,
        contract,
        tx_hash: details.tx_hash.trim().to_ascii_lowercase(),
        from,
        to,
        amount,
        fee_trx,
        block: details.block,
        confirmations: details.confirmations,
    })
}

/// The outcome of checking a posting against the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum VerifyResult {
    /// Confirmed, successful, same token, amount and addresses.
    Verified,
    /// The chain disagrees; every difference is listed.
    Mismatch { reasons: Vec<String> },
    /// The explorer does not know the hash.
    NotFound,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CryptoVerification {
    pub verified_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmations: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<u64>,
    pub result: VerifyResult,
}

/// Bounds what a verification records (the reasons come from outside).
pub fn clean_verification(v: CryptoVerification) -> Result<CryptoVerification, DomainError> {
    if let VerifyResult::Mismatch { reasons } = &v.result {
        if reasons.is_empty() {
            return Err(DomainError::invalid(
                "result.reasons",
                "a mismatch names at least one reason",
            ));
        }
        if reasons.len() > MAX_VERIFY_REASONS
            || reasons.iter().any(|r| r.chars().count() > MAX_REASON_CHARS)
        {
            return Err(DomainError::invalid(
                "result.reasons",
                format!("at most {MAX_VERIFY_REASONS} reasons of {MAX_REASON_CHARS} characters"),
            ));
        }
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use uuid::Uuid;

    const PAYER: &str = "TBYMg4pzqUVKeBDFcaUfUc61PGY8mTjfE8";
    const WALLET: &str = "THXnVfYBJdhehBoWGWi4vavFNWKAUhk8Nj";

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn details(token: CryptoToken, amount: &str) -> CryptoDetails {
        CryptoDetails {
            network: CryptoNetwork::Tron,
            token,
            contract: None,
            tx_hash: "AB".repeat(32),
            from: PAYER.into(),
            to: WALLET.into(),
            amount: dec(amount),
            fee_trx: Decimal::ZERO,
            block: Some(1),
            confirmations: None,
        }
    }

    fn leg(code: &str, amount: &str) -> Leg {
        Leg {
            account_id: Uuid::nil(),
            amount: dec(amount),
            currency: Currency::parse(code).unwrap(),
            weight: None,
            memo: None,
        }
    }

    fn kinds(list: &[(&str, bool)]) -> Vec<WalletLeg> {
        list.iter()
            .map(|(c, w)| WalletLeg {
                currency: Currency::parse(c).unwrap(),
                crypto_wallet: *w,
            })
            .collect()
    }

    #[test]
    fn usdt_details_are_normalised() {
        let legs = [leg("USDT", "1500.25"), leg("USDT", "-1500.25")];
        let k = kinds(&[("USDT", true), ("USDT", false)]);
        let d = validate(details(CryptoToken::Usdt, "1500.25"), &legs, &k).unwrap();
        assert_eq!(d.contract.as_deref(), Some(USDT_TRC20_CONTRACT));
        assert_eq!(d.tx_hash, "ab".repeat(32));
        assert_eq!(d.amount.to_string(), "1500.250000");
        assert_eq!(d.fee_trx.to_string(), "0.000000");
    }

    #[test]
    fn bad_hash_address_contract_scale_and_fee_are_refused() {
        let legs = [leg("USDT", "1"), leg("USDT", "-1")];
        let k = kinds(&[("USDT", true), ("USDT", false)]);
        let field = |d: CryptoDetails| match validate(d, &legs, &k) {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("expected refusal, got {other:?}"),
        };
        let mut d = details(CryptoToken::Usdt, "1");
        d.tx_hash = "ab".repeat(31);
        assert_eq!(field(d), "crypto.tx_hash");
        let mut d = details(CryptoToken::Usdt, "1");
        d.to = "THXnVfYBJdhehBoWGWi4vavFNWKAUhk8Nk".into();
        assert_eq!(field(d), "crypto.to");
        let mut d = details(CryptoToken::Usdt, "1");
        d.contract = Some("TQr56EdpSmaZDzUNBS4C2kp3uf5ptgLpcu".into());
        assert_eq!(field(d), "crypto.contract");
        let mut d = details(CryptoToken::Usdt, "1");
        d.fee_trx = dec("0.0000001");
        assert_eq!(field(d), "crypto.fee_trx");
        let mut d = details(CryptoToken::Usdt, "1");
        d.fee_trx = dec("-1");
        assert_eq!(field(d), "crypto.fee_trx");
        assert_eq!(
            field(details(CryptoToken::Usdt, "1.0000001")),
            "crypto.amount"
        );
        assert_eq!(field(details(CryptoToken::Usdt, "0")), "crypto.amount");
    }

    #[test]
    fn details_need_a_matching_wallet_leg() {
        let legs = [leg("USDT", "1"), leg("USDT", "-1")];
        let no_wallet = kinds(&[("USDT", false), ("USDT", false)]);
        assert!(validate(details(CryptoToken::Usdt, "1"), &legs, &no_wallet).is_err());
        let wallet = kinds(&[("USDT", true), ("USDT", false)]);
        // TRX details on a USDT wallet.
        assert!(validate(details(CryptoToken::Trx, "1"), &legs, &wallet).is_err());
        // Another amount than the wallet moved.
        assert!(validate(details(CryptoToken::Usdt, "2"), &legs, &wallet).is_err());
        let mut trx = details(CryptoToken::Trx, "1");
        trx.contract = Some(USDT_TRC20_CONTRACT.into());
        assert!(validate(trx, &legs, &wallet).is_err());
    }

    #[test]
    fn old_events_without_confirmations_load() {
        let json = format!(
            r#"{{"network":"tron","token":"TRX","tx_hash":"{}","from":"{PAYER}","to":"{WALLET}","amount":"1","fee_trx":"0"}}"#,
            "a".repeat(64)
        );
        let d: CryptoDetails = serde_json::from_str(&json).unwrap();
        assert_eq!(d.block, None);
        assert_eq!(d.token, CryptoToken::Trx);
    }

    #[test]
    fn mismatch_needs_bounded_reasons() {
        let v = |reasons: Vec<String>| CryptoVerification {
            verified_at: Utc::now(),
            confirmations: None,
            block: None,
            result: VerifyResult::Mismatch { reasons },
        };
        assert!(clean_verification(v(vec![])).is_err());
        assert!(clean_verification(v(vec!["x".repeat(MAX_REASON_CHARS + 1)])).is_err());
        assert!(clean_verification(v(vec!["wrong amount".into()])).is_ok());
    }
}

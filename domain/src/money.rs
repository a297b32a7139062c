//! Currencies and amounts. Every amount is a `Decimal` checked against its currency's scale;
//! floats never appear. Rounding happens only in [`round_to_scale`], half-even, so a reader can
//! find every place where a value may lose precision.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::DomainError;

/// The largest absolute amount a single leg may carry. Sums of a million legs of this size stay
/// far below `Decimal::MAX` (about 7.9e28), so aggregation can never overflow.
pub const MAX_AMOUNT_ABS: Decimal = Decimal::from_parts(2_808_348_672, 232_830_643, 0, false, 0); // 1e18

/// A currency the books understand: an ISO 4217 code (or a crypto ticker) and its minor-unit scale.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: &'static str,
    scale: u32,
}

/// Every supported currency. Scales follow ISO 4217 for fiat; USDT and TRX on Tron use 6 decimals
/// (their on-chain units are 1e-6), BTC uses satoshis.
const CURRENCIES: &[Currency] = &[
    Currency::new("USD", 2),
    Currency::new("EUR", 2),
    Currency::new("GBP", 2),
    Currency::new("RUB", 2),
    Currency::new("UAH", 2),
    Currency::new("KZT", 2),
    Currency::new("TRY", 2),
    Currency::new("CNY", 2),
    Currency::new("INR", 2),
    Currency::new("BRL", 2),
    Currency::new("CHF", 2),
    Currency::new("CAD", 2),
    Currency::new("AUD", 2),
    Currency::new("PLN", 2),
    Currency::new("AED", 2),
    Currency::new("SGD", 2),
    Currency::new("HKD", 2),
    Currency::new("JPY", 0),
    Currency::new("KRW", 0),
    Currency::new("VND", 0),
    Currency::new("IDR", 2),
    Currency::new("USDT", 6),
    Currency::new("USDC", 6),
    Currency::new("TRX", 6),
    Currency::new("BTC", 8),
];

impl Currency {
    const fn new(code: &'static str, scale: u32) -> Self {
        Self { code, scale }
    }

    pub fn code(self) -> &'static str {
        self.code
    }

    /// Number of decimal places of the currency's smallest unit.
    pub fn scale(self) -> u32 {
        self.scale
    }

    pub fn all() -> &'static [Currency] {
        CURRENCIES
    }

    pub fn parse(code: &str) -> Result<Self, DomainError> {
        let wanted = code.trim();
        CURRENCIES
            .iter()
            .copied()
            .find(|c| c.code.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| DomainError::UnknownCurrency(code.to_string()))
    }

    /// Checks that `amount` is representable in this currency (no digits finer than the scale,
    /// within [`MAX_AMOUNT_ABS`]) and returns it rescaled to exactly the currency's scale, so that
    /// equal amounts always print the same way ("10.5" USD becomes "10.50").
    pub fn check_amount(self, amount: Decimal) -> Result<Decimal, DomainError> {
        let normalized = amount.normalize();
        if normalized.scale() > self.scale {
            return Err(DomainError::TooPrecise {
                amount: amount.to_string(),
                currency: self.code.to_string(),
                scale: self.scale,
            });
        }
        if normalized.abs() > MAX_AMOUNT_ABS {
            return Err(DomainError::AmountTooLarge(amount.to_string()));
        }
        let mut out = normalized;
        out.rescale(self.scale);
        debug_assert_eq!(out, amount);
        Ok(out)
    }
}

/// Rounds `value` to `currency`'s scale with banker's rounding (half to even), the convention of
/// accounting software, so repeated conversions do not drift in one direction.
pub fn round_to_scale(value: Decimal, currency: Currency) -> Decimal {
    let mut out =
        value.round_dp_with_strategy(currency.scale, RoundingStrategy::MidpointNearestEven);
    out.rescale(currency.scale);
    out
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl FromStr for Currency {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// An amount together with its currency, already checked against the currency's scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Result<Self, DomainError> {
        Ok(Self {
            amount: currency.check_amount(amount)?,
            currency,
        })
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros_free::dec;

    mod rust_decimal_macros_free {
        macro_rules! dec {
            ($s:expr) => {
                rust_decimal::Decimal::from_str_exact(stringify!($s)).unwrap()
            };
        }
        pub(crate) use dec;
    }

    #[test]
    fn max_amount_constant_is_one_e18() {
        assert_eq!(
            MAX_AMOUNT_ABS,
            Decimal::from_str_exact("1000000000000000000").unwrap()
        );
    }

    #[test]
    fn scales_follow_the_currency() {
        let usd = Currency::parse("usd").unwrap();
        assert_eq!(usd.check_amount(dec!(10.5)).unwrap().to_string(), "10.50");
        assert_eq!(usd.check_amount(dec!(10.010)).unwrap().to_string(), "10.01");
        assert!(matches!(
            usd.check_amount(dec!(10.001)),
            Err(DomainError::TooPrecise { .. })
        ));
        let jpy = Currency::parse("JPY").unwrap();
        assert!(jpy.check_amount(dec!(1.5)).is_err());
        let usdt = Currency::parse("USDT").unwrap();
        assert_eq!(
            usdt.check_amount(dec!(0.000001)).unwrap().to_string(),
            "0.000001"
        );
        assert!(usdt.check_amount(dec!(0.0000001)).is_err());
    }

    #[test]
    fn unknown_currency_is_refused() {
        assert!(matches!(
            Currency::parse("XYZ"),
            Err(DomainError::UnknownCurrency(_))
        ));
        assert!(serde_json::from_str::<Currency>("\"ABC\"").is_err());
        assert_eq!(
            serde_json::from_str::<Currency>("\"trx\"").unwrap().code(),
            "TRX"
        );
    }

    #[test]
    fn rounding_is_half_even() {
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(round_to_scale(dec!(1.005), usd).to_string(), "1.00");
        assert_eq!(round_to_scale(dec!(1.015), usd).to_string(), "1.02");
        assert_eq!(round_to_scale(dec!(-1.025), usd).to_string(), "-1.02");
        assert_eq!(round_to_scale(dec!(7), usd).to_string(), "7.00");
    }

    #[test]
    fn too_large_is_refused() {
        let usd = Currency::parse("USD").unwrap();
        assert!(matches!(
            usd.check_amount(MAX_AMOUNT_ABS + Decimal::ONE),
            Err(DomainError::AmountTooLarge(_))
        ));
    }

    proptest! {
        #[test]
        fn checked_amounts_keep_their_value_and_scale(units in -1_000_000_000_000i64..1_000_000_000_000i64, extra in 0u32..4) {
            for cur in Currency::all() {
                let value = Decimal::new(units, cur.scale() + extra);
                match cur.check_amount(value) {
                    Ok(v) => {
                        prop_assert_eq!(v, value);
                        prop_assert_eq!(v.scale(), cur.scale());
                    }
                    Err(_) => prop_assert!(value.normalize().scale() > cur.scale()),
                }
            }
        }

        #[test]
        fn rounding_lands_on_scale_and_within_half_unit(units in -1_000_000_000_000i64..1_000_000_000_000i64, scale in 0u32..12) {
            let value = Decimal::new(units, scale);
            for cur in Currency::all() {
                let r = round_to_scale(value, *cur);
                prop_assert_eq!(r.scale(), cur.scale());
                let half = Decimal::new(5, cur.scale() + 1);
                prop_assert!((r - value).abs() <= half);
                prop_assert!(cur.check_amount(r).is_ok());
            }
        }
    }
}

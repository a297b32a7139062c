//! Properties: unit scaling is exact, and no input makes the parsers panic.

use importers::fx::{parse_eurofxref, parse_market_chart};
use importers::tronscan::{scale_units, validate_hash};
use proptest::prelude::*;
use rust_decimal::Decimal;

proptest! {
    #[test]
    fn scaling_units_is_exact(units in any::<u64>(), decimals in 0u32..=18) {
        let scaled = scale_units(&units.to_string(), decimals).expect("a u64 always fits");
        let back = scaled * Decimal::from(10u64.pow(decimals));
        prop_assert_eq!(back, Decimal::from(units));
        prop_assert_eq!(scaled.scale(), decimals);
    }

    #[test]
    fn hash_validation_never_panics(s in ".{0,80}") {
        let _ = validate_hash(&s);
    }

    #[test]
    fn ecb_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_eurofxref(&bytes);
    }

    #[test]
    fn ecb_parser_never_panics_on_mangled_documents(cut in 0usize..700, junk in "[<>/='a-zA-Z0-9 .]{0,20}") {
        let doc = "<?xml version=\"1.0\"?><gesmes:Envelope xmlns:gesmes=\"g\"><Cube>\
                   <Cube time='2024-07-03'><Cube currency='USD' rate='1.0785'/>\
                   <Cube currency='SEK' rate='11.3485'/></Cube></Cube></gesmes:Envelope>";
        let cut = cut.min(doc.len());
        let mangled = format!("{}{}{}", &doc[..cut], junk, &doc[cut..]);
        let _ = parse_eurofxref(mangled.as_bytes());
    }

    #[test]
    fn chart_parser_never_panics(text in r#"[\[\]{}",:0-9.eE\-a-z ]{0,200}"#) {
        let _ = parse_market_chart(format!("{{\"prices\":{text}}}").as_bytes());
        let _ = parse_market_chart(text.as_bytes());
    }
}

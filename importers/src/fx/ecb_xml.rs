//! The ECB's eurofxref files (gesmes envelope), read with a streaming parser:
//!
//! ```xml
//! <gesmes:Envelope ...><Cube>
//!   <Cube time='2024-07-03'><Cube currency='USD' rate='1.0785'/>...</Cube>
//! </Cube></gesmes:Envelope>
//! ```
//!
//! The full history is several megabytes; streaming keeps memory at the size of the result.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::NaiveDate;
use domain::Currency;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use rust_decimal::Decimal;

use super::error::FxError;
use super::rate::Rate;

pub const ECB: &str = "ECB";

/// The rates of one file, plus what was left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EcbRates {
    pub rates: Vec<Rate>,
    /// Currencies the books do not know (`Currency::parse` refuses them), with how many rates of
    /// each were skipped.
    pub skipped: BTreeMap<String, u32>,
    /// Publication days in the file (including ones outside a requested range).
    pub days: usize,
}

fn xml_error(message: impl Into<String>) -> FxError {
    FxError::Xml {
        provider: ECB.to_string(),
        message: message.into(),
    }
}

fn invalid(what: &str, value: &str) -> FxError {
    FxError::InvalidValue {
        provider: ECB.to_string(),
        what: what.to_string(),
        value: value.to_string(),
    }
}

/// Parses a whole eurofxref file. A file that is not a gesmes envelope, is cut short, or holds
/// no dated `Cube` is an error: an HTML error page must not read as "no rates".
pub fn parse_eurofxref(xml: &[u8]) -> Result<EcbRates, FxError> {
    let mut reader = Reader::from_reader(xml);
    let mut out = EcbRates::default();
    let mut depth = 0usize;
    // The depth of the open `<Cube time=...>` element, while inside one.
    let mut day: Option<(NaiveDate, usize)> = None;
    let mut root_seen = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| xml_error(format!("near byte {}: {e}", reader.buffer_position())))?;
        match event {
            Event::Start(element) => {
                depth += 1;
                if depth == 1 {
                    check_root(&element)?;
                    root_seen = true;
                }
                read_cube(&element, depth, false, &mut day, &mut out)?;
            }
            Event::Empty(element) => {
                if depth == 0 {
                    return Err(xml_error("the document is an empty element"));
                }
                read_cube(&element, depth + 1, true, &mut day, &mut out)?;
            }
            Event::End(_) => {
                if day.is_some_and(|(_, at)| at == depth) {
                    day = None;
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 {
        return Err(xml_error(
            "the document ends inside an open element (cut short?)",
        ));
    }
    if !root_seen {
        return Err(xml_error("no root element"));
    }
    if out.days == 0 {
        return Err(xml_error("no <Cube time=...> element"));
    }
    Ok(out)
}

fn check_root(element: &BytesStart<'_>) -> Result<(), FxError> {
    if element.local_name().as_ref() != b"Envelope" {
        return Err(xml_error(format!(
            "the root element is <{}>, not a gesmes Envelope",
            String::from_utf8_lossy(element.name().as_ref())
        )));
    }
    Ok(())
}

fn read_cube(
    element: &BytesStart<'_>,
    depth: usize,
    empty: bool,
    day: &mut Option<(NaiveDate, usize)>,
    out: &mut EcbRates,
) -> Result<(), FxError> {
    if element.local_name().as_ref() != b"Cube" {
        return Ok(());
    }
    let mut time = None;
    let mut currency = None;
    let mut rate = None;
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|e| xml_error(e.to_string()))?;
        let value = attribute
            .unescape_value()
            .map_err(|e| xml_error(e.to_string()))?
            .into_owned();
        match attribute.key.local_name().as_ref() {
            b"time" => time = Some(value),
            b"currency" => currency = Some(value),
            b"rate" => rate = Some(value),
            _ => {}
        }
    }
    if let Some(time) = time {
        let date = NaiveDate::parse_from_str(time.trim(), "%Y-%m-%d")
            .map_err(|_| invalid("date", &time))?;
        out.days += 1;
        // `<Cube time='...'/>` is a day without rates; nothing stays open.
        *day = (!empty).then_some((date, depth));
        return Ok(());
    }
    let (Some(code), Some(rate_text)) = (currency, rate) else {
        return Ok(());
    };
    let Some((date, _)) = *day else {
        return Err(xml_error(format!(
            "a rate for {code} outside any <Cube time=...>"
        )));
    };
    let value = Decimal::from_str(rate_text.trim()).map_err(|_| invalid("rate", &rate_text))?;
    if value <= Decimal::ZERO {
        return Err(invalid("rate", &rate_text));
    }
    match Currency::parse(&code) {
        Ok(quote) => out.rates.push(Rate {
            date,
            base: eur(),
            quote,
            rate: value,
            source: ECB.to_string(),
        }),
        Err(_) => *out.skipped.entry(code.trim().to_string()).or_insert(0) += 1,
    }
    Ok(())
}

pub(crate) fn eur() -> Currency {
    Currency::parse("EUR").expect("EUR is in the currency table")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
	<gesmes:subject>Reference rates</gesmes:subject>
	<gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>
	<Cube>
		<Cube time='2024-07-03'>
			<Cube currency='USD' rate='1.0785'/>
			<Cube currency='SEK' rate='11.3485'/>
			<Cube currency='JPY' rate='174.03'/>
		</Cube>
		<Cube time='2024-07-02'>
			<Cube currency='USD' rate='1.0749'/>
		</Cube>
	</Cube>
</gesmes:Envelope>"#;

    #[test]
    fn rates_known_currencies_and_counts_the_rest() {
        let parsed = parse_eurofxref(DOC.as_bytes()).unwrap();
        assert_eq!(parsed.days, 2);
        assert_eq!(parsed.rates.len(), 3);
        assert_eq!(parsed.rates[0].quote.code(), "USD");
        assert_eq!(parsed.rates[0].base.code(), "EUR");
        assert_eq!(parsed.rates[0].rate, Decimal::from_str("1.0785").unwrap());
        assert_eq!(
            parsed.rates[2].date,
            NaiveDate::from_ymd_opt(2024, 7, 2).unwrap()
        );
        assert_eq!(parsed.skipped.get("SEK"), Some(&1));
    }

    #[test]
    fn broken_documents_are_errors() {
        let cut = &DOC[..DOC.len() / 2];
        assert!(matches!(
            parse_eurofxref(cut.as_bytes()),
            Err(FxError::Xml { .. })
        ));
        let mismatched = DOC.replace("</gesmes:Envelope>", "</Envelope>");
        assert!(matches!(
            parse_eurofxref(mismatched.as_bytes()),
            Err(FxError::Xml { .. })
        ));
        let html = "<html><body>Service unavailable</body></html>";
        assert!(matches!(
            parse_eurofxref(html.as_bytes()),
            Err(FxError::Xml { .. })
        ));
        assert!(matches!(parse_eurofxref(b""), Err(FxError::Xml { .. })));
        let bad_rate = DOC.replace("1.0749", "1,0749");
        assert!(matches!(
            parse_eurofxref(bad_rate.as_bytes()),
            Err(FxError::InvalidValue { .. })
        ));
        let bad_date = DOC.replace("2024-07-02", "2024-02-30");
        assert!(matches!(
            parse_eurofxref(bad_date.as_bytes()),
            Err(FxError::InvalidValue { .. })
        ));
        let orphan = DOC.replace("<Cube time='2024-07-02'>", "<Cube>");
        assert!(matches!(
            parse_eurofxref(orphan.as_bytes()),
            Err(FxError::Xml { .. })
        ));
    }
}

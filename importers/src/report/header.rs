//! Header cells: the matching key a column's name reduces to, and the currency the name
//! carries ("Spend (USD)"). Both the format detection and the column matching read headers
//! through here.

use domain::Currency;

use super::number::{Mark, currency_token};

/// A header cell reduced to its matching key, plus the currency it names, if any
/// ("Spend (USD)", "Cost, €", "Revenue [EUR]").
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HeaderName {
    pub(crate) key: String,
    pub(crate) currency: Option<Currency>,
}

pub(crate) fn parse_header(cell: &str) -> HeaderName {
    let cell = cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '"');
    let (name, mark) = split_currency(cell);
    HeaderName {
        key: normalize(name),
        currency: match mark {
            Some(Mark::Known(c)) => Some(c),
            _ => None,
        },
    }
}

pub(crate) fn split_currency(cell: &str) -> (&str, Option<Mark>) {
    for (open, close) in [('(', ')'), ('[', ']')] {
        if let Some(inner) = cell.strip_suffix(close)
            && let Some(at) = inner.rfind(open)
            && let Some(mark) = currency_token(&inner[at + open.len_utf8()..])
        {
            return (&cell[..at], Some(mark));
        }
    }
    for sep in [',', ' '] {
        if let Some(at) = cell.rfind(sep)
            && let Some(mark) = currency_token(&cell[at + 1..])
            && at > 0
        {
            return (&cell[..at], Some(mark));
        }
    }
    (cell, None)
}

/// The matching key of a header name: lower case, letters and digits only, so that
/// `Campaign_ID`, `campaign id` and `CampaignId` meet.
pub(crate) fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_loosely() {
        assert_eq!(normalize("Campaign_ID"), "campaignid");
        assert_eq!(normalize(" campaign id "), "campaignid");
        assert_eq!(normalize("CampaignId"), "campaignid");
        assert_eq!(normalize("Дата"), "дата");
        assert_eq!(parse_header("\u{feff}\"Date\"").key, "date");
    }

    #[test]
    fn currency_in_header() {
        let usd = Currency::parse("USD").unwrap();
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(parse_header("Spend (USD)").currency, Some(usd));
        assert_eq!(parse_header("Spend (USD)").key, "spend");
        assert_eq!(parse_header("Cost, €").currency, Some(eur));
        assert_eq!(parse_header("Revenue [EUR]").key, "revenue");
        assert_eq!(parse_header("Revenue USD").key, "revenue");
        assert_eq!(parse_header("Spend, $").currency, None);
        assert_eq!(parse_header("Spend, $").key, "spend");
        assert_eq!(parse_header("D1 Revenue").key, "d1revenue");
        assert_eq!(parse_header("1Q(25%) View").key, "1q25view");
    }
}

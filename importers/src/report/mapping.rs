//! Column mappings: how a user tells the importer which column of an arbitrary CSV feeds which
//! field. Stored by the server as JSON, so it is plain serde data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::columns::Field;
use super::formats::Kind;
use super::number::DecimalSeparator;

/// For each field, the name of the source column (matched like any header name: case,
/// spaces and underscores do not matter), plus what the rows are and how values are written.
///
/// ```json
/// {"kind": "spend", "columns": {"date": "Day", "campaign_name": "Camp", "spend": "Cost EUR"},
///  "date_format": "%d.%m.%Y", "decimal_separator": "comma"}
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    pub kind: Kind,
    pub columns: BTreeMap<Field, String>,
    /// A chrono `strftime` pattern for dates and times (e.g. `%d.%m.%Y %H:%M`); without it
    /// the usual shapes are recognised.
    #[serde(default)]
    pub date_format: Option<String>,
    /// Forces the decimal separator; without it the file decides (see the `number` module).
    #[serde(default)]
    pub decimal_separator: Option<DecimalSeparator>,
}

impl ColumnMapping {
    pub fn new(kind: Kind) -> Self {
        ColumnMapping {
            kind,
            columns: BTreeMap::new(),
            date_format: None,
            decimal_separator: None,
        }
    }

    /// Adds `field ← column`, builder style.
    pub fn column(mut self, field: Field, column: &str) -> Self {
        self.columns.insert(field, column.to_string());
        self
    }

    /// Checks what can be checked without the file: the date pattern parses, and every
    /// mapped field belongs to the mapping's kind.
    pub(crate) fn check(&self) -> Result<(), String> {
        if let Some(fmt) = &self.date_format {
            let broken = chrono::format::StrftimeItems::new(fmt)
                .any(|item| matches!(item, chrono::format::Item::Error));
            if broken || fmt.trim().is_empty() {
                return Err(format!(
                    "the date format \"{fmt}\" is not a valid strftime pattern"
                ));
            }
        }
        let foreign: Vec<&str> = self
            .columns
            .keys()
            .filter(|f| super::columns::aliases(self.kind, **f).is_empty())
            .map(|f| f.name())
            .collect();
        if !foreign.is_empty() {
            return Err(format!(
                "{} rows have no field{} {}",
                match self.kind {
                    Kind::Spend => "spend",
                    Kind::Results => "results",
                    Kind::Conversions => "conversion",
                },
                if foreign.len() == 1 { "" } else { "s" },
                foreign.join(", ")
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_as_json() {
        let m = ColumnMapping::new(Kind::Spend)
            .column(Field::Date, "Day")
            .column(Field::Spend, "Cost EUR");
        let json = serde_json::to_string(&m).unwrap();
        assert!(json.contains("\"spend\":\"Cost EUR\""), "{json}");
        assert_eq!(serde_json::from_str::<ColumnMapping>(&json).unwrap(), m);
        let parsed: ColumnMapping = serde_json::from_str(
            r#"{"kind":"conversions","columns":{"conversion_id":"tx","payout":"p","converted_at":"t"},"date_format":"%d.%m.%Y %H:%M","decimal_separator":"comma"}"#,
        )
        .unwrap();
        assert_eq!(parsed.decimal_separator, Some(DecimalSeparator::Comma));
        assert!(parsed.check().is_ok());
    }

    #[test]
    fn checks() {
        let mut m = ColumnMapping::new(Kind::Spend).column(Field::Payout, "x");
        assert!(m.check().unwrap_err().contains("payout"));
        m.columns.clear();
        m.date_format = Some("%Q".into());
        assert!(m.check().is_err());
    }
}

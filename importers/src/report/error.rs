//! What can go wrong: a file that cannot be read as a report at all ([`FileError`]), or one
//! row that cannot become a record ([`RowError`]). Both serialise to JSON for the server to
//! store and show; both read as sentences a person can act on.

use serde::{Deserialize, Serialize};

/// The longest raw value an error repeats back; cells can be megabytes of garbage.
pub(crate) const MAX_ERROR_VALUE_CHARS: usize = 200;

/// The file as a whole cannot be read as a report.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not a CSV report: it looks like {what}; export the report as CSV")]
    NotText { what: String },
    #[error(
        "line {line}: the header is not valid {encoding} text; save the file as UTF-8 CSV and upload it again"
    )]
    Undecodable { line: u64, encoding: String },
    #[error("{}", missing_columns_message(missing, seen, delimiter, hint.as_deref()))]
    MissingColumns {
        /// Each missing field with the column names that would have been accepted.
        missing: Vec<String>,
        /// The columns the header has.
        seen: Vec<String>,
        /// The delimiter the header was split with ("comma", "semicolon", "tab", ...).
        delimiter: String,
        hint: Option<String>,
    },
    #[error("{}", undetectable_message(seen, hint.as_deref()))]
    UndetectableFormat {
        seen: Vec<String>,
        hint: Option<String>,
    },
    #[error(
        "line {line}: the column `{name}` appears more than once; remove or rename one of them"
    )]
    DuplicateColumn { line: u64, name: String },
    #[error("line {line}: the header has {count} columns; a report may have at most {max}")]
    TooManyColumns { line: u64, count: usize, max: usize },
    #[error(
        "the file has no currency column, so the currency of this source must be chosen for the import"
    )]
    MissingCurrency,
    #[error(
        "money columns name different currencies ({first} and {second}); a row holds one currency: split the file or use a currency column"
    )]
    MixedCurrencies { first: String, second: String },
    #[error(
        "the file has no date column and its name covers {first} to {last}; export one day per file or give the report date for the import"
    )]
    DateRangeInName { first: String, last: String },
    #[error(
        "line {line}: a quoted field that starts on this line is never closed (a closing \" is missing)"
    )]
    UnclosedQuote { line: u64 },
    #[error(
        "line {line}: a row is longer than {max_bytes} bytes; most likely a quote (\") opened on this line is never closed"
    )]
    RowTooLong { line: u64, max_bytes: usize },
    #[error("line {line}: a row has more than {max} fields")]
    TooManyFields { line: u64, max: usize },
    #[error("the column mapping is not usable: {reason}")]
    InvalidMapping { reason: String },
    #[error("the import options are not usable: {reason}")]
    InvalidOptions { reason: String },
    #[error("reading the file failed: {message}")]
    Io { message: String },
}

impl FileError {
    /// The physical line the error was found on, when it belongs to one.
    pub fn line(&self) -> Option<u64> {
        match self {
            FileError::Undecodable { line, .. }
            | FileError::DuplicateColumn { line, .. }
            | FileError::TooManyColumns { line, .. }
            | FileError::UnclosedQuote { line }
            | FileError::RowTooLong { line, .. }
            | FileError::TooManyFields { line, .. } => Some(*line),
            _ => None,
        }
    }
}

fn missing_columns_message(
    missing: &[String],
    seen: &[String],
    delimiter: &str,
    hint: Option<&str>,
) -> String {
    let mut msg = format!(
        "missing required column{}: {}. The header has {} column{} (split on {}): {}",
        if missing.len() == 1 { "" } else { "s" },
        missing.join("; "),
        seen.len(),
        if seen.len() == 1 { "" } else { "s" },
        delimiter,
        quoted_list(seen),
    );
    if let Some(hint) = hint {
        msg.push_str(". ");
        msg.push_str(hint);
    }
    msg
}

fn undetectable_message(seen: &[String], hint: Option<&str>) -> String {
    let mut msg = format!(
        "cannot tell the report format from its columns ({}); choose the format for this import",
        quoted_list(seen)
    );
    if let Some(hint) = hint {
        msg.push_str(": ");
        msg.push_str(hint);
    }
    msg
}

fn quoted_list(items: &[String]) -> String {
    const SHOWN: usize = 30;
    let mut out: Vec<String> = items
        .iter()
        .take(SHOWN)
        .map(|s| format!("\"{}\"", truncate(s, 80)))
        .collect();
    if items.len() > SHOWN {
        out.push(format!("and {} more", items.len() - SHOWN));
    }
    out.join(", ")
}

/// Cuts `s` to at most `max` characters, marking the cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// One row could not become a record. Parsing goes on after it unless `fatal` is set.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("line {line}{}: {reason}", column.as_ref().map(|c| format!(", column \"{c}\"")).unwrap_or_default())]
pub struct RowError {
    /// 1-based physical line of the file where the row starts.
    pub line: u64,
    /// The header name of the offending column, when one column is to blame.
    pub column: Option<String>,
    /// The raw value, cut to about 200 characters.
    pub value: Option<String>,
    pub reason: String,
    /// Reading stopped here: the rest of the file cannot be read reliably (a broken quote, an
    /// I/O failure). The same error is available typed from `ReportReader::fatal_error`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fatal: bool,
}

impl RowError {
    pub(crate) fn new(
        line: u64,
        column: Option<&str>,
        value: Option<&str>,
        reason: String,
    ) -> Self {
        RowError {
            line,
            column: column.map(str::to_string),
            value: value.map(|v| truncate(v, MAX_ERROR_VALUE_CHARS)),
            reason,
            fatal: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_sentences() {
        let e = FileError::MissingColumns {
            missing: vec!["spend (Spend, Cost)".into()],
            seen: vec!["Date,Campaign,Spend".into()],
            delimiter: "semicolon".into(),
            hint: Some("the header contains commas: the file seems to be comma-separated".into()),
        };
        let m = e.to_string();
        assert!(m.starts_with("missing required column: spend (Spend, Cost). The header has 1 column (split on semicolon)"), "{m}");
        assert!(m.contains("comma-separated"));
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "missing_columns");
        let r = RowError::new(
            7,
            Some("Spend"),
            Some(&"x".repeat(500)),
            "Spend is not a number".into(),
        );
        assert_eq!(r.value.as_ref().unwrap().chars().count(), 201);
        assert_eq!(
            r.to_string(),
            "line 7, column \"Spend\": Spend is not a number"
        );
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("fatal"));
        assert_eq!(serde_json::from_str::<RowError>(&json).unwrap(), r);
    }
}

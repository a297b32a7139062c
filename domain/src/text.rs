//! The one rule for text that reaches the log.
//!
//! Every text field of every command passes [`check`] (directly or through [`clean_name`],
//! [`clean_line`] and [`clean_text`]) before an event is decided. What it refuses, and why:
//! - U+0000 (NUL): PostgreSQL cannot store it in `text`; an event holding one would be
//!   appended (the log's `json` keeps the escape) and then stop every projection of it.
//! - Other control characters (C0, DEL, C1): invisible, they make two names look alike and
//!   break CSV and terminal output. Multi-line text keeps tab, line feed and carriage return.
//! - Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) in
//!   names and one-line text: they reorder what a reader sees ("Trojan Source"), so a payee
//!   or account could be shown as another.
//!
//! Lone surrogates cannot occur: a Rust `String` is valid UTF-8 and the JSON parser refuses
//! an unpaired `\uD800` escape. Lengths are counted in characters (Unicode scalar values).

use crate::error::DomainError;

/// Longest name (accounts, projects, counterparties, campaigns ...), in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest free text (descriptions, notes, memos) unless a field says otherwise.
pub const MAX_TEXT_CHARS: usize = 2000;

/// What kind of text a field holds; decides which characters it may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// A name shown in lists and pickers: one line, no bidi controls.
    Name,
    /// A one-line value (a code, a key, an address, a description line): as a name.
    Line,
    /// Free text that may span lines (notes, memos): tab, LF and CR allowed; bidi controls
    /// allowed, since right-to-left prose may need them.
    Multiline,
}

/// Whether `c` is a bidi embedding, override or isolate control.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Why `c` may not stand in text of `kind`, if it may not.
fn refusal(c: char, kind: TextKind) -> Option<&'static str> {
    if c == '\0' {
        return Some("must not contain NUL characters (U+0000)");
    }
    let allowed_whitespace = kind == TextKind::Multiline && matches!(c, '\t' | '\n' | '\r');
    if c.is_control() && !allowed_whitespace {
        return Some("must not contain control characters");
    }
    if kind != TextKind::Multiline && is_bidi_control(c) {
        return Some(
            "must not contain bidirectional override characters (U+202A-U+202E, U+2066-U+2069)",
        );
    }
    None
}

/// Checks `value` against the rule for `kind` and its length limit. The error names `field`.
pub fn check(
    field: &str,
    value: &str,
    kind: TextKind,
    max_chars: usize,
) -> Result<(), DomainError> {
    let mut chars = 0usize;
    for c in value.chars() {
        chars += 1;
        if let Some(reason) = refusal(c, kind) {
            return Err(DomainError::invalid(field, reason));
        }
    }
    if chars > max_chars {
        return Err(DomainError::invalid(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    Ok(())
}

/// Whether `value` holds a character PostgreSQL cannot store in `text` (NUL): the last line of
/// defence, checked on every payload the event store appends.
pub fn has_unstorable(value: &str) -> bool {
    value.contains('\0')
}

/// Whether JSON text holds an escaped NUL (`\u0000`) inside a string. JSON cannot carry a raw
/// NUL in a string (serde refuses it), so this is the only way one arrives or is stored. An
/// escape counts only when the backslash before `u` is not itself escaped (`\\u0000` is
/// the six characters `\u0000`, not a NUL). Linear in the text; found nothing in the common case.
pub fn json_has_nul_escape(json: &[u8]) -> bool {
    memchr::memmem::find_iter(json, br"\u0000").any(|at| {
        let backslashes = json[..at].iter().rev().take_while(|b| **b == b'\\').count();
        backslashes % 2 == 0
    })
}

/// The path (`lines[0].description`, `notes`) of the first string or key in `value` that holds
/// a NUL, if any.
pub fn json_nul_path(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) if has_unstorable(s) => Some(String::new()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| json_nul_path(v).map(|rest| format!("[{i}]{}", dotted(&rest)))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if has_unstorable(k) {
                return Some(k.replace('\0', "\u{FFFD}"));
            }
            json_nul_path(v).map(|rest| format!("{k}{}", dotted(&rest)))
        }),
        _ => None,
    }
}

fn dotted(rest: &str) -> String {
    if rest.is_empty() || rest.starts_with('[') {
        rest.to_string()
    } else {
        format!(".{rest}")
    }
}

/// Replaces every NUL in the strings and keys of `value` with U+FFFD (the replacement
/// character). The repair for events that were stored with a NUL before this rule existed
/// (or behind the application's back): see `eventstore::upcast`.
pub fn replace_nul_in_json(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) if has_unstorable(s) => *s = s.replace('\0', "\u{FFFD}"),
        Value::Array(items) => items.iter_mut().for_each(replace_nul_in_json),
        Value::Object(map) => {
            if map.keys().any(|k| has_unstorable(k)) {
                let entries = std::mem::take(map);
                for (k, v) in entries {
                    map.insert(k.replace('\0', "\u{FFFD}"), v);
                }
            }
            map.values_mut().for_each(replace_nul_in_json);
        }
        _ => {}
    }
}

/// Trims a required name and checks it.
pub fn clean_name(field: &str, value: String) -> Result<String, DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    check(field, trimmed, TextKind::Name, MAX_NAME_CHARS)?;
    Ok(trimmed.to_string())
}

/// Trims a required one-line text (a description) and checks it.
pub fn clean_required_line(
    field: &str,
    value: &str,
    max_chars: usize,
) -> Result<String, DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    check(field, trimmed, TextKind::Line, max_chars)?;
    Ok(trimmed.to_string())
}

/// Trims optional text of `kind`; empty becomes `None`.
fn clean_optional(
    field: &str,
    value: Option<String>,
    kind: TextKind,
    max_chars: usize,
) -> Result<Option<String>, DomainError> {
    let Some(value) = value else { return Ok(None) };
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    check(field, trimmed, kind, max_chars)?;
    Ok(Some(trimmed.to_string()))
}

/// Trims optional one-line text (a code, a website, a phone number); empty becomes `None`.
pub fn clean_line(
    field: &str,
    value: Option<String>,
    max_chars: usize,
) -> Result<Option<String>, DomainError> {
    clean_optional(field, value, TextKind::Line, max_chars)
}

/// Trims optional free text (notes, memos); empty becomes `None`.
pub fn clean_text(
    field: &str,
    value: Option<String>,
    max_chars: usize,
) -> Result<Option<String>, DomainError> {
    clean_optional(field, value, TextKind::Multiline, max_chars)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn field_of(e: DomainError) -> String {
        match e {
            DomainError::Invalid { field, .. } => field.to_string(),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn nul_is_refused_in_every_kind() {
        for kind in [TextKind::Name, TextKind::Line, TextKind::Multiline] {
            let e = check("notes", "a\0b", kind, 100).unwrap_err();
            assert_eq!(field_of(e), "notes");
        }
        assert!(clean_text("memo", Some("\0".into()), 10).is_err());
        assert!(clean_name("name", "x\0".into()).is_err());
    }

    #[test]
    fn multiline_keeps_layout_whitespace_but_not_other_controls() {
        assert!(check("notes", "a\tb\r\nc", TextKind::Multiline, 100).is_ok());
        assert!(check("notes", "a\u{7}b", TextKind::Multiline, 100).is_err());
        assert!(check("notes", "a\u{85}b", TextKind::Multiline, 100).is_err());
        assert!(check("name", "a\nb", TextKind::Name, 100).is_err());
        assert!(check("code", "a\tb", TextKind::Line, 100).is_err());
    }

    #[test]
    fn bidi_overrides_are_refused_in_names_and_lines() {
        for c in ['\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}'] {
            let s = format!("Acme{c}Ltd");
            assert!(check("name", &s, TextKind::Name, 100).is_err(), "{c:?}");
            assert!(check("code", &s, TextKind::Line, 100).is_err(), "{c:?}");
            assert!(
                check("notes", &s, TextKind::Multiline, 100).is_ok(),
                "{c:?}"
            );
        }
        // Letters of right-to-left scripts and the implicit marks stay allowed.
        assert!(check("name", "שלום \u{200F} مرحبا", TextKind::Name, 100).is_ok());
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert!(check("name", &"é".repeat(200), TextKind::Name, 200).is_ok());
        assert!(check("name", &"é".repeat(201), TextKind::Name, 200).is_err());
        assert!(check("name", "🧾🧾", TextKind::Name, 2).is_ok());
    }

    #[test]
    fn cleaning_trims_and_maps_blank_to_none() {
        assert_eq!(
            clean_text("n", Some("  x ".into()), 5).unwrap().as_deref(),
            Some("x")
        );
        assert_eq!(clean_line("n", Some("   ".into()), 5).unwrap(), None);
        assert!(clean_name("n", "  ".into()).is_err());
        assert_eq!(clean_required_line("d", " a ", 5).unwrap(), "a");
    }

    #[test]
    fn nul_escapes_are_found_in_json_text_and_escaped_backslashes_are_not() {
        assert!(json_has_nul_escape(br#"{"a":"x\u0000y"}"#));
        assert!(!json_has_nul_escape(br#"{"a":"x\\u0000y"}"#));
        assert!(json_has_nul_escape(br#"{"a":"x\\\u0000y"}"#));
        assert!(!json_has_nul_escape(br#"{"a":"plain"}"#));
        let v: serde_json::Value =
            serde_json::from_str(r#"{"lines":[{"description":"ok"},{"description":"a\u0000"}]}"#)
                .unwrap();
        assert_eq!(json_nul_path(&v).as_deref(), Some("lines[1].description"));
        let v: serde_json::Value = serde_json::from_str(r#"{"keys":["a","\u0000"]}"#).unwrap();
        assert_eq!(json_nul_path(&v).as_deref(), Some("keys[1]"));
        let mut v: serde_json::Value =
            serde_json::from_str(r#"{"n\u0000":["a\u0000b",{"c":"\u0000"}]}"#).unwrap();
        replace_nul_in_json(&mut v);
        assert_eq!(json_nul_path(&v), None);
        assert_eq!(v["n\u{FFFD}"][0], "a\u{FFFD}b");
    }

    proptest! {
        /// Whatever passes the rule is storable, and putting one refused character into
        /// passing text makes it fail, wherever it lands.
        #[test]
        fn accepted_text_is_storable_and_one_bad_char_breaks_it(
            s in "[a-zA-Z0-9 éß漢字🧾\u{5d0}-\u{5ea}]{0,40}",
            at in 0usize..41,
            bad in prop::sample::select(vec!['\0', '\u{1}', '\u{1b}', '\u{7f}', '\u{9b}', '\u{202e}', '\u{2067}']),
        ) {
            prop_assert!(check("f", &s, TextKind::Name, 100).is_ok());
            prop_assert!(!has_unstorable(&s));
            let mut chars: Vec<char> = s.chars().collect();
            let at = at.min(chars.len());
            chars.insert(at, bad);
            let broken: String = chars.into_iter().collect();
            prop_assert!(check("f", &broken, TextKind::Name, 100).is_err());
            if bad == '\0' {
                prop_assert!(check("f", &broken, TextKind::Multiline, 100).is_err());
                prop_assert!(has_unstorable(&broken));
            }
        }
    }
}

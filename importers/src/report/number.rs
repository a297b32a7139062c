//! Numbers as spreadsheets, trackers and ad networks write them: thousands separators, decimal
//! commas, currency signs, `%` suffixes, accounting parentheses.
//!
//! # Which separator is the decimal one
//! Each value is read on its own first; the file's convention only settles the one case the
//! value cannot settle by itself:
//! 1. Spaces, non-breaking spaces, thin spaces and apostrophes between digits always group
//!    thousands.
//! 2. When both `.` and `,` appear, the last one is the decimal separator and must appear once
//!    ("1,234.56" and "1.234,56" are both 1234.56).
//! 3. When one of them appears more than once it groups thousands ("1,234,567").
//! 4. When one of them appears once it is decimal, unless it is followed by exactly three digits
//!    and preceded by one to three digits that do not start with 0 ("1,234", "12.500"). That
//!    value is ambiguous and is resolved as follows:
//!    - in a count column it groups thousands, since a count cannot be fractional anyway;
//!    - in a money column it is decimal when it matches the file's decimal separator, and groups
//!      thousands otherwise. The reader decides the file's separator from the unambiguous values
//!      among the first rows (see [`evidence`]); without any, a semicolon-delimited file uses the
//!      comma and a comma- or tab-delimited file uses the dot.
//!
//! Groups after the first must have exactly three digits; anything else ("1,23,456", "12 34")
//! is refused rather than guessed. Amounts keep every digit they were written with, up to
//! [`MAX_SCALE`] decimal places, and must be below 1e15.

use domain::Currency;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The most decimal places an amount may carry (trailing zeros beyond it are dropped first).
pub const MAX_SCALE: u32 = 10;
/// Amounts must be below 10^15: larger values in a traffic report are corrupt data.
const MAX_INTEGER_DIGITS: u32 = 15;
/// More digits than this cannot be a real figure and would overflow the accumulator.
const MAX_DIGITS: usize = 36;
const MAX_SEPARATORS: usize = 16;

/// The character that separates the fraction of a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecimalSeparator {
    Dot,
    Comma,
}

/// What a column holds, which decides how an ambiguous separator is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Count,
    Money,
}

/// A currency sign or code written next to a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mark {
    None,
    Known(Currency),
    /// `$` or `¥`: used by several currencies, so it proves nothing.
    Ambiguous,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumberError {
    NotANumber,
    Scientific,
    Grouping,
    TooPrecise,
    TooLarge,
    Fractional,
}

impl NumberError {
    /// A fragment that follows the column's name: "Spend {fragment}".
    pub(crate) fn fragment(self) -> &'static str {
        match self {
            Self::NotANumber => "is not a number (expected digits such as 1234.56 or 1 234,56)",
            Self::Scientific => {
                "is in scientific notation (like 1.2E+05), which may have lost digits; format the column as a plain number before exporting"
            }
            Self::Grouping => {
                "has digit groups that are not thousands (expected like 1,234,567.89); check the decimal and thousands separators"
            }
            Self::TooPrecise => "has more than 10 decimal places",
            Self::TooLarge => "is too large (amounts must be below 1,000,000,000,000,000)",
            Self::Fractional => "is a count but has a fractional part",
        }
    }
}

/// A parsed value: `mantissa / 10^scale`, with its sign and any currency mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Number {
    mantissa: u128,
    scale: u32,
    negative: bool,
    pub(crate) mark: Mark,
}

impl Number {
    pub(crate) fn is_negative(&self) -> bool {
        self.negative && self.mantissa != 0
    }

    pub(crate) fn to_decimal(self) -> Decimal {
        // mantissa < 10^(15 + MAX_SCALE) < 2^96, so the conversion cannot fail.
        let m = self.mantissa as i128;
        Decimal::from_i128_with_scale(if self.negative { -m } else { m }, self.scale)
    }

    /// The value as a count; negative values are the caller's to refuse.
    pub(crate) fn to_count(self) -> Result<u64, NumberError> {
        let (mut m, mut scale) = (self.mantissa, self.scale);
        while scale > 0 && m.is_multiple_of(10) {
            m /= 10;
            scale -= 1;
        }
        if scale > 0 {
            return Err(NumberError::Fractional);
        }
        u64::try_from(m).map_err(|_| NumberError::TooLarge)
    }
}

/// Values that mean "nothing here": Moloco writes `n/a` or `-` for no spend, Excel `#N/A`.
pub(crate) fn is_null(value: &str) -> bool {
    if value.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let v = trim(value);
    v.is_empty()
        || matches!(v, "-" | "--" | "–" | "—")
        || ["n/a", "na", "#n/a", "null", "none", "nan"]
            .iter()
            .any(|n| v.eq_ignore_ascii_case(n))
}

pub(crate) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let plain = |c: &u8| c.is_ascii() && !c.is_ascii_whitespace();
    if b.first().is_none_or(plain) && b.last().is_none_or(plain) {
        // The common case, with nothing to trim, costs two byte checks.
        return s;
    }
    // char::is_whitespace covers NBSP, narrow NBSP and thin spaces.
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

/// Parses one value; see the module documentation for the separator rules.
pub(crate) fn parse(
    value: &str,
    role: Role,
    file: DecimalSeparator,
) -> Result<Number, NumberError> {
    let bare = strip_decorations(value)?;
    let bytes = bare.core.as_bytes();
    // Fast path: plain digits, by far the most common cell.
    if !bytes.is_empty() && bytes.len() <= 18 && bytes.iter().all(u8::is_ascii_digit) {
        let mantissa = bytes
            .iter()
            .fold(0u128, |acc, b| acc * 10 + u128::from(b - b'0'));
        return finish(mantissa, 0, bare.negative, bare.mark);
    }
    let scan = scan(bare.core)?;
    let decimal = scan.decimal_index(role, file)?;
    let int_end = decimal.map_or(scan.digits_len, |i| scan.seps[i].1);
    scan.check_grouping(decimal, int_end)?;
    let mantissa = scan.digits[..scan.digits_len]
        .iter()
        .fold(0u128, |acc, d| acc * 10 + u128::from(*d));
    finish(
        mantissa,
        (scan.digits_len - int_end) as u32,
        bare.negative,
        bare.mark,
    )
}

/// Which decimal separator the value proves, if any: "12,5" proves the comma, "1,234.5" the dot,
/// "1,234,567" the dot (commas that group), "1,234" nothing.
pub(crate) fn evidence(value: &str) -> Option<DecimalSeparator> {
    let bare = strip_decorations(value).ok()?;
    let scan = scan(bare.core).ok()?;
    let (dots, commas) = scan.counts();
    match (dots, commas) {
        (0, 0) => None,
        (d, c) if d > 0 && c > 0 => scan.last_point().map(|i| scan.seps[i].0.separator()),
        (1, 0) | (0, 1) => {
            let i = scan.last_point()?;
            (!scan.is_ambiguous(i)).then(|| scan.seps[i].0.separator())
        }
        (_, 0) => Some(DecimalSeparator::Comma),
        _ => Some(DecimalSeparator::Dot),
    }
}

fn finish(
    mut mantissa: u128,
    mut scale: u32,
    negative: bool,
    mark: Mark,
) -> Result<Number, NumberError> {
    while scale > MAX_SCALE && mantissa.is_multiple_of(10) {
        mantissa /= 10;
        scale -= 1;
    }
    if scale > MAX_SCALE {
        return Err(NumberError::TooPrecise);
    }
    if mantissa / 10u128.pow(scale) >= 10u128.pow(MAX_INTEGER_DIGITS) {
        return Err(NumberError::TooLarge);
    }
    Ok(Number {
        mantissa,
        scale,
        negative,
        mark,
    })
}

struct Bare<'a> {
    core: &'a str,
    negative: bool,
    mark: Mark,
}

/// Removes what surrounds the digits: sign, accounting parentheses, currency, percent.
fn strip_decorations(value: &str) -> Result<Bare<'_>, NumberError> {
    let mut s = trim(value);
    let b = s.as_bytes();
    if b.first().is_some_and(u8::is_ascii_digit) && b.last().is_some_and(u8::is_ascii_digit) {
        // Digits at both ends: no sign, currency or percent to strip.
        return Ok(Bare {
            core: s,
            negative: false,
            mark: Mark::None,
        });
    }
    let mut negative = false;
    let mut signed = false;
    let mut mark = Mark::None;
    if s.len() >= 2 && s.starts_with('(') && s.ends_with(')') {
        negative = true;
        signed = true;
        s = trim(&s[1..s.len() - 1]);
    }
    // Sign and currency come in either order: "-$12", "$-12", "€ -12".
    for _ in 0..2 {
        if let Some((neg, rest)) = strip_sign(s) {
            if signed {
                return Err(NumberError::NotANumber);
            }
            signed = true;
            negative = neg;
            s = trim(rest);
        }
        if let Some((m, rest)) = strip_currency_prefix(s)? {
            if mark != Mark::None {
                return Err(NumberError::NotANumber);
            }
            mark = m;
            s = trim(rest);
        }
    }
    // Suffixes: "12,50 €", "4.51%", "100 USD".
    for _ in 0..2 {
        if let Some(rest) = s.strip_suffix('%') {
            s = trim(rest);
        }
        if let Some((m, rest)) = strip_currency_suffix(s)? {
            if mark != Mark::None {
                return Err(NumberError::NotANumber);
            }
            mark = m;
            s = trim(rest);
        }
    }
    Ok(Bare {
        core: s,
        negative,
        mark,
    })
}

fn strip_sign(s: &str) -> Option<(bool, &str)> {
    if let Some(rest) = s.strip_prefix('-') {
        Some((true, rest))
    } else if let Some(rest) = s.strip_prefix('\u{2212}') {
        Some((true, rest))
    } else {
        s.strip_prefix('+').map(|rest| (false, rest))
    }
}

/// Signs written next to amounts. Longer ones first so that "US$" wins over "$".
const SIGNS: &[(&str, Option<&str>)] = &[
    ("US$", Some("USD")),
    ("R$", Some("BRL")),
    ("C$", Some("CAD")),
    ("A$", Some("AUD")),
    ("HK$", Some("HKD")),
    ("S$", Some("SGD")),
    ("$", None),
    ("€", Some("EUR")),
    ("₽", Some("RUB")),
    ("£", Some("GBP")),
    ("¥", None),
    ("₴", Some("UAH")),
    ("₸", Some("KZT")),
    ("₺", Some("TRY")),
    ("₹", Some("INR")),
    ("₩", Some("KRW")),
    ("₫", Some("VND")),
    ("zł", Some("PLN")),
    ("руб.", Some("RUB")),
    ("руб", Some("RUB")),
    ("р.", Some("RUB")),
];

fn sign_mark(code: Option<&str>) -> Mark {
    code.and_then(|c| Currency::parse(c).ok())
        .map_or(Mark::Ambiguous, Mark::Known)
}

/// A whole token that names a currency ("USD", "€", "руб."), as in a header "Spend (USD)".
pub(crate) fn currency_token(token: &str) -> Option<Mark> {
    let t = trim(token);
    if let Some((_, code)) = SIGNS.iter().find(|(sign, _)| *sign == t) {
        return Some(sign_mark(*code));
    }
    let letters = t.len();
    if (3..=4).contains(&letters) && t.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Currency::parse(t).ok().map(Mark::Known);
    }
    None
}

fn strip_currency_prefix(s: &str) -> Result<Option<(Mark, &str)>, NumberError> {
    for (sign, code) in SIGNS {
        if let Some(rest) = s.strip_prefix(sign) {
            return Ok(Some((sign_mark(*code), rest)));
        }
    }
    let letters = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 {
        return Ok(None);
    }
    if !(3..=4).contains(&letters) {
        return Err(NumberError::NotANumber);
    }
    let currency = Currency::parse(&s[..letters]).map_err(|_| NumberError::NotANumber)?;
    Ok(Some((Mark::Known(currency), &s[letters..])))
}

fn strip_currency_suffix(s: &str) -> Result<Option<(Mark, &str)>, NumberError> {
    for (sign, code) in SIGNS {
        if let Some(rest) = s.strip_suffix(sign) {
            return Ok(Some((sign_mark(*code), rest)));
        }
    }
    let letters = s.bytes().rev().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 {
        return Ok(None);
    }
    let start = s.len() - letters;
    if !(3..=4).contains(&letters) {
        // "1.2E" and friends: say what it looks like when we can.
        return Err(if letters == 1 && s[start..].eq_ignore_ascii_case("e") {
            NumberError::Scientific
        } else {
            NumberError::NotANumber
        });
    }
    let currency = Currency::parse(&s[start..]).map_err(|_| NumberError::NotANumber)?;
    Ok(Some((Mark::Known(currency), &s[..start])))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sep {
    Dot,
    Comma,
    Space,
}

impl Sep {
    fn separator(self) -> DecimalSeparator {
        if self == Sep::Comma {
            DecimalSeparator::Comma
        } else {
            DecimalSeparator::Dot
        }
    }
}

/// The digits of a value and where its separators sit (as the count of digits before each).
struct Scan {
    digits: [u8; MAX_DIGITS],
    digits_len: usize,
    seps: [(Sep, usize); MAX_SEPARATORS],
    seps_len: usize,
}

fn scan(core: &str) -> Result<Scan, NumberError> {
    let mut out = Scan {
        digits: [0; MAX_DIGITS],
        digits_len: 0,
        seps: [(Sep::Space, 0); MAX_SEPARATORS],
        seps_len: 0,
    };
    let bytes = core.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (sep, width) = match b {
            b'0'..=b'9' => {
                if out.digits_len == MAX_DIGITS {
                    return Err(NumberError::TooLarge);
                }
                out.digits[out.digits_len] = b - b'0';
                out.digits_len += 1;
                i += 1;
                continue;
            }
            b'.' => (Sep::Dot, 1),
            b',' => (Sep::Comma, 1),
            b' ' | b'\'' => (Sep::Space, 1),
            // U+00A0 no-break space.
            0xC2 if bytes.get(i + 1) == Some(&0xA0) => (Sep::Space, 2),
            // U+2007 figure space, U+2009 thin space, U+202F narrow no-break space, U+2019 ’.
            0xE2 if matches!(
                (bytes.get(i + 1), bytes.get(i + 2)),
                (Some(0x80), Some(0x87 | 0x89 | 0xAF | 0x99))
            ) =>
            {
                (Sep::Space, 3)
            }
            b'e' | b'E' if out.digits_len > 0 => return Err(NumberError::Scientific),
            _ => return Err(NumberError::NotANumber),
        };
        if out.seps_len == MAX_SEPARATORS {
            return Err(NumberError::Grouping);
        }
        if out.seps_len > 0 && out.seps[out.seps_len - 1].1 == out.digits_len {
            // Two separators in a row: "1,,5" or "1. 5".
            return Err(NumberError::NotANumber);
        }
        out.seps[out.seps_len] = (sep, out.digits_len);
        out.seps_len += 1;
        i += width;
    }
    if out.digits_len == 0 {
        return Err(NumberError::NotANumber);
    }
    Ok(out)
}

impl Scan {
    fn seps(&self) -> &[(Sep, usize)] {
        &self.seps[..self.seps_len]
    }

    fn counts(&self) -> (usize, usize) {
        let dots = self.seps().iter().filter(|s| s.0 == Sep::Dot).count();
        let commas = self.seps().iter().filter(|s| s.0 == Sep::Comma).count();
        (dots, commas)
    }

    /// Index of the last `.` or `,`.
    fn last_point(&self) -> Option<usize> {
        self.seps().iter().rposition(|s| s.0 != Sep::Space)
    }

    /// "1,234" / "12.500": one to three digits (not starting with 0), one point, three digits,
    /// and no space grouping that would make the point the decimal one.
    fn is_ambiguous(&self, i: usize) -> bool {
        let before = self.seps[i].1;
        let after = self.digits_len - before;
        let spaces = self.seps().iter().any(|s| s.0 == Sep::Space);
        after == 3 && (1..=3).contains(&before) && self.digits[0] != 0 && !spaces
    }

    /// Index (in `seps`) of the decimal separator, if the value has one.
    fn decimal_index(
        &self,
        role: Role,
        file: DecimalSeparator,
    ) -> Result<Option<usize>, NumberError> {
        let (dots, commas) = self.counts();
        let Some(last) = self.last_point() else {
            return Ok(None);
        };
        let kind = self.seps[last].0;
        if dots > 0 && commas > 0 {
            let same = if kind == Sep::Dot { dots } else { commas };
            return if same == 1 {
                Ok(Some(last))
            } else {
                Err(NumberError::Grouping)
            };
        }
        if dots + commas > 1 {
            return Ok(None);
        }
        if !self.is_ambiguous(last) {
            return Ok(Some(last));
        }
        Ok(match role {
            Role::Count => None,
            Role::Money if kind.separator() == file => Some(last),
            Role::Money => None,
        })
    }

    /// Grouping separators must split the integer part into thousands, and nothing may follow
    /// the decimal separator.
    fn check_grouping(&self, decimal: Option<usize>, int_end: usize) -> Result<(), NumberError> {
        if let Some(d) = decimal
            && d + 1 != self.seps_len
        {
            return Err(NumberError::Grouping);
        }
        let groups = &self.seps()[..decimal.unwrap_or(self.seps_len)];
        let mut prev: Option<usize> = None;
        for &(_, at) in groups {
            let ok = match prev {
                None => (1..=3).contains(&at),
                Some(p) => at - p == 3,
            };
            if !ok {
                return Err(NumberError::Grouping);
            }
            prev = Some(at);
        }
        match prev {
            Some(p) if int_end - p != 3 => Err(NumberError::Grouping),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DecimalSeparator::{Comma, Dot};

    fn money(v: &str, file: DecimalSeparator) -> Result<String, NumberError> {
        parse(v, Role::Money, file).map(|n| n.to_decimal().to_string())
    }

    fn count(v: &str) -> Result<u64, NumberError> {
        parse(v, Role::Count, Dot).and_then(|n| n.to_count())
    }

    #[test]
    fn plain_and_decorated_amounts() {
        for (v, want) in [
            ("12.50", "12.50"),
            ("12,50", "12.50"),
            ("1,234.56", "1234.56"),
            ("1.234,56", "1234.56"),
            ("1 234,56", "1234.56"),
            ("1\u{a0}234,56", "1234.56"),
            ("1\u{202f}234.5", "1234.5"),
            ("1'234.50", "1234.50"),
            ("$1,234.56", "1234.56"),
            ("-$12.5", "-12.5"),
            ("$-12.5", "-12.5"),
            ("(12.50)", "-12.50"),
            ("12,50 €", "12.50"),
            ("₽ 1 000", "1000"),
            ("100 USD", "100"),
            ("USD 100.25", "100.25"),
            ("4.51%", "4.51"),
            ("−11.28", "-11.28"),
            ("+7", "7"),
            (".5", "0.5"),
            ("5.", "5"),
            ("0,125", "0.125"),
            ("1234,567", "1234.567"),
            ("12.3456789012", "12.3456789012"),
            ("1.500000000000000", "1.5000000000"),
            ("999999999999999.99", "999999999999999.99"),
            ("  42  ", "42"),
        ] {
            assert_eq!(money(v, Dot).as_deref(), Ok(want), "{v}");
        }
    }

    #[test]
    fn ambiguous_single_separator_follows_role_and_file() {
        // Money: the file's decimal separator decides.
        assert_eq!(money("1,234", Dot).as_deref(), Ok("1234"));
        assert_eq!(money("1,234", Comma).as_deref(), Ok("1.234"));
        assert_eq!(money("12.500", Dot).as_deref(), Ok("12.500"));
        assert_eq!(money("12.500", Comma).as_deref(), Ok("12500"));
        // Counts: always thousands, whatever the file.
        assert_eq!(count("2,038"), Ok(2038));
        assert_eq!(count("2.038"), Ok(2038));
        assert_eq!(
            parse("2,038", Role::Count, Comma).unwrap().to_count(),
            Ok(2038)
        );
        // Not ambiguous: 2 or 4 decimals, or a leading zero.
        assert_eq!(money("1,23", Dot).as_deref(), Ok("1.23"));
        assert_eq!(money("0,500", Dot).as_deref(), Ok("0.500"));
    }

    #[test]
    fn counts() {
        assert_eq!(count("1234"), Ok(1234));
        assert_eq!(count("1,234,567"), Ok(1_234_567));
        assert_eq!(count("1 234 567"), Ok(1_234_567));
        assert_eq!(count("12.0"), Ok(12));
        assert_eq!(count("12,00"), Ok(12));
        assert_eq!(count("12.5"), Err(NumberError::Fractional));
        assert_eq!(count("12,5"), Err(NumberError::Fractional));
        assert!(parse("-3", Role::Count, Dot).unwrap().is_negative());
        assert!(!parse("-0", Role::Count, Dot).unwrap().is_negative());
    }

    #[test]
    fn refusals() {
        for (v, e) in [
            ("abc", NumberError::NotANumber),
            ("", NumberError::NotANumber),
            ("12abc", NumberError::NotANumber),
            ("1.2E+05", NumberError::Scientific),
            ("1.2e5", NumberError::Scientific),
            ("1,23,456", NumberError::Grouping),
            ("12 34", NumberError::Grouping),
            ("1,234,56", NumberError::Grouping),
            ("1.234.567,8.9", NumberError::Grouping),
            ("1..5", NumberError::NotANumber),
            ("--5", NumberError::NotANumber),
            ("$€5", NumberError::NotANumber),
            ("XYZ 5", NumberError::NotANumber),
            ("1.12345678901", NumberError::TooPrecise),
            ("1000000000000000", NumberError::TooLarge),
            (
                "99999999999999999999999999999999999999999",
                NumberError::TooLarge,
            ),
            ("#DIV/0!", NumberError::NotANumber),
        ] {
            assert_eq!(money(v, Dot), Err(e), "{v}");
        }
    }

    #[test]
    fn currency_marks() {
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(
            parse("€5", Role::Money, Dot).unwrap().mark,
            Mark::Known(eur)
        );
        assert_eq!(
            parse("5 eur", Role::Money, Dot).unwrap().mark,
            Mark::Known(eur)
        );
        assert_eq!(parse("$5", Role::Money, Dot).unwrap().mark, Mark::Ambiguous);
        assert_eq!(parse("5", Role::Money, Dot).unwrap().mark, Mark::None);
    }

    #[test]
    fn evidence_from_values() {
        assert_eq!(evidence("12,5"), Some(Comma));
        assert_eq!(evidence("12.5"), Some(Dot));
        assert_eq!(evidence("1.234,56"), Some(Comma));
        assert_eq!(evidence("1,234.56"), Some(Dot));
        assert_eq!(evidence("1,234,567"), Some(Dot));
        assert_eq!(evidence("1.234.567"), Some(Comma));
        assert_eq!(evidence("1,234"), None);
        assert_eq!(evidence("1234"), None);
        assert_eq!(evidence("n/a"), None);
    }

    #[test]
    fn nulls() {
        for v in ["", " ", "-", "n/a", "N/A", "#N/A", "—"] {
            assert!(is_null(v), "{v}");
        }
        assert!(!is_null("0"));
    }
}

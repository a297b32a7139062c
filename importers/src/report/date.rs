//! Dates and times as report files write them: ISO dates, European and American day orders,
//! compact YYYYMMDD, date-times with or without seconds and zones, Unix timestamps and Excel
//! serial days.
//!
//! Slash and dash dates with the year last ("03/04/2024", "03-04-2024") are ambiguous. The
//! reader settles the order once per file (see [`DateOrder`]); dotted dates ("03.04.2024") are
//! always day first, as every locale that writes them does.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// How to read a year-last date with `/` or `-` between day and month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// Decide from the first rows: the first value whose first part is above 12 means day
    /// first, whose second part is above 12 means month first; with no such value, day first.
    #[default]
    Auto,
    DayFirst,
    MonthFirst,
}

/// A moment as the file wrote it: the local date-time and the zone offset, when it had one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub(crate) local: NaiveDateTime,
    pub(crate) offset: Option<FixedOffset>,
}

impl Stamp {
    /// The moment in UTC; values without a zone are read in `assumed`.
    pub(crate) fn to_utc(self, assumed: FixedOffset) -> Option<DateTime<Utc>> {
        let offset = self.offset.unwrap_or(assumed);
        self.local
            .checked_sub_offset(offset)
            .map(|naive| naive.and_utc())
    }
}

pub(crate) const EXPECTED: &str =
    "expected a date such as 2024-05-31, 31.05.2024, 31/05/2024, 20240531 or a Unix timestamp";

/// Reads a date, ignoring any time part ("2024-05-31 13:00:00" is 2024-05-31).
pub(crate) fn parse_date(value: &str, order: DateOrder) -> Result<NaiveDate, String> {
    parse_stamp(value, order).map(|s| s.local.date())
}

/// Reads a date or a date-time.
pub(crate) fn parse_stamp(value: &str, order: DateOrder) -> Result<Stamp, String> {
    let s = value.trim();
    let b = s.as_bytes();
    if b.is_empty() {
        return Err("is empty".into());
    }
    if let Some(stamp) = numeric_stamp(s)? {
        return Ok(stamp);
    }
    let mut cur = Cursor { b, i: 0 };
    let date = calendar_date(&mut cur, order)?;
    let (time, offset) = time_part(&mut cur)?;
    if cur.i != b.len() {
        return Err(format!("is not a date ({EXPECTED})"));
    }
    Ok(Stamp {
        local: date.and_time(time),
        offset,
    })
}

/// Which day order a value proves: "25/03/2024" day first, "03/25/2024" month first.
pub(crate) fn order_evidence(value: &str) -> Option<DateOrder> {
    let b = value.trim().as_bytes();
    let mut cur = Cursor { b, i: 0 };
    let (first, n1) = cur.number(2);
    let sep = cur.peek()?;
    if !(1..=2).contains(&n1) || !matches!(sep, b'/' | b'-') {
        return None;
    }
    cur.i += 1;
    let (second, n2) = cur.number(2);
    if !(1..=2).contains(&n2) || cur.peek() != Some(sep) {
        return None;
    }
    match (first > 12, second > 12) {
        (true, false) => Some(DateOrder::DayFirst),
        (false, true) => Some(DateOrder::MonthFirst),
        _ => None,
    }
}

/// Dates written in a file name ("moloco_20240531.csv", "report 31-05-2024.csv"), in order
/// and without repeats: dashboard exports carry their date range there.
pub(crate) fn dates_in_file_name(name: &str) -> Vec<NaiveDate> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let b = base.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        let num = |from: usize, len: usize| -> Option<u32> {
            let part = b.get(from..from + len)?;
            part.iter().all(u8::is_ascii_digit).then(|| {
                part.iter()
                    .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
            })
        };
        let is_sep = |at: usize| matches!(b.get(at), Some(b'-' | b'_' | b'.'));
        let ends = |at: usize| b.get(at).is_none_or(|c| !c.is_ascii_digit());
        let (date, len) = match run {
            8 => (
                num(i, 4)
                    .zip(num(i + 4, 2))
                    .zip(num(i + 6, 2))
                    .and_then(|((y, m), d)| NaiveDate::from_ymd_opt(y as i32, m, d)),
                8,
            ),
            4 if is_sep(i + 4) && is_sep(i + 7) && ends(i + 10) => (
                num(i, 4)
                    .zip(num(i + 5, 2))
                    .zip(num(i + 8, 2))
                    .and_then(|((y, m), d)| NaiveDate::from_ymd_opt(y as i32, m, d)),
                10,
            ),
            2 if is_sep(i + 2) && is_sep(i + 5) && ends(i + 10) => (
                num(i, 2)
                    .zip(num(i + 3, 2))
                    .zip(num(i + 6, 4))
                    .and_then(|((d, m), y)| NaiveDate::from_ymd_opt(y as i32, m, d)),
                10,
            ),
            _ => (None, run),
        };
        match date {
            Some(d) if (2000..2100).contains(&chrono::Datelike::year(&d)) => {
                if !found.contains(&d) {
                    found.push(d);
                }
                i += len;
            }
            _ => i += run,
        }
    }
    found
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Reads up to `max` digits; returns the value and how many were read.
    fn number(&mut self, max: usize) -> (u32, usize) {
        let mut value = 0u32;
        let mut n = 0;
        while n < max
            && let Some(d) = self.peek().filter(u8::is_ascii_digit)
        {
            value = value * 10 + u32::from(d - b'0');
            self.i += 1;
            n += 1;
        }
        (value, n)
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn eat_ignore_case(&mut self, word: &str) -> bool {
        let end = self.i + word.len();
        if self
            .b
            .get(self.i..end)
            .is_some_and(|w| w.eq_ignore_ascii_case(word.as_bytes()))
        {
            self.i = end;
            true
        } else {
            false
        }
    }

    fn skip_spaces(&mut self) -> bool {
        let start = self.i;
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
        self.i > start
    }
}

/// All-digit values: YYYYMMDD, YYYYMMDDHHMMSS, Unix seconds or milliseconds, Excel serial days.
fn numeric_stamp(s: &str) -> Result<Option<Stamp>, String> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f) || f.len() > 9) {
        return Ok(None);
    }
    let n = |p: &str| {
        p.parse::<i64>()
            .map_err(|_| format!("is not a date ({EXPECTED})"))
    };
    let invalid = || format!("is not a valid date ({EXPECTED})");
    let utc = FixedOffset::east_opt(0);
    let stamp = match (int.len(), frac) {
        (8, None) => {
            let date = NaiveDate::from_ymd_opt(
                n(&int[..4])? as i32,
                n(&int[4..6])? as u32,
                n(&int[6..])? as u32,
            )
            .ok_or_else(invalid)?;
            Stamp {
                local: date.and_time(NaiveTime::MIN),
                offset: None,
            }
        }
        (14, None) => {
            let local =
                NaiveDateTime::parse_from_str(int, "%Y%m%d%H%M%S").map_err(|_| invalid())?;
            Stamp {
                local,
                offset: None,
            }
        }
        (9 | 10, _) => {
            let nanos = frac.map_or(Ok(0), |f| n(f).map(|v| v * 10i64.pow(9 - f.len() as u32)))?;
            let at = DateTime::from_timestamp(n(int)?, nanos as u32).ok_or_else(invalid)?;
            Stamp {
                local: at.naive_utc(),
                offset: utc,
            }
        }
        (12 | 13, None) => {
            let at = DateTime::from_timestamp_millis(n(int)?).ok_or_else(invalid)?;
            Stamp {
                local: at.naive_utc(),
                offset: utc,
            }
        }
        // Excel serial days (days since 1899-12-30) for 2000..2100, with an optional time
        // fraction: what a date cell becomes when a spreadsheet loses its format.
        (5, _) => {
            let days = n(int)?;
            if !(36_526..=73_050).contains(&days) {
                return Err(format!("is not a date ({EXPECTED})"));
            }
            let base = NaiveDate::from_ymd_opt(1899, 12, 30).ok_or_else(invalid)?;
            let seconds = match frac {
                Some(f) => {
                    let scale = 10i64.pow(f.len() as u32);
                    n(f)? * 86_400 / scale
                }
                None => 0,
            };
            let local =
                base.and_time(NaiveTime::MIN) + TimeDelta::days(days) + TimeDelta::seconds(seconds);
            Stamp {
                local,
                offset: None,
            }
        }
        _ => return Err(format!("is not a date ({EXPECTED})")),
    };
    Ok(Some(stamp))
}

fn calendar_date(cur: &mut Cursor<'_>, order: DateOrder) -> Result<NaiveDate, String> {
    let not_a_date = || format!("is not a date ({EXPECTED})");
    let (first, n1) = cur.number(4);
    let sep = cur.peek().filter(|c| matches!(c, b'-' | b'/' | b'.'));
    let Some(sep) = sep else {
        return Err(not_a_date());
    };
    cur.i += 1;
    let (second, n2) = cur.number(2);
    if n2 == 0 || !cur.eat(sep) {
        return Err(not_a_date());
    }
    if n1 == 4 {
        let (day, n3) = cur.number(2);
        if n3 == 0 {
            return Err(not_a_date());
        }
        return NaiveDate::from_ymd_opt(first as i32, second, day)
            .ok_or_else(|| format!("is not a valid date (month {second}, day {day})"));
    }
    if !(1..=2).contains(&n1) {
        return Err(not_a_date());
    }
    let (year, n3) = cur.number(4);
    let year = match n3 {
        4 => year as i32,
        // Two-digit years ("31.05.24") are this century's: reports start in 2000 anyway.
        2 => 2000 + year as i32,
        _ => return Err(not_a_date()),
    };
    let month_first = sep != b'.' && order == DateOrder::MonthFirst;
    let (day, month) = if month_first {
        (second, first)
    } else {
        (first, second)
    };
    if let Some(d) = NaiveDate::from_ymd_opt(year, month, day) {
        return Ok(d);
    }
    let written = if sep == b'.' {
        "DD.MM.YYYY"
    } else if month_first {
        "MM/DD/YYYY"
    } else {
        "DD/MM/YYYY"
    };
    let swapped = NaiveDate::from_ymd_opt(year, day, month).is_some();
    if sep != b'.' && swapped {
        let other = if month_first {
            "day first (DD/MM/YYYY)"
        } else {
            "month first (MM/DD/YYYY)"
        };
        Err(format!(
            "is not a valid {written} date (month {month}); this file's dates were read as {written}: if they are {other}, set the date order for this import"
        ))
    } else {
        Err(format!(
            "is not a valid {written} date (month {month}, day {day})"
        ))
    }
}

/// Optional time and zone after a date: "T13:45", " 13:45:10.123", " 1:45 PM", "Z", "+03:00".
fn time_part(cur: &mut Cursor<'_>) -> Result<(NaiveTime, Option<FixedOffset>), String> {
    let bad = || {
        format!(
            "has a time that cannot be read ({EXPECTED}, optionally followed by a time like 13:45:00)"
        )
    };
    if cur.peek().is_none() {
        return Ok((NaiveTime::MIN, None));
    }
    let separated = if cur.eat(b'T') {
        true
    } else {
        let comma = cur.eat(b',');
        let spaces = cur.skip_spaces();
        comma || spaces
    };
    if !separated {
        return Err(bad());
    }
    let (mut hour, nh) = cur.number(2);
    if nh == 0 || !cur.eat(b':') {
        return Err(bad());
    }
    let (minute, nm) = cur.number(2);
    if nm != 2 {
        return Err(bad());
    }
    let (mut second, mut nanos) = (0, 0);
    if cur.eat(b':') {
        let (s, ns) = cur.number(2);
        if ns != 2 {
            return Err(bad());
        }
        second = s;
        if cur.eat(b'.') || cur.eat(b',') {
            let (f, nf) = cur.number(9);
            if nf == 0 {
                return Err(bad());
            }
            nanos = f * 10u32.pow(9 - nf as u32);
            // Digits past nanoseconds carry nothing we keep.
            while cur.peek().is_some_and(|c| c.is_ascii_digit()) {
                cur.i += 1;
            }
        }
    }
    let spaced = cur.skip_spaces();
    if cur.eat_ignore_case("AM") || cur.eat_ignore_case("PM") {
        let pm = cur.b[cur.i - 2].eq_ignore_ascii_case(&b'P');
        if !(1..=12).contains(&hour) {
            return Err(bad());
        }
        hour = hour % 12 + if pm { 12 } else { 0 };
        cur.skip_spaces();
    } else if spaced && cur.peek().is_none() {
        return Err(bad());
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos).ok_or_else(bad)?;
    let offset = zone(cur).ok_or_else(bad)?;
    Ok((time, offset))
}

fn zone(cur: &mut Cursor<'_>) -> Option<Option<FixedOffset>> {
    if cur.peek().is_none() {
        return Some(None);
    }
    if cur.eat(b'Z') || cur.eat(b'z') {
        return Some(FixedOffset::east_opt(0));
    }
    let named = cur.eat_ignore_case("UTC") || cur.eat_ignore_case("GMT");
    if named && cur.peek().is_none() {
        return Some(FixedOffset::east_opt(0));
    }
    let sign = match cur.peek()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    cur.i += 1;
    let (hours, nh) = cur.number(2);
    if nh != 2 {
        return None;
    }
    cur.eat(b':');
    let (minutes, nm) = cur.number(2);
    if nm == 1 || cur.peek().is_some() {
        return None;
    }
    FixedOffset::east_opt(sign * (hours as i32 * 3600 + minutes as i32 * 60)).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn utc(v: &str) -> String {
        parse_stamp(v, DateOrder::DayFirst)
            .unwrap()
            .to_utc(FixedOffset::east_opt(0).unwrap())
            .unwrap()
            .to_rfc3339()
    }

    #[test]
    fn date_shapes() {
        let want = d(2024, 5, 31);
        for v in [
            "2024-05-31",
            "2024/05/31",
            "2024.05.31",
            "31.05.2024",
            "31.05.24",
            "31/05/2024",
            "31-05-2024",
            "20240531",
            "2024-05-31T13:45:00Z",
            "2024-05-31 13:45",
            "2024-05-31 13:45:10.123456",
            "2024-5-31",
            "45443",
        ] {
            assert_eq!(parse_date(v, DateOrder::DayFirst), Ok(want), "{v}");
        }
        assert_eq!(parse_date("05/31/2024", DateOrder::MonthFirst), Ok(want));
        assert_eq!(
            parse_date("03/04/2024", DateOrder::MonthFirst),
            Ok(d(2024, 3, 4))
        );
        assert_eq!(
            parse_date("03/04/2024", DateOrder::DayFirst),
            Ok(d(2024, 4, 3))
        );
        // Dotted dates are day first whatever the order says.
        assert_eq!(
            parse_date("03.04.2024", DateOrder::MonthFirst),
            Ok(d(2024, 4, 3))
        );
    }

    #[test]
    fn date_times_and_zones() {
        assert_eq!(utc("2024-05-31T13:45:00Z"), "2024-05-31T13:45:00+00:00");
        assert_eq!(
            utc("2024-05-31T13:45:00+03:00"),
            "2024-05-31T10:45:00+00:00"
        );
        assert_eq!(
            utc("2024-05-31 13:45:00 -0500"),
            "2024-05-31T18:45:00+00:00"
        );
        assert_eq!(utc("2024-05-31 13:45:00 UTC"), "2024-05-31T13:45:00+00:00");
        assert_eq!(utc("2024-05-31T13:45"), "2024-05-31T13:45:00+00:00");
        assert_eq!(utc("31/05/2024 1:45 PM"), "2024-05-31T13:45:00+00:00");
        assert_eq!(utc("31/05/2024 12:05 AM"), "2024-05-31T00:05:00+00:00");
        assert_eq!(utc("1717163100"), "2024-05-31T13:45:00+00:00");
        assert_eq!(utc("1717163100.5"), "2024-05-31T13:45:00.500+00:00");
        assert_eq!(utc("1717163100000"), "2024-05-31T13:45:00+00:00");
        assert_eq!(utc("20240531134500"), "2024-05-31T13:45:00+00:00");
        let moscow = FixedOffset::east_opt(3 * 3600).unwrap();
        let s = parse_stamp("2024-05-31 13:45:00", DateOrder::DayFirst).unwrap();
        assert_eq!(
            s.to_utc(moscow).unwrap().to_rfc3339(),
            "2024-05-31T10:45:00+00:00"
        );
    }

    #[test]
    fn refusals_say_why() {
        for v in [
            "",
            "yesterday",
            "2024-13-01",
            "2024-02-30",
            "31/05",
            "2024-05-31 25:00",
            "2024-05-31T",
            "2024-05-31 13:45 +3",
            "123",
            "2024-05-31 13:45 XYZ",
        ] {
            assert!(parse_date(v, DateOrder::DayFirst).is_err(), "{v}");
        }
        let e = parse_date("05/31/2024", DateOrder::DayFirst).unwrap_err();
        assert!(e.contains("month first"), "{e}");
    }

    #[test]
    fn order_evidence_from_values() {
        assert_eq!(order_evidence("25/03/2024"), Some(DateOrder::DayFirst));
        assert_eq!(order_evidence("03/25/2024"), Some(DateOrder::MonthFirst));
        assert_eq!(order_evidence("03/04/2024"), None);
        assert_eq!(order_evidence("2024-03-25"), None);
        assert_eq!(order_evidence("25.03.2024"), None);
    }

    #[test]
    fn file_name_dates() {
        assert_eq!(
            dates_in_file_name("moloco_20240531.csv"),
            vec![d(2024, 5, 31)]
        );
        assert_eq!(
            dates_in_file_name("Report 31-05-2024.csv"),
            vec![d(2024, 5, 31)]
        );
        assert_eq!(
            dates_in_file_name("/tmp/x/2024-05-31_2024-05-31.csv"),
            vec![d(2024, 5, 31)]
        );
        assert_eq!(
            dates_in_file_name("moloco_2024-05-01_2024-05-07.csv"),
            vec![d(2024, 5, 1), d(2024, 5, 7)]
        );
        assert!(dates_in_file_name("campaign_123456789.csv").is_empty());
        assert!(dates_in_file_name("report.csv").is_empty());
    }
}

//! Rows in PostgreSQL's binary COPY format. PostgreSQL parses text COPY field by field
//! (numeric, uuid and timestamp input functions dominate a rebuild); binary fields it only
//! copies. Only the types the read tables use are here.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";
/// Type oids, for array headers.
pub const TEXT_OID: i32 = 25;
pub const UUID_OID: i32 = 2950;
pub const NUMERIC_OID: i32 = 1700;
const NUMERIC_POS: u16 = 0x0000;
const NUMERIC_NEG: u16 = 0x4000;

fn epoch_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date")
}

/// A COPY ... FROM STDIN WITH (FORMAT binary) payload under construction.
pub struct BinaryCopy {
    buf: Vec<u8>,
    rows: usize,
}

impl Default for BinaryCopy {
    fn default() -> Self {
        let mut buf = Vec::with_capacity(1 << 16);
        buf.extend_from_slice(SIGNATURE);
        buf.extend_from_slice(&0i32.to_be_bytes()); // flags
        buf.extend_from_slice(&0i32.to_be_bytes()); // header extension length
        Self { buf, rows: 0 }
    }
}

impl BinaryCopy {
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    pub fn row(&mut self, fields: i16) {
        self.rows += 1;
        self.buf.extend_from_slice(&fields.to_be_bytes());
    }

    fn len(&mut self, len: usize) {
        self.buf
            .extend_from_slice(&(i32::try_from(len).expect("field under 2 GiB")).to_be_bytes());
    }

    pub fn null(&mut self) {
        self.buf.extend_from_slice(&(-1i32).to_be_bytes());
    }

    pub fn uuid(&mut self, v: Uuid) {
        self.len(16);
        self.buf.extend_from_slice(v.as_bytes());
    }

    pub fn opt_uuid(&mut self, v: Option<Uuid>) {
        match v {
            Some(v) => self.uuid(v),
            None => self.null(),
        }
    }

    pub fn i16(&mut self, v: i16) {
        self.len(2);
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub fn i64(&mut self, v: i64) {
        self.len(8);
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub fn text(&mut self, v: &str) {
        self.len(v.len());
        self.buf.extend_from_slice(v.as_bytes());
    }

    pub fn opt_text(&mut self, v: Option<&str>) {
        match v {
            Some(v) => self.text(v),
            None => self.null(),
        }
    }

    pub fn date(&mut self, v: NaiveDate) {
        self.len(4);
        let days = i32::try_from((v - epoch_date()).num_days()).expect("date in range");
        self.buf.extend_from_slice(&days.to_be_bytes());
    }

    pub fn timestamptz(&mut self, v: DateTime<Utc>) {
        let epoch = epoch_date()
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc();
        let micros = (v - epoch).num_microseconds().expect("timestamp in range");
        self.i64(micros);
    }

    /// A one-dimensional array; `write` writes each element as a field (possibly NULL).
    pub fn array<T>(&mut self, elem_oid: i32, items: &[T], mut write: impl FnMut(&mut Self, &T)) {
        let len_at = self.buf.len();
        self.len(0); // patched below, once the body's size is known
        let body_start = self.buf.len();
        let dims: i32 = if items.is_empty() { 0 } else { 1 };
        self.buf.extend_from_slice(&dims.to_be_bytes());
        let has_null_at = self.buf.len();
        self.buf.extend_from_slice(&0i32.to_be_bytes());
        self.buf.extend_from_slice(&elem_oid.to_be_bytes());
        if !items.is_empty() {
            let count = i32::try_from(items.len()).expect("arrays in read rows are small");
            self.buf.extend_from_slice(&count.to_be_bytes());
            self.buf.extend_from_slice(&1i32.to_be_bytes()); // lower bound
            let mut has_null = false;
            for item in items {
                let at = self.buf.len();
                write(self, item);
                has_null |= self.buf[at..at + 4] == (-1i32).to_be_bytes();
            }
            if has_null {
                self.buf[has_null_at..has_null_at + 4].copy_from_slice(&1i32.to_be_bytes());
            }
        }
        let body = i32::try_from(self.buf.len() - body_start).expect("field under 2 GiB");
        self.buf[len_at..len_at + 4].copy_from_slice(&body.to_be_bytes());
    }

    /// A one-dimensional `text[]` without NULLs.
    pub fn text_array(&mut self, items: &[String]) {
        self.array(TEXT_OID, items, |c, s| c.text(s));
    }

    /// `numeric`: base-10000 digits around the decimal point, the display scale kept as is.
    pub fn numeric(&mut self, v: Decimal) {
        let (digits, weight) = numeric_digits(v);
        self.len(8 + 2 * digits.len());
        self.buf
            .extend_from_slice(&(digits.len() as i16).to_be_bytes());
        self.buf.extend_from_slice(&weight.to_be_bytes());
        let sign = if v.is_sign_negative() && !v.is_zero() {
            NUMERIC_NEG
        } else {
            NUMERIC_POS
        };
        self.buf.extend_from_slice(&sign.to_be_bytes());
        self.buf
            .extend_from_slice(&(v.scale() as i16).to_be_bytes());
        for d in digits {
            self.buf.extend_from_slice(&d.to_be_bytes());
        }
    }

    pub fn opt_numeric(&mut self, v: Option<Decimal>) {
        match v {
            Some(v) => self.numeric(v),
            None => self.null(),
        }
    }

    /// The bytes so far (the first call includes the header), leaving the buffer empty so that
    /// a long COPY can be streamed in chunks; [`Self::finish`] sends the rest and the trailer.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }

    /// Bytes waiting to be taken.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The finished payload (with the trailer).
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.extend_from_slice(&(-1i16).to_be_bytes());
        self.buf
    }
}

/// Base-10000 digits of |v| (no leading or trailing zero groups) and the weight of the first.
fn numeric_digits(v: Decimal) -> (Vec<i16>, i16) {
    let text = v.abs().to_string();
    let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
    let int_part = int_part.trim_start_matches('0');
    // Pad the integer part on the left and the fraction on the right to whole groups of four.
    let int_pad = (4 - int_part.len() % 4) % 4;
    let frac_pad = (4 - frac_part.len() % 4) % 4;
    let all: String = "0".repeat(int_pad) + int_part + frac_part + &"0".repeat(frac_pad);
    let mut groups: Vec<i16> = all
        .as_bytes()
        .chunks(4)
        .map(|c| {
            std::str::from_utf8(c)
                .expect("ascii")
                .parse()
                .expect("digits")
        })
        .collect();
    let mut weight = ((int_pad + int_part.len()) / 4) as i16 - 1;
    while groups.first() == Some(&0) {
        groups.remove(0);
        weight -= 1;
    }
    while groups.last() == Some(&0) {
        groups.pop();
    }
    if groups.is_empty() {
        weight = 0;
    }
    (groups, weight)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn numeric_groups_follow_postgres() {
        // Values and their (digits, weight) as PostgreSQL's numeric_send writes them.
        assert_eq!(numeric_digits(d("0")), (vec![], 0));
        assert_eq!(numeric_digits(d("0.00")), (vec![], 0));
        assert_eq!(numeric_digits(d("1")), (vec![1], 0));
        assert_eq!(numeric_digits(d("10000")), (vec![1], 1));
        assert_eq!(numeric_digits(d("12345.67")), (vec![1, 2345, 6700], 1));
        assert_eq!(numeric_digits(d("-0.01")), (vec![100], -1));
        assert_eq!(numeric_digits(d("0.000001")), (vec![100], -2));
        assert_eq!(
            numeric_digits(d("1000000000.000001")),
            (vec![10, 0, 0, 0, 100], 2)
        );
    }

    #[test]
    fn dates_and_times_count_from_2000() {
        let mut c = BinaryCopy::default();
        let start = c.buf.len();
        c.date(NaiveDate::from_ymd_opt(2000, 1, 2).unwrap());
        assert_eq!(&c.buf[start..], &[0, 0, 0, 4, 0, 0, 0, 1]);
    }
}

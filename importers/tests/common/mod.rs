//! Helpers shared by the report tests.
#![allow(dead_code)]

use chrono::NaiveDate;
use domain::Currency;
use importers::report::{
    ConversionRow, FileError, Format, Kind, Options, Parsed, Record, ResultRow, RowError, SpendRow,
    Stats, open,
};
use rust_decimal::Decimal;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn cur(code: &str) -> Currency {
    Currency::parse(code).unwrap()
}

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

/// Options as a traffic source configured in USD would give them.
pub fn options() -> Options {
    let mut o = Options::new(today());
    o.default_currency = Some(cur("USD"));
    o
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/report/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Everything a full read of a file produced.
#[derive(Debug)]
pub struct Run {
    pub format: Format,
    pub kind: Kind,
    pub header: Vec<String>,
    pub records: Vec<Parsed>,
    pub errors: Vec<RowError>,
    pub stats: Stats,
}

impl Run {
    pub fn spend(&self) -> Vec<&SpendRow> {
        self.records
            .iter()
            .map(|p| match &p.record {
                Record::Spend(r) => r,
                other => panic!("not spend: {other:?}"),
            })
            .collect()
    }

    pub fn results(&self) -> Vec<&ResultRow> {
        self.records
            .iter()
            .map(|p| match &p.record {
                Record::Results(r) => r,
                other => panic!("not results: {other:?}"),
            })
            .collect()
    }

    pub fn conversions(&self) -> Vec<&ConversionRow> {
        self.records
            .iter()
            .map(|p| match &p.record {
                Record::Conversion(r) => r,
                other => panic!("not a conversion: {other:?}"),
            })
            .collect()
    }

    pub fn lines(&self) -> Vec<u64> {
        self.records.iter().map(|p| p.line).collect()
    }

    pub fn reasons(&self) -> Vec<String> {
        self.errors.iter().map(|e| e.to_string()).collect()
    }
}

pub fn run(bytes: &[u8], options: &Options) -> Result<Run, FileError> {
    let mut reader = open(bytes, options)?;
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for item in reader.by_ref() {
        match item {
            Ok(p) => records.push(p),
            Err(e) => errors.push(e),
        }
    }
    Ok(Run {
        format: reader.format(),
        kind: reader.kind(),
        header: reader.header().to_vec(),
        records,
        errors,
        stats: reader.stats().clone(),
    })
}

/// A full read that must succeed without row errors.
pub fn clean(bytes: &[u8], options: &Options) -> Run {
    let r = run(bytes, options).unwrap_or_else(|e| panic!("open failed: {e}"));
    assert!(r.errors.is_empty(), "unexpected errors: {:#?}", r.errors);
    r
}

pub fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

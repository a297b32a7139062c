//! Whatever bytes arrive, reading never panics, every line number points inside the file,
//! and the counts add up.

mod common;

use common::*;
use importers::report::{Format, Options, open};
use proptest::prelude::*;

const FIXTURES: &[&str] = &[
    "moloco_report_api.csv",
    "moloco_dashboard_20240531.csv",
    "keitaro_conversions.csv",
    "keitaro_report.csv",
    "binom_report_2024-05-31.csv",
    "voluum_conversions.csv",
    "redtrack_conversions.csv",
];

const FORMATS: &[Option<Format>] = &[
    None,
    Some(Format::Moloco),
    Some(Format::Keitaro),
    Some(Format::Binom),
    Some(Format::Voluum),
    Some(Format::Redtrack),
];

/// Reads everything and checks the invariants.
fn read_all(bytes: &[u8], options: &Options) -> Result<(), TestCaseError> {
    // Every decoded newline comes from a 0x0A byte, in UTF-8 and UTF-16 alike.
    let max_line = bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    let Ok(mut reader) = open(bytes, options) else {
        return Ok(());
    };
    let (mut parsed, mut errors, mut fatal) = (0u64, 0u64, 0u64);
    let mut last_line = 0;
    for item in reader.by_ref() {
        prop_assert_eq!(fatal, 0, "nothing may follow a fatal error");
        let line = match &item {
            Ok(p) => {
                parsed += 1;
                p.line
            }
            Err(e) => {
                errors += 1;
                fatal += u64::from(e.fatal);
                prop_assert!(!e.reason.is_empty());
                prop_assert!(e.value.as_ref().is_none_or(|v| v.chars().count() <= 201));
                e.line
            }
        };
        prop_assert!(
            line >= 1 && line <= max_line,
            "line {} of at most {}",
            line,
            max_line
        );
        prop_assert!(line >= last_line, "lines go forward");
        last_line = line;
    }
    let stats = reader.stats();
    prop_assert!(stats.finished);
    prop_assert_eq!(stats.parsed, parsed);
    prop_assert_eq!(stats.errors, errors);
    prop_assert_eq!(stats.rows, stats.parsed + stats.rejected);
    prop_assert!(stats.lines <= max_line);
    Ok(())
}

fn options_for(format: usize, currency: bool) -> Options {
    let mut o = if currency {
        options()
    } else {
        Options::new(today())
    };
    o.format = FORMATS[format % FORMATS.len()];
    o.file_name = Some("report_20240531.csv".into());
    o
}

/// A real header followed by rows of CSV-like noise, so that row parsing gets the beating.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let headers = prop::sample::select(vec![
        &b"Date,App_ID,Campaign_ID,Campaign_Title,Campaign_Country,Spend,Impressions,Clicks,Installs\n"[..],
        b"conversion_id;sub_id;campaign;status;revenue;click_datetime;postback_datetime;country;currency\n",
        b"level,name,clicks,offer_clicks,lp_ctr,leads,revenue,cost\n",
        b"date\tcampaign\tclicks\tconversions\trevenue\tcost\n",
        b"",
    ]);
    (headers, noise()).prop_map(|(h, body)| [h, &body[..]].concat())
}

fn noise() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        &b"Date"[..],
        b"Campaign",
        b"Spend",
        b"clicks",
        b"conversions",
        b"revenue",
        b"sub_id",
        b"conversion_id",
        b"status",
        b"postback_datetime",
        b"Installs",
        b"country",
        b",",
        b";",
        b"\t",
        b"\"",
        b"\n",
        b"\r\n",
        b" ",
        b"1",
        b"2,5",
        b"1.234,5",
        b"-",
        b"n/a",
        b"Total",
        b"2024-05-30",
        b"31/05/2024",
        b"\xEF\xBB\xBF",
        b"\xFF\xFE",
        b"\xff",
        b"\0",
        b"US",
        b"$",
        b"sale",
        b"sep=;",
        b"1717063200",
        b"e5",
        b"(1)",
    ]);
    prop::collection::vec(pieces, 0..120).prop_map(|v| v.concat())
}

#[derive(Clone, Debug)]
enum Mutation {
    Insert(usize, u8),
    Delete(usize),
    Replace(usize, u8),
    Duplicate(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let special = prop::sample::select(vec![
        b'"', b',', b';', b'\n', b'\r', b'\t', 0, 0xFF, b'-', b'.',
    ]);
    let byte = prop_oneof![any::<u8>(), special];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), byte).prop_map(|(i, b)| Mutation::Replace(i, b)),
        (any::<usize>(), 0usize..200).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len().max(1);
        match *m {
            Mutation::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
            Mutation::Delete(i) if !bytes.is_empty() => {
                bytes.remove(i % len);
            }
            Mutation::Replace(i, b) if !bytes.is_empty() => bytes[i % len] = b,
            Mutation::Duplicate(i, n) if !bytes.is_empty() => {
                let start = i % len;
                let end = (start + n).min(bytes.len());
                let copy = bytes[start..end].to_vec();
                bytes.splice(end..end, copy);
            }
            Mutation::Truncate(i) => bytes.truncate(i % (len + 1)),
            _ => {}
        }
    }
    bytes
}

/// 400 per property by default; `PROPTEST_CASES=20000` for a longer hunt.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048), format in 0usize..6, currency in any::<bool>()) {
        read_all(&bytes, &options_for(format, currency))?;
    }

    #[test]
    fn csv_like_noise_never_panics(bytes in csvish(), format in 0usize..6, currency in any::<bool>()) {
        read_all(&bytes, &options_for(format, currency))?;
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..FIXTURES.len(),
        mutations in prop::collection::vec(mutation(), 1..12),
        format in 0usize..6,
        utf16 in any::<bool>(),
    ) {
        let mut bytes = apply(fixture(FIXTURES[which]), &mutations);
        if utf16 {
            // The same damage seen through Excel's UTF-16 export.
            let text = String::from_utf8_lossy(&bytes).into_owned();
            bytes = utf16le_with_bom(&text);
        }
        read_all(&bytes, &options_for(format, true))?;
    }
}

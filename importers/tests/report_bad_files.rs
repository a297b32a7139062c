//! Files and rows that must be refused, each with an error a person can act on.

mod common;

use common::*;
use importers::report::{FileError, Format, Kind, Options, open};

const MOLOCO_HEADER: &str =
    "Date,App_ID,Campaign_ID,Campaign_Title,Campaign_Country,Spend,Impressions,Clicks,Installs\n";

fn moloco(rows: &str) -> Vec<u8> {
    format!("{MOLOCO_HEADER}{rows}").into_bytes()
}

fn file_error(bytes: &[u8], o: &Options) -> FileError {
    match open(bytes, o) {
        Ok(_) => panic!("expected a file error"),
        Err(e) => e,
    }
}

#[test]
fn empty_files() {
    assert_eq!(file_error(b"", &options()), FileError::Empty);
    assert_eq!(file_error(b"\n\n\r\n", &options()), FileError::Empty);
    assert_eq!(file_error(b"\xEF\xBB\xBF", &options()), FileError::Empty);
    assert_eq!(
        file_error(&utf16le_with_bom(""), &options()),
        FileError::Empty
    );
    assert_eq!(FileError::Empty.to_string(), "the file is empty");
}

#[test]
fn header_only_is_no_error_but_zero_rows() {
    let header_only = moloco("");
    let reader = open(&header_only[..], &options()).unwrap();
    assert!(reader.stats().header_only);
    let r = run(&moloco("\n\n"), &options()).unwrap();
    assert!(r.records.is_empty() && r.errors.is_empty());
    assert!(r.stats.header_only);
    assert_eq!(r.stats.rows, 0);
    assert_eq!(r.stats.skipped_blank, 2);
    let r = run(&moloco("2024-05-30,a,c1,T,US,1,1,1,1\n"), &options()).unwrap();
    assert!(!r.stats.header_only);
}

#[test]
fn wrong_delimiter_says_which_one_the_file_uses() {
    // Forced to semicolons, a comma file's header collapses into one column.
    let mut o = options();
    o.delimiter = Some(b';');
    o.format = Some(Format::Moloco);
    let e = file_error(&fixture("moloco_report_api.csv"), &o);
    let FileError::MissingColumns {
        missing,
        seen,
        delimiter,
        hint,
    } = &e
    else {
        panic!("{e:?}");
    };
    assert_eq!(seen.len(), 1);
    assert_eq!(delimiter, "semicolon");
    assert!(
        missing.iter().any(|m| m.starts_with("spend")),
        "{missing:?}"
    );
    let msg = e.to_string();
    assert!(hint.as_deref().unwrap().contains("comma"), "{msg}");
    assert!(
        msg.contains("seems to use comma as its delimiter, not semicolon"),
        "{msg}"
    );
    // Without a format, detection fails first, with the same hint.
    o.format = None;
    let e = file_error(&fixture("moloco_report_api.csv"), &o);
    assert!(matches!(e, FileError::UndetectableFormat { .. }), "{e:?}");
    assert!(e.to_string().contains("comma as its delimiter"), "{e}");
}

#[test]
fn missing_required_columns_are_listed() {
    let mut o = options();
    o.format = Some(Format::Moloco);
    let e = file_error(b"Date,Campaign_Title,Impressions\n2024-05-30,x,1\n", &o);
    let FileError::MissingColumns { missing, .. } = &e else {
        panic!("{e:?}");
    };
    assert_eq!(missing.len(), 1);
    assert!(
        e.to_string()
            .contains("spend (a column named spend, cost, spent)"),
        "{e}"
    );
    o.format = Some(Format::Keitaro);
    let e = file_error(b"campaign;clicks\nA;1\n", &o);
    let FileError::MissingColumns { missing, .. } = &e else {
        panic!("{e:?}");
    };
    // conversions, revenue, date.
    assert_eq!(missing.len(), 3, "{missing:?}");
}

#[test]
fn undetectable_format_lists_the_columns() {
    let e = file_error(b"a,b,c\n1,2,3\n", &options());
    let FileError::UndetectableFormat { seen, .. } = &e else {
        panic!("{e:?}");
    };
    assert_eq!(seen, &vec!["a".to_string(), "b".into(), "c".into()]);
    let e = file_error(
        b"campaign,date,clicks,conversions,revenue\nA,2024-05-30,1,1,1\n",
        &options(),
    );
    assert!(e.to_string().contains("tracker report"), "{e}");
}

#[test]
fn not_a_csv() {
    let e = file_error(b"PK\x03\x04\x14\x00\x06\x00", &options());
    assert!(e.to_string().contains("Excel workbook"), "{e}");
    let e = file_error(b"%PDF-1.7\n", &options());
    assert!(matches!(e, FileError::NotText { .. }));
}

#[test]
fn header_limits_and_duplicates() {
    let wide: Vec<String> = (0..600).map(|i| format!("c{i}")).collect();
    let e = file_error(format!("{}\n", wide.join(",")).as_bytes(), &options());
    assert_eq!(
        e,
        FileError::TooManyColumns {
            line: 1,
            count: 600,
            max: 512
        }
    );
    let e = file_error(b"Date,Campaign,Spend,SPEND,Installs\n", &options());
    assert_eq!(
        e,
        FileError::DuplicateColumn {
            line: 1,
            name: "Spend\" and \"SPEND".into()
        }
    );
}

#[test]
fn undecodable_header_and_cells() {
    let e = file_error(b"Date,Campaign,Spend\xff\n", &options());
    assert_eq!(
        e,
        FileError::Undecodable {
            line: 1,
            encoding: "UTF-8".into()
        }
    );
    // Windows-1251 "Итого" in a cell: that row is refused, the rest is read.
    let mut bytes = moloco("");
    bytes.extend_from_slice(
        b"2024-05-30,a,c1,\xc8\xf2\xee\xe3\xee,US,1,1,1,1\n2024-05-30,a,c2,T,US,2,1,1,1\n",
    );
    let r = run(&bytes, &options()).unwrap();
    assert_eq!(r.records.len(), 1);
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].line, 2);
    assert_eq!(r.errors[0].column.as_deref(), Some("Campaign_Title"));
    assert!(r.errors[0].reason.contains("UTF-8"), "{:?}", r.errors[0]);
}

#[test]
fn unclosed_quote_stops_reading_at_its_line() {
    let mut bytes = moloco("2024-05-30,a,c1,T,US,1,1,1,1\n2024-05-30,a,c2,\"Broken,US,2,1,1,1\n");
    for i in 0..50 {
        bytes.extend_from_slice(format!("2024-05-30,a,c{i},T,US,1,1,1,1\n").as_bytes());
    }
    let mut reader = open(&bytes[..], &options()).unwrap();
    let items: Vec<_> = reader.by_ref().collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap().line, 2);
    let err = items[1].as_ref().unwrap_err();
    assert!(err.fatal);
    assert_eq!(err.line, 3);
    assert!(err.reason.contains("never closed"), "{err}");
    assert_eq!(
        reader.fatal_error(),
        Some(&FileError::UnclosedQuote { line: 3 })
    );
    assert!(reader.stats().stopped && reader.stats().finished);
}

#[test]
fn stray_quote_that_closes_later_shifts_columns_and_is_reported() {
    let bytes = moloco(
        "2024-05-30,a,c1,\"T,US,1,1,1,1\n2024-05-30,a,c2,T\",US,2,1,1,1\n2024-05-30,a,c3,T,US,3,1,1,1\n",
    );
    let r = run(&bytes, &options()).unwrap();
    assert_eq!(r.records.len(), 1);
    assert_eq!(r.records[0].line, 4);
    assert!(
        r.errors.iter().all(|e| e.line == 2 && !e.fatal),
        "{:#?}",
        r.errors
    );
    assert!(
        r.errors[0].reason.contains("spans several lines"),
        "{:#?}",
        r.errors
    );
    assert_eq!(r.errors[0].column.as_deref(), Some("Campaign_Title"));
    // The same mistake that leaves a row short or long is told by the field count.
    let bytes = moloco("2024-05-30,a,c1,\"T,US,1,1,1,1\n2024-05-30,a,c2,T\",US,2,1,1,1,x\n");
    let r = run(&bytes, &options()).unwrap();
    assert!(
        r.errors.iter().any(|e| e.reason.contains("header has 9")),
        "{:#?}",
        r.errors
    );
}

#[test]
fn bad_values_are_reported_with_line_column_value_and_reason() {
    let bytes = moloco(
        "2024-05-30,a,c1,T,US,abc,1,1,1\n\
         2024-05-30,a,c2,T,US,-5.00,1,1,1\n\
         2024-05-30,a,c3,T,US,1,-1,1.5,1\n\
         2024-06-02,a,c4,T,US,1,1,1,1\n\
         1999-12-31,a,c5,T,US,1,1,1,1\n\
         2024-05-30,a,c6,T,Narnia,1,1,1,1\n\
         2024-05-30,a,c7,T,US,1.12345678901,1,1,1\n\
         2024-05-30,a,c8,T,US,1e5,1,1,1\n\
         2024-05-30,a,c9,T,US,1000000000000000,1,1,1\n\
         2024-05-30,a,,,US,1,1,1,1\n\
         yesterday,a,c10,T,US,1,1,1,1\n\
         ,a,c11,T,US,1,1,1,1\n\
         2024-05-30,a,c12,T,US,€5,1,1,1\n\
         2024-05-30,a,c13,T,US,1,1,1,1,extra\n\
         2024-05-30,a,ok,T,US,1,1,1,1\n",
    );
    let r = run(&bytes, &options()).unwrap();
    assert_eq!(r.records.len(), 1);
    assert_eq!(r.records[0].line, 16);
    let by_line = |line: u64| -> Vec<String> {
        r.errors
            .iter()
            .filter(|e| e.line == line)
            .map(|e| e.reason.clone())
            .collect()
    };
    assert_eq!(
        by_line(2),
        vec!["Spend is not a number (expected digits such as 1234.56 or 1 234,56)"]
    );
    assert_eq!(r.errors[0].column.as_deref(), Some("Spend"));
    assert_eq!(r.errors[0].value.as_deref(), Some("abc"));
    assert_eq!(
        by_line(3),
        vec!["Spend is negative; spend cannot be below zero"]
    );
    assert_eq!(
        by_line(4),
        vec![
            "Impressions is negative; a count cannot be below zero",
            "Clicks is a count but has a fractional part"
        ]
    );
    assert_eq!(
        by_line(5),
        vec!["Date 2024-06-02 is in the future (today is 2024-06-01)"]
    );
    assert_eq!(
        by_line(6),
        vec!["Date 1999-12-31 is before 2000-01-01; check the date format"]
    );
    assert!(by_line(7)[0].contains("not a country we know"));
    assert_eq!(by_line(8), vec!["Spend has more than 10 decimal places"]);
    assert!(by_line(9)[0].contains("scientific notation"));
    assert!(by_line(10)[0].contains("too large"));
    assert_eq!(by_line(11), vec!["the row has no campaign id or name"]);
    assert!(by_line(12)[0].starts_with("Date is not a date"));
    assert_eq!(by_line(13), vec!["Date is empty; every row needs a date"]);
    assert_eq!(
        by_line(14),
        vec!["Spend is marked EUR but the row's currency is USD"]
    );
    assert!(by_line(15)[0].contains("10 fields but the header has 9"));
    assert_eq!(r.stats.rows, 15);
    assert_eq!(r.stats.parsed, 1);
    assert_eq!(r.stats.rejected, 14);
    assert_eq!(r.stats.errors, r.errors.len() as u64);
    // Errors travel as JSON.
    let json = serde_json::to_value(&r.errors[0]).unwrap();
    assert_eq!(json["line"], 2);
    assert_eq!(json["column"], "Spend");
    assert_eq!(json["value"], "abc");
}

#[test]
fn currencies() {
    // No currency column and none chosen: refused before any row.
    let e = file_error(
        &moloco("2024-05-30,a,c1,T,US,1,1,1,1\n"),
        &Options::new(today()),
    );
    assert_eq!(e, FileError::MissingCurrency);
    // A currency column with an unknown code: that row only.
    let csv = b"date,campaign,clicks,conversions,revenue,currency\n\
                2024-05-30,A,1,1,5,XYZ\n2024-05-30,B,1,1,5,eur\n2024-05-30,C,1,1,5,$\n2024-05-30,D,1,1,5,\n";
    let mut o = Options::new(today());
    o.format = Some(Format::Binom);
    let r = run(csv, &o).unwrap();
    assert_eq!(r.records.len(), 1);
    assert_eq!(r.results()[0].currency, cur("EUR"));
    assert!(
        r.errors[0]
            .reason
            .starts_with("unknown currency \"XYZ\"; supported: USD, EUR")
    );
    assert!(r.errors[1].reason.contains("several currencies"));
    assert!(r.errors[2].reason.contains("currency is empty"));
    // Headers that name different currencies.
    let e = file_error(
        b"date,campaign,clicks,conversions,revenue (EUR),cost (USD)\n",
        &{
            let mut o = options();
            o.format = Some(Format::Keitaro);
            o
        },
    );
    assert_eq!(
        e,
        FileError::MixedCurrencies {
            first: "EUR".into(),
            second: "USD".into()
        }
    );
}

#[test]
fn date_range_in_the_file_name_without_a_date_column() {
    let mut o = options();
    o.file_name = Some("moloco_2024-05-01_2024-05-07.csv".into());
    let e = file_error(&fixture("moloco_dashboard_20240531.csv"), &o);
    assert_eq!(
        e,
        FileError::DateRangeInName {
            first: "2024-05-01".into(),
            last: "2024-05-07".into()
        }
    );
    o.file_name = None;
    o.default_date = Some(day(2030, 1, 1));
    assert!(matches!(
        file_error(&fixture("moloco_dashboard_20240531.csv"), &o),
        FileError::InvalidOptions { .. }
    ));
}

#[test]
fn options_that_cannot_work() {
    let mut o = options();
    o.format = Some(Format::Custom);
    assert!(matches!(
        file_error(b"a\n", &o),
        FileError::InvalidOptions { .. }
    ));
    let mut o = options();
    o.delimiter = Some(b'"');
    assert!(matches!(
        file_error(b"a\n", &o),
        FileError::InvalidOptions { .. }
    ));
}

#[test]
fn conversion_rows_that_cannot_be_used() {
    let csv = b"conversion_id,sub_id,status,revenue,postback_datetime\n\
                c1,s1,maybe,5,2024-05-30 10:00:00\n\
                c2,s2,sale,5,\n\
                ,,sale,5,2024-05-30 10:00:00\n\
                c4,s4,sale,5,2024-06-03 10:00:00\n\
                c5,s5,sale,5,2024-06-02 10:00:00\n\
                c6,s6,,5,2024-05-30 10:00:00\n";
    let r = run(csv, &options()).unwrap();
    assert_eq!((r.format, r.kind), (Format::Keitaro, Kind::Conversions));
    let lines: Vec<u64> = r.records.iter().map(|p| p.line).collect();
    // A day ahead is allowed for time zones; an empty status is pending.
    assert_eq!(lines, vec![6, 7]);
    assert_eq!(
        r.conversions()[1].status,
        importers::report::ConversionStatus::Pending
    );
    assert!(r.errors[0].reason.contains("not a status we know"));
    assert_eq!(r.errors[0].line, 2);
    assert_eq!(r.errors[1].reason, "the conversion time is empty");
    assert_eq!(
        r.errors[2].reason,
        "the row has no conversion id or click id"
    );
    assert!(
        r.errors[3].reason.contains("in the future"),
        "{:?}",
        r.errors[3]
    );
}

#[test]
fn ten_thousand_bad_rows_are_all_reported_with_their_lines() {
    let mut csv = String::from(MOLOCO_HEADER);
    for i in 0..10_000 {
        if i % 2 == 0 {
            csv.push_str(&format!("2024-05-30,a,c{i},T,US,oops{i},1,1,1\n"));
        } else {
            csv.push_str(&format!("2024-05-30,a,c{i},T,US,-{i}.5,1,1,1\n"));
        }
    }
    csv.push_str("2024-05-30,a,good,T,US,1,1,1,1\n");
    let r = run(csv.as_bytes(), &options()).unwrap();
    assert_eq!(r.errors.len(), 10_000);
    assert_eq!(r.records.len(), 1);
    assert_eq!(r.records[0].line, 10_002);
    for (i, e) in r.errors.iter().enumerate() {
        assert_eq!(e.line, i as u64 + 2);
        assert_eq!(e.column.as_deref(), Some("Spend"));
        assert!(!e.fatal);
    }
    assert_eq!(r.errors[9_999].value.as_deref(), Some("-9999.5"));
    assert_eq!(r.stats.rejected, 10_000);
}

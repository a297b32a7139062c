//! Each supported format, read from a fixture with real header lines and quirks; sums are
//! checked against figures worked out by hand from the fixture.

mod common;

use common::*;
use importers::report::{ConversionStatus, Format, Kind, Options};

#[test]
fn moloco_report_api_csv() {
    let r = clean(&fixture("moloco_report_api.csv"), &options());
    assert_eq!((r.format, r.kind), (Format::Moloco, Kind::Spend));
    let rows = r.spend();
    assert_eq!(rows.len(), 6);
    assert_eq!(r.lines(), vec![2, 3, 4, 5, 6, 7]);
    // 1234.567891 + 88.1 + n/a + 1500.25 + "-" + 0.000001
    let spend: rust_decimal::Decimal = rows.iter().map(|x| x.spend).sum();
    assert_eq!(spend, dec("2822.917892"));
    assert_eq!(rows.iter().map(|x| x.impressions).sum::<u64>(), 563_005);
    assert_eq!(rows.iter().map(|x| x.clicks).sum::<u64>(), 6_742);
    assert_eq!(rows.iter().map(|x| x.installs).sum::<u64>(), 871);
    let countries: Vec<&str> = rows
        .iter()
        .map(|x| x.country.as_ref().unwrap().code())
        .collect();
    assert_eq!(countries, vec!["US", "KR", "GB", "US", "KR", "BR"]);
    assert_eq!(rows[0].date, day(2024, 5, 30));
    assert_eq!(rows[1].campaign_id.as_deref(), Some("cmp_002"));
    assert_eq!(rows[1].campaign_name.as_deref(), Some("Summer Push, KR"));
    assert_eq!(rows[2].spend, dec("0"));
    assert!(rows.iter().all(|x| x.currency == cur("USD")));
    // Amounts keep the digits they were written with.
    assert_eq!(rows[0].spend.to_string(), "1234.567891");
    assert_eq!(r.stats.rows, 6);
    assert_eq!(r.stats.parsed, 6);
    assert_eq!(r.stats.lines, 7);
    assert!(r.stats.finished && !r.stats.header_only);
}

#[test]
fn moloco_dashboard_export_takes_its_date_from_the_file_name() {
    let mut o = options();
    o.file_name = Some("C:\\Users\\me\\Downloads\\moloco_dashboard_20240531.csv".into());
    let r = clean(&fixture("moloco_dashboard_20240531.csv"), &o);
    assert_eq!((r.format, r.kind), (Format::Moloco, Kind::Spend));
    let rows = r.spend();
    assert_eq!(rows.len(), 3);
    // The third row has a quoted newline, so it starts on line 4 and ends on line 5.
    assert_eq!(r.lines(), vec![2, 3, 4]);
    assert_eq!(r.stats.lines, 5);
    assert!(rows.iter().all(|x| x.date == day(2024, 5, 31)));
    assert_eq!(
        rows.iter().map(|x| x.spend).sum::<rust_decimal::Decimal>(),
        dec("2390.75")
    );
    assert_eq!(
        rows.iter().map(|x| x.impressions).sum::<u64>(),
        12_500 + 1_204_331 + 800
    );
    assert_eq!(rows.iter().map(|x| x.clicks).sum::<u64>(), 310 + 9_870 + 4);
    assert_eq!(rows.iter().map(|x| x.installs).sum::<u64>(), 41 + 1_502);
    let os: Vec<&str> = rows.iter().map(|x| x.os.as_deref().unwrap()).collect();
    assert_eq!(os, vec!["ios", "android", "android"]);
    assert_eq!(rows[0].campaign_name.as_deref(), Some("Puzzle, iOS T1"));
    assert_eq!(rows[0].creative.as_deref(), Some("video_15s"));
    assert_eq!(rows[1].country.unwrap().code(), "BR");
    assert_eq!(rows[2].country.unwrap().code(), "DE");
    assert!(rows[0].campaign_id.is_none());

    // Without a file name or date, the date is what is missing.
    let e = run(&fixture("moloco_dashboard_20240531.csv"), &options()).unwrap_err();
    assert!(e.to_string().contains("give the report date"), "{e}");
    // A given date wins over the name.
    let mut o = options();
    o.default_date = Some(day(2024, 5, 1));
    o.file_name = Some("moloco_dashboard_20240531.csv".into());
    let r = clean(&fixture("moloco_dashboard_20240531.csv"), &o);
    assert!(r.spend().iter().all(|x| x.date == day(2024, 5, 1)));
}

#[test]
fn keitaro_conversion_log_bom_semicolons_and_decimal_commas() {
    let r = clean(&fixture("keitaro_conversions.csv"), &options());
    assert_eq!((r.format, r.kind), (Format::Keitaro, Kind::Conversions));
    assert_eq!(r.stats.encoding, "UTF-8 (BOM)");
    assert_eq!(r.stats.delimiter, ';');
    assert_eq!(r.header[0], "conversion_id");
    let rows = r.conversions();
    assert_eq!(rows.len(), 4);
    let statuses: Vec<ConversionStatus> = rows.iter().map(|x| x.status).collect();
    use ConversionStatus::*;
    assert_eq!(statuses, vec![Pending, Approved, Rejected, Approved]);
    let originals: Vec<&str> = rows
        .iter()
        .map(|x| x.original_status.as_deref().unwrap())
        .collect();
    assert_eq!(originals, vec!["lead", "approved", "fraud", "rebill"]);
    // 0 + 45,50 + 12,00 + 1 234,56
    assert_eq!(
        rows.iter().map(|x| x.payout).sum::<rust_decimal::Decimal>(),
        dec("1292.06")
    );
    assert_eq!(rows[0].conversion_id, "c-1001");
    assert_eq!(rows[0].click_id.as_deref(), Some("8f3k2"));
    assert_eq!(rows[0].campaign_name.as_deref(), Some("Gambling; tier 1"));
    assert_eq!(rows[0].campaign_id.as_deref(), Some("12"));
    assert_eq!(rows[0].offer.as_deref(), Some("Casino X"));
    assert_eq!(
        rows[1].converted_at.to_rfc3339(),
        "2024-05-30T13:10:45+00:00"
    );
    assert_eq!(
        rows[1].clicked_at.unwrap().to_rfc3339(),
        "2024-05-30T10:00:00+00:00"
    );
    assert_eq!(rows[3].country.unwrap().code(), "ES");
    assert_eq!(r.stats.skipped_blank, 1);
}

#[test]
fn keitaro_conversion_times_in_the_account_zone() {
    let mut o = options();
    o.assumed_offset = chrono::FixedOffset::east_opt(3 * 3600).unwrap();
    let r = clean(&fixture("keitaro_conversions.csv"), &o);
    assert_eq!(
        r.conversions()[1].converted_at.to_rfc3339(),
        "2024-05-30T10:10:45+00:00"
    );
}

#[test]
fn keitaro_report_with_sep_line_dotted_thousands_and_totals() {
    let r = clean(&fixture("keitaro_report.csv"), &options());
    assert_eq!((r.format, r.kind), (Format::Keitaro, Kind::Results));
    assert_eq!(r.stats.header_line, 2);
    assert_eq!(r.stats.skipped_totals, 1);
    let rows = r.results();
    assert_eq!(rows.len(), 3);
    assert_eq!(r.lines(), vec![3, 4, 5]);
    assert_eq!(rows.iter().map(|x| x.clicks).sum::<u64>(), 1_609);
    assert_eq!(rows.iter().map(|x| x.conversions).sum::<u64>(), 16);
    assert_eq!(
        rows.iter()
            .map(|x| x.revenue)
            .sum::<rust_decimal::Decimal>(),
        dec("1383.06")
    );
    assert_eq!(
        rows.iter()
            .map(|x| x.cost.unwrap())
            .sum::<rust_decimal::Decimal>(),
        dec("350.10")
    );
    assert_eq!(rows[0].date, day(2024, 5, 30));
    assert_eq!(rows[2].date, day(2024, 5, 31));
    assert_eq!(
        r.stats.decimal_separator,
        importers::report::DecimalSeparator::Comma
    );
}

#[test]
fn binom_report_with_formatted_values_and_an_unlabelled_totals_row() {
    let mut o = options();
    o.file_name = Some("binom_report_2024-05-31.csv".into());
    let r = clean(&fixture("binom_report_2024-05-31.csv"), &o);
    assert_eq!((r.format, r.kind), (Format::Binom, Kind::Results));
    let rows = r.results();
    assert_eq!(rows.len(), 3);
    assert_eq!(r.stats.skipped_totals, 1);
    assert_eq!(r.stats.skipped_blank, 2);
    assert_eq!(rows[0].clicks, 2_038);
    assert_eq!(rows[0].conversions, 92);
    assert_eq!(rows.iter().map(|x| x.clicks).sum::<u64>(), 2_878);
    assert_eq!(
        rows.iter()
            .map(|x| x.revenue)
            .sum::<rust_decimal::Decimal>(),
        dec("338.70")
    );
    assert_eq!(
        rows.iter()
            .map(|x| x.cost.unwrap())
            .sum::<rust_decimal::Decimal>(),
        dec("194.88")
    );
    assert_eq!(rows[1].campaign_name.as_deref(), Some("Campaign B"));
    assert!(rows.iter().all(|x| x.date == day(2024, 5, 31)));
}

#[test]
fn voluum_conversions_keep_both_timestamps_in_utc() {
    let r = clean(&fixture("voluum_conversions.csv"), &options());
    assert_eq!((r.format, r.kind), (Format::Voluum, Kind::Conversions));
    let rows = r.conversions();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].conversion_id, "tx-1");
    assert_eq!(rows[0].click_id.as_deref(), Some("clk-1"));
    assert_eq!(
        rows[1].converted_at.to_rfc3339(),
        "2024-05-30T11:30:00+00:00"
    );
    assert_eq!(
        rows[1].clicked_at.unwrap().to_rfc3339(),
        "2024-05-30T11:00:00+00:00"
    );
    assert_eq!(
        rows[2].converted_at.to_rfc3339(),
        "2024-05-31T08:15:00+00:00"
    );
    assert_eq!(rows[2].campaign_name.as_deref(), Some("Global - Dating"));
    assert_eq!(rows[2].offer.as_deref(), Some("Dating FR"));
    // No status column: the log lists counted conversions.
    assert!(
        rows.iter()
            .all(|x| x.status == ConversionStatus::Approved && x.original_status.is_none())
    );
    assert_eq!(
        rows.iter().map(|x| x.payout).sum::<rust_decimal::Decimal>(),
        dec("19.75")
    );
}

#[test]
fn redtrack_conversions_with_a_currency_column() {
    // No default currency: the file's column is enough.
    let r = clean(&fixture("redtrack_conversions.csv"), &Options::new(today()));
    assert_eq!((r.format, r.kind), (Format::Redtrack, Kind::Conversions));
    let rows = r.conversions();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].conversion_id, "65a1");
    assert_eq!(rows[0].click_id.as_deref(), Some("c0ffee01"));
    use ConversionStatus::*;
    assert_eq!(
        rows.iter().map(|x| x.status).collect::<Vec<_>>(),
        vec![Approved, Pending, Rejected]
    );
    assert_eq!(
        rows.iter().map(|x| x.currency.code()).collect::<Vec<_>>(),
        vec!["USD", "USD", "EUR"]
    );
    assert_eq!(rows[2].payout, dec("7.25"));
    assert_eq!(rows[2].original_status.as_deref(), Some("declined"));
}

#[test]
fn a_given_format_skips_detection() {
    let mut o = options();
    o.format = Some(Format::Keitaro);
    let r = clean(&fixture("redtrack_conversions.csv"), &o);
    assert_eq!((r.format, r.kind), (Format::Keitaro, Kind::Conversions));
    assert_eq!(r.records.len(), 3);
}

#[test]
fn records_serialise_for_the_server() {
    let r = clean(&fixture("redtrack_conversions.csv"), &options());
    let json = serde_json::to_value(&r.records[2]).unwrap();
    assert_eq!(json["line"], 4);
    assert_eq!(json["record"]["kind"], "conversion");
    assert_eq!(json["record"]["payout"], "7.25");
    assert_eq!(json["record"]["currency"], "EUR");
    assert_eq!(json["record"]["status"], "rejected");
    assert_eq!(json["record"]["country"], "FR");
    let back: importers::report::Parsed = serde_json::from_value(json).unwrap();
    assert_eq!(back, r.records[2]);
    let stats = serde_json::to_value(&r.stats).unwrap();
    assert_eq!(stats["format"], "redtrack");
    assert_eq!(stats["skipped_totals"], 0);
}

//! Real-world shapes of input, each handled on purpose.

mod common;

use common::*;
use importers::report::{
    ColumnMapping, DateOrder, DecimalSeparator, Field, Format, Kind, Options, open,
};

#[test]
fn excel_unicode_text_is_utf16le_with_bom_and_tabs() {
    let text = "Date\tCampaign_ID\tCampaign_Title\tCampaign_Country\tSpend\tImpressions\tClicks\tInstalls\r\n\
                2024-05-30\tc1\tÉté — Côte d'Ivoire\tCIV\t12.5\t1000\t10\t1\r\n\
                2024-05-31\tc1\tÉté — Côte d'Ivoire\tCôte d’Ivoire\t7.25\t500\t5\t0\r\n";
    let r = clean(&utf16le_with_bom(text), &options());
    assert_eq!(r.stats.encoding, "UTF-16LE");
    assert_eq!(r.stats.delimiter, '\t');
    assert_eq!(r.format, Format::Moloco);
    let rows = r.spend();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0].campaign_name.as_deref(),
        Some("Été — Côte d'Ivoire")
    );
    assert!(rows.iter().all(|x| x.country.unwrap().code() == "CI"));
    assert_eq!(
        rows.iter().map(|x| x.spend).sum::<rust_decimal::Decimal>(),
        dec("19.75")
    );
    assert_eq!(r.lines(), vec![2, 3]);
    // The same text as UTF-16BE, and without a BOM, reads the same.
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let r_be = clean(&be, &options());
    assert_eq!(r_be.stats.encoding, "UTF-16BE");
    assert_eq!(r_be.records, r.records);
    let bare: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert_eq!(clean(&bare, &options()).records, r.records);
}

#[test]
fn bom_utf8_semicolons_and_decimal_commas() {
    let text = "\u{feff}Date;Campaign_Title;Campaign_Country;Spend;Impressions;Clicks;Installs\r\n\
                30.05.2024;Été;FR;12,50;1.000;10;1\r\n\
                30.05.2024;Sommer;DE;1.234,56;2.500.000;1.234;10\r\n\
                31.05.2024;Winter;AT;1\u{a0}234,5;12\u{a0}000;0;0\r\n\
                31.05.2024;Frühling;CH;0,125;1;0;0\r\n";
    let r = clean(text.as_bytes(), &options());
    assert_eq!(r.stats.encoding, "UTF-8 (BOM)");
    assert_eq!(r.stats.decimal_separator, DecimalSeparator::Comma);
    let rows = r.spend();
    let spend: Vec<String> = rows.iter().map(|x| x.spend.to_string()).collect();
    assert_eq!(spend, vec!["12.50", "1234.56", "1234.5", "0.125"]);
    let imps: Vec<u64> = rows.iter().map(|x| x.impressions).collect();
    assert_eq!(imps, vec![1_000, 2_500_000, 12_000, 1]);
    assert_eq!(rows[1].clicks, 1_234);
    assert_eq!(rows[0].date, day(2024, 5, 30));
}

#[test]
fn ambiguous_comma_follows_the_documented_rule() {
    // "1,234" in a money column: decimal in a semicolon file with no other clue...
    let semi = "Date;Campaign;Spend;Installs\n2024-05-30;A;1,234;1,234\n";
    let r = clean(semi.as_bytes(), &options());
    assert_eq!(r.spend()[0].spend, dec("1.234"));
    // ...but a count column reads it as thousands whatever the file.
    assert_eq!(r.spend()[0].installs, 1_234);
    // ...thousands in a comma file (where it had to be quoted)...
    let comma = "Date,Campaign,Spend,Installs\n2024-05-30,A,\"1,234\",\"1,234\"\n";
    let r = clean(comma.as_bytes(), &options());
    assert_eq!(r.spend()[0].spend, dec("1234"));
    assert_eq!(r.spend()[0].installs, 1_234);
    // ...and the file's own unambiguous values win over the delimiter's default.
    let semi_dot = "Date;Campaign;Spend\n2024-05-30;A;12.50\n2024-05-30;B;1,234\n";
    let r = clean(semi_dot.as_bytes(), &options());
    assert_eq!(r.stats.decimal_separator, DecimalSeparator::Dot);
    assert_eq!(r.spend()[1].spend, dec("1234"));
    // The caller can force it.
    let mut o = options();
    o.decimal_separator = Some(DecimalSeparator::Dot);
    let r = clean(semi.as_bytes(), &o);
    assert_eq!(r.spend()[0].spend, dec("1234"));
}

#[test]
fn currency_signs_and_codes_around_amounts() {
    let text = "Date,Campaign,Spend\n2024-05-30,A,$12.50\n2024-05-30,B,USD 3\n2024-05-30,C,4.5 USD\n2024-05-30,D,(2.00)\n";
    let r = run(text.as_bytes(), &options()).unwrap();
    let spend: Vec<String> = r.spend().iter().map(|x| x.spend.to_string()).collect();
    assert_eq!(spend, vec!["12.50", "3", "4.5"]);
    // Accounting parentheses mean negative, and spend cannot be.
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].line, 5);
    // A currency named in the header sets the rows' currency.
    let text = "Date,Campaign,Spend (EUR)\n2024-05-30,A,\"12,50 €\"\n";
    let r = clean(text.as_bytes(), &options());
    assert_eq!(r.spend()[0].currency, cur("EUR"));
    assert_eq!(r.spend()[0].spend, dec("12.50"));
}

#[test]
fn totals_rows_and_blank_lines_are_skipped_and_counted() {
    let text = "Date,Campaign,Spend,Installs\r\n\
                \r\n\
                2024-05-30,A,10.005,1\r\n\
                ,,,\r\n\
                2024-05-30,B,5,2\r\n\
                \r\n\
                Total,,15.01,3\r\n\
                Итого:,,15.005,3\r\n\
                Summary,,,\r\n\
                ,,15.01,3\r\n\
                ,,15.005,\r\n\
                \r\n\
                \r\n";
    let r = clean(text.as_bytes(), &options());
    assert_eq!(r.records.len(), 2);
    assert_eq!(r.lines(), vec![3, 5]);
    // Three labelled totals rows, and two unlabelled ones whose figures are the sums
    // (15.01 is 15.005 as rounded for display).
    assert_eq!(r.stats.skipped_totals, 5);
    // Lines 2 and 6, the all-empty row on line 4, and the two trailing lines.
    assert_eq!(r.stats.skipped_blank, 5);
    assert_eq!(r.stats.rows, 2);
    assert_eq!(r.stats.lines, 13);
    // A row without campaign or date whose figures are not the sums is an error.
    let text = "Date,Campaign,Spend\n2024-05-30,A,10\n,,11\n";
    let r = run(text.as_bytes(), &options()).unwrap();
    assert_eq!(r.records.len(), 1);
    assert_eq!(r.errors.len(), 2);
    assert_eq!(r.errors[0].line, 3);
}

#[test]
fn quoted_fields_with_delimiters_quotes_and_newlines() {
    let text = "Date,Campaign_ID,Campaign_Title,Spend\n\
                2024-05-30,c1,\"Title, with comma\",1\n\
                2024-05-30,c2,\"He said \"\"hi\"\"\",2\n\
                2024-05-30,c3,\"Two\nlines\",3\n\
                2024-05-30,c4,\"Three\r\nphysical\r\nlines\",4\n\
                2024-05-30,c5,plain,5\n";
    let r = clean(text.as_bytes(), &options());
    let names: Vec<&str> = r
        .spend()
        .iter()
        .map(|x| x.campaign_name.as_deref().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "Title, with comma",
            "He said \"hi\"",
            "Two\nlines",
            "Three\r\nphysical\r\nlines",
            "plain"
        ]
    );
    assert_eq!(r.lines(), vec![2, 3, 4, 6, 9]);
}

#[test]
fn date_shapes_in_one_file() {
    let text = "Date,Campaign,Spend\n\
                2024-05-01,A,1\n01.05.2024,A,1\n2024/05/01,A,1\n20240501,A,1\n\
                2024-05-01T23:59:59Z,A,1\n2024-05-01 10:00,A,1\n1714557600,A,1\n1714557600000,A,1\n";
    let r = clean(text.as_bytes(), &options());
    assert!(
        r.spend().iter().all(|x| x.date == day(2024, 5, 1)),
        "{:?}",
        r.records
    );
}

#[test]
fn slash_date_order_is_settled_per_file() {
    // 05/25 can only be month first, so 05/04 in the same file is May 4th.
    let us = "Date,Campaign,Spend\n05/04/2024,A,1\n05/25/2024,A,1\n";
    let r = clean(us.as_bytes(), &options());
    assert_eq!(r.stats.date_order, DateOrder::MonthFirst);
    assert_eq!(r.spend()[0].date, day(2024, 5, 4));
    // No clue: day first.
    let eu = "Date,Campaign,Spend\n05/04/2024,A,1\n";
    let r = clean(eu.as_bytes(), &options());
    assert_eq!(r.stats.date_order, DateOrder::DayFirst);
    assert_eq!(r.spend()[0].date, day(2024, 4, 5));
    // Forced day first: the month-first row is refused with a way out.
    let mut o = options();
    o.date_order = DateOrder::DayFirst;
    let r = run(us.as_bytes(), &o).unwrap();
    assert_eq!(r.records.len(), 1);
    assert!(
        r.errors[0].reason.contains("set the date order"),
        "{:?}",
        r.errors
    );
}

#[test]
fn conversion_time_shapes() {
    let text = "transaction_id,click_id,payout,conv_time\n\
                t1,c,1,2024-05-30T10:00:00Z\nt2,c,1,2024-05-30T13:00:00+03:00\nt3,c,1,2024-05-30 10:00:00\n\
                t4,c,1,2024-05-30 10:00\nt5,c,1,1717063200\nt6,c,1,1717063200000\nt7,c,1,30.05.2024 10:00:00\n\
                t8,c,1,2024-05-30T10:00:00.000+0000\n";
    let mut o = options();
    o.format = Some(Format::Redtrack);
    let r = clean(text.as_bytes(), &o);
    assert_eq!(r.kind, Kind::Conversions);
    for c in r.conversions() {
        assert_eq!(
            c.converted_at.to_rfc3339(),
            "2024-05-30T10:00:00+00:00",
            "{}",
            c.conversion_id
        );
        assert!(c.click_id.is_some());
    }
}

#[test]
fn header_names_match_loosely_and_unknown_columns_are_ignored() {
    let text = "  DATE ,campaign title,CAMPAIGN-COUNTRY,spend,IMPRESSIONS,Some Other Column\n\
                2024-05-30,A,us,1,2,whatever\n";
    let r = clean(text.as_bytes(), &options());
    assert_eq!(r.spend()[0].country.unwrap().code(), "US");
    assert_eq!(r.spend()[0].impressions, 2);
    let reader = open(text.as_bytes(), &options()).unwrap();
    let cols = reader.columns();
    assert!(
        cols.contains(&(Field::CampaignName, "campaign title")),
        "{cols:?}"
    );
    assert!(cols.contains(&(Field::Date, "DATE")));
}

#[test]
fn custom_mapping_with_its_own_date_format_and_decimal_comma() {
    let mut mapping = ColumnMapping::new(Kind::Spend)
        .column(Field::Date, "Tag")
        .column(Field::CampaignName, "Kampagne")
        .column(Field::Spend, "Kosten")
        .column(Field::Installs, "Installationen");
    mapping.date_format = Some("%d.%m.%y".into());
    mapping.decimal_separator = Some(DecimalSeparator::Comma);
    let mut o = Options::new(today());
    o.mapping = Some(mapping.clone());
    o.default_currency = Some(cur("EUR"));
    let text = "Tag;Kampagne;Kosten;Installationen;Notiz\n30.05.24;Sommer;1.234;7;x\n31.05.24;Winter;5,5;1;y\n";
    let r = clean(text.as_bytes(), &o);
    assert_eq!(r.format, Format::Custom);
    let rows = r.spend();
    assert_eq!(rows[0].date, day(2024, 5, 30));
    assert_eq!(rows[0].spend, dec("1234"));
    assert_eq!(rows[1].spend, dec("5.5"));
    assert_eq!(rows[0].currency, cur("EUR"));
    // A mapped column the header lacks is named in the error.
    let mut m = mapping.clone();
    m.columns.insert(Field::Clicks, "Klicks".into());
    o.mapping = Some(m);
    let e = open(text.as_bytes(), &o).err().unwrap();
    assert!(e.to_string().contains("clicks → \"Klicks\""), "{e}");
    // A custom mapping that forgets a required field.
    let mut m = mapping;
    m.columns.remove(&Field::Spend);
    o.mapping = Some(m);
    let e = open(text.as_bytes(), &o).err().unwrap();
    assert!(e.to_string().contains("spend (map a column to it)"), "{e}");
}

#[test]
fn a_mapping_can_patch_a_known_format() {
    let mut o = options();
    o.format = Some(Format::Moloco);
    o.mapping = Some(ColumnMapping::new(Kind::Spend).column(Field::Spend, "Budget used"));
    let text = "Date,Campaign_Title,Budget used,Spend\n2024-05-30,A,3,999\n";
    let r = clean(text.as_bytes(), &o);
    assert_eq!(r.format, Format::Moloco);
    assert_eq!(r.spend()[0].spend, dec("3"));
}

#[test]
fn short_rows_are_padded_and_crlf_and_trailing_blanks_are_fine() {
    let text =
        "Date,Campaign,Spend,Installs,Clicks\r\n2024-05-30,A,1\r\n2024-05-30,B,2,3,\r\n\r\n\r\n";
    let r = clean(text.as_bytes(), &options());
    assert_eq!(r.spend()[0].installs, 0);
    assert_eq!(r.spend()[1].installs, 3);
    assert_eq!(r.stats.skipped_blank, 2);
}

#[test]
fn pipes_and_forced_delimiters() {
    let text = "Date|Campaign|Spend\n2024-05-30|A|1.5\n";
    let r = clean(text.as_bytes(), &options());
    assert_eq!(r.stats.delimiter, '|');
    let mut o = options();
    o.delimiter = Some(b'|');
    assert_eq!(clean(text.as_bytes(), &o).records, r.records);
}

#[test]
fn the_reader_can_move_to_a_blocking_thread() {
    fn send<T: Send>(_: &T) {}
    let reader = open(
        std::io::Cursor::new(b"Date,Campaign,Spend\n".to_vec()),
        &options(),
    )
    .unwrap();
    send(&reader);
}

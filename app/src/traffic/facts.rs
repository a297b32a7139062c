//! Parsed report rows as rows of the facts table, in binary COPY format.

use chrono::{Datelike, NaiveDate};
use importers::report::{ConversionRow, ConversionStatus, Kind, Record, ResultRow, SpendRow};
use projections::copy_binary::BinaryCopy;
use rust_decimal::Decimal;
use uuid::Uuid;

/// The facts table's columns, in the order [`encode`] writes them.
pub const FACT_COLUMNS: [&str; 18] = [
    "import_id",
    "line",
    "date",
    "campaign_key",
    "campaign_name",
    "ad_group",
    "creative",
    "country",
    "os",
    "impressions",
    "clicks",
    "installs",
    "tracker_clicks",
    "conversions",
    "spend",
    "revenue",
    "tracker_cost",
    "currency",
];

/// The conversions table's columns, in the order [`encode`] writes them.
pub const CONVERSION_COLUMNS: [&str; 14] = [
    "import_id",
    "line",
    "conversion_id",
    "click_id",
    "campaign_key",
    "campaign_name",
    "offer",
    "status",
    "original_status",
    "payout",
    "currency",
    "converted_at",
    "clicked_at",
    "country",
];

/// The COPY that takes a file's rows: daily facts, or a conversion log's conversions.
pub fn copy_statement(kind: Kind) -> String {
    let (table, columns) = match kind {
        Kind::Conversions => ("traffic_conversions", &CONVERSION_COLUMNS[..]),
        Kind::Spend | Kind::Results => ("traffic_facts", &FACT_COLUMNS[..]),
    };
    format!(
        "COPY {table} ({}) FROM STDIN WITH (FORMAT binary)",
        columns.join(", ")
    )
}

/// Whether rows of `kind` go into the month-partitioned facts table.
pub fn partitioned(kind: Kind) -> bool {
    kind != Kind::Conversions
}

/// First day of `date`'s month: the facts table's partition key.
pub fn month_of(date: NaiveDate) -> NaiveDate {
    date.with_day(1).expect("day 1 exists")
}

fn count(v: u64) -> i64 {
    // The parser caps counts far below i64::MAX; saturate rather than wrap if that changes.
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The campaign key a row is matched by: its id when the report has one, else its name (the
/// parser refuses rows with neither).
pub fn key<'a>(id: &'a Option<String>, name: &'a Option<String>) -> &'a str {
    id.as_deref().or(name.as_deref()).unwrap_or_default()
}

/// The day a record counts for (a conversion's, in UTC).
pub fn date_of(record: &Record) -> NaiveDate {
    match record {
        Record::Spend(r) => r.date,
        Record::Results(r) => r.date,
        Record::Conversion(r) => r.converted_at.date_naive(),
    }
}

/// Appends `record` (line `line` of import `import_id`) to `out`.
pub fn encode(out: &mut BinaryCopy, import_id: Uuid, line: u64, record: &Record) {
    match record {
        Record::Spend(r) => spend(out, import_id, line, r),
        Record::Results(r) => results(out, import_id, line, r),
        Record::Conversion(r) => conversion(out, import_id, line, r),
    }
}

fn status_name(s: ConversionStatus) -> &'static str {
    match s {
        ConversionStatus::Pending => "pending",
        ConversionStatus::Approved => "approved",
        ConversionStatus::Rejected => "rejected",
    }
}

fn conversion(out: &mut BinaryCopy, import_id: Uuid, line: u64, r: &ConversionRow) {
    out.row(CONVERSION_COLUMNS.len() as i16);
    out.uuid(import_id);
    out.i64(count(line));
    out.text(&r.conversion_id);
    out.opt_text(r.click_id.as_deref());
    out.opt_text(r.campaign_id.as_deref().or(r.campaign_name.as_deref()));
    out.opt_text(r.campaign_name.as_deref());
    out.opt_text(r.offer.as_deref());
    out.text(status_name(r.status));
    out.opt_text(r.original_status.as_deref());
    out.numeric(r.payout);
    out.text(r.currency.code());
    out.timestamptz(r.converted_at);
    match r.clicked_at {
        Some(t) => out.timestamptz(t),
        None => out.null(),
    }
    out.opt_text(r.country.as_ref().map(|c| c.code()));
}

fn head(out: &mut BinaryCopy, import_id: Uuid, line: u64, date: NaiveDate, key: &str) {
    out.row(FACT_COLUMNS.len() as i16);
    out.uuid(import_id);
    out.i64(count(line));
    out.date(date);
    out.text(key);
}

fn spend(out: &mut BinaryCopy, import_id: Uuid, line: u64, r: &SpendRow) {
    let key = key(&r.campaign_id, &r.campaign_name);
    head(out, import_id, line, r.date, key);
    out.opt_text(r.campaign_name.as_deref());
    out.opt_text(r.ad_group.as_deref());
    out.opt_text(r.creative.as_deref());
    out.opt_text(r.country.as_ref().map(|c| c.code()));
    out.opt_text(r.os.as_deref());
    out.i64(count(r.impressions));
    out.i64(count(r.clicks));
    out.i64(count(r.installs));
    out.i64(0);
    out.i64(0);
    out.numeric(r.spend);
    out.numeric(Decimal::ZERO);
    out.numeric(Decimal::ZERO);
    out.text(r.currency.code());
}

fn results(out: &mut BinaryCopy, import_id: Uuid, line: u64, r: &ResultRow) {
    let key = key(&r.campaign_id, &r.campaign_name);
    head(out, import_id, line, r.date, key);
    out.opt_text(r.campaign_name.as_deref());
    out.null();
    out.null();
    out.opt_text(r.country.as_ref().map(|c| c.code()));
    out.null();
    out.i64(0);
    out.i64(0);
    out.i64(0);
    out.i64(count(r.clicks));
    out.i64(count(r.conversions));
    out.numeric(Decimal::ZERO);
    out.numeric(r.revenue);
    out.numeric(r.cost.unwrap_or_default());
    out.text(r.currency.code());
}

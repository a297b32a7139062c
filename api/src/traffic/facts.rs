//! Parsed report rows as rows of the facts table, in binary COPY format.

use chrono::{Datelike, NaiveDate};
use importers::report::{Record, ResultRow, SpendRow};
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

pub fn copy_statement() -> String {
    format!(
        "COPY traffic_facts ({}) FROM STDIN WITH (FORMAT binary)",
        FACT_COLUMNS.join(", ")
    )
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
fn key<'a>(id: &'a Option<String>, name: &'a Option<String>) -> &'a str {
    id.as_deref().or(name.as_deref()).unwrap_or_default()
}

/// The day a record counts for, or None for a record that is not a daily fact (conversion
/// logs go elsewhere).
pub fn date_of(record: &Record) -> Option<NaiveDate> {
    match record {
        Record::Spend(r) => Some(r.date),
        Record::Results(r) => Some(r.date),
        Record::Conversion(_) => None,
    }
}

/// Appends `record` (line `line` of import `import_id`) to `out` if it is a daily fact.
pub fn encode(out: &mut BinaryCopy, import_id: Uuid, line: u64, record: &Record) {
    match record {
        Record::Spend(r) => spend(out, import_id, line, r),
        Record::Results(r) => results(out, import_id, line, r),
        Record::Conversion(_) => {}
    }
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

//! An import's rows summed per report day, campaign key and currency while the file is parsed.
//! Written beside the facts (`traffic_import_days`) in the import's transaction, they let the
//! projector insert the daily rollup instead of re-aggregating every fact row: the parser has a
//! core to spare while PostgreSQL runs the COPY, so the sums come almost free.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::Currency;
use importers::report::Record;
use projections::copy_binary::BinaryCopy;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::facts;

/// Most distinct (day, key, currency) groups summed in memory (about 150 bytes each). A file
/// with more leaves the summing to the projector, as for imports applied before this existed.
pub const MAX_GROUPS: usize = 500_000;

/// The `traffic_import_days` columns, in the order [`DayTotals::encode`] writes them.
const COLUMNS: [&str; 12] = [
    "import_id",
    "date",
    "campaign_key",
    "currency",
    "impressions",
    "clicks",
    "installs",
    "tracker_clicks",
    "conversions",
    "spend",
    "revenue",
    "rows",
];

pub fn copy_statement() -> String {
    format!(
        "COPY traffic_import_days ({}) FROM STDIN WITH (FORMAT binary)",
        COLUMNS.join(", ")
    )
}

#[derive(Debug, Default, Clone, PartialEq)]
struct Sums {
    impressions: i64,
    clicks: i64,
    installs: i64,
    tracker_clicks: i64,
    conversions: i64,
    spend: Decimal,
    revenue: Decimal,
    rows: i64,
}

/// The running sums; `None` once the file has more groups than [`MAX_GROUPS`].
#[derive(Debug)]
pub struct DayTotals {
    groups: Option<HashMap<(NaiveDate, String, Currency), Sums>>,
}

impl Default for DayTotals {
    fn default() -> Self {
        Self {
            groups: Some(HashMap::new()),
        }
    }
}

fn add_count(sum: &mut i64, v: u64) {
    *sum = sum.saturating_add(i64::try_from(v).unwrap_or(i64::MAX));
}

impl DayTotals {
    /// Adds a row written to the facts table (conversion logs are not summed).
    pub fn add(&mut self, record: &Record) {
        let Some(groups) = self.groups.as_mut() else {
            return;
        };
        let (date, key, currency) = match record {
            Record::Spend(r) => (
                r.date,
                facts::key(&r.campaign_id, &r.campaign_name),
                r.currency,
            ),
            Record::Results(r) => (
                r.date,
                facts::key(&r.campaign_id, &r.campaign_name),
                r.currency,
            ),
            Record::Conversion(_) => return,
        };
        if groups.len() >= MAX_GROUPS && !groups.contains_key(&(date, key.to_string(), currency)) {
            self.groups = None;
            return;
        }
        let sums = groups.entry((date, key.to_string(), currency)).or_default();
        sums.rows += 1;
        match record {
            Record::Spend(r) => {
                add_count(&mut sums.impressions, r.impressions);
                add_count(&mut sums.clicks, r.clicks);
                add_count(&mut sums.installs, r.installs);
                sums.spend += r.spend;
            }
            Record::Results(r) => {
                add_count(&mut sums.tracker_clicks, r.clicks);
                add_count(&mut sums.conversions, r.conversions);
                sums.revenue += r.revenue;
            }
            Record::Conversion(_) => unreachable!("returned above"),
        }
    }

    /// The sums as binary COPY data for import `import_id`; `None` when they were given up.
    pub fn encode(self, import_id: Uuid) -> Option<Vec<u8>> {
        let groups = self.groups?;
        let mut out = BinaryCopy::default();
        for ((date, key, currency), s) in groups {
            out.row(COLUMNS.len() as i16);
            out.uuid(import_id);
            out.date(date);
            out.text(&key);
            out.text(currency.code());
            out.i64(s.impressions);
            out.i64(s.clicks);
            out.i64(s.installs);
            out.i64(s.tracker_clicks);
            out.i64(s.conversions);
            out.numeric(s.spend);
            out.numeric(s.revenue);
            out.i64(s.rows);
        }
        Some(out.finish())
    }
}

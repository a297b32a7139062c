//! The typed records a report file becomes.

use chrono::{DateTime, NaiveDate, Utc};
use domain::Currency;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::country::Country;

/// Spend on a traffic source for one campaign (and optionally ad group, creative, country, OS)
/// on one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendRow {
    pub date: NaiveDate,
    pub campaign_id: Option<String>,
    pub campaign_name: Option<String>,
    pub ad_group: Option<String>,
    pub creative: Option<String>,
    pub country: Option<Country>,
    /// "ios", "android" or another OS name in lower case.
    pub os: Option<String>,
    pub impressions: u64,
    pub clicks: u64,
    pub installs: u64,
    pub spend: Decimal,
    pub currency: Currency,
}

/// A tracker's figures for one campaign (and optionally offer and country) on one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultRow {
    pub date: NaiveDate,
    pub campaign_id: Option<String>,
    pub campaign_name: Option<String>,
    pub offer: Option<String>,
    pub country: Option<Country>,
    pub clicks: u64,
    pub conversions: u64,
    pub revenue: Decimal,
    /// `None` when the file has no cost column (trackers often do not know the cost).
    pub cost: Option<Decimal>,
    pub currency: Currency,
}

/// Where a conversion stands with the affiliate program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversionStatus {
    Pending,
    Approved,
    Rejected,
}

impl ConversionStatus {
    /// Reads the status words trackers use: Keitaro `lead`/`sale`/`rejected`/`rebill`, Binom
    /// `Hold`/`Approved`/`Rejected`, RedTrack and Voluum `approved`/`pending`/`declined`, and
    /// the usual synonyms. A rebill is money confirmed, so it counts as approved.
    pub fn parse(value: &str) -> Option<ConversionStatus> {
        let key: String = value
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        use ConversionStatus::*;
        Some(match key.as_str() {
            "pending" | "pend" | "lead" | "leads" | "hold" | "onhold" | "new" | "processing"
            | "open" | "waiting" | "wait" | "inprogress" | "review" | "inreview"
            | "unconfirmed" => Pending,
            "approved" | "approve" | "sale" | "sales" | "confirmed" | "confirm" | "accepted"
            | "success" | "successful" | "paid" | "rebill" | "completed" | "complete" | "valid" => {
                Approved
            }
            "rejected" | "reject" | "declined" | "decline" | "cancelled" | "canceled"
            | "cancel" | "trash" | "fraud" | "refund" | "refunded" | "chargeback" | "invalid"
            | "duplicate" | "denied" | "failed" => Rejected,
            _ => return None,
        })
    }
}

/// One conversion from a tracker's conversion log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversionRow {
    /// The tracker's conversion (transaction) id, or the click id when the log has none.
    pub conversion_id: String,
    pub click_id: Option<String>,
    pub campaign_id: Option<String>,
    pub campaign_name: Option<String>,
    pub offer: Option<String>,
    pub status: ConversionStatus,
    /// The status as the network sent it: the file's `original_status` column when it has
    /// one (Keitaro), else the status cell as written; `None` when neither is there.
    pub original_status: Option<String>,
    pub payout: Decimal,
    pub currency: Currency,
    pub converted_at: DateTime<Utc>,
    pub clicked_at: Option<DateTime<Utc>>,
    pub country: Option<Country>,
}

/// A parsed row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    Spend(SpendRow),
    Results(ResultRow),
    Conversion(ConversionRow),
}

/// A record and the physical line (1-based) its row starts on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parsed {
    pub line: u64,
    pub record: Record,
}

#[cfg(test)]
mod tests {
    use super::ConversionStatus::*;
    use super::*;

    #[test]
    fn tracker_statuses() {
        for (v, s) in [
            ("lead", Pending),
            ("sale", Approved),
            ("rejected", Rejected),
            ("rebill", Approved),
            ("Hold", Pending),
            ("Approved", Approved),
            ("declined", Rejected),
            ("PENDING", Pending),
            ("On Hold", Pending),
        ] {
            assert_eq!(ConversionStatus::parse(v), Some(s), "{v}");
        }
        assert_eq!(ConversionStatus::parse("maybe"), None);
    }
}

//! Columns: the fields a record is built from, the names report files give them, and how a
//! header is matched to them. Matching is by name only (case, spaces, underscores and other
//! punctuation do not matter), never by position, and unknown columns are ignored.

use std::collections::HashMap;

use domain::Currency;
use serde::{Deserialize, Serialize};

use super::formats::Kind;
use super::header::{HeaderName, normalize, split_currency};

/// A field of a parsed record that a column can feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Date,
    CampaignId,
    CampaignName,
    AdGroup,
    Creative,
    Country,
    Os,
    Impressions,
    Clicks,
    Installs,
    Spend,
    Currency,
    Offer,
    Conversions,
    Revenue,
    Cost,
    ConversionId,
    ClickId,
    Status,
    /// The status as the affiliate network sent it (Keitaro's `original_status`).
    OriginalStatus,
    Payout,
    ConvertedAt,
    ClickedAt,
}

pub(crate) const FIELD_COUNT: usize = 23;

impl Field {
    pub const ALL: [Field; FIELD_COUNT] = [
        Field::Date,
        Field::CampaignId,
        Field::CampaignName,
        Field::AdGroup,
        Field::Creative,
        Field::Country,
        Field::Os,
        Field::Impressions,
        Field::Clicks,
        Field::Installs,
        Field::Spend,
        Field::Currency,
        Field::Offer,
        Field::Conversions,
        Field::Revenue,
        Field::Cost,
        Field::ConversionId,
        Field::ClickId,
        Field::Status,
        Field::OriginalStatus,
        Field::Payout,
        Field::ConvertedAt,
        Field::ClickedAt,
    ];

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The snake_case name used in column mappings and messages.
    pub fn name(self) -> &'static str {
        match self {
            Field::Date => "date",
            Field::CampaignId => "campaign_id",
            Field::CampaignName => "campaign_name",
            Field::AdGroup => "ad_group",
            Field::Creative => "creative",
            Field::Country => "country",
            Field::Os => "os",
            Field::Impressions => "impressions",
            Field::Clicks => "clicks",
            Field::Installs => "installs",
            Field::Spend => "spend",
            Field::Currency => "currency",
            Field::Offer => "offer",
            Field::Conversions => "conversions",
            Field::Revenue => "revenue",
            Field::Cost => "cost",
            Field::ConversionId => "conversion_id",
            Field::ClickId => "click_id",
            Field::Status => "status",
            Field::OriginalStatus => "original_status",
            Field::Payout => "payout",
            Field::ConvertedAt => "converted_at",
            Field::ClickedAt => "clicked_at",
        }
    }

    pub(crate) fn is_money(self) -> bool {
        matches!(
            self,
            Field::Spend | Field::Revenue | Field::Cost | Field::Payout
        )
    }

    pub(crate) fn is_count(self) -> bool {
        matches!(
            self,
            Field::Impressions | Field::Clicks | Field::Installs | Field::Conversions
        )
    }

    pub(crate) fn is_time(self) -> bool {
        matches!(self, Field::Date | Field::ConvertedAt | Field::ClickedAt)
    }
}

/// Header names seen in the wild for each field, in order of preference: the first one present
/// wins. They are compared after [`normalize`], so `campaign_id` also matches `Campaign ID`.
pub(crate) fn aliases(kind: Kind, field: Field) -> &'static [&'static str] {
    use Field as F;
    match (kind, field) {
        (Kind::Spend, F::Date) => &["date", "day", "report_date", "date_utc", "дата"],
        (Kind::Spend, F::CampaignId) => &["campaign_id"],
        (Kind::Spend, F::CampaignName) => {
            &["campaign_title", "campaign_name", "campaign", "кампания"]
        }
        (Kind::Spend, F::AdGroup) => &["ad_group", "ad_group_name", "ad_group_title", "ad_set"],
        (Kind::Spend, F::Creative) => &["creative", "creative_title", "creative_name"],
        (Kind::Spend, F::Country) => &[
            "campaign_country",
            "country",
            "country_code",
            "geo",
            "страна",
        ],
        (Kind::Spend, F::Os) => &["os", "platform", "device_os", "campaign_os"],
        (Kind::Spend, F::Impressions) => &["impressions", "impression", "imps", "показы"],
        (Kind::Spend, F::Clicks) => &["clicks", "click", "клики"],
        (Kind::Spend, F::Installs) => &["installs", "install", "установки"],
        (Kind::Spend, F::Spend) => &["spend", "cost", "spent", "расход"],
        (_, F::Currency) => &["currency", "currency_code", "валюта"],

        (Kind::Results, F::Date) => &["date", "day", "datetime", "дата"],
        (Kind::Results, F::CampaignId) => &["campaign_id"],
        // Binom names the grouped entity `name`; last, so a real campaign column wins.
        (Kind::Results, F::CampaignName) => &["campaign", "campaign_name", "кампания", "name"],
        (Kind::Results, F::Offer) => &["offer", "offer_name", "оффер"],
        (Kind::Results, F::Country) => &["country", "country_code", "geo", "страна"],
        // Voluum counts tracker clicks as visits.
        (Kind::Results, F::Clicks) => &["clicks", "visits", "клики"],
        (Kind::Results, F::Conversions) => &[
            "conversions",
            "leads",
            "conversion",
            "conv",
            "конверсии",
            "лиды",
        ],
        (Kind::Results, F::Revenue) => &["revenue", "rev", "income", "payout", "доход"],
        (Kind::Results, F::Cost) => &["cost", "spend", "расход", "затраты"],

        (Kind::Conversions, F::ConversionId) => {
            &["conversion_id", "transaction_id", "conv_id", "id"]
        }
        (Kind::Conversions, F::ClickId) => &["sub_id", "click_id", "click"],
        (Kind::Conversions, F::CampaignId) => &["campaign_id"],
        (Kind::Conversions, F::CampaignName) => &["campaign", "campaign_name"],
        (Kind::Conversions, F::Offer) => &["offer", "offer_name"],
        (Kind::Conversions, F::Status) => &["status", "cnv_status", "conversion_status", "state"],
        (Kind::Conversions, F::OriginalStatus) => &["original_status"],
        (Kind::Conversions, F::Payout) => &["payout", "revenue", "amount"],
        (Kind::Conversions, F::ConvertedAt) => &[
            "postback_datetime",
            "postback_timestamp",
            "conv_time",
            "conversion_time",
            "created_at",
            "datetime",
            "time",
            "date",
            "ts",
        ],
        (Kind::Conversions, F::ClickedAt) => &[
            "click_datetime",
            "visit_timestamp",
            "click_time",
            "visit_time",
            "click_date",
        ],
        (Kind::Conversions, F::Country) => &["country_code", "country", "geo"],
        _ => &[],
    }
}

/// What a record of each kind cannot do without: each entry is satisfied by any one of its
/// fields. The date of spend and result rows may instead come from the options.
pub(crate) fn required(kind: Kind) -> &'static [&'static [Field]] {
    match kind {
        Kind::Spend => &[&[Field::CampaignId, Field::CampaignName], &[Field::Spend]],
        Kind::Results => &[
            &[Field::CampaignId, Field::CampaignName],
            &[Field::Clicks],
            &[Field::Conversions],
            &[Field::Revenue],
        ],
        Kind::Conversions => &[
            &[Field::ConversionId, Field::ClickId],
            &[Field::Payout],
            &[Field::ConvertedAt],
        ],
    }
}

/// Which fields a kind of record reads at all.
pub(crate) fn fields_of(kind: Kind) -> impl Iterator<Item = Field> {
    Field::ALL
        .into_iter()
        .filter(move |f| !aliases(kind, *f).is_empty())
}

/// Where each field is read from: the header index, and the currency its header names.
#[derive(Clone, Debug, Default)]
pub(crate) struct Columns {
    pub(crate) index: [Option<usize>; FIELD_COUNT],
    pub(crate) currency: [Option<Currency>; FIELD_COUNT],
}

impl Columns {
    pub(crate) fn get(&self, field: Field) -> Option<usize> {
        self.index[field.index()]
    }

    pub(crate) fn has(&self, field: Field) -> bool {
        self.get(field).is_some()
    }
}

/// Why a header could not be matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ResolveError {
    /// The column appears more than once under names we would read.
    Duplicate(String),
    /// Mapped source columns that the header does not have.
    NotInHeader(Vec<String>),
}

/// Matches the header to the fields of `kind`: by the caller's mapping for the fields it
/// names, by the aliases for the others (only when `use_aliases`).
pub(crate) fn resolve(
    header: &[HeaderName],
    kind: Kind,
    mapping: Option<&std::collections::BTreeMap<Field, String>>,
    use_aliases: bool,
) -> Result<Columns, ResolveError> {
    let mut positions: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        if !h.key.is_empty() {
            positions.entry(h.key.as_str()).or_default().push(i);
        }
    }
    let mut columns = Columns::default();
    let mut not_found = Vec::new();
    let pick = |field: Field, key: &str, columns: &mut Columns| -> Result<bool, ResolveError> {
        match positions.get(key).map(Vec::as_slice) {
            Some([i]) => {
                columns.index[field.index()] = Some(*i);
                columns.currency[field.index()] = header[*i].currency;
                Ok(true)
            }
            Some(_) => Err(ResolveError::Duplicate(key.to_string())),
            None => Ok(false),
        }
    };
    if let Some(mapping) = mapping {
        for (field, source) in mapping {
            let key = normalize(split_currency(source.trim()).0);
            if !pick(*field, &key, &mut columns)? {
                not_found.push(format!("{} → \"{}\"", field.name(), source));
            }
        }
    }
    if !not_found.is_empty() {
        return Err(ResolveError::NotInHeader(not_found));
    }
    if use_aliases {
        for field in fields_of(kind) {
            if columns.has(field) {
                continue;
            }
            for alias in aliases(kind, field) {
                if pick(field, &normalize(alias), &mut columns)? {
                    break;
                }
            }
        }
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::super::header::parse_header;
    use super::*;

    fn header(names: &[&str]) -> Vec<HeaderName> {
        names.iter().map(|n| parse_header(n)).collect()
    }

    #[test]
    fn aliases_in_preference_order() {
        let h = header(&["Campaign", "Campaign_Title", "Impression", "Spend", "Extra"]);
        let c = resolve(&h, Kind::Spend, None, true).unwrap();
        assert_eq!(c.get(Field::CampaignName), Some(1));
        assert_eq!(c.get(Field::Impressions), Some(2));
        assert_eq!(c.get(Field::Spend), Some(3));
        assert_eq!(c.get(Field::Date), None);
    }

    #[test]
    fn duplicates_and_mapping() {
        let h = header(&["Spend", "spend"]);
        assert_eq!(
            resolve(&h, Kind::Spend, None, true).unwrap_err(),
            ResolveError::Duplicate("spend".into())
        );
        let h = header(&["Day", "Camp", "Money"]);
        let mut m = std::collections::BTreeMap::new();
        m.insert(Field::CampaignName, "camp".to_string());
        m.insert(Field::Spend, "MONEY".to_string());
        let c = resolve(&h, Kind::Spend, Some(&m), false).unwrap();
        assert_eq!(c.get(Field::Spend), Some(2));
        assert_eq!(c.get(Field::Date), None);
        m.insert(Field::Date, "When".to_string());
        assert!(matches!(
            resolve(&h, Kind::Spend, Some(&m), false),
            Err(ResolveError::NotInHeader(v)) if v.len() == 1
        ));
    }
}

//! The report formats the importer knows, and how to tell them apart by their header.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::header::parse_header;

/// Where a report file comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Moloco,
    Keitaro,
    Binom,
    Voluum,
    Redtrack,
    /// Any CSV, read through a caller-given [`super::ColumnMapping`].
    Custom,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Moloco => "moloco",
            Format::Keitaro => "keitaro",
            Format::Binom => "binom",
            Format::Voluum => "voluum",
            Format::Redtrack => "redtrack",
            Format::Custom => "custom",
        }
    }
}

/// What the rows of a file are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Spend on a traffic source per campaign and day (Moloco).
    Spend,
    /// A tracker's per-campaign, per-day report: clicks, conversions, revenue, cost.
    Results,
    /// A tracker's conversion log: one row per conversion.
    Conversions,
}

/// Columns whose presence marks a tracker file as a conversion log rather than a report.
const CONVERSION_MARKERS: &[&str] = &[
    "conversionid",
    "transactionid",
    "subid",
    "clickid",
    "postbackdatetime",
    "postbacktimestamp",
    "convtime",
    "conversiontime",
    "cnvstatus",
];

/// Columns that only one source writes, with how strongly each points to it.
const SIGNATURES: &[(Format, &[(&str, u32)])] = &[
    (
        Format::Moloco,
        &[
            ("campaigntitle", 3),
            ("campaigncountry", 3),
            ("appid", 2),
            ("impression", 2),
            ("install", 2),
            ("d1revenue", 2),
            ("d7revenue", 2),
            ("d30revenue", 1),
            ("d1roas", 2),
            ("completedview", 2),
            ("inventoryapptitle", 2),
            ("inventoryappbundle", 2),
            ("creativegroup", 1),
            ("exchange", 1),
            ("installs", 1),
            ("impressions", 1),
        ],
    ),
    (
        Format::Keitaro,
        &[
            ("subid1", 3),
            ("subid2", 2),
            ("subid", 2),
            ("postbackdatetime", 3),
            ("clickdatetime", 3),
            ("originalstatus", 2),
            ("affiliatenetwork", 2),
            ("campaignuniqueclicks", 3),
            ("uniqueclicks", 1),
            ("salerevenue", 3),
            ("leadrevenue", 3),
            ("rejectedrevenue", 3),
            ("profitconfirmed", 3),
            ("roiconfirmed", 3),
            ("epcconfirmed", 3),
            ("sales", 1),
            ("rebills", 2),
            ("eventid", 1),
            ("ts", 1),
        ],
    ),
    (
        Format::Binom,
        &[
            ("level", 2),
            ("name", 1),
            ("offerclicks", 3),
            ("lpctr", 3),
            ("lpclicks", 2),
            ("cnvstatus", 3),
            ("leads", 1),
        ],
    ),
    (
        Format::Voluum,
        &[
            ("visits", 2),
            ("postbacktimestamp", 3),
            ("visittimestamp", 3),
            ("transactionid", 2),
            ("externalid", 2),
            ("trafficsourcename", 2),
            ("trafficsourceid", 2),
            ("affiliatenetworkname", 2),
            ("affiliatenetworkid", 2),
            ("customvariable1", 3),
            ("conversiontype", 2),
            ("landername", 2),
            ("landerid", 2),
            ("countryname", 1),
        ],
    ),
    (
        Format::Redtrack,
        &[
            ("convtime", 3),
            ("tracktime", 3),
            ("payoutdefault", 3),
            ("payoutnetwork", 3),
            ("psub1", 3),
            ("sub1", 1),
            ("createdat", 1),
            ("sourceid", 1),
        ],
    ),
];

/// Tells the format and the kind of rows from a header, or `None` when the columns do not
/// point to one source clearly (then the caller must choose). A file with a spend column and
/// no tracker figures (conversions, leads, revenue, payout) that names no source is taken as
/// Moloco, the only spend source.
pub fn detect<S: AsRef<str>>(header: &[S]) -> Option<(Format, Kind)> {
    let keys: HashSet<String> = header
        .iter()
        .map(|h| parse_header(h.as_ref()).key)
        .collect();
    let mut scores: Vec<(Format, u32)> = SIGNATURES
        .iter()
        .map(|(format, marks)| {
            let score = marks
                .iter()
                .filter(|(k, _)| keys.contains(*k))
                .map(|(_, w)| w)
                .sum();
            (*format, score)
        })
        .collect();
    scores.sort_by_key(|s| std::cmp::Reverse(s.1));
    let (best, score) = scores[0];
    let runner_up = scores[1].1;
    if score >= 2 && score > runner_up {
        return Some((best, kind_of(best, &keys)));
    }
    let has = |k: &str| keys.contains(k);
    let spendish = (has("spend") || has("cost"))
        && !["conversions", "leads", "revenue", "payout"]
            .into_iter()
            .any(has);
    let tracker_signs = scores.iter().any(|(f, s)| *f != Format::Moloco && *s > 0);
    if spendish && !tracker_signs {
        return Some((Format::Moloco, Kind::Spend));
    }
    None
}

/// The kind of rows a file of `format` holds, from its normalised header keys.
pub(crate) fn kind_of(format: Format, keys: &HashSet<String>) -> Kind {
    match format {
        Format::Moloco => Kind::Spend,
        _ if CONVERSION_MARKERS.iter().any(|m| keys.contains(*m)) => Kind::Conversions,
        _ => Kind::Results,
    }
}

/// A hint for a header nothing could be detected from.
pub(crate) fn undetected_hint(keys: &HashSet<String>) -> Option<String> {
    let has = |k: &str| keys.contains(k);
    if (has("conversions") || has("leads")) && (has("revenue") || has("clicks")) {
        Some(
            "the columns look like a tracker report: choose Keitaro, Binom, Voluum or RedTrack"
                .into(),
        )
    } else if keys.len() <= 1 {
        Some("the header has a single column: check the delimiter".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(h: &str) -> Option<(Format, Kind)> {
        detect(&h.split(',').collect::<Vec<_>>())
    }

    #[test]
    fn detects_each_source() {
        assert_eq!(
            d(
                "Date,App_ID,Campaign_ID,Campaign_Title,Campaign_Country,Spend,Impressions,Clicks,Installs"
            ),
            Some((Format::Moloco, Kind::Spend))
        );
        assert_eq!(
            d(
                "Campaign,Creative,Exchange,Country,OS,Impression,Click,Install,Action,Spend,D1 Revenue"
            ),
            Some((Format::Moloco, Kind::Spend))
        );
        assert_eq!(
            d(
                "conversion_id,sub_id,sub_id_1,campaign_id,campaign,offer,status,revenue,click_datetime,postback_datetime,country"
            ),
            Some((Format::Keitaro, Kind::Conversions))
        );
        assert_eq!(
            d("level,name,clicks,offer_clicks,lp_ctr,leads,cr,epc,cpc,revenue,cost,profit,roi"),
            Some((Format::Binom, Kind::Results))
        );
        assert_eq!(
            d(
                "postbackTimestamp,visitTimestamp,transactionId,clickId,campaignId,campaignName,offerName,revenue,countryCode"
            ),
            Some((Format::Voluum, Kind::Conversions))
        );
        assert_eq!(
            d(
                "id,clickid,campaign,campaign_id,offer,status,payout,payout_default,currency,conv_time,track_time,country"
            ),
            Some((Format::Redtrack, Kind::Conversions))
        );
        assert_eq!(
            d("Campaign,Spend,Installs"),
            Some((Format::Moloco, Kind::Spend))
        );
    }

    #[test]
    fn unclear_headers_are_not_guessed() {
        assert_eq!(d("campaign,clicks,conversions,revenue"), None);
        assert_eq!(d("a,b,c"), None);
        assert_eq!(d("Date;Campaign;Spend"), None);
    }
}

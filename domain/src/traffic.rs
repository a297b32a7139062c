//! Traffic reference data: where we buy traffic (sources), who pays us for it (affiliate
//! programs and their offers), and the campaigns that tie a source to an offer and a project
//! in the books. Each is an [`Entity`] with its own validation.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entity::{
    Entity, EntitySpec, MAX_TEXT_CHARS, References, clean_line, clean_name, clean_text,
};
use crate::error::{DomainError, Refusal};
use crate::money::Currency;
use crate::text::{self, TextKind};

/// Most countries one offer may list; more is a data-entry mistake.
pub const MAX_OFFER_COUNTRIES: usize = 250;
/// Most report keys (external ids or names) one campaign may carry per side.
pub const MAX_CAMPAIGN_KEYS: usize = 50;
/// Longest report key, in characters.
pub const MAX_KEY_CHARS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    MobileDsp,
    AdNetwork,
    Push,
    Native,
    Social,
    Search,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrafficSourceSpec {
    pub name: String,
    pub kind: SourceKind,
    /// Currency of the spend in this source's reports (Moloco files carry none).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "USD"))]
    pub currency: Currency,
    /// IANA time zone of the source's report days, e.g. `UTC` or `America/Los_Angeles`.
    #[serde(default = "utc")]
    pub timezone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

fn utc() -> String {
    "UTC".to_string()
}

pub type TrafficSource = Entity<TrafficSourceSpec>;

impl EntitySpec for TrafficSourceSpec {
    const TYPE: &'static str = "traffic_source";
    type Context = ();

    fn validate(self, _: Option<&Self>, _: &()) -> Result<Self, DomainError> {
        let timezone = self.timezone.trim().to_string();
        if timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(DomainError::invalid(
                "timezone",
                format!("`{timezone}` is not an IANA time zone (e.g. UTC, Europe/Berlin)"),
            ));
        }
        Ok(Self {
            name: clean_name("name", self.name)?,
            kind: self.kind,
            currency: self.currency,
            timezone,
            website: clean_line("website", self.website, 500)?,
            notes: clean_text("notes", self.notes, MAX_TEXT_CHARS)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramSpec {
    pub name: String,
    /// The counterparty in the books that pays this program's payouts.
    pub counterparty_id: Uuid,
    /// Currency the program pays in.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "USDT"))]
    pub currency: Currency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

pub type Program = Entity<ProgramSpec>;

impl EntitySpec for ProgramSpec {
    const TYPE: &'static str = "program";
    type Context = References;

    fn validate(self, previous: Option<&Self>, refs: &References) -> Result<Self, DomainError> {
        refs.check(
            "counterparty_id",
            "counterparty",
            self.counterparty_id,
            previous.map(|p| p.counterparty_id),
        )?;
        Ok(Self {
            name: clean_name("name", self.name)?,
            counterparty_id: self.counterparty_id,
            currency: self.currency,
            website: clean_line("website", self.website, 500)?,
            notes: clean_text("notes", self.notes, MAX_TEXT_CHARS)?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PayoutModel {
    /// A fixed amount per approved action.
    Cpa,
    /// A fixed amount per install.
    Cpi,
    /// A share of the revenue the conversion reports, in percent.
    RevShare,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfferSpec {
    pub name: String,
    pub program_id: Uuid,
    pub payout_model: PayoutModel,
    /// Per conversion in `currency` (CPA, CPI), or a percentage of revenue (RevShare).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "12.50"))]
    pub payout: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "USD"))]
    pub currency: Currency,
    /// ISO 3166 alpha-2 codes; empty means every country.
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

pub type Offer = Entity<OfferSpec>;

impl EntitySpec for OfferSpec {
    const TYPE: &'static str = "offer";
    type Context = References;

    fn validate(self, previous: Option<&Self>, refs: &References) -> Result<Self, DomainError> {
        refs.check(
            "program_id",
            "program",
            self.program_id,
            previous.map(|p| p.program_id),
        )?;
        let payout = match self.payout_model {
            PayoutModel::Cpa | PayoutModel::Cpi => {
                if self.payout <= Decimal::ZERO {
                    return Err(DomainError::invalid("payout", "must be greater than zero"));
                }
                self.currency.check_amount(self.payout)?
            }
            PayoutModel::RevShare => {
                if self.payout <= Decimal::ZERO || self.payout > Decimal::ONE_HUNDRED {
                    return Err(DomainError::invalid(
                        "payout",
                        "a revenue share is a percentage above 0 and at most 100",
                    ));
                }
                if self.payout.scale() > 4 {
                    return Err(DomainError::invalid(
                        "payout",
                        "a revenue share has at most 4 decimals",
                    ));
                }
                self.payout
            }
        };
        Ok(Self {
            name: clean_name("name", self.name)?,
            program_id: self.program_id,
            payout_model: self.payout_model,
            payout,
            currency: self.currency,
            countries: clean_countries(self.countries)?,
            url: clean_line("url", self.url, 2000)?,
            notes: clean_text("notes", self.notes, MAX_TEXT_CHARS)?,
        })
    }
}

/// Upper-cased, sorted, deduplicated alpha-2 codes.
fn clean_countries(countries: Vec<String>) -> Result<Vec<String>, DomainError> {
    if countries.len() > MAX_OFFER_COUNTRIES {
        return Err(DomainError::invalid(
            "countries",
            format!("at most {MAX_OFFER_COUNTRIES} countries"),
        ));
    }
    let mut out = Vec::with_capacity(countries.len());
    for c in countries {
        let code = c.trim().to_ascii_uppercase();
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(DomainError::invalid(
                "countries",
                format!("`{c}` is not an ISO 3166 alpha-2 code (e.g. US, DE)"),
            ));
        }
        out.push(code);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    Active,
    Paused,
    Ended,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignSpec {
    pub name: String,
    pub source_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_id: Option<Uuid>,
    /// The project in the books that this campaign's money belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<Uuid>,
    pub status: CampaignStatus,
    /// Campaign ids or names under which the source's spend reports list this campaign.
    #[serde(default)]
    pub source_keys: Vec<String>,
    /// Campaign ids or names under which tracker reports list this campaign.
    #[serde(default)]
    pub tracker_keys: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// What campaign validation needs from outside: the referenced entities, and the report
/// keys other campaigns already hold (a key must lead to one campaign only).
#[derive(Debug, Clone, Default)]
pub struct CampaignContext {
    pub refs: References,
    /// Source keys taken by other campaigns of the same source.
    pub taken_source_keys: Vec<String>,
    /// Tracker keys taken by other campaigns.
    pub taken_tracker_keys: Vec<String>,
}

pub type Campaign = Entity<CampaignSpec>;

impl EntitySpec for CampaignSpec {
    const TYPE: &'static str = "campaign";
    type Context = CampaignContext;

    fn validate(self, previous: Option<&Self>, ctx: &CampaignContext) -> Result<Self, DomainError> {
        ctx.refs.check(
            "source_id",
            "traffic_source",
            self.source_id,
            previous.map(|p| p.source_id),
        )?;
        if let Some(offer) = self.offer_id {
            ctx.refs.check(
                "offer_id",
                "offer",
                offer,
                previous.and_then(|p| p.offer_id),
            )?;
        }
        if let Some(project) = self.project_id {
            ctx.refs.check(
                "project_id",
                "project",
                project,
                previous.and_then(|p| p.project_id),
            )?;
        }
        let source_keys = clean_keys("source_keys", self.source_keys, &ctx.taken_source_keys)?;
        let tracker_keys = clean_keys("tracker_keys", self.tracker_keys, &ctx.taken_tracker_keys)?;
        Ok(Self {
            name: clean_name("name", self.name)?,
            source_id: self.source_id,
            offer_id: self.offer_id,
            project_id: self.project_id,
            status: self.status,
            source_keys,
            tracker_keys,
            notes: clean_text("notes", self.notes, MAX_TEXT_CHARS)?,
        })
    }
}

/// Trimmed, deduplicated keys in the order given, none of them held by another campaign.
fn clean_keys(
    field: &'static str,
    keys: Vec<String>,
    taken: &[String],
) -> Result<Vec<String>, DomainError> {
    if keys.len() > MAX_CAMPAIGN_KEYS {
        return Err(DomainError::invalid(
            field,
            format!("at most {MAX_CAMPAIGN_KEYS} keys"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(keys.len());
    for key in keys {
        let key = key.trim().to_string();
        if key.is_empty() {
            return Err(DomainError::invalid(field, "keys must not be empty"));
        }
        if let Err(DomainError::Invalid { reason, .. }) =
            text::check(field, &key, TextKind::Line, MAX_KEY_CHARS)
        {
            return Err(DomainError::invalid(field, format!("`{key}` {reason}")));
        }
        if taken.contains(&key) {
            return Err(Refusal::CampaignKeyTaken { field, key }.into());
        }
        if !out.contains(&key) {
            out.push(key);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::RefFact;

    fn refs(facts: &[(&'static str, Uuid, bool)]) -> References {
        References(
            facts
                .iter()
                .map(|&(entity, id, archived)| RefFact {
                    entity,
                    id,
                    archived,
                })
                .collect(),
        )
    }

    fn offer(model: PayoutModel, payout: &str) -> OfferSpec {
        OfferSpec {
            name: "Offer".into(),
            program_id: Uuid::nil(),
            payout_model: model,
            payout: payout.parse().unwrap(),
            currency: Currency::parse("USD").unwrap(),
            countries: vec!["de".into(), "US".into(), "DE".into()],
            url: None,
            notes: None,
        }
    }

    #[test]
    fn offers_check_their_payout_against_the_model() {
        let ok = refs(&[("program", Uuid::nil(), false)]);
        let o = offer(PayoutModel::Cpa, "12.50")
            .validate(None, &ok)
            .unwrap();
        assert_eq!(o.countries, vec!["DE", "US"]);
        assert!(offer(PayoutModel::Cpa, "0").validate(None, &ok).is_err());
        assert!(
            offer(PayoutModel::Cpi, "1.005")
                .validate(None, &ok)
                .is_err()
        );
        assert!(
            offer(PayoutModel::RevShare, "100.5")
                .validate(None, &ok)
                .is_err()
        );
        assert!(
            offer(PayoutModel::RevShare, "35.5")
                .validate(None, &ok)
                .is_ok()
        );
        // The program must exist and be active.
        assert!(
            offer(PayoutModel::Cpa, "1")
                .validate(None, &refs(&[]))
                .is_err()
        );
        let archived = refs(&[("program", Uuid::nil(), true)]);
        assert!(
            offer(PayoutModel::Cpa, "1")
                .validate(None, &archived)
                .is_err()
        );
        let mut bad = offer(PayoutModel::Cpa, "1");
        bad.countries = vec!["USA".into()];
        assert!(bad.validate(None, &ok).is_err());
    }

    #[test]
    fn campaign_keys_lead_to_one_campaign() {
        let source = Uuid::from_u128(1);
        let spec = CampaignSpec {
            name: "C".into(),
            source_id: source,
            offer_id: None,
            project_id: None,
            status: CampaignStatus::Active,
            source_keys: vec![" 123 ".into(), "123".into()],
            tracker_keys: vec![],
            notes: None,
        };
        let mut ctx = CampaignContext {
            refs: refs(&[("traffic_source", source, false)]),
            ..Default::default()
        };
        assert_eq!(
            spec.clone().validate(None, &ctx).unwrap().source_keys,
            vec!["123"]
        );
        ctx.taken_source_keys = vec!["123".into()];
        assert!(matches!(
            spec.validate(None, &ctx),
            Err(DomainError::Refused(Refusal::CampaignKeyTaken { .. }))
        ));
    }

    #[test]
    fn sources_need_a_real_time_zone() {
        let spec = |tz: &str| TrafficSourceSpec {
            name: "Moloco".into(),
            kind: SourceKind::MobileDsp,
            currency: Currency::parse("USD").unwrap(),
            timezone: tz.into(),
            website: None,
            notes: None,
        };
        assert!(spec("America/Los_Angeles").validate(None, &()).is_ok());
        assert!(spec("Mars/Olympus").validate(None, &()).is_err());
    }
}

//! The profitability report (`GET /api/reports/profitability`): per campaign, offer, program or
//! project over a period, what traffic cost (spend) and what the trackers saw earned (revenue),
//! from the traffic metrics, beside what the books hold (payouts approved and received), from
//! the payouts read model, with profit and ROI.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::Currency;
use domain::money::round_to_scale;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

use crate::ReadError;
use crate::payouts::{self, PayoutGroup};
use crate::traffic::metrics::{
    Dimension, Granularity, MetricsQuery, MetricsSort, SortDirection, metrics,
};
use crate::traffic::report::MAX_METRICS_ROWS;

#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct ProfitabilityParams {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// campaign (default), offer, program or project.
    pub group_by: Option<String>,
    /// Report currency (default USD).
    pub currency: Option<String>,
}

#[derive(Debug, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfitabilityFigures {
    /// What the traffic sources charged.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub spend: Decimal,
    /// What the trackers report earned.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub revenue: Decimal,
    /// Payouts approved into the books for periods inside the range (paid ones included).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub payouts_approved: Decimal,
    /// Of those, paid.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub payouts_received: Decimal,
    /// Approved payouts minus spend: the books' view.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub profit: Decimal,
    /// Tracker revenue minus spend.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub tracker_profit: Decimal,
    /// profit / spend × 100; null without spend.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub roi: Option<Decimal>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfitabilityRow {
    /// The group's id (null: traffic no campaign claims).
    pub id: Option<Uuid>,
    pub name: Option<String>,
    #[serde(flatten)]
    pub figures: ProfitabilityFigures,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profitability {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: String,
    pub currency: String,
    pub rows: Vec<ProfitabilityRow>,
    pub totals: ProfitabilityFigures,
}

#[derive(Default, Clone, Copy)]
struct Sums {
    spend: Decimal,
    revenue: Decimal,
    approved: Decimal,
    received: Decimal,
}

impl Sums {
    fn add(&mut self, o: Sums) {
        self.spend += o.spend;
        self.revenue += o.revenue;
        self.approved += o.approved;
        self.received += o.received;
    }

    fn figures(self, currency: Currency) -> ProfitabilityFigures {
        let profit = self.approved - self.spend;
        ProfitabilityFigures {
            spend: round_to_scale(self.spend, currency),
            revenue: round_to_scale(self.revenue, currency),
            payouts_approved: round_to_scale(self.approved, currency),
            payouts_received: round_to_scale(self.received, currency),
            profit: round_to_scale(profit, currency),
            tracker_profit: round_to_scale(self.revenue - self.spend, currency),
            roi: (!self.spend.is_zero())
                .then(|| (profit * Decimal::ONE_HUNDRED / self.spend).round_dp(2)),
        }
    }
}

/// A profitability report whose parameters passed their checks.
#[derive(Debug, Clone)]
pub struct ProfitabilityPlan {
    from: NaiveDate,
    to: NaiveDate,
    currency: Currency,
    dimension: Dimension,
    line_key: PayoutGroup,
}

impl ProfitabilityParams {
    /// Checks the parameters (before the caller waits for its consistency token).
    pub fn plan(&self) -> Result<ProfitabilityPlan, ReadError> {
        if self.to < self.from {
            return Err(ReadError::invalid("to", "must not be before from"));
        }
        let currency = Currency::parse(self.currency.as_deref().unwrap_or("USD"))?;
        let (dimension, line_key) = match self.group_by.as_deref().unwrap_or("campaign") {
            "campaign" => (Dimension::Campaign, PayoutGroup::Campaign),
            "offer" => (Dimension::Offer, PayoutGroup::Offer),
            "program" => (Dimension::Program, PayoutGroup::Program),
            "project" => (Dimension::Project, PayoutGroup::Project),
            _ => {
                return Err(ReadError::invalid(
                    "group_by",
                    "must be campaign, offer, program or project",
                ));
            }
        };
        Ok(ProfitabilityPlan {
            from: self.from,
            to: self.to,
            currency,
            dimension,
            line_key,
        })
    }
}

type Groups = BTreeMap<Option<Uuid>, Sums>;

/// Answers a checked profitability report: the groups by profit, highest first, and the totals.
pub async fn report(pool: &PgPool, p: &ProfitabilityPlan) -> Result<Profitability, ReadError> {
    let mut groups = Groups::new();
    add_traffic(pool, p, &mut groups).await?;
    add_payouts(pool, p, &mut groups).await?;

    let ids: Vec<Uuid> = groups.keys().flatten().copied().collect();
    let names = crate::queries::entity_names(pool, ids).await?;
    let mut total = Sums::default();
    let mut rows: Vec<ProfitabilityRow> = groups
        .into_iter()
        .map(|(id, s)| {
            total.add(s);
            ProfitabilityRow {
                id,
                name: id.and_then(|i| names.get(&i).cloned()),
                figures: s.figures(p.currency),
            }
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.figures.profit));
    Ok(Profitability {
        from: p.from,
        to: p.to,
        group_by: p.dimension.name().to_string(),
        currency: p.currency.code().to_string(),
        rows,
        totals: total.figures(p.currency),
    })
}

/// Each group's spend and tracker revenue over the period, in the report currency.
async fn add_traffic(
    pool: &PgPool,
    p: &ProfitabilityPlan,
    groups: &mut Groups,
) -> Result<(), ReadError> {
    let traffic = metrics(
        pool,
        &MetricsQuery {
            from: p.from,
            to: p.to,
            granularity: Granularity::Total,
            group_by: vec![p.dimension],
            filters: Vec::new(),
            currency: p.currency.code().to_string(),
            sort: Some((MetricsSort::Spend, SortDirection::Descending)),
            limit: MAX_METRICS_ROWS,
            offset: 0,
        },
    )
    .await?;
    for r in &traffic.rows {
        let key = r.keys[0].as_deref().and_then(|k| k.parse().ok());
        groups.entry(key).or_default().add(Sums {
            spend: r.spend,
            revenue: r.revenue,
            ..Default::default()
        });
    }
    Ok(())
}

/// Each group's approved (and of those, paid) payouts for periods inside the range. Payouts in
/// another currency convert at the rate of their period's last day.
async fn add_payouts(
    pool: &PgPool,
    p: &ProfitabilityPlan,
    groups: &mut Groups,
) -> Result<(), ReadError> {
    let currency = p.currency;
    for s in payouts::approved_sums(pool, p.line_key, p.from, p.to).await? {
        let amount = if s.currency == currency.code() {
            s.amount
        } else {
            let rate = crate::queries::rate_on(pool, &s.currency, currency.code(), s.date_to)
                .await?
                .ok_or_else(|| ReadError::NoRateOnOrBefore {
                    currency: s.currency.clone(),
                    report: currency.to_string(),
                    day: s.date_to,
                })?;
            s.amount * rate.rate
        };
        let g = groups.entry(s.key).or_default();
        g.approved += amount;
        if s.paid {
            g.received += amount;
        }
    }
    Ok(())
}

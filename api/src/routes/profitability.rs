//! `GET /api/reports/profitability`: per campaign, offer, program or project over a period,
//! what traffic cost (spend), what the tracker saw earned (revenue), and what the books hold
//! (payouts approved, and received), with profit and ROI.

use std::collections::BTreeMap;

use axum::extract::State;
use chrono::NaiveDate;
use domain::Currency;
use domain::money::round_to_scale;
use projections::ReadError;
use projections::payouts::{self, PayoutGroup};
use projections::traffic::{Dimension, Granularity, MetricsQuery, MetricsSort, SortDirection};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::common::Consistency;
use super::traffic_metrics::MAX_METRICS_ROWS;
use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProfitabilityParams {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// campaign (default), offer, program or project.
    pub group_by: Option<String>,
    /// Report currency (default USD).
    pub currency: Option<String>,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ProfitabilityFigures {
    /// What the traffic sources charged.
    #[schema(value_type = String)]
    pub spend: Decimal,
    /// What the trackers report earned.
    #[schema(value_type = String)]
    pub revenue: Decimal,
    /// Payouts approved into the books for periods inside the range (paid ones included).
    #[schema(value_type = String)]
    pub payouts_approved: Decimal,
    /// Of those, paid.
    #[schema(value_type = String)]
    pub payouts_received: Decimal,
    /// Approved payouts minus spend: the books' view.
    #[schema(value_type = String)]
    pub profit: Decimal,
    /// Tracker revenue minus spend.
    #[schema(value_type = String)]
    pub tracker_profit: Decimal,
    /// profit / spend × 100; null without spend.
    #[schema(value_type = Option<String>)]
    pub roi: Option<Decimal>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfitabilityRow {
    /// The group's id (null: traffic no campaign claims).
    pub id: Option<Uuid>,
    pub name: Option<String>,
    #[serde(flatten)]
    pub figures: ProfitabilityFigures,
}

#[derive(Debug, Serialize, ToSchema)]
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

#[utoipa::path(get, path = "/api/reports/profitability", tag = "reports",
    params(ProfitabilityParams, Consistency),
    responses((status = 200, body = Profitability), (status = 400, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn profitability(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<ProfitabilityParams>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<Profitability>> {
    user.require(policy::READ_BOOKS)?;
    if p.to < p.from {
        return Err(ApiError::invalid("to", "must not be before from"));
    }
    let currency = Currency::parse(p.currency.as_deref().unwrap_or("USD"))?;
    let (dimension, line_key) = match p.group_by.as_deref().unwrap_or("campaign") {
        "campaign" => (Dimension::Campaign, PayoutGroup::Campaign),
        "offer" => (Dimension::Offer, PayoutGroup::Offer),
        "program" => (Dimension::Program, PayoutGroup::Program),
        "project" => (Dimension::Project, PayoutGroup::Project),
        _ => {
            return Err(ApiError::invalid(
                "group_by",
                "must be campaign, offer, program or project",
            ));
        }
    };
    state.wait_for_position(consistency.min_position).await?;

    let mut groups: BTreeMap<Option<Uuid>, Sums> = BTreeMap::new();
    let traffic = projections::traffic::metrics(
        &state.pool,
        &MetricsQuery {
            from: p.from,
            to: p.to,
            granularity: Granularity::Total,
            group_by: vec![dimension],
            filters: Vec::new(),
            currency: currency.code().to_string(),
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

    let payouts = payouts::approved_sums(&state.pool, line_key, p.from, p.to).await?;
    for s in payouts {
        // Payouts in another currency convert at the rate of their period's last day.
        let amount = if s.currency == currency.code() {
            s.amount
        } else {
            let rate =
                projections::queries::rate_on(&state.pool, &s.currency, currency.code(), s.date_to)
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

    let ids: Vec<Uuid> = groups.keys().flatten().copied().collect();
    let names = projections::queries::entity_names(&state.pool, ids).await?;
    let mut total = Sums::default();
    let mut rows: Vec<ProfitabilityRow> = groups
        .into_iter()
        .map(|(id, s)| {
            total.add(s);
            ProfitabilityRow {
                id,
                name: id.and_then(|i| names.get(&i).cloned()),
                figures: s.figures(currency),
            }
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.figures.profit));
    Ok(axum::Json(Profitability {
        from: p.from,
        to: p.to,
        group_by: dimension.name().to_string(),
        currency: currency.code().to_string(),
        rows,
        totals: total.figures(currency),
    }))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(profitability))
}

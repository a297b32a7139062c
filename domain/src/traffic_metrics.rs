//! Traffic metrics from summed facts. A ratio is computed from the group's summed numerator
//! and denominator (never by averaging row ratios), and a ratio whose denominator is zero is
//! undefined: `None`, never zero and never infinity.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Decimals kept in cost-per and earnings-per figures (CPC, CPM, CPI, CPA, EPC).
pub const PER_UNIT_DECIMALS: u32 = 4;
/// Decimals kept in percentages (CTR, CR, ROI) and in ROAS.
pub const RATIO_DECIMALS: u32 = 2;

/// Summed facts of one group. Clicks come in two kinds: what the traffic source counted
/// (`clicks`: CTR, CPC) and what the tracker counted (`tracker_clicks`: CR, EPC).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub impressions: i64,
    pub clicks: i64,
    pub installs: i64,
    pub tracker_clicks: i64,
    pub conversions: i64,
    pub spend: Decimal,
    pub revenue: Decimal,
}

impl std::ops::AddAssign for Totals {
    fn add_assign(&mut self, o: Totals) {
        self.impressions = self.impressions.saturating_add(o.impressions);
        self.clicks = self.clicks.saturating_add(o.clicks);
        self.installs = self.installs.saturating_add(o.installs);
        self.tracker_clicks = self.tracker_clicks.saturating_add(o.tracker_clicks);
        self.conversions = self.conversions.saturating_add(o.conversions);
        self.spend += o.spend;
        self.revenue += o.revenue;
    }
}

/// The derived metrics of a group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratios {
    pub profit: Decimal,
    /// clicks / impressions × 100
    pub ctr: Option<Decimal>,
    /// conversions / tracker clicks × 100
    pub cr: Option<Decimal>,
    /// spend / clicks
    pub cpc: Option<Decimal>,
    /// spend / impressions × 1000
    pub cpm: Option<Decimal>,
    /// spend / installs
    pub cpi: Option<Decimal>,
    /// spend / conversions
    pub cpa: Option<Decimal>,
    /// revenue / tracker clicks
    pub epc: Option<Decimal>,
    /// (revenue − spend) / spend × 100
    pub roi: Option<Decimal>,
    /// revenue / spend
    pub roas: Option<Decimal>,
}

fn ratio(
    numerator: Decimal,
    denominator: Decimal,
    times: Decimal,
    decimals: u32,
) -> Option<Decimal> {
    if denominator.is_zero() {
        return None;
    }
    // checked_*: sums near Decimal's range must give "undefined", not a panic.
    let v = numerator.checked_mul(times)?.checked_div(denominator)?;
    Some(v.round_dp_with_strategy(decimals, RoundingStrategy::MidpointNearestEven))
}

impl Totals {
    pub fn ratios(&self) -> Ratios {
        let d = Decimal::from;
        let hundred = Decimal::ONE_HUNDRED;
        Ratios {
            profit: self.revenue - self.spend,
            ctr: ratio(d(self.clicks), d(self.impressions), hundred, RATIO_DECIMALS),
            cr: ratio(
                d(self.conversions),
                d(self.tracker_clicks),
                hundred,
                RATIO_DECIMALS,
            ),
            cpc: ratio(self.spend, d(self.clicks), Decimal::ONE, PER_UNIT_DECIMALS),
            cpm: ratio(
                self.spend,
                d(self.impressions),
                Decimal::ONE_THOUSAND,
                PER_UNIT_DECIMALS,
            ),
            cpi: ratio(
                self.spend,
                d(self.installs),
                Decimal::ONE,
                PER_UNIT_DECIMALS,
            ),
            cpa: ratio(
                self.spend,
                d(self.conversions),
                Decimal::ONE,
                PER_UNIT_DECIMALS,
            ),
            epc: ratio(
                self.revenue,
                d(self.tracker_clicks),
                Decimal::ONE,
                PER_UNIT_DECIMALS,
            ),
            roi: ratio(
                self.revenue - self.spend,
                self.spend,
                hundred,
                RATIO_DECIMALS,
            ),
            roas: ratio(self.revenue, self.spend, Decimal::ONE, RATIO_DECIMALS),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn zero_denominators_are_undefined_not_zero() {
        let t = Totals {
            spend: dec("100"),
            ..Default::default()
        };
        let r = t.ratios();
        assert_eq!(r.cpi, None, "no installs: CPI is undefined, not the spend");
        assert_eq!(r.ctr, None);
        assert_eq!(r.cr, None);
        assert_eq!(r.roi, Some(dec("-100")));
        assert_eq!(Totals::default().ratios().roi, None);
    }

    #[test]
    fn the_usual_figures() {
        let t = Totals {
            impressions: 200_000,
            clicks: 2_000,
            installs: 400,
            tracker_clicks: 1_800,
            conversions: 90,
            spend: dec("1000"),
            revenue: dec("1350"),
        };
        let r = t.ratios();
        assert_eq!(r.ctr, Some(dec("1.00")));
        assert_eq!(r.cr, Some(dec("5.00")));
        assert_eq!(r.cpc, Some(dec("0.5")));
        assert_eq!(r.cpm, Some(dec("5")));
        assert_eq!(r.cpi, Some(dec("2.5")));
        assert_eq!(r.cpa, Some(dec("11.1111")));
        assert_eq!(r.epc, Some(dec("0.75")));
        assert_eq!(r.roi, Some(dec("35.00")));
        assert_eq!(r.roas, Some(dec("1.35")));
        assert_eq!(r.profit, dec("350"));
    }

    proptest! {
        /// Whatever the sums, metrics never panic, and a ratio is defined exactly when its
        /// denominator is not zero (or the division overflows).
        #[test]
        fn ratios_never_panic(
            impressions in 0i64..i64::MAX / 2, clicks in 0i64..1_000_000_000,
            installs in 0i64..3, conversions in 0i64..3, tracker_clicks in 0i64..3,
            spend in -1_000_000_000_000i64..1_000_000_000_000, revenue in 0i64..1_000_000_000_000,
            scale in 0u32..8,
        ) {
            let t = Totals {
                impressions, clicks, installs, tracker_clicks, conversions,
                spend: Decimal::new(spend, scale), revenue: Decimal::new(revenue, scale),
            };
            let r = t.ratios();
            prop_assert_eq!(r.cpi.is_none(), installs == 0);
            prop_assert_eq!(r.cpa.is_none(), conversions == 0);
            prop_assert_eq!(r.cr.is_none(), tracker_clicks == 0);
            prop_assert_eq!(r.roi.is_none(), t.spend.is_zero());
        }
    }
}

//! What an invoice leaves open over time, as spans of days with one open amount each. The
//! ageing report at any date reads the one span (per invoice) that covers it, so a report at a
//! past date needs neither the invoice's payments nor their dates.
//!
//! The rule (`open_on`): from its issue date until it is cancelled, an invoice leaves open its
//! total less the payments dated on or before the day, never less than zero; a day with nothing
//! open is in no span.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Days `from` up to (not including) `until` (open-ended when `None`) with `amount` open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSpan {
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    pub amount: Decimal,
}

/// An issued invoice as far as its open amount goes.
#[derive(Debug, Clone)]
pub struct OpenHistory<'a> {
    pub issue_date: NaiveDate,
    pub total: Decimal,
    /// (date, applied in the invoice's currency), in any order.
    pub payments: &'a [(NaiveDate, Decimal)],
    pub cancelled_on: Option<NaiveDate>,
}

impl OpenHistory<'_> {
    /// The open amount on `day` (zero before the issue date and from the cancellation on).
    pub fn open_on(&self, day: NaiveDate) -> Decimal {
        if day < self.issue_date || self.cancelled_on.is_some_and(|c| day >= c) {
            return Decimal::ZERO;
        }
        let paid: Decimal = self
            .payments
            .iter()
            .filter(|(d, _)| *d <= day)
            .map(|(_, a)| *a)
            .sum();
        (self.total - paid).max(Decimal::ZERO)
    }

    /// The spans with something open, in date order, not overlapping, each adjacent pair
    /// differing in amount or separated by a gap.
    pub fn spans(&self) -> Vec<OpenSpan> {
        assert!(
            self.payments.len() <= super::MAX_PAYMENTS,
            "more payments than an invoice takes"
        );
        // The open amount only changes on the issue date and on payment dates after it; the
        // cancellation ends everything.
        let mut changes: Vec<NaiveDate> = self
            .payments
            .iter()
            .map(|(d, _)| *d)
            .filter(|d| *d > self.issue_date)
            .chain([self.issue_date])
            .filter(|d| self.cancelled_on.is_none_or(|c| *d < c))
            .collect();
        changes.sort_unstable();
        changes.dedup();
        let mut spans: Vec<OpenSpan> = Vec::with_capacity(changes.len());
        for (i, from) in changes.iter().enumerate() {
            let amount = self.open_on(*from);
            let until = changes.get(i + 1).copied().or(self.cancelled_on);
            match spans.last_mut() {
                Some(last) if last.until == Some(*from) && last.amount == amount => {
                    last.until = until
                }
                _ if amount > Decimal::ZERO => spans.push(OpenSpan {
                    from: *from,
                    until,
                    amount,
                }),
                _ => {}
            }
        }
        spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Days;
    use proptest::prelude::*;

    fn day(n: u64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Days::new(n)
    }

    fn cents(n: i64) -> Decimal {
        Decimal::new(n, 2)
    }

    #[test]
    fn partial_payments_step_the_open_amount_down_until_paid() {
        let payments = [(day(20), cents(3_000)), (day(10), cents(2_500))];
        let h = OpenHistory {
            issue_date: day(0),
            total: cents(10_000),
            payments: &payments,
            cancelled_on: None,
        };
        assert_eq!(
            h.spans(),
            vec![
                OpenSpan {
                    from: day(0),
                    until: Some(day(10)),
                    amount: cents(10_000)
                },
                OpenSpan {
                    from: day(10),
                    until: Some(day(20)),
                    amount: cents(7_500)
                },
                OpenSpan {
                    from: day(20),
                    until: None,
                    amount: cents(4_500)
                },
            ]
        );
    }

    #[test]
    fn an_overpayment_closes_it_and_a_payment_before_the_issue_counts_from_the_issue() {
        let payments = [(day(3), cents(500)), (day(9), cents(99_999))];
        let h = OpenHistory {
            issue_date: day(5),
            total: cents(10_000),
            payments: &payments,
            cancelled_on: None,
        };
        assert_eq!(
            h.spans(),
            vec![OpenSpan {
                from: day(5),
                until: Some(day(9)),
                amount: cents(9_500)
            }]
        );
    }

    #[test]
    fn a_cancellation_ends_the_last_span() {
        let payments = [(day(4), cents(100)), (day(30), cents(100))];
        let h = OpenHistory {
            issue_date: day(0),
            total: cents(1_000),
            payments: &payments,
            cancelled_on: Some(day(7)),
        };
        assert_eq!(
            h.spans(),
            vec![
                OpenSpan {
                    from: day(0),
                    until: Some(day(4)),
                    amount: cents(1_000)
                },
                OpenSpan {
                    from: day(4),
                    until: Some(day(7)),
                    amount: cents(900)
                },
            ]
        );
    }

    proptest! {
        /// Any day's open amount is the amount of the one span covering it (zero when none
        /// does), for payments in any order, on any dates, of any size, with or without a
        /// cancellation.
        #[test]
        fn spans_agree_with_the_rule_on_every_day(
            issue in 0u64..40,
            total in 1i64..100_000,
            payments in proptest::collection::vec((0u64..80, 1i64..60_000), 0..8),
            cancelled in proptest::option::of(0u64..90),
        ) {
            let payments: Vec<_> = payments.into_iter().map(|(d, a)| (day(d), cents(a))).collect();
            let h = OpenHistory {
                issue_date: day(issue),
                total: cents(total),
                payments: &payments,
                cancelled_on: cancelled.map(day),
            };
            let spans = h.spans();
            for w in spans.windows(2) {
                let end = w[0].until.expect("only the last span is open-ended");
                prop_assert!(w[0].from < end && end <= w[1].from);
                prop_assert!(end < w[1].from || w[0].amount != w[1].amount, "{spans:?}");
            }
            for n in 0..100 {
                let d = day(n);
                let covering: Vec<_> = spans
                    .iter()
                    .filter(|s| s.from <= d && s.until.is_none_or(|u| d < u))
                    .collect();
                prop_assert!(covering.len() <= 1);
                let amount = covering.first().map(|s| s.amount).unwrap_or_default();
                prop_assert!(covering.iter().all(|s| s.amount > Decimal::ZERO));
                prop_assert_eq!(amount, h.open_on(d), "day {} in {:?}", n, spans);
            }
        }
    }
}

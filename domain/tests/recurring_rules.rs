//! Tries to break the schedule rules: the fast occurrence walk must agree with the rule checked
//! one day at a time, stay inside its bounds, never repeat a day, and keep the month-end rule.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use domain::recurring::{Schedule, last_day_of_month};
use domain::recurring_payment::{Definition, RecurringCommand, RecurringPayment, Template};
use domain::transaction::TransactionKind;
use futures::executor::block_on;
use proptest::prelude::*;
use uuid::Uuid;

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

fn date() -> impl Strategy<Value = NaiveDate> {
    // 2020-01-01 plus up to ~6 years: crosses leap years.
    (0u64..2200).prop_map(|n| NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + Days::new(n))
}

fn schedule() -> impl Strategy<Value = Schedule> {
    prop_oneof![
        (1u32..10).prop_map(|interval| Schedule::Daily { interval }),
        (1u32..4, prop::collection::vec(0usize..7, 1..4)).prop_map(|(interval, days)| {
            Schedule::Weekly {
                interval,
                weekdays: days.into_iter().map(|i| WEEKDAYS[i]).collect(),
            }
        }),
        (1u32..7, 1u32..=31).prop_map(|(interval, day)| Schedule::Monthly { interval, day }),
        (1u32..3, 1u32..=12, 1u32..=31)
            .prop_filter("a real day", |(_, m, d)| NaiveDate::from_ymd_opt(
                2000, *m, *d
            )
            .is_some())
            .prop_map(|(interval, month, day)| Schedule::Yearly {
                interval,
                month,
                day
            }),
        prop::sample::select(vec![
            "0 9 * * 1-5",
            "30 23 1,15 * *",
            "0 0 L * *",
            "0 12 * 2 *"
        ])
        .prop_map(|e| Schedule::Cron {
            expression: e.to_string()
        }),
    ]
}

fn brute_force(
    s: &Schedule,
    start: NaiveDate,
    after: Option<NaiveDate>,
    through: NaiveDate,
) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut d = start;
    while d <= through {
        if after.is_none_or(|a| d > a) && s.occurs_on(start, d) {
            out.push(d);
        }
        d = d + Days::new(1);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn occurrences_match_the_day_by_day_rule(
        s in schedule(),
        start in date(),
        after_days in prop::option::of(0u64..400),
        span in 0u64..500,
    ) {
        s.validate().unwrap();
        let after = after_days.map(|n| start + Days::new(n));
        let through = start + Days::new(span);
        let got = s.occurrences(start, after, through, usize::MAX);
        let want = brute_force(&s, start, after, through);
        prop_assert_eq!(&got, &want);
        prop_assert!(got.windows(2).all(|w| w[0] < w[1]), "strictly increasing");
        prop_assert!(got.iter().all(|d| *d >= start && *d <= through && after.is_none_or(|a| *d > a)));
    }

    #[test]
    fn a_limit_takes_a_prefix(s in schedule(), start in date(), limit in 0usize..8) {
        let through = start + Days::new(800);
        let all = s.occurrences(start, None, through, usize::MAX);
        let some = s.occurrences(start, None, through, limit);
        prop_assert_eq!(&some[..], &all[..limit.min(all.len())]);
    }

    #[test]
    fn monthly_days_fall_on_the_day_or_the_months_last(day in 1u32..=31, start in date()) {
        let s = Schedule::Monthly { interval: 1, day };
        let got = s.occurrences(start, None, start + Days::new(400), usize::MAX);
        prop_assert!(got.len() >= 12, "one per month");
        for d in got {
            let last = last_day_of_month(d.year(), d.month());
            prop_assert_eq!(d.day(), day.min(last));
        }
    }

    /// Posting every due day one at a time (as the runner does), across pauses, posts exactly
    /// the due days once each, in order.
    #[test]
    fn recording_due_days_one_by_one_posts_each_once(
        s in schedule(),
        start in date(),
        pause in prop::option::of((0u64..60, 0u64..60)),
    ) {
        let mut r = RecurringPayment::default();
        let def = Definition {
            name: "n".into(),
            template: Template {
                kind: TransactionKind::Expense,
                description: "d".into(),
                legs: vec![],
                project_id: None,
                category_id: None,
                counterparty_id: None,
                tags: vec![],
            },
            schedule: s,
            start,
            end: None,
        };
        block_on(domain::aggregate::decide(&mut r, RecurringCommand::Create(def), &())).unwrap();
        if let Some((from, len)) = pause {
            let from = start + Days::new(from);
            block_on(domain::aggregate::decide(&mut r, RecurringCommand::Pause { from }, &())).unwrap();
            let on = from + Days::new(len);
            block_on(domain::aggregate::decide(&mut r, RecurringCommand::Resume { on }, &())).unwrap();
        }
        let through = start + Days::new(200);
        let expected = r.due(through, usize::MAX);
        let mut posted = Vec::new();
        for _ in 0..1000 {
            let Some(next) = r.due(through, 1).first().copied() else { break };
            block_on(domain::aggregate::decide(
                &mut r,
                RecurringCommand::RecordPosted { date: next, transaction_id: Uuid::nil() },
                &(),
            )).unwrap();
            posted.push(next);
        }
        prop_assert_eq!(&posted, &expected);
        prop_assert!(r.due(through, usize::MAX).is_empty());
        if let Some((from, len)) = pause {
            let (from, on) = (start + Days::new(from), start + Days::new(from + len));
            prop_assert!(posted.iter().all(|d| *d < from || *d >= on), "paused days skipped");
        }
    }
}

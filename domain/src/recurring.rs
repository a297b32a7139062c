//! Schedule rules of recurring payments, as pure functions of dates: which days a schedule
//! falls on between two dates, and its next runs. Dates are calendar days (UTC for cron).
//!
//! Month-end rule: a monthly day past the month's end falls on the month's last day (the 31st
//! gives Feb 28/29, Apr 30); a yearly Feb 29 falls on Feb 28 in other years.

use chrono::{Datelike, Days, Months, NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// Largest `interval` (every n days, weeks, months or years).
pub const MAX_INTERVAL: u32 = 1000;
/// How far ahead of a date the schedule is searched for its next run (ten years): a schedule
/// with no run within it is treated as having none (e.g. a cron of Feb 30).
pub const MAX_HORIZON_DAYS: u64 = 3660;
/// Longest cron expression accepted.
pub const MAX_CRON_CHARS: usize = 200;

/// When a recurring payment falls due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "frequency", rename_all = "snake_case", deny_unknown_fields)]
pub enum Schedule {
    /// Every `interval` days from the start.
    Daily {
        #[serde(default = "one")]
        interval: u32,
    },
    /// On `weekdays` (mon..sun) of every `interval`-th week, counted from the start's week
    /// (weeks begin on Monday).
    Weekly {
        #[serde(default = "one")]
        interval: u32,
        #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, example = json!(["mon", "thu"])))]
        weekdays: Vec<Weekday>,
    },
    /// On `day` (1..=31) of every `interval`-th month from the start's month; a day past the
    /// month's end falls on its last day.
    Monthly {
        #[serde(default = "one")]
        interval: u32,
        day: u32,
    },
    /// On `month`/`day` of every `interval`-th year from the start's year; Feb 29 falls on
    /// Feb 28 in other years.
    Yearly {
        #[serde(default = "one")]
        interval: u32,
        month: u32,
        day: u32,
    },
    /// A cron expression (5 fields, or 6 with seconds), in UTC: the schedule falls on every
    /// day on which the expression fires at least once.
    Cron { expression: String },
}

fn one() -> u32 {
    1
}

fn check_interval(interval: u32) -> Result<(), DomainError> {
    if interval == 0 || interval > MAX_INTERVAL {
        return Err(DomainError::invalid(
            "schedule.interval",
            format!("must be 1 to {MAX_INTERVAL}"),
        ));
    }
    Ok(())
}

fn parse_cron(expression: &str) -> Result<croner::Cron, DomainError> {
    if expression.chars().count() > MAX_CRON_CHARS {
        return Err(DomainError::invalid(
            "schedule.expression",
            format!("at most {MAX_CRON_CHARS} characters"),
        ));
    }
    croner::Cron::new(expression.trim())
        .with_seconds_optional()
        .parse()
        .map_err(|e| {
            DomainError::invalid(
                "schedule.expression",
                format!("`{expression}` is not a cron expression: {e}"),
            )
        })
}

/// The last day of `year`-`month`.
pub fn last_day_of_month(year: i32, month: u32) -> u32 {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("month 1..=12");
    let next = first + Months::new(1);
    (next - Days::new(1)).day()
}

/// `day` of `year`-`month`, or the month's last day when it is shorter.
fn clamped(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day.min(last_day_of_month(year, month)))
}

/// Months from `a`'s month to `b`'s month.
fn months_between(a: NaiveDate, b: NaiveDate) -> i64 {
    (b.year() as i64 - a.year() as i64) * 12 + b.month() as i64 - a.month() as i64
}

fn week_start(d: NaiveDate) -> NaiveDate {
    d - Days::new(d.weekday().num_days_from_monday() as u64)
}

impl Schedule {
    /// Refuses a schedule that could never be computed: bad intervals, days, months or cron.
    pub fn validate(&self) -> Result<(), DomainError> {
        match self {
            Schedule::Daily { interval } => check_interval(*interval),
            Schedule::Weekly { interval, weekdays } => {
                check_interval(*interval)?;
                if weekdays.is_empty() {
                    return Err(DomainError::invalid(
                        "schedule.weekdays",
                        "name at least one day (mon..sun)",
                    ));
                }
                Ok(())
            }
            Schedule::Monthly { interval, day } => {
                check_interval(*interval)?;
                if !(1..=31).contains(day) {
                    return Err(DomainError::invalid("schedule.day", "must be 1 to 31"));
                }
                Ok(())
            }
            Schedule::Yearly {
                interval,
                month,
                day,
            } => {
                check_interval(*interval)?;
                if !(1..=12).contains(month) {
                    return Err(DomainError::invalid("schedule.month", "must be 1 to 12"));
                }
                // Leap year 2000 knows every day a month can have.
                if NaiveDate::from_ymd_opt(2000, *month, *day).is_none() {
                    return Err(DomainError::invalid(
                        "schedule.day",
                        format!("month {month} has no day {day}"),
                    ));
                }
                Ok(())
            }
            Schedule::Cron { expression } => parse_cron(expression).map(|_| ()),
        }
    }

    /// The schedule in its canonical form (sorted, deduplicated weekdays; trimmed cron).
    pub fn normalized(mut self) -> Self {
        match &mut self {
            Schedule::Weekly { weekdays, .. } => {
                weekdays.sort_by_key(|d| d.num_days_from_monday());
                weekdays.dedup();
            }
            Schedule::Cron { expression } => *expression = expression.trim().to_string(),
            _ => {}
        }
        self
    }

    /// Whether a schedule starting on `start` falls on `d`: the rule itself, one day at a time
    /// (the reference the fast [`Schedule::occurrences`] is tested against).
    pub fn occurs_on(&self, start: NaiveDate, d: NaiveDate) -> bool {
        if d < start {
            return false;
        }
        match self {
            Schedule::Daily { interval } => (d - start).num_days() % *interval as i64 == 0,
            Schedule::Weekly { interval, weekdays } => {
                let weeks = (week_start(d) - week_start(start)).num_days() / 7;
                weeks % *interval as i64 == 0 && weekdays.contains(&d.weekday())
            }
            Schedule::Monthly { interval, day } => {
                months_between(start, d) % *interval as i64 == 0
                    && clamped(d.year(), d.month(), *day) == Some(d)
            }
            Schedule::Yearly {
                interval,
                month,
                day,
            } => {
                (d.year() - start.year()) % *interval as i32 == 0
                    && clamped(d.year(), *month, *day) == Some(d)
            }
            Schedule::Cron { expression } => {
                let Ok(cron) = parse_cron(expression) else {
                    return false;
                };
                let midnight = d.and_time(NaiveTime::MIN).and_utc();
                cron.find_next_occurrence(&midnight, true)
                    .is_ok_and(|t| t.date_naive() == d)
            }
        }
    }

    /// The days the schedule falls on, in increasing order: at or after `start`, after `after`
    /// (exclusive, when given), at or before `through`, at most `limit` of them.
    pub fn occurrences(
        &self,
        start: NaiveDate,
        after: Option<NaiveDate>,
        through: NaiveDate,
        limit: usize,
    ) -> Vec<NaiveDate> {
        let from = match after {
            Some(a) if a >= start => match a.succ_opt() {
                Some(d) => d,
                None => return Vec::new(),
            },
            _ => start,
        };
        let mut out = Vec::new();
        if from > through || limit == 0 {
            return out;
        }
        // Each arm walks candidates in increasing order; `push` stops it at `through`/`limit`.
        let mut push = |d: NaiveDate| -> bool {
            if d > through {
                return false;
            }
            if d >= from {
                out.push(d);
            }
            out.len() < limit
        };
        match self {
            Schedule::Daily { interval } => {
                let n = *interval as u64;
                let skipped = (from - start).num_days() as u64;
                let mut d = start + Days::new(skipped.div_ceil(n) * n);
                while push(d) {
                    d = d + Days::new(n);
                }
            }
            Schedule::Weekly { interval, weekdays } => {
                let n = *interval as u64;
                let first_week = week_start(start);
                let weeks = ((week_start(from) - first_week).num_days() / 7) as u64;
                let mut week = first_week + Days::new(weeks.div_ceil(n) * n * 7);
                let mut days: Vec<u64> = weekdays
                    .iter()
                    .map(|w| w.num_days_from_monday() as u64)
                    .collect();
                days.sort_unstable();
                days.dedup();
                'weeks: while week <= through {
                    for offset in &days {
                        if !push(week + Days::new(*offset)) {
                            break 'weeks;
                        }
                    }
                    week = week + Days::new(n * 7);
                }
            }
            Schedule::Monthly { interval, day } => {
                let n = *interval as i64;
                let k = months_between(start, from).max(0);
                let mut months = (k + n - 1) / n * n;
                // The first cycle at or after `from`'s month may fall before `from` (the 5th
                // when `from` is the 20th); `push` drops it.
                loop {
                    let m = NaiveDate::from_ymd_opt(start.year(), start.month(), 1)
                        .and_then(|f| f.checked_add_months(Months::new(months as u32)));
                    let Some(m) = m else { break };
                    let Some(d) = clamped(m.year(), m.month(), *day) else {
                        break;
                    };
                    if d >= start && !push(d) {
                        break;
                    }
                    if d > through {
                        break;
                    }
                    months += n;
                }
            }
            Schedule::Yearly {
                interval,
                month,
                day,
            } => {
                let n = *interval as i32;
                let k = (from.year() - start.year()).max(0);
                let mut year = start.year() + (k + n - 1) / n * n;
                while let Some(d) = clamped(year, *month, *day) {
                    if d >= start && !push(d) {
                        break;
                    }
                    if d > through {
                        break;
                    }
                    year += n;
                }
            }
            Schedule::Cron { expression } => {
                let Ok(cron) = parse_cron(expression) else {
                    return out;
                };
                let mut day = from;
                loop {
                    let midnight = day.and_time(NaiveTime::MIN).and_utc();
                    let Ok(next) = cron.find_next_occurrence(&midnight, true) else {
                        break;
                    };
                    let d = next.date_naive();
                    if !push(d) {
                        break;
                    }
                    match d.succ_opt() {
                        Some(n) => day = n,
                        None => break,
                    }
                }
            }
        }
        out
    }

    /// The next `n` days the schedule falls on after `after` (or from `start`), searched up to
    /// [`MAX_HORIZON_DAYS`] ahead and never past `end`.
    pub fn next_runs(
        &self,
        start: NaiveDate,
        end: Option<NaiveDate>,
        after: Option<NaiveDate>,
        n: usize,
    ) -> Vec<NaiveDate> {
        let base = after.map_or(start, |a| a.max(start));
        let horizon = base
            .checked_add_days(Days::new(MAX_HORIZON_DAYS))
            .unwrap_or(NaiveDate::MAX);
        let through = end.map_or(horizon, |e| e.min(horizon));
        self.occurrences(start, after, through, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_31st_falls_on_each_months_last_day() {
        let s = Schedule::Monthly {
            interval: 1,
            day: 31,
        };
        assert_eq!(
            s.occurrences(d("2026-01-31"), None, d("2026-05-01"), 10),
            vec![
                d("2026-01-31"),
                d("2026-02-28"),
                d("2026-03-31"),
                d("2026-04-30")
            ]
        );
        assert_eq!(
            s.occurrences(d("2028-01-31"), None, d("2028-03-01"), 10),
            vec![d("2028-01-31"), d("2028-02-29")],
            "leap year"
        );
    }

    #[test]
    fn a_yearly_feb_29_falls_on_feb_28_in_common_years() {
        let s = Schedule::Yearly {
            interval: 1,
            month: 2,
            day: 29,
        };
        assert_eq!(
            s.occurrences(d("2027-01-01"), None, d("2029-12-31"), 10),
            vec![d("2027-02-28"), d("2028-02-29"), d("2029-02-28")]
        );
    }

    #[test]
    fn weekly_every_other_week_counts_from_the_start_week() {
        let s = Schedule::Weekly {
            interval: 2,
            weekdays: vec![Weekday::Mon, Weekday::Fri],
        };
        // 2026-11-04 is a Wednesday: its week's Monday has passed, its Friday has not.
        assert_eq!(
            s.occurrences(d("2026-11-04"), None, d("2026-11-30"), 10),
            vec![
                d("2026-11-06"),
                d("2026-11-16"),
                d("2026-11-20"),
                d("2026-11-30")
            ]
        );
    }

    #[test]
    fn cron_falls_on_the_days_it_fires() {
        let s = Schedule::Cron {
            expression: "0 9 * * 1-5".into(),
        };
        s.validate().unwrap();
        // 2026-11-27 is a Friday.
        assert_eq!(
            s.next_runs(d("2026-11-27"), None, None, 3),
            vec![d("2026-11-27"), d("2026-11-30"), d("2026-12-01")]
        );
        let bad = Schedule::Cron {
            expression: "every tuesday".into(),
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn validation_names_the_field() {
        for (s, field) in [
            (
                Schedule::Monthly {
                    interval: 1,
                    day: 0,
                },
                "schedule.day",
            ),
            (
                Schedule::Monthly {
                    interval: 1,
                    day: 32,
                },
                "schedule.day",
            ),
            (Schedule::Daily { interval: 0 }, "schedule.interval"),
            (
                Schedule::Yearly {
                    interval: 1,
                    month: 4,
                    day: 31,
                },
                "schedule.day",
            ),
        ] {
            match s.validate() {
                Err(DomainError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{s:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn next_runs_stop_at_the_end() {
        let s = Schedule::Daily { interval: 1 };
        assert_eq!(
            s.next_runs(
                d("2026-01-01"),
                Some(d("2026-01-03")),
                Some(d("2026-01-01")),
                5
            ),
            vec![d("2026-01-02"), d("2026-01-03")]
        );
    }
}

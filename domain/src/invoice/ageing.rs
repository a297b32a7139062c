//! When an invoice counts as owed, when it is overdue and which ageing bucket its open amount
//! falls in. Pure rules: the read side's SQL is generated from these constants and tested
//! against these functions over a real PostgreSQL (tests/tests/invoice_rules.rs).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::InvoiceStatus;

/// Lifecycle statuses in which nothing is owed whatever the amounts say: a draft was never
/// issued and a cancelled invoice's postings are reversed.
pub const NOT_OWED: [InvoiceStatus; 2] = [InvoiceStatus::Draft, InvoiceStatus::Cancelled];

/// Lifecycle statuses that turn into "overdue" past the due date while something is open.
pub const MAY_BE_OVERDUE: [InvoiceStatus; 2] =
    [InvoiceStatus::Issued, InvoiceStatus::PartiallyPaid];

/// The status shown for an invoice that is overdue.
pub const OVERDUE: &str = "overdue";

/// Whether an invoice in `status` with `open` left still counts as owed (receivables and
/// payables of the dashboard).
pub fn is_owed(status: InvoiceStatus, open: Decimal) -> bool {
    !NOT_OWED.contains(&status) && open > Decimal::ZERO
}

/// Whether an invoice due on `due_date` is past due on `day` (due on the day itself is not).
pub fn is_past_due(due_date: NaiveDate, day: NaiveDate) -> bool {
    due_date < day
}

/// Whether an invoice is overdue on `today`: issued or partly paid, something open, past due.
pub fn is_overdue(
    status: InvoiceStatus,
    open: Decimal,
    due_date: NaiveDate,
    today: NaiveDate,
) -> bool {
    MAY_BE_OVERDUE.contains(&status) && open > Decimal::ZERO && is_past_due(due_date, today)
}

/// The status shown on `today`: the lifecycle status, or [`OVERDUE`].
pub fn shown_status(
    status: InvoiceStatus,
    open: Decimal,
    due_date: NaiveDate,
    today: NaiveDate,
) -> &'static str {
    if is_overdue(status, open, due_date, today) {
        OVERDUE
    } else {
        status.as_str()
    }
}

/// Days an invoice due on `due_date` is past due on `as_of` (negative: not yet due).
pub fn days_past_due(due_date: NaiveDate, as_of: NaiveDate) -> i64 {
    (as_of - due_date).num_days()
}

/// The ageing buckets, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bucket {
    /// Not yet due (or due on the date).
    Current,
    Days1To30,
    Days31To60,
    Days61To90,
    Over90,
}

/// The past-due buckets with their inclusive day ranges (`None`: no upper bound), after
/// [`Bucket::Current`] (0 days or fewer).
pub const PAST_DUE_BUCKETS: [(Bucket, i64, Option<i64>); 4] = [
    (Bucket::Days1To30, 1, Some(30)),
    (Bucket::Days31To60, 31, Some(60)),
    (Bucket::Days61To90, 61, Some(90)),
    (Bucket::Over90, 91, None),
];

impl Bucket {
    /// The bucket of an amount `days` past due.
    pub fn of_days(days: i64) -> Bucket {
        PAST_DUE_BUCKETS
            .iter()
            .find(|(_, from, to)| days >= *from && to.is_none_or(|to| days <= to))
            .map_or(Bucket::Current, |(b, _, _)| *b)
    }

    /// The bucket of an invoice due on `due_date`, aged at `as_of`.
    pub fn of(due_date: NaiveDate, as_of: NaiveDate) -> Bucket {
        Bucket::of_days(days_past_due(due_date, as_of))
    }

    /// The report's name of the bucket (a field of the ageing answer).
    pub fn name(self) -> &'static str {
        match self {
            Bucket::Current => "current",
            Bucket::Days1To30 => "days_1_30",
            Bucket::Days31To60 => "days_31_60",
            Bucket::Days61To90 => "days_61_90",
            Bucket::Over90 => "over_90",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_day_once_and_in_order() {
        let mut last = Bucket::Current;
        for days in -400..=400 {
            let b = Bucket::of_days(days);
            assert!(b >= last, "{days}: {b:?} after {last:?}");
            last = b;
            let expected = match days {
                ..=0 => Bucket::Current,
                1..=30 => Bucket::Days1To30,
                31..=60 => Bucket::Days31To60,
                61..=90 => Bucket::Days61To90,
                _ => Bucket::Over90,
            };
            assert_eq!(b, expected, "{days}");
        }
    }

    #[test]
    fn overdue_needs_an_open_amount_past_its_due_date() {
        let due = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let (on, after) = (due, due.succ_opt().unwrap());
        let one = Decimal::ONE;
        assert_eq!(shown_status(InvoiceStatus::Issued, one, due, on), "issued");
        assert_eq!(
            shown_status(InvoiceStatus::Issued, one, due, after),
            OVERDUE
        );
        assert_eq!(
            shown_status(InvoiceStatus::PartiallyPaid, one, due, after),
            OVERDUE
        );
        assert_eq!(
            shown_status(InvoiceStatus::Issued, Decimal::ZERO, due, after),
            "issued"
        );
        assert_eq!(shown_status(InvoiceStatus::Paid, one, due, after), "paid");
        assert_eq!(shown_status(InvoiceStatus::Draft, one, due, after), "draft");
        assert!(is_owed(InvoiceStatus::Paid, one));
        assert!(!is_owed(InvoiceStatus::Cancelled, one));
        assert!(!is_owed(InvoiceStatus::Issued, Decimal::ZERO));
    }
}

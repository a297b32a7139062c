//! The accounting reports' arithmetic: sign conventions (postings are debit-positive; a report
//! shows income, liabilities and equity as positive numbers), comparison periods, and the
//! balance-sheet rule assets = liabilities + equity. Pure: the queries sum postings, these
//! functions say what the sums mean.

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;

use crate::account::AccountType;

/// Longest period one report may cover (three years and a leap day).
pub const MAX_REPORT_DAYS: i64 = 3 * 366;

/// A debit-positive sum of postings on accounts of `account_type`, as the report shows it:
/// assets and expenses keep their sign, the credit-natured types are negated.
pub fn presented(account_type: AccountType, debit_positive: Decimal) -> Decimal {
    match account_type {
        AccountType::Asset | AccountType::Expense => debit_positive,
        AccountType::Liability | AccountType::Equity | AccountType::Income => -debit_positive,
    }
}

/// Income, expenses and profit of a period, all in one currency. Income and expenses are as
/// presented (positive in the normal case); a refund can make either negative.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pnl {
    pub income: Decimal,
    pub expenses: Decimal,
}

impl Pnl {
    /// From the debit-positive sums of the income accounts and of the expense accounts.
    pub fn from_sums(income_sum: Decimal, expense_sum: Decimal) -> Self {
        Self {
            income: presented(AccountType::Income, income_sum),
            expenses: presented(AccountType::Expense, expense_sum),
        }
    }

    pub fn profit(&self) -> Decimal {
        self.income - self.expenses
    }

    /// This period minus `earlier`, figure by figure.
    pub fn change_from(&self, earlier: &Pnl) -> Pnl {
        Pnl {
            income: self.income - earlier.income,
            expenses: self.expenses - earlier.expenses,
        }
    }
}

/// Which earlier period a report sets beside the one asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// The same number of days, ending the day before `from`.
    PreviousPeriod,
    /// The same days one year earlier (29 February maps to the 28th).
    PreviousYear,
}

/// The comparison period of `from..=to` (inclusive days). None when it would start before the
/// calendar's range, which no real ledger reaches.
pub fn comparison_period(
    from: NaiveDate,
    to: NaiveDate,
    compare: Compare,
) -> Option<(NaiveDate, NaiveDate)> {
    match compare {
        Compare::PreviousPeriod => {
            let days = (to - from).num_days() + 1;
            let end = from.pred_opt()?;
            let start = end.checked_sub_days(chrono::Days::new(days as u64 - 1))?;
            Some((start, end))
        }
        Compare::PreviousYear => Some((
            from.checked_sub_months(Months::new(12))?,
            to.checked_sub_months(Months::new(12))?,
        )),
    }
}

/// The first day of `d`'s month.
pub fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("every month has a first day")
}

/// The balance-sheet check, in the report currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BalanceCheck {
    pub balanced: bool,
    /// Assets − (liabilities + equity); zero when balanced.
    pub difference: Decimal,
}

/// Assets = liabilities + equity, all as presented (liabilities and equity positive when they
/// hold credit balances). The difference is returned, never hidden.
pub fn check_balance(assets: Decimal, liabilities: Decimal, equity: Decimal) -> BalanceCheck {
    let difference = assets - (liabilities + equity);
    BalanceCheck {
        balanced: difference.is_zero(),
        difference,
    }
}

/// Unrealised exchange gain (positive) or loss of an asset or liability held in a foreign
/// currency: its debit-positive value at the report date's rate minus the same balance valued
/// at the rates of the days it was booked. Gains raise equity.
pub fn unrealised_fx(value_now: Decimal, value_booked: Decimal) -> Decimal {
    value_now - value_booked
}

/// The balance sheet's computed equity lines, gathered over every account's balance in the
/// report currency: the earnings to date (income − expenses), the unrealised exchange
/// differences of foreign-currency assets and liabilities, and the conversion differences
/// (what the transactions' own prices left over against the books' rates).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ComputedEquity {
    /// Debit-positive sum of the income and expense accounts.
    earnings_sum: Decimal,
    unrealised: Decimal,
    conversions: Decimal,
}

impl ComputedEquity {
    /// Takes one account's balance: `booked_value` at the rates of its booking days and, for
    /// assets and liabilities, `value_now` at the report date's rate (both debit-positive).
    /// Returns the value the sheet lists for the account itself: assets and liabilities at
    /// today's rate, equity as booked; None for income and expenses, which it shows only
    /// through the earnings line.
    pub fn add(
        &mut self,
        account_type: AccountType,
        booked_value: Decimal,
        value_now: Option<Decimal>,
    ) -> Option<Decimal> {
        // Every account's booked value counts: their sum is the conversions' residue.
        self.conversions += booked_value;
        match account_type {
            AccountType::Asset | AccountType::Liability => {
                let now = value_now.expect("assets and liabilities are valued at the report date");
                self.unrealised += unrealised_fx(now, booked_value);
                Some(now)
            }
            AccountType::Equity => Some(booked_value),
            AccountType::Income | AccountType::Expense => {
                self.earnings_sum += booked_value;
                None
            }
        }
    }

    /// The computed lines as the sheet shows them, in its order: earnings (income − expenses
    /// = −their debit-positive sum), unrealised gains (which raise equity), and conversion
    /// differences (the debit-positive residue; a loss is negative).
    pub fn lines(&self) -> [(&'static str, Decimal); 3] {
        [
            (
                "Earnings to date",
                presented(AccountType::Income, self.earnings_sum),
            ),
            ("Unrealised exchange differences", self.unrealised),
            ("Conversion differences", self.conversions),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros_free::dec;

    mod rust_decimal_macros_free {
        // A tiny stand-in for the dec! macro: the crate does not depend on rust_decimal_macros.
        macro_rules! dec {
            ($s:literal) => {
                <rust_decimal::Decimal as std::str::FromStr>::from_str(stringify!($s)).unwrap()
            };
        }
        pub(crate) use dec;
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn income_and_liabilities_are_shown_positive() {
        assert_eq!(presented(AccountType::Income, dec!(-100)), dec!(100));
        assert_eq!(presented(AccountType::Liability, dec!(-5)), dec!(5));
        assert_eq!(presented(AccountType::Equity, dec!(-7)), dec!(7));
        assert_eq!(presented(AccountType::Asset, dec!(3)), dec!(3));
        assert_eq!(presented(AccountType::Expense, dec!(40)), dec!(40));
        let p = Pnl::from_sums(dec!(-100), dec!(40));
        assert_eq!(
            (p.income, p.expenses, p.profit()),
            (dec!(100), dec!(40), dec!(60))
        );
    }

    #[test]
    fn comparison_periods() {
        assert_eq!(
            comparison_period(
                day("2026-03-01"),
                day("2026-03-31"),
                Compare::PreviousPeriod
            ),
            Some((day("2026-01-29"), day("2026-02-28")))
        );
        assert_eq!(
            comparison_period(day("2024-02-29"), day("2024-03-31"), Compare::PreviousYear),
            Some((day("2023-02-28"), day("2023-03-31")))
        );
    }

    #[test]
    fn an_unbalanced_sheet_says_by_how_much() {
        let c = check_balance(dec!(100), dec!(30), dec!(69.99));
        assert!(!c.balanced);
        assert_eq!(c.difference, dec!(0.01));
        assert!(check_balance(dec!(100), dec!(30), dec!(70)).balanced);
    }

    fn amount() -> impl Strategy<Value = Decimal> {
        (-1_000_000_000i64..1_000_000_000).prop_map(|c| Decimal::new(c, 2))
    }

    proptest! {
        /// Any set of balanced transactions, valued consistently, gives A = L + E once the
        /// earnings (income − expenses) are counted in equity.
        #[test]
        fn balanced_postings_give_a_balanced_sheet(
            txs in prop::collection::vec(prop::collection::vec((0usize..5, amount()), 1..6), 1..30)
        ) {
            let types = [AccountType::Asset, AccountType::Liability, AccountType::Equity,
                         AccountType::Income, AccountType::Expense];
            let mut sums = [Decimal::ZERO; 5];
            for legs in txs {
                // The last leg (on an asset) balances the others.
                let mut total = Decimal::ZERO;
                for (t, a) in legs {
                    sums[t] += a;
                    total += a;
                }
                sums[0] -= total;
            }
            let assets = presented(types[0], sums[0]);
            let liabilities = presented(types[1], sums[1]);
            let earnings = Pnl::from_sums(sums[3], sums[4]).profit();
            let equity = presented(types[2], sums[2]) + earnings;
            let check = check_balance(assets, liabilities, equity);
            prop_assert!(check.balanced, "{check:?}");
        }

        /// A comparison period never overlaps the period and, for previous_period, has the
        /// same length and ends the day before.
        #[test]
        fn comparison_periods_precede(start in 0i64..20_000, len in 0i64..MAX_REPORT_DAYS) {
            let from = day("1990-01-01") + chrono::Days::new(start as u64);
            let to = from + chrono::Days::new(len as u64);
            let (f, t) = comparison_period(from, to, Compare::PreviousPeriod).unwrap();
            prop_assert_eq!((t - f).num_days(), len);
            prop_assert_eq!(t.succ_opt().unwrap(), from);
            let (f, t) = comparison_period(from, to, Compare::PreviousYear).unwrap();
            prop_assert!(t < from || len >= 365);
            prop_assert!(f < from);
        }

        /// The profit's change is the change of income minus the change of expenses.
        #[test]
        fn changes_add_up(a in amount(), b in amount(), c in amount(), d in amount()) {
            let now = Pnl { income: a, expenses: b };
            let before = Pnl { income: c, expenses: d };
            prop_assert_eq!(now.change_from(&before).profit(), now.profit() - before.profit());
        }
    }
}

//! The accounting reports' read side: the queries over the books' rollup (`ledger_daily`,
//! kept by `crate::ledger`) behind the P&L, the cash flow, the balance sheet and their drill-down.
//!
//! Conversions go per (currency, day), never per posting: the rates a report needs are looked
//! up once ([`find_rates`], the books' rule of `rate_lookup_sql`) and handed to the summing query
//! as arrays. Products are exact in PostgreSQL's numeric and sums are rounded to
//! [`EXACT_DP`] places only at the end, so a cell and the postings listed behind it give the
//! same figure to the last digit; the route rounds to the report currency for display.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use domain::account::{AccountKind, AccountSpec, AccountType};
use rust_decimal::Decimal;
use sqlx::{PgPool, Postgres, QueryBuilder, Row};
use uuid::Uuid;

use crate::ReadError;

pub mod dashboard;
pub mod statements;

/// Decimal places kept in report sums before display rounding (well inside rust_decimal's 28
/// digits for sums below 1e18).
pub const EXACT_DP: i32 = 10;
/// Most rows one grouped report returns.
pub const MAX_REPORT_ROWS: usize = 10_000;

/// The whole calendar months inside `from..=to`: (first month's first day, last month's first
/// day, last month's last day), or None.
fn whole_months(from: NaiveDate, to: NaiveDate) -> Option<(NaiveDate, NaiveDate, NaiveDate)> {
    use chrono::Months;
    let first = if from.day() == 1 {
        from
    } else {
        domain::report::month_of(from).checked_add_months(Months::new(1))?
    };
    let after_to = to.succ_opt()?;
    let end = if after_to.day() == 1 {
        to
    } else {
        domain::report::month_of(to).pred_opt()?
    };
    (first < end).then(|| (first, domain::report::month_of(end), end))
}

/// An account as the reports need it.
#[derive(Debug, Clone)]
pub struct AccountInfo {
    pub id: Uuid,
    pub name: String,
    pub account_type: AccountType,
    pub kind: AccountKind,
    pub currency: String,
}

impl AccountInfo {
    /// Money the business holds: what the cash flow follows.
    pub fn is_cash(&self) -> bool {
        self.account_type == AccountType::Asset
            && matches!(
                self.kind,
                AccountKind::Bank
                    | AccountKind::Cash
                    | AccountKind::Card
                    | AccountKind::CryptoWallet
            )
    }
}

/// Every account (archived ones too: their postings still count).
pub async fn accounts(pool: &PgPool) -> Result<Vec<AccountInfo>, ReadError> {
    crate::queries::all_entities(pool, "account")
        .await?
        .into_iter()
        .map(|r| {
            let spec: AccountSpec = serde_json::from_value(r.data)
                .map_err(|e| ReadError::Account(r.id, e.to_string()))?;
            Ok(AccountInfo {
                id: r.id,
                name: r.name,
                account_type: spec.account_type,
                kind: spec.kind,
                currency: spec.currency.code().to_string(),
            })
        })
        .collect()
}

/// A rate a report used: 1 `currency` = `rate` report currency for amounts of `day`, taken from
/// the rate of `rate_date` (earlier than `day` when no rate was set that day).
#[derive(Debug, Clone, PartialEq)]
pub struct RateUsed {
    pub currency: String,
    pub day: NaiveDate,
    pub rate_date: NaiveDate,
    pub rate: Decimal,
}

/// The rates of one report, ready to bind as three arrays.
#[derive(Debug, Clone, Default)]
pub struct Rates {
    pub used: Vec<RateUsed>,
}

impl Rates {
    fn arrays(&self) -> (Vec<String>, Vec<NaiveDate>, Vec<Decimal>) {
        (
            self.used.iter().map(|r| r.currency.clone()).collect(),
            self.used.iter().map(|r| r.day).collect(),
            self.used.iter().map(|r| r.rate).collect(),
        )
    }

    pub fn get(&self, currency: &str, day: NaiveDate) -> Option<&RateUsed> {
        self.used
            .iter()
            .find(|r| r.currency == currency && r.day == day)
    }

    fn merge(&mut self, other: Rates) {
        for r in other.used {
            if self.get(&r.currency, r.day).is_none() {
                self.used.push(r);
            }
        }
        self.used
            .sort_by(|a, b| (&a.currency, a.day).cmp(&(&b.currency, b.day)));
    }
}

/// Looks up the rate of every (currency, day) pair into `report`; a missing one is an error
/// naming the pair and day (the books never convert at a guessed rate).
pub async fn find_rates(
    pool: &PgPool,
    report: &str,
    pairs: BTreeSet<(String, NaiveDate)>,
) -> Result<Rates, ReadError> {
    let pairs: Vec<(String, NaiveDate)> = pairs.into_iter().filter(|(c, _)| c != report).collect();
    if pairs.is_empty() {
        return Ok(Rates::default());
    }
    let lookup = crate::queries::rate_lookup_sql("p.currency", "$3", "p.day");
    let rows: Vec<(String, NaiveDate, Option<NaiveDate>, Option<Decimal>)> =
        sqlx::query_as(&format!(
            "SELECT p.currency, p.day, r.date, r.rate \
             FROM unnest($1::text[], $2::date[]) AS p(currency, day) \
             LEFT JOIN LATERAL ({lookup}) r ON true ORDER BY p.currency, p.day"
        ))
        .bind(pairs.iter().map(|p| p.0.clone()).collect::<Vec<_>>())
        .bind(pairs.iter().map(|p| p.1).collect::<Vec<_>>())
        .bind(report)
        .fetch_all(pool)
        .await?;
    let mut used = Vec::with_capacity(rows.len());
    for (currency, day, rate_date, rate) in rows {
        match (rate_date, rate) {
            (Some(rate_date), Some(rate)) => used.push(RateUsed {
                currency,
                day,
                rate_date,
                rate,
            }),
            _ => {
                return Err(ReadError::MissingRate {
                    currency,
                    report: report.to_string(),
                    day,
                });
            }
        }
    }
    Ok(Rates { used })
}

/// The (currency, day) pairs of `accounts`' postings in `from..=to` (None: from the start).
async fn posting_days(
    pool: &PgPool,
    accounts: &[Uuid],
    from: Option<NaiveDate>,
    to: NaiveDate,
) -> Result<BTreeSet<(String, NaiveDate)>, ReadError> {
    if accounts.is_empty() {
        return Ok(BTreeSet::new());
    }
    let rows: Vec<(String, NaiveDate)> = sqlx::query_as(
        "SELECT DISTINCT currency, date FROM read.daily_balances \
         WHERE account_id = ANY($1) AND ($2::date IS NULL OR date >= $2) AND date <= $3",
    )
    .bind(accounts)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().collect())
}

/// The accounts of one type.
fn of_type(accounts: &[AccountInfo], t: AccountType) -> Vec<&AccountInfo> {
    accounts.iter().filter(|a| a.account_type == t).collect()
}

fn foreign(accounts: &[&AccountInfo], currency: &str) -> Vec<Uuid> {
    accounts
        .iter()
        .filter(|a| a.currency != currency)
        .map(|a| a.id)
        .collect()
}

/// What a P&L can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    Month,
    Project,
    Category,
    Counterparty,
    Account,
}

impl Dim {
    pub fn parse(s: &str) -> Option<Dim> {
        Some(match s {
            "month" => Dim::Month,
            "project" => Dim::Project,
            "category" => Dim::Category,
            "counterparty" => Dim::Counterparty,
            "account" => Dim::Account,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Dim::Month => "month",
            Dim::Project => "project",
            Dim::Category => "category",
            Dim::Counterparty => "counterparty",
            Dim::Account => "account",
        }
    }

    /// The key as text over the rollup `b` (the nil uuid, "none", becomes NULL).
    fn sql(self) -> &'static str {
        match self {
            Dim::Month => "date_trunc('month', b.date)::date::text",
            Dim::Project => "nullif(b.project_id, '00000000-0000-0000-0000-000000000000')::text",
            Dim::Category => "nullif(b.category_id, '00000000-0000-0000-0000-000000000000')::text",
            Dim::Counterparty => {
                "nullif(b.counterparty_id, '00000000-0000-0000-0000-000000000000')::text"
            }
            Dim::Account => "b.account_id::text",
        }
    }
}

/// One P&L cell: the debit-positive sums (in the report currency, [`EXACT_DP`] places) of the
/// income accounts and of the expense accounts for one combination of keys.
#[derive(Debug, Clone)]
pub struct PnlRow {
    pub keys: Vec<Option<String>>,
    pub income_sum: Decimal,
    pub expense_sum: Decimal,
}

type Days = (NaiveDate, NaiveDate);

/// The period as the P&L reads it: the days before its first whole month, its whole months
/// (first month, last month, last day) and the days after them; either day range may be empty.
fn period_parts(
    from: NaiveDate,
    to: NaiveDate,
) -> (Days, Option<(NaiveDate, NaiveDate, NaiveDate)>, Days) {
    // Whole months come from the monthly rollup for report-currency amounts and from the daily
    // one, read through its (currency, date) index, for the foreign ones (they convert per
    // day); the days outside whole months (a head and a tail range, either possibly empty)
    // come from the daily rollup whatever their currency.
    match whole_months(from, to) {
        Some((first, last_month, end)) => (
            (from, first.pred_opt().unwrap_or(first)),
            Some((first, last_month, end)),
            (end.succ_opt().unwrap_or(end), to),
        ),
        None => ((from, to), None, (to.succ_opt().unwrap_or(to), to)),
    }
}

/// The P&L query grouped by `group_by`, with the rate join when some amounts are `foreign`.
fn pnl_sql(group_by: &[Dim], foreign: bool) -> String {
    let mut keys = String::new();
    let mut group = String::new();
    for (i, d) in group_by.iter().enumerate() {
        keys.push_str(&format!("{} AS k{i}, ", d.sql()));
        group.push_str(&format!(
            "{}{}",
            if i == 0 { "GROUP BY " } else { ", " },
            i + 1
        ));
    }
    let order = if group_by.is_empty() {
        String::new()
    } else {
        format!("ORDER BY {}", group.trim_start_matches("GROUP BY "))
    };
    // Without foreign amounts the sums need no rate join.
    let (join, value) = if !foreign {
        ("", "b.amount")
    } else {
        (
            "LEFT JOIN unnest($5::text[], $6::date[], $7::numeric[]) AS r(currency, day, rate) \
             ON r.currency = b.currency AND r.day = b.date",
            "b.amount * coalesce(r.rate, 1)",
        )
    };
    format!(
        "WITH b AS ( \
           SELECT month AS date, account_id, category_id, project_id, counterparty_id, currency, amount \
             FROM read.ledger_monthly \
            WHERE month BETWEEN $8 AND $9 AND currency = $10 \
              AND (account_id = ANY($3) OR account_id = ANY($4)) \
           UNION ALL \
           SELECT date, account_id, category_id, project_id, counterparty_id, currency, amount \
             FROM read.ledger_daily \
            WHERE currency = ANY($12) AND date BETWEEN $8 AND $11 \
              AND (account_id = ANY($3) OR account_id = ANY($4)) \
           UNION ALL \
           SELECT date, account_id, category_id, project_id, counterparty_id, currency, amount \
             FROM read.ledger_daily \
            WHERE (date BETWEEN $1 AND $2 OR date BETWEEN $13 AND $14) \
              AND (account_id = ANY($3) OR account_id = ANY($4))) \
         SELECT {keys} \
           round(coalesce(sum({value}) FILTER (WHERE b.account_id = ANY($3)), 0), {EXACT_DP}) AS income, \
           round(coalesce(sum({value}) FILTER (WHERE b.account_id = ANY($4)), 0), {EXACT_DP}) AS expenses \
         FROM b {join} \
         {group} {order} LIMIT {}",
        MAX_REPORT_ROWS + 1
    )
}

/// Income and expenses of `from..=to` in `currency`, grouped by `group_by` (none: one row),
/// converted per posting day. Answers the rows (sorted by key) and the rates used.
pub async fn pnl(
    pool: &PgPool,
    accounts: &[AccountInfo],
    from: NaiveDate,
    to: NaiveDate,
    currency: &str,
    group_by: &[Dim],
) -> Result<(Vec<PnlRow>, Rates), ReadError> {
    let (income, expense) = (
        of_type(accounts, AccountType::Income),
        of_type(accounts, AccountType::Expense),
    );
    let mut foreign_ids = foreign(&income, currency);
    foreign_ids.extend(foreign(&expense, currency));
    let rates = find_rates(
        pool,
        currency,
        posting_days(pool, &foreign_ids, Some(from), to).await?,
    )
    .await?;
    let ids = |v: &[&AccountInfo]| v.iter().map(|a| a.id).collect::<Vec<Uuid>>();
    let (head, whole, tail) = period_parts(from, to);
    let foreign_currencies: Vec<&str> = income
        .iter()
        .chain(&expense)
        .map(|a| a.currency.as_str())
        .filter(|c| *c != currency)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let sql = pnl_sql(group_by, !rates.used.is_empty());
    let (rc, rd, rr) = rates.arrays();
    let mut tx = crate::queries::report_tx(pool).await?;
    let rows = sqlx::query(&sql)
        .bind(head.0)
        .bind(head.1)
        .bind(ids(&income))
        .bind(ids(&expense))
        .bind(rc)
        .bind(rd)
        .bind(rr)
        .bind(whole.map(|w| w.0))
        .bind(whole.map(|w| w.1))
        .bind(currency)
        .bind(whole.map(|w| w.2))
        .bind(foreign_currencies)
        .bind(tail.0)
        .bind(tail.1)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    if rows.len() > MAX_REPORT_ROWS {
        return Err(ReadError::TooManyRows);
    }
    let out = rows
        .iter()
        .map(|r| PnlRow {
            keys: (0..group_by.len())
                .map(|i| r.get::<Option<String>, _>(i))
                .collect(),
            income_sum: r.get("income"),
            expense_sum: r.get("expenses"),
        })
        .collect();
    Ok((out, rates))
}

/// The part of [`pnl`]'s ungrouped sums (income, expenses) that comes from adjustments of
/// closed months dated in `from..=to`, converted with that P&L's `rates` (which cover every
/// foreign day of its income and expense postings).
pub async fn pnl_adjustments(
    pool: &PgPool,
    accounts: &[AccountInfo],
    from: NaiveDate,
    to: NaiveDate,
    rates: &Rates,
) -> Result<(Decimal, Decimal), ReadError> {
    let ids = |t: AccountType| -> Vec<Uuid> { of_type(accounts, t).iter().map(|a| a.id).collect() };
    let (income, expense) = (ids(AccountType::Income), ids(AccountType::Expense));
    let f = PostingFilter {
        from: Some(from),
        to,
        accounts: income.iter().chain(&expense).copied().collect(),
        adjustments: Some(true),
        ..Default::default()
    };
    if f.accounts.is_empty() {
        return Ok((Decimal::ZERO, Decimal::ZERO));
    }
    let mut qb =
        QueryBuilder::new("SELECT round(coalesce(sum(p.value) FILTER (WHERE p.account_id = ANY(");
    qb.push_bind(income)
        .push(format!(")), 0), {EXACT_DP}) AS income, round(coalesce(sum(p.value) FILTER (WHERE p.account_id = ANY("))
        .push_bind(expense)
        .push(format!(")), 0), {EXACT_DP}) AS expenses FROM ("));
    push_posting_query(&mut qb, &f, rates);
    qb.push(") p");
    let mut tx = crate::queries::report_tx(pool).await?;
    let row = qb.build().fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok((row.get("income"), row.get("expenses")))
}

/// Income, expenses and profit of a period in one currency (for the dashboard and any other
/// caller that needs the P&L's totals).
pub async fn period_pnl(
    pool: &PgPool,
    from: NaiveDate,
    to: NaiveDate,
    currency: &str,
) -> Result<domain::report::Pnl, ReadError> {
    let accounts = accounts(pool).await?;
    let (rows, _) = pnl(pool, &accounts, from, to, currency, &[]).await?;
    Ok(rows
        .first()
        .map(|r| domain::report::Pnl::from_sums(r.income_sum, r.expense_sum))
        .unwrap_or_default())
}

/// An account's balance as of a day: in its own currency, and valued in the report currency at
/// the rates of the days it was booked (both debit positive).
#[derive(Debug, Clone)]
pub struct BookedBalance {
    pub account_id: Uuid,
    pub balance: Decimal,
    pub booked_value: Decimal,
}

/// Every account's balance at the end of `as_of`, with its value at the booking days' rates.
pub async fn booked_balances(
    pool: &PgPool,
    accounts: &[AccountInfo],
    as_of: NaiveDate,
    currency: &str,
) -> Result<(Vec<BookedBalance>, Rates), ReadError> {
    let all: Vec<&AccountInfo> = accounts.iter().collect();
    let foreign_ids = foreign(&all, currency);
    let rates = find_rates(
        pool,
        currency,
        posting_days(pool, &foreign_ids, None, as_of).await?,
    )
    .await?;
    let balances = crate::queries::balances(pool, Some(as_of), None).await?;
    let mut booked: BTreeMap<Uuid, Decimal> = BTreeMap::new();
    if !foreign_ids.is_empty() {
        let (rc, rd, rr) = rates.arrays();
        let rows: Vec<(Uuid, Decimal)> = sqlx::query_as(&format!(
            "SELECT d.account_id, round(sum((d.debit - d.credit) * r.rate), {EXACT_DP}) \
             FROM read.daily_balances d \
             JOIN unnest($3::text[], $4::date[], $5::numeric[]) AS r(currency, day, rate) \
               ON r.currency = d.currency AND r.day = d.date \
             WHERE d.account_id = ANY($1) AND d.date <= $2 GROUP BY d.account_id"
        ))
        .bind(&foreign_ids)
        .bind(as_of)
        .bind(rc)
        .bind(rd)
        .bind(rr)
        .fetch_all(pool)
        .await?;
        booked.extend(rows);
    }
    let out = balances
        .into_iter()
        .map(|b| {
            let balance = b.balance();
            let booked_value = booked.get(&b.account_id).copied().unwrap_or(balance);
            BookedBalance {
                account_id: b.account_id,
                balance,
                booked_value,
            }
        })
        .collect();
    Ok((out, rates))
}

/// One cash-flow line: money into and out of the cash accounts (both positive) for a month (or
/// the whole period) and category; `transfer` marks movements between the cash accounts.
#[derive(Debug, Clone)]
pub struct CashFlowRow {
    pub month: Option<NaiveDate>,
    pub category_id: Option<Uuid>,
    pub transfer: bool,
    pub inflow: Decimal,
    pub outflow: Decimal,
}

/// Inflows and outflows of `cash` accounts in `from..=to`, by category (and month).
pub async fn cash_flow(
    pool: &PgPool,
    accounts: &[AccountInfo],
    from: NaiveDate,
    to: NaiveDate,
    currency: &str,
    by_month: bool,
) -> Result<(Vec<CashFlowRow>, Rates), ReadError> {
    let cash: Vec<&AccountInfo> = accounts.iter().filter(|a| a.is_cash()).collect();
    let ids: Vec<Uuid> = cash.iter().map(|a| a.id).collect();
    let rates = find_rates(
        pool,
        currency,
        posting_days(pool, &foreign(&cash, currency), Some(from), to).await?,
    )
    .await?;
    let (rc, rd, rr) = rates.arrays();
    let rows = sqlx::query(&format!(
        "WITH l AS ( \
           SELECT t.date, t.category_id, u.account_id, u.currency, u.amount, \
                  bool_and(u.account_id = ANY($3)) OVER (PARTITION BY t.id) AS transfer \
           FROM read.transactions t \
           CROSS JOIN LATERAL unnest(t.leg_accounts, t.leg_currencies, t.leg_amounts) \
                AS u(account_id, currency, amount) \
           WHERE t.date BETWEEN $1 AND $2 AND t.leg_accounts && $3::uuid[]) \
         SELECT CASE WHEN $7 THEN date_trunc('month', l.date)::date END AS month, \
                l.category_id, l.transfer, \
                round(coalesce(sum(l.amount * coalesce(r.rate, 1)) FILTER (WHERE l.amount > 0), 0), {EXACT_DP}) AS inflow, \
                round(coalesce(sum(-l.amount * coalesce(r.rate, 1)) FILTER (WHERE l.amount < 0), 0), {EXACT_DP}) AS outflow \
         FROM l LEFT JOIN unnest($4::text[], $5::date[], $6::numeric[]) AS r(currency, day, rate) \
           ON r.currency = l.currency AND r.day = l.date \
         WHERE l.account_id = ANY($3) \
         GROUP BY 1, 2, 3 ORDER BY 1, 3, 2 LIMIT {}",
        MAX_REPORT_ROWS + 1
    ))
    .bind(from)
    .bind(to)
    .bind(&ids)
    .bind(rc)
    .bind(rd)
    .bind(rr)
    .bind(by_month)
    .fetch_all(pool)
    .await?;
    if rows.len() > MAX_REPORT_ROWS {
        return Err(ReadError::TooManyRows);
    }
    let out = rows
        .iter()
        .map(|r| CashFlowRow {
            month: r.get("month"),
            category_id: r.get("category_id"),
            transfer: r.get("transfer"),
            inflow: r.get("inflow"),
            outflow: r.get("outflow"),
        })
        .collect();
    Ok((out, rates))
}

/// Which postings the drill-down lists. A `Some(None)` reference filter means "none set".
#[derive(Debug, Clone, Default)]
pub struct PostingFilter {
    pub from: Option<NaiveDate>,
    pub to: NaiveDate,
    /// The accounts (already resolved from ids, types or kinds); never empty.
    pub accounts: Vec<Uuid>,
    pub category: Option<Option<Uuid>>,
    pub project: Option<Option<Uuid>>,
    pub counterparty: Option<Option<Uuid>>,
    /// Only movements between cash accounts (true) or only the others (false).
    pub transfer: Option<bool>,
    /// Only debits (true: money in, for assets) or only credits (false).
    pub debits: Option<bool>,
    /// The cash accounts, against which `transfer` is judged.
    pub cash_accounts: Vec<Uuid>,
    /// Only adjustments of closed months (true) or only the other postings (false).
    pub adjustments: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct PostingLine {
    pub transaction_id: Uuid,
    pub leg: i32,
    pub date: NaiveDate,
    pub description: String,
    pub account_id: Uuid,
    pub category_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub counterparty_id: Option<Uuid>,
    pub currency: String,
    pub amount: Decimal,
    /// The amount in the report currency ([`EXACT_DP`] places).
    pub value: Decimal,
}

/// A page of the postings behind a figure, their count and their summed value (all of them,
/// not just the page).
pub struct PostingsAnswer {
    pub items: Vec<PostingLine>,
    pub total: i64,
    pub sum: Decimal,
    pub rates: Rates,
}

fn push_posting_query<'a>(
    qb: &mut QueryBuilder<'a, Postgres>,
    f: &'a PostingFilter,
    rates: &Rates,
) {
    let (rc, rd, rr) = rates.arrays();
    qb.push(
        "WITH l AS (SELECT t.id, t.date, t.description, t.category_id, t.project_id, \
           t.counterparty_id, (u.n - 1)::int AS leg, u.account_id, u.currency, u.amount, \
           bool_and(u.account_id = ANY(",
    )
    .push_bind(f.cash_accounts.clone())
    .push(
        ")) OVER (PARTITION BY t.id) AS transfer \
         FROM read.transactions t CROSS JOIN LATERAL \
           unnest(t.leg_accounts, t.leg_currencies, t.leg_amounts) WITH ORDINALITY \
           AS u(account_id, currency, amount, n) WHERE t.leg_accounts && ",
    )
    .push_bind(f.accounts.clone())
    .push("::uuid[] AND t.date <= ")
    .push_bind(f.to);
    if let Some(from) = f.from {
        qb.push(" AND t.date >= ").push_bind(from);
    }
    for (column, value) in [
        ("category_id", f.category),
        ("project_id", f.project),
        ("counterparty_id", f.counterparty),
    ] {
        if let Some(v) = value {
            qb.push(format!(" AND t.{column} IS NOT DISTINCT FROM "))
                .push_bind(v);
        }
    }
    crate::queries::push_adjustments_filter(qb, f.adjustments);
    qb.push(
        ") SELECT l.*, l.amount * coalesce(r.rate, 1) AS value FROM l \
         LEFT JOIN unnest(",
    )
    .push_bind(rc)
    .push("::text[], ")
    .push_bind(rd)
    .push("::date[], ")
    .push_bind(rr)
    .push(
        "::numeric[]) AS r(currency, day, rate) ON r.currency = l.currency AND r.day = l.date \
         WHERE l.account_id = ANY(",
    )
    .push_bind(f.accounts.clone())
    .push(")");
    if let Some(t) = f.transfer {
        qb.push(" AND l.transfer = ").push_bind(t);
    }
    match f.debits {
        Some(true) => {
            qb.push(" AND l.amount > 0");
        }
        Some(false) => {
            qb.push(" AND l.amount < 0");
        }
        None => {}
    }
}

/// The postings behind a figure, converted into `currency` as the reports convert them.
pub async fn postings(
    pool: &PgPool,
    accounts: &[AccountInfo],
    f: &PostingFilter,
    currency: &str,
    limit: i64,
    offset: i64,
) -> Result<PostingsAnswer, ReadError> {
    let chosen: Vec<&AccountInfo> = accounts
        .iter()
        .filter(|a| f.accounts.contains(&a.id))
        .collect();
    let rates = find_rates(
        pool,
        currency,
        posting_days(pool, &foreign(&chosen, currency), f.from, f.to).await?,
    )
    .await?;
    let mut qb = QueryBuilder::new("SELECT count(*) AS n, round(coalesce(sum(p.value), 0), ");
    qb.push(EXACT_DP.to_string()).push(") AS sum FROM (");
    push_posting_query(&mut qb, f, &rates);
    qb.push(") p");
    let totals = qb.build().fetch_one(pool).await?;
    let mut qb = QueryBuilder::new("SELECT p.*, round(p.value, ");
    qb.push(EXACT_DP.to_string()).push(") AS rounded FROM (");
    push_posting_query(&mut qb, f, &rates);
    qb.push(") p ORDER BY p.date, p.id, p.leg LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    let rows = qb.build().fetch_all(pool).await?;
    let items = rows
        .iter()
        .map(|r| PostingLine {
            transaction_id: r.get("id"),
            leg: r.get("leg"),
            date: r.get("date"),
            description: r.get("description"),
            account_id: r.get("account_id"),
            category_id: r.get("category_id"),
            project_id: r.get("project_id"),
            counterparty_id: r.get("counterparty_id"),
            currency: r.get("currency"),
            amount: r.get("amount"),
            value: r.get("rounded"),
        })
        .collect();
    Ok(PostingsAnswer {
        items,
        total: totals.get("n"),
        sum: totals.get("sum"),
        rates,
    })
}

/// Values `balance` of `account_currency` in `currency` at the rate of `day`.
pub async fn value_on(
    pool: &PgPool,
    balance: Decimal,
    account_currency: &str,
    currency: &str,
    day: NaiveDate,
    used: &mut Rates,
) -> Result<Decimal, ReadError> {
    if account_currency == currency {
        return Ok(balance);
    }
    let rates = find_rates(
        pool,
        currency,
        BTreeSet::from([(account_currency.to_string(), day)]),
    )
    .await?;
    let rate = rates.used[0].rate;
    used.merge(rates);
    Ok((balance * rate).round_dp(EXACT_DP as u32))
}

/// Adds the rates of another query of the same report.
pub fn merge_rates(into: &mut Rates, other: Rates) {
    into.merge(other);
}

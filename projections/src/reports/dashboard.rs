//! The home screen's figures in one answer — cash per account and in total, this month's
//! income, expenses and profit against last month's, open receivables and payables, the oldest
//! overdue invoices and the month's top projects, all in one report currency. Each figure
//! comes from the same queries as the full reports (P&L, balances, invoices), so the dashboard
//! and the reports never disagree.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use domain::Currency;
use domain::money::round_to_scale;
use domain::report::Pnl;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use super::statements::{ReportRateOut, rates_out};
use super::{self as q, AccountInfo, Dim, Rates};
use crate::ReadError;
use crate::invoices::queries::OWED_SQL;
use crate::queries::entity_names;

/// Overdue invoices listed (the oldest first).
pub const MAX_OVERDUE_LISTED: i64 = 10;
/// Projects listed by profit.
pub const MAX_TOP_PROJECTS: usize = 5;

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CashAccountOut {
    pub account_id: Uuid,
    pub name: String,
    pub kind: String,
    pub currency: String,
    /// Balance in the account's own currency.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub balance: Decimal,
    /// The balance in the report currency at today's rate.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub value: Decimal,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodOut {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub income: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub expenses: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub profit: Decimal,
}

/// Money still owed on issued invoices of one direction, in the report currency.
#[derive(Debug, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenOut {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub open: Decimal,
    /// The part of `open` that is past its due date.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub overdue: Decimal,
    pub invoices: i64,
    pub overdue_invoices: i64,
}

#[derive(Debug, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverdueOut {
    pub id: Uuid,
    pub number: Option<String>,
    /// receivable or payable.
    pub direction: String,
    pub counterparty_id: Uuid,
    pub counterparty: Option<String>,
    pub due_date: NaiveDate,
    pub currency: String,
    /// Open amount in the invoice's currency.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub open: Decimal,
    pub days_overdue: i32,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectOut {
    /// None: postings without a project.
    pub project_id: Option<Uuid>,
    pub name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub income: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub expenses: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub profit: Decimal,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DashboardOut {
    pub currency: String,
    pub today: NaiveDate,
    pub cash: Vec<CashAccountOut>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub cash_total: Decimal,
    pub this_month: PeriodOut,
    pub last_month: PeriodOut,
    pub receivables: OpenOut,
    pub payables: OpenOut,
    pub overdue: Vec<OverdueOut>,
    /// This month's projects by profit, best first.
    pub top_projects: Vec<ProjectOut>,
    /// Rates used to value foreign balances and invoices at today's rate (the P&L figures
    /// convert per posting day, as the P&L report does).
    pub rates: Vec<ReportRateOut>,
}

fn period(from: NaiveDate, to: NaiveDate, pnl: &Pnl, currency: Currency) -> PeriodOut {
    PeriodOut {
        from,
        to,
        income: round_to_scale(pnl.income, currency),
        expenses: round_to_scale(pnl.expenses, currency),
        profit: round_to_scale(pnl.profit(), currency),
    }
}

/// `amount` of `code` in the report currency at `today`'s rate (from `rates`).
fn value_of(
    amount: Decimal,
    code: &str,
    report: Currency,
    rates: &Rates,
    today: NaiveDate,
) -> Result<Decimal, ReadError> {
    if code == report.code() {
        return Ok(amount);
    }
    let rate = rates
        .get(code, today)
        .ok_or_else(|| ReadError::Internal(format!("rate {code} on {today} was not looked up")))?;
    Ok(amount * rate.rate)
}

#[derive(sqlx::FromRow)]
struct OpenRow {
    direction: String,
    currency: String,
    open: Decimal,
    overdue: Decimal,
    invoices: i64,
    overdue_invoices: i64,
}

/// Owed invoices issued by `today` per direction and currency, with the part past due.
async fn open_invoices(pool: &PgPool, today: NaiveDate) -> Result<Vec<OpenRow>, ReadError> {
    Ok(sqlx::query_as(&format!(
        "SELECT direction, currency, sum(open) AS open, \
                coalesce(sum(open) FILTER (WHERE due_date < $1), 0) AS overdue, \
                count(*) AS invoices, count(*) FILTER (WHERE due_date < $1) AS overdue_invoices \
         FROM read.invoices WHERE {} AND issue_date <= $1 GROUP BY 1, 2 ORDER BY 1, 2",
        *OWED_SQL
    ))
    .bind(today)
    .fetch_all(pool)
    .await?)
}

/// The oldest owed invoices past due on `today`.
async fn oldest_overdue(pool: &PgPool, today: NaiveDate) -> Result<Vec<OverdueOut>, ReadError> {
    Ok(sqlx::query_as(&format!(
        "SELECT i.id, i.number, i.direction, i.counterparty_id, e.name AS counterparty, i.due_date, \
                i.currency, i.open, ($1 - i.due_date)::int AS days_overdue \
         FROM read.invoices i \
         LEFT JOIN read.entities e ON e.entity_type = 'counterparty' AND e.id = i.counterparty_id \
         WHERE {} AND i.due_date < $1 AND i.issue_date <= $1 \
         ORDER BY i.due_date, i.id LIMIT {MAX_OVERDUE_LISTED}",
        *OWED_SQL
    ))
    .bind(today)
    .fetch_all(pool)
    .await?)
}

/// Each cash account's balance on `today`, valued at today's rate.
fn cash_lines(
    cash_accounts: &[AccountInfo],
    balances: &[crate::queries::BalanceRow],
    currency: Currency,
    rates: &Rates,
    today: NaiveDate,
) -> Result<(Vec<CashAccountOut>, Decimal), ReadError> {
    let mut cash = Vec::with_capacity(cash_accounts.len());
    let mut cash_total = Decimal::ZERO;
    for a in cash_accounts {
        let balance = balances
            .iter()
            .find(|b| b.account_id == a.id)
            .map_or(Decimal::ZERO, |b| b.debit - b.credit);
        let value = value_of(balance, &a.currency, currency, rates, today)?;
        cash_total += value;
        cash.push(CashAccountOut {
            account_id: a.id,
            name: a.name.clone(),
            kind: serde_json::to_value(a.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            currency: a.currency.clone(),
            balance,
            value: round_to_scale(value, currency),
        });
    }
    Ok((cash, cash_total))
}

/// Receivables and payables, in the report currency at today's rate.
fn owed(
    open: &[OpenRow],
    currency: Currency,
    rates: &Rates,
    today: NaiveDate,
) -> Result<(OpenOut, OpenOut), ReadError> {
    let (mut receivables, mut payables) = (OpenOut::default(), OpenOut::default());
    for o in open {
        let side = if o.direction == "payable" {
            &mut payables
        } else {
            &mut receivables
        };
        side.open += value_of(o.open, &o.currency, currency, rates, today)?;
        side.overdue += value_of(o.overdue, &o.currency, currency, rates, today)?;
        side.invoices += o.invoices;
        side.overdue_invoices += o.overdue_invoices;
    }
    for side in [&mut receivables, &mut payables] {
        side.open = round_to_scale(side.open, currency);
        side.overdue = round_to_scale(side.overdue, currency);
    }
    Ok((receivables, payables))
}

/// The month's projects by profit, best first.
async fn top_projects(
    pool: &PgPool,
    accounts: &[AccountInfo],
    from: NaiveDate,
    today: NaiveDate,
    currency: Currency,
) -> Result<Vec<ProjectOut>, ReadError> {
    let (by_project, _) = q::pnl(
        pool,
        accounts,
        from,
        today,
        currency.code(),
        &[Dim::Project],
    )
    .await?;
    let mut projects: Vec<(Option<Uuid>, Pnl)> = by_project
        .iter()
        .map(|r| {
            let id = r.keys[0].as_deref().and_then(|k| k.parse::<Uuid>().ok());
            (id, Pnl::from_sums(r.income_sum, r.expense_sum))
        })
        .collect();
    projects.sort_by(|a, b| b.1.profit().cmp(&a.1.profit()).then(a.0.cmp(&b.0)));
    projects.truncate(MAX_TOP_PROJECTS);
    let names = entity_names(pool, projects.iter().filter_map(|p| p.0).collect()).await?;
    Ok(projects
        .into_iter()
        .map(|(id, p)| ProjectOut {
            project_id: id,
            name: id.and_then(|id| names.get(&id).cloned()),
            income: round_to_scale(p.income, currency),
            expenses: round_to_scale(p.expenses, currency),
            profit: round_to_scale(p.profit(), currency),
        })
        .collect())
}

/// The dashboard of `today` in `currency`.
pub async fn dashboard(
    pool: &PgPool,
    currency: Currency,
    today: NaiveDate,
) -> Result<DashboardOut, ReadError> {
    let month_start = today.with_day(1).expect("day 1 exists");
    let last_month_end = month_start.pred_opt().expect("a day before exists");
    let last_month_start = last_month_end.with_day(1).expect("day 1 exists");

    let accounts = q::accounts(pool).await?;
    let cash_accounts: Vec<_> = accounts.iter().filter(|a| a.is_cash()).cloned().collect();
    let balances = crate::queries::balances(pool, Some(today), None).await?;
    let open = open_invoices(pool, today).await?;

    // Today's rate for every foreign currency held or owed.
    let foreign: BTreeSet<(String, NaiveDate)> = cash_accounts
        .iter()
        .map(|a| a.currency.clone())
        .chain(open.iter().map(|o| o.currency.clone()))
        .filter(|c| c != currency.code())
        .map(|c| (c, today))
        .collect();
    let rates = q::find_rates(pool, currency.code(), foreign).await?;
    let (cash, cash_total) = cash_lines(&cash_accounts, &balances, currency, &rates, today)?;
    let (receivables, payables) = owed(&open, currency, &rates, today)?;
    let overdue = oldest_overdue(pool, today).await?;

    let this = q::period_pnl(pool, month_start, today, currency.code()).await?;
    let last = q::period_pnl(pool, last_month_start, last_month_end, currency.code()).await?;
    let top_projects = top_projects(pool, &accounts, month_start, today, currency).await?;
    Ok(DashboardOut {
        currency: currency.code().to_string(),
        today,
        cash,
        cash_total: round_to_scale(cash_total, currency),
        this_month: period(month_start, today, &this, currency),
        last_month: period(last_month_start, last_month_end, &last, currency),
        receivables,
        payables,
        overdue,
        top_projects,
        rates: rates_out(&rates, currency),
    })
}

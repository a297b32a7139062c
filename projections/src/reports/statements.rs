//! The accounting statements as the API answers them: the P&L, the balance sheet, the cash
//! flow and the drill-down that lists the postings behind any of their figures.
//!
//! Figures are summed exactly (see [`crate::reports`]) and rounded half-even to the report
//! currency here, for display. Every figure carries a `drill` query string: the postings
//! endpoint with it lists the postings whose summed value is that figure (income, liabilities
//! and equity negated, as presented).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::Currency;
use domain::account::AccountType;
use domain::money::round_to_scale;
use domain::report::{self, Compare, MAX_REPORT_DAYS, Pnl};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

use crate::ReadError;
use crate::queries::entity_names;
use crate::reports::{self as q, AccountInfo, Dim, Rates};

/// Most dimensions one P&L may be grouped by.
pub const MAX_GROUP_DIMS: usize = 2;

type ReadResult<T> = Result<T, ReadError>;

/// The report currency of a query (USD when none is named).
pub fn parse_currency(code: Option<&str>) -> ReadResult<Currency> {
    Currency::parse(code.unwrap_or("USD"))
        .map_err(|_| ReadError::invalid("currency", "unknown currency code"))
}

fn check_period(from: NaiveDate, to: NaiveDate) -> ReadResult<()> {
    if from > to {
        return Err(ReadError::invalid("to", "must not be before from"));
    }
    if (to - from).num_days() >= MAX_REPORT_DAYS {
        return Err(ReadError::invalid(
            "to",
            format!("a report covers at most {MAX_REPORT_DAYS} days"),
        ));
    }
    Ok(())
}

/// A rate a report used.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRateOut {
    /// `EUR/USD`: 1 EUR = rate USD.
    pub pair: String,
    /// The day whose amounts it converted.
    pub day: NaiveDate,
    /// The date of the rate itself.
    pub rate_date: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub rate: Decimal,
    /// True when no rate was set on `day` and the nearest earlier one stood in.
    pub earlier: bool,
}

pub fn rates_out(rates: &Rates, currency: Currency) -> Vec<ReportRateOut> {
    rates
        .used
        .iter()
        .map(|r| ReportRateOut {
            pair: format!("{}/{}", r.currency, currency.code()),
            day: r.day,
            rate_date: r.rate_date,
            rate: r.rate.normalize(),
            earlier: r.rate_date < r.day,
        })
        .collect()
}

fn names(accounts: &[AccountInfo]) -> BTreeMap<Uuid, &AccountInfo> {
    accounts.iter().map(|a| (a.id, a)).collect()
}

// ---------------------------------------------------------------- P&L

#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct PnlParams {
    /// First day (inclusive).
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// Report currency (default USD); other amounts convert at their posting day's rate.
    pub currency: Option<String>,
    /// Up to two of month, project, category, counterparty, account, comma-separated.
    pub group_by: Option<String>,
    /// previous_period or previous_year: adds the comparison figures and the change.
    pub compare: Option<String>,
}

/// Income, expenses and profit, in the report currency.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PnlFigures {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub income: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub expenses: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub profit: Decimal,
}

fn figures(p: Pnl, currency: Currency) -> PnlFigures {
    PnlFigures {
        income: round_to_scale(p.income, currency),
        expenses: round_to_scale(p.expenses, currency),
        profit: round_to_scale(p.profit(), currency),
    }
}

/// One group's key: the dimension, its value (a month's first day or an id; null: none set)
/// and the name of what the id names.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyOut {
    pub dimension: String,
    pub value: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PnlRowOut {
    pub keys: Vec<KeyOut>,
    #[serde(flatten)]
    pub figures: PnlFigures,
    /// The comparison period's figures for the same keys (months shifted to line up).
    pub previous: Option<PnlFigures>,
    /// This period minus the comparison.
    pub change: Option<PnlFigures>,
    /// Query string for `/api/reports/postings` listing this row's postings; add
    /// `account_type=income` (sum = −income) or `account_type=expense` (sum = expenses).
    pub drill: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComparisonOut {
    pub compare: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PnlOut {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currency: String,
    pub group_by: Vec<String>,
    pub comparison: Option<ComparisonOut>,
    pub rows: Vec<PnlRowOut>,
    pub totals: PnlFigures,
    pub previous_totals: Option<PnlFigures>,
    pub change_totals: Option<PnlFigures>,
    /// Of the totals, what adjustments of closed months dated in the period contribute
    /// (corrections booked in an open month that name the closed month they correct).
    pub adjustments: PnlAdjustmentsOut,
    pub rates: Vec<ReportRateOut>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PnlAdjustmentsOut {
    #[serde(flatten)]
    pub figures: PnlFigures,
    /// Query string for `/api/reports/postings` listing them (add `account_type` as for rows).
    pub drill: String,
}

fn parse_dims(group_by: Option<&str>) -> ReadResult<Vec<Dim>> {
    let mut dims = Vec::new();
    for part in group_by.unwrap_or("").split(',').map(str::trim) {
        if part.is_empty() {
            continue;
        }
        let dim = Dim::parse(part).ok_or_else(|| {
            ReadError::invalid(
                "group_by",
                "must list month, project, category, counterparty or account",
            )
        })?;
        if dims.contains(&dim) {
            return Err(ReadError::invalid("group_by", "names a dimension twice"));
        }
        dims.push(dim);
    }
    if dims.len() > MAX_GROUP_DIMS {
        return Err(ReadError::invalid(
            "group_by",
            format!("at most {MAX_GROUP_DIMS} dimensions"),
        ));
    }
    Ok(dims)
}

fn parse_compare(s: Option<&str>) -> ReadResult<Option<Compare>> {
    match s {
        None | Some("") => Ok(None),
        Some("previous_period") => Ok(Some(Compare::PreviousPeriod)),
        Some("previous_year") => Ok(Some(Compare::PreviousYear)),
        Some(_) => Err(ReadError::invalid(
            "compare",
            "must be previous_period or previous_year",
        )),
    }
}

/// Months between two first-of-month days (`later` − `earlier`).
fn months_between(earlier: NaiveDate, later: NaiveDate) -> u32 {
    use chrono::Datelike;
    let m = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
    (m(later) - m(earlier)).max(0) as u32
}

/// The drill-down query string of a row: its period (a month key narrows it) and its keys.
fn drill(from: NaiveDate, to: NaiveDate, dims: &[Dim], keys: &[Option<String>]) -> String {
    let (mut from, mut to) = (from, to);
    let mut parts = Vec::new();
    for (d, k) in dims.iter().zip(keys) {
        let value = k.clone().unwrap_or_else(|| "none".into());
        match d {
            Dim::Month => {
                if let Ok(m) = value.parse::<NaiveDate>() {
                    let end = m
                        .checked_add_months(chrono::Months::new(1))
                        .and_then(|e| e.pred_opt())
                        .unwrap_or(m);
                    from = from.max(m);
                    to = to.min(end);
                }
            }
            Dim::Account => parts.push(format!("account_id={value}")),
            Dim::Project => parts.push(format!("project_id={value}")),
            Dim::Category => parts.push(format!("category_id={value}")),
            Dim::Counterparty => parts.push(format!("counterparty_id={value}")),
        }
    }
    let mut s = format!("from={from}&to={to}");
    for p in parts {
        s.push('&');
        s.push_str(&p);
    }
    s
}

/// A P&L query whose parameters passed their checks.
#[derive(Debug, Clone)]
pub struct PnlPlan {
    from: NaiveDate,
    to: NaiveDate,
    currency: Currency,
    dims: Vec<Dim>,
    compare: Option<Compare>,
}

impl PnlParams {
    /// Checks the parameters (before the caller waits for its consistency token).
    pub fn plan(&self) -> ReadResult<PnlPlan> {
        check_period(self.from, self.to)?;
        Ok(PnlPlan {
            from: self.from,
            to: self.to,
            currency: parse_currency(self.currency.as_deref())?,
            dims: parse_dims(self.group_by.as_deref())?,
            compare: parse_compare(self.compare.as_deref())?,
        })
    }
}

type Groups = BTreeMap<Vec<Option<String>>, Pnl>;

/// The comparison period's groups, their month keys shifted onto the report period's.
async fn previous_groups(
    pool: &PgPool,
    accounts: &[AccountInfo],
    p: &PnlPlan,
    c: Compare,
    rates: &mut Rates,
) -> ReadResult<(Groups, ComparisonOut)> {
    let (cf, ct) = report::comparison_period(p.from, p.to, c)
        .ok_or_else(|| ReadError::invalid("compare", "the comparison period is out of range"))?;
    let (prev_rows, prev_rates) =
        q::pnl(pool, accounts, cf, ct, p.currency.code(), &p.dims).await?;
    q::merge_rates(rates, prev_rates);
    let shift = months_between(report::month_of(cf), report::month_of(p.from));
    let mut previous = Groups::new();
    for r in prev_rows {
        let keys = p
            .dims
            .iter()
            .zip(r.keys)
            .map(|(d, k)| match (d, k) {
                (Dim::Month, Some(m)) => m
                    .parse::<NaiveDate>()
                    .ok()
                    .and_then(|m| m.checked_add_months(chrono::Months::new(shift)))
                    .map(|m| m.to_string()),
                (_, k) => k,
            })
            .collect();
        previous.insert(keys, Pnl::from_sums(r.income_sum, r.expense_sum));
    }
    let comparison = ComparisonOut {
        compare: match c {
            Compare::PreviousPeriod => "previous_period",
            Compare::PreviousYear => "previous_year",
        }
        .into(),
        from: cf,
        to: ct,
    };
    Ok((previous, comparison))
}

/// Profit and loss: income and expense accounts' movements, grouped, converted per posting
/// day, optionally beside a comparison period.
pub async fn pnl(pool: &PgPool, p: &PnlPlan) -> ReadResult<PnlOut> {
    let (currency, code) = (p.currency, p.currency.code());
    let accounts = q::accounts(pool).await?;
    let (rows, mut rates) = q::pnl(pool, &accounts, p.from, p.to, code, &p.dims).await?;
    let (adj_income, adj_expenses) =
        q::pnl_adjustments(pool, &accounts, p.from, p.to, &rates).await?;
    let (previous, comparison) = match p.compare {
        Some(c) => {
            let (groups, comparison) = previous_groups(pool, &accounts, p, c, &mut rates).await?;
            (groups, Some(comparison))
        }
        None => (Groups::new(), None),
    };
    // Every group of either period, in key order.
    let mut current: Groups = rows
        .into_iter()
        .map(|r| (r.keys, Pnl::from_sums(r.income_sum, r.expense_sum)))
        .collect();
    for k in previous.keys() {
        current.entry(k.clone()).or_default();
    }
    let (rows, total, prev_total) = pnl_rows(pool, p, current, &previous).await?;
    let compare = p.compare;
    Ok(PnlOut {
        from: p.from,
        to: p.to,
        currency: code.into(),
        group_by: p.dims.iter().map(|d| d.as_str().to_string()).collect(),
        rows,
        totals: figures(total, currency),
        previous_totals: compare.map(|_| figures(prev_total, currency)),
        change_totals: compare.map(|_| figures(total.change_from(&prev_total), currency)),
        adjustments: PnlAdjustmentsOut {
            figures: figures(Pnl::from_sums(adj_income, adj_expenses), currency),
            drill: format!("{}&adjustments=true", drill(p.from, p.to, &[], &[])),
        },
        comparison,
        rates: rates_out(&rates, currency),
    })
}

/// The P&L's rows (named, with their drill-down) and the totals of both periods.
async fn pnl_rows(
    pool: &PgPool,
    p: &PnlPlan,
    current: Groups,
    previous: &Groups,
) -> ReadResult<(Vec<PnlRowOut>, Pnl, Pnl)> {
    let currency = p.currency;
    let ids: Vec<Uuid> = current
        .keys()
        .flatten()
        .flatten()
        .filter_map(|k| k.parse().ok())
        .collect();
    let labels = entity_names(pool, ids).await?;
    let (mut total, mut prev_total) = (Pnl::default(), Pnl::default());
    let mut out = Vec::with_capacity(current.len());
    for (keys, now) in current {
        total.income += now.income;
        total.expenses += now.expenses;
        let before = p
            .compare
            .map(|_| previous.get(&keys).copied().unwrap_or_default());
        if let Some(b) = before {
            prev_total.income += b.income;
            prev_total.expenses += b.expenses;
        }
        out.push(PnlRowOut {
            drill: drill(p.from, p.to, &p.dims, &keys),
            keys: p
                .dims
                .iter()
                .zip(&keys)
                .map(|(d, k)| KeyOut {
                    dimension: d.as_str().into(),
                    name: k
                        .as_deref()
                        .and_then(|k| k.parse::<Uuid>().ok())
                        .and_then(|id| labels.get(&id).cloned()),
                    value: k.clone(),
                })
                .collect(),
            figures: figures(now, currency),
            previous: before.map(|b| figures(b, currency)),
            change: before.map(|b| figures(now.change_from(&b), currency)),
        });
    }
    Ok((out, total, prev_total))
}

// ---------------------------------------------------------------- balance sheet

#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct SheetParams {
    /// End of this day.
    pub as_of: NaiveDate,
    /// Report currency (default USD).
    pub currency: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SheetLine {
    /// Null for the computed equity lines (earnings, unrealised FX, conversion differences).
    pub account_id: Option<Uuid>,
    pub name: String,
    /// The account's currency (the report currency for computed lines).
    pub currency: String,
    /// The balance in the account's currency, as presented.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub balance: Decimal,
    /// In the report currency, as presented: assets and liabilities at the as_of rate, the
    /// others at the rates of their posting days.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub value: Decimal,
    /// Query string for `/api/reports/postings` (null for computed lines).
    pub drill: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SheetSection {
    pub lines: Vec<SheetLine>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total: Decimal,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BalanceSheetOut {
    pub as_of: NaiveDate,
    pub currency: String,
    pub assets: SheetSection,
    pub liabilities: SheetSection,
    /// Equity accounts, then the earnings to date (income − expenses), the unrealised
    /// exchange gain on foreign-currency assets and liabilities, and the differences of
    /// transactions converted at their own prices rather than the books' rates.
    pub equity: SheetSection,
    /// Assets = liabilities + equity, checked in the report currency before display rounding.
    pub balanced: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub difference: Decimal,
    pub rates: Vec<ReportRateOut>,
}

/// A balance sheet being filled, account by account.
#[derive(Default)]
struct Sheet {
    assets: Vec<SheetLine>,
    liabilities: Vec<SheetLine>,
    equity: Vec<SheetLine>,
    a_total: Decimal,
    l_total: Decimal,
    e_total: Decimal,
    computed: report::ComputedEquity,
}

impl Sheet {
    /// Puts an asset, liability or equity account's line (value in the report currency,
    /// debit positive) into its section.
    fn place(&mut self, acc: &AccountInfo, balance: Decimal, value: Decimal, line: SheetLine) {
        let t = acc.account_type;
        let shown = report::presented(t, value);
        let line = SheetLine {
            balance: report::presented(t, balance),
            ..line
        };
        match t {
            AccountType::Asset => {
                self.a_total += shown;
                self.assets.push(line);
            }
            AccountType::Liability => {
                self.l_total += shown;
                self.liabilities.push(line);
            }
            _ => {
                self.e_total += shown;
                self.equity.push(line);
            }
        }
    }

    /// Adds the computed equity lines and checks A = L + E.
    fn finish(mut self, as_of: NaiveDate, currency: Currency, rates: &Rates) -> BalanceSheetOut {
        let code = currency.code();
        let round = |d: Decimal| round_to_scale(d, currency);
        for (name, v) in self.computed.lines() {
            self.e_total += v;
            self.equity.push(SheetLine {
                account_id: None,
                name: name.into(),
                currency: code.into(),
                balance: round(v),
                value: round(v),
                drill: None,
            });
        }
        let check = report::check_balance(self.a_total, self.l_total, self.e_total);
        BalanceSheetOut {
            as_of,
            currency: code.into(),
            assets: SheetSection {
                lines: self.assets,
                total: round(self.a_total),
            },
            liabilities: SheetSection {
                lines: self.liabilities,
                total: round(self.l_total),
            },
            equity: SheetSection {
                lines: self.equity,
                total: round(self.e_total),
            },
            balanced: check.balanced,
            difference: check.difference.normalize(),
            rates: rates_out(rates, currency),
        }
    }
}

/// Assets, liabilities and equity as of a day, with the A = L + E check.
pub async fn balance_sheet(
    pool: &PgPool,
    as_of: NaiveDate,
    currency: Currency,
) -> ReadResult<BalanceSheetOut> {
    let code = currency.code();
    let accounts = q::accounts(pool).await?;
    let by_id = names(&accounts);
    let (balances, mut rates) = q::booked_balances(pool, &accounts, as_of, code).await?;
    let mut sheet = Sheet::default();
    for b in balances {
        let Some(acc) = by_id.get(&b.account_id) else {
            continue;
        };
        let now = match acc.account_type {
            AccountType::Asset | AccountType::Liability => {
                Some(q::value_on(pool, b.balance, &acc.currency, code, as_of, &mut rates).await?)
            }
            _ => None,
        };
        let Some(value) = sheet.computed.add(acc.account_type, b.booked_value, now) else {
            continue;
        };
        let line = SheetLine {
            account_id: Some(acc.id),
            name: acc.name.clone(),
            currency: acc.currency.clone(),
            balance: Decimal::ZERO,
            value: round_to_scale(report::presented(acc.account_type, value), currency),
            drill: Some(format!("to={}&account_id={}", as_of, acc.id)),
        };
        sheet.place(acc, b.balance, value, line);
    }
    Ok(sheet.finish(as_of, currency, &rates))
}

// ---------------------------------------------------------------- cash flow

#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct CashFlowParams {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Report currency (default USD).
    pub currency: Option<String>,
    /// `month` for one set of lines per month; default: the whole period.
    pub group_by: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CashFlowLine {
    pub month: Option<NaiveDate>,
    pub category_id: Option<Uuid>,
    pub category: Option<String>,
    /// Movements between the business's own cash accounts (not income or spending).
    pub transfer: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub inflow: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub outflow: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub net: Decimal,
    /// Query string for `/api/reports/postings`; add `direction=in` (sum = inflow) or
    /// `direction=out` (sum = −outflow).
    pub drill: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CashFlowOut {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currency: String,
    /// Cash, bank, card and wallet balances at the end of the day before `from`, at that
    /// day's rates.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub opening: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub inflows: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub outflows: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub net: Decimal,
    /// Change in the report-currency value of foreign cash from rate moves:
    /// closing − opening − net (zero when everything is in the report currency).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub exchange_effect: Decimal,
    /// At `to`'s rates; equals opening + net + exchange_effect.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub closing: Decimal,
    pub lines: Vec<CashFlowLine>,
    pub rates: Vec<ReportRateOut>,
}

async fn cash_value(
    pool: &PgPool,
    cash: &[&AccountInfo],
    day: NaiveDate,
    code: &str,
    rates: &mut Rates,
) -> ReadResult<Decimal> {
    let balances = crate::queries::balances(pool, Some(day), None).await?;
    let mut total = Decimal::ZERO;
    for acc in cash {
        let Some(b) = balances.iter().find(|b| b.account_id == acc.id) else {
            continue;
        };
        if b.balance().is_zero() {
            continue;
        }
        total += q::value_on(pool, b.balance(), &acc.currency, code, day, rates).await?;
    }
    Ok(total)
}

/// A cash-flow query whose parameters passed their checks.
#[derive(Debug, Clone)]
pub struct CashFlowPlan {
    from: NaiveDate,
    to: NaiveDate,
    currency: Currency,
    by_month: bool,
}

impl CashFlowParams {
    /// Checks the parameters (before the caller waits for its consistency token).
    pub fn plan(&self) -> ReadResult<CashFlowPlan> {
        check_period(self.from, self.to)?;
        let currency = parse_currency(self.currency.as_deref())?;
        let by_month = match self.group_by.as_deref() {
            None | Some("") => false,
            Some("month") => true,
            Some(_) => return Err(ReadError::invalid("group_by", "must be month")),
        };
        Ok(CashFlowPlan {
            from: self.from,
            to: self.to,
            currency,
            by_month,
        })
    }
}

/// Money in and out of the cash, bank, card and wallet accounts by category.
pub async fn cash_flow(pool: &PgPool, p: &CashFlowPlan) -> ReadResult<CashFlowOut> {
    let (currency, code) = (p.currency, p.currency.code());
    let accounts = q::accounts(pool).await?;
    let cash: Vec<&AccountInfo> = accounts.iter().filter(|a| a.is_cash()).collect();
    let (rows, mut rates) = q::cash_flow(pool, &accounts, p.from, p.to, code, p.by_month).await?;
    let day_before = p
        .from
        .pred_opt()
        .ok_or_else(|| ReadError::invalid("from", "out of range"))?;
    let opening = cash_value(pool, &cash, day_before, code, &mut rates).await?;
    let closing = cash_value(pool, &cash, p.to, code, &mut rates).await?;
    let labels = entity_names(pool, rows.iter().filter_map(|r| r.category_id).collect()).await?;
    let round = |d: Decimal| round_to_scale(d, currency);
    let (mut inflows, mut outflows) = (Decimal::ZERO, Decimal::ZERO);
    let lines = rows
        .into_iter()
        .map(|r| {
            inflows += r.inflow;
            outflows += r.outflow;
            cash_flow_line(p, r, &labels)
        })
        .collect();
    let net = inflows - outflows;
    Ok(CashFlowOut {
        from: p.from,
        to: p.to,
        currency: code.into(),
        opening: round(opening),
        inflows: round(inflows),
        outflows: round(outflows),
        net: round(net),
        exchange_effect: round(closing - opening - net),
        closing: round(closing),
        lines,
        rates: rates_out(&rates, currency),
    })
}

/// One line of the cash flow, with the drill-down of its month (or the whole period).
fn cash_flow_line(
    p: &CashFlowPlan,
    r: q::CashFlowRow,
    labels: &BTreeMap<Uuid, String>,
) -> CashFlowLine {
    let round = |d: Decimal| round_to_scale(d, p.currency);
    let (from, to) = match r.month {
        Some(m) => (
            m.max(p.from),
            m.checked_add_months(chrono::Months::new(1))
                .and_then(|e| e.pred_opt())
                .unwrap_or(p.to)
                .min(p.to),
        ),
        None => (p.from, p.to),
    };
    CashFlowLine {
        month: r.month,
        category: r.category_id.and_then(|c| labels.get(&c).cloned()),
        drill: format!(
            "from={from}&to={to}&account_kind=cash&transfer={}&category_id={}",
            r.transfer,
            r.category_id.map_or("none".into(), |c| c.to_string())
        ),
        category_id: r.category_id,
        transfer: r.transfer,
        inflow: round(r.inflow),
        outflow: round(r.outflow),
        net: round(r.inflow - r.outflow),
    }
}

// ---------------------------------------------------------------- drill-down

#[derive(Debug, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct PostingParams {
    /// First day (default: the beginning of the books).
    pub from: Option<NaiveDate>,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// Report currency for `value` and `sum` (default USD).
    pub currency: Option<String>,
    pub account_id: Option<Uuid>,
    /// Comma-separated account types: asset, liability, equity, income, expense.
    pub account_type: Option<String>,
    /// `cash`: the cash, bank, card and wallet accounts.
    pub account_kind: Option<String>,
    /// An id, or `none` for postings without one.
    pub category_id: Option<String>,
    pub project_id: Option<String>,
    pub counterparty_id: Option<String>,
    /// true: only movements between cash accounts; false: only the others.
    pub transfer: Option<bool>,
    /// in (debits) or out (credits).
    pub direction: Option<String>,
    /// true: only adjustments of closed months; false: only the other postings.
    pub adjustments: Option<bool>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostingOut {
    pub transaction_id: Uuid,
    pub leg: i32,
    pub date: NaiveDate,
    pub description: String,
    pub account_id: Uuid,
    pub category_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub counterparty_id: Option<Uuid>,
    pub currency: String,
    /// Debit positive, in the account's currency.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub amount: Decimal,
    /// The amount in the report currency at the posting day's rate (unrounded).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub value: Decimal,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostingsOut {
    pub items: Vec<PostingOut>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    pub currency: String,
    /// The summed value of every matching posting (not just this page), rounded to the report
    /// currency: a report figure is this sum (negated for income, liabilities and equity).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub sum: Decimal,
    pub rates: Vec<ReportRateOut>,
}

fn reference(field: &'static str, v: Option<&str>) -> ReadResult<Option<Option<Uuid>>> {
    match v {
        None => Ok(None),
        Some("none") => Ok(Some(None)),
        Some(s) => s
            .parse::<Uuid>()
            .map(|id| Some(Some(id)))
            .map_err(|_| ReadError::invalid(field, "must be an id or none")),
    }
}

fn parse_type(s: &str) -> Option<AccountType> {
    Some(match s {
        "asset" => AccountType::Asset,
        "liability" => AccountType::Liability,
        "equity" => AccountType::Equity,
        "income" => AccountType::Income,
        "expense" => AccountType::Expense,
        _ => return None,
    })
}

/// A drill-down query whose parameters passed their checks.
#[derive(Debug, Clone)]
pub struct PostingsPlan {
    currency: Currency,
    account_id: Option<Uuid>,
    types: Vec<AccountType>,
    cash_only: bool,
    filter: q::PostingFilter,
}

impl PostingParams {
    /// Checks the parameters (before the caller waits for its consistency token).
    pub fn plan(&self) -> ReadResult<PostingsPlan> {
        let p = self;
        if let Some(from) = p.from {
            check_period(from, p.to)?;
        }
        let currency = parse_currency(p.currency.as_deref())?;
        let mut types = Vec::new();
        for t in p
            .account_type
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
        {
            if !t.is_empty() {
                types.push(parse_type(t).ok_or_else(|| {
                    ReadError::invalid(
                        "account_type",
                        "must list asset, liability, equity, income or expense",
                    )
                })?);
            }
        }
        let cash_only = match p.account_kind.as_deref() {
            None | Some("") => false,
            Some("cash") => true,
            Some(_) => return Err(ReadError::invalid("account_kind", "must be cash")),
        };
        let debits = match p.direction.as_deref() {
            None | Some("") => None,
            Some("in") => Some(true),
            Some("out") => Some(false),
            Some(_) => return Err(ReadError::invalid("direction", "must be in or out")),
        };
        let filter = q::PostingFilter {
            from: p.from,
            to: p.to,
            category: reference("category_id", p.category_id.as_deref())?,
            project: reference("project_id", p.project_id.as_deref())?,
            counterparty: reference("counterparty_id", p.counterparty_id.as_deref())?,
            transfer: p.transfer,
            debits,
            adjustments: p.adjustments,
            ..Default::default()
        };
        Ok(PostingsPlan {
            currency,
            account_id: p.account_id,
            types,
            cash_only,
            filter,
        })
    }
}

/// The postings behind a report figure, with their value in the report currency and the sum.
pub async fn postings(
    pool: &PgPool,
    p: &PostingsPlan,
    limit: i64,
    offset: i64,
) -> ReadResult<PostingsOut> {
    let currency = p.currency;
    let accounts = q::accounts(pool).await?;
    let chosen: Vec<Uuid> = accounts
        .iter()
        .filter(|a| p.account_id.is_none_or(|id| id == a.id))
        .filter(|a| p.types.is_empty() || p.types.contains(&a.account_type))
        .filter(|a| !p.cash_only || a.is_cash())
        .map(|a| a.id)
        .collect();
    let filter = q::PostingFilter {
        accounts: chosen,
        cash_accounts: accounts
            .iter()
            .filter(|a| a.is_cash())
            .map(|a| a.id)
            .collect(),
        ..p.filter.clone()
    };
    let answer = q::postings(pool, &accounts, &filter, currency.code(), limit, offset).await?;
    Ok(PostingsOut {
        items: answer
            .items
            .into_iter()
            .map(|l| PostingOut {
                transaction_id: l.transaction_id,
                leg: l.leg,
                date: l.date,
                description: l.description,
                account_id: l.account_id,
                category_id: l.category_id,
                project_id: l.project_id,
                counterparty_id: l.counterparty_id,
                currency: l.currency,
                amount: l.amount,
                value: l.value.normalize(),
            })
            .collect(),
        total: answer.total,
        limit,
        offset,
        currency: currency.code().into(),
        sum: round_to_scale(answer.sum, currency),
        rates: rates_out(&answer.rates, currency),
    })
}

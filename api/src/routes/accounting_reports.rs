//! The accounting reports: `GET /api/reports/pnl`, `/cash-flow`, `/balance-sheet`, and
//! `/postings`, the drill-down that lists the postings behind any of their figures.
//!
//! Figures are summed exactly (see `projections::reports`) and rounded half-even to the report
//! currency here, for display. Every figure carries a `drill` query string: the postings
//! endpoint with it lists the postings whose summed value is that figure (income, liabilities
//! and equity negated, as presented).

use std::collections::BTreeMap;

use axum::extract::State;
use chrono::NaiveDate;
use domain::Currency;
use domain::account::AccountType;
use domain::money::round_to_scale;
use domain::report::{self, Compare, MAX_REPORT_DAYS, Pnl};
use projections::reports::{self as q, AccountInfo, Dim, Rates, ReportError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::common::{Consistency, Paging};
use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::state::AppState;

/// Most dimensions one P&L may be grouped by.
pub const MAX_GROUP_DIMS: usize = 2;

impl From<ReportError> for ApiError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::MissingRate { .. } => {
                ApiError::bad_request("missing_rate", format!("{e}; enter one at /api/rates"))
            }
            ReportError::TooManyRows => ApiError::invalid("group_by", e.to_string()),
            ReportError::Db(e) => e.into(),
            ReportError::Account(..) => ApiError::internal(e),
        }
    }
}

pub(crate) fn parse_currency(code: Option<&str>) -> ApiResult<Currency> {
    Currency::parse(code.unwrap_or("USD"))
        .map_err(|_| ApiError::invalid("currency", "unknown currency code"))
}

fn check_period(from: NaiveDate, to: NaiveDate) -> ApiResult<()> {
    if from > to {
        return Err(ApiError::invalid("to", "must not be before from"));
    }
    if (to - from).num_days() >= MAX_REPORT_DAYS {
        return Err(ApiError::invalid(
            "to",
            format!("a report covers at most {MAX_REPORT_DAYS} days"),
        ));
    }
    Ok(())
}

/// A rate a report used.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportRateOut {
    /// `EUR/USD`: 1 EUR = rate USD.
    pub pair: String,
    /// The day whose amounts it converted.
    pub day: NaiveDate,
    /// The date of the rate itself.
    pub rate_date: NaiveDate,
    #[schema(value_type = String)]
    pub rate: Decimal,
    /// True when no rate was set on `day` and the nearest earlier one stood in.
    pub earlier: bool,
}

pub(crate) fn rates_out(rates: &Rates, currency: Currency) -> Vec<ReportRateOut> {
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

pub(crate) async fn entity_names(
    state: &AppState,
    ids: Vec<Uuid>,
) -> ApiResult<BTreeMap<Uuid, String>> {
    Ok(
        sqlx::query_as::<_, (Uuid, String)>(
            "SELECT id, name FROM read.entities WHERE id = ANY($1)",
        )
        .bind(ids)
        .fetch_all(&state.pool)
        .await?
        .into_iter()
        .collect(),
    )
}

// ---------------------------------------------------------------- P&L

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
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
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PnlFigures {
    #[schema(value_type = String)]
    pub income: Decimal,
    #[schema(value_type = String)]
    pub expenses: Decimal,
    #[schema(value_type = String)]
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
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyOut {
    pub dimension: String,
    pub value: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
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

#[derive(Debug, Serialize, ToSchema)]
pub struct ComparisonOut {
    pub compare: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
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

#[derive(Debug, Serialize, ToSchema)]
pub struct PnlAdjustmentsOut {
    #[serde(flatten)]
    pub figures: PnlFigures,
    /// Query string for `/api/reports/postings` listing them (add `account_type` as for rows).
    pub drill: String,
}

fn parse_dims(group_by: Option<&str>) -> ApiResult<Vec<Dim>> {
    let mut dims = Vec::new();
    for part in group_by.unwrap_or("").split(',').map(str::trim) {
        if part.is_empty() {
            continue;
        }
        let dim = Dim::parse(part).ok_or_else(|| {
            ApiError::invalid(
                "group_by",
                "must list month, project, category, counterparty or account",
            )
        })?;
        if dims.contains(&dim) {
            return Err(ApiError::invalid("group_by", "names a dimension twice"));
        }
        dims.push(dim);
    }
    if dims.len() > MAX_GROUP_DIMS {
        return Err(ApiError::invalid(
            "group_by",
            format!("at most {MAX_GROUP_DIMS} dimensions"),
        ));
    }
    Ok(dims)
}

fn parse_compare(s: Option<&str>) -> ApiResult<Option<Compare>> {
    match s {
        None | Some("") => Ok(None),
        Some("previous_period") => Ok(Some(Compare::PreviousPeriod)),
        Some("previous_year") => Ok(Some(Compare::PreviousYear)),
        Some(_) => Err(ApiError::invalid(
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

/// Profit and loss: income and expense accounts' movements, grouped, converted per posting
/// day, optionally beside a comparison period.
#[utoipa::path(get, path = "/api/reports/pnl", tag = "reports", params(PnlParams, Consistency),
    responses((status = 200, body = PnlOut), (status = 400, description = "missing_rate"),
              (status = 422, description = "validation_failed")))]
async fn pnl(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<PnlParams>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<PnlOut>> {
    user.require(policy::READ_BOOKS)?;
    check_period(p.from, p.to)?;
    let currency = parse_currency(p.currency.as_deref())?;
    let dims = parse_dims(p.group_by.as_deref())?;
    let compare = parse_compare(p.compare.as_deref())?;
    state.wait_for_position(consistency.min_position).await?;
    let accounts = q::accounts(&state.pool).await?;
    let code = currency.code();
    let (rows, mut rates) = q::pnl(&state.pool, &accounts, p.from, p.to, code, &dims).await?;
    let (adj_income, adj_expenses) =
        q::pnl_adjustments(&state.pool, &accounts, p.from, p.to, &rates).await?;

    let mut previous: BTreeMap<Vec<Option<String>>, Pnl> = BTreeMap::new();
    let mut comparison = None;
    if let Some(c) = compare {
        let (cf, ct) = report::comparison_period(p.from, p.to, c)
            .ok_or_else(|| ApiError::invalid("compare", "the comparison period is out of range"))?;
        let (prev_rows, prev_rates) = q::pnl(&state.pool, &accounts, cf, ct, code, &dims).await?;
        q::merge_rates(&mut rates, prev_rates);
        let shift = months_between(report::month_of(cf), report::month_of(p.from));
        for r in prev_rows {
            let keys = dims
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
        comparison = Some(ComparisonOut {
            compare: match c {
                Compare::PreviousPeriod => "previous_period",
                Compare::PreviousYear => "previous_year",
            }
            .into(),
            from: cf,
            to: ct,
        });
    }

    // Every group of either period, in key order.
    let mut current: BTreeMap<Vec<Option<String>>, Pnl> = rows
        .into_iter()
        .map(|r| (r.keys, Pnl::from_sums(r.income_sum, r.expense_sum)))
        .collect();
    for k in previous.keys() {
        current.entry(k.clone()).or_default();
    }
    let ids: Vec<Uuid> = current
        .keys()
        .flatten()
        .flatten()
        .filter_map(|k| k.parse().ok())
        .collect();
    let labels = entity_names(&state, ids).await?;
    let (mut total, mut prev_total) = (Pnl::default(), Pnl::default());
    let mut out = Vec::with_capacity(current.len());
    for (keys, now) in current {
        total.income += now.income;
        total.expenses += now.expenses;
        let before = compare.map(|_| previous.get(&keys).copied().unwrap_or_default());
        if let Some(b) = before {
            prev_total.income += b.income;
            prev_total.expenses += b.expenses;
        }
        out.push(PnlRowOut {
            drill: drill(p.from, p.to, &dims, &keys),
            keys: dims
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
    Ok(axum::Json(PnlOut {
        from: p.from,
        to: p.to,
        currency: code.into(),
        group_by: dims.iter().map(|d| d.as_str().to_string()).collect(),
        rows: out,
        totals: figures(total, currency),
        previous_totals: compare.map(|_| figures(prev_total, currency)),
        change_totals: compare.map(|_| figures(total.change_from(&prev_total), currency)),
        adjustments: PnlAdjustmentsOut {
            figures: figures(Pnl::from_sums(adj_income, adj_expenses), currency),
            drill: format!("{}&adjustments=true", drill(p.from, p.to, &[], &[])),
        },
        comparison,
        rates: rates_out(&rates, currency),
    }))
}

// ---------------------------------------------------------------- balance sheet

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetParams {
    /// End of this day.
    pub as_of: NaiveDate,
    /// Report currency (default USD).
    pub currency: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SheetLine {
    /// Null for the computed equity lines (earnings, unrealised FX, conversion differences).
    pub account_id: Option<Uuid>,
    pub name: String,
    /// The account's currency (the report currency for computed lines).
    pub currency: String,
    /// The balance in the account's currency, as presented.
    #[schema(value_type = String)]
    pub balance: Decimal,
    /// In the report currency, as presented: assets and liabilities at the as_of rate, the
    /// others at the rates of their posting days.
    #[schema(value_type = String)]
    pub value: Decimal,
    /// Query string for `/api/reports/postings` (null for computed lines).
    pub drill: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SheetSection {
    pub lines: Vec<SheetLine>,
    #[schema(value_type = String)]
    pub total: Decimal,
}

#[derive(Debug, Serialize, ToSchema)]
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
    #[schema(value_type = String)]
    pub difference: Decimal,
    pub rates: Vec<ReportRateOut>,
}

/// Assets, liabilities and equity as of a day, with the A = L + E check.
#[utoipa::path(get, path = "/api/reports/balance-sheet", tag = "reports", params(SheetParams, Consistency),
    responses((status = 200, body = BalanceSheetOut), (status = 400, description = "missing_rate"),
              (status = 422, description = "validation_failed")))]
async fn balance_sheet(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<SheetParams>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<BalanceSheetOut>> {
    user.require(policy::READ_BOOKS)?;
    let currency = parse_currency(p.currency.as_deref())?;
    let code = currency.code();
    state.wait_for_position(consistency.min_position).await?;
    let accounts = q::accounts(&state.pool).await?;
    let by_id = names(&accounts);
    let (balances, mut rates) = q::booked_balances(&state.pool, &accounts, p.as_of, code).await?;
    let round = |d: Decimal| round_to_scale(d, currency);
    let (mut assets, mut liabilities, mut equity) = (Vec::new(), Vec::new(), Vec::new());
    let (mut a_total, mut l_total, mut e_total) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    let mut computed = report::ComputedEquity::default();
    for b in balances {
        let Some(acc) = by_id.get(&b.account_id) else {
            continue;
        };
        let t = acc.account_type;
        let now = match t {
            AccountType::Asset | AccountType::Liability => Some(
                q::value_on(
                    &state.pool,
                    b.balance,
                    &acc.currency,
                    code,
                    p.as_of,
                    &mut rates,
                )
                .await?,
            ),
            _ => None,
        };
        let Some(value) = computed.add(t, b.booked_value, now) else {
            continue;
        };
        let shown = report::presented(t, value);
        let line = SheetLine {
            account_id: Some(acc.id),
            name: acc.name.clone(),
            currency: acc.currency.clone(),
            balance: report::presented(t, b.balance),
            value: round(shown),
            drill: Some(format!("to={}&account_id={}", p.as_of, acc.id)),
        };
        match t {
            AccountType::Asset => {
                a_total += shown;
                assets.push(line);
            }
            AccountType::Liability => {
                l_total += shown;
                liabilities.push(line);
            }
            _ => {
                e_total += shown;
                equity.push(line);
            }
        }
    }
    for (name, v) in computed.lines() {
        e_total += v;
        equity.push(SheetLine {
            account_id: None,
            name: name.into(),
            currency: code.into(),
            balance: round(v),
            value: round(v),
            drill: None,
        });
    }
    let check = report::check_balance(a_total, l_total, e_total);
    Ok(axum::Json(BalanceSheetOut {
        as_of: p.as_of,
        currency: code.into(),
        assets: SheetSection {
            lines: assets,
            total: round(a_total),
        },
        liabilities: SheetSection {
            lines: liabilities,
            total: round(l_total),
        },
        equity: SheetSection {
            lines: equity,
            total: round(e_total),
        },
        balanced: check.balanced,
        difference: check.difference.normalize(),
        rates: rates_out(&rates, currency),
    }))
}

// ---------------------------------------------------------------- cash flow

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CashFlowParams {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Report currency (default USD).
    pub currency: Option<String>,
    /// `month` for one set of lines per month; default: the whole period.
    pub group_by: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CashFlowLine {
    pub month: Option<NaiveDate>,
    pub category_id: Option<Uuid>,
    pub category: Option<String>,
    /// Movements between the business's own cash accounts (not income or spending).
    pub transfer: bool,
    #[schema(value_type = String)]
    pub inflow: Decimal,
    #[schema(value_type = String)]
    pub outflow: Decimal,
    #[schema(value_type = String)]
    pub net: Decimal,
    /// Query string for `/api/reports/postings`; add `direction=in` (sum = inflow) or
    /// `direction=out` (sum = −outflow).
    pub drill: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CashFlowOut {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currency: String,
    /// Cash, bank, card and wallet balances at the end of the day before `from`, at that
    /// day's rates.
    #[schema(value_type = String)]
    pub opening: Decimal,
    #[schema(value_type = String)]
    pub inflows: Decimal,
    #[schema(value_type = String)]
    pub outflows: Decimal,
    #[schema(value_type = String)]
    pub net: Decimal,
    /// Change in the report-currency value of foreign cash from rate moves:
    /// closing − opening − net (zero when everything is in the report currency).
    #[schema(value_type = String)]
    pub exchange_effect: Decimal,
    /// At `to`'s rates; equals opening + net + exchange_effect.
    #[schema(value_type = String)]
    pub closing: Decimal,
    pub lines: Vec<CashFlowLine>,
    pub rates: Vec<ReportRateOut>,
}

async fn cash_value(
    state: &AppState,
    cash: &[&AccountInfo],
    day: NaiveDate,
    code: &str,
    rates: &mut Rates,
) -> ApiResult<Decimal> {
    let balances = projections::queries::balances(&state.pool, Some(day), None).await?;
    let mut total = Decimal::ZERO;
    for acc in cash {
        let Some(b) = balances.iter().find(|b| b.account_id == acc.id) else {
            continue;
        };
        if b.balance().is_zero() {
            continue;
        }
        total += q::value_on(&state.pool, b.balance(), &acc.currency, code, day, rates).await?;
    }
    Ok(total)
}

/// Money in and out of the cash, bank, card and wallet accounts by category.
#[utoipa::path(get, path = "/api/reports/cash-flow", tag = "reports", params(CashFlowParams, Consistency),
    responses((status = 200, body = CashFlowOut), (status = 400, description = "missing_rate"),
              (status = 422, description = "validation_failed")))]
async fn cash_flow(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<CashFlowParams>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<CashFlowOut>> {
    user.require(policy::READ_BOOKS)?;
    check_period(p.from, p.to)?;
    let currency = parse_currency(p.currency.as_deref())?;
    let by_month = match p.group_by.as_deref() {
        None | Some("") => false,
        Some("month") => true,
        Some(_) => return Err(ApiError::invalid("group_by", "must be month")),
    };
    let code = currency.code();
    state.wait_for_position(consistency.min_position).await?;
    let accounts = q::accounts(&state.pool).await?;
    let cash: Vec<&AccountInfo> = accounts.iter().filter(|a| a.is_cash()).collect();
    let (rows, mut rates) =
        q::cash_flow(&state.pool, &accounts, p.from, p.to, code, by_month).await?;
    let day_before = p
        .from
        .pred_opt()
        .ok_or_else(|| ApiError::invalid("from", "out of range"))?;
    let opening = cash_value(&state, &cash, day_before, code, &mut rates).await?;
    let closing = cash_value(&state, &cash, p.to, code, &mut rates).await?;
    let labels = entity_names(&state, rows.iter().filter_map(|r| r.category_id).collect()).await?;
    let round = |d: Decimal| round_to_scale(d, currency);
    let (mut inflows, mut outflows) = (Decimal::ZERO, Decimal::ZERO);
    let lines = rows
        .into_iter()
        .map(|r| {
            inflows += r.inflow;
            outflows += r.outflow;
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
        })
        .collect();
    let net = inflows - outflows;
    Ok(axum::Json(CashFlowOut {
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
    }))
}

// ---------------------------------------------------------------- drill-down

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
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

#[derive(Debug, Serialize, ToSchema)]
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
    #[schema(value_type = String)]
    pub amount: Decimal,
    /// The amount in the report currency at the posting day's rate (unrounded).
    #[schema(value_type = String)]
    pub value: Decimal,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostingsOut {
    pub items: Vec<PostingOut>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    pub currency: String,
    /// The summed value of every matching posting (not just this page), rounded to the report
    /// currency: a report figure is this sum (negated for income, liabilities and equity).
    #[schema(value_type = String)]
    pub sum: Decimal,
    pub rates: Vec<ReportRateOut>,
}

fn reference(field: &'static str, v: Option<&str>) -> ApiResult<Option<Option<Uuid>>> {
    match v {
        None => Ok(None),
        Some("none") => Ok(Some(None)),
        Some(s) => s
            .parse::<Uuid>()
            .map(|id| Some(Some(id)))
            .map_err(|_| ApiError::invalid(field, "must be an id or none")),
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

/// The postings behind a report figure, with their value in the report currency and the sum.
#[utoipa::path(get, path = "/api/reports/postings", tag = "reports", params(PostingParams, Paging, Consistency),
    responses((status = 200, body = PostingsOut), (status = 400, description = "missing_rate"),
              (status = 422, description = "validation_failed")))]
async fn postings(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<PostingParams>,
    Query(paging): Query<Paging>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<PostingsOut>> {
    user.require(policy::READ_BOOKS)?;
    let (limit, offset) = paging.resolve()?;
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
                ApiError::invalid(
                    "account_type",
                    "must list asset, liability, equity, income or expense",
                )
            })?);
        }
    }
    let cash_only = match p.account_kind.as_deref() {
        None | Some("") => false,
        Some("cash") => true,
        Some(_) => return Err(ApiError::invalid("account_kind", "must be cash")),
    };
    let debits = match p.direction.as_deref() {
        None | Some("") => None,
        Some("in") => Some(true),
        Some("out") => Some(false),
        Some(_) => return Err(ApiError::invalid("direction", "must be in or out")),
    };
    let filter_base = q::PostingFilter {
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
    state.wait_for_position(consistency.min_position).await?;
    let accounts = q::accounts(&state.pool).await?;
    let chosen: Vec<Uuid> = accounts
        .iter()
        .filter(|a| p.account_id.is_none_or(|id| id == a.id))
        .filter(|a| types.is_empty() || types.contains(&a.account_type))
        .filter(|a| !cash_only || a.is_cash())
        .map(|a| a.id)
        .collect();
    let filter = q::PostingFilter {
        accounts: chosen,
        cash_accounts: accounts
            .iter()
            .filter(|a| a.is_cash())
            .map(|a| a.id)
            .collect(),
        ..filter_base
    };
    let answer = q::postings(
        &state.pool,
        &accounts,
        &filter,
        currency.code(),
        limit,
        offset,
    )
    .await?;
    Ok(axum::Json(PostingsOut {
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
    }))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pnl))
        .routes(routes!(balance_sheet))
        .routes(routes!(cash_flow))
        .routes(routes!(postings))
}

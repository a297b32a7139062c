//! Balances and the trial balance.

use std::collections::BTreeMap;

use axum::extract::State;
use chrono::NaiveDate;
use domain::account::AccountSpec;
use projections::queries;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::common::Consistency;
use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// End of this day (default: everything).
    pub as_of: Option<NaiveDate>,
    pub account_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceOut {
    pub account_id: Uuid,
    pub name: String,
    #[serde(rename = "type")]
    pub account_type: domain::account::AccountType,
    pub currency: String,
    #[schema(value_type = String)]
    pub debit: Decimal,
    #[schema(value_type = String)]
    pub credit: Decimal,
    /// Debit minus credit.
    #[schema(value_type = String)]
    pub balance: Decimal,
    pub postings: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BalancesOut {
    pub as_of: Option<NaiveDate>,
    pub items: Vec<BalanceOut>,
}

async fn accounts(state: &AppState) -> ApiResult<Vec<(Uuid, String, AccountSpec)>> {
    let rows = queries::all_entities(&state.pool, "account").await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r.id,
                r.name,
                serde_json::from_value(r.data).map_err(ApiError::internal)?,
            ))
        })
        .collect()
}

/// Every account's balance (accounts without postings show zero).
async fn balance_rows(
    state: &AppState,
    as_of: Option<NaiveDate>,
    account: Option<Uuid>,
) -> ApiResult<Vec<BalanceOut>> {
    let balances = queries::balances(&state.pool, as_of, account).await?;
    let by_id: BTreeMap<Uuid, &queries::BalanceRow> =
        balances.iter().map(|b| (b.account_id, b)).collect();
    let mut out = Vec::new();
    for (id, name, spec) in accounts(state).await? {
        if account.is_some_and(|a| a != id) {
            continue;
        }
        let scale = spec.currency.scale();
        let fix = |mut d: Decimal| {
            d.rescale(scale);
            d
        };
        let (debit, credit, postings) = by_id
            .get(&id)
            .map(|b| (b.debit, b.credit, b.postings))
            .unwrap_or_default();
        out.push(BalanceOut {
            account_id: id,
            name,
            account_type: spec.account_type,
            currency: spec.currency.code().to_string(),
            debit: fix(debit),
            credit: fix(credit),
            balance: fix(debit - credit),
            postings,
        });
    }
    Ok(out)
}

#[utoipa::path(get, path = "/api/balances", tag = "reports", params(AsOf, Consistency),
    responses((status = 200, body = BalancesOut)))]
async fn get_balances(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<AsOf>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<BalancesOut>> {
    user.require(policy::READ_BOOKS)?;
    state.wait_for_position(consistency.min_position).await?;
    let items = balance_rows(&state, q.as_of, q.account_id).await?;
    Ok(axum::Json(BalancesOut {
        as_of: q.as_of,
        items,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrialLine {
    pub account_id: Option<Uuid>,
    pub name: String,
    #[serde(rename = "type")]
    pub account_type: Option<domain::account::AccountType>,
    pub currency: String,
    /// The balance when it is a debit balance, else zero.
    #[schema(value_type = String)]
    pub debit: Decimal,
    /// The balance's magnitude when it is a credit balance, else zero.
    #[schema(value_type = String)]
    pub credit: Decimal,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrialTotal {
    pub currency: String,
    #[schema(value_type = String)]
    pub debit: Decimal,
    #[schema(value_type = String)]
    pub credit: Decimal,
    pub balanced: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrialBalanceOut {
    pub as_of: Option<NaiveDate>,
    pub lines: Vec<TrialLine>,
    pub totals: Vec<TrialTotal>,
}

/// Debit and credit balances per account and currency. Transactions across currencies balance
/// by weight, not by amount, so each currency gets a "Currency conversions" line holding the
/// difference (Beancount's `Equity:Conversions`); with it every currency's debits equal its
/// credits.
#[utoipa::path(get, path = "/api/reports/trial-balance", tag = "reports", params(AsOf, Consistency),
    responses((status = 200, body = TrialBalanceOut)))]
async fn trial_balance(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<AsOf>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<TrialBalanceOut>> {
    user.require(policy::READ_BOOKS)?;
    state.wait_for_position(consistency.min_position).await?;
    let rows = balance_rows(&state, q.as_of, q.account_id).await?;
    let mut lines = Vec::new();
    let mut sums: BTreeMap<String, Decimal> = BTreeMap::new();
    for r in rows.into_iter().filter(|r| !r.balance.is_zero()) {
        *sums.entry(r.currency.clone()).or_default() += r.balance;
        let (debit, credit) = if r.balance > Decimal::ZERO {
            (r.balance, Decimal::ZERO)
        } else {
            (Decimal::ZERO, -r.balance)
        };
        lines.push(TrialLine {
            account_id: Some(r.account_id),
            name: r.name,
            account_type: Some(r.account_type),
            currency: r.currency,
            debit,
            credit,
        });
    }
    for (currency, residual) in &sums {
        if !residual.is_zero() {
            let (debit, credit) = if *residual < Decimal::ZERO {
                (-*residual, Decimal::ZERO)
            } else {
                (Decimal::ZERO, *residual)
            };
            lines.push(TrialLine {
                account_id: None,
                name: "Currency conversions".into(),
                account_type: Some(domain::account::AccountType::Equity),
                currency: currency.clone(),
                debit,
                credit,
            });
        }
    }
    let mut totals: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    for l in &lines {
        let t = totals.entry(l.currency.clone()).or_default();
        t.0 += l.debit;
        t.1 += l.credit;
    }
    let totals = totals
        .into_iter()
        .map(|(currency, (debit, credit))| TrialTotal {
            currency,
            debit,
            credit,
            balanced: debit == credit,
        })
        .collect();
    Ok(axum::Json(TrialBalanceOut {
        as_of: q.as_of,
        lines,
        totals,
    }))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_balances))
        .routes(routes!(trial_balance))
}

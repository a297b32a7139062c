//! Affiliate payouts over HTTP: compute, list, show (with the postings behind it), approve,
//! mark paid, cancel.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::NaiveDate;
use projections::payouts::PayoutOut;
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::common::{Consistency, Page, Paging, request_id};
use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use app::ledger::Actor;
use app::ledger::payouts::{self, Approval, Payment};

/// The payout as the read side holds it once `position` is projected.
async fn read(state: &AppState, id: Uuid, position: Option<i64>) -> ApiResult<PayoutOut> {
    state.wait_for_position(position).await?;
    let mut p = projections::payouts::get(&state.pool, id).await?;
    p.position = position;
    Ok(p)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayoutIn {
    pub program_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[utoipa::path(post, path = "/api/traffic/payouts", tag = "traffic", request_body = PayoutIn,
    responses((status = 201, body = PayoutOut), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn compute(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(body): Json<PayoutIn>,
) -> ApiResult<(StatusCode, axum::Json<PayoutOut>)> {
    user.require(policy::WRITE_BOOKS)?;
    let id = Uuid::now_v7();
    let actor = Actor::api(user.id, request_id(&headers));
    let w = payouts::compute(&state.pool, &actor, id, body.program_id, body.from, body.to).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(read(&state, id, Some(w.position)).await?),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PayoutFilter {
    pub program_id: Option<Uuid>,
    /// draft, approved, paid or cancelled.
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/traffic/payouts", tag = "traffic", params(PayoutFilter, Paging, Consistency),
    responses((status = 200, body = Page<PayoutOut>)))]
async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    Query(f): Query<PayoutFilter>,
    Query(paging): Query<Paging>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<Page<PayoutOut>>> {
    user.require(policy::READ_BOOKS)?;
    let (limit, offset) = paging.resolve()?;
    if let Some(s) = &f.status
        && !["draft", "approved", "paid", "cancelled"].contains(&s.as_str())
    {
        return Err(ApiError::invalid(
            "status",
            "must be draft, approved, paid or cancelled",
        ));
    }
    state.wait_for_position(consistency.min_position).await?;
    let (items, total) = projections::payouts::list(
        &state.pool,
        f.program_id,
        f.status.as_deref(),
        limit,
        offset,
    )
    .await?;
    Ok(axum::Json(Page {
        items,
        total,
        limit,
        offset,
    }))
}

#[utoipa::path(get, path = "/api/traffic/payouts/{id}", tag = "traffic", params(("id" = Uuid, Path), Consistency),
    responses((status = 200, body = PayoutOut), (status = 404, body = crate::error::Problem)))]
async fn get(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<PayoutOut>> {
    user.require(policy::READ_BOOKS)?;
    Ok(axum::Json(
        read(&state, id, consistency.min_position).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveIn {
    /// Posting date (default: the last day of the payout's period).
    pub date: Option<NaiveDate>,
    /// Asset account that holds what the program owes, in the payout's currency.
    pub receivable_account_id: Uuid,
    /// Income account of affiliate revenue, in the payout's currency.
    pub revenue_account_id: Uuid,
    /// Income category (e.g. affiliate revenue).
    pub category_id: Option<Uuid>,
}

#[utoipa::path(post, path = "/api/traffic/payouts/{id}/approve", tag = "traffic", params(("id" = Uuid, Path)),
    request_body = ApproveIn,
    responses((status = 200, body = PayoutOut), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn approve(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Json(body): Json<ApproveIn>,
) -> ApiResult<axum::Json<PayoutOut>> {
    user.require(policy::WRITE_BOOKS)?;
    let actor = Actor::api(user.id, request_id(&headers));
    let w = payouts::approve(
        &state.pool,
        &actor,
        id,
        Approval {
            date: body.date,
            receivable_account_id: body.receivable_account_id,
            revenue_account_id: body.revenue_account_id,
            category_id: body.category_id,
        },
    )
    .await?;
    Ok(axum::Json(read(&state, id, Some(w.position)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayIn {
    pub date: NaiveDate,
    /// Bank, card, cash or crypto wallet account the money arrived in.
    pub account_id: Uuid,
    /// What arrived, in the account's currency (required when it differs from the payout's).
    #[schema(value_type = Option<String>)]
    pub amount: Option<Decimal>,
    /// The on-chain transaction (64 hex characters), for crypto.
    pub tx_hash: Option<String>,
}

#[utoipa::path(post, path = "/api/traffic/payouts/{id}/pay", tag = "traffic", params(("id" = Uuid, Path)),
    request_body = PayIn,
    responses((status = 200, body = PayoutOut), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn pay(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Json(body): Json<PayIn>,
) -> ApiResult<axum::Json<PayoutOut>> {
    user.require(policy::WRITE_BOOKS)?;
    let actor = Actor::api(user.id, request_id(&headers));
    let w = payouts::pay(
        &state.pool,
        &actor,
        id,
        Payment {
            date: body.date,
            account_id: body.account_id,
            amount: body.amount,
            tx_hash: body.tx_hash,
        },
    )
    .await?;
    Ok(axum::Json(read(&state, id, Some(w.position)).await?))
}

#[utoipa::path(post, path = "/api/traffic/payouts/{id}/cancel", tag = "traffic", params(("id" = Uuid, Path)),
    responses((status = 200, body = PayoutOut), (status = 409, body = crate::error::Problem)))]
async fn cancel(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<PayoutOut>> {
    user.require(policy::WRITE_BOOKS)?;
    let actor = Actor::api(user.id, request_id(&headers));
    let w = payouts::cancel(&state.pool, &actor, id).await?;
    Ok(axum::Json(read(&state, id, Some(w.position)).await?))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(compute, list))
        .routes(routes!(get))
        .routes(routes!(approve))
        .routes(routes!(pay))
        .routes(routes!(cancel))
}

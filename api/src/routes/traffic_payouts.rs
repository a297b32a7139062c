//! Affiliate payouts over HTTP: compute, list, show (with the postings behind it), approve,
//! mark paid, cancel.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use domain::payout::PayoutLine;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::{FromRow, Row};
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

#[derive(Debug, Serialize, ToSchema)]
pub struct PayoutOut {
    pub id: Uuid,
    pub program_id: Uuid,
    pub counterparty_id: Uuid,
    pub currency: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// draft, approved, paid or cancelled.
    pub status: String,
    #[schema(value_type = String)]
    pub total: Decimal,
    pub conversions: i64,
    pub lines: Vec<PayoutLine>,
    pub approved_on: Option<NaiveDate>,
    pub receivable_account_id: Option<Uuid>,
    pub revenue_account_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    /// The receivable's postings (one per project).
    pub transaction_ids: Vec<Uuid>,
    pub paid_on: Option<NaiveDate>,
    pub paid_account_id: Option<Uuid>,
    #[schema(value_type = Option<String>)]
    pub paid_amount: Option<Decimal>,
    pub tx_hash: Option<String>,
    pub payment_transaction_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The last write's log position.
    pub position: Option<i64>,
}

impl FromRow<'_, PgRow> for PayoutOut {
    fn from_row(r: &PgRow) -> Result<Self, sqlx::Error> {
        let lines: sqlx::types::Json<Vec<PayoutLine>> = r.try_get("lines")?;
        Ok(Self {
            id: r.try_get("id")?,
            program_id: r.try_get("program_id")?,
            counterparty_id: r.try_get("counterparty_id")?,
            currency: r.try_get("currency")?,
            from: r.try_get("date_from")?,
            to: r.try_get("date_to")?,
            status: r.try_get("status")?,
            total: r.try_get("total")?,
            conversions: r.try_get("conversions")?,
            lines: lines.0,
            approved_on: r.try_get("approved_on")?,
            receivable_account_id: r.try_get("receivable_account_id")?,
            revenue_account_id: r.try_get("revenue_account_id")?,
            category_id: r.try_get("category_id")?,
            transaction_ids: r.try_get("transaction_ids")?,
            paid_on: r.try_get("paid_on")?,
            paid_account_id: r.try_get("paid_account_id")?,
            paid_amount: r.try_get("paid_amount")?,
            tx_hash: r.try_get("tx_hash")?,
            payment_transaction_id: r.try_get("payment_transaction_id")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
            position: None,
        })
    }
}

/// The payout as the read side holds it once `position` is projected.
async fn read(state: &AppState, id: Uuid, position: Option<i64>) -> ApiResult<PayoutOut> {
    state.wait_for_position(position).await?;
    let mut p = sqlx::query_as::<_, PayoutOut>("SELECT * FROM read.payouts WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.pool)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("payout {id}")))?;
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
    let filter = "($1::uuid IS NULL OR program_id = $1) AND ($2::text IS NULL OR status = $2)";
    let items = sqlx::query_as::<_, PayoutOut>(&format!(
        "SELECT * FROM read.payouts WHERE {filter} ORDER BY date_from DESC, created_at DESC LIMIT $3 OFFSET $4"
    ))
    .bind(f.program_id)
    .bind(&f.status)
    .bind(limit)
    .bind(offset)
    .fetch_all(&state.pool)
    .await?;
    let total: i64 =
        sqlx::query_scalar(&format!("SELECT count(*) FROM read.payouts WHERE {filter}"))
            .bind(f.program_id)
            .bind(&f.status)
            .fetch_one(&state.pool)
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

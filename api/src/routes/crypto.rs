//! Crypto on Tron over HTTP: verify a posting against TronScan, sync a wallet into pending
//! items, list them, and post or dismiss each one.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use domain::crypto::CryptoVerification;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::common::{Consistency, Page, Paging, request_id, sort_sql};
use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use app::ledger::Actor;
use app::ledger::crypto::{self, PostItem};

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyOut {
    pub transaction_id: Uuid,
    pub verification: CryptoVerification,
    /// Log position of the recorded verification.
    pub position: i64,
}

#[utoipa::path(post, path = "/api/transactions/{id}/verify-crypto", tag = "crypto",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "checked and recorded (verified, mismatch or not found)", body = VerifyOut),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 502, description = "TronScan failed or timed out; nothing written", body = crate::error::Problem),
              (status = 503, description = "TronScan rate limit outlasted the retries; nothing written", body = crate::error::Problem)))]
async fn verify_crypto(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<VerifyOut>> {
    user.require(policy::WRITE_BOOKS)?;
    let actor = Actor::api(user.id, request_id(&headers));
    let v = crypto::verify(&state.pool, &state.tronscan, &actor, id).await?;
    state.projector.nudge();
    Ok(axum::Json(VerifyOut {
        transaction_id: id,
        verification: v.verification,
        position: v.position,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncOut {
    /// New pending items this sync recorded.
    pub found: usize,
    /// The newest transfer time read so far; the next sync starts there.
    pub synced_through: Option<DateTime<Utc>>,
    /// Log position written (0 when nothing changed).
    pub position: i64,
}

#[utoipa::path(post, path = "/api/accounts/{id}/tron/sync", tag = "crypto",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = SyncOut), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem), (status = 502, body = crate::error::Problem),
              (status = 503, body = crate::error::Problem)))]
async fn sync_wallet(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<SyncOut>> {
    user.require(policy::WRITE_BOOKS)?;
    let actor = Actor::api(user.id, request_id(&headers));
    let s = crypto::sync(&state.pool, &state.tronscan, &actor, id).await?;
    state.projector.nudge();
    Ok(axum::Json(SyncOut {
        found: s.found,
        synced_through: s.cursor,
        position: s.position,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PendingQuery {
    /// pending (default), posted, dismissed or all.
    pub status: Option<String>,
    /// in, out or self_transfer.
    pub direction: Option<String>,
    /// time (default, oldest first), -time, amount, -amount.
    pub sort: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PendingOut {
    pub tx_hash: String,
    pub token: String,
    pub from: String,
    pub to: String,
    #[schema(value_type = String)]
    pub amount: Decimal,
    pub direction: String,
    pub block: i64,
    pub time: DateTime<Utc>,
    pub status: String,
    /// The posting made from it, once posted.
    pub transaction_id: Option<Uuid>,
}

const PENDING_SORTS: &[(&str, &str)] = &[
    ("time", "time ASC"),
    ("-time", "time DESC"),
    ("amount", "amount ASC"),
    ("-amount", "amount DESC"),
];

#[utoipa::path(get, path = "/api/accounts/{id}/tron/pending", tag = "crypto",
    params(("id" = Uuid, Path), PendingQuery, Paging, Consistency),
    responses((status = 200, body = Page<PendingOut>), (status = 422, body = crate::error::Problem)))]
async fn list_pending(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Query(q): Query<PendingQuery>,
    Query(paging): Query<Paging>,
    Query(consistency): Query<Consistency>,
) -> ApiResult<axum::Json<Page<PendingOut>>> {
    user.require(policy::READ_BOOKS)?;
    let (limit, offset) = paging.resolve()?;
    let status = match q.status.as_deref().unwrap_or("pending") {
        "all" => None,
        s @ ("pending" | "posted" | "dismissed") => Some(s.to_string()),
        _ => {
            return Err(ApiError::invalid(
                "status",
                "must be pending, posted, dismissed or all",
            ));
        }
    };
    if let Some(d) = &q.direction
        && !["in", "out", "self_transfer"].contains(&d.as_str())
    {
        return Err(ApiError::invalid(
            "direction",
            "must be in, out or self_transfer",
        ));
    }
    let order = sort_sql(q.sort.as_deref(), PENDING_SORTS)?;
    state.wait_for_position(consistency.min_position).await?;
    let filter = projections::crypto::PendingFilter {
        status,
        direction: q.direction,
    };
    let (rows, total) =
        projections::crypto::list_pending(&state.pool, id, &filter, order, limit, offset).await?;
    Ok(axum::Json(Page {
        items: rows
            .into_iter()
            .map(|r| PendingOut {
                tx_hash: r.tx_hash,
                token: r.token,
                from: r.from_address,
                to: r.to_address,
                amount: r.amount,
                direction: r.direction,
                block: r.block,
                time: r.time,
                status: r.status,
                transaction_id: r.transaction_id,
            })
            .collect(),
        total,
        limit,
        offset,
    }))
}

/// How to book a pending transfer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostPendingIn {
    /// Posting date (default: the transfer's UTC day).
    pub date: Option<NaiveDate>,
    pub description: Option<String>,
    /// Income account (money in), expense or payable (money out), or another wallet (a swap or
    /// a move between own wallets). In another currency the entry is valued at the day's rate.
    pub counter_account_id: Uuid,
    /// Expense account of the network fee (outgoing transfers that paid one).
    pub fee_expense_account_id: Option<Uuid>,
    /// TRX wallet that paid the fee (default: the wallet itself when it holds TRX).
    pub fee_account_id: Option<Uuid>,
    /// Fee in TRX; by default read from TronScan for outgoing transfers.
    #[schema(value_type = Option<String>)]
    pub fee_trx: Option<Decimal>,
    pub project_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub counterparty_id: Option<Uuid>,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostedOut {
    pub transaction_id: Uuid,
    pub position: i64,
}

#[utoipa::path(post, path = "/api/accounts/{id}/tron/pending/{tx_hash}/post", tag = "crypto",
    params(("id" = Uuid, Path), ("tx_hash" = String, Path)), request_body = PostPendingIn,
    responses((status = 201, body = PostedOut), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn post_pending(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path((id, tx_hash)): Path<(Uuid, String)>,
    Json(body): Json<PostPendingIn>,
) -> ApiResult<(StatusCode, axum::Json<PostedOut>)> {
    user.require(policy::WRITE_BOOKS)?;
    let actor = Actor::api(user.id, request_id(&headers));
    let p = crypto::post_item(
        &state.pool,
        &state.tronscan,
        &actor,
        id,
        &tx_hash.to_ascii_lowercase(),
        PostItem {
            date: body.date,
            description: body.description,
            counter_account_id: body.counter_account_id,
            fee_expense_account_id: body.fee_expense_account_id,
            fee_account_id: body.fee_account_id,
            fee_trx: body.fee_trx,
            project_id: body.project_id,
            category_id: body.category_id,
            counterparty_id: body.counterparty_id,
            tags: body.tags,
        },
    )
    .await?;
    state.projector.nudge();
    Ok((
        StatusCode::CREATED,
        axum::Json(PostedOut {
            transaction_id: p.transaction_id,
            position: p.position,
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DismissedOut {
    pub position: i64,
}

#[utoipa::path(post, path = "/api/accounts/{id}/tron/pending/{tx_hash}/dismiss", tag = "crypto",
    params(("id" = Uuid, Path), ("tx_hash" = String, Path)),
    responses((status = 200, body = DismissedOut), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn dismiss_pending(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path((id, tx_hash)): Path<(Uuid, String)>,
) -> ApiResult<axum::Json<DismissedOut>> {
    user.require(policy::WRITE_BOOKS)?;
    let actor = Actor::api(user.id, request_id(&headers));
    let w = crypto::dismiss_item(&state.pool, &actor, id, &tx_hash.to_ascii_lowercase()).await?;
    state.projector.nudge();
    Ok(axum::Json(DismissedOut {
        position: w.position,
    }))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(verify_crypto))
        .routes(routes!(sync_wallet))
        .routes(routes!(list_pending))
        .routes(routes!(post_pending))
        .routes(routes!(dismiss_pending))
}

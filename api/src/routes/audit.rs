//! The auditor's view of the log: the sealed events in order, the chain head, and a full
//! verification.

use axum::body::Body;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use projections::log::{chain_head, fetch_sealed};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::state::AppState;

/// Most events one page of the audit stream returns.
pub const MAX_AUDIT_PAGE: i64 = 10_000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Sealed sequence number to start after (0: from the beginning).
    pub after: Option<i64>,
    /// Events to return (1 to 10000, default 1000).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub seq: i64,
    pub position: i64,
    pub hash: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    /// Exactly the stored jsonb text (what the hash covers).
    pub payload: String,
    pub metadata: String,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

/// One JSON object per line, in sealed order.
#[utoipa::path(get, path = "/api/audit/events", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "application/x-ndjson, one AuditEvent per line", content_type = "application/x-ndjson")))]
async fn events(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Response> {
    user.require(policy::AUDIT)?;
    let limit = q.limit.unwrap_or(1000);
    if !(1..=MAX_AUDIT_PAGE).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("must be 1 to {MAX_AUDIT_PAGE}"),
        ));
    }
    let after = q.after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::invalid("after", "must not be negative"));
    }
    let mut conn = state.pool.acquire().await?;
    let batch = fetch_sealed(&mut conn, after, i64::MAX, limit).await?;
    let mut body = Vec::with_capacity(batch.len() * 512);
    for s in batch {
        let e = s.event;
        let line = AuditEvent {
            seq: s.seq,
            position: e.position,
            hash: hex::encode(s.hash),
            aggregate_type: e.aggregate_type,
            aggregate_id: e.aggregate_id,
            sequence: e.sequence,
            event_type: e.event_type,
            event_version: e.event_version,
            payload: e.payload,
            metadata: e.metadata,
            recorded_at: e.recorded_at,
        };
        serde_json::to_writer(&mut body, &line).map_err(ApiError::internal)?;
        body.push(b'\n');
    }
    Response::builder()
        .header(CONTENT_TYPE, "application/x-ndjson")
        .body(Body::from(body))
        .map_err(ApiError::internal)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HeadOut {
    /// Sealed events so far.
    pub seq: i64,
    pub position: i64,
    pub hash: String,
}

#[utoipa::path(get, path = "/api/audit/head", tag = "audit", responses((status = 200, body = HeadOut)))]
async fn head(State(state): State<AppState>, user: AuthUser) -> ApiResult<axum::Json<HeadOut>> {
    user.require(policy::AUDIT)?;
    let mut conn = state.pool.acquire().await?;
    let h = chain_head(&mut conn, false).await?;
    Ok(axum::Json(HeadOut {
        seq: h.last_seq,
        position: h.last_position,
        hash: hex::encode(h.head_hash),
    }))
}

/// Recomputes the chain and compares a fresh rebuild of the read tables with the live ones.
#[utoipa::path(post, path = "/api/audit/verify", tag = "audit", responses((status = 200, description = "verification report")))]
async fn verify(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<axum::Json<serde_json::Value>> {
    user.require(policy::AUDIT)?;
    let report = projections::rebuild::verify(&state.pool).await?;
    Ok(axum::Json(
        serde_json::to_value(report).map_err(ApiError::internal)?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(events))
        .routes(routes!(head))
        .routes(routes!(verify))
}

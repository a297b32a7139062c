//! Liveness, readiness and Prometheus metrics.

use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::http::header::RETRY_AFTER;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::error::RETRY_AFTER_SECONDS;
use crate::state::AppState;

async fn healthz() -> &'static str {
    "ok"
}

/// Longest `/readyz` waits for the database: a probe must answer quickly even during an outage.
pub const READY_TIMEOUT: Duration = Duration::from_millis(800);

/// What `/readyz` says: `status` is `ready` (200) or `unavailable` (503) with the `reason`.
#[derive(Debug, Serialize)]
struct Readiness {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

fn not_ready(reason: impl Into<String>) -> Response {
    let body = Readiness {
        status: "unavailable",
        reason: Some(reason.into()),
    };
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    response
}

/// Ready when the database answers (within [`READY_TIMEOUT`]), the read tables exist and the
/// projector is not failing. A stuck projector makes every read-your-writes query wait and
/// then answer 503, so the instance is not ready: the answer names the event and the reason.
async fn readyz(State(state): State<AppState>) -> Response {
    // The database first: while it is down the projector fails too, and the database is the
    // cause worth reporting.
    let check = projections::read_model::ready(&state.pool);
    match tokio::time::timeout(READY_TIMEOUT, check).await {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => return not_ready("read tables are being built"),
        Ok(Err(e)) => return not_ready(format!("database unavailable: {e}")),
        Err(_) => {
            return not_ready(format!(
                "database unavailable: no answer within {} ms",
                READY_TIMEOUT.as_millis()
            ));
        }
    }
    if let Some(stuck) = state.projector.stuck() {
        return projector_stuck(&stuck);
    }
    Json(Readiness {
        status: "ready",
        reason: None,
    })
    .into_response()
}

/// 503 naming the event the projector cannot apply (when it is an event's fault) and why.
fn projector_stuck(stuck: &projections::projector::Stuck) -> Response {
    let body = serde_json::json!({
        "status": "unavailable",
        "reason": "projector_stuck",
        "position": stuck.position,
        "error": stuck.reason,
        "since": stuck.since,
        "attempts": stuck.attempts,
    });
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    response
}

async fn metrics(State(state): State<AppState>) -> Response {
    // Best effort: a scrape while the database is away still reports the projector.
    let head = match state.pool.acquire().await {
        Ok(mut conn) => eventstore::log::chain_head(&mut conn, false).await.ok(),
        Err(_) => None,
    };
    if let Some(seq) = head.map(|h| h.last_seq) {
        metrics::gauge!("ledger_sealed_events").set(seq as f64);
    }
    let progress = *state.projector.progress.borrow();
    metrics::gauge!("ledger_projected_events").set(progress.last_seq as f64);
    let stuck = state.projector.stuck();
    metrics::gauge!("ledger_projector_stuck").set(if stuck.is_some() { 1.0 } else { 0.0 });
    metrics::gauge!("ledger_projector_failed_attempts")
        .set(stuck.map_or(0.0, |s| s.attempts as f64));
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// Counts requests and their latency by route and status.
pub async fn track_metrics(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "other".into());
    let method = req.method().to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("path", path), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

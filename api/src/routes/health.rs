//! Liveness, readiness and Prometheus metrics.

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers, the read tables exist and the projector is not failing.
/// A stuck projector makes every read-your-writes query wait and then answer 503, so the
/// instance is not ready: the answer names the event and the reason.
async fn readyz(State(state): State<AppState>) -> Response {
    if let Some(stuck) = state.projector.stuck() {
        let body = serde_json::json!({
            "status": "unavailable",
            "reason": "projector_stuck",
            "position": stuck.position,
            "error": stuck.reason,
            "since": stuck.since,
            "attempts": stuck.attempts,
        });
        return (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response();
    }
    match projections::read_model::ready(&state.pool).await {
        Ok(true) => (StatusCode::OK, "ready").into_response(),
        Ok(false) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "read tables are being built",
        )
            .into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("database: {e}")).into_response(),
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let head: Option<(i64,)> = sqlx::query_as("SELECT last_seq FROM chain_head")
        .fetch_optional(&state.pool)
        .await
        .ok()
        .flatten();
    if let Some((seq,)) = head {
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

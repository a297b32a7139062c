//! Liveness, readiness and Prometheus metrics (their names and readings: `app::ops::metrics`).

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

use crate::auth::{AuthUser, policy};
use crate::error::{ApiResult, RETRY_AFTER_SECONDS};
use crate::state::AppState;
use app::ops::metrics as names;

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

/// The Prometheus text: the gauges read at scrape time, then everything recorded. The
/// recorder is one per process, so two scrapes at once (two servers in one test process) take
/// turns: each renders the gauges it has just read.
async fn render_metrics(state: &AppState) -> Response {
    static SCRAPE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _turn = SCRAPE.lock().await;
    app::ops::metrics::collect(&state.pool, &state.projector).await;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// `/metrics` on the main address: admins, and API tokens with the `metrics` scope.
async fn metrics(State(state): State<AppState>, user: AuthUser) -> ApiResult<Response> {
    user.require(policy::METRICS)?;
    Ok(render_metrics(&state).await)
}

/// `/metrics` on `LEDGER_METRICS_LISTEN`: no authentication, the address is the protection.
async fn open_metrics(State(state): State<AppState>) -> Response {
    render_metrics(&state).await
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
    metrics::counter!(names::HTTP_REQUESTS, &labels).increment(1);
    metrics::histogram!(names::HTTP_DURATION, &labels).record(started.elapsed().as_secs_f64());
    response
}

/// Liveness and readiness, and `/metrics` (behind authentication) unless it has an address
/// of its own.
pub fn router(metrics_elsewhere: bool) -> Router<AppState> {
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    if metrics_elsewhere {
        router
    } else {
        router.route("/metrics", get(metrics))
    }
}

/// The server of `LEDGER_METRICS_LISTEN`: `/metrics` alone.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(open_metrics))
        .with_state(state)
}

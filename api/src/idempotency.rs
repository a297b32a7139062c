//! `Idempotency-Key` for every POST of the API, with Stripe's semantics, as one middleware:
//!
//! - the same key (per user) with the same request (method, path with query, body) answers the
//!   stored first response, status and body, and writes nothing again;
//! - the same key with another request answers 422 `idempotency_key_reused`;
//! - the same key while its first request still runs answers 409 `idempotency_key_in_use`;
//! - only 2xx and 4xx answers other than 409 and 429 are stored: after a 5xx (an outage's 503)
//!   or a conflict the retry runs again;
//! - keys are 1–255 printable ASCII characters, kept `app::idempotency::RETENTION`, then purged (the key store is `app::idempotency`).
//!
//! The key is also handed to the handler ([`IdempotencyKey`] in the request's extensions) so
//! handlers that move money can derive their postings' ids from it: a retry after a 503 that
//! came after the commit (the answer was lost, the write was not) then finds its own posting
//! instead of booking a second one.
//!
//! Requests without a bearer token (sign-in, registration) and multipart uploads (streamed to
//! disk; an upload of the same file is answered with the earlier import) pass through.

use app::idempotency::{self as store, Answer, Claim};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

pub const HEADER: &str = "idempotency-key";
/// Set on a replayed answer.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
pub const MAX_KEY_CHARS: usize = 255;
/// Largest answer stored for replay; a larger one is not stored (the key is released).
pub const MAX_STORED_BYTES: usize = 16 * 1024 * 1024;

/// The caller's idempotency key, for handlers that derive ids from it.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub user_id: Uuid,
    pub key: String,
}

impl IdempotencyKey {
    /// The key in its user's scope, as text to derive ids from.
    pub fn scoped(&self) -> String {
        format!("{}:{}", self.user_id, self.key)
    }
}

fn invalid_key(detail: &str) -> ApiError {
    ApiError::Status {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "idempotency_key_invalid",
        detail: detail.to_string(),
        field: Some("Idempotency-Key".into()),
    }
}

/// 1 to [`MAX_KEY_CHARS`] printable ASCII characters (space to `~`).
pub fn parse_key(value: &HeaderValue) -> Result<String, ApiError> {
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_KEY_CHARS {
        return Err(invalid_key("must be 1 to 255 characters"));
    }
    if !bytes.iter().all(|b| (0x20..=0x7e).contains(b)) {
        return Err(invalid_key("must be printable ASCII characters"));
    }
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        })
}

fn fingerprint(parts: &Parts, body: &[u8]) -> Vec<u8> {
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut h = Sha256::new();
    h.update(parts.method.as_str());
    h.update([0]);
    h.update(target);
    h.update([0]);
    h.update(body);
    h.finalize().to_vec()
}

/// The middleware (see the module documentation).
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match handle(state, req, next).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn handle(state: AppState, req: Request, next: Next) -> Result<Response, ApiError> {
    let Some(raw) = req
        .headers()
        .get(HEADER)
        .filter(|_| req.method() == Method::POST)
    else {
        return Ok(next.run(req).await);
    };
    let key = parse_key(raw)?;
    if is_multipart(req.headers()) {
        return Ok(next.run(req).await);
    }
    let (mut parts, body) = req.into_parts();
    let user = match AuthUser::from_request_parts(&mut parts, &state).await {
        Ok(user) => user,
        // The database is unreachable: the handler would wait for it a second time (and the
        // 503 would come after two pool timeouts); answer now.
        Err(e) if e.to_problem().status == StatusCode::SERVICE_UNAVAILABLE.as_u16() => {
            return Err(e);
        }
        // Not signed in: the handler answers (or refuses) as it would without a key.
        Err(_) => return Ok(next.run(Request::from_parts(parts, body)).await),
    };
    let bytes = axum::body::to_bytes(body, state.settings.max_body_bytes)
        .await
        .map_err(|_| {
            ApiError::status(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!(
                    "request bodies up to {} bytes are accepted",
                    state.settings.max_body_bytes
                ),
            )
        })?;
    let print = fingerprint(&parts, &bytes);
    let request = store::Request {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        fingerprint: &print,
    };
    match store::claim(&state.pool, user.id, &key, request).await? {
        Claim::Claimed => {}
        Claim::Replay(answer) => return Ok(replay(answer)),
        Claim::Reused => {
            return Err(ApiError::status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request (another endpoint or body); use a new key",
            ));
        }
        Claim::Running => {
            return Err(ApiError::conflict(
                "idempotency_key_in_use",
                "a request with this Idempotency-Key is still running; retry shortly",
            ));
        }
        Claim::ChangingHands => {
            return Err(ApiError::conflict(
                "idempotency_key_in_use",
                "this Idempotency-Key is changing hands; retry shortly",
            ));
        }
    }
    parts.extensions.insert(IdempotencyKey {
        user_id: user.id,
        key: key.clone(),
    });
    let req = Request::from_parts(parts, Body::from(bytes));
    // Run to the end even if the client goes away (the handler's writes may commit anyway):
    // the outcome must be stored or the key released.
    let pool = state.pool.clone();
    let task = tokio::spawn(async move {
        let response = next.run(req).await;
        finish(pool, user.id, key, response).await
    });
    task.await.map_err(ApiError::internal)
}

fn replay(
    Answer {
        status,
        content_type,
        body,
    }: Answer,
) -> Response {
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    if let Some(ct) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.insert(CONTENT_TYPE, ct);
    }
    headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}

/// Whether an answer is kept for replay: successes and the client's own mistakes, but not
/// conflicts, throttling or server errors (the retry must run again).
fn storable(status: StatusCode) -> bool {
    status.is_success()
        || (status.is_client_error()
            && status != StatusCode::CONFLICT
            && status != StatusCode::TOO_MANY_REQUESTS)
}

/// Stores the answer (or releases the key) and hands the answer on.
async fn finish(pool: PgPool, user: Uuid, key: String, response: Response) -> Response {
    let status = response.status();
    if !storable(status) {
        store::settle(pool, user, key, None).await;
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            store::settle(pool, user, key, None).await;
            return ApiError::internal(format!("reading the answer: {e}")).into_response();
        }
    };
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let answer = (bytes.len() <= MAX_STORED_BYTES).then(|| Answer {
        status: status.as_u16() as i16,
        content_type,
        body: bytes.to_vec(),
    });
    store::settle(pool, user, key, answer).await;
    parts.extensions.clear();
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_printable_ascii_of_bounded_length() {
        let ok = |s: &str| parse_key(&HeaderValue::from_str(s).unwrap()).is_ok();
        assert!(ok("a"));
        assert!(ok("order 42/retry ~"));
        assert!(ok(&"k".repeat(255)));
        assert!(!ok(&"k".repeat(256)));
        assert!(!ok("tab\there"));
        assert!(parse_key(&HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap()).is_err());
        assert!(parse_key(&HeaderValue::from_static("")).is_err());
    }

    #[test]
    fn only_successes_and_client_mistakes_are_stored() {
        assert!(storable(StatusCode::CREATED));
        assert!(storable(StatusCode::UNPROCESSABLE_ENTITY));
        assert!(storable(StatusCode::NOT_FOUND));
        assert!(!storable(StatusCode::CONFLICT));
        assert!(!storable(StatusCode::TOO_MANY_REQUESTS));
        assert!(!storable(StatusCode::SERVICE_UNAVAILABLE));
        assert!(!storable(StatusCode::INTERNAL_SERVER_ERROR));
    }
}

//! The auditor's view of the log: the sealed events in order, the chain head, and a full
//! verification.

use axum::body::Body;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use eventstore::log::{SealedFilter, chain_head, event_kinds, fetch_sealed_matching};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::{AuthUser, policy};
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::state::AppState;

/// Most events one page of the audit stream returns.
pub const MAX_AUDIT_PAGE: i64 = 10_000;
/// Most sealed events one request looks at: filters are not indexed, so a filtered page stops
/// here and names where to go on (`x-next-after`) rather than scanning the whole log.
pub const MAX_AUDIT_SCAN: i64 = 50_000;
/// Most distinct (aggregate type, event type) pairs `/api/audit/event-kinds` lists.
pub const MAX_EVENT_KINDS: i64 = 1_000;
/// Longest aggregate or event type a filter accepts (the log's own are far shorter).
const MAX_TYPE_CHARS: usize = 64;
/// Longest aggregate id a filter accepts.
const MAX_AGGREGATE_ID_CHARS: usize = 200;
/// The response header naming the `after` of the next page; absent at the end of the log.
pub const NEXT_AFTER_HEADER: &str = "x-next-after";

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Sealed sequence number to start after (0: from the beginning).
    pub after: Option<i64>,
    /// Events to return (1 to 10000, default 1000).
    pub limit: Option<i64>,
    /// Only events of this aggregate type (e.g. `account`).
    pub aggregate_type: Option<String>,
    /// Only events of this aggregate.
    pub aggregate_id: Option<String>,
    /// Only events of this type (e.g. `Opened`).
    pub event_type: Option<String>,
    /// Recorded at or after: an RFC 3339 time, or a date (from its start, UTC).
    pub from: Option<String>,
    /// Recorded at or before: an RFC 3339 time, or a date (to its end, UTC).
    pub to: Option<String>,
    /// Only events caused by this user.
    pub user_id: Option<String>,
}

/// Which end of a recorded-time range a bound is: a bare date covers its whole UTC day.
#[derive(Clone, Copy)]
enum Bound {
    From,
    To,
}

/// The exclusive-upper or inclusive-lower instant of a `from`/`to` parameter.
fn parse_bound(field: &str, text: &str, bound: Bound) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        let t = t.with_timezone(&Utc);
        return Ok(match bound {
            Bound::From => t,
            // Inclusive: stored times have microseconds, the next one is the first outside.
            Bound::To => t + Duration::microseconds(1),
        });
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        ApiError::invalid(
            field,
            "must be an RFC 3339 time (2026-10-01T12:00:00Z) or a date (2026-10-01)",
        )
    })?;
    let day = match bound {
        Bound::From => Some(day),
        Bound::To => day.succ_opt(),
    };
    day.and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| ApiError::invalid(field, "is out of range"))
}

/// A type filter: ASCII letters, digits, `_`, `-` and `.`, as the log's types are.
fn parse_type(field: &str, text: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(text) = text else { return Ok(None) };
    if text.is_empty() || text.len() > MAX_TYPE_CHARS {
        return Err(ApiError::invalid(
            field,
            format!("must be 1 to {MAX_TYPE_CHARS} characters (omit it to match every type)"),
        ));
    }
    if !text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(ApiError::invalid(
            field,
            "may hold only ASCII letters, digits, '_', '-' and '.'",
        ));
    }
    Ok(Some(text))
}

impl AuditQuery {
    fn filter(self) -> Result<SealedFilter, ApiError> {
        let aggregate_id = match self.aggregate_id {
            Some(id) if id.is_empty() || id.chars().count() > MAX_AGGREGATE_ID_CHARS => {
                return Err(ApiError::invalid(
                    "aggregate_id",
                    format!("must be 1 to {MAX_AGGREGATE_ID_CHARS} characters"),
                ));
            }
            id => id,
        };
        let user_id = self
            .user_id
            .map(|u| Uuid::parse_str(&u))
            .transpose()
            .map_err(|_| ApiError::invalid("user_id", "must be a UUID"))?;
        let recorded_from = self
            .from
            .map(|t| parse_bound("from", &t, Bound::From))
            .transpose()?;
        let recorded_before = self
            .to
            .map(|t| parse_bound("to", &t, Bound::To))
            .transpose()?;
        if let (Some(from), Some(before)) = (recorded_from, recorded_before)
            && before <= from
        {
            return Err(ApiError::invalid("to", "must not be before `from`"));
        }
        Ok(SealedFilter {
            aggregate_type: parse_type("aggregate_type", self.aggregate_type)?,
            aggregate_id,
            event_type: parse_type("event_type", self.event_type)?,
            recorded_from,
            recorded_before,
            user_id,
        })
    }
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

/// One JSON object per line, in sealed order, only the events matching every filter given.
///
/// One request looks at no more than MAX_AUDIT_SCAN sealed events, so a filtered page can hold
/// fewer than `limit` events (even none) before the log's end: the `x-next-after` header is the
/// `after` to ask next, and is absent once the page reached the end of the sealed log.
#[utoipa::path(get, path = "/api/audit/events", tag = "audit", params(AuditQuery),
    responses(
        (status = 200, description = "application/x-ndjson, one AuditEvent per line", content_type = "application/x-ndjson",
            headers(("x-next-after" = i64, description = "The `after` of the next page; absent at the end of the sealed log"))),
        (status = 422, description = "a parameter is invalid", body = crate::error::Problem, content_type = "application/problem+json")))]
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
    let filter = q.filter()?;
    let mut conn = state.pool.acquire().await?;
    // The head first: events sealed after it are only in a later page, never skipped.
    let head = chain_head(&mut conn, false).await?;
    let window = MAX_AUDIT_SCAN.min(head.last_seq.saturating_sub(after).max(0));
    let batch = fetch_sealed_matching(&mut conn, after, window, &filter, limit).await?;
    let full_page = (batch.len() as i64 == limit).then(|| batch.last().map(|e| e.seq));
    let next_after = next_page_after(after, window, head.last_seq, full_page.flatten());
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
    let mut response = Response::builder().header(CONTENT_TYPE, "application/x-ndjson");
    if let Some(next) = next_after {
        response = response.header(NEXT_AFTER_HEADER, next);
    }
    response.body(Body::from(body)).map_err(ApiError::internal)
}

/// Where the page after one that looked at the `window` sealed events after `after` starts: after
/// its last event when it filled up (`full_page_last`), after the window when the log goes on
/// beyond it, and nowhere (None) at the end of the sealed log.
fn next_page_after(
    after: i64,
    window: i64,
    head_seq: i64,
    full_page_last: Option<i64>,
) -> Option<i64> {
    match full_page_last {
        Some(last) => Some(last),
        None if after + window < head_seq => Some(after + window),
        None => None,
    }
}

/// The kinds of events in the log, for the auditor's filter choices.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventKindsOut {
    /// Distinct aggregate types, sorted.
    pub aggregate_types: Vec<String>,
    /// Distinct (aggregate type, event type) pairs, sorted.
    pub kinds: Vec<EventKindOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventKindOut {
    pub aggregate_type: String,
    pub event_type: String,
}

#[utoipa::path(get, path = "/api/audit/event-kinds", tag = "audit", responses((status = 200, body = EventKindsOut)))]
async fn event_kinds_list(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<axum::Json<EventKindsOut>> {
    user.require(policy::AUDIT)?;
    let mut conn = state.pool.acquire().await?;
    let kinds = event_kinds(&mut conn, MAX_EVENT_KINDS).await?;
    let mut aggregate_types: Vec<String> = kinds.iter().map(|k| k.aggregate_type.clone()).collect();
    // Sorted by aggregate type already: equal ones are adjacent.
    aggregate_types.dedup();
    Ok(axum::Json(EventKindsOut {
        aggregate_types,
        kinds: kinds
            .into_iter()
            .map(|k| EventKindOut {
                aggregate_type: k.aggregate_type,
                event_type: k.event_type,
            })
            .collect(),
    }))
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
        .routes(routes!(event_kinds_list))
        .routes(routes!(head))
        .routes(routes!(verify))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_never_skips_an_event() {
        // A full page goes on after its last event, even inside the window.
        assert_eq!(next_page_after(0, 100, 1_000, Some(40)), Some(40));
        // A filtered page that did not fill up goes on after the window it looked at.
        assert_eq!(next_page_after(0, 100, 1_000, None), Some(100));
        // The window reached the head: the end, until more is sealed.
        assert_eq!(next_page_after(900, 100, 1_000, None), None);
        assert_eq!(next_page_after(1_000, 0, 1_000, None), None);
    }

    #[test]
    fn filters_are_validated_field_by_field() {
        let q = |f: fn(&mut AuditQuery)| {
            let mut q = AuditQuery {
                after: None,
                limit: None,
                aggregate_type: None,
                aggregate_id: None,
                event_type: None,
                from: None,
                to: None,
                user_id: None,
            };
            f(&mut q);
            q.filter()
        };
        let field = |r: Result<SealedFilter, ApiError>| match r {
            Err(e) => e.to_problem().field,
            Ok(_) => None,
        };
        assert_eq!(
            field(q(|q| q.aggregate_type = Some("a b".into()))).as_deref(),
            Some("aggregate_type")
        );
        assert_eq!(
            field(q(|q| q.event_type = Some("x".repeat(65)))).as_deref(),
            Some("event_type")
        );
        assert_eq!(
            field(q(|q| q.user_id = Some("me".into()))).as_deref(),
            Some("user_id")
        );
        assert_eq!(
            field(q(|q| q.from = Some("2026-02-30".into()))).as_deref(),
            Some("from")
        );
        // A bare `to` day covers the whole day: to=from is one day, not empty.
        let day = q(|q| {
            q.from = Some("2026-10-01".into());
            q.to = Some("2026-10-01".into());
        })
        .unwrap();
        assert_eq!(
            day.recorded_before.unwrap() - day.recorded_from.unwrap(),
            Duration::days(1)
        );
        // An RFC 3339 `to` is inclusive, in UTC whatever its offset.
        let t = q(|q| q.to = Some("2026-10-01T12:00:00+03:00".into())).unwrap();
        assert_eq!(
            t.recorded_before.unwrap().to_rfc3339(),
            "2026-10-01T09:00:00.000001+00:00"
        );
        assert!(q(|_| {}).is_ok());
    }
}

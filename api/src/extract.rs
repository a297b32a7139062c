//! Extractors that answer malformed input with the API's problem+json shape instead of axum's
//! plain-text rejections, and refuse unknown fields in every JSON body.

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use domain::text;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// JSON body. Unknown fields are an error (a typo must not silently drop data).
pub struct Json<T>(pub T);

pub fn is_json_content_type(value: Option<&str>) -> bool {
    value.is_some_and(|ct| {
        let mime = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
    })
}

/// The one refusal of a NUL character (U+0000) in a request, wherever it came in.
fn nul_refused(field: impl Into<String>) -> ApiError {
    ApiError::invalid(field, "must not contain NUL characters (U+0000)")
}

/// Refuses a JSON body with a NUL in any string, naming where it is. PostgreSQL cannot store a
/// NUL in text: refused here, it can reach neither a query nor the log. The domain's text rule
/// refuses it too, field by field; this covers every body at once, also fields that only feed
/// queries (a NUL in a lookup key used to answer 500).
fn refuse_nul_in_json(bytes: &[u8]) -> Result<(), ApiError> {
    if !text::json_has_nul_escape(bytes) {
        return Ok(());
    }
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(value) => match text::json_nul_path(&value) {
            Some(path) if path.is_empty() => Err(nul_refused("body")),
            Some(path) => Err(nul_refused(path)),
            None => Ok(()),
        },
        // Malformed JSON: the parser below says what is wrong with it.
        Err(_) => Ok(()),
    }
}

/// Refuses a query string with a NUL in a name or value (`%00`), naming the parameter.
pub fn refuse_nul_in_query(query: Option<&str>) -> Result<(), ApiError> {
    let Some(query) = query.filter(|q| q.contains("%00")) else {
        return Ok(());
    };
    match form_urlencoded::parse(query.as_bytes())
        .find(|(k, v)| text::has_unstorable(k) || text::has_unstorable(v))
    {
        Some((k, _)) => Err(nul_refused(k.replace('\0', "\u{FFFD}"))),
        None => Ok(()),
    }
}

/// Parses `bytes` as `T`, naming the first unknown field or the path of the first bad value.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    refuse_nul_in_json(bytes)?;
    let mut unknown = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: Result<T, _> =
        serde_ignored::deserialize(&mut de, |path| unknown.push(path.to_string()));
    match value {
        Ok(v) => {
            if let Some(field) = unknown.into_iter().next() {
                return Err(ApiError::Status {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    code: "unknown_field",
                    detail: format!("unknown field `{field}`"),
                    field: Some(field),
                });
            }
            de.end()
                .map_err(|e| ApiError::bad_request("malformed_json", e.to_string()))?;
            Ok(v)
        }
        Err(e) if e.is_syntax() || e.is_eof() => {
            Err(ApiError::bad_request("malformed_json", e.to_string()))
        }
        Err(e) => {
            // Re-run with path tracking to tell the client where the bad value is.
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let field = match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(pe) => Some(pe.path().to_string()).filter(|p| p != "."),
                Ok(_) => None,
            };
            Err(ApiError::Status {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "invalid_body",
                detail: e.to_string(),
                field,
            })
        }
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json_content_type(
            req.headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
        ) {
            return Err(ApiError::status(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::status(e.status(), "body_unreadable", e.body_text()))?;
        parse_json(&bytes).map(Json)
    }
}

/// Query string parameters.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        refuse_nul_in_query(parts.uri.query())?;
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(ApiError::bad_request("invalid_query", e.body_text()))
            }
            Err(e) => Err(ApiError::bad_request("invalid_query", e.body_text())),
        }
    }
}

/// A JSON body that may be absent (empty body: `None`).
pub struct OptionalJson<T>(pub Option<T>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = is_json_content_type(
            req.headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
        );
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::status(e.status(), "body_unreadable", e.body_text()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(None));
        }
        if !json {
            return Err(ApiError::status(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        parse_json(&bytes).map(|v| OptionalJson(Some(v)))
    }
}

/// Path parameters (a malformed id is a problem+json 400, not axum's plain text).
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts.uri.path().contains("%00") {
            return Err(nul_refused("path"));
        }
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|e| ApiError::bad_request("invalid_path", e.body_text()))
    }
}

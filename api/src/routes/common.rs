//! Pieces every route uses: paging, consistency tokens, request ids.

use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

pub const DEFAULT_PAGE: i64 = 50;

/// A page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Rows per page (1 to 1000, default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

impl Paging {
    pub fn resolve(&self) -> Result<(i64, i64), ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=projections::queries::MAX_PAGE).contains(&limit) {
            return Err(ApiError::invalid(
                "limit",
                format!("must be 1 to {}", projections::queries::MAX_PAGE),
            ));
        }
        let offset = self.offset.unwrap_or(0);
        if offset < 0 {
            return Err(ApiError::invalid("offset", "must not be negative"));
        }
        Ok((limit, offset))
    }
}

/// `?min_position=P`: answer only once the read side includes log position P (returned by
/// every command), so a client always sees its own writes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Consistency {
    pub min_position: Option<i64>,
}

pub fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Refuses a sort key that is not in `allowed`.
pub fn sort_sql(
    sort: Option<&str>,
    allowed: &[(&str, &'static str)],
) -> Result<&'static str, ApiError> {
    let key = sort.unwrap_or(allowed[0].0);
    allowed
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, sql)| *sql)
        .ok_or_else(|| {
            let keys: Vec<&str> = allowed.iter().map(|(k, _)| *k).collect();
            ApiError::invalid("sort", format!("must be one of {}", keys.join(", ")))
        })
}

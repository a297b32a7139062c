//! The one error shape of the HTTP API: RFC 9457 problem+json with a stable `code`.
//! Every error of every crate is mapped to it here, once.

use app::AppError;
use app::error::UpstreamFailure;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::DomainError;
use domain::access::AccessError;
use domain::error::ErrorKind;
use domain::transaction::shorthand::ShorthandError;
use projections::{ProjectionError, ReadError};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem kind (`about:blank` plus `code` is enough for clients).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code, e.g. `transaction_unbalanced`.
    pub code: String,
    /// Where in the input the problem is, when known (e.g. `entries[1].amount`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("{detail}")]
    Status {
        status: StatusCode,
        code: &'static str,
        detail: String,
        field: Option<String>,
    },
    /// 429 with a `Retry-After` header (rate limits, a saturated password hashing pool).
    #[error("{detail}")]
    Throttled {
        code: &'static str,
        retry_after_secs: u64,
        detail: String,
    },
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("projection: {0}")]
    Projection(#[from] ProjectionError),
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn status(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self::Status {
            status,
            code,
            detail: detail.into(),
            field: None,
        }
    }
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::status(StatusCode::BAD_REQUEST, code, detail)
    }
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Status {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_failed",
            detail: detail.into(),
            field: Some(field.into()),
        }
    }
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::status(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{} not found", what.into()),
        )
    }
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::status(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::status(StatusCode::FORBIDDEN, "forbidden", detail)
    }
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::status(StatusCode::CONFLICT, code, detail)
    }
    /// 429 `too_many_requests`, telling the client to retry after `retry_after_secs` (≥ 1).
    pub fn too_many_requests(retry_after_secs: u64, detail: impl Into<String>) -> Self {
        Self::Throttled {
            code: "too_many_requests",
            retry_after_secs: retry_after_secs.max(1),
            detail: detail.into(),
        }
    }
    /// The `Retry-After` to send with this error, if any.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            ApiError::Throttled {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        }
    }
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }
    /// The database cannot be reached (or went away mid-request): 503, retry shortly.
    pub fn database_unavailable() -> Self {
        Self::status(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "the database is not reachable; try again shortly",
        )
    }
    /// Whether this error means the database is unavailable (a 503 the client should retry).
    pub fn is_unavailable(&self) -> bool {
        match self {
            ApiError::Db(e) => is_unavailable(e),
            ApiError::Projection(ProjectionError::Db(e)) => is_unavailable(e),
            ApiError::Status { code, .. } => *code == "database_unavailable",
            _ => false,
        }
    }

    pub fn to_problem(&self) -> Problem {
        let (status, code, detail, field) = match self {
            ApiError::Domain(e) => {
                let status = match e.kind() {
                    ErrorKind::NotFound => StatusCode::NOT_FOUND,
                    ErrorKind::Conflict => StatusCode::CONFLICT,
                    ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                };
                (status, e.code(), domain_detail(e), domain_field(e))
            }
            ApiError::Status {
                status,
                code,
                detail,
                field,
            } => (*status, *code, detail.clone(), field.clone()),
            ApiError::Throttled { code, detail, .. } => {
                (StatusCode::TOO_MANY_REQUESTS, *code, detail.clone(), None)
            }
            e @ (ApiError::Db(_) | ApiError::Projection(_)) if e.is_unavailable() => (
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                "the database is not reachable; try again shortly".to_string(),
                None,
            ),
            ApiError::Db(_) | ApiError::Projection(_) | ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "an internal error occurred; it has been logged".to_string(),
                None,
            ),
        };
        Problem {
            kind: format!("https://ledger.invalid/problems/{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail,
            code: code.to_string(),
            field,
        }
    }
}

impl From<ReadError> for ApiError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Db(e) => e.into(),
            ReadError::MissingRate { .. } => {
                ApiError::bad_request("missing_rate", format!("{e}; enter one at /api/rates"))
            }
            ReadError::NoRateOnOrBefore { .. } => {
                ApiError::bad_request("missing_rate", e.to_string())
            }
            ReadError::TooManyRows => ApiError::invalid("group_by", e.to_string()),
            ReadError::Invalid { field, message } => ApiError::invalid(field, message),
            ReadError::NotFound(what) => ApiError::not_found(what),
            ReadError::Account(..) | ReadError::Internal(_) => ApiError::internal(e),
            ReadError::Domain(e) => ApiError::Domain(e),
        }
    }
}

/// The request field a domain refusal is about, as the request body spells it.
pub fn domain_field(e: &DomainError) -> Option<String> {
    match e {
        DomainError::Invalid { field, .. } => Some(path(field)),
        _ => None,
    }
}

pub use app::error::{domain_detail, field_path as path};

/// A refused short form: 422 `validation_failed` on the form's field.
impl From<ShorthandError> for ApiError {
    fn from(e: ShorthandError) -> Self {
        ApiError::invalid(shorthand_field(&e), e.to_string())
    }
}

/// The request field a refused short form is about (`income.amount`, `transfer`).
fn shorthand_field(e: &ShorthandError) -> String {
    match e {
        ShorthandError::NotPositive { form, figure } => {
            format!("{}.{}", form.as_str(), figure.as_str())
        }
        ShorthandError::TransferNeedsRate { .. } | ShorthandError::TransferRateInOneCurrency => {
            "transfer".to_string()
        }
    }
}

/// How long a client should wait before retrying a 503, in seconds.
pub const RETRY_AFTER_SECONDS: u32 = 1;

pub use app::error::is_unavailable;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.to_problem();
        if problem.status >= 500 {
            tracing::error!(error = %self, code = %problem.code, "request failed");
        }
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.retry_after_secs() {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        } else if status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The one mapping of the application's typed errors to HTTP.
impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        use StatusCode as S;
        let status = |status, code, detail: String, field: Option<String>| ApiError::Status {
            status,
            code,
            detail,
            field,
        };
        match e {
            AppError::Domain(e) => ApiError::Domain(e),
            AppError::Access(e) => e.into(),
            AppError::Invalid { field, detail } => ApiError::invalid(field, detail),
            AppError::NotFound { what } => ApiError::not_found(what),
            AppError::ConcurrentUpdate { detail } => {
                ApiError::conflict("concurrent_update", detail)
            }
            AppError::IdempotencyKeyReused { detail } => status(
                S::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                detail,
                Some("idempotency_key".into()),
            ),
            AppError::MissingRate { field, detail } => {
                status(S::UNPROCESSABLE_ENTITY, "missing_rate", detail, Some(field))
            }
            AppError::InBatch { index, error } => {
                let field = match &error {
                    DomainError::Invalid { field, .. } => {
                        format!("transactions[{index}].{}", path(field))
                    }
                    _ => format!("transactions[{index}]"),
                };
                let code = error.code();
                let problem = ApiError::Domain(error).to_problem();
                let detail = format!("transactions[{index}]: {}", problem.detail);
                let http = S::from_u16(problem.status).unwrap_or(S::UNPROCESSABLE_ENTITY);
                status(http, code, detail, Some(field))
            }
            AppError::Upstream { failure, detail } => {
                let (http, code) = match failure {
                    UpstreamFailure::TronScanRateLimited => {
                        (S::SERVICE_UNAVAILABLE, "tronscan_rate_limited")
                    }
                    UpstreamFailure::TronScanTimeout => (S::BAD_GATEWAY, "tronscan_timeout"),
                    UpstreamFailure::TronScanFailed => (S::BAD_GATEWAY, "tronscan_failed"),
                    UpstreamFailure::RateSourceFailed => (S::BAD_GATEWAY, "rate_source_failed"),
                };
                status(http, code, detail, None)
            }
            AppError::UploadQuotaExceeded { detail } => status(
                S::INSUFFICIENT_STORAGE,
                "upload_quota_exceeded",
                detail,
                None,
            ),
            AppError::Unavailable => ApiError::database_unavailable(),
            AppError::Db(e) => ApiError::Db(e),
            AppError::Projection(e) => ApiError::Projection(e),
            AppError::Internal(e) => ApiError::Internal(e),
        }
    }
}

/// The one mapping of access refusals to HTTP.
impl From<AccessError> for ApiError {
    fn from(e: AccessError) -> Self {
        use AccessError as A;
        use StatusCode as S;
        let code = e.code();
        let detail = e.to_string();
        if let Some(retry_after_secs) = e.retry_after() {
            return ApiError::Throttled {
                code,
                retry_after_secs: retry_after_secs.max(1),
                detail,
            };
        }
        let status = match &e {
            A::Invalid { field, .. } => return ApiError::invalid(*field, detail),
            A::InvalidLinkToken => S::BAD_REQUEST,
            A::SessionEnded
            | A::AccountGone
            | A::InvalidApiToken
            | A::InvalidCredentials
            | A::InvalidRefreshToken
            | A::RefreshTokenReused => S::UNAUTHORIZED,
            A::RoleForbidden { .. }
            | A::ScopeMissing { .. }
            | A::SessionRequired
            | A::AccountDisabled
            | A::EmailNotConfirmed
            | A::InvitationRequired
            | A::RegistrationClosed
            | A::InvalidInvitation
            | A::CannotChangeOwnAccess => S::FORBIDDEN,
            A::EmailTaken | A::InvitationAccepted | A::LastAdmin | A::TooManyTokens => S::CONFLICT,
            A::TooManyAttempts { .. } | A::HashingBusy => S::TOO_MANY_REQUESTS,
        };
        ApiError::status(status, code, detail)
    }
}

impl From<eventstore::LoadError> for ApiError {
    fn from(e: eventstore::LoadError) -> Self {
        match e {
            eventstore::LoadError::Db(e) => ApiError::Db(e),
            e @ eventstore::LoadError::Undecodable { .. } => ApiError::internal(e),
        }
    }
}

/// An event holding a NUL reached the log's last check: the same 422 the extractors give,
/// without a field (which one escaped the text rule is logged where it was refused).
impl From<eventstore::Unstorable> for ApiError {
    fn from(_: eventstore::Unstorable) -> Self {
        ApiError::invalid("body", "text must not contain NUL characters (U+0000)")
    }
}

#[cfg(test)]
mod tests {
    use domain::error::{Field, Refusal};
    use domain::transaction::shorthand::{Figure, Form};
    use domain::tron_wallet::posting::ItemPostingError;

    use super::*;

    fn answer(e: impl Into<ApiError>) -> (u16, String, String, Option<String>) {
        let p = e.into().to_problem();
        (p.status, p.code, p.detail, p.field)
    }

    #[test]
    fn a_domain_field_is_answered_as_its_request_path() {
        let leg = DomainError::invalid(
            Field::Leg {
                index: 1,
                field: "amount",
            },
            "must not be zero",
        );
        assert_eq!(
            answer(leg),
            (
                422,
                "validation_failed".into(),
                "entries[1].amount: must not be zero".into(),
                Some("entries[1].amount".into())
            )
        );
        let line = DomainError::invalid(
            Field::Line {
                index: 0,
                field: "quantity",
            },
            "must be greater than zero",
        );
        assert_eq!(answer(line).3.as_deref(), Some("lines[0].quantity"));
        assert_eq!(
            answer(DomainError::invalid(
                "date",
                "must not be before 1970-01-01"
            ))
            .2,
            "date: must not be before 1970-01-01"
        );
    }

    #[test]
    fn refusals_are_409_with_their_own_codes() {
        let id = uuid::Uuid::from_u128(7);
        assert_eq!(
            answer(DomainError::from(Refusal::PaymentAlreadyApplied(id))),
            (
                409,
                "already_applied".into(),
                format!("transaction {id} is already applied to this invoice"),
                None
            )
        );
        let taken = Refusal::CampaignKeyTaken {
            field: "source_keys",
            key: "cmp-1".into(),
        };
        assert_eq!(
            answer(DomainError::from(taken)),
            (
                409,
                "conflict".into(),
                "source_keys: `cmp-1` already belongs to another campaign".into(),
                None
            )
        );
    }

    #[test]
    fn short_form_and_tron_item_refusals_answer_as_before() {
        let not_positive = ShorthandError::NotPositive {
            form: Form::Income,
            figure: Figure::Amount,
        };
        assert_eq!(
            answer(not_positive),
            (
                422,
                "validation_failed".into(),
                "must be positive".into(),
                Some("income.amount".into())
            )
        );
        assert_eq!(
            answer(AppError::from(ItemPostingError::FeeAccountMissing)),
            (
                422,
                "validation_failed".into(),
                "a USDT wallet pays its fees from a TRX wallet; name it".into(),
                Some("fee_account_id".into())
            )
        );
    }
}

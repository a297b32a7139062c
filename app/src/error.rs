//! Why a command did not happen, typed. Nothing here knows HTTP: the edge (api/src/error.rs)
//! maps each variant to a status and problem+json once.

use domain::DomainError;
use domain::access::AccessError;
use domain::error::Field;
use domain::tron_wallet::posting::{ItemLeg, ItemPostingError};
use eventstore::{LoadError, Unstorable};
use projections::ProjectionError;

/// Which outside service failed, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamFailure {
    /// TronScan kept rate-limiting us past the retries.
    TronScanRateLimited,
    TronScanTimeout,
    TronScanFailed,
    /// An exchange-rate source (ECB, CoinGecko) failed.
    RateSourceFailed,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// An access rule refused (sign-in, registration, tokens, user administration).
    #[error(transparent)]
    Access(#[from] AccessError),
    /// Input refused before the domain saw it; `field` is named as the caller sent it.
    #[error("{detail}")]
    Invalid { field: String, detail: String },
    #[error("{what} not found")]
    NotFound { what: String },
    /// Another writer appended to a stream this command read; nothing was written.
    #[error("{detail}")]
    ConcurrentUpdate { detail: String },
    /// An idempotency key came back with a different request.
    #[error("{detail}")]
    IdempotencyKeyReused { detail: String },
    /// A conversion needs an exchange rate the books do not hold.
    #[error("{detail}")]
    MissingRate { field: String, detail: String },
    /// Entry `index` of a batch was refused; nothing of the batch was written.
    #[error("transactions[{index}]: {error}")]
    InBatch { index: usize, error: DomainError },
    #[error("{detail}")]
    Upstream {
        failure: UpstreamFailure,
        detail: String,
    },
    /// The upload folder cannot take the file.
    #[error("{detail}")]
    UploadQuotaExceeded { detail: String },
    /// The database is not reachable (or went away mid-command).
    #[error("the database is not reachable; try again shortly")]
    Unavailable,
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("projection: {0}")]
    Projection(#[from] ProjectionError),
    #[error("internal: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            detail: detail.into(),
        }
    }
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound { what: what.into() }
    }
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }
}

impl AppError {
    /// Whether the command was refused as asked (bad input, a rule, a conflict with the books'
    /// current state), as opposed to failing on the way (database, upstream service, bug).
    /// A refusal's text is fit to show the person who asked.
    pub fn is_refusal(&self) -> bool {
        match self {
            AppError::Access(e) => !matches!(e, AccessError::HashingBusy),
            AppError::Domain(_)
            | AppError::Invalid { .. }
            | AppError::NotFound { .. }
            | AppError::ConcurrentUpdate { .. }
            | AppError::IdempotencyKeyReused { .. }
            | AppError::MissingRate { .. }
            | AppError::InBatch { .. } => true,
            AppError::Upstream { .. }
            | AppError::UploadQuotaExceeded { .. }
            | AppError::Unavailable
            | AppError::Db(_)
            | AppError::Projection(_)
            | AppError::Internal(_) => false,
        }
    }

    /// Whether the database was unreachable (a retry shortly may succeed).
    pub fn is_unavailable(&self) -> bool {
        match self {
            AppError::Unavailable => true,
            AppError::Db(e) | AppError::Projection(ProjectionError::Db(e)) => is_unavailable(e),
            _ => false,
        }
    }
}

/// Whether `e` means the database is unreachable or went away, rather than refusing the
/// statement: the pool could not get a connection in time, the connection broke (I/O, TLS,
/// protocol), or the server says it is shutting down or not accepting connections
/// (SQLSTATE class 08, 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now).
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
        _ => false,
    }
}

impl From<LoadError> for AppError {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Db(e) => AppError::Db(e),
            e @ LoadError::Undecodable { .. } => AppError::internal(e),
        }
    }
}

/// An event holding a NUL reached the log's last check: refused like the extractors refuse it,
/// without a field (which one escaped the text rule is logged where it was refused).
impl From<Unstorable> for AppError {
    fn from(_: Unstorable) -> Self {
        AppError::invalid("body", "text must not contain NUL characters (U+0000)")
    }
}

/// A domain field as the caller's request spells it: a leg is an entry, a line a line.
pub fn field_path(field: &Field) -> String {
    match field {
        Field::Name(name) => name.clone(),
        Field::Leg { index, field } => format!("entries[{index}].{field}"),
        Field::Line { index, field } => format!("lines[{index}].{field}"),
        Field::Contact { index, field } => format!("contacts[{index}].{field}"),
    }
}

/// A domain refusal's text for the caller: the domain's message, with a field named by its
/// request path (`entries[1].amount: must not be zero`).
pub fn domain_detail(e: &DomainError) -> String {
    match e {
        DomainError::Invalid { field, reason } => format!("{}: {reason}", field_path(field)),
        e => e.to_string(),
    }
}

/// A refused Tron item posting, on the request field the user gave.
impl From<ItemPostingError> for AppError {
    fn from(e: ItemPostingError) -> Self {
        AppError::invalid(item_field(&e), e.to_string())
    }
}

/// The request field a refused Tron item posting is about.
fn item_field(e: &ItemPostingError) -> &'static str {
    match e {
        ItemPostingError::SelfTransfer => "tx_hash",
        ItemPostingError::NegativeFee => "fee_trx",
        ItemPostingError::FeeExpenseAccountMissing { .. } => "fee_expense_account_id",
        ItemPostingError::FeeAccountMissing | ItemPostingError::FeeAccountNotTrx => {
            "fee_account_id"
        }
        ItemPostingError::WorthNothing { leg, .. } => item_leg_field(*leg),
    }
}

/// The request field that names the account of an item posting's `leg`.
pub fn item_leg_field(leg: ItemLeg) -> &'static str {
    match leg {
        ItemLeg::Counter => "counter_account_id",
        ItemLeg::FeeExpense => "fee_expense_account_id",
    }
}

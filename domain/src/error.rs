use thiserror::Error;

/// Why the domain refused a command. Each variant maps to one stable machine-readable code
/// ([`DomainError::code`]) that the HTTP edge puts into its problem+json answer.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DomainError {
    #[error("unknown currency `{0}`")]
    UnknownCurrency(String),
    #[error("amount {amount} has more decimals than {currency} allows ({scale})")]
    TooPrecise {
        amount: String,
        currency: String,
        scale: u32,
    },
    #[error("amount {0} is too large")]
    AmountTooLarge(String),
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("transaction does not balance: {0}")]
    Unbalanced(String),
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error("{entity} {id} is archived")]
    Archived { entity: &'static str, id: String },
    #[error("{entity} {id} already exists")]
    AlreadyExists { entity: &'static str, id: String },
    #[error(
        "the period up to {closed_through} is closed; date {date} cannot take postings \
         (date the correction in an open period and name the closed month in `adjusts`)"
    )]
    PeriodClosed {
        closed_through: chrono::NaiveDate,
        date: chrono::NaiveDate,
    },
    #[error("{0}")]
    Conflict(String),
    #[error(
        "the payment settles {applied} {currency} but only {open} {currency} is open; \
         pay at most the open amount, or set `allow_overpayment` to record the excess as credit"
    )]
    Overpayment {
        open: String,
        applied: String,
        currency: String,
    },
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Stable code for clients; never change an existing one.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownCurrency(_) => "unknown_currency",
            Self::TooPrecise { .. } => "amount_too_precise",
            Self::AmountTooLarge(_) => "amount_too_large",
            Self::Invalid { .. } => "validation_failed",
            Self::Unbalanced(_) => "transaction_unbalanced",
            Self::NotFound { .. } => "not_found",
            Self::Archived { .. } => "archived",
            Self::AlreadyExists { .. } => "already_exists",
            Self::PeriodClosed { .. } => "period_closed",
            Self::Conflict(_) => "conflict",
            Self::Overpayment { .. } => "invoice_overpayment",
        }
    }
}

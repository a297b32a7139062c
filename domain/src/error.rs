use std::fmt;

use chrono::NaiveDate;
use thiserror::Error;
use uuid::Uuid;

/// Which field of a command a refusal is about, as the domain names it. The HTTP edge spells
/// it as the path of its request body (`entries[1].amount`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// A field of the command itself (`date`, `tags`, `crypto.amount`).
    Name(String),
    /// Field `field` of leg `index` of a posting (zero-based).
    Leg { index: usize, field: &'static str },
    /// Field `field` of line `index` of a document (zero-based).
    Line { index: usize, field: &'static str },
    /// Field `field` of contact `index` of a counterparty (zero-based).
    Contact { index: usize, field: &'static str },
}

impl From<&str> for Field {
    fn from(name: &str) -> Self {
        Self::Name(name.to_string())
    }
}

impl From<String> for Field {
    fn from(name: String) -> Self {
        Self::Name(name)
    }
}

impl PartialEq<str> for Field {
    fn eq(&self, other: &str) -> bool {
        matches!(self, Self::Name(n) if n == other)
    }
}

impl PartialEq<&str> for Field {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(n) => f.write_str(n),
            Self::Leg { index, field } => write!(f, "{field} of leg {}", index + 1),
            Self::Line { index, field } => write!(f, "{field} of line {}", index + 1),
            Self::Contact { index, field } => write!(f, "{field} of contact {}", index + 1),
        }
    }
}

/// What kind of refusal an error is: bad input, a missing thing, or a state that forbids the
/// command. The HTTP edge turns it into a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Invalid,
    NotFound,
    Conflict,
}

/// Why the domain refused a command. Each variant maps to one stable machine-readable code
/// ([`DomainError::code`]) that the HTTP edge puts into its problem+json answer. Two commands
/// refuse with errors of their own, which the edge maps as well: the short forms of a posting
/// (`transaction::shorthand::ShorthandError`) and a Tron item's posting
/// (`tron_wallet::posting::ItemPostingError`).
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
    Invalid { field: Field, reason: String },
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
        closed_through: NaiveDate,
        date: NaiveDate,
    },
    #[error(
        "the payment settles {applied} {currency} but only {open} {currency} is open; \
         pay at most the open amount, or set `allow_overpayment` to record the excess as credit"
    )]
    Overpayment {
        open: String,
        applied: String,
        currency: String,
    },
    #[error(transparent)]
    Refused(#[from] Refusal),
}

/// A command that the state of its aggregate forbids, one variant per refusal, grouped by
/// the document it concerns. Each has its own code ([`Refusal::code`]).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Refusal {
    // Transactions.
    #[error("the transaction is already reversed")]
    AlreadyReversed,
    #[error("a reversal cannot be reversed; post a new transaction instead")]
    ReversalNotReversible,
    #[error("the transaction has no crypto details to verify")]
    NoCryptoDetails,
    #[error("a reversed transaction (or a reversal) is not verified")]
    ReversedNotVerified,
    // The period lock.
    #[error("the books are already closed through {0}")]
    AlreadyClosed(NaiveDate),
    #[error("no period is closed")]
    NothingClosed,
    // Invoices and their number series.
    #[error("a {status} invoice cannot be {action}")]
    InvoiceStatus {
        status: &'static str,
        action: &'static str,
    },
    #[error("the invoice has no content")]
    InvoiceWithoutContent,
    #[error("transaction {0} is already applied to this invoice")]
    PaymentAlreadyApplied(Uuid),
    #[error("transaction {transaction_id} is already applied to invoice {invoice_id}")]
    AppliedElsewhere {
        transaction_id: Uuid,
        invoice_id: Uuid,
    },
    #[error("an invoice takes at most {0} payments")]
    TooManyPayments(usize),
    #[error("the invoice is not newly overdue")]
    NotNewlyOverdue,
    #[error("the series is full ({0} numbers)")]
    SeriesFull(u32),
    // Payouts.
    #[error("a {status} payout cannot be {action}")]
    PayoutStatus {
        status: &'static str,
        action: &'static str,
    },
    #[error("payout {0} of this program already covers part of the period")]
    PayoutOverlap(Uuid),
    #[error("the payout is not approved")]
    PayoutNotApproved,
    // Recurring payments.
    #[error("{0} is not the next day due of this schedule")]
    NotNextDue(NaiveDate),
    #[error("the recurring payment has ended")]
    RecurringEnded,
    #[error("already paused")]
    AlreadyPaused,
    #[error("a schedule can be paused at most {0} times")]
    TooManyPauses(usize),
    #[error("not paused")]
    NotPaused,
    // Traffic.
    #[error("{field}: `{key}` already belongs to another campaign")]
    CampaignKeyTaken { field: &'static str, key: String },
    #[error("this import has already been applied")]
    ImportAlreadyApplied,
    #[error("item {tx_hash} is already {status}")]
    ItemSettled {
        tx_hash: String,
        status: &'static str,
    },
}

impl Refusal {
    /// Stable code for clients; never change an existing one. Three refusals keep the generic
    /// `conflict` that clients already read (the web app's campaign form, the crypto and
    /// posting-rule tests).
    pub fn code(&self) -> &'static str {
        match self {
            Self::AlreadyReversed => "conflict",
            Self::ReversalNotReversible => "reversal_not_reversible",
            Self::NoCryptoDetails => "no_crypto_details",
            Self::ReversedNotVerified => "conflict",
            Self::AlreadyClosed(_) => "period_already_closed",
            Self::NothingClosed => "period_not_closed",
            Self::InvoiceStatus { .. } => "invoice_status",
            Self::InvoiceWithoutContent => "invoice_without_content",
            Self::PaymentAlreadyApplied(_) | Self::AppliedElsewhere { .. } => "already_applied",
            Self::TooManyPayments(_) => "too_many_payments",
            Self::NotNewlyOverdue => "invoice_not_newly_overdue",
            Self::SeriesFull(_) => "invoice_series_full",
            Self::PayoutStatus { .. } => "payout_status",
            Self::PayoutOverlap(_) => "payout_overlap",
            Self::PayoutNotApproved => "payout_not_approved",
            Self::NotNextDue(_) => "recurring_not_due",
            Self::RecurringEnded => "recurring_ended",
            Self::AlreadyPaused => "recurring_already_paused",
            Self::TooManyPauses(_) => "recurring_too_many_pauses",
            Self::NotPaused => "recurring_not_paused",
            Self::CampaignKeyTaken { .. } => "conflict",
            Self::ImportAlreadyApplied => "import_already_applied",
            Self::ItemSettled { .. } => "item_settled",
        }
    }
}

impl DomainError {
    pub fn invalid(field: impl Into<Field>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The same refusal about `field` (for a check written for a plain field, applied to a
    /// field of a leg, a line or a contact).
    pub fn at(self, field: Field) -> Self {
        match self {
            Self::Invalid { reason, .. } => Self::invalid(field, reason),
            other => other,
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
            Self::Overpayment { .. } => "invoice_overpayment",
            Self::Refused(r) => r.code(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::AlreadyExists { .. } | Self::Refused(_) => ErrorKind::Conflict,
            _ => ErrorKind::Invalid,
        }
    }
}

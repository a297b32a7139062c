//! Invoices: what we bill (receivable) or are billed (payable). A draft holds the counterparty,
//! the lines and the dates; issuing gives it a number from its series and posts it to the books;
//! payments (from postings that moved the money) settle it, in full, in part or beyond its total
//! (an overpayment, recorded as such: the counterparty's credit); a reversal cancels it. The
//! postings themselves belong to the transaction aggregate: the caller makes them and the
//! invoice records their ids.
//!
//! Money rule: every line amount is `quantity × unit_price` rounded half-even to the currency's
//! scale, the total is the sum of the rounded lines, and payments are applied in the invoice's
//! currency at its scale, so `open = total − paid + overpaid` is exact and never negative.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{DomainError, Field, Refusal};
use crate::money::{Currency, MAX_AMOUNT_ABS, round_to_scale};
use crate::text::{clean_line, clean_text};

pub mod ageing;
pub mod open_spans;
pub mod posting;

/// Most lines one invoice may have.
pub const MAX_LINES: usize = 200;
/// Most payments one invoice may take (each one is a posting in the books).
pub const MAX_PAYMENTS: usize = 1_000;
/// Longest line description, in characters.
pub const MAX_LINE_DESCRIPTION_CHARS: usize = 500;
/// Longest supplier's own invoice number, in characters.
pub const MAX_EXTERNAL_NUMBER_CHARS: usize = 100;
/// Longest note on an invoice, in characters.
pub const MAX_NOTES_CHARS: usize = 2_000;
/// Most decimals a quantity or a unit price may carry (unit prices may be finer than the
/// currency: 0.0015 per impression).
pub const MAX_QUANTITY_DECIMALS: u32 = 6;
pub const MAX_UNIT_PRICE_DECIMALS: u32 = 10;
/// Largest quantity on one line.
pub const MAX_QUANTITY: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);
/// Longest payment term: the due date is at most this many days after the issue date.
pub const MAX_TERM_DAYS: i64 = 3_660;
/// Highest number a series hands out (one series per direction and year).
pub const MAX_SERIES_NUMBER: u32 = 9_999_999;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// We bill the counterparty: an asset (accounts receivable) against income.
    Receivable,
    /// The counterparty bills us: an expense against a liability (accounts payable).
    Payable,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Receivable => "receivable",
            Self::Payable => "payable",
        }
    }

    /// The prefix of our own numbers (`INV-2026-00001`, `BILL-2026-00001`).
    pub fn series_prefix(self) -> &'static str {
        match self {
            Self::Receivable => "INV",
            Self::Payable => "BILL",
        }
    }
}

/// The lifecycle status kept in the log. "Overdue" is derived from the due date and the open
/// amount at the moment of reading (and recorded once by the daily job).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Draft,
    Issued,
    PartiallyPaid,
    Paid,
    Cancelled,
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Issued => "issued",
            Self::PartiallyPaid => "partially_paid",
            Self::Paid => "paid",
            Self::Cancelled => "cancelled",
        }
    }
}

/// A line as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInput {
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub project_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
}

/// A line as recorded: its amount already rounded to the currency's scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceLine {
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub quantity: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub unit_price: Decimal,
    /// `quantity × unit_price`, rounded half-even to the currency's scale.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub amount: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<Uuid>,
}

/// The editable content of a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftInput {
    pub counterparty_id: Uuid,
    pub currency: Currency,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub external_number: Option<String>,
    pub notes: Option<String>,
    pub lines: Vec<LineInput>,
}

/// A checked draft, as its events carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub counterparty_id: Uuid,
    pub currency: Currency,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub lines: Vec<InvoiceLine>,
    pub total: Decimal,
}

/// One payment applied to the invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub date: NaiveDate,
    /// The posting that moved the money.
    pub transaction_id: Uuid,
    /// The money account it moved through, when the invoice posted it itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<Uuid>,
    /// What moved, in its own currency.
    pub amount: Decimal,
    pub currency: Currency,
    /// Units of the invoice's currency per unit of `currency` (absent when they are the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Decimal>,
    /// What it settles, in the invoice's currency at its scale.
    pub applied: Decimal,
    /// The part of `applied` beyond what was open: the counterparty's credit.
    pub overpaid: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvoiceEvent {
    Drafted {
        direction: Direction,
        #[serde(flatten)]
        draft: Draft,
    },
    DraftUpdated(Draft),
    Issued {
        series: String,
        number: String,
        /// Accounts receivable (receivable) or payable (payable), in the invoice's currency.
        control_account_id: Uuid,
        /// Income (receivable) or expense (payable) account the lines post to.
        account_id: Uuid,
        transaction_ids: Vec<Uuid>,
    },
    PaymentRecorded(Payment),
    BecameOverdue {
        date: NaiveDate,
    },
    Cancelled {
        date: NaiveDate,
        /// The reversals of the issuing postings (none for a draft).
        reversal_ids: Vec<Uuid>,
    },
}

impl DomainEvent for InvoiceEvent {
    fn event_type(&self) -> String {
        match self {
            Self::Drafted { .. } => "Drafted",
            Self::DraftUpdated(_) => "DraftUpdated",
            Self::Issued { .. } => "Issued",
            Self::PaymentRecorded(_) => "PaymentRecorded",
            Self::BecameOverdue { .. } => "BecameOverdue",
            Self::Cancelled { .. } => "Cancelled",
        }
        .into()
    }
    fn event_version(&self) -> String {
        "1.0".into()
    }
}

/// A payment to apply. `applied` is computed by the aggregate from `amount` and `rate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentInput {
    pub date: NaiveDate,
    pub transaction_id: Uuid,
    pub account_id: Option<Uuid>,
    pub amount: Decimal,
    pub currency: Currency,
    pub rate: Option<Decimal>,
    /// Accept a payment beyond what is open (the excess becomes the counterparty's credit);
    /// without it such a payment is refused with `invoice_overpayment`.
    pub allow_overpayment: bool,
}

#[derive(Debug, Clone)]
pub enum InvoiceCommand {
    Create {
        direction: Direction,
        draft: DraftInput,
    },
    UpdateDraft(DraftInput),
    Issue {
        series: String,
        number: String,
        control_account_id: Uuid,
        account_id: Uuid,
        transaction_ids: Vec<Uuid>,
    },
    RecordPayment(PaymentInput),
    MarkOverdue {
        today: NaiveDate,
    },
    Cancel {
        date: NaiveDate,
        reversal_ids: Vec<Uuid>,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Invoice {
    pub status: Option<InvoiceStatus>,
    pub direction: Option<Direction>,
    pub draft: Option<Draft>,
    pub number: Option<String>,
    pub control_account_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub transaction_ids: Vec<Uuid>,
    pub payments: Vec<Payment>,
    /// Sum of the payments' applied amounts.
    pub paid: Decimal,
    /// Sum of the payments' recorded overpayments.
    pub overpaid: Decimal,
    pub overdue_marked: bool,
}

/// The line as recorded: inputs checked, amount rounded to `currency`.
pub fn line_of(i: usize, l: LineInput, currency: Currency) -> Result<InvoiceLine, DomainError> {
    let field = |field: &'static str| Field::Line { index: i, field };
    let description = clean_text(
        "description",
        Some(l.description),
        MAX_LINE_DESCRIPTION_CHARS,
    )
    .map_err(|e| e.at(field("description")))?
    .ok_or_else(|| DomainError::invalid(field("description"), "must not be empty"))?;
    if l.quantity <= Decimal::ZERO {
        return Err(DomainError::invalid(
            field("quantity"),
            "must be greater than zero",
        ));
    }
    if l.quantity > MAX_QUANTITY {
        return Err(DomainError::invalid(
            field("quantity"),
            format!("must be at most {MAX_QUANTITY}"),
        ));
    }
    if l.quantity.normalize().scale() > MAX_QUANTITY_DECIMALS {
        return Err(DomainError::invalid(
            field("quantity"),
            format!("at most {MAX_QUANTITY_DECIMALS} decimals"),
        ));
    }
    if l.unit_price < Decimal::ZERO {
        return Err(DomainError::invalid(
            field("unit_price"),
            "must not be negative",
        ));
    }
    if l.unit_price > MAX_AMOUNT_ABS {
        return Err(DomainError::invalid(field("unit_price"), "is too large"));
    }
    if l.unit_price.normalize().scale() > MAX_UNIT_PRICE_DECIMALS {
        return Err(DomainError::invalid(
            field("unit_price"),
            format!("at most {MAX_UNIT_PRICE_DECIMALS} decimals"),
        ));
    }
    let amount = l
        .quantity
        .checked_mul(l.unit_price)
        .filter(|a| *a <= MAX_AMOUNT_ABS)
        .ok_or_else(|| DomainError::invalid(field("unit_price"), "the line amount is too large"))?;
    Ok(InvoiceLine {
        description,
        quantity: l.quantity.normalize(),
        unit_price: l.unit_price.normalize(),
        amount: round_to_scale(amount, currency),
        project_id: l.project_id,
        category_id: l.category_id,
    })
}

/// Checks a draft's content and computes its lines and total.
pub fn check_draft(d: DraftInput) -> Result<Draft, DomainError> {
    if d.lines.is_empty() {
        return Err(DomainError::invalid("lines", "an invoice needs a line"));
    }
    if d.lines.len() > MAX_LINES {
        return Err(DomainError::invalid(
            "lines",
            format!("at most {MAX_LINES} lines"),
        ));
    }
    if d.due_date < d.issue_date {
        return Err(DomainError::invalid(
            "due_date",
            "must not be before the issue date",
        ));
    }
    if (d.due_date - d.issue_date).num_days() > MAX_TERM_DAYS {
        return Err(DomainError::invalid(
            "due_date",
            format!("at most {MAX_TERM_DAYS} days after the issue date"),
        ));
    }
    let external_number = clean_line(
        "external_number",
        d.external_number,
        MAX_EXTERNAL_NUMBER_CHARS,
    )?;
    let notes = clean_text("notes", d.notes, MAX_NOTES_CHARS)?;
    let currency = d.currency;
    let lines = d
        .lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| line_of(i, l, currency))
        .collect::<Result<Vec<_>, _>>()?;
    // At most MAX_LINES × MAX_AMOUNT_ABS: far inside Decimal's range.
    let total: Decimal = lines.iter().map(|l| l.amount).sum();
    if total <= Decimal::ZERO {
        return Err(DomainError::invalid(
            "lines",
            "the invoice total must be greater than zero",
        ));
    }
    if total > MAX_AMOUNT_ABS {
        return Err(DomainError::AmountTooLarge(total.to_string()));
    }
    Ok(Draft {
        counterparty_id: d.counterparty_id,
        currency,
        issue_date: d.issue_date,
        due_date: d.due_date,
        external_number,
        notes,
        lines,
        total,
    })
}

/// A payment in `payment` currency applied to an invoice in `invoice` currency: the amount ×
/// rate, rounded half-even to the invoice's scale.
pub fn applied_amount(
    amount: Decimal,
    payment: Currency,
    rate: Option<Decimal>,
    invoice: Currency,
) -> Result<Decimal, DomainError> {
    if amount <= Decimal::ZERO {
        return Err(DomainError::invalid("amount", "must be greater than zero"));
    }
    // At the payment currency's scale ("500" USD is 500.00).
    let amount = payment.check_amount(amount)?;
    match (payment == invoice, rate) {
        (true, None) => Ok(amount),
        (true, Some(r)) if r == Decimal::ONE => Ok(amount),
        (true, Some(_)) => Err(DomainError::invalid(
            "rate",
            "the payment is in the invoice's currency: no rate",
        )),
        (false, None) => Err(DomainError::invalid(
            "rate",
            format!(
                "the payment is in {payment}, the invoice in {invoice}: give the rate ({invoice} per {payment})"
            ),
        )),
        (false, Some(r)) if r <= Decimal::ZERO => {
            Err(DomainError::invalid("rate", "must be greater than zero"))
        }
        (false, Some(r)) => {
            let applied = amount
                .checked_mul(r)
                .filter(|a| *a <= MAX_AMOUNT_ABS)
                .ok_or_else(|| DomainError::invalid("rate", "the applied amount is too large"))?;
            let applied = round_to_scale(applied, invoice);
            if applied <= Decimal::ZERO {
                return Err(DomainError::invalid(
                    "amount",
                    format!("rounds to nothing in {invoice}"),
                ));
            }
            Ok(applied)
        }
    }
}

impl Invoice {
    /// What the counterparty still owes (receivable) or we still owe (payable).
    pub fn open(&self) -> Decimal {
        match (&self.draft, self.status) {
            (_, Some(InvoiceStatus::Cancelled)) | (None, _) => Decimal::ZERO,
            (Some(d), _) => d.total - self.paid + self.overpaid,
        }
    }

    pub fn total(&self) -> Decimal {
        self.draft.as_ref().map(|d| d.total).unwrap_or_default()
    }

    fn existing(&self) -> Result<InvoiceStatus, DomainError> {
        self.status.ok_or(DomainError::NotFound {
            entity: "invoice",
            id: String::new(),
        })
    }

    /// The refusal of `action` ("issued", "paid" ...) in the invoice's present status.
    pub fn refuse(&self, action: &'static str) -> DomainError {
        let status = self.status.map(InvoiceStatus::as_str).unwrap_or("missing");
        Refusal::InvoiceStatus { status, action }.into()
    }

    fn currency(&self) -> Result<Currency, DomainError> {
        self.draft
            .as_ref()
            .map(|d| d.currency)
            .ok_or(Refusal::InvoiceWithoutContent.into())
    }
}

impl Invoice {
    /// What each event presumes of the invoice it lands on; the log never holds another order.
    fn assert_applies(&self, event: &InvoiceEvent) {
        use InvoiceStatus::*;
        let (ok, what) = match event {
            InvoiceEvent::Drafted { .. } => (self.status.is_none(), "Drafted to a new invoice"),
            InvoiceEvent::DraftUpdated(_) => {
                (self.status == Some(Draft), "DraftUpdated to a draft")
            }
            InvoiceEvent::Issued { .. } => (self.status == Some(Draft), "Issued to a draft"),
            InvoiceEvent::PaymentRecorded(_) => (
                matches!(self.status, Some(Issued | PartiallyPaid)),
                "PaymentRecorded to an issued or partially paid invoice",
            ),
            InvoiceEvent::BecameOverdue { .. } => (
                matches!(self.status, Some(Issued | PartiallyPaid)),
                "BecameOverdue to an issued or partially paid invoice",
            ),
            InvoiceEvent::Cancelled { .. } => (
                matches!(self.status, Some(Draft | Issued | PartiallyPaid)),
                "Cancelled to a draft, issued or partially paid invoice",
            ),
        };
        assert!(ok, "invoice: {what} only, not to {:?}", self.status);
    }
}

impl Invoice {
    /// A payment, applied in the invoice's currency; beyond what is open only when allowed.
    fn record_payment(&self, p: PaymentInput) -> Result<InvoiceEvent, DomainError> {
        match self.existing()? {
            InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid => {}
            _ => return Err(self.refuse("paid")),
        }
        if self
            .payments
            .iter()
            .any(|q| q.transaction_id == p.transaction_id)
        {
            return Err(Refusal::PaymentAlreadyApplied(p.transaction_id).into());
        }
        if self.payments.len() >= MAX_PAYMENTS {
            return Err(Refusal::TooManyPayments(MAX_PAYMENTS).into());
        }
        let currency = self.currency()?;
        let applied = applied_amount(p.amount, p.currency, p.rate, currency)?;
        let open = self.open();
        let overpaid = (applied - open).max(Decimal::ZERO);
        if overpaid > Decimal::ZERO && !p.allow_overpayment {
            return Err(DomainError::Overpayment {
                open: open.to_string(),
                applied: applied.to_string(),
                currency: currency.to_string(),
            });
        }
        Ok(InvoiceEvent::PaymentRecorded(Payment {
            date: p.date,
            transaction_id: p.transaction_id,
            account_id: p.account_id,
            amount: p.currency.check_amount(p.amount)?,
            currency: p.currency,
            rate: if p.currency == currency { None } else { p.rate },
            applied,
            overpaid,
        }))
    }

    /// A cancellation: a draft reverses nothing, an issued invoice every issuing posting.
    fn cancel(
        &self,
        date: NaiveDate,
        reversal_ids: Vec<Uuid>,
    ) -> Result<InvoiceEvent, DomainError> {
        match self.existing()? {
            InvoiceStatus::Draft if reversal_ids.is_empty() => {}
            InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid
                if reversal_ids.len() == self.transaction_ids.len() => {}
            InvoiceStatus::Draft | InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid => {
                return Err(DomainError::invalid(
                    "reversal_ids",
                    "a cancellation reverses every issuing posting, and only those",
                ));
            }
            _ => return Err(self.refuse("cancelled")),
        }
        Ok(InvoiceEvent::Cancelled { date, reversal_ids })
    }
}

/// A status after `paid` of `total` was applied.
fn status_after_payment(total: Decimal, paid: Decimal) -> InvoiceStatus {
    if paid >= total {
        InvoiceStatus::Paid
    } else {
        InvoiceStatus::PartiallyPaid
    }
}

impl Aggregate for Invoice {
    const TYPE: &'static str = "invoice";
    type Command = InvoiceCommand;
    type Event = InvoiceEvent;
    type Error = DomainError;
    type Services = ();

    async fn handle(
        &mut self,
        command: InvoiceCommand,
        _: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), DomainError> {
        let event = match command {
            InvoiceCommand::Create { direction, draft } => {
                if self.status.is_some() {
                    return Err(DomainError::AlreadyExists {
                        entity: "invoice",
                        id: String::new(),
                    });
                }
                InvoiceEvent::Drafted {
                    direction,
                    draft: check_draft(draft)?,
                }
            }
            InvoiceCommand::UpdateDraft(draft) => {
                if self.existing()? != InvoiceStatus::Draft {
                    return Err(self.refuse("edited"));
                }
                InvoiceEvent::DraftUpdated(check_draft(draft)?)
            }
            InvoiceCommand::Issue {
                series,
                number,
                control_account_id,
                account_id,
                transaction_ids,
            } => {
                if self.existing()? != InvoiceStatus::Draft {
                    return Err(self.refuse("issued"));
                }
                if number.is_empty() || series.is_empty() {
                    return Err(DomainError::invalid("number", "an issue needs a number"));
                }
                if transaction_ids.is_empty() {
                    return Err(DomainError::invalid(
                        "transaction_ids",
                        "issuing posts the invoice",
                    ));
                }
                InvoiceEvent::Issued {
                    series,
                    number,
                    control_account_id,
                    account_id,
                    transaction_ids,
                }
            }
            InvoiceCommand::RecordPayment(p) => self.record_payment(p)?,
            InvoiceCommand::MarkOverdue { today } => {
                match self.existing()? {
                    InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid => {}
                    _ => return Err(self.refuse("overdue")),
                }
                let due = self.draft.as_ref().map(|d| d.due_date);
                if self.overdue_marked
                    || due.is_none_or(|d| !ageing::is_past_due(d, today))
                    || self.open().is_zero()
                {
                    return Err(Refusal::NotNewlyOverdue.into());
                }
                InvoiceEvent::BecameOverdue { date: today }
            }
            InvoiceCommand::Cancel { date, reversal_ids } => self.cancel(date, reversal_ids)?,
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: InvoiceEvent) {
        self.assert_applies(&event);
        match event {
            InvoiceEvent::Drafted { direction, draft } => {
                self.status = Some(InvoiceStatus::Draft);
                self.direction = Some(direction);
                self.draft = Some(draft);
            }
            InvoiceEvent::DraftUpdated(draft) => self.draft = Some(draft),
            InvoiceEvent::Issued {
                number,
                control_account_id,
                account_id,
                transaction_ids,
                ..
            } => {
                self.status = Some(InvoiceStatus::Issued);
                self.number = Some(number);
                self.control_account_id = Some(control_account_id);
                self.account_id = Some(account_id);
                self.transaction_ids = transaction_ids;
            }
            InvoiceEvent::PaymentRecorded(p) => {
                self.paid += p.applied;
                self.overpaid += p.overpaid;
                self.payments.push(p);
                self.status = Some(status_after_payment(self.total(), self.paid));
            }
            InvoiceEvent::BecameOverdue { .. } => self.overdue_marked = true,
            InvoiceEvent::Cancelled { .. } => self.status = Some(InvoiceStatus::Cancelled),
        }
    }
}

/// A number series: gapless numbers, handed out one at a time as invoices are issued. Its
/// stream is appended in the same database transaction as the issue, so two issues racing for
/// the same number conflict on the series' sequence and one of them retries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InvoiceSeries {
    pub last: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SeriesEvent {
    Allocated { number: u32, invoice_id: Uuid },
}

impl DomainEvent for SeriesEvent {
    fn event_type(&self) -> String {
        "Allocated".into()
    }
    fn event_version(&self) -> String {
        "1.0".into()
    }
}

#[derive(Debug, Clone)]
pub struct Allocate {
    pub invoice_id: Uuid,
}

/// The series an invoice's number comes from: direction and year of issue (`INV-2026`).
pub fn series_of(direction: Direction, issue_date: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}-{}", direction.series_prefix(), issue_date.year())
}

/// The printed number: the series and the number, zero-padded to five digits.
pub fn format_number(series: &str, number: u32) -> String {
    format!("{series}-{number:05}")
}

impl Aggregate for InvoiceSeries {
    const TYPE: &'static str = "invoice_series";
    type Command = Allocate;
    type Event = SeriesEvent;
    type Error = DomainError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Allocate,
        _: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), DomainError> {
        if self.last >= MAX_SERIES_NUMBER {
            return Err(Refusal::SeriesFull(MAX_SERIES_NUMBER).into());
        }
        sink.write(
            SeriesEvent::Allocated {
                number: self.last + 1,
                invoice_id: command.invoice_id,
            },
            self,
        )
        .await;
        Ok(())
    }

    fn apply(&mut self, event: SeriesEvent) {
        match event {
            SeriesEvent::Allocated { number, .. } => {
                assert_eq!(
                    number,
                    self.last + 1,
                    "invoice_series: Allocated hands out the next number only"
                );
                self.last = number;
            }
        }
    }
}

#[cfg(test)]
mod tests;

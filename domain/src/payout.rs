//! Affiliate payouts: what a program owes for a period, computed from approved conversions and
//! the offers' terms; approved into a receivable in the books, then paid. Draft → approved →
//! paid, or draft → cancelled. The postings are made by the caller (they belong to the
//! transaction aggregate); the payout records their ids, and the postings point back through
//! their origin.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{DomainError, Field, Refusal};
use crate::money::Currency;
use crate::tron;

pub mod posting;

/// Longest period one payout may cover.
pub const MAX_PAYOUT_DAYS: i64 = 366;
/// Most lines (campaign × offer) one payout may have.
pub const MAX_PAYOUT_LINES: usize = 10_000;

/// What one campaign's conversions on one offer earned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayoutLine {
    pub campaign_id: Uuid,
    pub offer_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<Uuid>,
    pub conversions: u64,
    /// In the payout's currency, at its scale.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub amount: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PayoutStatus {
    Draft,
    Approved,
    Paid,
    Cancelled,
}

impl PayoutStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Approved => "approved",
            Self::Paid => "paid",
            Self::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayoutEvent {
    Computed {
        program_id: Uuid,
        counterparty_id: Uuid,
        currency: Currency,
        from: NaiveDate,
        to: NaiveDate,
        lines: Vec<PayoutLine>,
        total: Decimal,
    },
    Approved {
        date: NaiveDate,
        receivable_account_id: Uuid,
        revenue_account_id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category_id: Option<Uuid>,
        transaction_ids: Vec<Uuid>,
    },
    Paid {
        date: NaiveDate,
        account_id: Uuid,
        /// What arrived, in the receiving account's currency.
        amount: Decimal,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tx_hash: Option<String>,
        transaction_id: Uuid,
    },
    Cancelled,
}

impl DomainEvent for PayoutEvent {
    fn event_type(&self) -> String {
        match self {
            Self::Computed { .. } => "Computed",
            Self::Approved { .. } => "Approved",
            Self::Paid { .. } => "Paid",
            Self::Cancelled => "Cancelled",
        }
        .into()
    }
    fn event_version(&self) -> String {
        "1.0".into()
    }
}

#[derive(Debug, Clone)]
pub enum PayoutCommand {
    Compute {
        program_id: Uuid,
        counterparty_id: Uuid,
        currency: Currency,
        from: NaiveDate,
        to: NaiveDate,
        lines: Vec<PayoutLine>,
    },
    Approve {
        date: NaiveDate,
        receivable_account_id: Uuid,
        revenue_account_id: Uuid,
        category_id: Option<Uuid>,
        transaction_ids: Vec<Uuid>,
    },
    MarkPaid {
        date: NaiveDate,
        account_id: Uuid,
        amount: Decimal,
        account_currency: Currency,
        tx_hash: Option<String>,
        transaction_id: Uuid,
    },
    Cancel,
}

/// Facts from outside: another live payout of the same program over an overlapping period.
#[derive(Debug, Clone, Default)]
pub struct PayoutContext {
    pub overlapping: Option<Uuid>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Payout {
    pub status: Option<PayoutStatus>,
    pub program_id: Option<Uuid>,
    pub counterparty_id: Option<Uuid>,
    pub currency: Option<Currency>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub lines: Vec<PayoutLine>,
    pub total: Decimal,
    pub receivable_account_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
}

/// The total of `lines`, checked: every amount positive and at the currency's scale.
pub fn payout_total(lines: &[PayoutLine], currency: Currency) -> Result<Decimal, DomainError> {
    if lines.is_empty() {
        return Err(DomainError::invalid(
            "lines",
            "no approved conversions of the program's offers in the period",
        ));
    }
    if lines.len() > MAX_PAYOUT_LINES {
        return Err(DomainError::invalid(
            "lines",
            format!("at most {MAX_PAYOUT_LINES} lines"),
        ));
    }
    let mut total = Decimal::ZERO;
    for (i, l) in lines.iter().enumerate() {
        if l.amount < Decimal::ZERO {
            return Err(DomainError::invalid(
                Field::Line {
                    index: i,
                    field: "amount",
                },
                "must not be negative",
            ));
        }
        currency.check_amount(l.amount)?;
        total += l.amount;
    }
    if total <= Decimal::ZERO {
        return Err(DomainError::invalid("lines", "the payout would be zero"));
    }
    Ok(total)
}

/// A payout's period: in order, not too long, and not overlapping another live payout.
fn check_period(from: NaiveDate, to: NaiveDate, ctx: &PayoutContext) -> Result<(), DomainError> {
    if to < from {
        return Err(DomainError::invalid("to", "ends before it starts"));
    }
    if (to - from).num_days() >= MAX_PAYOUT_DAYS {
        return Err(DomainError::invalid(
            "to",
            format!("a payout covers at most {MAX_PAYOUT_DAYS} days"),
        ));
    }
    if let Some(other) = ctx.overlapping {
        return Err(Refusal::PayoutOverlap(other).into());
    }
    Ok(())
}

impl Payout {
    fn require(&self, wanted: PayoutStatus, action: &'static str) -> Result<(), DomainError> {
        match self.status {
            None => Err(DomainError::NotFound {
                entity: "payout",
                id: String::new(),
            }),
            Some(s) if s == wanted => Ok(()),
            Some(s) => Err(Refusal::PayoutStatus {
                status: s.as_str(),
                action,
            }
            .into()),
        }
    }
}

impl Aggregate for Payout {
    const TYPE: &'static str = "payout";
    type Command = PayoutCommand;
    type Event = PayoutEvent;
    type Error = DomainError;
    type Services = PayoutContext;

    async fn handle(
        &mut self,
        command: PayoutCommand,
        ctx: &PayoutContext,
        sink: &EventSink<Self>,
    ) -> Result<(), DomainError> {
        let event = match command {
            PayoutCommand::Compute {
                program_id,
                counterparty_id,
                currency,
                from,
                to,
                lines,
            } => {
                if self.status.is_some() {
                    return Err(DomainError::AlreadyExists {
                        entity: "payout",
                        id: String::new(),
                    });
                }
                check_period(from, to, ctx)?;
                let total = payout_total(&lines, currency)?;
                PayoutEvent::Computed {
                    program_id,
                    counterparty_id,
                    currency,
                    from,
                    to,
                    lines,
                    total,
                }
            }
            PayoutCommand::Approve {
                date,
                receivable_account_id,
                revenue_account_id,
                category_id,
                transaction_ids,
            } => {
                self.require(PayoutStatus::Draft, "approved")?;
                if transaction_ids.is_empty() {
                    return Err(DomainError::invalid(
                        "transaction_ids",
                        "an approval posts the receivable",
                    ));
                }
                PayoutEvent::Approved {
                    date,
                    receivable_account_id,
                    revenue_account_id,
                    category_id,
                    transaction_ids,
                }
            }
            PayoutCommand::MarkPaid {
                date,
                account_id,
                amount,
                account_currency,
                tx_hash,
                transaction_id,
            } => {
                self.require(PayoutStatus::Approved, "marked paid")?;
                if amount <= Decimal::ZERO {
                    return Err(DomainError::invalid("amount", "must be greater than zero"));
                }
                account_currency.check_amount(amount)?;
                if let Some(h) = &tx_hash {
                    tron::check_tx_hash(h)?;
                }
                PayoutEvent::Paid {
                    date,
                    account_id,
                    amount,
                    tx_hash: tx_hash.map(|h| h.to_ascii_lowercase()),
                    transaction_id,
                }
            }
            PayoutCommand::Cancel => {
                self.require(PayoutStatus::Draft, "cancelled")?;
                PayoutEvent::Cancelled
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: PayoutEvent) {
        let (presumed, what) = match &event {
            PayoutEvent::Computed { .. } => (None, "Computed to a new payout"),
            PayoutEvent::Approved { .. } => (Some(PayoutStatus::Draft), "Approved to a draft"),
            PayoutEvent::Paid { .. } => {
                (Some(PayoutStatus::Approved), "Paid to an approved payout")
            }
            PayoutEvent::Cancelled => (Some(PayoutStatus::Draft), "Cancelled to a draft"),
        };
        assert!(
            self.status == presumed,
            "payout: {what} only, not to {:?}",
            self.status
        );
        match event {
            PayoutEvent::Computed {
                program_id,
                counterparty_id,
                currency,
                from,
                to,
                lines,
                total,
            } => {
                self.status = Some(PayoutStatus::Draft);
                self.program_id = Some(program_id);
                self.counterparty_id = Some(counterparty_id);
                self.currency = Some(currency);
                self.from = Some(from);
                self.to = Some(to);
                self.lines = lines;
                self.total = total;
            }
            PayoutEvent::Approved {
                receivable_account_id,
                category_id,
                ..
            } => {
                self.status = Some(PayoutStatus::Approved);
                self.receivable_account_id = Some(receivable_account_id);
                self.category_id = category_id;
            }
            PayoutEvent::Paid { .. } => self.status = Some(PayoutStatus::Paid),
            PayoutEvent::Cancelled => self.status = Some(PayoutStatus::Cancelled),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::decide;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    fn line(amount: &str) -> PayoutLine {
        PayoutLine {
            campaign_id: Uuid::from_u128(1),
            offer_id: Uuid::from_u128(2),
            project_id: None,
            conversions: 3,
            amount: amount.parse().unwrap(),
        }
    }

    fn compute(lines: Vec<PayoutLine>) -> PayoutCommand {
        PayoutCommand::Compute {
            program_id: Uuid::from_u128(9),
            counterparty_id: Uuid::from_u128(8),
            currency: usd(),
            from: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
            lines,
        }
    }

    /// Runs `cmd`; `decide` has already applied the events it returns.
    fn run(p: &mut Payout, cmd: PayoutCommand, ctx: &PayoutContext) -> Result<(), DomainError> {
        futures::executor::block_on(decide(p, cmd, ctx))?;
        Ok(())
    }

    fn paid(hash: Option<&str>) -> PayoutCommand {
        PayoutCommand::MarkPaid {
            date: NaiveDate::from_ymd_opt(2026, 11, 10).unwrap(),
            account_id: Uuid::from_u128(5),
            amount: "36".parse().unwrap(),
            account_currency: usd(),
            tx_hash: hash.map(str::to_string),
            transaction_id: Uuid::from_u128(6),
        }
    }

    #[test]
    fn a_payout_goes_draft_approved_paid_and_never_twice() {
        let ctx = PayoutContext::default();
        let mut p = Payout::default();
        assert!(
            run(&mut p, compute(vec![]), &ctx).is_err(),
            "nothing to pay"
        );
        assert!(
            run(&mut p, compute(vec![line("1.001")]), &ctx).is_err(),
            "over-precise"
        );
        run(&mut p, compute(vec![line("12"), line("24")]), &ctx).unwrap();
        assert_eq!(p.total, "36".parse().unwrap());
        assert!(run(&mut p, paid(None), &ctx).is_err(), "not approved yet");
        let approve = PayoutCommand::Approve {
            date: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
            receivable_account_id: Uuid::from_u128(3),
            revenue_account_id: Uuid::from_u128(4),
            category_id: None,
            transaction_ids: vec![Uuid::from_u128(7)],
        };
        run(&mut p, approve.clone(), &ctx).unwrap();
        assert!(run(&mut p, approve, &ctx).is_err(), "approved twice");
        assert!(run(&mut p, PayoutCommand::Cancel, &ctx).is_err());
        assert!(run(&mut p, paid(Some("xyz")), &ctx).is_err(), "bad tx hash");
        run(&mut p, paid(Some(&"AB".repeat(32))), &ctx).unwrap();
        assert_eq!(p.status, Some(PayoutStatus::Paid));
        assert!(run(&mut p, paid(None), &ctx).is_err(), "paid twice");
    }

    #[test]
    fn overlapping_payouts_of_a_program_are_refused() {
        let ctx = PayoutContext {
            overlapping: Some(Uuid::from_u128(1)),
        };
        assert!(matches!(
            run(&mut Payout::default(), compute(vec![line("5")]), &ctx),
            Err(DomainError::Refused(Refusal::PayoutOverlap(_)))
        ));
    }
}

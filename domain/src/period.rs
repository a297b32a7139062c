//! The books' period lock: one aggregate per ledger holding the last closed day. Postings dated
//! on or before it are refused (see `PostingContext::check_open`).

use chrono::{Datelike, NaiveDate};
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Refusal};

/// The one id of the period aggregate.
pub const BOOKS_ID: &str = "books";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PeriodEvent {
    Closed { through: NaiveDate },
    Reopened { through: Option<NaiveDate> },
}

impl DomainEvent for PeriodEvent {
    fn event_type(&self) -> String {
        match self {
            Self::Closed { .. } => "Closed".into(),
            Self::Reopened { .. } => "Reopened".into(),
        }
    }
    fn event_version(&self) -> String {
        "1.0".into()
    }
}

#[derive(Debug, Clone)]
pub enum PeriodCommand {
    /// Close every day up to and including the last day of `through`'s month.
    Close { through: NaiveDate },
    /// Move the lock back so that days after `to` take postings again (None: nothing closed).
    Reopen { to: Option<NaiveDate> },
}

#[derive(Debug, Clone, Default)]
pub struct PeriodContext {
    pub today: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Periods {
    pub closed_through: Option<NaiveDate>,
}

pub fn month_end(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .expect("first of a month exists")
        .pred_opt()
        .expect("day before exists")
}

impl Aggregate for Periods {
    const TYPE: &'static str = "periods";
    type Command = PeriodCommand;
    type Event = PeriodEvent;
    type Error = DomainError;
    type Services = PeriodContext;

    async fn handle(
        &mut self,
        command: PeriodCommand,
        ctx: &PeriodContext,
        sink: &EventSink<Self>,
    ) -> Result<(), DomainError> {
        let event = match command {
            PeriodCommand::Close { through } => {
                let through = month_end(through);
                if let Some(today) = ctx.today
                    && through >= today
                {
                    return Err(DomainError::invalid(
                        "through",
                        "only months that have ended can be closed",
                    ));
                }
                if self.closed_through.is_some_and(|c| c >= through) {
                    return Err(Refusal::AlreadyClosed(self.closed_through.unwrap()).into());
                }
                PeriodEvent::Closed { through }
            }
            PeriodCommand::Reopen { to } => {
                let Some(current) = self.closed_through else {
                    return Err(Refusal::NothingClosed.into());
                };
                let to = to.map(month_end);
                if to.is_some_and(|t| t >= current) {
                    return Err(DomainError::invalid(
                        "to",
                        format!("must be before {current}"),
                    ));
                }
                PeriodEvent::Reopened { through: to }
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: PeriodEvent) {
        match event {
            PeriodEvent::Closed { through } => {
                assert!(
                    self.closed_through.is_none_or(|c| c < through),
                    "periods: Closed only moves the lock forward"
                );
                self.closed_through = Some(through);
            }
            PeriodEvent::Reopened { through } => {
                let current = self.closed_through;
                assert!(
                    current.is_some_and(|c| through.is_none_or(|t| t < c)),
                    "periods: Reopened only moves a closed lock back"
                );
                self.closed_through = through;
            }
        }
    }
}

//! A recurring payment: a transaction template plus a schedule. Each day the schedule falls on
//! becomes one posting (made by the caller through the transaction aggregate, with an
//! idempotency key of the schedule id and the day); this aggregate records which days were
//! posted or failed, in date order, so no day is posted twice and none is skipped.
//!
//! Pausing opens a window from a day on; resuming closes it. Days inside a window are skipped
//! for good (resume does not catch up). Ending stops the schedule after a day; days up to it
//! that were not yet posted (the server was down) are still posted.

use chrono::{Days, NaiveDate};
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entity::clean_name;
use crate::error::{DomainError, Refusal};
use crate::recurring::Schedule;
use crate::transaction::{
    LegInput, MIN_DATE, Origin, OriginKind, PostTransaction, Price, TransactionKind,
};

/// Most legs a template may have.
pub const MAX_TEMPLATE_LEGS: usize = 50;
/// Most pause windows a schedule keeps (a guard against a runaway client).
pub const MAX_PAUSES: usize = 100;
/// How many next run dates the API shows.
pub const NEXT_RUNS: usize = 5;
/// Longest failure reason kept.
pub const MAX_REASON_CHARS: usize = 500;

/// What each occurrence posts: the fields of `POST /api/transactions` without date and key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub kind: TransactionKind,
    pub description: String,
    pub legs: Vec<TemplateLeg>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterparty_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateLeg {
    pub account_id: Uuid,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Price>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
}

impl Template {
    /// The template from a posting command (the command's date and key are dropped).
    pub fn from_command(c: PostTransaction) -> Self {
        Self {
            kind: c.kind,
            description: c.description,
            legs: c
                .legs
                .into_iter()
                .map(|l| TemplateLeg {
                    account_id: l.account_id,
                    amount: l.amount,
                    price: l.price,
                    memo: l.memo,
                })
                .collect(),
            project_id: c.project_id,
            category_id: c.category_id,
            counterparty_id: c.counterparty_id,
            tags: c.tags,
        }
    }

    /// The posting of schedule `id` for `date`. Its idempotency key (and so its transaction id)
    /// is the schedule and the day: a retry or a second runner lands on the same stream.
    pub fn posting(&self, id: Uuid, date: NaiveDate) -> PostTransaction {
        let key = occurrence_key(id, date);
        PostTransaction {
            adjusts: None,
            date,
            origin: Some(Origin {
                kind: OriginKind::Recurring,
                id,
            }),
            kind: self.kind,
            description: self.description.clone(),
            legs: self
                .legs
                .iter()
                .map(|l| {
                    LegInput::new(l.account_id, l.amount)
                        .with_price(l.price.clone())
                        .with_memo(l.memo.clone())
                })
                .collect(),
            project_id: self.project_id,
            category_id: self.category_id,
            counterparty_id: self.counterparty_id,
            tags: self.tags.clone(),
            idempotency_key: Some(key.clone()),
            fingerprint: key,
            crypto: None,
            reverses: None,
            replaces: None,
        }
    }
}

/// The idempotency key of schedule `id`'s occurrence on `date`.
pub fn occurrence_key(id: Uuid, date: NaiveDate) -> String {
    format!("recurring:{id}:{date}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecurringStatus {
    Active,
    Paused,
    Ended,
}

impl RecurringStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Ended => "ended",
        }
    }
}

/// Days `from..until` (until exclusive; open while paused) that are never posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PauseWindow {
    pub from: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

impl PauseWindow {
    fn covers(&self, d: NaiveDate) -> bool {
        d >= self.from && self.until.is_none_or(|u| d < u)
    }
}

/// The definition a create or update sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    pub name: String,
    pub template: Template,
    pub schedule: Schedule,
    pub start: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecurringEvent {
    Created(Definition),
    Updated(Definition),
    Paused {
        from: NaiveDate,
    },
    Resumed {
        on: NaiveDate,
    },
    Ended {
        after: NaiveDate,
    },
    OccurrencePosted {
        date: NaiveDate,
        transaction_id: Uuid,
    },
    OccurrenceFailed {
        date: NaiveDate,
        reason: String,
    },
}

impl DomainEvent for RecurringEvent {
    fn event_type(&self) -> String {
        match self {
            Self::Created(_) => "Created",
            Self::Updated(_) => "Updated",
            Self::Paused { .. } => "Paused",
            Self::Resumed { .. } => "Resumed",
            Self::Ended { .. } => "Ended",
            Self::OccurrencePosted { .. } => "OccurrencePosted",
            Self::OccurrenceFailed { .. } => "OccurrenceFailed",
        }
        .into()
    }
    fn event_version(&self) -> String {
        "1.0".into()
    }
}

#[derive(Debug, Clone)]
pub enum RecurringCommand {
    /// The template must already have passed the posting rules (the caller checks it with the
    /// transaction aggregate against the current accounts).
    Create(Definition),
    Update(Definition),
    Pause {
        from: NaiveDate,
    },
    Resume {
        on: NaiveDate,
    },
    End {
        after: NaiveDate,
    },
    RecordPosted {
        date: NaiveDate,
        transaction_id: Uuid,
    },
    RecordFailed {
        date: NaiveDate,
        reason: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecurringPayment {
    pub definition: Option<Definition>,
    /// The last day handled (posted or failed); days after it are still to come.
    pub handled_through: Option<NaiveDate>,
    pub pauses: Vec<PauseWindow>,
    /// Ended: no day after this one is posted.
    pub ended_after: Option<NaiveDate>,
    pub posted: u64,
    pub failed: u64,
}

/// The schedule's own rules; the template's are the posting rules, checked by the caller.
fn check_definition(d: &Definition) -> Result<Definition, DomainError> {
    let name = clean_name("name", d.name.clone())?;
    d.schedule.validate()?;
    if d.start < MIN_DATE {
        return Err(DomainError::invalid(
            "start",
            format!("must not be before {MIN_DATE}"),
        ));
    }
    if let Some(end) = d.end
        && end < d.start
    {
        return Err(DomainError::invalid("end", "ends before it starts"));
    }
    if d.template.legs.len() > MAX_TEMPLATE_LEGS {
        return Err(DomainError::invalid(
            "template.entries",
            format!("a template has at most {MAX_TEMPLATE_LEGS} entries"),
        ));
    }
    Ok(Definition {
        name,
        schedule: d.schedule.clone().normalized(),
        ..d.clone()
    })
}

impl RecurringPayment {
    pub fn exists(&self) -> bool {
        self.definition.is_some()
    }

    pub fn status(&self) -> RecurringStatus {
        if self.ended_after.is_some() {
            RecurringStatus::Ended
        } else if self.pauses.last().is_some_and(|p| p.until.is_none()) {
            RecurringStatus::Paused
        } else if self.definition.as_ref().is_some_and(|d| d.end.is_some())
            && self.upcoming(1).is_empty()
        {
            // Past its end date with every day handled.
            RecurringStatus::Ended
        } else {
            RecurringStatus::Active
        }
    }

    /// The last day anything may post: the end date or the day it was ended, whichever first.
    fn last_day(&self) -> Option<NaiveDate> {
        let end = self.definition.as_ref().and_then(|d| d.end);
        match (end, self.ended_after) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The days still to post through `through` (inclusive), in date order, at most `limit`:
    /// after the last handled day, not past the end, outside every pause window.
    pub fn due(&self, through: NaiveDate, limit: usize) -> Vec<NaiveDate> {
        let Some(def) = &self.definition else {
            return Vec::new();
        };
        let through = self.last_day().map_or(through, |l| l.min(through));
        let mut out = Vec::new();
        let mut after = self.handled_through;
        // A round ends when it is full, runs out, or jumps over a pause window; windows are
        // ordered and each is jumped at most once, so MAX_PAUSES + 2 rounds always suffice.
        'rounds: for _ in 0..MAX_PAUSES + 2 {
            let batch = def
                .schedule
                .occurrences(def.start, after, through, limit - out.len());
            if batch.is_empty() {
                break;
            }
            for d in batch {
                match self.pauses.iter().find(|p| p.covers(d)) {
                    None => out.push(d),
                    // Paused with no resume yet: nothing from here on is due.
                    Some(PauseWindow { until: None, .. }) => break 'rounds,
                    Some(PauseWindow {
                        until: Some(until), ..
                    }) => {
                        after = until.pred_opt();
                        continue 'rounds;
                    }
                }
            }
            // The whole batch was due: it is full or the schedule ran out before `through`.
            break;
        }
        out
    }

    /// The next `n` days that will post (ignoring today: days missed while the server was down
    /// come first). While paused, only days before the pause (not yet posted) remain.
    pub fn upcoming(&self, n: usize) -> Vec<NaiveDate> {
        let Some(def) = &self.definition else {
            return Vec::new();
        };
        let base = self.handled_through.map_or(def.start, |h| h.max(def.start));
        let horizon = base
            .checked_add_days(Days::new(crate::recurring::MAX_HORIZON_DAYS))
            .unwrap_or(NaiveDate::MAX);
        self.due(horizon, n)
    }

    /// The next day to post, which a recorded occurrence must be.
    fn check_next(&self, date: NaiveDate) -> Result<(), DomainError> {
        if self.due(date, 1).first() != Some(&date) {
            return Err(Refusal::NotNextDue(date).into());
        }
        Ok(())
    }

    fn require_live(&self) -> Result<&Definition, DomainError> {
        let def = self.definition.as_ref().ok_or(DomainError::NotFound {
            entity: "recurring payment",
            id: String::new(),
        })?;
        if self.ended_after.is_some() {
            return Err(Refusal::RecurringEnded.into());
        }
        Ok(def)
    }
}

impl RecurringPayment {
    /// What each event presumes of the schedule it lands on; the log never holds another order.
    fn assert_applies(&self, event: &RecurringEvent) {
        let live = self.exists() && self.ended_after.is_none();
        let open_pause = self.pauses.last().is_some_and(|p| p.until.is_none());
        let (ok, what) = match event {
            RecurringEvent::Created(_) => (!self.exists(), "Created to a new schedule"),
            RecurringEvent::Updated(_) => (live, "Updated to a live schedule"),
            RecurringEvent::Paused { .. } => (live && !open_pause, "Paused to a running schedule"),
            RecurringEvent::Resumed { .. } => (live && open_pause, "Resumed to a paused schedule"),
            RecurringEvent::Ended { .. } => (live, "Ended to a live schedule"),
            RecurringEvent::OccurrencePosted { date, .. }
            | RecurringEvent::OccurrenceFailed { date, .. } => (
                self.exists() && self.handled_through.is_none_or(|h| h < *date),
                "an occurrence to a schedule, after the days it handled",
            ),
        };
        assert!(ok, "recurring: {what} only");
    }
}

impl RecurringPayment {
    /// A new definition; once a day was handled its start and schedule are fixed and its end
    /// cannot move before the days handled.
    fn update(&self, def: Definition) -> Result<RecurringEvent, DomainError> {
        let current = self.require_live()?;
        let def = check_definition(&def)?;
        if let Some(h) = self.handled_through {
            if def.start != current.start || def.schedule != current.schedule {
                return Err(DomainError::invalid(
                    "schedule",
                    "start and schedule are fixed once a day was posted; end this one and create another",
                ));
            }
            if def.end.is_some_and(|e| e < h) {
                return Err(DomainError::invalid(
                    "end",
                    format!("days through {h} were already handled"),
                ));
            }
        }
        Ok(RecurringEvent::Updated(def))
    }

    /// A pause from `from`, after the last resume, at most MAX_PAUSES times.
    fn pause(&self, from: NaiveDate) -> Result<RecurringEvent, DomainError> {
        self.require_live()?;
        if self.status() == RecurringStatus::Paused {
            return Err(Refusal::AlreadyPaused.into());
        }
        if self.pauses.len() >= MAX_PAUSES {
            return Err(Refusal::TooManyPauses(MAX_PAUSES).into());
        }
        if let Some(last) = self.pauses.last().and_then(|p| p.until)
            && from < last
        {
            return Err(DomainError::invalid(
                "from",
                format!("must not be before the last resume ({last})"),
            ));
        }
        Ok(RecurringEvent::Paused { from })
    }
}

impl Aggregate for RecurringPayment {
    const TYPE: &'static str = "recurring";
    type Command = RecurringCommand;
    type Event = RecurringEvent;
    type Error = DomainError;
    type Services = ();

    async fn handle(
        &mut self,
        command: RecurringCommand,
        _: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), DomainError> {
        let event = match command {
            RecurringCommand::Create(def) => {
                if self.exists() {
                    return Err(DomainError::AlreadyExists {
                        entity: "recurring payment",
                        id: String::new(),
                    });
                }
                RecurringEvent::Created(check_definition(&def)?)
            }
            RecurringCommand::Update(def) => self.update(def)?,
            RecurringCommand::Pause { from } => self.pause(from)?,
            RecurringCommand::Resume { on } => {
                self.require_live()?;
                let Some(open) = self.pauses.last().filter(|p| p.until.is_none()) else {
                    return Err(Refusal::NotPaused.into());
                };
                if on < open.from {
                    return Err(DomainError::invalid(
                        "on",
                        format!("must not be before the pause ({})", open.from),
                    ));
                }
                RecurringEvent::Resumed { on }
            }
            RecurringCommand::End { after } => {
                self.require_live()?;
                if let Some(h) = self.handled_through
                    && after < h
                {
                    return Err(DomainError::invalid(
                        "after",
                        format!("days through {h} were already handled"),
                    ));
                }
                RecurringEvent::Ended { after }
            }
            RecurringCommand::RecordPosted {
                date,
                transaction_id,
            } => {
                self.check_next(date)?;
                RecurringEvent::OccurrencePosted {
                    date,
                    transaction_id,
                }
            }
            RecurringCommand::RecordFailed { date, reason } => {
                self.check_next(date)?;
                RecurringEvent::OccurrenceFailed {
                    date,
                    reason: reason.chars().take(MAX_REASON_CHARS).collect(),
                }
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: RecurringEvent) {
        self.assert_applies(&event);
        match event {
            RecurringEvent::Created(def) | RecurringEvent::Updated(def) => {
                self.definition = Some(def)
            }
            RecurringEvent::Paused { from } => self.pauses.push(PauseWindow { from, until: None }),
            RecurringEvent::Resumed { on } => {
                if let Some(p) = self.pauses.last_mut() {
                    p.until = Some(on);
                }
            }
            RecurringEvent::Ended { after } => self.ended_after = Some(after),
            RecurringEvent::OccurrencePosted { date, .. } => {
                self.handled_through = Some(date);
                self.posted += 1;
            }
            RecurringEvent::OccurrenceFailed { date, .. } => {
                self.handled_through = Some(date);
                self.failed += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::decide;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn def(schedule: Schedule, start: &str, end: Option<&str>) -> Definition {
        Definition {
            name: "Rent".into(),
            template: Template {
                kind: TransactionKind::Expense,
                description: "Office rent".into(),
                legs: vec![],
                project_id: None,
                category_id: None,
                counterparty_id: None,
                tags: vec![],
            },
            schedule,
            start: d(start),
            end: end.map(d),
        }
    }

    /// `decide` leaves the events applied to `r`.
    fn run(r: &mut RecurringPayment, cmd: RecurringCommand) -> Result<(), DomainError> {
        futures::executor::block_on(decide(r, cmd, &())).map(|_| ())
    }

    fn post(r: &mut RecurringPayment, date: &str) -> Result<(), DomainError> {
        run(
            r,
            RecurringCommand::RecordPosted {
                date: d(date),
                transaction_id: Uuid::from_u128(1),
            },
        )
    }

    #[test]
    fn days_post_in_order_once_and_pauses_skip() {
        let mut r = RecurringPayment::default();
        run(
            &mut r,
            RecurringCommand::Create(def(
                Schedule::Daily { interval: 1 },
                "2026-01-01",
                Some("2026-01-10"),
            )),
        )
        .unwrap();
        assert_eq!(r.due(d("2026-01-03"), 10).len(), 3);
        assert!(post(&mut r, "2026-01-02").is_err(), "out of order");
        post(&mut r, "2026-01-01").unwrap();
        assert!(post(&mut r, "2026-01-01").is_err(), "twice");
        run(
            &mut r,
            RecurringCommand::Pause {
                from: d("2026-01-03"),
            },
        )
        .unwrap();
        assert_eq!(r.status(), RecurringStatus::Paused);
        assert_eq!(
            r.upcoming(5),
            vec![d("2026-01-02")],
            "the day before the pause"
        );
        assert_eq!(r.due(d("2026-01-09"), 10), vec![d("2026-01-02")]);
        run(
            &mut r,
            RecurringCommand::Resume {
                on: d("2026-01-06"),
            },
        )
        .unwrap();
        assert_eq!(
            r.due(d("2026-01-07"), 10),
            vec![d("2026-01-02"), d("2026-01-06"), d("2026-01-07")]
        );
        assert_eq!(r.upcoming(10).last(), Some(&d("2026-01-10")), "end date");
        run(
            &mut r,
            RecurringCommand::End {
                after: d("2026-01-06"),
            },
        )
        .unwrap();
        assert_eq!(r.status(), RecurringStatus::Ended);
        assert_eq!(
            r.due(d("2026-01-31"), 10),
            vec![d("2026-01-02"), d("2026-01-06")],
            "the backlog up to the end still posts"
        );
        assert!(
            run(
                &mut r,
                RecurringCommand::Pause {
                    from: d("2026-01-07")
                }
            )
            .is_err()
        );
    }

    #[test]
    fn definitions_are_checked() {
        let mut r = RecurringPayment::default();
        let bad_end = def(
            Schedule::Daily { interval: 1 },
            "2026-01-05",
            Some("2026-01-01"),
        );
        assert!(run(&mut r, RecurringCommand::Create(bad_end)).is_err());
        let bad_day = def(
            Schedule::Monthly {
                interval: 1,
                day: 32,
            },
            "2026-01-05",
            None,
        );
        assert!(run(&mut r, RecurringCommand::Create(bad_day)).is_err());
        assert!(!r.exists());
    }

    #[test]
    fn the_occurrence_key_names_schedule_and_day() {
        let t = def(Schedule::Daily { interval: 1 }, "2026-01-01", None).template;
        let p = t.posting(Uuid::from_u128(7), d("2026-02-28"));
        assert_eq!(
            p.idempotency_key.as_deref(),
            Some("recurring:00000000-0000-0000-0000-000000000007:2026-02-28")
        );
        assert_eq!(p.origin.unwrap().kind, OriginKind::Recurring);
    }

    fn created() -> RecurringEvent {
        RecurringEvent::Created(def(Schedule::Daily { interval: 1 }, "2026-01-01", None))
    }

    fn posted_on(date: &str) -> RecurringEvent {
        RecurringEvent::OccurrencePosted {
            date: d(date),
            transaction_id: Uuid::from_u128(1),
        }
    }

    #[test]
    fn a_legit_history_replays() {
        let r: RecurringPayment = crate::aggregate::replay([
            created(),
            posted_on("2026-01-01"),
            RecurringEvent::Paused {
                from: d("2026-01-03"),
            },
            RecurringEvent::Resumed {
                on: d("2026-01-05"),
            },
            RecurringEvent::Ended {
                after: d("2026-01-09"),
            },
            posted_on("2026-01-02"),
        ]);
        assert_eq!(r.posted, 2);
    }

    #[test]
    #[should_panic(
        expected = "recurring: an occurrence to a schedule, after the days it handled only"
    )]
    fn an_occurrence_of_a_handled_day_panics() {
        let _: RecurringPayment =
            crate::aggregate::replay([created(), posted_on("2026-01-02"), posted_on("2026-01-02")]);
    }

    #[test]
    #[should_panic(expected = "recurring: Resumed to a paused schedule only")]
    fn resuming_a_running_schedule_panics() {
        let _: RecurringPayment = crate::aggregate::replay([
            created(),
            RecurringEvent::Resumed {
                on: d("2026-01-05"),
            },
        ]);
    }

    #[test]
    #[should_panic(expected = "recurring: Updated to a live schedule only")]
    fn updating_an_ended_schedule_panics() {
        let _: RecurringPayment = crate::aggregate::replay([
            created(),
            RecurringEvent::Ended {
                after: d("2026-01-09"),
            },
            created_as_update(),
        ]);
    }

    fn created_as_update() -> RecurringEvent {
        RecurringEvent::Updated(def(Schedule::Daily { interval: 1 }, "2026-01-01", None))
    }
}

//! An applied traffic report import: the event that makes a file's rows count. The rows live
//! in the append-only facts table, written in the same database transaction; the event names
//! them (import id, file checksum, row count) and says which days of which scope they cover.
//! A later import of the same scope and days restates them: the newer facts replace the older
//! in every read model, and both stay in the log.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{DomainError, Refusal};

/// Longest date range one import may cover; a longer one is a wrong date column.
pub const MAX_IMPORT_DAYS: i64 = 3660;

/// Which side of the business a report describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// What a traffic source charged: impressions, clicks, installs, spend.
    Spend,
    /// What a tracker saw: clicks, conversions, revenue.
    Results,
    /// A tracker's conversion log: one row per conversion and status.
    Conversions,
}

/// The facts a report replaces when restated: a source's spend, or one tracker's results.
/// Conversion logs restate nothing: a conversion seen again is a status change.
pub fn scope(kind: ReportKind, source_id: Option<Uuid>, format: &str) -> String {
    match (kind, source_id) {
        (ReportKind::Spend, Some(id)) => format!("source:{id}"),
        (ReportKind::Spend, None) => "source:unknown".to_string(),
        (ReportKind::Results, _) => format!("tracker:{format}"),
        (ReportKind::Conversions, _) => format!("conversions:{format}"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportApplied {
    pub kind: ReportKind,
    /// The traffic source of a spend report.
    pub source_id: Option<Uuid>,
    /// The format the rows were read as (moloco, keitaro, ...).
    pub format: String,
    /// What this import restates, see [`scope`].
    pub scope: String,
    pub file_name: String,
    /// SHA-256 of the uploaded file, hex.
    pub sha256: String,
    /// Rows written to the facts table under this import's id.
    pub rows: u64,
    /// Rows of the file left out because they were invalid (the user accepted the rest).
    pub rows_rejected: u64,
    /// The days this import covers: the scope's facts for these days are replaced.
    pub date_from: NaiveDate,
    pub date_to: NaiveDate,
    /// Whether the import's per-day sums were written beside its facts (`traffic_import_days`).
    /// Every import writes them now; imports applied before they existed got them from a
    /// migration, so this records only what the import itself did.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub day_totals: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportEvent {
    Applied(ImportApplied),
}

impl DomainEvent for ImportEvent {
    fn event_type(&self) -> String {
        "Applied".into()
    }
    fn event_version(&self) -> String {
        "1.0".into()
    }
}

#[derive(Debug, Clone)]
pub enum ImportCommand {
    Apply(ImportApplied),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrafficImport {
    pub applied: bool,
}

impl Aggregate for TrafficImport {
    const TYPE: &'static str = "traffic_import";
    type Command = ImportCommand;
    type Event = ImportEvent;
    type Error = DomainError;
    type Services = ();

    async fn handle(
        &mut self,
        command: ImportCommand,
        _: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), DomainError> {
        let ImportCommand::Apply(a) = command;
        if self.applied {
            return Err(Refusal::ImportAlreadyApplied.into());
        }
        if a.rows == 0 {
            return Err(DomainError::invalid(
                "rows",
                "an import needs at least one valid row",
            ));
        }
        if a.date_to < a.date_from {
            return Err(DomainError::invalid("date_to", "ends before it starts"));
        }
        if (a.date_to - a.date_from).num_days() >= MAX_IMPORT_DAYS {
            return Err(DomainError::invalid(
                "date_to",
                format!("one import covers at most {MAX_IMPORT_DAYS} days"),
            ));
        }
        if a.sha256.len() != 64 || !a.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(DomainError::invalid("sha256", "must be 64 hex characters"));
        }
        if a.kind == ReportKind::Spend && a.source_id.is_none() {
            return Err(DomainError::invalid(
                "source_id",
                "a spend report belongs to a traffic source",
            ));
        }
        let expected = scope(a.kind, a.source_id, &a.format);
        if a.scope != expected {
            return Err(DomainError::invalid(
                "scope",
                format!("must be {expected} for this report"),
            ));
        }
        sink.write(ImportEvent::Applied(a), self).await;
        Ok(())
    }

    fn apply(&mut self, event: ImportEvent) {
        match event {
            ImportEvent::Applied(_) => {
                assert!(
                    !self.applied,
                    "traffic_import: Applied applies only to an import not yet applied"
                );
                self.applied = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::decide;

    fn applied() -> ImportApplied {
        let source = Uuid::from_u128(7);
        ImportApplied {
            kind: ReportKind::Spend,
            source_id: Some(source),
            format: "moloco".into(),
            scope: scope(ReportKind::Spend, Some(source), "moloco"),
            file_name: "moloco.csv".into(),
            sha256: "a".repeat(64),
            rows: 10,
            rows_rejected: 0,
            date_from: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            date_to: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
            day_totals: true,
        }
    }

    fn run(state: TrafficImport, a: ImportApplied) -> Result<Vec<ImportEvent>, DomainError> {
        let mut state = state;
        futures::executor::block_on(decide(&mut state, ImportCommand::Apply(a), &()))
    }

    #[test]
    fn an_import_applies_once_and_names_its_scope() {
        assert_eq!(run(TrafficImport::default(), applied()).unwrap().len(), 1);
        assert!(run(TrafficImport { applied: true }, applied()).is_err());
        let mut wrong = applied();
        wrong.scope = "tracker:moloco".into();
        assert!(run(TrafficImport::default(), wrong).is_err());
        let mut backwards = applied();
        backwards.date_to = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        assert!(run(TrafficImport::default(), backwards).is_err());
        let mut empty = applied();
        empty.rows = 0;
        assert!(run(TrafficImport::default(), empty).is_err());
    }

    #[test]
    #[should_panic(expected = "traffic_import: Applied applies only to an import not yet applied")]
    fn a_second_application_panics() {
        let _: TrafficImport = crate::aggregate::replay([
            ImportEvent::Applied(applied()),
            ImportEvent::Applied(applied()),
        ]);
    }
}

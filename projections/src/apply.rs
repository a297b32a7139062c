//! Applies sealed events to the read tables of one schema, a batch at a time, in two steps:
//! [`prepare`] turns events into rows without touching the database, and [`write_rows`] and [`write_ordered`] send them.
//! A rebuild runs the two on different batches at once (CPU here, COPY in PostgreSQL). The
//! result must not depend on where batch boundaries fall: the live projector (small batches)
//! and a rebuild (large ones) must produce byte-for-byte equal tables.
//!
//! This is the dispatcher: it matches every aggregate type, decodes and checks each event, and
//! hands it to the read model it changes (`entities`, `ledger`, `traffic`, `rates`, `payouts`,
//! `crypto`, `recurring`, `invoices`), each of which knows its own tables. It asserts per batch
//! that postings sum to zero, and advances the checkpoint.

use std::collections::BTreeMap;

use domain::invoice::InvoiceEvent;
use domain::invoice::SeriesEvent;
use domain::payout::PayoutEvent;
use domain::period::PeriodEvent;
use domain::rates::RateEvent;
use domain::recurring_payment::RecurringEvent;
use domain::traffic_import::ImportEvent;
use domain::transaction::{TransactionEvent, TransactionPosted};
use domain::{Currency, DomainEvent};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::ProjectionError;
use crate::aggregate::AggregateType;
use crate::crypto::CryptoOp;
use crate::entities::{EntityEventRaw, EntityOp};
use crate::invoices::apply::InvoiceOp;
use crate::payouts::PayoutOp;
use crate::rates::RateOp;
use crate::recurring::RecurringOp;
use crate::traffic::apply::ImportOp;
use crate::{entities, ledger, traffic};
use eventstore::log::{Sequenced, StoredEvent};
use eventstore::upcast::decode;

/// Stops at an event whose `event_type` column does not name what its payload holds: a
/// payload that decodes is not enough, the log must say the same thing twice.
fn check_event_type(e: &StoredEvent, found: &str) -> Result<(), ProjectionError> {
    if e.event_type == found {
        return Ok(());
    }
    Err(ProjectionError::corrupt(
        e,
        format!(
            "unknown event type `{}` for aggregate type `{}` (the payload is `{found}`)",
            e.event_type, e.aggregate_type
        ),
    ))
}

/// Decodes a domain event and checks its type (see [`check_event_type`]).
fn decode_event<T: DeserializeOwned + DomainEvent>(e: &StoredEvent) -> Result<T, ProjectionError> {
    let event: T = decode(e)?;
    check_event_type(e, &event.event_type())?;
    Ok(event)
}

/// The variant an externally tagged payload holds (`"Archived"` or `{"Created": …}`), for
/// events no read model decodes.
fn payload_tag(e: &StoredEvent) -> Result<String, ProjectionError> {
    let value: Value = decode(e)?;
    match value {
        Value::String(tag) => Ok(tag),
        Value::Object(map) if map.len() == 1 => Ok(map.keys().next().cloned().unwrap_or_default()),
        _ => Err(ProjectionError::corrupt(
            e,
            "the payload is not one tagged event",
        )),
    }
}

/// The one metadata field the read tables keep.
#[derive(Deserialize)]
struct Author {
    user_id: Option<Uuid>,
}

/// The rows a batch of events turns into, per read model.
#[derive(Default)]
pub struct Prepared {
    entities: Vec<EntityOp>,
    imports: Vec<ImportOp>,
    rates: Vec<RateOp>,
    payouts: Vec<PayoutOp>,
    crypto: Vec<CryptoOp>,
    recurring: Vec<RecurringOp>,
    invoices: Vec<InvoiceOp>,
    ledger: ledger::apply::Batch,
    last_seq: Option<i64>,
    /// The batch's postings summed per currency as the books balance them (a priced leg
    /// counts its weight): zero in every currency, or the log holds an unbalanced posting.
    balance_check: BTreeMap<Currency, Decimal>,
}

/// The append-only part of a batch: rows for COPY, which batches may send in any order.
pub struct Rows {
    ledger: ledger::apply::Rows,
}

/// The part of a batch that must be applied in log order (after the rows it refers to).
#[derive(Default)]
pub struct Ordered {
    entities: Vec<EntityOp>,
    imports: Vec<ImportOp>,
    rates: Vec<RateOp>,
    payouts: Vec<PayoutOp>,
    crypto: Vec<CryptoOp>,
    recurring: Vec<RecurringOp>,
    invoices: Vec<InvoiceOp>,
    ledger: ledger::apply::Ordered,
    last_seq: Option<i64>,
}

impl Prepared {
    pub fn split(self) -> (Rows, Ordered) {
        let (rows, ledger) = self.ledger.split();
        (
            Rows { ledger: rows },
            Ordered {
                entities: self.entities,
                imports: self.imports,
                rates: self.rates,
                payouts: self.payouts,
                crypto: self.crypto,
                recurring: self.recurring,
                invoices: self.invoices,
                ledger,
                last_seq: self.last_seq,
            },
        )
    }
}

impl Ordered {
    /// Appends the ordered part of the batch that follows this one.
    pub fn absorb(&mut self, later: Ordered) {
        self.entities.extend(later.entities);
        self.imports.extend(later.imports);
        self.rates.extend(later.rates);
        self.payouts.extend(later.payouts);
        self.crypto.extend(later.crypto);
        self.recurring.extend(later.recurring);
        self.invoices.extend(later.invoices);
        self.ledger.absorb(later.ledger);
        self.last_seq = later.last_seq.or(self.last_seq);
    }
}

/// COPYs a batch's rows (autocommit is fine: a COPY is atomic).
pub async fn write_rows(
    conn: &mut PgConnection,
    schema: &str,
    rows: Rows,
) -> Result<(), ProjectionError> {
    ledger::apply::write_rows(conn, schema, rows.ledger).await
}

/// Applies the ordered part (after the rows it refers to) and advances the checkpoint. The
/// models go in a fixed order: reference data first (the others' rows may name it), the books
/// last.
pub async fn write_ordered(
    conn: &mut PgConnection,
    schema: &str,
    ordered: Ordered,
) -> Result<(), ProjectionError> {
    let Some(last_seq) = ordered.last_seq else {
        return Ok(());
    };
    for op in ordered.entities {
        write_entity(conn, schema, op).await?;
    }
    crate::rates::write(conn, schema, ordered.rates).await?;
    for op in ordered.payouts {
        crate::payouts::apply(conn, schema, op.id, op.event, op.at, op.version).await?;
    }
    for op in ordered.crypto {
        crate::crypto::apply(conn, schema, op).await?;
    }
    for op in ordered.recurring {
        crate::recurring::apply(
            conn,
            schema,
            op.id,
            op.event,
            op.at,
            op.version,
            op.position,
        )
        .await?;
    }
    for op in ordered.invoices {
        crate::invoices::apply::apply(conn, schema, op.id, op.event, op.at, op.version).await?;
    }
    for op in ordered.imports {
        traffic::apply::write_import(conn, schema, op).await?;
    }
    ledger::apply::write_ordered(conn, schema, ordered.ledger).await?;
    sqlx::query(&format!("UPDATE {schema}.checkpoint SET last_seq = $1"))
        .bind(last_seq)
        .execute(conn)
        .await?;
    Ok(())
}

/// Writes one reference-data change. A campaign's report keys decide where traffic counts:
/// when they change, so do the campaign rollups of the months those keys have rows in.
async fn write_entity(
    conn: &mut PgConnection,
    schema: &str,
    op: EntityOp,
) -> Result<(), ProjectionError> {
    let campaign = match &op {
        EntityOp::Upsert { kind, id, data, .. } if kind == "campaign" => {
            let old: Option<Value> = sqlx::query_scalar(&format!(
                "SELECT data FROM {schema}.entities WHERE entity_type = 'campaign' AND id = $1"
            ))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
            Some((*id, traffic::apply::changed_report_keys(old.as_ref(), data)))
        }
        _ => None,
    };
    entities::write(conn, schema, op).await?;
    if let Some((id, remapped)) = campaign {
        traffic::apply::store_campaign_keys(conn, schema, id).await?;
        traffic::apply::remap_keys(conn, schema, &remapped).await?;
    }
    Ok(())
}

fn parse_uuid(ev: &StoredEvent) -> Result<Uuid, ProjectionError> {
    Uuid::parse_str(&ev.aggregate_id).map_err(|e| ProjectionError::corrupt(ev, e))
}

/// Turns `events` (consecutive in the sealed order) into rows. Pure: no I/O. An event of an
/// aggregate or event type this build does not know is an error, as an undecodable one is:
/// the projector stops there rather than pass it by.
pub fn prepare(events: &[Sequenced]) -> Result<Prepared, ProjectionError> {
    let mut out = Prepared {
        last_seq: events.last().map(|e| e.seq),
        ..Default::default()
    };
    for ev in events {
        let e = &ev.event;
        let Some(aggregate) = AggregateType::parse(&e.aggregate_type) else {
            return Err(ProjectionError::corrupt(
                e,
                format!("unknown aggregate type `{}`", e.aggregate_type),
            ));
        };
        out.add_event(aggregate, ev)?;
    }
    out.assert_balanced(events);
    Ok(out)
}

impl Prepared {
    /// Every posting balances (`domain::transaction::validate_post`), so a batch of them
    /// moves balances by zero in every currency. Anything else is a bug that must not reach
    /// the read tables: a live step and a rebuild both prepare every batch through here.
    fn assert_balanced(&self, events: &[Sequenced]) {
        for (currency, sum) in &self.balance_check {
            assert!(
                sum.is_zero(),
                "balance deltas of the events at positions {:?}..={:?} sum to {sum} {currency}, not zero",
                events.first().map(|e| e.event.position),
                events.last().map(|e| e.event.position),
            );
        }
    }

    /// Adds one event of a known aggregate type.
    fn add_event(
        &mut self,
        aggregate: AggregateType,
        ev: &Sequenced,
    ) -> Result<(), ProjectionError> {
        let e = &ev.event;
        match aggregate {
            AggregateType::Account
            | AggregateType::Project
            | AggregateType::Category
            | AggregateType::Counterparty
            | AggregateType::TrafficSource
            | AggregateType::Program
            | AggregateType::Offer
            | AggregateType::Campaign => {
                let raw: EntityEventRaw = decode(e)?;
                check_event_type(e, raw.event_type())?;
                self.entities.push(entities::op(e, parse_uuid(e)?, raw));
            }
            AggregateType::Transaction => self.add_transaction_event(ev)?,
            AggregateType::TronWallet => self.crypto.push(CryptoOp::Wallet {
                account_id: parse_uuid(e)?,
                event: decode_event(e)?,
                at: e.recorded_at,
            }),
            AggregateType::Payout => self.payouts.push(PayoutOp {
                id: parse_uuid(e)?,
                event: decode_event::<PayoutEvent>(e)?,
                at: e.recorded_at,
                version: e.sequence,
            }),
            AggregateType::Recurring => self.recurring.push(RecurringOp {
                id: parse_uuid(e)?,
                event: decode_event::<RecurringEvent>(e)?,
                at: e.recorded_at,
                version: e.sequence,
                position: e.position,
            }),
            AggregateType::Invoice => self.invoices.push(InvoiceOp {
                id: parse_uuid(e)?,
                event: decode_event::<InvoiceEvent>(e)?,
                at: e.recorded_at,
                version: e.sequence,
            }),
            AggregateType::Rate => match decode_event::<RateEvent>(e)? {
                RateEvent::Set {
                    base,
                    quote,
                    date,
                    rate,
                    source,
                } => self.rates.push(RateOp {
                    base: base.code().to_string(),
                    quote: quote.code().to_string(),
                    date,
                    rate,
                    source,
                }),
            },
            AggregateType::TrafficImport => match decode_event::<ImportEvent>(e)? {
                ImportEvent::Applied(a) => self.imports.push(ImportOp {
                    id: parse_uuid(e)?,
                    kind: a.kind,
                    format: a.format,
                    scope: a.scope,
                    source_id: a.source_id.unwrap_or_default(),
                    from: a.date_from,
                    to: a.date_to,
                }),
            },
            AggregateType::Periods => {
                self.ledger
                    .set_closed_through(match decode_event::<PeriodEvent>(e)? {
                        PeriodEvent::Closed { through } => Some(through),
                        PeriodEvent::Reopened { through } => through,
                    });
            }
            // No read model: checked, then passed by (the series' numbers live on the
            // invoices; payout claims are a rule's stream; access events are for auditors).
            AggregateType::InvoiceSeries => {
                decode_event::<SeriesEvent>(e)?;
            }
            AggregateType::PayoutScope => {
                decode_event::<domain::payout_scope::PayoutScopeEvent>(e)?;
            }
            AggregateType::PaymentApplication => {
                decode_event::<domain::payment_application::PaymentApplicationEvent>(e)?;
            }
            AggregateType::Access => check_event_type(e, &payload_tag(e)?)?,
        }
        Ok(())
    }

    fn add_transaction_event(&mut self, ev: &Sequenced) -> Result<(), ProjectionError> {
        let e = &ev.event;
        let id = parse_uuid(e)?;
        match decode_event::<TransactionEvent>(e)? {
            TransactionEvent::Posted(p) => {
                let author: Author = serde_json::from_str(&e.metadata)
                    .map_err(|err| ProjectionError::corrupt(e, err))?;
                self.weigh(&p);
                self.ledger.add_posted(id, &p, author.user_id, ev);
                if let Some(details) = p.crypto {
                    self.crypto.push(CryptoOp::Posted {
                        transaction_id: id,
                        details: *details,
                    });
                }
            }
            TransactionEvent::CryptoVerified(verification) => {
                self.crypto.push(CryptoOp::Verified {
                    transaction_id: id,
                    verification,
                });
            }
            TransactionEvent::Reversed {
                reversal_id,
                replaced_by,
            } => self.ledger.add_reversal(id, reversal_id, replaced_by),
        }
        Ok(())
    }

    /// Adds a posting's legs to the batch's zero-sum check, as the books balance them.
    fn weigh(&mut self, p: &TransactionPosted) {
        for leg in &p.legs {
            let weight = leg.balance_contribution();
            *self.balance_check.entry(weight.currency).or_default() += weight.amount;
        }
    }
}

/// Prepares and writes `events` in one go (the live projector's path).
pub async fn apply_events(
    conn: &mut PgConnection,
    schema: &str,
    events: &[Sequenced],
) -> Result<(), ProjectionError> {
    let (rows, ordered) = prepare(events)?.split();
    write_rows(conn, schema, rows).await?;
    write_ordered(conn, schema, ordered).await
}

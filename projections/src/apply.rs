//! Applies sealed events to the read tables of one schema, a batch at a time, in two steps:
//! [`prepare`] turns events into rows without touching the database, and [`write_rows`] and [`write_ordered`] send them.
//! A rebuild runs the two on different batches at once (CPU here, COPY in PostgreSQL). The
//! result must not depend on where batch boundaries fall: the live projector (small batches)
//! and a rebuild (large ones) must produce byte-for-byte equal tables.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::invoice::InvoiceEvent;
use domain::invoice::SeriesEvent;
use domain::payout::PayoutEvent;
use domain::period::PeriodEvent;
use domain::rates::RateEvent;
use domain::recurring_payment::RecurringEvent;
use domain::traffic_import::{ImportEvent, ReportKind};
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
use crate::copy_binary::{BinaryCopy, NUMERIC_OID, TEXT_OID, UUID_OID};
use eventstore::log::{Sequenced, StoredEvent};
use eventstore::upcast::decode;

/// Reference-data events, read without their concrete spec type: the read table keeps the
/// spec as JSON and pulls out the name.
#[derive(Deserialize)]
enum EntityEventRaw {
    Created(Value),
    Updated(Value),
    Archived,
    Restored,
}

impl EntityEventRaw {
    /// The event type this payload is (`domain::entity::EntityEvent::event_type`).
    fn event_type(&self) -> &'static str {
        match self {
            Self::Created(_) => "Created",
            Self::Updated(_) => "Updated",
            Self::Archived => "Archived",
            Self::Restored => "Restored",
        }
    }
}

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

#[derive(Default)]
struct BalanceDelta {
    currency: String,
    debit: Decimal,
    credit: Decimal,
    postings: i64,
}

/// A change to `entities`, applied in log order.
enum EntityOp {
    Upsert {
        kind: String,
        id: Uuid,
        name: String,
        data: Value,
        at: DateTime<Utc>,
        version: i64,
        created: bool,
    },
    SetArchived {
        kind: String,
        id: Uuid,
        archived: bool,
        at: DateTime<Utc>,
        version: i64,
    },
}

/// An applied traffic import: its facts replace the scope's facts for its days.
struct ImportOp {
    id: Uuid,
    kind: ReportKind,
    format: String,
    scope: String,
    source_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
}

/// A payout event, applied in log order.
struct PayoutOp {
    id: Uuid,
    event: PayoutEvent,
    at: DateTime<Utc>,
    version: i64,
}

/// A recurring payment event, applied in log order.
struct RecurringOp {
    id: Uuid,
    event: RecurringEvent,
    at: DateTime<Utc>,
    version: i64,
    position: i64,
}

/// An invoice event, applied in log order.
struct InvoiceOp {
    id: Uuid,
    event: InvoiceEvent,
    at: DateTime<Utc>,
    version: i64,
}

/// A rate set for a pair's day (a later one for the same day replaces it).
struct RateOp {
    base: String,
    quote: String,
    date: NaiveDate,
    rate: Decimal,
    source: String,
}

/// The rows a batch of events turns into.
#[derive(Default)]
pub struct Prepared {
    entities: Vec<EntityOp>,
    imports: Vec<ImportOp>,
    rates: Vec<RateOp>,
    payouts: Vec<PayoutOp>,
    crypto: Vec<crate::crypto::CryptoOp>,
    recurring: Vec<RecurringOp>,
    invoices: Vec<InvoiceOp>,
    transactions: BinaryCopy,
    reversals: Vec<(Uuid, Uuid, Option<Uuid>)>,
    daily: BTreeMap<(Uuid, NaiveDate), BalanceDelta>,
    monthly: BTreeMap<(Uuid, NaiveDate), BalanceDelta>,
    ledger_daily: crate::reports::LedgerDaily,
    /// The closed-through date after the batch, when a period event changed it.
    closed_through: Option<Option<NaiveDate>>,
    last_seq: Option<i64>,
    /// The batch's postings summed per currency as the books balance them (a priced leg
    /// counts its weight): zero in every currency, or the log holds an unbalanced posting.
    balance_check: BTreeMap<Currency, Decimal>,
}

/// The append-only part of a batch: rows for COPY, which batches may send in any order.
#[derive(Default)]
pub struct Rows {
    transactions: BinaryCopy,
}

/// The part of a batch that must be applied in log order (after the rows it refers to).
#[derive(Default)]
pub struct Ordered {
    entities: Vec<EntityOp>,
    imports: Vec<ImportOp>,
    rates: Vec<RateOp>,
    payouts: Vec<PayoutOp>,
    crypto: Vec<crate::crypto::CryptoOp>,
    recurring: Vec<RecurringOp>,
    invoices: Vec<InvoiceOp>,
    reversals: Vec<(Uuid, Uuid, Option<Uuid>)>,
    daily: BTreeMap<(Uuid, NaiveDate), BalanceDelta>,
    monthly: BTreeMap<(Uuid, NaiveDate), BalanceDelta>,
    ledger_daily: crate::reports::LedgerDaily,
    closed_through: Option<Option<NaiveDate>>,
    last_seq: Option<i64>,
}

fn merge_deltas(
    into: &mut BTreeMap<(Uuid, NaiveDate), BalanceDelta>,
    from: BTreeMap<(Uuid, NaiveDate), BalanceDelta>,
) {
    for (key, d) in from {
        let t = into.entry(key).or_default();
        t.currency = d.currency;
        t.debit += d.debit;
        t.credit += d.credit;
        t.postings += d.postings;
    }
}

impl Prepared {
    pub fn split(self) -> (Rows, Ordered) {
        (
            Rows {
                transactions: self.transactions,
            },
            Ordered {
                entities: self.entities,
                imports: self.imports,
                rates: self.rates,
                payouts: self.payouts,
                crypto: self.crypto,
                recurring: self.recurring,
                invoices: self.invoices,
                reversals: self.reversals,
                daily: self.daily,
                monthly: self.monthly,
                ledger_daily: self.ledger_daily,
                closed_through: self.closed_through,
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
        self.reversals.extend(later.reversals);
        merge_deltas(&mut self.daily, later.daily);
        merge_deltas(&mut self.monthly, later.monthly);
        self.ledger_daily.absorb(later.ledger_daily);
        if later.closed_through.is_some() {
            self.closed_through = later.closed_through;
        }
        self.last_seq = later.last_seq.or(self.last_seq);
    }
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("day 1 exists")
}

impl Prepared {
    fn add_posted(
        &mut self,
        id: Uuid,
        p: &TransactionPosted,
        author: Option<Uuid>,
        ev: &Sequenced,
    ) {
        // Column order as in TRANSACTION_COLUMNS. The legs ride along as parallel arrays: one
        // row per transaction instead of one per leg keeps a rebuild's COPY volume down.
        let t = &mut self.transactions;
        t.row(TRANSACTION_COLUMNS.len() as i16);
        t.uuid(id);
        t.date(p.date);
        t.text(p.kind.as_str());
        t.text(&p.description);
        t.opt_uuid(p.project_id);
        t.opt_uuid(p.category_id);
        t.opt_uuid(p.counterparty_id);
        t.text_array(&p.tags);
        t.opt_text(p.idempotency_key.as_deref());
        t.opt_uuid(p.reverses);
        t.opt_uuid(p.replaces);
        t.opt_text(p.origin.map(|o| o.kind.as_str()));
        t.opt_uuid(p.origin.map(|o| o.id));
        t.null(); // reversed_by: set by a later Reversed event
        t.null(); // replaced_by: likewise
        t.opt_uuid(author);
        t.timestamptz(ev.event.recorded_at);
        t.i64(ev.event.position);
        t.i64(ev.seq);
        let legs = &p.legs;
        t.array(UUID_OID, legs, |c, l| c.uuid(l.account_id));
        t.array(TEXT_OID, legs, |c, l| c.text(l.currency.code()));
        t.array(NUMERIC_OID, legs, |c, l| c.numeric(l.amount));
        if legs.iter().any(|l| l.weight.is_some()) {
            t.array(TEXT_OID, legs, |c, l| {
                c.opt_text(l.weight.map(|w| w.currency.code()))
            });
            t.array(NUMERIC_OID, legs, |c, l| {
                c.opt_numeric(l.weight.map(|w| w.amount))
            });
        } else {
            t.null();
            t.null();
        }
        if legs.iter().any(|l| l.memo.is_some()) {
            t.array(TEXT_OID, legs, |c, l| c.opt_text(l.memo.as_deref()));
        } else {
            t.null();
        }
        match p.adjusts {
            Some(month) => t.date(month),
            None => t.null(),
        }

        self.ledger_daily.add(p);
        for leg in legs {
            let weight = leg.balance_contribution();
            *self.balance_check.entry(weight.currency).or_default() += weight.amount;
            let (debit, credit) = if leg.amount.is_sign_positive() {
                (leg.amount, Decimal::ZERO)
            } else {
                (Decimal::ZERO, -leg.amount)
            };
            for (map, day) in [
                (&mut self.daily, p.date),
                (&mut self.monthly, month_start(p.date)),
            ] {
                let d = map.entry((leg.account_id, day)).or_default();
                d.currency = leg.currency.code().to_string();
                d.debit += debit;
                d.credit += credit;
                d.postings += 1;
            }
        }
    }
}

/// COPYs a batch's rows (autocommit is fine: a COPY is atomic).
pub async fn write_rows(
    conn: &mut PgConnection,
    schema: &str,
    rows: Rows,
) -> Result<(), ProjectionError> {
    if rows.transactions.is_empty() {
        return Ok(());
    }
    copy_binary(
        conn,
        &format!(
            "COPY {schema}.transactions ({}) FROM STDIN WITH (FORMAT binary)",
            TRANSACTION_COLUMNS.join(", ")
        ),
        rows.transactions,
    )
    .await
}

/// Applies the ordered part (after the rows it refers to) and advances the checkpoint.
pub async fn write_ordered(
    conn: &mut PgConnection,
    schema: &str,
    ordered: Ordered,
) -> Result<(), ProjectionError> {
    let Some(last_seq) = ordered.last_seq else {
        return Ok(());
    };
    for op in ordered.entities {
        // A campaign's report keys decide where traffic counts: when they change, so do the
        // campaign rollups of the months those keys have rows in.
        let campaign = match &op {
            EntityOp::Upsert { kind, id, .. } if kind == "campaign" => Some(*id),
            _ => None,
        };
        let remapped = match &op {
            EntityOp::Upsert { kind, id, data, .. } if kind == "campaign" => {
                let old: Option<Value> = sqlx::query_scalar(&format!(
                    "SELECT data FROM {schema}.entities WHERE entity_type = 'campaign' AND id = $1"
                ))
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
                let mut keys = crate::traffic::campaign_report_keys(data);
                if let Some(old) = &old {
                    let before = crate::traffic::campaign_report_keys(old);
                    if before == keys {
                        keys.clear();
                    } else {
                        keys.extend(before);
                    }
                }
                keys
            }
            _ => Vec::new(),
        };
        write_entity(conn, schema, op).await?;
        if let Some(id) = campaign {
            crate::traffic::store_campaign_keys(conn, schema, id).await?;
        }
        crate::traffic::remap_keys(conn, schema, &remapped).await?;
    }
    upsert_rates(conn, schema, ordered.rates).await?;
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
        crate::invoices::apply(conn, schema, op.id, op.event, op.at, op.version).await?;
    }
    for op in ordered.imports {
        match op.kind {
            ReportKind::Conversions => {
                crate::traffic::apply_conversions(conn, schema, op.id, &op.format).await?
            }
            ReportKind::Spend | ReportKind::Results => {
                crate::traffic::apply_import(
                    conn,
                    schema,
                    &crate::traffic::AppliedImport {
                        id: op.id,
                        scope: &op.scope,
                        source_id: op.source_id,
                        from: op.from,
                        to: op.to,
                    },
                )
                .await?
            }
        }
    }
    if let Some(through) = ordered.closed_through {
        sqlx::query(&format!("UPDATE {schema}.books SET closed_through = $1"))
            .bind(through)
            .execute(&mut *conn)
            .await?;
    }
    for (id, reversal_id, replaced_by) in ordered.reversals {
        sqlx::query(&format!(
            "UPDATE {schema}.transactions SET reversed_by = $2, replaced_by = $3 WHERE id = $1"
        ))
        .bind(id)
        .bind(reversal_id)
        .bind(replaced_by)
        .execute(&mut *conn)
        .await?;
    }
    upsert_balances(conn, schema, "daily_balances", "date", ordered.daily).await?;
    upsert_balances(conn, schema, "monthly_balances", "month", ordered.monthly).await?;
    ordered.ledger_daily.write(conn, schema).await?;
    sqlx::query(&format!("UPDATE {schema}.checkpoint SET last_seq = $1"))
        .bind(last_seq)
        .execute(conn)
        .await?;
    Ok(())
}

const TRANSACTION_COLUMNS: [&str; 26] = [
    "id",
    "date",
    "kind",
    "description",
    "project_id",
    "category_id",
    "counterparty_id",
    "tags",
    "idempotency_key",
    "reverses",
    "replaces",
    "origin_kind",
    "origin_id",
    "reversed_by",
    "replaced_by",
    "created_by",
    "recorded_at",
    "position",
    "seq",
    "leg_accounts",
    "leg_currencies",
    "leg_amounts",
    "leg_weight_currencies",
    "leg_weight_amounts",
    "leg_memos",
    "adjusts",
];

async fn copy_binary(
    conn: &mut PgConnection,
    statement: &str,
    data: BinaryCopy,
) -> Result<(), ProjectionError> {
    let mut copy = conn.copy_in_raw(statement).await?;
    copy.send(data.finish()).await?;
    copy.finish().await?;
    Ok(())
}

async fn upsert_balances(
    conn: &mut PgConnection,
    schema: &str,
    table: &str,
    date_column: &str,
    deltas: BTreeMap<(Uuid, NaiveDate), BalanceDelta>,
) -> Result<(), ProjectionError> {
    if deltas.is_empty() {
        return Ok(());
    }
    let n = deltas.len();
    let (mut accounts, mut dates, mut currencies) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut debits, mut credits, mut counts) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for ((account, date), d) in deltas {
        accounts.push(account);
        dates.push(date);
        currencies.push(d.currency);
        debits.push(d.debit);
        credits.push(d.credit);
        counts.push(d.postings);
    }
    let sql = format!(
        "INSERT INTO {schema}.{table} (account_id, {date_column}, currency, debit, credit, postings) \
         SELECT * FROM UNNEST($1::uuid[], $2::date[], $3::text[], $4::numeric[], $5::numeric[], $6::bigint[]) \
         ON CONFLICT (account_id, {date_column}) DO UPDATE SET \
           debit = {table}.debit + excluded.debit, credit = {table}.credit + excluded.credit, \
           postings = {table}.postings + excluded.postings"
    );
    sqlx::query(&sql)
        .bind(accounts)
        .bind(dates)
        .bind(currencies)
        .bind(debits)
        .bind(credits)
        .bind(counts)
        .execute(conn)
        .await?;
    Ok(())
}

/// Upserts rates in log order: when a batch sets one day twice, the later setting wins.
async fn upsert_rates(
    conn: &mut PgConnection,
    schema: &str,
    rates: Vec<RateOp>,
) -> Result<(), ProjectionError> {
    if rates.is_empty() {
        return Ok(());
    }
    let mut latest: BTreeMap<(String, String, NaiveDate), RateOp> = BTreeMap::new();
    for r in rates {
        latest.insert((r.base.clone(), r.quote.clone(), r.date), r);
    }
    let n = latest.len();
    let (mut bases, mut quotes, mut dates) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut values, mut sources) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for r in latest.into_values() {
        bases.push(r.base);
        quotes.push(r.quote);
        dates.push(r.date);
        values.push(r.rate);
        sources.push(r.source);
    }
    sqlx::query(&format!(
        "INSERT INTO {schema}.rates (base, quote, date, rate, source) \
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::date[], $4::numeric[], $5::text[]) \
         ON CONFLICT (base, quote, date) DO UPDATE SET rate = excluded.rate, source = excluded.source"
    ))
    .bind(bases)
    .bind(quotes)
    .bind(dates)
    .bind(values)
    .bind(sources)
    .execute(conn)
    .await?;
    Ok(())
}

fn parse_uuid(ev: &StoredEvent) -> Result<Uuid, ProjectionError> {
    Uuid::parse_str(&ev.aggregate_id).map_err(|e| ProjectionError::corrupt(ev, e))
}

fn entity_op(e: &StoredEvent, raw: EntityEventRaw) -> Result<EntityOp, ProjectionError> {
    let (kind, id, at, version) = (
        e.aggregate_type.clone(),
        parse_uuid(e)?,
        e.recorded_at,
        e.sequence,
    );
    let name = |data: &Value| {
        data.get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Ok(match raw {
        EntityEventRaw::Created(data) => EntityOp::Upsert {
            kind,
            id,
            name: name(&data),
            data,
            at,
            version,
            created: true,
        },
        EntityEventRaw::Updated(data) => EntityOp::Upsert {
            kind,
            id,
            name: name(&data),
            data,
            at,
            version,
            created: false,
        },
        EntityEventRaw::Archived => EntityOp::SetArchived {
            kind,
            id,
            archived: true,
            at,
            version,
        },
        EntityEventRaw::Restored => EntityOp::SetArchived {
            kind,
            id,
            archived: false,
            at,
            version,
        },
    })
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
                self.entities.push(entity_op(e, raw)?);
            }
            AggregateType::Transaction => self.add_transaction_event(ev)?,
            AggregateType::TronWallet => self.crypto.push(crate::crypto::CryptoOp::Wallet {
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
                self.closed_through = Some(match decode_event::<PeriodEvent>(e)? {
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
                self.add_posted(id, &p, author.user_id, ev);
                if let Some(details) = p.crypto {
                    self.crypto.push(crate::crypto::CryptoOp::Posted {
                        transaction_id: id,
                        details: *details,
                    });
                }
            }
            TransactionEvent::CryptoVerified(verification) => {
                self.crypto.push(crate::crypto::CryptoOp::Verified {
                    transaction_id: id,
                    verification,
                });
            }
            TransactionEvent::Reversed {
                reversal_id,
                replaced_by,
            } => {
                self.reversals.push((id, reversal_id, replaced_by));
            }
        }
        Ok(())
    }
}

async fn write_entity(
    conn: &mut PgConnection,
    schema: &str,
    op: EntityOp,
) -> Result<(), ProjectionError> {
    match op {
        EntityOp::Upsert {
            kind,
            id,
            name,
            data,
            at,
            version,
            created: true,
        } => {
            sqlx::query(&format!(
                "INSERT INTO {schema}.entities (entity_type, id, name, archived, data, created_at, updated_at, version) \
                 VALUES ($1, $2, $3, false, $4, $5, $5, $6)"
            ))
            .bind(kind)
            .bind(id)
            .bind(name)
            .bind(data)
            .bind(at)
            .bind(version)
            .execute(conn)
            .await?;
        }
        EntityOp::Upsert {
            kind,
            id,
            name,
            data,
            at,
            version,
            created: false,
        } => {
            sqlx::query(&format!(
                "UPDATE {schema}.entities SET name = $3, data = $4, updated_at = $5, version = $6 \
                 WHERE entity_type = $1 AND id = $2"
            ))
            .bind(kind)
            .bind(id)
            .bind(name)
            .bind(data)
            .bind(at)
            .bind(version)
            .execute(conn)
            .await?;
        }
        EntityOp::SetArchived {
            kind,
            id,
            archived,
            at,
            version,
        } => {
            sqlx::query(&format!(
                "UPDATE {schema}.entities SET archived = $3, updated_at = $4, version = $5 \
                 WHERE entity_type = $1 AND id = $2"
            ))
            .bind(kind)
            .bind(id)
            .bind(archived)
            .bind(at)
            .bind(version)
            .execute(conn)
            .await?;
        }
    }
    Ok(())
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

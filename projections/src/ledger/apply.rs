//! How events apply to the books' tables. A posted transaction becomes one COPY row (the
//! [`Rows`], which batches may send in any order) plus balance and rollup deltas; reversals,
//! the period lock and the summed deltas are [`Ordered`]: applied after the rows they refer
//! to, in log order.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use domain::transaction::TransactionPosted;
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

use super::rollup::LedgerDaily;
use crate::ProjectionError;
use crate::copy_binary::{BinaryCopy, NUMERIC_OID, TEXT_OID, UUID_OID};
use eventstore::log::Sequenced;

#[derive(Default)]
struct BalanceDelta {
    currency: String,
    debit: Decimal,
    credit: Decimal,
    postings: i64,
}

type Deltas = BTreeMap<(Uuid, NaiveDate), BalanceDelta>;

/// What a batch of events does to the books.
#[derive(Default)]
pub struct Batch {
    transactions: BinaryCopy,
    ordered: Ordered,
}

/// The append-only part: transaction rows for COPY.
#[derive(Default)]
pub struct Rows {
    transactions: BinaryCopy,
}

/// The part applied in log order, after the rows it refers to.
#[derive(Default)]
pub struct Ordered {
    /// (transaction, its reversal, the transaction that replaces it).
    reversals: Vec<(Uuid, Uuid, Option<Uuid>)>,
    daily: Deltas,
    monthly: Deltas,
    rollup: LedgerDaily,
    /// The closed-through date after the batch, when a period event changed it.
    closed_through: Option<Option<NaiveDate>>,
}

fn merge_deltas(into: &mut Deltas, from: Deltas) {
    for (key, d) in from {
        let t = into.entry(key).or_default();
        t.currency = d.currency;
        t.debit += d.debit;
        t.credit += d.credit;
        t.postings += d.postings;
    }
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("day 1 exists")
}

impl Batch {
    pub fn split(self) -> (Rows, Ordered) {
        (
            Rows {
                transactions: self.transactions,
            },
            self.ordered,
        )
    }

    /// `id` was reversed by `reversal_id` (and replaced by `replaced_by`).
    pub fn add_reversal(&mut self, id: Uuid, reversal_id: Uuid, replaced_by: Option<Uuid>) {
        self.ordered.reversals.push((id, reversal_id, replaced_by));
    }

    /// The period lock now closes the books through `through` (None: nothing closed).
    pub fn set_closed_through(&mut self, through: Option<NaiveDate>) {
        self.ordered.closed_through = Some(through);
    }

    /// Adds a posted transaction: its row, and what it moves in every balance and rollup.
    pub fn add_posted(
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

        self.ordered.rollup.add(p);
        for leg in legs {
            let (debit, credit) = if leg.amount.is_sign_positive() {
                (leg.amount, Decimal::ZERO)
            } else {
                (Decimal::ZERO, -leg.amount)
            };
            for (map, day) in [
                (&mut self.ordered.daily, p.date),
                (&mut self.ordered.monthly, month_start(p.date)),
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

impl Ordered {
    /// Appends the ordered part of the batch that follows this one.
    pub fn absorb(&mut self, later: Ordered) {
        self.reversals.extend(later.reversals);
        merge_deltas(&mut self.daily, later.daily);
        merge_deltas(&mut self.monthly, later.monthly);
        self.rollup.absorb(later.rollup);
        if later.closed_through.is_some() {
            self.closed_through = later.closed_through;
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

/// Applies the ordered part: the period lock, reversals, then the summed balance and rollup
/// deltas.
pub async fn write_ordered(
    conn: &mut PgConnection,
    schema: &str,
    ordered: Ordered,
) -> Result<(), ProjectionError> {
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
    ordered.rollup.write(conn, schema).await
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
    deltas: Deltas,
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

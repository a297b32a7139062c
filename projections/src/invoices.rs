//! The invoices read model: one row per invoice (with its running paid, overpaid and open
//! amounts), its lines and its payments. Everything here follows from the invoice's events
//! alone, so a rebuild gives the same rows.

use chrono::{DateTime, NaiveDate, Utc};
use domain::invoice::open_spans::OpenHistory;
use domain::invoice::{Draft, InvoiceEvent};
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::ProjectionError;

pub mod aging;
pub mod queries;

pub const DDL: &str = r#"
-- Invoices (receivable and payable). `status` is the lifecycle kept in the log; "overdue" is
-- derived when reading. `open` = total − paid + overpaid (0 once cancelled); `settled_on` is the
-- latest payment date when the invoice became paid, so ageing at an earlier date can skip the
-- invoices that were settled by then.
CREATE TABLE {s}.invoices (
    id                 uuid        PRIMARY KEY,
    direction          text        NOT NULL,
    status             text        NOT NULL,
    series             text,
    number             text,
    external_number    text,
    counterparty_id    uuid        NOT NULL,
    currency           text        NOT NULL,
    issue_date         date        NOT NULL,
    due_date           date        NOT NULL,
    notes              text,
    total              numeric     NOT NULL,
    paid               numeric     NOT NULL,
    overpaid           numeric     NOT NULL,
    open               numeric     NOT NULL,
    payments           integer     NOT NULL,
    last_paid_on       date,
    settled_on         date,
    cancelled_on       date,
    overdue_since      date,
    control_account_id uuid,
    account_id         uuid,
    transaction_ids    uuid[]      NOT NULL,
    reversal_ids       uuid[]      NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    version            bigint      NOT NULL
);
CREATE INDEX ON {s}.invoices (direction, due_date);
CREATE INDEX ON {s}.invoices (counterparty_id, due_date);
CREATE INDEX ON {s}.invoices (number);
CREATE TABLE {s}.invoice_lines (
    invoice_id  uuid     NOT NULL,
    n           smallint NOT NULL,
    description text     NOT NULL,
    quantity    numeric  NOT NULL,
    unit_price  numeric  NOT NULL,
    amount      numeric  NOT NULL,
    project_id  uuid,
    category_id uuid,
    PRIMARY KEY (invoice_id, n)
);
CREATE TABLE {s}.invoice_payments (
    invoice_id     uuid    NOT NULL,
    n              integer NOT NULL,
    date           date    NOT NULL,
    transaction_id uuid    NOT NULL,
    account_id     uuid,
    amount         numeric NOT NULL,
    currency       text    NOT NULL,
    rate           numeric,
    applied        numeric NOT NULL,
    overpaid       numeric NOT NULL,
    PRIMARY KEY (invoice_id, n)
);
CREATE INDEX ON {s}.invoice_payments (transaction_id);
CREATE INDEX ON {s}.invoice_payments (date);
-- What each issued invoice leaves open over time (domain::invoice::open_spans): the ageing
-- report at a date reads the one span per invoice that covers it. `until` is exclusive.
CREATE TABLE {s}.invoice_open (
    invoice_id      uuid    NOT NULL,
    valid_from      date    NOT NULL,
    valid_until     date,
    direction       text    NOT NULL,
    counterparty_id uuid    NOT NULL,
    currency        text    NOT NULL,
    due_date        date    NOT NULL,
    amount          numeric NOT NULL CHECK (amount > 0),
    PRIMARY KEY (invoice_id, valid_from)
);
-- Today's ageing reads the open-ended spans, one at a past date the spans ending after it.
CREATE INDEX ON {s}.invoice_open (valid_until);
"#;

async fn write_draft(
    conn: &mut PgConnection,
    schema: &str,
    id: Uuid,
    d: &Draft,
) -> Result<(), ProjectionError> {
    sqlx::query(&format!(
        "DELETE FROM {schema}.invoice_lines WHERE invoice_id = $1"
    ))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let n = d.lines.len();
    let (mut desc, mut qty, mut price, mut amount, mut project, mut category) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for l in &d.lines {
        desc.push(l.description.as_str());
        qty.push(l.quantity);
        price.push(l.unit_price);
        amount.push(l.amount);
        project.push(l.project_id);
        category.push(l.category_id);
    }
    sqlx::query(&format!(
        "INSERT INTO {schema}.invoice_lines \
         SELECT $1, (n - 1)::smallint, d, q, p, a, pr, c \
         FROM UNNEST($2::text[], $3::numeric[], $4::numeric[], $5::numeric[], $6::uuid[], $7::uuid[]) \
           WITH ORDINALITY AS u(d, q, p, a, pr, c, n)"
    ))
    .bind(id)
    .bind(desc)
    .bind(qty)
    .bind(price)
    .bind(amount)
    .bind(project)
    .bind(category)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn apply(
    conn: &mut PgConnection,
    schema: &str,
    id: Uuid,
    event: InvoiceEvent,
    at: DateTime<Utc>,
    version: i64,
) -> Result<(), ProjectionError> {
    let changes_open = matches!(
        event,
        InvoiceEvent::Issued { .. }
            | InvoiceEvent::PaymentRecorded(_)
            | InvoiceEvent::Cancelled { .. }
    );
    let update = |set: &str| {
        format!("UPDATE {schema}.invoices SET {set}, updated_at = $2, version = $3 WHERE id = $1")
    };
    match event {
        InvoiceEvent::Drafted { direction, draft } => {
            sqlx::query(&format!(
                "INSERT INTO {schema}.invoices (id, direction, status, external_number, counterparty_id, \
                   currency, issue_date, due_date, notes, total, paid, overpaid, open, payments, \
                   transaction_ids, reversal_ids, created_at, updated_at, version) \
                 VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $9, 0, 0, $9, 0, '{{}}', '{{}}', $10, $10, $11)"
            ))
            .bind(id)
            .bind(direction.as_str())
            .bind(&draft.external_number)
            .bind(draft.counterparty_id)
            .bind(draft.currency.code())
            .bind(draft.issue_date)
            .bind(draft.due_date)
            .bind(&draft.notes)
            .bind(draft.total)
            .bind(at)
            .bind(version)
            .execute(&mut *conn)
            .await?;
            write_draft(conn, schema, id, &draft).await?;
        }
        InvoiceEvent::DraftUpdated(draft) => {
            sqlx::query(&update(
                "external_number = $4, counterparty_id = $5, currency = $6, issue_date = $7, \
                 due_date = $8, notes = $9, total = $10, open = $10",
            ))
            .bind(id)
            .bind(at)
            .bind(version)
            .bind(&draft.external_number)
            .bind(draft.counterparty_id)
            .bind(draft.currency.code())
            .bind(draft.issue_date)
            .bind(draft.due_date)
            .bind(&draft.notes)
            .bind(draft.total)
            .execute(&mut *conn)
            .await?;
            write_draft(conn, schema, id, &draft).await?;
        }
        InvoiceEvent::Issued {
            series,
            number,
            control_account_id,
            account_id,
            transaction_ids,
        } => {
            sqlx::query(&update(
                "status = 'issued', series = $4, number = $5, control_account_id = $6, \
                 account_id = $7, transaction_ids = $8",
            ))
            .bind(id)
            .bind(at)
            .bind(version)
            .bind(series)
            .bind(number)
            .bind(control_account_id)
            .bind(account_id)
            .bind(transaction_ids)
            .execute(&mut *conn)
            .await?;
        }
        InvoiceEvent::PaymentRecorded(p) => {
            // The status rule is the aggregate's: paid once the payments reach the total.
            sqlx::query(&update(
                "paid = paid + $4, overpaid = overpaid + $5, open = total - (paid + $4) + (overpaid + $5), \
                 payments = payments + 1, last_paid_on = greatest(last_paid_on, $6), \
                 status = CASE WHEN paid + $4 >= total THEN 'paid' ELSE 'partially_paid' END, \
                 settled_on = CASE WHEN paid + $4 >= total THEN greatest(last_paid_on, $6) END",
            ))
            .bind(id)
            .bind(at)
            .bind(version)
            .bind(p.applied)
            .bind(p.overpaid)
            .bind(p.date)
            .execute(&mut *conn)
            .await?;
            sqlx::query(&format!(
                "INSERT INTO {schema}.invoice_payments \
                 SELECT $1, payments, $2, $3, $4, $5, $6, $7, $8, $9 FROM {schema}.invoices WHERE id = $1"
            ))
            .bind(id)
            .bind(p.date)
            .bind(p.transaction_id)
            .bind(p.account_id)
            .bind(p.amount)
            .bind(p.currency.code())
            .bind(p.rate)
            .bind(p.applied)
            .bind(p.overpaid)
            .execute(&mut *conn)
            .await?;
        }
        InvoiceEvent::BecameOverdue { date } => {
            sqlx::query(&update("overdue_since = $4"))
                .bind(id)
                .bind(at)
                .bind(version)
                .bind(date)
                .execute(&mut *conn)
                .await?;
        }
        InvoiceEvent::Cancelled { date, reversal_ids } => {
            sqlx::query(&update(
                // `0 * total`: zero at the currency's scale, like every other amount.
                "status = 'cancelled', cancelled_on = $4, reversal_ids = $5, open = 0 * total",
            ))
            .bind(id)
            .bind(at)
            .bind(version)
            .bind(date)
            .bind(reversal_ids)
            .execute(&mut *conn)
            .await?;
        }
    }
    if changes_open {
        write_open_spans(conn, schema, id).await?;
    }
    Ok(())
}

/// Rewrites the invoice's open spans from its row and its payments.
async fn write_open_spans(
    conn: &mut PgConnection,
    schema: &str,
    id: Uuid,
) -> Result<(), ProjectionError> {
    let (issue_date, total, cancelled_on): (NaiveDate, Decimal, Option<NaiveDate>) =
        sqlx::query_as(&format!(
            "SELECT issue_date, total, cancelled_on FROM {schema}.invoices WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let payments: Vec<(NaiveDate, Decimal)> = sqlx::query_as(&format!(
        "SELECT date, applied FROM {schema}.invoice_payments WHERE invoice_id = $1"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let spans = OpenHistory {
        issue_date,
        total,
        payments: &payments,
        cancelled_on,
    }
    .spans();
    sqlx::query(&format!(
        "DELETE FROM {schema}.invoice_open WHERE invoice_id = $1"
    ))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let from: Vec<NaiveDate> = spans.iter().map(|s| s.from).collect();
    let until: Vec<Option<NaiveDate>> = spans.iter().map(|s| s.until).collect();
    let amount: Vec<Decimal> = spans.iter().map(|s| s.amount).collect();
    sqlx::query(&format!(
        "INSERT INTO {schema}.invoice_open \
         SELECT i.id, u.f, u.t, i.direction, i.counterparty_id, i.currency, i.due_date, u.a \
         FROM {schema}.invoices i, UNNEST($2::date[], $3::date[], $4::numeric[]) AS u(f, t, a) \
         WHERE i.id = $1"
    ))
    .bind(id)
    .bind(from)
    .bind(until)
    .bind(amount)
    .execute(conn)
    .await?;
    Ok(())
}

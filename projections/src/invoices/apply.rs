//! How invoice events apply to the invoices' tables. Everything follows from the invoice's
//! events alone, so a rebuild gives the same rows.

use chrono::{DateTime, NaiveDate, Utc};
use domain::invoice::open_spans::OpenHistory;
use domain::invoice::{Direction, Draft, InvoiceEvent, Payment};
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::ProjectionError;

/// An invoice event, applied in log order.
pub struct InvoiceOp {
    pub id: Uuid,
    pub event: InvoiceEvent,
    pub at: DateTime<Utc>,
    pub version: i64,
}

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
            insert_invoice(conn, schema, id, direction, &draft, at, version).await?;
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
            record_payment(conn, schema, id, &p, at, version).await?
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

/// A drafted invoice's row: no payments, everything open.
async fn insert_invoice(
    conn: &mut PgConnection,
    schema: &str,
    id: Uuid,
    direction: Direction,
    draft: &Draft,
    at: DateTime<Utc>,
    version: i64,
) -> Result<(), ProjectionError> {
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
    Ok(())
}

/// A payment: the invoice's running sums and status, and the payment's own row.
async fn record_payment(
    conn: &mut PgConnection,
    schema: &str,
    id: Uuid,
    p: &Payment,
    at: DateTime<Utc>,
    version: i64,
) -> Result<(), ProjectionError> {
    let update = |set: &str| {
        format!("UPDATE {schema}.invoices SET {set}, updated_at = $2, version = $3 WHERE id = $1")
    };
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

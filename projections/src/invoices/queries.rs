//! Reading the invoices read model: one invoice with its lines and payments, pages of
//! invoices, and the status rules of `domain::invoice::ageing` as SQL.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use domain::Currency;
use domain::invoice::InvoiceStatus;
use domain::invoice::ageing::{MAY_BE_OVERDUE, NOT_OWED, OVERDUE};
use domain::money::round_to_scale;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgPool, Row};
use uuid::Uuid;

use crate::ReadError;
use crate::queries::escape_like;

/// `'a', 'b'`: statuses as an SQL list.
fn sql_list(statuses: &[InvoiceStatus]) -> String {
    statuses
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The status as shown ([`domain::invoice::ageing::shown_status`]): the lifecycle status, or
/// "overdue" for an open invoice past its due date. `$1` is today.
pub static STATUS_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "CASE WHEN status IN ({}) AND open > 0 AND due_date < $1 THEN '{OVERDUE}' ELSE status END",
        sql_list(&MAY_BE_OVERDUE)
    )
});

/// Invoices that still count as owed ([`domain::invoice::ageing::is_owed`]): issued and not
/// cancelled, with something open.
pub static OWED_SQL: LazyLock<String> =
    LazyLock::new(|| format!("status NOT IN ({}) AND open > 0", sql_list(&NOT_OWED)));

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceSummary {
    pub id: Uuid,
    /// receivable (we bill) or payable (we are billed).
    pub direction: String,
    /// draft, issued, partially_paid, paid, overdue or cancelled.
    pub status: String,
    /// Our number, from the series (`INV-2026-00001`), once issued.
    pub number: Option<String>,
    pub series: Option<String>,
    /// The supplier's own number (payable invoices).
    pub external_number: Option<String>,
    pub counterparty_id: Uuid,
    pub currency: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub notes: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total: Decimal,
    /// Sum of the payments applied, in the invoice's currency.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub paid: Decimal,
    /// What is still owed (0 once paid or cancelled).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub open: Decimal,
    /// Paid beyond the total (recorded as the counterparty's credit).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub overpaid: Decimal,
    /// The counterparty's credit from this invoice: the overpayment, or every payment of a
    /// cancelled invoice.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub credit: Decimal,
    pub last_paid_on: Option<NaiveDate>,
    pub cancelled_on: Option<NaiveDate>,
    /// When the daily job recorded it as overdue.
    pub overdue_since: Option<NaiveDate>,
    pub control_account_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    /// The issue's postings.
    pub transaction_ids: Vec<Uuid>,
    /// The reversals of those postings (cancellation).
    pub reversal_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl FromRow<'_, PgRow> for InvoiceSummary {
    fn from_row(r: &PgRow) -> Result<Self, sqlx::Error> {
        let status: String = r.try_get("shown_status")?;
        let currency: String = r.try_get("currency")?;
        // Zero comes back from PostgreSQL without its scale: print every amount at the
        // currency's (the values are exact, so nothing rounds).
        let money = |column: &str| -> Result<Decimal, sqlx::Error> {
            let v: Decimal = r.try_get(column)?;
            Ok(match Currency::parse(&currency) {
                Ok(c) => round_to_scale(v, c),
                Err(_) => v,
            })
        };
        let paid = money("paid")?;
        let overpaid = money("overpaid")?;
        Ok(Self {
            id: r.try_get("id")?,
            direction: r.try_get("direction")?,
            credit: if status == "cancelled" {
                paid
            } else {
                overpaid
            },
            status,
            number: r.try_get("number")?,
            series: r.try_get("series")?,
            external_number: r.try_get("external_number")?,
            counterparty_id: r.try_get("counterparty_id")?,
            issue_date: r.try_get("issue_date")?,
            due_date: r.try_get("due_date")?,
            notes: r.try_get("notes")?,
            total: money("total")?,
            paid,
            open: money("open")?,
            overpaid,
            last_paid_on: r.try_get("last_paid_on")?,
            cancelled_on: r.try_get("cancelled_on")?,
            overdue_since: r.try_get("overdue_since")?,
            control_account_id: r.try_get("control_account_id")?,
            account_id: r.try_get("account_id")?,
            transaction_ids: r.try_get("transaction_ids")?,
            currency,
            reversal_ids: r.try_get("reversal_ids")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
        })
    }
}

#[derive(Debug, Serialize, FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineOut {
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub quantity: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub unit_price: Decimal,
    /// quantity × unit_price, rounded half-even to the currency's scale.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub amount: Decimal,
    pub project_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
}

#[derive(Debug, Serialize, FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentOut {
    pub date: NaiveDate,
    /// The posting that moved the money.
    pub transaction_id: Uuid,
    pub account_id: Option<Uuid>,
    /// What moved, in its own currency.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub amount: Decimal,
    pub currency: String,
    /// Invoice currency per unit of the payment's currency.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub rate: Option<Decimal>,
    /// What it settled, in the invoice's currency.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub applied: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub overpaid: Decimal,
}

/// One invoice with its lines and payments, as the read side holds it.
pub struct InvoiceRead {
    pub invoice: InvoiceSummary,
    pub lines: Vec<LineOut>,
    pub payments: Vec<PaymentOut>,
}

/// Invoice `id` with the status shown on `today` (`NotFound` when there is none).
pub async fn get(pool: &PgPool, id: Uuid, today: NaiveDate) -> Result<InvoiceRead, ReadError> {
    let invoice = sqlx::query_as::<_, InvoiceSummary>(&format!(
        "SELECT *, {} AS shown_status FROM read.invoices WHERE id = $2",
        *STATUS_SQL
    ))
    .bind(today)
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| ReadError::NotFound(format!("invoice {id}")))?;
    let lines = sqlx::query_as::<_, LineOut>(
        "SELECT * FROM read.invoice_lines WHERE invoice_id = $1 ORDER BY n",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let payments = sqlx::query_as::<_, PaymentOut>(
        "SELECT * FROM read.invoice_payments WHERE invoice_id = $1 ORDER BY n",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(InvoiceRead {
        invoice,
        lines,
        payments,
    })
}

/// Which invoices a page lists (every field optional; statuses as shown on `today`).
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    pub today: NaiveDate,
    pub direction: Option<&'static str>,
    pub status: Option<String>,
    pub counterparty_id: Option<Uuid>,
    pub currency: Option<Currency>,
    /// A prefix of our or the supplier's number.
    pub number: Option<String>,
    pub issue_from: Option<NaiveDate>,
    pub issue_to: Option<NaiveDate>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
    /// Text anywhere in the numbers, notes or line descriptions.
    pub q: Option<String>,
}

/// A page of invoices in `order` (an SQL ORDER BY list the caller chose from its allowed
/// sorts), with the count over all pages.
pub async fn list(
    pool: &PgPool,
    f: &InvoiceFilter,
    order: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<InvoiceSummary>, i64), ReadError> {
    let number = f.number.as_deref().map(|n| format!("{}%", escape_like(n)));
    let q = f.q.as_deref().map(|n| format!("%{}%", escape_like(n)));
    let status_sql = &*STATUS_SQL;
    let filter = format!(
        "($2::text IS NULL OR direction = $2) AND ($3::text IS NULL OR {status_sql} = $3) \
         AND ($4::uuid IS NULL OR counterparty_id = $4) AND ($5::text IS NULL OR currency = $5) \
         AND ($6::text IS NULL OR number ILIKE $6 OR external_number ILIKE $6) \
         AND ($7::date IS NULL OR issue_date >= $7) AND ($8::date IS NULL OR issue_date <= $8) \
         AND ($9::date IS NULL OR due_date >= $9) AND ($10::date IS NULL OR due_date <= $10) \
         AND ($11::text IS NULL OR number ILIKE $11 OR external_number ILIKE $11 OR notes ILIKE $11 \
              OR EXISTS (SELECT 1 FROM read.invoice_lines l WHERE l.invoice_id = i.id AND l.description ILIKE $11))"
    );
    macro_rules! bind_filter {
        ($query:expr) => {
            $query
                .bind(f.today)
                .bind(f.direction)
                .bind(&f.status)
                .bind(f.counterparty_id)
                .bind(f.currency.map(Currency::code))
                .bind(&number)
                .bind(f.issue_from)
                .bind(f.issue_to)
                .bind(f.due_from)
                .bind(f.due_to)
                .bind(&q)
        };
    }
    let items = bind_filter!(sqlx::query_as::<_, InvoiceSummary>(&format!(
        "SELECT *, {status_sql} AS shown_status FROM read.invoices i WHERE {filter} \
         ORDER BY {order} LIMIT $12 OFFSET $13"
    )))
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let total: i64 = bind_filter!(sqlx::query_scalar(&format!(
        "SELECT count(*) FROM read.invoices i WHERE {filter}"
    )))
    .fetch_one(pool)
    .await?;
    Ok((items, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generated SQL is the text the queries were tuned with.
    #[test]
    fn status_rules_render_as_before() {
        assert_eq!(
            *STATUS_SQL,
            "CASE WHEN status IN ('issued', 'partially_paid') AND open > 0 AND due_date < $1 \
             THEN 'overdue' ELSE status END"
        );
        assert_eq!(
            *OWED_SQL,
            "status NOT IN ('draft', 'cancelled') AND open > 0"
        );
    }
}

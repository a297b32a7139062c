//! The payouts read model: its table, how payout events apply to `payouts`, and its queries.

use chrono::{DateTime, NaiveDate, Utc};
use domain::payout::{PayoutEvent, PayoutLine};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgConnection, PgPool, Row};
use uuid::Uuid;

use crate::{ProjectionError, ReadError};

pub const TABLES: &[(&str, &str)] = &[("payouts", "id")];

pub const DDL: &str = r#"
-- Affiliate payouts and their postings.
CREATE TABLE {s}.payouts (
    id                     uuid        PRIMARY KEY,
    program_id             uuid        NOT NULL,
    counterparty_id        uuid        NOT NULL,
    currency               text        NOT NULL,
    date_from              date        NOT NULL,
    date_to                date        NOT NULL,
    status                 text        NOT NULL,
    total                  numeric     NOT NULL,
    conversions            bigint      NOT NULL,
    lines                  jsonb       NOT NULL,
    approved_on            date,
    receivable_account_id  uuid,
    revenue_account_id     uuid,
    category_id            uuid,
    transaction_ids        uuid[]      NOT NULL,
    paid_on                date,
    paid_account_id        uuid,
    paid_amount            numeric,
    tx_hash                text,
    payment_transaction_id uuid,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    version                bigint      NOT NULL
);
CREATE INDEX ON {s}.payouts (program_id, date_from);
"#;

/// A payout event, applied in log order.
pub struct PayoutOp {
    pub id: Uuid,
    pub event: PayoutEvent,
    pub at: DateTime<Utc>,
    pub version: i64,
}

pub async fn apply(
    conn: &mut PgConnection,
    schema: &str,
    id: Uuid,
    event: PayoutEvent,
    at: DateTime<Utc>,
    version: i64,
) -> Result<(), ProjectionError> {
    let update = |set: &str| {
        format!("UPDATE {schema}.payouts SET {set}, updated_at = $2, version = $3 WHERE id = $1")
    };
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
            let conversions: i64 = lines.iter().map(|l| l.conversions as i64).sum();
            sqlx::query(&format!(
                "INSERT INTO {schema}.payouts (id, program_id, counterparty_id, currency, date_from, date_to, \
                   status, total, conversions, lines, transaction_ids, created_at, updated_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $9, '{{}}', $10, $10, $11)"
            ))
            .bind(id)
            .bind(program_id)
            .bind(counterparty_id)
            .bind(currency.code())
            .bind(from)
            .bind(to)
            .bind(total)
            .bind(conversions)
            .bind(sqlx::types::Json(&lines))
            .bind(at)
            .bind(version)
            .execute(conn)
            .await?;
        }
        PayoutEvent::Approved {
            date,
            receivable_account_id,
            revenue_account_id,
            category_id,
            transaction_ids,
        } => {
            sqlx::query(&update(
                "status = 'approved', approved_on = $4, receivable_account_id = $5, \
                 revenue_account_id = $6, category_id = $7, transaction_ids = $8",
            ))
            .bind(id)
            .bind(at)
            .bind(version)
            .bind(date)
            .bind(receivable_account_id)
            .bind(revenue_account_id)
            .bind(category_id)
            .bind(transaction_ids)
            .execute(conn)
            .await?;
        }
        PayoutEvent::Paid {
            date,
            account_id,
            amount,
            tx_hash,
            transaction_id,
        } => {
            sqlx::query(&update(
                "status = 'paid', paid_on = $4, paid_account_id = $5, paid_amount = $6, tx_hash = $7, \
                 payment_transaction_id = $8",
            ))
            .bind(id)
            .bind(at)
            .bind(version)
            .bind(date)
            .bind(account_id)
            .bind(amount)
            .bind(tx_hash)
            .bind(transaction_id)
            .execute(conn)
            .await?;
        }
        PayoutEvent::Cancelled => {
            sqlx::query(&update("status = 'cancelled'"))
                .bind(id)
                .bind(at)
                .bind(version)
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayoutOut {
    pub id: Uuid,
    pub program_id: Uuid,
    pub counterparty_id: Uuid,
    pub currency: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// draft, approved, paid or cancelled.
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total: Decimal,
    pub conversions: i64,
    pub lines: Vec<PayoutLine>,
    pub approved_on: Option<NaiveDate>,
    pub receivable_account_id: Option<Uuid>,
    pub revenue_account_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    /// The receivable's postings (one per project).
    pub transaction_ids: Vec<Uuid>,
    pub paid_on: Option<NaiveDate>,
    pub paid_account_id: Option<Uuid>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub paid_amount: Option<Decimal>,
    pub tx_hash: Option<String>,
    pub payment_transaction_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The last write's log position.
    pub position: Option<i64>,
}

impl FromRow<'_, PgRow> for PayoutOut {
    fn from_row(r: &PgRow) -> Result<Self, sqlx::Error> {
        let lines: sqlx::types::Json<Vec<PayoutLine>> = r.try_get("lines")?;
        Ok(Self {
            id: r.try_get("id")?,
            program_id: r.try_get("program_id")?,
            counterparty_id: r.try_get("counterparty_id")?,
            currency: r.try_get("currency")?,
            from: r.try_get("date_from")?,
            to: r.try_get("date_to")?,
            status: r.try_get("status")?,
            total: r.try_get("total")?,
            conversions: r.try_get("conversions")?,
            lines: lines.0,
            approved_on: r.try_get("approved_on")?,
            receivable_account_id: r.try_get("receivable_account_id")?,
            revenue_account_id: r.try_get("revenue_account_id")?,
            category_id: r.try_get("category_id")?,
            transaction_ids: r.try_get("transaction_ids")?,
            paid_on: r.try_get("paid_on")?,
            paid_account_id: r.try_get("paid_account_id")?,
            paid_amount: r.try_get("paid_amount")?,
            tx_hash: r.try_get("tx_hash")?,
            payment_transaction_id: r.try_get("payment_transaction_id")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
            position: None,
        })
    }
}

/// Payout `id` (`NotFound` when there is none).
pub async fn get(pool: &PgPool, id: Uuid) -> Result<PayoutOut, ReadError> {
    sqlx::query_as::<_, PayoutOut>("SELECT * FROM read.payouts WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| ReadError::NotFound(format!("payout {id}")))
}

/// A page of payouts, latest period first, with the count over all pages.
pub async fn list(
    pool: &PgPool,
    program_id: Option<Uuid>,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PayoutOut>, i64), ReadError> {
    let filter = "($1::uuid IS NULL OR program_id = $1) AND ($2::text IS NULL OR status = $2)";
    let items = sqlx::query_as::<_, PayoutOut>(&format!(
        "SELECT * FROM read.payouts WHERE {filter} ORDER BY date_from DESC, created_at DESC LIMIT $3 OFFSET $4"
    ))
    .bind(program_id)
    .bind(status)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let total: i64 =
        sqlx::query_scalar(&format!("SELECT count(*) FROM read.payouts WHERE {filter}"))
            .bind(program_id)
            .bind(status)
            .fetch_one(pool)
            .await?;
    Ok((items, total))
}

/// What payout lines are summed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayoutGroup {
    Campaign,
    Offer,
    Program,
    Project,
}

impl PayoutGroup {
    fn column(self) -> &'static str {
        match self {
            PayoutGroup::Campaign => "l.campaign_id",
            PayoutGroup::Offer => "l.offer_id",
            PayoutGroup::Program => "p.program_id",
            PayoutGroup::Project => "l.project_id",
        }
    }
}

/// Payout lines of approved or paid payouts whose period lies in the range, per group.
#[derive(sqlx::FromRow)]
pub struct PayoutSum {
    pub key: Option<Uuid>,
    pub currency: String,
    pub date_to: NaiveDate,
    pub paid: bool,
    pub amount: Decimal,
}

/// The approved (or paid) payout lines of periods inside `from..=to`, summed per group,
/// currency, period end and paid state.
pub async fn approved_sums(
    pool: &PgPool,
    group: PayoutGroup,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<PayoutSum>, ReadError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {} AS key, p.currency, p.date_to, p.status = 'paid' AS paid, sum(l.amount) AS amount \
         FROM read.payouts p, \
              jsonb_to_recordset(p.lines) AS l(campaign_id uuid, offer_id uuid, project_id uuid, amount numeric) \
         WHERE p.status IN ('approved', 'paid') AND p.date_from >= $1 AND p.date_to <= $2 \
         GROUP BY 1, 2, 3, 4",
        group.column()
    ))
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?)
}

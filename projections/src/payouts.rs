//! The payouts read model.

use chrono::{DateTime, Utc};
use domain::payout::PayoutEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::ProjectionError;

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

//! The books' rollup: postings summed per day (`ledger_daily`) and per calendar month
//! (`ledger_monthly`) by account, category, project and counterparty. The accounting reports
//! (`crate::reports`) read it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::transaction::TransactionPosted;
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::ProjectionError;

/// Key of the rollup: day, account, category, project, counterparty (nil: none).
type LedgerKey = (NaiveDate, Uuid, Uuid, Uuid, Uuid);

type Sums = BTreeMap<LedgerKey, (String, Decimal, i64)>;

/// Postings summed per [`LedgerKey`], debit positive, in the account's currency: per day
/// (`ledger_daily`) and per calendar month (`ledger_monthly`, keyed by the month's first day),
/// which serves the whole months of amounts that need no conversion.
#[derive(Default)]
pub struct LedgerDaily {
    daily: Sums,
    monthly: Sums,
}

fn add_to(sums: &mut Sums, key: LedgerKey, currency: &str, amount: Decimal, n: i64) {
    let e = sums
        .entry(key)
        .or_insert_with(|| (currency.to_string(), Decimal::ZERO, 0));
    e.1 += amount;
    e.2 += n;
}

impl LedgerDaily {
    pub fn add(&mut self, p: &TransactionPosted) {
        let nil = Uuid::nil();
        let month = domain::report::month_of(p.date);
        for leg in &p.legs {
            let rest = (
                leg.account_id,
                p.category_id.unwrap_or(nil),
                p.project_id.unwrap_or(nil),
                p.counterparty_id.unwrap_or(nil),
            );
            let code = leg.currency.code();
            for (sums, day) in [(&mut self.daily, p.date), (&mut self.monthly, month)] {
                add_to(
                    sums,
                    (day, rest.0, rest.1, rest.2, rest.3),
                    code,
                    leg.amount,
                    1,
                );
            }
        }
    }

    /// Adds a later batch's sums.
    pub fn absorb(&mut self, later: LedgerDaily) {
        for (mine, theirs) in [
            (&mut self.daily, later.daily),
            (&mut self.monthly, later.monthly),
        ] {
            for (key, (currency, amount, n)) in theirs {
                add_to(mine, key, &currency, amount, n);
            }
        }
    }

    pub async fn write(self, conn: &mut PgConnection, schema: &str) -> Result<(), ProjectionError> {
        write_sums(conn, schema, "ledger_daily", "date", self.daily).await?;
        write_sums(conn, schema, "ledger_monthly", "month", self.monthly).await
    }
}

/// Amounts are stored without trailing zeros (`trim_scale`): a sum that reaches zero in SQL keeps
/// its scale (0.00) while one bound from Rust arrives as plain 0, and a rebuild, which sums in
/// Rust, must write the same text as the live projector, which sums in SQL.
async fn write_sums(
    conn: &mut PgConnection,
    schema: &str,
    table: &str,
    date_column: &str,
    sums: Sums,
) -> Result<(), ProjectionError> {
    if sums.is_empty() {
        return Ok(());
    }
    let n = sums.len();
    let mut dates = Vec::with_capacity(n);
    let mut ids: [Vec<Uuid>; 4] = std::array::from_fn(|_| Vec::with_capacity(n));
    let (mut currencies, mut amounts, mut counts) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for ((d, a, c, p, cp), (currency, amount, count)) in sums {
        dates.push(d);
        for (column, id) in ids.iter_mut().zip([a, c, p, cp]) {
            column.push(id);
        }
        currencies.push(currency);
        amounts.push(amount);
        counts.push(count);
    }
    let [accounts, categories, projects, counterparties] = ids;
    sqlx::query(&format!(
        "INSERT INTO {schema}.{table} \
           ({date_column}, account_id, category_id, project_id, counterparty_id, currency, amount, postings) \
         SELECT d, a, c, p, cp, cur, trim_scale(amt), n \
           FROM UNNEST($1::date[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], \
                       $6::text[], $7::numeric[], $8::bigint[]) AS u(d, a, c, p, cp, cur, amt, n) \
         ON CONFLICT ({date_column}, account_id, category_id, project_id, counterparty_id) DO UPDATE SET \
           amount = trim_scale({table}.amount + excluded.amount), \
           postings = {table}.postings + excluded.postings"
    ))
    .bind(dates)
    .bind(accounts)
    .bind(categories)
    .bind(projects)
    .bind(counterparties)
    .bind(currencies)
    .bind(amounts)
    .bind(counts)
    .execute(conn)
    .await?;
    Ok(())
}

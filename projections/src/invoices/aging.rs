//! The ageing report: what is open on receivable or payable invoices at a date, per
//! counterparty and invoice currency, in the buckets of `domain::invoice::ageing` (current,
//! 1–30, 31–60, 61–90, over 90 days past due), with totals per currency and, optionally,
//! converted to one report currency at the books' rates of that date.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::NaiveDate;
use domain::Currency;
use domain::invoice::Direction;
use domain::invoice::ageing::{Bucket, PAST_DUE_BUCKETS};
use domain::money::round_to_scale;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

use crate::ReadError;
use crate::queries::{rate_on, report_tx};

/// Most (counterparty, currency) groups one report adds up; more is refused, not truncated.
pub const MAX_GROUPS: i64 = 100_000;

/// One column per bucket: the open amounts whose due date puts them in it at `$1`.
fn bucket_columns() -> String {
    let mut columns = format!(
        "coalesce(sum(amount) FILTER (WHERE due_date >= $1), 0) AS {}, ",
        Bucket::Current.name()
    );
    for (bucket, from_days, to_days) in PAST_DUE_BUCKETS {
        let condition = match to_days {
            Some(to) => format!("due_date BETWEEN $1::date - {to} AND $1::date - {from_days}"),
            None => format!("due_date < $1::date - {}", from_days - 1),
        };
        columns.push_str(&format!(
            "coalesce(sum(amount) FILTER (WHERE {condition}), 0) AS {}, ",
            bucket.name()
        ));
    }
    columns
}

/// Open amounts at `$1` per counterparty and currency: each invoice open that day has exactly
/// one span in `read.invoice_open` covering it (see `domain::invoice::open_spans`), so neither
/// payments nor settlement dates are looked at here. Days past due are `$1 − due_date`.
pub static AGING_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "\
WITH g AS ( \
  SELECT counterparty_id, currency, count(*) AS invoices, \
    {}\
    sum(amount) AS total \
  FROM read.invoice_open \
  WHERE direction = $2 AND valid_from <= $1 AND (valid_until IS NULL OR valid_until > $1) \
    AND ($3::text IS NULL OR currency = $3) \
  GROUP BY counterparty_id, currency \
  ORDER BY total DESC, counterparty_id, currency \
  LIMIT $4) \
SELECT g.*, e.name AS counterparty_name \
FROM g LEFT JOIN read.entities e ON e.entity_type = 'counterparty' AND e.id = g.counterparty_id \
ORDER BY g.total DESC, g.counterparty_id, g.currency",
        bucket_columns()
    )
});

#[derive(Debug, Clone, Default, Serialize, FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Buckets {
    /// Not yet due (or due on the date).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub current: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub days_1_30: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub days_31_60: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub days_61_90: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub over_90: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total: Decimal,
}

impl Buckets {
    fn parts(&mut self) -> [&mut Decimal; 6] {
        [
            &mut self.current,
            &mut self.days_1_30,
            &mut self.days_31_60,
            &mut self.days_61_90,
            &mut self.over_90,
            &mut self.total,
        ]
    }

    /// The amount of one bucket.
    pub fn get(&self, bucket: Bucket) -> Decimal {
        match bucket {
            Bucket::Current => self.current,
            Bucket::Days1To30 => self.days_1_30,
            Bucket::Days31To60 => self.days_31_60,
            Bucket::Days61To90 => self.days_61_90,
            Bucket::Over90 => self.over_90,
        }
    }

    fn add(&mut self, other: &Buckets) {
        let mut o = other.clone();
        for (a, b) in self.parts().into_iter().zip(o.parts()) {
            *a += *b;
        }
    }

    fn converted(&self, rate: Decimal, to: Currency) -> Buckets {
        let mut out = self.clone();
        for a in out.parts() {
            *a = round_to_scale(*a * rate, to);
        }
        out
    }
}

#[derive(Debug, Serialize, FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgingRow {
    pub counterparty_id: Uuid,
    pub counterparty_name: Option<String>,
    /// The invoices' currency.
    pub currency: String,
    /// Open invoices in the row.
    pub invoices: i64,
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub buckets: Buckets,
    /// In the report currency, when one was asked for.
    #[sqlx(skip)]
    pub converted: Option<Buckets>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrencyTotal {
    pub currency: String,
    pub invoices: i64,
    #[serde(flatten)]
    pub buckets: Buckets,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgingReport {
    pub as_of: NaiveDate,
    pub direction: Direction,
    /// The report currency, when one was asked for.
    pub currency: Option<String>,
    /// A page of rows, largest total first.
    pub rows: Vec<AgingRow>,
    /// Rows in all pages.
    pub total_rows: i64,
    pub limit: i64,
    pub offset: i64,
    /// Per invoice currency, over all rows.
    pub totals: Vec<CurrencyTotal>,
    /// Everything converted to the report currency (each currency's totals converted at the
    /// rate of `as_of`, then rounded and added).
    pub converted_total: Option<Buckets>,
}

/// What one ageing report covers.
#[derive(Debug, Clone, Copy)]
pub struct AgingQuery {
    pub as_of: NaiveDate,
    pub direction: Direction,
    /// Convert every row at the books' rate of `as_of`.
    pub report_currency: Option<Currency>,
    /// Only invoices in this currency.
    pub only: Option<Currency>,
}

/// Every (counterparty, currency) row of the report, largest total first.
pub async fn rows(pool: &PgPool, q: &AgingQuery) -> Result<Vec<AgingRow>, ReadError> {
    let mut tx = report_tx(pool).await?;
    let mut rows: Vec<AgingRow> = sqlx::query_as(&AGING_SQL)
        .bind(q.as_of)
        .bind(q.direction.as_str())
        .bind(q.only.map(Currency::code))
        .bind(MAX_GROUPS + 1)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    if rows.len() as i64 > MAX_GROUPS {
        return Err(ReadError::invalid(
            "invoice_currency",
            format!("more than {MAX_GROUPS} counterparty groups: narrow the report by currency"),
        ));
    }
    // Zero sums come back without their scale: print each at its currency's.
    for r in &mut rows {
        if let Ok(c) = Currency::parse(&r.currency) {
            r.buckets = r.buckets.converted(Decimal::ONE, c);
        }
    }
    Ok(rows)
}

/// The ageing report: a page of rows, the totals per currency and, with a report currency,
/// everything converted at the rate of `as_of`.
pub async fn report(
    pool: &PgPool,
    q: &AgingQuery,
    limit: i64,
    offset: i64,
) -> Result<AgingReport, ReadError> {
    let mut rows = rows(pool, q).await?;
    let mut totals: BTreeMap<String, CurrencyTotal> = BTreeMap::new();
    for r in &rows {
        let t = totals
            .entry(r.currency.clone())
            .or_insert_with(|| CurrencyTotal {
                currency: r.currency.clone(),
                invoices: 0,
                buckets: Buckets::default(),
            });
        t.invoices += r.invoices;
        t.buckets.add(&r.buckets);
    }
    let mut converted_total = None;
    if let Some(to) = q.report_currency {
        let rates = rates_of(pool, totals.keys(), to, q.as_of).await?;
        let mut sum = Buckets::default();
        for t in totals.values() {
            sum.add(&t.buckets.converted(rates[&t.currency], to));
        }
        converted_total = Some(sum);
        for r in &mut rows {
            r.converted = Some(r.buckets.converted(rates[&r.currency], to));
        }
    }
    let total_rows = rows.len() as i64;
    let rows = rows
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    Ok(AgingReport {
        as_of: q.as_of,
        direction: q.direction,
        currency: q.report_currency.map(|c| c.code().to_string()),
        rows,
        total_rows,
        limit,
        offset,
        totals: totals.into_values().collect(),
        converted_total,
    })
}

/// The books' rate of `as_of` from each of `codes` into `to`.
async fn rates_of(
    pool: &PgPool,
    codes: impl Iterator<Item = &String>,
    to: Currency,
    as_of: NaiveDate,
) -> Result<BTreeMap<String, Decimal>, ReadError> {
    let mut rates = BTreeMap::new();
    for code in codes {
        let rate = rate_on(pool, code, to.code(), as_of)
            .await?
            .ok_or_else(|| ReadError::NoRateOnOrBefore {
                currency: code.clone(),
                report: to.to_string(),
                day: as_of,
            })?;
        rates.insert(code.clone(), rate.rate);
    }
    Ok(rates)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generated from the domain's buckets, the query is the text it was tuned with.
    #[test]
    fn the_bucket_columns_render_as_before() {
        assert!(AGING_SQL.contains(
            "coalesce(sum(amount) FILTER (WHERE due_date >= $1), 0) AS current, \
    coalesce(sum(amount) FILTER (WHERE due_date BETWEEN $1::date - 30 AND $1::date - 1), 0) AS days_1_30, \
    coalesce(sum(amount) FILTER (WHERE due_date BETWEEN $1::date - 60 AND $1::date - 31), 0) AS days_31_60, \
    coalesce(sum(amount) FILTER (WHERE due_date BETWEEN $1::date - 90 AND $1::date - 61), 0) AS days_61_90, \
    coalesce(sum(amount) FILTER (WHERE due_date < $1::date - 90), 0) AS over_90, \
    sum(amount) AS total"
        ));
    }
}

//! The exchange rates read model (`rates`): its table, how `rate` events apply to it, and the
//! list of rates. The rule for converting is `queries::rate_lookup_sql`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use crate::{ProjectionError, ReadError};

pub const TABLES: &[(&str, &str)] = &[("rates", "base, quote, date")];

pub const DDL: &str = r#"
-- Exchange rates by day: 1 `base` = `rate` `quote`. Conversions take the latest rate on or
-- before the day (or the inverse of the opposite pair).
CREATE TABLE {s}.rates (
    base   text    NOT NULL,
    quote  text    NOT NULL,
    date   date    NOT NULL,
    rate   numeric NOT NULL,
    source text    NOT NULL,
    PRIMARY KEY (base, quote, date)
);
"#;

/// A rate set for a pair's day (a later one for the same day replaces it).
pub struct RateOp {
    pub base: String,
    pub quote: String,
    pub date: NaiveDate,
    pub rate: Decimal,
    pub source: String,
}

/// Upserts rates in log order: when a batch sets one day twice, the later setting wins.
pub async fn write(
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

#[derive(Debug, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RateOut {
    pub date: NaiveDate,
    pub base: String,
    pub quote: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub rate: Decimal,
    pub source: String,
}

/// Which rates a page lists (currencies as codes).
#[derive(Debug, Clone, Default)]
pub struct RateFilter {
    pub base: Option<String>,
    pub quote: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// A page of rates, latest first, with the count over all pages.
pub async fn list(
    pool: &PgPool,
    f: &RateFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<RateOut>, i64), ReadError> {
    let filter = "($1::text IS NULL OR base = $1) AND ($2::text IS NULL OR quote = $2) \
                  AND ($3::date IS NULL OR date >= $3) AND ($4::date IS NULL OR date <= $4)";
    let items = sqlx::query_as::<_, RateOut>(&format!(
        "SELECT date, base, quote, rate, source FROM read.rates WHERE {filter} \
         ORDER BY date DESC, base, quote LIMIT $5 OFFSET $6"
    ))
    .bind(&f.base)
    .bind(&f.quote)
    .bind(f.from)
    .bind(f.to)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM read.rates WHERE {filter}"))
        .bind(&f.base)
        .bind(&f.quote)
        .bind(f.from)
        .bind(f.to)
        .fetch_one(pool)
        .await?;
    Ok((items, total))
}

//! Reading the exchange rates read model (`read.rates`; how `rate` events apply to it is
//! `apply::upsert_rates`, the rule for converting `queries::rate_lookup_sql`).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;

use crate::ReadError;

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

//! Queries over the live read tables. Each returns plain rows; the HTTP layer shapes them.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::Value;
use sqlx::{PgPool, Postgres, QueryBuilder, Row};
use uuid::Uuid;

/// Most rows one page may hold.
pub const MAX_PAGE: i64 = 1_000;

/// A transaction for one report query whose best plan depends on its parameters (date ranges,
/// currencies): planned for each call's values instead of once generically (planning takes well
/// under a millisecond; the generic plan of the P&L scanned a whole year's rollup where the
/// custom one reads only its foreign-currency days, measured 2× slower), and without JIT
/// (compiling took 1.4 s where the ageing aggregate runs in tens of milliseconds).
pub async fn report_tx(pool: &PgPool) -> Result<sqlx::Transaction<'static, Postgres>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(&mut *tx)
        .await?;
    sqlx::query("SET LOCAL jit = off").execute(&mut *tx).await?;
    Ok(tx)
}

#[derive(Debug, Clone)]
pub struct EntityRow {
    pub id: Uuid,
    pub name: String,
    pub archived: bool,
    pub data: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone, Default)]
pub struct EntityFilter {
    pub q: Option<String>,
    pub archived: Option<bool>,
    /// Exact matches on fields of the entity's data, e.g. ("kind", "bank").
    pub fields: Vec<(&'static str, String)>,
    pub parent_id: Option<Uuid>,
}

/// Sort keys a client may ask for, mapped to SQL; anything else is refused by the caller.
pub const ENTITY_SORTS: &[(&str, &str)] = &[
    ("name", "lower(name) ASC, id"),
    ("-name", "lower(name) DESC, id"),
    ("created_at", "created_at ASC, id"),
    ("-created_at", "created_at DESC, id"),
    ("updated_at", "updated_at ASC, id"),
    ("-updated_at", "updated_at DESC, id"),
];

fn entity_row(r: &sqlx::postgres::PgRow) -> EntityRow {
    EntityRow {
        id: r.get("id"),
        name: r.get("name"),
        archived: r.get("archived"),
        data: r.get("data"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
        version: r.get("version"),
    }
}

fn push_entity_filters<'a>(
    qb: &mut QueryBuilder<'a, Postgres>,
    entity_type: &'a str,
    f: &'a EntityFilter,
) {
    qb.push(" WHERE entity_type = ").push_bind(entity_type);
    if let Some(q) = &f.q {
        qb.push(" AND (name ILIKE ")
            .push_bind(format!("%{}%", escape_like(q)))
            .push(" OR data::text ILIKE ");
        qb.push_bind(format!("%{}%", escape_like(q))).push(")");
    }
    if let Some(a) = f.archived {
        qb.push(" AND archived = ").push_bind(a);
    }
    for (field, value) in &f.fields {
        qb.push(" AND data->>")
            .push_bind(*field)
            .push(" = ")
            .push_bind(value.as_str());
    }
    if let Some(p) = f.parent_id {
        qb.push(" AND data->>'parent_id' = ")
            .push_bind(p.to_string());
    }
}

pub fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The names of the entities `ids` name (ids no entity has are left out).
pub async fn entity_names(
    pool: &PgPool,
    ids: Vec<Uuid>,
) -> Result<BTreeMap<Uuid, String>, sqlx::Error> {
    Ok(
        sqlx::query_as::<_, (Uuid, String)>(
            "SELECT id, name FROM read.entities WHERE id = ANY($1)",
        )
        .bind(ids)
        .fetch_all(pool)
        .await?
        .into_iter()
        .collect(),
    )
}

pub async fn list_entities(
    pool: &PgPool,
    entity_type: &str,
    filter: &EntityFilter,
    sort_sql: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<EntityRow>, i64), sqlx::Error> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM read.entities");
    push_entity_filters(&mut count, entity_type, filter);
    let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
    let mut qb = QueryBuilder::new("SELECT * FROM read.entities");
    push_entity_filters(&mut qb, entity_type, filter);
    qb.push(" ORDER BY ").push(sort_sql);
    qb.push(" LIMIT ")
        .push_bind(limit.clamp(1, MAX_PAGE))
        .push(" OFFSET ")
        .push_bind(offset.max(0));
    let rows = qb.build().fetch_all(pool).await?;
    Ok((rows.iter().map(entity_row).collect(), total))
}

pub async fn get_entity(
    pool: &PgPool,
    entity_type: &str,
    id: Uuid,
) -> Result<Option<EntityRow>, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM read.entities WHERE entity_type = $1 AND id = $2")
        .bind(entity_type)
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(entity_row))
}

#[derive(Debug, Clone)]
pub struct BalanceRow {
    pub account_id: Uuid,
    pub currency: String,
    pub debit: Decimal,
    pub credit: Decimal,
    pub postings: i64,
}

impl BalanceRow {
    /// Debit minus credit: positive for assets and expenses, negative for the other types.
    pub fn balance(&self) -> Decimal {
        self.debit - self.credit
    }
}

/// Balances of every account with postings, as of the end of `as_of` (None: everything).
/// Reads whole months from the monthly table and only the last partial month day by day, so
/// the cost grows with accounts × months, not with postings.
pub async fn balances<'e>(
    db: impl sqlx::PgExecutor<'e>,
    as_of: Option<NaiveDate>,
    account: Option<Uuid>,
) -> Result<Vec<BalanceRow>, sqlx::Error> {
    let rows = sqlx::query(
        "WITH parts AS ( \
           SELECT account_id, currency, debit, credit, postings FROM read.monthly_balances \
            WHERE ($1::date IS NULL OR month < date_trunc('month', $1::date)::date) \
              AND ($2::uuid IS NULL OR account_id = $2) \
           UNION ALL \
           SELECT account_id, currency, debit, credit, postings FROM read.daily_balances \
            WHERE $1::date IS NOT NULL AND date >= date_trunc('month', $1::date)::date AND date <= $1::date \
              AND ($2::uuid IS NULL OR account_id = $2)) \
         SELECT account_id, min(currency) AS currency, sum(debit) AS debit, sum(credit) AS credit, \
                sum(postings)::bigint AS postings \
           FROM parts GROUP BY account_id ORDER BY account_id",
    )
    .bind(as_of)
    .bind(account)
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| BalanceRow {
            account_id: r.get("account_id"),
            currency: r.get("currency"),
            debit: r.get("debit"),
            credit: r.get("credit"),
            postings: r.get("postings"),
        })
        .collect())
}

#[derive(Debug, Clone, Default)]
pub struct TransactionFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub account_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub counterparty_id: Option<Uuid>,
    pub tag: Option<String>,
    pub q: Option<String>,
    pub kind: Option<String>,
    /// Postings of one document (a payout, an invoice, a schedule).
    pub origin_id: Option<Uuid>,
    /// Only adjustments of closed months (true) or only ordinary postings (false).
    pub adjustments: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct TransactionRow {
    pub id: Uuid,
    pub date: NaiveDate,
    pub kind: String,
    pub description: String,
    pub project_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub counterparty_id: Option<Uuid>,
    pub tags: Vec<String>,
    pub reverses: Option<Uuid>,
    pub replaces: Option<Uuid>,
    pub reversed_by: Option<Uuid>,
    pub replaced_by: Option<Uuid>,
    pub origin_kind: Option<String>,
    pub origin_id: Option<Uuid>,
    pub adjusts: Option<NaiveDate>,
    pub created_by: Option<Uuid>,
    pub recorded_at: DateTime<Utc>,
    pub position: i64,
    pub postings: Vec<PostingRow>,
}

#[derive(Debug, Clone)]
pub struct PostingRow {
    pub account_id: Uuid,
    pub currency: String,
    pub amount: Decimal,
    pub weight_currency: Option<String>,
    pub weight_amount: Option<Decimal>,
    pub memo: Option<String>,
}

fn push_tx_filters<'a>(qb: &mut QueryBuilder<'a, Postgres>, f: &'a TransactionFilter) {
    qb.push(" WHERE true");
    if let Some(d) = f.from {
        qb.push(" AND t.date >= ").push_bind(d);
    }
    if let Some(d) = f.to {
        qb.push(" AND t.date <= ").push_bind(d);
    }
    if let Some(a) = f.account_id {
        // Served by the GIN index on the leg accounts.
        qb.push(" AND t.leg_accounts @> ARRAY[")
            .push_bind(a)
            .push("]::uuid[]");
    }
    if let Some(p) = f.project_id {
        qb.push(" AND t.project_id = ").push_bind(p);
    }
    if let Some(o) = f.origin_id {
        qb.push(" AND t.origin_id = ").push_bind(o);
    }
    if let Some(c) = f.category_id {
        qb.push(" AND t.category_id = ").push_bind(c);
    }
    if let Some(c) = f.counterparty_id {
        qb.push(" AND t.counterparty_id = ").push_bind(c);
    }
    if let Some(tag) = &f.tag {
        qb.push(" AND ")
            .push_bind(tag.to_lowercase())
            .push(" = ANY(t.tags)");
    }
    if let Some(q) = &f.q {
        qb.push(" AND t.description ILIKE ")
            .push_bind(format!("%{}%", escape_like(q)));
    }
    if let Some(k) = &f.kind {
        qb.push(" AND t.kind = ").push_bind(k.as_str());
    }
    push_adjustments_filter(qb, f.adjustments);
}

/// Narrows transactions `t` to adjustments of closed months (true) or to the others (false).
pub fn push_adjustments_filter(qb: &mut QueryBuilder<'_, Postgres>, adjustments: Option<bool>) {
    match adjustments {
        Some(true) => {
            qb.push(" AND t.adjusts IS NOT NULL");
        }
        Some(false) => {
            qb.push(" AND t.adjusts IS NULL");
        }
        None => {}
    }
}

/// Transactions newest first (by date, then log order), with their postings. The total, the
/// page and its postings come from one snapshot, so that they agree while the projector writes.
pub async fn list_transactions(
    pool: &PgPool,
    f: &TransactionFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<TransactionRow>, i64), sqlx::Error> {
    let mut snapshot = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *snapshot)
        .await?;
    let mut count = QueryBuilder::new("SELECT count(*) FROM read.transactions t");
    push_tx_filters(&mut count, f);
    let total: i64 = count.build_query_scalar().fetch_one(&mut *snapshot).await?;
    let mut qb = QueryBuilder::new("SELECT t.* FROM read.transactions t");
    push_tx_filters(&mut qb, f);
    qb.push(" ORDER BY t.date DESC, t.seq DESC LIMIT ")
        .push_bind(limit.clamp(1, MAX_PAGE))
        .push(" OFFSET ")
        .push_bind(offset.max(0));
    let rows = qb.build().fetch_all(&mut *snapshot).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.get("id")).collect();
    let postings = sqlx::query(
        "SELECT transaction_id, account_id, currency, amount, weight_currency, weight_amount, memo \
         FROM read.postings WHERE transaction_id = ANY($1) ORDER BY transaction_id, leg",
    )
    .bind(&ids)
    .fetch_all(&mut *snapshot)
    .await?;
    snapshot.commit().await?;
    let mut by_tx: std::collections::HashMap<Uuid, Vec<PostingRow>> =
        std::collections::HashMap::new();
    for p in &postings {
        by_tx
            .entry(p.get("transaction_id"))
            .or_default()
            .push(PostingRow {
                account_id: p.get("account_id"),
                currency: p.get("currency"),
                amount: p.get("amount"),
                weight_currency: p.get("weight_currency"),
                weight_amount: p.get("weight_amount"),
                memo: p.get("memo"),
            });
    }
    let items = rows
        .iter()
        .map(|r| {
            let id: Uuid = r.get("id");
            TransactionRow {
                id,
                date: r.get("date"),
                kind: r.get("kind"),
                description: r.get("description"),
                project_id: r.get("project_id"),
                category_id: r.get("category_id"),
                counterparty_id: r.get("counterparty_id"),
                tags: r.get("tags"),
                reverses: r.get("reverses"),
                replaces: r.get("replaces"),
                reversed_by: r.get("reversed_by"),
                origin_kind: r.get("origin_kind"),
                origin_id: r.get("origin_id"),
                adjusts: r.get("adjusts"),
                replaced_by: r.get("replaced_by"),
                created_by: r.get("created_by"),
                recorded_at: r.get("recorded_at"),
                position: r.get("position"),
                postings: by_tx.remove(&id).unwrap_or_default(),
            }
        })
        .collect();
    Ok((items, total))
}

/// The closed-through date as projected.
pub async fn closed_through(pool: &PgPool) -> Result<Option<NaiveDate>, sqlx::Error> {
    sqlx::query_scalar("SELECT closed_through FROM read.books")
        .fetch_one(pool)
        .await
}

/// Every entity of a kind, by name (for reports that join them to balances).
pub async fn all_entities<'e>(
    db: impl sqlx::PgExecutor<'e>,
    entity_type: &str,
) -> Result<Vec<EntityRow>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT * FROM read.entities WHERE entity_type = $1 ORDER BY lower(name), id")
            .bind(entity_type)
            .fetch_all(db)
            .await?;
    Ok(rows.iter().map(entity_row).collect())
}

/// How old a rate may be and still convert a day's amounts: weekends and holidays leave gaps
/// of a few days, and books kept with one rate per month need a month; an older rate is stale,
/// and a conversion without a rate is refused rather than done with it.
pub const MAX_RATE_AGE_DAYS: i32 = 31;

/// The rate rule in one place: 1 `base` = ? `quote` on `day` is the latest rate on or before
/// the day (at most [`MAX_RATE_AGE_DAYS`] older), of the pair itself or the inverse of the
/// opposite pair (the later wins). A subquery of at most one row `(date, rate)`, over SQL
/// expressions for the three inputs.
pub fn rate_lookup_sql(base: &str, quote: &str, day: &str) -> String {
    let window = format!("date <= {day} AND date >= {day} - {MAX_RATE_AGE_DAYS}");
    format!(
        "SELECT date, rate FROM ( \
           (SELECT date, rate FROM read.rates WHERE base = {base} AND quote = {quote} AND {window} \
            ORDER BY date DESC LIMIT 1) \
           UNION ALL \
           (SELECT date, 1 / rate FROM read.rates WHERE base = {quote} AND quote = {base} AND {window} \
            ORDER BY date DESC LIMIT 1)) x ORDER BY date DESC LIMIT 1"
    )
}

/// A rate found for a day.
#[derive(Debug, Clone, Copy)]
pub struct FoundRate {
    /// The rate's own date (on or before the day asked for).
    pub date: NaiveDate,
    pub rate: Decimal,
}

/// 1 `base` = ? `quote` on `day` (None when the books hold no rate on or before it).
pub async fn rate_on(
    pool: &PgPool,
    base: &str,
    quote: &str,
    day: NaiveDate,
) -> Result<Option<FoundRate>, sqlx::Error> {
    if base == quote {
        return Ok(Some(FoundRate {
            date: day,
            rate: Decimal::ONE,
        }));
    }
    let row: Option<(NaiveDate, Decimal)> = sqlx::query_as(&rate_lookup_sql("$1", "$2", "$3"))
        .bind(base)
        .bind(quote)
        .bind(day)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|(date, rate)| FoundRate { date, rate }))
}

//! The read tables, all inside one schema so a rebuild can happen beside the live tables and be
//! swapped in (or compared) as a whole. The DDL lives here, not in migrations, because read
//! tables are disposable: a change bumps [`MODEL_VERSION`] and the projector rebuilds them.

use sha2::{Digest, Sha256};
use sqlx::{Connection, Executor, PgConnection, Row};

/// The live read schema.
pub const LIVE_SCHEMA: &str = "read";
/// Bump whenever a table, column or projection rule changes: the projector then rebuilds.
pub const MODEL_VERSION: i32 = 17;

/// Every read table with the columns that order its rows uniquely (for digests and dumps).
pub const TABLES: &[(&str, &str)] = &[
    ("checkpoint", "id"),
    ("books", "id"),
    ("entities", "entity_type, id"),
    ("transactions", "id"),
    ("daily_balances", "account_id, date"),
    ("monthly_balances", "account_id, month"),
    (
        "ledger_daily",
        "date, account_id, category_id, project_id, counterparty_id",
    ),
    (
        "ledger_monthly",
        "month, account_id, category_id, project_id, counterparty_id",
    ),
    ("campaign_keys", "source_id, key, campaign_id"),
    ("traffic_effective", "scope, date"),
    ("rates", "base, quote, date"),
    ("conversions", "tracker, conversion_id"),
    ("payouts", "id"),
    ("crypto_transactions", "transaction_id"),
    ("tron_pending", "account_id, tx_hash"),
    ("recurring", "id"),
    ("recurring_occurrences", "recurring_id, date"),
    ("invoices", "id"),
    ("invoice_lines", "invoice_id, n"),
    ("invoice_payments", "invoice_id, n"),
    ("invoice_open", "invoice_id, valid_from"),
    ("traffic_daily", "scope, date, campaign_key, currency"),
    ("traffic_monthly", "scope, month, campaign_key, currency"),
    ("traffic_source_daily", "source_id, date, currency"),
    ("traffic_currencies", "month, currency"),
    ("traffic_campaign_monthly", "month, campaign_id, currency"),
];

const TABLES_DDL: &str = r#"
CREATE TABLE {s}.checkpoint (
    id            boolean PRIMARY KEY DEFAULT true CHECK (id),
    last_seq      bigint  NOT NULL,
    model_version integer NOT NULL
);
CREATE TABLE {s}.books (
    id             boolean PRIMARY KEY DEFAULT true CHECK (id),
    closed_through date
);
CREATE TABLE {s}.entities (
    entity_type text        NOT NULL,
    id          uuid        NOT NULL,
    name        text        NOT NULL,
    archived    boolean     NOT NULL,
    data        jsonb       NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint      NOT NULL,
    PRIMARY KEY (entity_type, id)
);
CREATE TABLE {s}.transactions (
    id              uuid        NOT NULL,
    date            date        NOT NULL,
    kind            text        NOT NULL,
    description     text        NOT NULL,
    project_id      uuid,
    category_id     uuid,
    counterparty_id uuid,
    tags            text[]      NOT NULL,
    idempotency_key text,
    reverses        uuid,
    replaces        uuid,
    origin_kind     text,
    origin_id       uuid,
    reversed_by     uuid,
    replaced_by     uuid,
    created_by      uuid,
    recorded_at     timestamptz NOT NULL,
    position        bigint      NOT NULL,
    seq             bigint      NOT NULL,
    -- The legs, as parallel arrays (index i of each is leg i). The weight and memo arrays are
    -- NULL when no leg has one.
    leg_accounts          uuid[]    NOT NULL,
    leg_currencies        text[]    NOT NULL,
    leg_amounts           numeric[] NOT NULL,
    leg_weight_currencies text[],
    leg_weight_amounts    numeric[],
    leg_memos             text[],
    -- The closed month an adjustment corrects (its first day).
    adjusts               date
);
-- One row per leg, for queries that think in postings.
CREATE VIEW {s}.postings AS
SELECT t.id AS transaction_id, (l.n - 1)::smallint AS leg, l.account_id, t.date, l.currency,
       l.amount, l.weight_currency, l.weight_amount, l.memo
FROM {s}.transactions t
CROSS JOIN LATERAL unnest(t.leg_accounts, t.leg_currencies, t.leg_amounts,
                          t.leg_weight_currencies, t.leg_weight_amounts, t.leg_memos)
     WITH ORDINALITY AS l(account_id, currency, amount, weight_currency, weight_amount, memo, n);
CREATE TABLE {s}.daily_balances (
    account_id uuid    NOT NULL,
    date       date    NOT NULL,
    currency   text    NOT NULL,
    debit      numeric NOT NULL,
    credit     numeric NOT NULL,
    postings   bigint  NOT NULL,
    PRIMARY KEY (account_id, date)
);
CREATE TABLE {s}.monthly_balances (
    account_id uuid    NOT NULL,
    month      date    NOT NULL,
    currency   text    NOT NULL,
    debit      numeric NOT NULL,
    credit     numeric NOT NULL,
    postings   bigint  NOT NULL,
    PRIMARY KEY (account_id, month)
);
-- Postings summed per day, account, category, project and counterparty (the nil uuid: none),
-- in the account's currency, debit positive: what the accounting reports read.
CREATE TABLE {s}.ledger_daily (
    date            date    NOT NULL,
    account_id      uuid    NOT NULL,
    category_id     uuid    NOT NULL,
    project_id      uuid    NOT NULL,
    counterparty_id uuid    NOT NULL,
    currency        text    NOT NULL,
    amount          numeric NOT NULL,
    postings        bigint  NOT NULL,
    PRIMARY KEY (date, account_id, category_id, project_id, counterparty_id)
);
-- Whole months of a P&L read only the foreign-currency days (they convert per day).
CREATE INDEX ON {s}.ledger_daily (currency, date);
-- The same per calendar month (month = its first day): whole months in the account's own
-- currency need no daily rows.
CREATE TABLE {s}.ledger_monthly (
    month           date    NOT NULL,
    account_id      uuid    NOT NULL,
    category_id     uuid    NOT NULL,
    project_id      uuid    NOT NULL,
    counterparty_id uuid    NOT NULL,
    currency        text    NOT NULL,
    amount          numeric NOT NULL,
    postings        bigint  NOT NULL,
    PRIMARY KEY (month, account_id, category_id, project_id, counterparty_id)
);
-- Each campaign's report keys: (source, key) for spend reports, (nil, key) for trackers.
CREATE TABLE {s}.campaign_keys (
    source_id   uuid        NOT NULL,
    key         text        NOT NULL,
    campaign_id uuid        NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (source_id, key, campaign_id)
);
CREATE INDEX ON {s}.campaign_keys (campaign_id);
-- Which applied import holds each day of each scope (a restatement takes the days over).
CREATE TABLE {s}.traffic_effective (
    scope     text NOT NULL,
    date      date NOT NULL,
    import_id uuid NOT NULL,
    source_id uuid NOT NULL,
    PRIMARY KEY (scope, date)
);
CREATE INDEX ON {s}.traffic_effective (import_id);
-- Date ranges over every scope (the daily view's scans), and one source's days.
CREATE INDEX ON {s}.traffic_effective (date);
CREATE INDEX ON {s}.traffic_effective (source_id, date);
-- Each conversion's latest status, from the conversion logs in log order.
CREATE TABLE {s}.conversions (
    tracker         text        NOT NULL,
    conversion_id   text        NOT NULL,
    click_id        text,
    campaign_key    text,
    offer           text,
    status          text        NOT NULL,
    original_status text,
    payout          numeric     NOT NULL,
    currency        text        NOT NULL,
    converted_at    timestamptz NOT NULL,
    country         text,
    import_id       uuid        NOT NULL,
    status_changes  integer     NOT NULL,
    PRIMARY KEY (tracker, conversion_id)
);
CREATE INDEX ON {s}.conversions (converted_at);
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
-- Recurring payments: `state` is the aggregate as the log builds it (the API shows its
-- template, schedule and pauses); the columns beside it are what lists filter and sort on.
CREATE TABLE {s}.recurring (
    id              uuid        PRIMARY KEY,
    name            text        NOT NULL,
    status          text        NOT NULL,
    frequency       text        NOT NULL,
    description     text        NOT NULL,
    start_date      date        NOT NULL,
    end_date        date,
    handled_through date,
    next_run        date,
    next_runs       date[]      NOT NULL,
    posted          bigint      NOT NULL,
    failed          bigint      NOT NULL,
    state           jsonb       NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    version         bigint      NOT NULL
);
CREATE INDEX ON {s}.recurring (next_run) WHERE next_run IS NOT NULL;
-- Each handled day of a schedule: posted (with its transaction) or failed (with the reason).
CREATE TABLE {s}.recurring_occurrences (
    recurring_id   uuid NOT NULL,
    date           date NOT NULL,
    status         text NOT NULL,
    transaction_id uuid,
    reason         text,
    PRIMARY KEY (recurring_id, date)
);
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
-- Traffic facts summed per day and campaign key (over countries, OS, creatives), from the
-- effective import of each day: that import's own day sums, so applying an import writes no
-- copy of them. `source_id` is the spend report's source (nil for trackers): with the key it
-- finds the campaign, at query time, so mapping a key later needs no rewrite.
CREATE VIEW {s}.traffic_daily AS
SELECT e.scope, d.date, d.campaign_key, d.currency, e.source_id, d.import_id, d.impressions,
       d.clicks, d.installs, d.tracker_clicks, d.conversions, d.spend, d.revenue, d.rows
FROM {s}.traffic_effective e
JOIN traffic_import_days d ON d.import_id = e.import_id AND d.date = e.date;
-- The same per calendar month: monthly reports over years read this, not the days.
CREATE TABLE {s}.traffic_monthly (
    scope          text    NOT NULL,
    month          date    NOT NULL,
    campaign_key   text    NOT NULL,
    currency       text    NOT NULL,
    source_id      uuid    NOT NULL,
    impressions    bigint  NOT NULL,
    clicks         bigint  NOT NULL,
    installs       bigint  NOT NULL,
    tracker_clicks bigint  NOT NULL,
    conversions    bigint  NOT NULL,
    spend          numeric NOT NULL,
    revenue        numeric NOT NULL,
    rows           bigint  NOT NULL,
    PRIMARY KEY (scope, month, campaign_key, currency)
);
CREATE INDEX ON {s}.traffic_monthly (month);
CREATE INDEX ON {s}.traffic_monthly (source_id, campaign_key, month);
-- Spend summed per source and day: a source's daily totals over years read a row per day.
-- (A spend report's campaigns all belong to its source, so no mapping can move these rows.)
CREATE TABLE {s}.traffic_source_daily (
    source_id      uuid    NOT NULL,
    date           date    NOT NULL,
    currency       text    NOT NULL,
    impressions    bigint  NOT NULL,
    clicks         bigint  NOT NULL,
    installs       bigint  NOT NULL,
    tracker_clicks bigint  NOT NULL,
    conversions    bigint  NOT NULL,
    spend          numeric NOT NULL,
    revenue        numeric NOT NULL,
    PRIMARY KEY (source_id, date, currency)
);
-- The monthly rollup by resolved campaign (the nil campaign: keys no campaign claims), rebuilt
-- for the months an import touches and the months of keys whose campaign changed.
CREATE TABLE {s}.traffic_campaign_monthly (
    month          date    NOT NULL,
    campaign_id    uuid    NOT NULL,
    currency       text    NOT NULL,
    impressions    bigint  NOT NULL,
    clicks         bigint  NOT NULL,
    installs       bigint  NOT NULL,
    tracker_clicks bigint  NOT NULL,
    conversions    bigint  NOT NULL,
    spend          numeric NOT NULL,
    revenue        numeric NOT NULL,
    PRIMARY KEY (month, campaign_id, currency)
);
-- "Top campaigns by spend" over any months reads this index's first rows.
CREATE INDEX ON {s}.traffic_campaign_monthly (spend DESC NULLS LAST);
-- The currencies each month's traffic amounts are in: most queries need no conversion.
CREATE TABLE {s}.traffic_currencies (
    month    date NOT NULL,
    currency text NOT NULL,
    PRIMARY KEY (month, currency)
);
"#;

/// Indexes built after a bulk rebuild rather than maintained row by row during it, in two
/// scripts run on two connections at once: PostgreSQL builds a GIN index on one core, so the
/// btrees go beside it. (A unique index, not a primary key: adding a constraint would lock the
/// table against the other build.)
const INDEXES_DDL: [&str; 2] = [
    r#"
SET maintenance_work_mem = '256MB';
CREATE UNIQUE INDEX ON {s}.transactions (id);
CREATE INDEX ON {s}.transactions (date DESC, seq DESC);
CREATE INDEX ON {s}.transactions (origin_id) WHERE origin_id IS NOT NULL;
-- The P&L's "of which adjustments" line reads the few adjusting transactions of its period.
CREATE INDEX ON {s}.transactions (date) WHERE adjusts IS NOT NULL;
CREATE INDEX ON {s}.entities (entity_type, lower(name));
RESET maintenance_work_mem;
"#,
    r#"
SET maintenance_work_mem = '256MB';
CREATE INDEX ON {s}.transactions USING gin (leg_accounts);
RESET maintenance_work_mem;
"#,
];

fn check_schema_name(schema: &str) {
    assert!(
        schema.starts_with(|c: char| c.is_ascii_lowercase())
            && schema
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
        "schema names are plain identifiers made by this crate, got {schema:?}"
    );
}

/// Drops `schema` if present and creates empty read tables in it (indexes deferred).
/// Whether the live read tables exist (a first start or a version change builds them beside and
/// swaps them in, so their existence means they are complete).
pub async fn ready(pool: &sqlx::PgPool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'read')")
        .fetch_one(pool)
        .await
}

/// How long start-up jobs wait for the read tables (a rebuild of a large log takes minutes).
pub const READY_WAIT: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// Waits up to `max` for [`ready`]; answers whether the read tables are there. Start-up jobs
/// that read them (recurring payments, overdue invoices) wait here instead of failing once and
/// waiting for their next scheduled run.
pub async fn wait_ready(pool: &sqlx::PgPool, max: std::time::Duration) -> bool {
    let started = std::time::Instant::now();
    loop {
        if ready(pool).await.unwrap_or(false) {
            return true;
        }
        if started.elapsed() >= max {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

pub async fn create_tables(conn: &mut PgConnection, schema: &str) -> Result<(), sqlx::Error> {
    check_schema_name(schema);
    let mut tx = conn.begin().await?;
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut *tx)
        .await?;
    let ddl = TABLES_DDL.replace("{s}", schema);
    tx.execute(ddl.as_str()).await?;
    tx.execute(crate::crypto::DDL.replace("{s}", schema).as_str())
        .await?;
    let ddl = crate::invoices::DDL.replace("{s}", schema);
    tx.execute(ddl.as_str()).await?;
    sqlx::query(&format!(
        "INSERT INTO {schema}.checkpoint VALUES (true, 0, $1)"
    ))
    .bind(MODEL_VERSION)
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!("INSERT INTO {schema}.books VALUES (true, NULL)"))
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Builds the deferred indexes of `schema`, on `a` and `b` at once.
pub async fn create_indexes(
    a: &mut PgConnection,
    b: &mut PgConnection,
    schema: &str,
) -> Result<(), sqlx::Error> {
    check_schema_name(schema);
    let [first, second] = INDEXES_DDL.map(|ddl| ddl.replace("{s}", schema));
    // `Executor::execute` with a plain string runs a multi-statement script; `sqlx::raw_sql`
    // would do the same but its future is not `Send` in spawned tasks.
    tokio::try_join!(a.execute(first.as_str()), b.execute(second.as_str()))?;
    Ok(())
}

/// The read schema's checkpoint and model version, or None if it does not exist.
pub async fn checkpoint(
    conn: &mut PgConnection,
    schema: &str,
) -> Result<Option<(i64, i32)>, sqlx::Error> {
    check_schema_name(schema);
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
            .bind(schema)
            .fetch_one(&mut *conn)
            .await?;
    if !exists {
        return Ok(None);
    }
    let row = sqlx::query(&format!(
        "SELECT last_seq, model_version FROM {schema}.checkpoint"
    ))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| (r.get("last_seq"), r.get("model_version"))))
}

/// Atomically replaces the live schema with `schema`.
pub async fn swap_in(conn: &mut PgConnection, schema: &str) -> Result<(), sqlx::Error> {
    check_schema_name(schema);
    let mut tx = conn.begin().await?;
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {LIVE_SCHEMA} CASCADE"))
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!("ALTER SCHEMA {schema} RENAME TO {LIVE_SCHEMA}"))
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

pub async fn drop_schema(conn: &mut PgConnection, schema: &str) -> Result<(), sqlx::Error> {
    check_schema_name(schema);
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(conn)
        .await?;
    Ok(())
}

/// SHA-256 over every row of every read table (as PostgreSQL prints it), in key order: two
/// schemas with equal digests hold byte-for-byte equal tables.
pub async fn digests(
    conn: &mut PgConnection,
    schema: &str,
) -> Result<Vec<(String, u64, String)>, sqlx::Error> {
    use futures::TryStreamExt;
    check_schema_name(schema);
    let mut out = Vec::with_capacity(TABLES.len());
    for (table, order) in TABLES {
        let sql = format!("SELECT t::text FROM {schema}.{table} t ORDER BY {order}");
        let mut rows = sqlx::query_scalar::<_, String>(&sql).fetch(&mut *conn);
        let mut hasher = Sha256::new();
        let mut count = 0u64;
        while let Some(row) = rows.try_next().await? {
            hasher.update(row.as_bytes());
            hasher.update(b"\n");
            count += 1;
        }
        out.push((table.to_string(), count, hex::encode(hasher.finalize())));
    }
    Ok(out)
}

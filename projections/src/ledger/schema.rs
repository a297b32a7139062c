//! The books' tables: transactions (their legs as arrays) and the `postings` view over them,
//! balances per account and day or month, the per-day and per-month rollup the accounting
//! reports read, and the closed-through date of the period lock.

/// The books' tables with the columns that order their rows uniquely.
pub const TABLES: &[(&str, &str)] = &[
    ("books", "id"),
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
];

pub const DDL: &str = r#"
CREATE TABLE {s}.books (
    id             boolean PRIMARY KEY DEFAULT true CHECK (id),
    closed_through date
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
"#;

/// The books' indexes a rebuild builds after its COPYs, in two groups built at once on two
/// connections: PostgreSQL builds a GIN index on one core, so the btrees go beside it. (A
/// unique index, not a primary key: adding a constraint would lock the table against the
/// other build.)
pub const DEFERRED_INDEXES: [&str; 2] = [
    r#"
CREATE UNIQUE INDEX ON {s}.transactions (id);
CREATE INDEX ON {s}.transactions (date DESC, seq DESC);
CREATE INDEX ON {s}.transactions (origin_id) WHERE origin_id IS NOT NULL;
-- The P&L's "of which adjustments" line reads the few adjusting transactions of its period.
CREATE INDEX ON {s}.transactions (date) WHERE adjusts IS NOT NULL;
"#,
    r#"
CREATE INDEX ON {s}.transactions USING gin (leg_accounts);
"#,
];

/// The `books` row every schema starts with (no period closed).
pub const INITIAL_ROWS: &str = "INSERT INTO {s}.books VALUES (true, NULL)";

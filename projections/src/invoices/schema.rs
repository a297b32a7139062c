//! The invoices' tables: one row per invoice (with its running paid, overpaid and open
//! amounts), its lines, its payments, and the spans during which it was open.

pub const TABLES: &[(&str, &str)] = &[
    ("invoices", "id"),
    ("invoice_lines", "invoice_id, n"),
    ("invoice_payments", "invoice_id, n"),
    ("invoice_open", "invoice_id, valid_from"),
];

pub const DDL: &str = r#"
-- Invoices (receivable and payable). `status` is the lifecycle kept in the log; "overdue" is
-- derived when reading. `open` = total − paid + overpaid (0 once cancelled); `settled_on` is the
-- latest payment date when the invoice became paid, so ageing at an earlier date can skip the
-- invoices that were settled by then.
CREATE TABLE {s}.invoices (
    id                 uuid        PRIMARY KEY,
    direction          text        NOT NULL,
    status             text        NOT NULL,
    series             text,
    number             text,
    external_number    text,
    counterparty_id    uuid        NOT NULL,
    currency           text        NOT NULL,
    issue_date         date        NOT NULL,
    due_date           date        NOT NULL,
    notes              text,
    total              numeric     NOT NULL,
    paid               numeric     NOT NULL,
    overpaid           numeric     NOT NULL,
    open               numeric     NOT NULL,
    payments           integer     NOT NULL,
    last_paid_on       date,
    settled_on         date,
    cancelled_on       date,
    overdue_since      date,
    control_account_id uuid,
    account_id         uuid,
    transaction_ids    uuid[]      NOT NULL,
    reversal_ids       uuid[]      NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    version            bigint      NOT NULL
);
CREATE INDEX ON {s}.invoices (direction, due_date);
CREATE INDEX ON {s}.invoices (counterparty_id, due_date);
CREATE INDEX ON {s}.invoices (number);
CREATE TABLE {s}.invoice_lines (
    invoice_id  uuid     NOT NULL,
    n           smallint NOT NULL,
    description text     NOT NULL,
    quantity    numeric  NOT NULL,
    unit_price  numeric  NOT NULL,
    amount      numeric  NOT NULL,
    project_id  uuid,
    category_id uuid,
    PRIMARY KEY (invoice_id, n)
);
CREATE TABLE {s}.invoice_payments (
    invoice_id     uuid    NOT NULL,
    n              integer NOT NULL,
    date           date    NOT NULL,
    transaction_id uuid    NOT NULL,
    account_id     uuid,
    amount         numeric NOT NULL,
    currency       text    NOT NULL,
    rate           numeric,
    applied        numeric NOT NULL,
    overpaid       numeric NOT NULL,
    PRIMARY KEY (invoice_id, n)
);
CREATE INDEX ON {s}.invoice_payments (transaction_id);
CREATE INDEX ON {s}.invoice_payments (date);
-- What each issued invoice leaves open over time (domain::invoice::open_spans): the ageing
-- report at a date reads the one span per invoice that covers it. `until` is exclusive.
CREATE TABLE {s}.invoice_open (
    invoice_id      uuid    NOT NULL,
    valid_from      date    NOT NULL,
    valid_until     date,
    direction       text    NOT NULL,
    counterparty_id uuid    NOT NULL,
    currency        text    NOT NULL,
    due_date        date    NOT NULL,
    amount          numeric NOT NULL CHECK (amount > 0),
    PRIMARY KEY (invoice_id, valid_from)
);
-- Today's ageing reads the open-ended spans, one at a past date the spans ending after it.
CREATE INDEX ON {s}.invoice_open (valid_until);
"#;

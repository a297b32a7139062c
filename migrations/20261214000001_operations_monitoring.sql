-- Monitoring (issue 13, point 3).
--
-- The latest outcome of each outside service the operators watch ('fx:ecb', 'fx:coingecko',
-- 'tronscan'): kept in the database, not in memory, so that `/metrics` reports the age of the
-- last success after a restart and every instance of the server reports the same.
CREATE TABLE upstream_status (
    name            text PRIMARY KEY,
    last_success_at timestamptz,
    last_failure_at timestamptz,
    last_error      text
);

-- Operator alerts that were seen, so that admins are mailed once when a condition starts and
-- not on every check. A condition not seen for a while has ended; seen again, it starts anew.
-- Rows are upserted by every instance that sees the condition, and `mailed_at` is claimed by
-- exactly one of them.
CREATE TABLE operator_alerts (
    key          text PRIMARY KEY,
    kind         text        NOT NULL,
    started_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    mailed_at    timestamptz
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON upstream_status, operator_alerts TO ledger_app;
    END IF;
END $$;

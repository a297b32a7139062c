-- Conversions from tracker conversion logs: one row per conversion per applied import (the
-- same conversion in a later log is a status change). Append-only like the facts table; the
-- import's `traffic_import` event is the rows' place in the log.
CREATE TABLE traffic_conversions (
    import_id       uuid        NOT NULL,
    line            bigint      NOT NULL,
    conversion_id   text        NOT NULL,
    click_id        text,
    campaign_key    text,
    campaign_name   text,
    offer           text,
    status          text        NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    original_status text,
    payout          numeric     NOT NULL,
    currency        text        NOT NULL,
    converted_at    timestamptz NOT NULL,
    clicked_at      timestamptz,
    country         text
);
CREATE INDEX traffic_conversions_import ON traffic_conversions (import_id);

CREATE TRIGGER traffic_conversions_append_only BEFORE UPDATE OR DELETE ON traffic_conversions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER traffic_conversions_no_truncate BEFORE TRUNCATE ON traffic_conversions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_app') THEN
        GRANT SELECT, INSERT ON traffic_conversions TO ledger_app;
        REVOKE UPDATE, DELETE, TRUNCATE ON traffic_conversions FROM ledger_app;
    END IF;
END
$$;

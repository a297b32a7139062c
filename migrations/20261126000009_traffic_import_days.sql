-- An import's rows summed per report day, campaign key and currency, computed while the file is
-- parsed and written in the same transaction as its facts. The projector's daily rollup inserts
-- these instead of re-aggregating the facts (a million-row file sums to a few hundred thousand
-- rows). Derived from the facts and append-only like them; `ledger verify` and the tests compare
-- them with the facts' own sums.
CREATE TABLE traffic_import_days (
    import_id      uuid    NOT NULL,
    date           date    NOT NULL,
    campaign_key   text    NOT NULL,
    currency       text    NOT NULL,
    impressions    bigint  NOT NULL,
    clicks         bigint  NOT NULL,
    installs       bigint  NOT NULL,
    tracker_clicks bigint  NOT NULL,
    conversions    bigint  NOT NULL,
    spend          numeric NOT NULL,
    revenue        numeric NOT NULL,
    rows           bigint  NOT NULL
);
CREATE INDEX traffic_import_days_import ON traffic_import_days (import_id);

CREATE TRIGGER traffic_import_days_append_only BEFORE UPDATE OR DELETE ON traffic_import_days
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER traffic_import_days_no_truncate BEFORE TRUNCATE ON traffic_import_days
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_app') THEN
        GRANT SELECT, INSERT ON traffic_import_days TO ledger_app;
        REVOKE UPDATE, DELETE, TRUNCATE ON traffic_import_days FROM ledger_app;
    END IF;
END
$$;

-- Traffic report imports.
--
-- `traffic_imports` is the durable job queue of uploaded report files: mutable job state, not a
-- fact. The fact is the `traffic_import` event an applied import appends; it names the import
-- id, the file's SHA-256 and the row count, and the rows themselves live in `traffic_facts`,
-- written in the same database transaction as the event (COPY is ~30x faster than one event
-- per row). Replay reads both.

CREATE TABLE traffic_imports (
    id              uuid        PRIMARY KEY,
    source_id       uuid,
    format          text,
    detected_format text,
    kind            text,
    file_name       text        NOT NULL,
    file_path       text        NOT NULL,
    sha256          text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes      bigint      NOT NULL CHECK (size_bytes >= 0),
    options         jsonb       NOT NULL,
    state           text        NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'duplicate')),
    rows_total      bigint,
    rows_done       bigint      NOT NULL DEFAULT 0,
    bytes_done      bigint      NOT NULL DEFAULT 0,
    rows_ok         bigint      NOT NULL DEFAULT 0,
    rows_failed     bigint      NOT NULL DEFAULT 0,
    rows_skipped    bigint      NOT NULL DEFAULT 0,
    error           text,
    date_from       date,
    date_to         date,
    duplicate_of    uuid,
    position        bigint,
    attempts        integer     NOT NULL DEFAULT 0,
    created_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz
);
CREATE INDEX traffic_imports_created ON traffic_imports (created_at DESC);
CREATE INDEX traffic_imports_queue ON traffic_imports (created_at) WHERE state IN ('queued', 'running');
-- One applied import per file content: the same file uploaded twice is never counted twice.
CREATE UNIQUE INDEX traffic_imports_applied_once ON traffic_imports (sha256) WHERE state = 'done';

-- Row errors of the latest attempt (a retry replaces them). At most a capped number is kept;
-- `traffic_imports.rows_failed` counts them all.
CREATE TABLE traffic_import_errors (
    import_id uuid   NOT NULL REFERENCES traffic_imports (id),
    n         integer NOT NULL,
    line      bigint,
    "column"  text,
    value     text,
    reason    text   NOT NULL,
    PRIMARY KEY (import_id, n)
);

-- The rows of applied imports: daily facts per campaign key (and country, OS, ad group and
-- creative where the file has them). Append-only like the event log. Partitioned by month of
-- the report day (native range partitions; a TimescaleDB hypertable is not needed for the
-- queries, which read the projector's rollups).
CREATE TABLE traffic_facts (
    import_id      uuid    NOT NULL,
    line           bigint  NOT NULL,
    date           date    NOT NULL,
    campaign_key   text    NOT NULL,
    campaign_name  text,
    ad_group       text,
    creative       text,
    country        text,
    os             text,
    impressions    bigint  NOT NULL DEFAULT 0,
    clicks         bigint  NOT NULL DEFAULT 0,
    installs       bigint  NOT NULL DEFAULT 0,
    tracker_clicks bigint  NOT NULL DEFAULT 0,
    conversions    bigint  NOT NULL DEFAULT 0,
    spend          numeric NOT NULL DEFAULT 0,
    revenue        numeric NOT NULL DEFAULT 0,
    tracker_cost   numeric NOT NULL DEFAULT 0,
    currency       text    NOT NULL
) PARTITION BY RANGE (date);
CREATE INDEX traffic_facts_import ON traffic_facts (import_id);

CREATE TRIGGER traffic_facts_append_only BEFORE UPDATE OR DELETE ON traffic_facts
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER traffic_facts_no_truncate BEFORE TRUNCATE ON traffic_facts
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Creates the month's partition if missing. SECURITY DEFINER so that partitions belong to the
-- schema owner, not to the application role (an owner could drop its partition's triggers).
CREATE FUNCTION traffic_facts_partition(month date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    first date := date_trunc('month', month)::date;
    name  text := format('traffic_facts_%s', to_char(first, 'YYYY_MM'));
BEGIN
    IF first < DATE '1990-01-01' OR first > DATE '2200-01-01' THEN
        RAISE EXCEPTION 'month % is out of range', first;
    END IF;
    IF to_regclass(name) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF traffic_facts FOR VALUES FROM (%L) TO (%L)',
                       name, first, (first + interval '1 month')::date);
    END IF;
EXCEPTION WHEN duplicate_table THEN NULL; -- another import created it at the same moment
END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_app') THEN
        GRANT SELECT, INSERT, UPDATE ON traffic_imports TO ledger_app;
        GRANT SELECT, INSERT, DELETE ON traffic_import_errors TO ledger_app;
        GRANT SELECT, INSERT ON traffic_facts TO ledger_app;
        REVOKE UPDATE, DELETE, TRUNCATE ON traffic_facts FROM ledger_app;
        REVOKE ALL ON FUNCTION traffic_facts_partition(date) FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION traffic_facts_partition(date) TO ledger_app;
    END IF;
END
$$;

-- The event log. Column names follow postgres-es's `events` table so its tooling can read it;
-- `position`, `recorded_at` and `tx_id` are ours (postgres-es names its columns, so extra columns
-- with defaults do not disturb it).
CREATE TABLE events (
    position       bigint GENERATED ALWAYS AS IDENTITY,
    aggregate_type text        NOT NULL,
    aggregate_id   text        NOT NULL,
    sequence       bigint      NOT NULL CHECK (sequence >= 1),
    event_type     text        NOT NULL,
    event_version  text        NOT NULL,
    -- `json`, not `jsonb`: the text is kept exactly as written, which is what the hash chain
    -- covers, and reading it back costs no re-serialisation (replay reads millions of them).
    payload        json        NOT NULL,
    metadata       json        NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    -- The writing transaction's id. Readers only read below the oldest transaction still in
    -- flight and order by (tx_id, position), so a late commit can never be skipped.
    tx_id          xid8        NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (aggregate_type, aggregate_id, sequence),
    UNIQUE (position)
);
CREATE INDEX events_global_order ON events (tx_id, position);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- The sealed global order: a gapless sequence over the log with a SHA-256 hash chain. The
-- projector seals events in the same database transaction in which it projects them.
CREATE TABLE event_chain (
    seq            bigint PRIMARY KEY CHECK (seq >= 1),
    -- No foreign key or unique index: the projector is the only writer and `ledger verify`
    -- checks every link, so the per-row checks would only slow every posting down.
    event_position bigint NOT NULL,
    hash           bytea  NOT NULL CHECK (length(hash) = 32)
);

CREATE TRIGGER event_chain_append_only BEFORE UPDATE OR DELETE ON event_chain
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER event_chain_no_truncate BEFORE TRUNCATE ON event_chain
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Where sealing stands: the last sealed event in (tx_id, position) order and the chain head.
CREATE TABLE chain_head (
    id            boolean PRIMARY KEY DEFAULT true CHECK (id),
    last_tx_id    xid8   NOT NULL,
    last_position bigint NOT NULL,
    last_seq      bigint NOT NULL,
    head_hash     bytea  NOT NULL
);
INSERT INTO chain_head VALUES (true, '0', 0, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');

-- The application runs as `ledger_app`, which may read and append to the log but never change
-- it. Creating the role needs CREATEROLE; on a managed server without it, an administrator
-- creates the role and the application runs as its own user (the triggers still hold).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_app') THEN
        CREATE ROLE ledger_app NOLOGIN;
    END IF;
EXCEPTION
    -- Roles are cluster-wide: a migration of another database may create it at the same moment.
    WHEN unique_violation OR duplicate_object THEN NULL;
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'cannot create role ledger_app; privileges are left to the administrator';
END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_app') THEN
        EXECUTE format('GRANT ledger_app TO %I', current_user);
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'cannot grant ledger_app to %', current_user;
END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_app') THEN
        GRANT USAGE, CREATE ON SCHEMA public TO ledger_app;
        GRANT SELECT, INSERT ON events, event_chain TO ledger_app;
        GRANT SELECT, UPDATE ON chain_head TO ledger_app;
        REVOKE UPDATE, DELETE, TRUNCATE ON events, event_chain FROM ledger_app;
        EXECUTE format('GRANT CREATE ON DATABASE %I TO ledger_app', current_database());
    END IF;
END
$$;

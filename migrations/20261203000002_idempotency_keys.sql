-- Idempotency-Key: the first response of a POST, kept per (user, key) so a retry gets it
-- replayed instead of writing twice. A row without `status` is a request still in flight,
-- claimed until `locked_until` (a server that died mid-request frees the key then).
CREATE TABLE idempotency_keys (
    user_id      uuid        NOT NULL,
    key          text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    method       text        NOT NULL,
    path         text        NOT NULL,
    -- SHA-256 of method, path with query, and body.
    fingerprint  bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    locked_until timestamptz NOT NULL,
    status       smallint,
    content_type text,
    body         bytea,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO ledger_app;
    END IF;
END $$;

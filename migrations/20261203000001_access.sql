-- Access (issue 11): token versions, the `pending` role, invitations, personal API tokens,
-- sign-in alert bookkeeping, and NOTIFY so that every API instance drops what it cached about a
-- user, a session or an API token the moment it changes.

-- Bumped whenever every access token issued so far must stop working (password reset, disable,
-- `ledger user create` recovering the account).
ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 0;

-- `pending`: registered in `open` mode, waiting for an admin to give a role; reads nothing.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'accountant', 'analyst', 'viewer', 'auditor', 'pending'));

-- Invitations fix the email and the role; the link's token is stored as its SHA-256 digest.
CREATE TABLE invitations (
    id          uuid PRIMARY KEY,
    email       text        NOT NULL,
    email_key   text        GENERATED ALWAYS AS (lower(email)) STORED,
    role        text        NOT NULL CHECK (role IN ('admin', 'accountant', 'analyst', 'viewer', 'auditor')),
    token_hash  bytea       NOT NULL UNIQUE,
    invited_by  uuid        NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid REFERENCES users (id),
    revoked_at  timestamptz
);
CREATE INDEX invitations_email ON invitations (email_key);
CREATE INDEX invitations_created ON invitations (created_at, id);

-- Personal API tokens: `lgr_` + 32 random bytes; only the SHA-256 digest is kept.
CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users (id),
    name         text        NOT NULL,
    scopes       text[]      NOT NULL,
    token_hash   bytea       NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);

-- When the owner of an address was last told of repeated failed sign-ins (one mail per window).
CREATE TABLE login_alerts (
    email_key text PRIMARY KEY,
    sent_at   timestamptz NOT NULL
);

-- Attempts are counted before the password is checked; a successful one deletes its own rows.
ALTER TABLE login_failures ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;

-- Cache invalidation across instances: the payload names what changed (`user:<id>`,
-- `session:<family id>`, `token:<id>`). Triggers, not application code, so that changes made by
-- `ledger user create` or by hand reach running servers too.
CREATE FUNCTION access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify('ledger_access', 'user:' || NEW.id::text);
    ELSIF TG_TABLE_NAME = 'refresh_tokens' THEN
        PERFORM pg_notify('ledger_access', 'session:' || NEW.family_id::text);
    ELSIF TG_TABLE_NAME = 'api_tokens' THEN
        PERFORM pg_notify('ledger_access', 'token:' || NEW.id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_access_changed AFTER UPDATE ON users
    FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role
          OR OLD.disabled_at IS DISTINCT FROM NEW.disabled_at
          OR OLD.token_version IS DISTINCT FROM NEW.token_version
          OR OLD.email_confirmed_at IS DISTINCT FROM NEW.email_confirmed_at)
    EXECUTE FUNCTION access_changed();

CREATE TRIGGER refresh_tokens_access_changed AFTER UPDATE ON refresh_tokens
    FOR EACH ROW
    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at)
    EXECUTE FUNCTION access_changed();

CREATE TRIGGER api_tokens_access_changed AFTER UPDATE ON api_tokens
    FOR EACH ROW
    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at)
    EXECUTE FUNCTION access_changed();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON invitations, api_tokens, login_alerts TO ledger_app;
    END IF;
END
$$;

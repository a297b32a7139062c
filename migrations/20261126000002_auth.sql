-- People and sessions are not financial facts, so they live in plain tables; every event a user
-- causes still names them in its metadata.
CREATE TABLE users (
    id                 uuid PRIMARY KEY,
    email              text        NOT NULL,
    email_key          text        GENERATED ALWAYS AS (lower(email)) STORED UNIQUE,
    name               text,
    password_hash      text        NOT NULL,
    role               text        NOT NULL CHECK (role IN ('admin', 'accountant', 'analyst', 'viewer', 'auditor')),
    email_confirmed_at timestamptz,
    disabled_at        timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- Refresh tokens are stored as SHA-256 digests. Each use rotates the token within its family;
-- presenting a rotated token again revokes the whole family (a stolen token was replayed).
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES users (id),
    family_id   uuid        NOT NULL,
    token_hash  bytea       NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    rotated_at  timestamptz,
    revoked_at  timestamptz,
    replaced_by uuid
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- One-time tokens mailed to users: email confirmation and password reset.
CREATE TABLE email_tokens (
    token_hash bytea PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id),
    purpose    text        NOT NULL CHECK (purpose IN ('confirm_email', 'reset_password')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);

-- Failed sign-ins, for throttling by email and by client address across API instances.
CREATE TABLE login_failures (
    key       text        NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key ON login_failures (key, failed_at);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON users, refresh_tokens, email_tokens, login_failures TO ledger_app;
    END IF;
END
$$;

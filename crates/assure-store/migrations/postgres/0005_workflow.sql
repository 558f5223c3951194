-- The partner workflow: accounts with roles (editors scoped to organisations of the
-- plan), sessions and API tokens (only their SHA-256 is kept), failed sign-ins (so
-- that throttling holds across server processes), settings, and what partners report
-- on delivery: updates of milestones and delivering plans, and milestones they add.

CREATE TABLE account (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE CHECK (username = lower(username)),
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT false,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- The organisations an editor works for (ids of the plan's organisation registry).
CREATE TABLE account_organisation (
    account_id      BIGINT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL,
    PRIMARY KEY (account_id, organisation_id)
);

CREATE TABLE session (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE INDEX session_account ON session (account_id);

CREATE TABLE api_token (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE login_failure (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username TEXT NOT NULL,
    client   TEXT NOT NULL,
    at       TEXT NOT NULL
);

CREATE INDEX login_failure_username ON login_failure (username, at);
CREATE INDEX login_failure_client ON login_failure (client, at);

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE delivery_update (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id         TEXT NOT NULL,
    item_kind       TEXT NOT NULL CHECK (item_kind IN ('milestone', 'plan')),
    item_id         TEXT NOT NULL,
    status          TEXT NOT NULL
        CHECK (status IN ('not_started', 'on_track', 'at_risk', 'off_track', 'complete', 'closed')),
    narrative       TEXT NOT NULL,
    evidence        JSONB NOT NULL,
    expected        TEXT,
    expected_reason TEXT,
    internal_note   TEXT,
    publication     TEXT NOT NULL CHECK (publication IN ('published', 'pending', 'rejected')),
    author          TEXT NOT NULL,
    at              TEXT NOT NULL,
    reviewed_by     TEXT,
    reviewed_at     TEXT
);

CREATE INDEX delivery_update_item ON delivery_update (plan_id, item_kind, item_id, id);
CREATE INDEX delivery_update_pending ON delivery_update (publication, id);

CREATE TABLE added_milestone (
    plan_id         TEXT NOT NULL,
    id              TEXT NOT NULL,
    delivering_plan TEXT NOT NULL,
    title           TEXT NOT NULL,
    due             TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (plan_id, id)
);

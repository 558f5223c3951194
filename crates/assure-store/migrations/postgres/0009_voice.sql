-- Residents' voice: what residents (and partners listening for them) say about the
-- plan, moderated before anything is public; contact details in a table of their own,
-- read only through the moderators' use-cases; the public's reports of published items,
-- authors' appeals, themes per outcome, and partners' responses ("You said, we did").
-- No table here holds text that moderation removed: a redaction overwrites `body`, and
-- the audit log of these rows records states and reasons, never the text.

CREATE TABLE contribution (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id         TEXT NOT NULL,
    outcome         INTEGER NOT NULL,
    area_id         TEXT,
    commitment_id   TEXT,
    body            TEXT NOT NULL,
    experienced     TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    name_kind       TEXT NOT NULL CHECK (name_kind IN ('pseudonym', 'first_name')),
    consent_publish BOOLEAN NOT NULL,
    consent_contact BOOLEAN NOT NULL,
    consent_health  BOOLEAN NOT NULL,
    age_band        TEXT,
    channel         TEXT NOT NULL CHECK (channel IN ('web', 'assisted', 'listening_event', 'paper')),
    state           TEXT NOT NULL CHECK (state IN ('unconfirmed', 'pending', 'published', 'published_redacted',
                        'changes_requested', 'private', 'rejected', 'safeguarding', 'hidden', 'withdrawn')),
    hold_reason     TEXT CHECK (hold_reason IN ('duplicate', 'safeguarding', 'appeal', 'reported')),
    receipt_hash    TEXT UNIQUE,
    recorded_by     TEXT,
    event           TEXT,
    appealed        BOOLEAN NOT NULL DEFAULT false,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    published_at    TEXT
);

CREATE INDEX contribution_state ON contribution (plan_id, state, id);
CREATE INDEX contribution_created ON contribution (created_at);

CREATE TABLE contribution_contact (
    contribution_id BIGINT PRIMARY KEY REFERENCES contribution (id) ON DELETE CASCADE,
    email           TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE moderation_decision (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contribution_id BIGINT NOT NULL REFERENCES contribution (id) ON DELETE CASCADE,
    decision        TEXT NOT NULL,
    reason_code     TEXT NOT NULL,
    public_note     TEXT NOT NULL,
    moderator       TEXT NOT NULL,
    at              TEXT NOT NULL
);

CREATE INDEX moderation_decision_item ON moderation_decision (contribution_id, id);

CREATE TABLE contribution_report (
    contribution_id BIGINT NOT NULL REFERENCES contribution (id) ON DELETE CASCADE,
    reporter_hash   TEXT NOT NULL,
    reason          TEXT NOT NULL,
    at              TEXT NOT NULL,
    PRIMARY KEY (contribution_id, reporter_hash)
);

CREATE TABLE contribution_appeal (
    contribution_id BIGINT PRIMARY KEY REFERENCES contribution (id) ON DELETE CASCADE,
    reason          TEXT NOT NULL,
    at              TEXT NOT NULL
);

-- Keys (HMACs of an address or an email under the database's secret) of recent
-- submissions, for the rate limits; kept a day.
CREATE TABLE submission_attempt (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key_kind TEXT NOT NULL CHECK (key_kind IN ('address', 'email')),
    key_hash TEXT NOT NULL,
    at       TEXT NOT NULL
);

CREATE INDEX submission_attempt_key ON submission_attempt (key_kind, key_hash, at);

CREATE TABLE engagement_theme (
    plan_id TEXT NOT NULL,
    id      TEXT NOT NULL,
    outcome INTEGER NOT NULL,
    label   TEXT NOT NULL,
    PRIMARY KEY (plan_id, id)
);

CREATE TABLE contribution_theme (
    contribution_id BIGINT NOT NULL REFERENCES contribution (id) ON DELETE CASCADE,
    theme_id        TEXT NOT NULL,
    PRIMARY KEY (contribution_id, theme_id)
);

CREATE TABLE engagement_response (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id      TEXT NOT NULL,
    scope_kind   TEXT NOT NULL CHECK (scope_kind IN ('theme', 'outcome', 'place')),
    scope_id     TEXT NOT NULL,
    you_said     TEXT NOT NULL,
    we_did       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('acknowledged', 'considering', 'change_planned', 'change_made',
                     'not_taking_forward', 'referred')),
    reason       TEXT,
    organisation TEXT NOT NULL,
    author       TEXT NOT NULL,
    at           TEXT NOT NULL
);

CREATE TABLE response_link (
    response_id BIGINT NOT NULL REFERENCES engagement_response (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('contribution', 'commitment', 'milestone', 'plan')),
    item_id     TEXT NOT NULL,
    PRIMARY KEY (response_id, kind, item_id)
);

-- What an account may do beyond its role: `moderator` reviews what residents say.
CREATE TABLE account_permission (
    account_id BIGINT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    permission TEXT NOT NULL CHECK (permission IN ('moderator')),
    PRIMARY KEY (account_id, permission)
);

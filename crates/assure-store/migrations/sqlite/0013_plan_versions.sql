-- Versions of the plan: drafts edited on the web, and which stored plan is published.
--
-- A draft is the whole plan as one JSON document, not rows in the plan's tables: while
-- it is edited it may hold problems `assure check` would report (a target in the wrong
-- direction, a link to an organisation not in the registry), which block only its
-- publication. Publishing stores it in the plan's tables like an import.
CREATE TABLE plan_draft (
    id         TEXT NOT NULL PRIMARY KEY,
    based_on   TEXT,
    plan       TEXT NOT NULL CHECK (json_valid(plan)),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
) STRICT;

-- How a stored plan came to be served, and whether it still is. A plan with no row here
-- was imported from files and counts as published when it was imported.
CREATE TABLE plan_version (
    plan_id       TEXT NOT NULL PRIMARY KEY,
    state         TEXT NOT NULL CHECK (state IN ('published', 'superseded')),
    based_on      TEXT,
    published_at  TEXT,
    published_by  TEXT,
    superseded_at TEXT,
    superseded_by TEXT
) STRICT;

-- A new permission beside `moderator`: `plan-editor` starts, edits and publishes drafts.
-- SQLite cannot change a CHECK constraint, so the table is rebuilt.
CREATE TABLE account_permission_new (
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    permission TEXT NOT NULL CHECK (permission IN ('moderator', 'plan-editor')),
    PRIMARY KEY (account_id, permission)
) STRICT;
INSERT INTO account_permission_new (account_id, permission) SELECT account_id, permission FROM account_permission;
DROP TABLE account_permission;
ALTER TABLE account_permission_new RENAME TO account_permission;

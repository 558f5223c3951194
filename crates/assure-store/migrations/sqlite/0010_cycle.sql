-- The assurance cycle: reporting rounds. An admin opens a round (a name, a deadline and
-- a scope); the items in scope, with the organisations asked to report on each, are
-- fixed when it opens. A response is an update of the item made while the round is open
-- (read from delivery_update, not copied). Closing keeps a snapshot of what the round
-- showed, in the form issued reports keep.

CREATE TABLE reporting_round (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id   TEXT NOT NULL,
    name      TEXT NOT NULL,
    deadline  TEXT NOT NULL,
    scope     TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    closed_by TEXT,
    closed_at TEXT,
    snapshot  TEXT CHECK (snapshot IS NULL OR json_valid(snapshot)),
    UNIQUE (plan_id, name)
) STRICT;

CREATE TABLE round_item (
    round_id  INTEGER NOT NULL REFERENCES reporting_round (id) ON DELETE CASCADE,
    item_kind TEXT NOT NULL CHECK (item_kind IN ('milestone', 'plan')),
    item_id   TEXT NOT NULL,
    leads     TEXT NOT NULL CHECK (json_valid(leads)),
    PRIMARY KEY (round_id, item_kind, item_id)
) STRICT;

-- The assurance cycle: reporting rounds. An admin opens a round (a name, a deadline and
-- a scope); the items in scope, with the organisations asked to report on each, are
-- fixed when it opens. A response is an update of the item made while the round is open
-- (read from delivery_update, not copied). Closing keeps a snapshot of what the round
-- showed, in the form issued reports keep.

CREATE TABLE reporting_round (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id   TEXT NOT NULL,
    name      TEXT NOT NULL,
    deadline  TEXT NOT NULL,
    scope     TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    closed_by TEXT,
    closed_at TEXT,
    snapshot  JSONB,
    UNIQUE (plan_id, name)
);

CREATE TABLE round_item (
    round_id  BIGINT NOT NULL REFERENCES reporting_round (id) ON DELETE CASCADE,
    item_kind TEXT NOT NULL CHECK (item_kind IN ('milestone', 'plan')),
    item_id   TEXT NOT NULL,
    leads     JSONB NOT NULL,
    PRIMARY KEY (round_id, item_kind, item_id)
);

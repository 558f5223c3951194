-- Plans and everything in them, one row per item, keyed by (plan_id, id).
-- Narrative text that is read but never queried (what we heard, "I" statements,
-- variant titles, aliases) is kept whole in a JSON `detail` column.
-- Foreign keys are deferred so that a plan is inserted in any order inside its one
-- transaction; deleting a plan deletes everything in it.

CREATE TABLE plan (
    id           TEXT NOT NULL PRIMARY KEY,
    title        TEXT NOT NULL,
    published    TEXT NOT NULL,
    period       TEXT NOT NULL,
    source       TEXT NOT NULL,
    line         INTEGER NOT NULL,
    vision       TEXT NOT NULL,
    vision_line  INTEGER NOT NULL,
    refresh      TEXT NOT NULL,
    refresh_line INTEGER NOT NULL,
    detail       TEXT NOT NULL CHECK (json_valid(detail)),
    imported_at  TEXT NOT NULL,
    imported_by  TEXT NOT NULL
) STRICT;

CREATE TABLE outcome (
    plan_id       TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position      INTEGER NOT NULL,
    number        INTEGER NOT NULL,
    title         TEXT NOT NULL,
    line          INTEGER NOT NULL,
    ambition      TEXT NOT NULL,
    ambition_line INTEGER NOT NULL,
    detail        TEXT NOT NULL CHECK (json_valid(detail)),
    PRIMARY KEY (plan_id, number)
) STRICT;

CREATE TABLE priority (
    plan_id          TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position         INTEGER NOT NULL,
    id               TEXT NOT NULL,
    outcome          INTEGER NOT NULL,
    title            TEXT NOT NULL,
    line             INTEGER NOT NULL,
    description      TEXT NOT NULL,
    description_line INTEGER NOT NULL,
    detail           TEXT NOT NULL CHECK (json_valid(detail)),
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, outcome) REFERENCES outcome (plan_id, number) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE commitment (
    plan_id  TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position INTEGER NOT NULL,
    id       TEXT NOT NULL,
    outcome  INTEGER NOT NULL,
    title    TEXT NOT NULL,
    line     INTEGER NOT NULL,
    untitled INTEGER NOT NULL CHECK (untitled IN (0, 1)),
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, outcome) REFERENCES outcome (plan_id, number) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE commitment_priority (
    plan_id       TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    commitment_id TEXT NOT NULL,
    position      INTEGER NOT NULL,
    priority_id   TEXT NOT NULL,
    PRIMARY KEY (plan_id, commitment_id, position),
    FOREIGN KEY (plan_id, commitment_id) REFERENCES commitment (plan_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, priority_id) REFERENCES priority (plan_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE delivering_plan (
    plan_id  TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position INTEGER NOT NULL,
    id       TEXT NOT NULL,
    name     TEXT NOT NULL,
    status   TEXT NOT NULL,
    line     INTEGER NOT NULL,
    detail   TEXT NOT NULL CHECK (json_valid(detail)),
    PRIMARY KEY (plan_id, id)
) STRICT;

CREATE TABLE area (
    plan_id    TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position   INTEGER NOT NULL,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    code       TEXT,
    ods        TEXT,
    parent_id  TEXT,
    line       INTEGER,
    valid_from TEXT,
    valid_to   TEXT,
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, parent_id) REFERENCES area (plan_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE area_member (
    plan_id   TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    area_id   TEXT NOT NULL,
    position  INTEGER NOT NULL,
    member_id TEXT NOT NULL,
    coverage  TEXT NOT NULL,
    note      TEXT,
    PRIMARY KEY (plan_id, area_id, position),
    FOREIGN KEY (plan_id, area_id) REFERENCES area (plan_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, member_id) REFERENCES area (plan_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE organisation (
    plan_id   TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position  INTEGER NOT NULL,
    id        TEXT NOT NULL,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    parent_id TEXT,
    area_id   TEXT,
    line      INTEGER NOT NULL,
    detail    TEXT NOT NULL CHECK (json_valid(detail)),
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, parent_id) REFERENCES organisation (plan_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, area_id) REFERENCES area (plan_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE delivery_link (
    plan_id       TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    commitment_id TEXT NOT NULL,
    position      INTEGER NOT NULL,
    line          INTEGER NOT NULL,
    plan_text     TEXT NOT NULL,
    led_by_text   TEXT NOT NULL,
    PRIMARY KEY (plan_id, commitment_id, position),
    FOREIGN KEY (plan_id, commitment_id) REFERENCES commitment (plan_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE delivery_link_plan (
    plan_id            TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    commitment_id      TEXT NOT NULL,
    link_position      INTEGER NOT NULL,
    position           INTEGER NOT NULL,
    delivering_plan_id TEXT NOT NULL,
    PRIMARY KEY (plan_id, commitment_id, link_position, position),
    FOREIGN KEY (plan_id, commitment_id, link_position)
        REFERENCES delivery_link (plan_id, commitment_id, position) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, delivering_plan_id) REFERENCES delivering_plan (plan_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE delivery_link_lead (
    plan_id         TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    commitment_id   TEXT NOT NULL,
    link_position   INTEGER NOT NULL,
    position        INTEGER NOT NULL,
    organisation_id TEXT NOT NULL,
    PRIMARY KEY (plan_id, commitment_id, link_position, position),
    FOREIGN KEY (plan_id, commitment_id, link_position)
        REFERENCES delivery_link (plan_id, commitment_id, position) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, organisation_id) REFERENCES organisation (plan_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

-- Indicators and the parts of compound indicators (parent_id set) share one table, so
-- that observations can refer to either.
CREATE TABLE indicator (
    plan_id         TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position        INTEGER NOT NULL,
    id              TEXT NOT NULL,
    parent_id       TEXT,
    outcome         INTEGER,
    line            INTEGER,
    statement       TEXT,
    measure         TEXT NOT NULL,
    unit            TEXT,
    polarity        TEXT,
    geography       TEXT,
    baseline_value  REAL,
    baseline_period TEXT,
    baseline_note   TEXT,
    target_kind     TEXT,
    target_value    REAL,
    target_by       TEXT,
    target_offset   REAL,
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, parent_id) REFERENCES indicator (plan_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, outcome) REFERENCES outcome (plan_id, number) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE delivery_example (
    plan_id      TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position     INTEGER NOT NULL,
    id           TEXT NOT NULL,
    outcome      INTEGER NOT NULL,
    title        TEXT NOT NULL,
    line         INTEGER NOT NULL,
    summary_line INTEGER NOT NULL,
    detail       TEXT NOT NULL CHECK (json_valid(detail)),
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, outcome) REFERENCES outcome (plan_id, number) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE delivery_example_plan (
    plan_id            TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    example_id         TEXT NOT NULL,
    position           INTEGER NOT NULL,
    delivering_plan_id TEXT NOT NULL,
    PRIMARY KEY (plan_id, example_id, position),
    FOREIGN KEY (plan_id, example_id) REFERENCES delivery_example (plan_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, delivering_plan_id) REFERENCES delivering_plan (plan_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE milestone (
    plan_id    TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    example_id TEXT NOT NULL,
    position   INTEGER NOT NULL,
    id         TEXT NOT NULL,
    title      TEXT NOT NULL,
    due        TEXT NOT NULL,
    line       INTEGER NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, example_id) REFERENCES delivery_example (plan_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE enabler (
    plan_id          TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position         INTEGER NOT NULL,
    id               TEXT NOT NULL,
    number           INTEGER NOT NULL,
    title            TEXT NOT NULL,
    line             INTEGER NOT NULL,
    description      TEXT NOT NULL,
    description_line INTEGER NOT NULL,
    detail           TEXT NOT NULL CHECK (json_valid(detail)),
    PRIMARY KEY (plan_id, id)
) STRICT;

CREATE TABLE place (
    plan_id         TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position        INTEGER NOT NULL,
    id              TEXT NOT NULL,
    name            TEXT NOT NULL,
    heading         TEXT,
    kind            TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    area_id         TEXT,
    line            INTEGER NOT NULL,
    note            TEXT,
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, organisation_id) REFERENCES organisation (plan_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, area_id) REFERENCES area (plan_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE place_priority (
    plan_id  TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    place_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    line     INTEGER NOT NULL,
    title    TEXT NOT NULL,
    PRIMARY KEY (plan_id, place_id, position),
    FOREIGN KEY (plan_id, place_id) REFERENCES place (plan_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE place_priority_outcome (
    plan_id           TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    place_id          TEXT NOT NULL,
    priority_position INTEGER NOT NULL,
    position          INTEGER NOT NULL,
    outcome           INTEGER NOT NULL,
    PRIMARY KEY (plan_id, place_id, priority_position, position),
    FOREIGN KEY (plan_id, place_id, priority_position)
        REFERENCES place_priority (plan_id, place_id, position) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, outcome) REFERENCES outcome (plan_id, number) DEFERRABLE INITIALLY DEFERRED
) STRICT;

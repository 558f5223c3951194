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
    line         BIGINT NOT NULL,
    vision       TEXT NOT NULL,
    vision_line  BIGINT NOT NULL,
    refresh      TEXT NOT NULL,
    refresh_line BIGINT NOT NULL,
    detail       JSONB NOT NULL,
    imported_at  TEXT NOT NULL,
    imported_by  TEXT NOT NULL
);

CREATE TABLE outcome (
    plan_id       TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position      BIGINT NOT NULL,
    number        BIGINT NOT NULL,
    title         TEXT NOT NULL,
    line          BIGINT NOT NULL,
    ambition      TEXT NOT NULL,
    ambition_line BIGINT NOT NULL,
    detail        JSONB NOT NULL,
    PRIMARY KEY (plan_id, number)
);

CREATE TABLE priority (
    plan_id          TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position         BIGINT NOT NULL,
    id               TEXT NOT NULL,
    outcome          BIGINT NOT NULL,
    title            TEXT NOT NULL,
    line             BIGINT NOT NULL,
    description      TEXT NOT NULL,
    description_line BIGINT NOT NULL,
    detail           JSONB NOT NULL,
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, outcome) REFERENCES outcome (plan_id, number) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE commitment (
    plan_id  TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position BIGINT NOT NULL,
    id       TEXT NOT NULL,
    outcome  BIGINT NOT NULL,
    title    TEXT NOT NULL,
    line     BIGINT NOT NULL,
    untitled BOOLEAN NOT NULL,
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, outcome) REFERENCES outcome (plan_id, number) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE commitment_priority (
    plan_id       TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    commitment_id TEXT NOT NULL,
    position      BIGINT NOT NULL,
    priority_id   TEXT NOT NULL,
    PRIMARY KEY (plan_id, commitment_id, position),
    FOREIGN KEY (plan_id, commitment_id) REFERENCES commitment (plan_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, priority_id) REFERENCES priority (plan_id, id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE delivering_plan (
    plan_id  TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position BIGINT NOT NULL,
    id       TEXT NOT NULL,
    name     TEXT NOT NULL,
    status   TEXT NOT NULL,
    line     BIGINT NOT NULL,
    detail   JSONB NOT NULL,
    PRIMARY KEY (plan_id, id)
);

CREATE TABLE area (
    plan_id    TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position   BIGINT NOT NULL,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    code       TEXT,
    ods        TEXT,
    parent_id  TEXT,
    line       BIGINT,
    valid_from TEXT,
    valid_to   TEXT,
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, parent_id) REFERENCES area (plan_id, id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE area_member (
    plan_id   TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    area_id   TEXT NOT NULL,
    position  BIGINT NOT NULL,
    member_id TEXT NOT NULL,
    coverage  TEXT NOT NULL,
    note      TEXT,
    PRIMARY KEY (plan_id, area_id, position),
    FOREIGN KEY (plan_id, area_id) REFERENCES area (plan_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, member_id) REFERENCES area (plan_id, id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE organisation (
    plan_id   TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position  BIGINT NOT NULL,
    id        TEXT NOT NULL,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    parent_id TEXT,
    area_id   TEXT,
    line      BIGINT NOT NULL,
    detail    JSONB NOT NULL,
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, parent_id) REFERENCES organisation (plan_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, area_id) REFERENCES area (plan_id, id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE delivery_link (
    plan_id       TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    commitment_id TEXT NOT NULL,
    position      BIGINT NOT NULL,
    line          BIGINT NOT NULL,
    plan_text     TEXT NOT NULL,
    led_by_text   TEXT NOT NULL,
    PRIMARY KEY (plan_id, commitment_id, position),
    FOREIGN KEY (plan_id, commitment_id) REFERENCES commitment (plan_id, id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE delivery_link_plan (
    plan_id            TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    commitment_id      TEXT NOT NULL,
    link_position      BIGINT NOT NULL,
    position           BIGINT NOT NULL,
    delivering_plan_id TEXT NOT NULL,
    PRIMARY KEY (plan_id, commitment_id, link_position, position),
    FOREIGN KEY (plan_id, commitment_id, link_position)
        REFERENCES delivery_link (plan_id, commitment_id, position) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, delivering_plan_id) REFERENCES delivering_plan (plan_id, id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE delivery_link_lead (
    plan_id         TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    commitment_id   TEXT NOT NULL,
    link_position   BIGINT NOT NULL,
    position        BIGINT NOT NULL,
    organisation_id TEXT NOT NULL,
    PRIMARY KEY (plan_id, commitment_id, link_position, position),
    FOREIGN KEY (plan_id, commitment_id, link_position)
        REFERENCES delivery_link (plan_id, commitment_id, position) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, organisation_id) REFERENCES organisation (plan_id, id) DEFERRABLE INITIALLY DEFERRED
);

-- Indicators and the parts of compound indicators (parent_id set) share one table, so
-- that observations can refer to either.
CREATE TABLE indicator (
    plan_id         TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position        BIGINT NOT NULL,
    id              TEXT NOT NULL,
    parent_id       TEXT,
    outcome         BIGINT,
    line            BIGINT,
    statement       TEXT,
    measure         TEXT NOT NULL,
    unit            TEXT,
    polarity        TEXT,
    geography       TEXT,
    baseline_value  DOUBLE PRECISION,
    baseline_period TEXT,
    baseline_note   TEXT,
    target_kind     TEXT,
    target_value    DOUBLE PRECISION,
    target_by       TEXT,
    target_offset   DOUBLE PRECISION,
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, parent_id) REFERENCES indicator (plan_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, outcome) REFERENCES outcome (plan_id, number) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE delivery_example (
    plan_id      TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position     BIGINT NOT NULL,
    id           TEXT NOT NULL,
    outcome      BIGINT NOT NULL,
    title        TEXT NOT NULL,
    line         BIGINT NOT NULL,
    summary_line BIGINT NOT NULL,
    detail       JSONB NOT NULL,
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, outcome) REFERENCES outcome (plan_id, number) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE delivery_example_plan (
    plan_id            TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    example_id         TEXT NOT NULL,
    position           BIGINT NOT NULL,
    delivering_plan_id TEXT NOT NULL,
    PRIMARY KEY (plan_id, example_id, position),
    FOREIGN KEY (plan_id, example_id) REFERENCES delivery_example (plan_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, delivering_plan_id) REFERENCES delivering_plan (plan_id, id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE milestone (
    plan_id    TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    example_id TEXT NOT NULL,
    position   BIGINT NOT NULL,
    id         TEXT NOT NULL,
    title      TEXT NOT NULL,
    due        TEXT NOT NULL,
    line       BIGINT NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, example_id) REFERENCES delivery_example (plan_id, id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE enabler (
    plan_id          TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position         BIGINT NOT NULL,
    id               TEXT NOT NULL,
    number           BIGINT NOT NULL,
    title            TEXT NOT NULL,
    line             BIGINT NOT NULL,
    description      TEXT NOT NULL,
    description_line BIGINT NOT NULL,
    detail           JSONB NOT NULL,
    PRIMARY KEY (plan_id, id)
);

CREATE TABLE place (
    plan_id         TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    position        BIGINT NOT NULL,
    id              TEXT NOT NULL,
    name            TEXT NOT NULL,
    heading         TEXT,
    kind            TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    area_id         TEXT,
    line            BIGINT NOT NULL,
    note            TEXT,
    PRIMARY KEY (plan_id, id),
    FOREIGN KEY (plan_id, organisation_id) REFERENCES organisation (plan_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, area_id) REFERENCES area (plan_id, id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE place_priority (
    plan_id  TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    place_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    line     BIGINT NOT NULL,
    title    TEXT NOT NULL,
    PRIMARY KEY (plan_id, place_id, position),
    FOREIGN KEY (plan_id, place_id) REFERENCES place (plan_id, id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE place_priority_outcome (
    plan_id           TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    place_id          TEXT NOT NULL,
    priority_position BIGINT NOT NULL,
    position          BIGINT NOT NULL,
    outcome           BIGINT NOT NULL,
    PRIMARY KEY (plan_id, place_id, priority_position, position),
    FOREIGN KEY (plan_id, place_id, priority_position)
        REFERENCES place_priority (plan_id, place_id, position) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (plan_id, outcome) REFERENCES outcome (plan_id, number) DEFERRABLE INITIALLY DEFERRED
);

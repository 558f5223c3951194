-- Indicator data fetched from OHID Fingertips on a schedule an admin sets up: each source
-- is one "all data" query (indicator, area type, parent area type, optionally a parent
-- area) refreshed daily or weekly into a plan; each run is a row, claimed by the first
-- server to insert (source, slot), so a source is fetched once per slot across servers,
-- and finished with what it did (rows, the data import it made, or why it failed).
-- No foreign key to plan: a plan replaced from files keeps its sources.
CREATE TABLE fingertips_source (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id             TEXT NOT NULL,
    indicator_id        BIGINT NOT NULL CHECK (indicator_id > 0),
    area_type_id        BIGINT NOT NULL CHECK (area_type_id > 0),
    parent_area_type_id BIGINT NOT NULL CHECK (parent_area_type_id > 0),
    parent_area_code    TEXT NOT NULL DEFAULT '',
    every               TEXT NOT NULL CHECK (every IN ('daily', 'weekly')),
    created_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    UNIQUE (plan_id, indicator_id, area_type_id, parent_area_type_id, parent_area_code)
);

CREATE TABLE fingertips_run (
    source_id   BIGINT NOT NULL REFERENCES fingertips_source (id) ON DELETE CASCADE,
    slot        TEXT NOT NULL,
    url         TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    runner      TEXT NOT NULL,
    finished_at TEXT,
    rows_read   BIGINT,
    import_id   BIGINT,
    outcome     TEXT,
    failed      BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (source_id, slot)
);

CREATE INDEX fingertips_run_started ON fingertips_run (started_at);

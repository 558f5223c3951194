-- Indicator data fetched from OHID Fingertips on a schedule an admin sets up: each source
-- is one "all data" query (indicator, area type, parent area type, optionally a parent
-- area) refreshed daily or weekly into a plan; each run is a row, claimed by the first
-- server to insert (source, slot), so a source is fetched once per slot across servers,
-- and finished with what it did (rows, the data import it made, or why it failed).
-- No foreign key to plan: a plan replaced from files keeps its sources.
CREATE TABLE fingertips_source (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id             TEXT NOT NULL,
    indicator_id        INTEGER NOT NULL CHECK (indicator_id > 0),
    area_type_id        INTEGER NOT NULL CHECK (area_type_id > 0),
    parent_area_type_id INTEGER NOT NULL CHECK (parent_area_type_id > 0),
    parent_area_code    TEXT NOT NULL DEFAULT '',
    every               TEXT NOT NULL CHECK (every IN ('daily', 'weekly')),
    created_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    UNIQUE (plan_id, indicator_id, area_type_id, parent_area_type_id, parent_area_code)
) STRICT;

CREATE TABLE fingertips_run (
    source_id   INTEGER NOT NULL REFERENCES fingertips_source (id) ON DELETE CASCADE,
    slot        TEXT NOT NULL,
    url         TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    runner      TEXT NOT NULL,
    finished_at TEXT,
    rows_read   INTEGER,
    import_id   INTEGER,
    outcome     TEXT,
    failed      INTEGER NOT NULL DEFAULT 0 CHECK (failed IN (0, 1)),
    PRIMARY KEY (source_id, slot)
) STRICT;

CREATE INDEX fingertips_run_started ON fingertips_run (started_at);

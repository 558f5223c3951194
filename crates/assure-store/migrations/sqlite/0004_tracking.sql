-- Indicator tracking: how each indicator is measured (kept with the indicator, in
-- `detail`), a record of every data import, and which import each observation came
-- from (so that illustrative data is always known as such).

ALTER TABLE indicator ADD COLUMN detail TEXT;

CREATE TABLE data_import (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id      TEXT NOT NULL,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    checksum     TEXT NOT NULL,
    format       TEXT NOT NULL,
    rows_read    INTEGER NOT NULL,
    inserted     INTEGER NOT NULL,
    replaced     INTEGER NOT NULL,
    unchanged    INTEGER NOT NULL,
    skipped      INTEGER NOT NULL,
    illustrative INTEGER NOT NULL DEFAULT 0 CHECK (illustrative IN (0, 1))
) STRICT;

CREATE INDEX data_import_plan ON data_import (plan_id, id);

ALTER TABLE observation ADD COLUMN import_id INTEGER;
ALTER TABLE observation ADD COLUMN illustrative INTEGER NOT NULL DEFAULT 0 CHECK (illustrative IN (0, 1));

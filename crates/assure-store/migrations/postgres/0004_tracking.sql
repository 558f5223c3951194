-- Indicator tracking: how each indicator is measured (kept with the indicator, in
-- `detail`), a record of every data import, and which import each observation came
-- from (so that illustrative data is always known as such).

ALTER TABLE indicator ADD COLUMN detail JSONB;

CREATE TABLE data_import (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id      TEXT NOT NULL,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    checksum     TEXT NOT NULL,
    format       TEXT NOT NULL,
    rows_read    BIGINT NOT NULL,
    inserted     BIGINT NOT NULL,
    replaced     BIGINT NOT NULL,
    unchanged    BIGINT NOT NULL,
    skipped      BIGINT NOT NULL,
    illustrative BOOLEAN NOT NULL DEFAULT false
);

CREATE INDEX data_import_plan ON data_import (plan_id, id);

ALTER TABLE observation ADD COLUMN import_id BIGINT;
ALTER TABLE observation ADD COLUMN illustrative BOOLEAN NOT NULL DEFAULT false;

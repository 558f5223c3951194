-- Other names an area goes by (a PCN's former name, a practice's surgery name), which
-- data files may use: loaded from an areas file with the primary care networks, GP
-- practices and localities an ICS keeps. The kind of an area has no CHECK constraint,
-- so `pcn`, `practice` and `locality` need no change to `area`.
CREATE TABLE area_alias (
    plan_id   TEXT NOT NULL REFERENCES plan (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    area_id   TEXT NOT NULL,
    position  BIGINT NOT NULL,
    alias     TEXT NOT NULL,
    PRIMARY KEY (plan_id, area_id, position),
    FOREIGN KEY (plan_id, area_id) REFERENCES area (plan_id, id) DEFERRABLE INITIALLY DEFERRED
);

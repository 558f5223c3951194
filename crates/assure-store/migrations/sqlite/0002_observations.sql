-- Observations of an indicator (or an indicator's part): one value for one area, one
-- period and one breakdown ('' when the value is for everyone).
--
-- No foreign key to indicator, on purpose: a per-row foreign-key check more than
-- doubles the cost of a bulk load on PostgreSQL (measured: 9.0 s against 4.3 s per
-- million rows). The store checks every row's indicator against the plan in the
-- importing transaction, holding the plan row against deletion, and deletes a plan's
-- observations with the plan.

CREATE TABLE observation (
    plan_id      TEXT NOT NULL,
    indicator_id TEXT NOT NULL,
    area         TEXT NOT NULL,
    period       TEXT NOT NULL,
    breakdown    TEXT NOT NULL DEFAULT '',
    value        REAL,
    lower        REAL,
    upper        REAL,
    numerator    REAL,
    denominator  REAL,
    note         TEXT,
    source       TEXT,
    PRIMARY KEY (plan_id, indicator_id, area, period, breakdown)
) STRICT, WITHOUT ROWID;

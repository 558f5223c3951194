-- Observations of an indicator (or an indicator's part): one value for one area, one
-- period and one breakdown ('' when the value is for everyone).

CREATE TABLE observation (
    plan_id      TEXT NOT NULL,
    indicator_id TEXT NOT NULL,
    area         TEXT NOT NULL,
    period       TEXT NOT NULL,
    breakdown    TEXT NOT NULL DEFAULT '',
    value        DOUBLE PRECISION,
    lower        DOUBLE PRECISION,
    upper        DOUBLE PRECISION,
    numerator    DOUBLE PRECISION,
    denominator  DOUBLE PRECISION,
    note         TEXT,
    source       TEXT,
    PRIMARY KEY (plan_id, indicator_id, area, period, breakdown),
    FOREIGN KEY (plan_id, indicator_id) REFERENCES indicator (plan_id, id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);

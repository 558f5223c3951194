-- Reports recorded as issued (the annual report, place reports): when, by whom, and a
-- snapshot of the statuses they showed, so that the next one can say what changed.

CREATE TABLE report_run (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    generated_by TEXT NOT NULL,
    snapshot     TEXT NOT NULL CHECK (json_valid(snapshot))
) STRICT;

CREATE INDEX report_run_kind ON report_run (plan_id, kind, subject, id);

-- Scheduled jobs (retention, reminder digests): one row per job and time slot. The row is
-- the claim: the first server to insert (name, slot) runs the job, so a job runs once
-- across several servers on one database.

CREATE TABLE job_run (
    name        TEXT NOT NULL,
    slot        TEXT NOT NULL,
    claimed_at  TEXT NOT NULL,
    claimed_by  TEXT NOT NULL,
    finished_at TEXT,
    outcome     TEXT,
    failed      BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (name, slot)
);

CREATE INDEX job_run_claimed ON job_run (claimed_at);

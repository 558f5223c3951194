-- Reminders by email: each account's address and whether they want round reminders and
-- the weekly digest (both on until they stop them), and one row per reminder sent. The
-- row is the claim, like job_run: the first server to insert (account, kind, round, slot)
-- sends it, so each reminder goes once across several servers on one database.

ALTER TABLE account ADD COLUMN email TEXT;
ALTER TABLE account ADD COLUMN round_reminders INTEGER NOT NULL DEFAULT 1 CHECK (round_reminders IN (0, 1));
ALTER TABLE account ADD COLUMN weekly_digest INTEGER NOT NULL DEFAULT 1 CHECK (weekly_digest IN (0, 1));

CREATE TABLE reminder_sent (
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('round-open', 'round-due', 'round-late', 'weekly')),
    -- The round it is about; 0 for the weekly digest.
    round_id   INTEGER NOT NULL,
    slot       TEXT NOT NULL,
    email      TEXT NOT NULL,
    items      INTEGER NOT NULL,
    claimed_at TEXT NOT NULL,
    claimed_by TEXT NOT NULL,
    sent_at    TEXT,
    PRIMARY KEY (account_id, kind, round_id, slot)
) STRICT;

-- What a change dropped, kept whole so that it can be put back: the observations of
-- indicators a replacing plan no longer has, and the delivery updates and partners'
-- milestones of items it no longer has (all of them when a plan is deleted). Each row
-- belongs to the audit entry of the change that dropped it (`audit_id`, the archive's
-- number); `data` is the row, column by column; `restored_by` is the audit entry that
-- put it back, if one did. (No foreign key to audit_log: the log refuses TRUNCATE
-- with its own message, which a reference would pre-empt.)

CREATE TABLE archived_row (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    audit_id    BIGINT NOT NULL,
    plan_id     TEXT NOT NULL,
    from_table  TEXT NOT NULL CHECK (from_table IN ('observation', 'delivery_update', 'added_milestone')),
    item        TEXT NOT NULL,
    data        JSONB NOT NULL,
    restored_by BIGINT
);

CREATE INDEX archived_row_audit ON archived_row (audit_id, id);

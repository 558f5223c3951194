-- Committees, decisions and actions. The partnership's governance bodies (seeded with the
-- bundled plan's, each citing the line of the source it is named on), their meetings
-- with the reports and deep dives taken to them, the decisions and actions recorded
-- against a meeting, and the updates of each action (its history, like a milestone's).

CREATE TABLE governance_body (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id      TEXT NOT NULL,
    name         TEXT NOT NULL,
    organisation TEXT,
    source       TEXT,
    UNIQUE (plan_id, name)
) STRICT;

CREATE TABLE meeting (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id    TEXT NOT NULL,
    body_id    INTEGER NOT NULL REFERENCES governance_body (id),
    held_on    TEXT NOT NULL,
    title      TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE INDEX meeting_plan ON meeting (plan_id, held_on);

CREATE TABLE meeting_paper (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id INTEGER NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('annual', 'place', 'indicator', 'commitment', 'round')),
    subject    TEXT NOT NULL,
    UNIQUE (meeting_id, kind, subject)
) STRICT;

CREATE TABLE meeting_decision (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id    TEXT NOT NULL,
    meeting_id INTEGER NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    owner      TEXT,
    due        TEXT,
    links      TEXT NOT NULL CHECK (json_valid(links)),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK ((owner IS NULL) = (due IS NULL))
) STRICT;

CREATE INDEX meeting_decision_plan ON meeting_decision (plan_id, meeting_id);

CREATE TABLE action_update (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    decision_id     INTEGER NOT NULL REFERENCES meeting_decision (id) ON DELETE CASCADE,
    status          TEXT NOT NULL,
    narrative       TEXT NOT NULL,
    evidence        TEXT NOT NULL CHECK (json_valid(evidence)),
    expected        TEXT,
    expected_reason TEXT,
    internal_note   TEXT,
    author          TEXT NOT NULL,
    at              TEXT NOT NULL
) STRICT;

CREATE INDEX action_update_decision ON action_update (decision_id, id);

-- The bundled plan's bodies. Source lines: 002_430415334f109560.txt (the Shared Delivery
-- Plan) and 003_e5198cb00708df4b.txt (the minutes of Medway Council's committee).
INSERT INTO governance_body (plan_id, name, organisation, source) VALUES
    ('kent-and-medway-2024-26', 'Kent and Medway Integrated Care Partnership (ICP)', 'icp', '002_430415334f109560.txt:1547'),
    ('kent-and-medway-2024-26', 'Inequalities, Prevention and Population Health Committee (IPPH)', 'ipph', '002_430415334f109560.txt:1572'),
    ('kent-and-medway-2024-26', 'IPPH Prevention Subcommittee', 'ipph', '002_430415334f109560.txt:541'),
    ('kent-and-medway-2024-26', 'IPPH Inequalities Subcommittee', 'ipph-inequalities-subcommittee', '002_430415334f109560.txt:577'),
    ('kent-and-medway-2024-26', 'ICB Improving Outcomes and Experience Committee', 'icb-improving-outcomes-committee', '002_430415334f109560.txt:1490'),
    ('kent-and-medway-2024-26', 'Dartford, Gravesham and Swanley Health and Care Partnership', 'hcp-dgs', '002_430415334f109560.txt:1583'),
    ('kent-and-medway-2024-26', 'East Kent Health and Care Partnership', 'hcp-east-kent', '002_430415334f109560.txt:1583'),
    ('kent-and-medway-2024-26', 'Medway and Swale Health and Care Partnership', 'hcp-medway-swale', '002_430415334f109560.txt:1583'),
    ('kent-and-medway-2024-26', 'West Kent Health and Care Partnership', 'hcp-west-kent', '002_430415334f109560.txt:1583'),
    ('kent-and-medway-2024-26', 'Medway Health and Adult Social Care Overview and Scrutiny Committee', 'medway-council', '003_e5198cb00708df4b.txt:14');

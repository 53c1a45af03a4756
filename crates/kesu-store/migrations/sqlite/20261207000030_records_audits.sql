-- Regular audits of the records (issue 21; seed 000): a sample of the closed cases received
-- in a period, drawn from a seed anyone can redraw, and what the auditor found on each.
CREATE TABLE records_audits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    period_from INTEGER NOT NULL,
    period_to INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    -- How many closed cases the period had, and how many were drawn.
    population INTEGER NOT NULL,
    size INTEGER NOT NULL,
    drawn_by TEXT NOT NULL,
    drawn_at INTEGER NOT NULL
);

-- One sampled case: the checklist as computed at the draw (JSON), and the auditor's
-- verdict, findings and the correction asked for, as they last saved them (the trail keeps
-- each save).
CREATE TABLE records_audit_cases (
    audit_id INTEGER NOT NULL REFERENCES records_audits(id),
    case_id INTEGER NOT NULL REFERENCES cases(id),
    checks TEXT NOT NULL,
    verdict TEXT,
    findings TEXT,
    correction TEXT,
    checked_by TEXT,
    checked_at INTEGER,
    PRIMARY KEY (audit_id, case_id)
);
CREATE INDEX cases_closed_received ON cases (status, received_at);

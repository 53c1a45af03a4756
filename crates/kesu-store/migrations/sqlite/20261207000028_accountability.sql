-- Accountability (issue 21; seed 001 step 7): who was responsible for a case, the loss and the
-- penalties decided, as supervisors recorded it last (the trail keeps every version). Kept
-- apart from the case's history, which every handler of the case reads.
CREATE TABLE accountability (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    loss_cents INTEGER NOT NULL,
    detail TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX accountability_at ON accountability (recorded_at);

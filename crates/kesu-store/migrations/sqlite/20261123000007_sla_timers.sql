-- SLA timers: warnings, breaches and reminders, each fired at most once (state moves from
-- pending to done in the same transaction that writes the case history).
CREATE TABLE sla_timers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    key TEXT NOT NULL,
    clock_key TEXT NOT NULL,
    clock TEXT NOT NULL,
    kind TEXT NOT NULL,
    number INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    deadline_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    fired_at INTEGER,
    fired_by TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (case_id, key)
);
CREATE INDEX sla_timers_due ON sla_timers (state, due_at);

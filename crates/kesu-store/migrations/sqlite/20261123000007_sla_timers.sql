-- SLA timers that fired: warnings, breaches (recorded for the reports) and reminders, once
-- each: the unique key is the claim, taken in the transaction that writes the history.
-- What is still to fire follows from the case and these; the case row keeps when it next
-- needs the worker.
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
    fired_at INTEGER NOT NULL,
    fired_by TEXT NOT NULL,
    -- When the clock was met afterwards (the step taken, the customer answered).
    met_at INTEGER,
    UNIQUE (case_id, key)
);
CREATE INDEX sla_timers_breaches ON sla_timers (kind, met_at);

ALTER TABLE cases ADD COLUMN next_timer_at INTEGER;
CREATE INDEX cases_next_timer ON cases (next_timer_at);

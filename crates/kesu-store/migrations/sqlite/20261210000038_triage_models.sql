-- The shop's own triage model: every training (by the worker or `kesu triage train`), how the
-- new model and the one in use scored on the held-out cases, and the model itself when it
-- replaced that one. The newest training that replaced is the model in use.
CREATE TABLE triage_trainings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    trained_at INTEGER NOT NULL,
    trained_by TEXT NOT NULL,
    closed_cases INTEGER NOT NULL,
    learned_from INTEGER NOT NULL,
    held_out INTEGER NOT NULL,
    new_right INTEGER NOT NULL,
    old_right INTEGER NOT NULL,
    replaced INTEGER NOT NULL,
    model TEXT
);
CREATE INDEX triage_trainings_replaced ON triage_trainings (replaced, id);

-- Quality checks (质检): a sample of each agent's closed cases per week, drawn by a seed,
-- and a supervisor's score of each against the checklist, with the agent's one answer.
CREATE TABLE qc_samples (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    week TEXT NOT NULL UNIQUE,
    from_at INTEGER NOT NULL,
    to_at INTEGER NOT NULL,
    seed BIGINT NOT NULL,
    per_agent INTEGER NOT NULL,
    drawn_by TEXT NOT NULL,
    drawn_at INTEGER NOT NULL
);
CREATE TABLE qc_reviews (
    sample_id INTEGER NOT NULL REFERENCES qc_samples(id),
    case_id INTEGER NOT NULL REFERENCES cases(id),
    agent TEXT NOT NULL,
    category TEXT NOT NULL,
    scores TEXT,
    score INTEGER,
    comment TEXT,
    scored_by TEXT,
    scored_at INTEGER,
    answer TEXT,
    answered_at INTEGER,
    PRIMARY KEY (sample_id, case_id)
);
CREATE INDEX qc_reviews_agent ON qc_reviews (agent, sample_id);

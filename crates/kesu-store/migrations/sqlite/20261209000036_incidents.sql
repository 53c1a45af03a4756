-- Problem management: cases linked as related, and incidents grouping the cases of one
-- problem (one SKU, batch, carrier, shop or promotion), found by hand or by the spike rule.
CREATE TABLE case_links (
    low_id INTEGER NOT NULL REFERENCES cases(id),
    high_id INTEGER NOT NULL REFERENCES cases(id),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (low_id, high_id)
);
CREATE INDEX case_links_high ON case_links (high_id);
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    dimension TEXT,
    key TEXT,
    status TEXT NOT NULL,
    detected INTEGER NOT NULL,
    improvement_id INTEGER REFERENCES improvement_actions(id),
    escalated_at INTEGER,
    note TEXT,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- One open incident per spiking key: a detection round adds to it instead of opening another.
CREATE UNIQUE INDEX incidents_open_key ON incidents (dimension, key) WHERE status = 'open' AND key IS NOT NULL;
CREATE TABLE incident_cases (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    case_id INTEGER NOT NULL REFERENCES cases(id),
    added_by TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (incident_id, case_id)
);
CREATE INDEX incident_cases_case ON incident_cases (case_id);
CREATE INDEX cases_received ON cases (received_at);

-- Logistics exceptions found by the monitor, once per parcel, kind, level and episode (a
-- parcel that stalls, moves and stalls again has two stalled episodes).
CREATE TABLE logistics_exceptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    carrier TEXT NOT NULL,
    tracking_no TEXT NOT NULL,
    order_no TEXT,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    detected_at INTEGER NOT NULL,
    detail TEXT,
    case_id INTEGER REFERENCES cases(id),
    state TEXT NOT NULL,
    resolved_at INTEGER,
    episode TEXT NOT NULL,
    UNIQUE (carrier, tracking_no, kind, level, episode)
);
CREATE INDEX logistics_exceptions_open ON logistics_exceptions (state, carrier, detected_at);
CREATE INDEX shipments_watch ON shipments (shipped_at, status);

-- Claims against carriers for lost or damaged parcels.
CREATE TABLE carrier_claims (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    carrier TEXT NOT NULL,
    tracking_no TEXT NOT NULL,
    reason TEXT NOT NULL,
    amount_claimed_cents INTEGER NOT NULL,
    amount_recovered_cents INTEGER,
    status TEXT NOT NULL,
    evidence TEXT NOT NULL,
    deadline_at INTEGER NOT NULL,
    note TEXT,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX carrier_claims_case ON carrier_claims (case_id);
CREATE INDEX carrier_claims_status ON carrier_claims (status, carrier);

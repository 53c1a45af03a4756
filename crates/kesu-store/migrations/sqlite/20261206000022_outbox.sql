-- What kesu sends out: notices to customers (e-mail, SMS) and webhook deliveries. Written once
-- per (history entry, channel, target) by the notifier, claimed with a lease by one sender at a
-- time on any server, retried with backoff; each attempt's result is kept.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER REFERENCES cases(id),
    seq INTEGER NOT NULL,
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    event TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    lease_until INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    done_at INTEGER,
    UNIQUE (case_id, seq, channel, target, event)
);
CREATE INDEX outbox_due ON outbox (status, next_at);
CREATE INDEX outbox_case ON outbox (case_id, id);

-- Webhook subscriptions of the shop's other systems.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Customers who asked to hear nothing more by e-mail or SMS about a case.
CREATE TABLE contact_optouts (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    at INTEGER NOT NULL
);

-- Where a durable change-log follower (the notifier) has read to.
CREATE TABLE follower_positions (
    name TEXT PRIMARY KEY,
    position TEXT NOT NULL
);

-- The last history entry of each case the notifier has looked at.
CREATE TABLE notified_entries (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    seq INTEGER NOT NULL
);

-- Cases already in the database have been heard about: the notifier starts with what comes next.
INSERT INTO notified_entries (case_id, seq) SELECT case_id, MAX(seq) FROM case_events GROUP BY case_id;

-- kesu schema, SQLite flavour. Times are UTC milliseconds since the epoch.
CREATE TABLE departments (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO departments (code, name, created_at) VALUES
    ('logistics', '储运部', 0), ('quality', '质量管理部', 0),
    ('service', '客服部', 0), ('operations', '运营部', 0);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    department TEXT REFERENCES departments(code),
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE case_counters (
    day TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    demand TEXT NOT NULL,
    department TEXT,
    assignee TEXT,
    order_no TEXT,
    tracking_no TEXT,
    received_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    resolve_by INTEGER,
    search_text TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX cases_status ON cases (status, resolve_by);
CREATE INDEX cases_department ON cases (department, status);
CREATE INDEX cases_assignee ON cases (assignee, status);
CREATE INDEX cases_order_no ON cases (order_no);
CREATE INDEX cases_tracking_no ON cases (tracking_no);

-- Personal data, apart from the case so it can be masked and purged.
CREATE TABLE case_contacts (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    name TEXT NOT NULL,
    phone TEXT,
    email TEXT
);

CREATE TABLE case_events (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE idempotency_keys (
    user_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Orders, their buyers (personal data, apart), shipments and refunds.
CREATE TABLE orders (
    order_no TEXT PRIMARY KEY,
    shop TEXT NOT NULL,
    placed_at INTEGER NOT NULL,
    paid_at INTEGER,
    updated_at INTEGER NOT NULL,
    detail TEXT NOT NULL
);

CREATE TABLE order_buyers (
    order_no TEXT PRIMARY KEY REFERENCES orders(order_no),
    name TEXT NOT NULL,
    phone TEXT,
    address TEXT
);

CREATE TABLE shipments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_no TEXT NOT NULL REFERENCES orders(order_no),
    carrier TEXT NOT NULL,
    tracking_no TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT,
    shipped_at INTEGER,
    lines TEXT NOT NULL,
    source TEXT NOT NULL,
    case_id INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX shipments_order ON shipments (order_no);
CREATE INDEX shipments_tracking ON shipments (tracking_no);

CREATE TABLE refunds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_no TEXT NOT NULL REFERENCES orders(order_no),
    -- Set for refunds kesu executes: the same key can never be refunded twice.
    refund_key TEXT UNIQUE,
    case_id INTEGER,
    source TEXT NOT NULL,
    lines TEXT NOT NULL,
    shipping_cents INTEGER NOT NULL,
    cash_cents INTEGER NOT NULL,
    points_cents INTEGER NOT NULL,
    method TEXT,
    reference TEXT,
    at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX refunds_order ON refunds (order_no);

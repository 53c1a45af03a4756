-- What the reports know of each case (kesu_domain::report::CaseFacts as JSON), rewritten in
-- the transaction of every change; `version` is the case's, so a start-up check finds
-- cases whose facts are missing or behind.
CREATE TABLE case_facts (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    version INTEGER NOT NULL,
    facts TEXT NOT NULL
);

-- Orders per shop and day as the shop's platform reports them, for the complaint rate
-- when kesu does not hold every order.
CREATE TABLE shop_order_counts (
    shop TEXT NOT NULL,
    day TEXT NOT NULL,
    orders INTEGER NOT NULL,
    PRIMARY KEY (shop, day)
);
CREATE INDEX orders_placed ON orders (placed_at);
CREATE INDEX orders_shop_placed ON orders (shop, placed_at);

-- What supervisors decided to change so that a root cause comes up less often.
CREATE TABLE improvement_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    root_cause TEXT NOT NULL,
    category TEXT,
    owner TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    case_ids TEXT NOT NULL,
    note TEXT,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    done_at INTEGER
);

-- Bad reviews (差评) recorded on a case and their recovery: contacted, resolved, explained.
CREATE TABLE bad_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    order_no TEXT,
    platform TEXT NOT NULL,
    rating INTEGER NOT NULL,
    text TEXT NOT NULL,
    posted_at INTEGER NOT NULL,
    stage TEXT NOT NULL,
    explanation TEXT,
    explained_at INTEGER,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX bad_reviews_case ON bad_reviews (case_id);
CREATE INDEX bad_reviews_posted ON bad_reviews (posted_at);

-- Colleagues mentioned (@username) in internal notes: each sees them under 提及我的.
CREATE TABLE mentions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    username TEXT NOT NULL,
    author TEXT NOT NULL,
    at INTEGER NOT NULL,
    excerpt TEXT NOT NULL
);
CREATE INDEX mentions_by_user ON mentions (username, at);

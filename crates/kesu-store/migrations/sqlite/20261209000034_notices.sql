-- Notices to the desk (seed 002) and who read and acknowledged each. Targets are JSON lists.
CREATE TABLE notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    importance TEXT NOT NULL,
    valid_from INTEGER NOT NULL,
    valid_to INTEGER,
    shops TEXT NOT NULL,
    skus TEXT NOT NULL,
    categories TEXT NOT NULL,
    posted_by TEXT NOT NULL,
    posted_at INTEGER NOT NULL
);
CREATE INDEX notices_valid ON notices (valid_from);
CREATE TABLE notice_reads (
    notice_id INTEGER NOT NULL REFERENCES notices(id),
    username TEXT NOT NULL,
    read_at INTEGER NOT NULL,
    acknowledged_at INTEGER,
    PRIMARY KEY (notice_id, username)
);

-- Evidence files. Each distinct content is stored once, named by its SHA-256; `bytes` is NULL
-- when the folder backend keeps the file on disk instead of in the database.
CREATE TABLE attachment_blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    bytes BLOB,
    created_at INTEGER NOT NULL
);

-- One file attached to a case: the original, and for images a copy without metadata (what
-- people who may not see personal data get) and a thumbnail.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL REFERENCES attachment_blobs(sha256),
    clean_sha256 TEXT REFERENCES attachment_blobs(sha256),
    thumb_sha256 TEXT REFERENCES attachment_blobs(sha256),
    width INTEGER,
    height INTEGER,
    source TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX attachments_case ON attachments (case_id, id);

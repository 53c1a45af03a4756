-- Wrong passwords in a row and the lock they earn; every failure, lock and unlock recorded.
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until INTEGER;
CREATE TABLE sign_in_events (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    username TEXT NOT NULL,
    address TEXT,
    event TEXT NOT NULL
);
CREATE INDEX sign_in_events_user ON sign_in_events (username, at);

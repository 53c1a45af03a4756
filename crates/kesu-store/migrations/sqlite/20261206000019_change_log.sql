-- The change log every server follows: each committed change to a case (and to what servers
-- cache: the policy, tokens and sessions) writes a row here in its own transaction. SQLite has
-- one writer at a time, so `seq` grows in commit order and is the whole position; `tx` stays 0.
CREATE TABLE change_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tx INTEGER NOT NULL DEFAULT 0,
    case_id INTEGER,
    topic TEXT NOT NULL,
    at INTEGER NOT NULL
);

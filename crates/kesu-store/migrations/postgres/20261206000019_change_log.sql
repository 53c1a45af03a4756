-- The change log every server follows: each committed change to a case (and to what servers
-- cache: the policy, tokens and sessions) writes a row here in its own transaction.
-- Concurrent transactions take `seq` numbers in one order and commit in another, so a reader
-- cannot trust "seq > last seen". Each row also keeps the id of its transaction (`tx`); a
-- reader reads only rows of transactions older than every one still running (the snapshot's
-- xmin), in (tx, seq) order, so nothing can appear behind its position later.
CREATE TABLE change_log (
    seq BIGSERIAL PRIMARY KEY,
    tx BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    case_id BIGINT,
    topic TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX change_log_position ON change_log (tx, seq);

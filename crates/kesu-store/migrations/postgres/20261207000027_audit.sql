-- The audit trail (issue 21). What is not a case's history (sign-ins, exports, reveals of
-- personal data, changes to users, the policy and connectors) is written to `audit_events`
-- in the transaction of what it records, announced by a change-log row (topic 'audit').
-- A sealer chains every history entry and audit event into `audit_chain` in commit order:
-- each link holds the hash of the link before it and of its row's content, so
-- `kesu audit verify` finds a row changed, inserted or removed.
CREATE TABLE audit_events (
    seq BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    case_id BIGINT,
    detail TEXT NOT NULL
);
CREATE INDEX audit_events_case ON audit_events (case_id);
CREATE INDEX audit_events_at ON audit_events (at);
-- One link per row chained; `source` is 'history' (ref: the entry's seq in its case) or
-- 'event' (ref: audit_events.seq).
CREATE TABLE audit_chain (
    idx BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    case_id BIGINT,
    source TEXT NOT NULL,
    ref BIGINT NOT NULL,
    content TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_chain_history ON audit_chain (source, case_id, ref);
CREATE INDEX audit_chain_ref ON audit_chain (source, ref);
CREATE INDEX audit_chain_at ON audit_chain (at);
-- Each case's key for the digest of its history's personal data; erasing the customer
-- forgets it (after keeping each entry's digest in case_events.personal_digest).
CREATE TABLE case_keys (
    case_id BIGINT PRIMARY KEY,
    key TEXT NOT NULL
);
ALTER TABLE case_events ADD COLUMN personal_digest TEXT;
-- The sealer's place: how far it has read the change log, the chain's head, and (until the
-- first pass over history written before the trail existed is done) the last case it has
-- chained whole.
CREATE TABLE audit_seal (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    history_cursor TEXT NOT NULL,
    head_idx BIGINT NOT NULL,
    head_hash TEXT NOT NULL,
    sweep_after BIGINT,
    passes BIGINT NOT NULL DEFAULT 0
);
INSERT INTO audit_seal (id, history_cursor, head_idx, head_hash, sweep_after)
VALUES (1, '0:0', 0, '0000000000000000000000000000000000000000000000000000000000000000', 0);

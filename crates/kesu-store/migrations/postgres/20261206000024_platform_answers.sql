-- kesu's answers to platform requests (agree, refuse, agree the return, a message): written in
-- the transaction that records the answer in the case's history, claimed with a lease by one
-- sender at a time on any server, retried with backoff. One answer per case version, so the
-- same answer asked twice is refused instead of sent twice. A dry run (the shop's switch off)
-- keeps what would have been sent and is never sent.
CREATE TABLE platform_answers (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    case_version BIGINT NOT NULL,
    platform TEXT NOT NULL,
    shop TEXT NOT NULL,
    request_id TEXT NOT NULL,
    answer TEXT NOT NULL,
    call_json TEXT NOT NULL,
    -- queued, sent, failed (given up) or dry_run
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    lease_until BIGINT,
    last_error TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    done_at BIGINT,
    UNIQUE (case_id, case_version)
);
CREATE INDEX platform_answers_due ON platform_answers (status, next_at);

-- Every e-mail kesu has taken, by Message-ID, so the same message is never taken twice: the
-- case it opened or threaded onto, or why it was set aside (an auto-reply, a bounce).
CREATE TABLE inbound_messages (
    message_id TEXT PRIMARY KEY,
    case_id BIGINT REFERENCES cases(id),
    outcome TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX inbound_messages_case ON inbound_messages (case_id);

-- The platforms' after-sales requests. A source is a shop on a platform (or the shop's own
-- site): whether it is on, and its credentials sealed with the server's key (never in clear).
CREATE TABLE platform_sources (
    platform TEXT NOT NULL,
    shop TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    -- Whether answers go back to the platform (off: recorded as a dry run).
    send_answers BIGINT NOT NULL DEFAULT 0,
    sealed TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (platform, shop)
);

-- One case per request: written in the transaction that opens the case, so a push that comes
-- twice, or on two servers at once, opens one case.
CREATE TABLE platform_requests (
    platform TEXT NOT NULL,
    shop TEXT NOT NULL,
    request_id TEXT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (platform, shop, request_id)
);
CREATE INDEX platform_requests_case ON platform_requests (case_id);


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


-- The photos of requests, fetched from the platform after the case is opened: claimed with a
-- lease by one server at a time, retried with backoff, stored once (the row is marked done
-- in the transaction that stores the file).
CREATE TABLE platform_images (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    url TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    lease_until BIGINT,
    last_error TEXT,
    done_at BIGINT
);
CREATE INDEX platform_images_due ON platform_images (state, next_at);
CREATE INDEX platform_images_case ON platform_images (case_id);

-- Which server syncs a polled source now, and until when: two servers on one database never
-- read the same shop at once (their reports would overwrite each other and the platform would
-- see every call twice). A server that dies leaves the lease to run out.
ALTER TABLE platform_sources ADD COLUMN sync_holder TEXT;
ALTER TABLE platform_sources ADD COLUMN sync_until BIGINT;

-- Sessions under control: when a session was last used (it ends after a while idle), and
-- from where, so its user can tell their sessions apart and end one. `second_factor` says
-- whether the sign-in passed a second factor; a session of a role that must use one and has
-- not set it up can only reach the page where it is set up.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN address TEXT;
ALTER TABLE sessions ADD COLUMN agent TEXT;
ALTER TABLE sessions ADD COLUMN second_factor BIGINT NOT NULL DEFAULT 0;
CREATE INDEX sessions_by_user ON sessions (user_id);
-- API tokens carry a name their owner gave, and may be limited to reading.
ALTER TABLE api_tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN read_only BIGINT NOT NULL DEFAULT 0;
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
-- Two-factor sign-in: the TOTP secret sealed with the server's key, when it was confirmed,
-- and the last time step used (a code is never taken twice).
CREATE TABLE two_factor (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    sealed_secret TEXT NOT NULL,
    confirmed_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0
);
-- One-time recovery codes, kept as their SHA-256.
CREATE TABLE recovery_codes (
    code_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    used_at BIGINT
);
CREATE INDEX recovery_codes_by_user ON recovery_codes (user_id);

-- Browser sessions of the workbench, and each user's language.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh-CN';

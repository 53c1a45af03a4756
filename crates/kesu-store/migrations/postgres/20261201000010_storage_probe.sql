-- One row written and removed by /healthz's write probe: a write that cannot reach the disk
-- (a full disk, an I/O error) shows there before a complaint is refused. The pad is stored
-- out of line and uncompressed, so the probe really needs space.
CREATE TABLE storage_probe (
    id BIGINT PRIMARY KEY,
    pad BYTEA NOT NULL
);
ALTER TABLE storage_probe ALTER COLUMN pad SET STORAGE EXTERNAL;

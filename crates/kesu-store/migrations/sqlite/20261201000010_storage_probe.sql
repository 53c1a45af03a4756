-- One row written and removed by /healthz's write probe: a write that cannot reach the disk
-- (a full disk, an I/O error) shows there before a complaint is refused.
CREATE TABLE storage_probe (
    id INTEGER PRIMARY KEY,
    pad BLOB NOT NULL
);

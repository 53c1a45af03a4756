-- Tracking events as received; a repeat of the same event is ignored.
CREATE TABLE tracking_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    carrier TEXT NOT NULL,
    tracking_no TEXT NOT NULL,
    at INTEGER NOT NULL,
    status TEXT NOT NULL,
    location TEXT,
    text TEXT,
    received_at INTEGER NOT NULL,
    UNIQUE (carrier, tracking_no, at, status)
);
CREATE INDEX tracking_events_parcel ON tracking_events (tracking_no, at);
-- The time of the event a shipment's status comes from, so older events arriving late
-- do not overwrite newer news.
ALTER TABLE shipments ADD COLUMN last_event_at INTEGER;

-- The queue's order (soonest deadline first, closed cases last) as one indexed column, so
-- a page of the queue is read from the index instead of sorting every case.
ALTER TABLE cases ADD COLUMN queue_key INTEGER NOT NULL DEFAULT 0;
UPDATE cases SET queue_key = CASE
    WHEN status = 'closed' THEN 4000000000000000 + COALESCE(resolve_by, 0)
    ELSE COALESCE(resolve_by, 3000000000000000) END;
CREATE INDEX cases_queue ON cases (queue_key, id);

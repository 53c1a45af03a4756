-- Who wrote a history entry, by kind (staff, customer, system), so nothing is decided by a
-- name a staff account could also carry. Entries written before: the names kesu used for
-- the customer and its own workers.
ALTER TABLE case_events ADD COLUMN actor_kind TEXT NOT NULL DEFAULT 'staff';
UPDATE case_events SET actor_kind = 'customer' WHERE actor = 'customer';
UPDATE case_events SET actor_kind = 'system' WHERE actor IN ('sla-timer', 'logistics-monitor');

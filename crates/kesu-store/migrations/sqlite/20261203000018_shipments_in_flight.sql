-- The logistics monitor looks only at parcels still on their way: a partial index holds just
-- those, so its scan stays small however many delivered parcels a year of orders leaves.
CREATE INDEX shipments_in_flight ON shipments (shipped_at)
    WHERE status IS NULL OR status IN ('info_received', 'picked_up', 'in_transit', 'out_for_delivery', 'failed_attempt');

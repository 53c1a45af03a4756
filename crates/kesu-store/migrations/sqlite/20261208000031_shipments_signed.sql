-- When the customer signed for a parcel (seven-day returns count from the day after):
-- from the shop or platform, else the tracking's first delivered event.
ALTER TABLE shipments ADD COLUMN signed_at INTEGER;

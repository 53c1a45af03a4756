-- Paid orders not shipped yet are found by their payment time (the shipping-promise board).
CREATE INDEX orders_paid ON orders (paid_at);

-- The shop's carriers: the code trackers and platforms use, the name people read. Admins
-- keep the list; forms pick from it. Seeded with kesu-domain's `carriers::BUILT_IN`.
CREATE TABLE carriers (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
INSERT INTO carriers (code, name) VALUES
    ('sf', '顺丰速运'), ('zto', '中通快递'), ('yto', '圆通速递'), ('sto', '申通快递'),
    ('yunda', '韵达快递'), ('jd', '京东物流'), ('ems', 'EMS'), ('jtexpress', '极兔速递'),
    ('deppon', '德邦快递'), ('best', '百世快递');

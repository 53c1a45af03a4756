//! The demo's generator: seeded, so the same seed and moment give the same year. Each case
//! is registered and taken through the real lifecycle up to a stage that fits its age.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use kesu_domain::codes::{Category, Channel, Demand};
use kesu_domain::order::{Order, OrderForm};
use kesu_domain::registration::RegistrationForm;
use kesu_domain::report::FactContext;
use kesu_domain::role::{Actor, Role};
use kesu_domain::Policy;
use kesu_store::{ImportedCase, ImportedEvent};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::texts::{self, CARRIERS, GIVEN, SHOPS, SURNAMES};

pub struct Staff {
    pub agents: Vec<String>,
    pub supervisors: Vec<String>,
}

impl Default for Staff {
    fn default() -> Self {
        Staff {
            agents: [
                "li.na",
                "wang.fang",
                "zhao.lei",
                "chen.jing",
                "liu.yang",
                "sun.li",
                "zhou.min",
                "wu.tao",
            ]
            .map(String::from)
            .to_vec(),
            supervisors: ["zhang.wei", "huang.min"].map(String::from).to_vec(),
        }
    }
}

pub struct Batch {
    pub orders: Vec<Order>,
    pub cases: Vec<ImportedCase>,
}

pub struct Generator {
    pub(super) rng: StdRng,
    pub(super) now: DateTime<Utc>,
    pub(super) policy: Policy,
    pub(super) staff: Staff,
    /// Distinguishes this run's order numbers from an earlier run's.
    run: String,
    serial: u64,
}

pub(super) fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

pub(super) fn weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.gen_range(0..total);
    for (item, w) in items {
        if roll < *w {
            return *item;
        }
        roll -= w;
    }
    items[0].0
}

/// Minutes drawn from a long-tailed distribution around `typical`.
pub(super) fn minutes(rng: &mut StdRng, typical: f64) -> i64 {
    let u: f64 = rng.gen_range(0.0001..1.0);
    let v: f64 = rng.gen_range(0.0..std::f64::consts::TAU);
    let normal = (-2.0 * u.ln()).sqrt() * v.cos();
    (typical * (0.8 * normal).exp()).round().max(1.0) as i64
}

/// How busy a day is: the 11.11 and 618 sales bring their complaints a few days later.
fn day_weight(d: NaiveDate) -> u32 {
    let (m, day) = (d.month(), d.day());
    let sale = match (m, day) {
        (11, 11..=20) => 40,
        (6, 18..=26) => 25,
        (12, 12..=16) => 18,
        (1, 20..=31) | (2, 1..=5) => 6, // before the Spring Festival, parcels stall
        _ => 10,
    };
    let weekend = matches!(d.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun);
    sale + u32::from(weekend) * 2
}

impl Generator {
    pub fn new(seed: u64, now: DateTime<Utc>, policy: Policy, staff: Staff) -> Generator {
        Generator {
            rng: StdRng::seed_from_u64(seed),
            now,
            policy,
            staff,
            run: format!("{:05}", now.timestamp() % 100_000),
            serial: 0,
        }
    }

    pub fn batch(&mut self, n: usize) -> Batch {
        let mut out = Batch {
            orders: Vec::with_capacity(n),
            cases: Vec::with_capacity(n),
        };
        for _ in 0..n {
            let (order, case) = self.one();
            out.orders.extend(order);
            out.cases.push(case);
        }
        out
    }

    fn received_at(&mut self) -> DateTime<Utc> {
        let zone = self.policy.zone();
        let today = self.now.with_timezone(&zone).date_naive();
        loop {
            let day = today - Duration::days(self.rng.gen_range(0..365));
            if self.rng.gen_range(0..50) < day_weight(day) {
                // Complaints come in mostly between 9 in the morning and midnight.
                let hour = weighted(
                    &mut self.rng,
                    &[
                        (9, 6),
                        (10, 9),
                        (11, 9),
                        (12, 6),
                        (13, 7),
                        (14, 9),
                        (15, 9),
                        (16, 8),
                        (17, 7),
                        (18, 6),
                        (19, 8),
                        (20, 10),
                        (21, 11),
                        (22, 8),
                        (23, 4),
                        (0, 2),
                        (1, 1),
                        (7, 2),
                        (8, 4),
                    ],
                );
                let local = day
                    .and_hms_opt(hour, self.rng.gen_range(0..60), self.rng.gen_range(0..60))
                    .unwrap_or_default();
                let t = kesu_domain::report::local_midnight(zone, day)
                    + (local - day.and_hms_opt(0, 0, 0).unwrap_or_default());
                if t < self.now {
                    return t;
                }
            }
        }
    }

    fn one(&mut self) -> (Option<Order>, ImportedCase) {
        self.serial += 1;
        let received = self.received_at();
        let rng = &mut self.rng;
        let shop = pick(rng, SHOPS);
        let product = *pick(rng, shop.products);
        let carrier = weighted(rng, CARRIERS);
        let category = weighted(
            rng,
            &[
                (Category::Logistics, 30),
                (Category::Damaged, 10),
                (Category::WrongItem, 8),
                (Category::Quality, 20),
                (Category::NotAsDescribed, 8),
                (Category::Price, 7),
                (Category::Refund, 8),
                (Category::Service, 5),
                (Category::Other, 4),
            ],
        );
        let channel = weighted(
            rng,
            &[
                (Channel::Chat, 45),
                (Channel::Platform, 20),
                (Channel::Phone, 12),
                (Channel::App, 10),
                (Channel::Email, 5),
                (Channel::WebForm, 6),
                (Channel::ConsumerAssociation, 2),
            ],
        );
        let demand = match category {
            Category::Logistics => weighted(
                rng,
                &[
                    (Demand::Reship, 4),
                    (Demand::Refund, 3),
                    (Demand::Explanation, 3),
                ],
            ),
            Category::Damaged | Category::WrongItem => weighted(
                rng,
                &[
                    (Demand::Reship, 4),
                    (Demand::Exchange, 3),
                    (Demand::Refund, 3),
                ],
            ),
            Category::Quality | Category::NotAsDescribed => weighted(
                rng,
                &[
                    (Demand::ReturnRefund, 5),
                    (Demand::Exchange, 3),
                    (Demand::Repair, 1),
                    (Demand::Compensation, 1),
                ],
            ),
            Category::Price => Demand::Refund,
            Category::Refund => weighted(rng, &[(Demand::Refund, 3), (Demand::Explanation, 1)]),
            Category::Service => weighted(rng, &[(Demand::Apology, 3), (Demand::Compensation, 1)]),
            Category::Other => Demand::Explanation,
        };
        // A few customers come back: a phone number from a small pool.
        let repeat = rng.gen_range(0..100) < 8;
        let phone = if repeat {
            format!("1390000{:04}", rng.gen_range(0..2000))
        } else {
            format!(
                "1{}{:09}",
                pick(rng, &[3, 5, 7, 8, 9]),
                rng.gen_range(0..1_000_000_000u64)
            )
        };
        let name = format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN));
        let order_no = format!("DM{}{:08}", self.run, self.serial);
        let tracking_no = format!("{}{}{:010}", carrier.to_uppercase(), self.run, self.serial);
        let has_order = rng.gen_range(0..100) < 92;
        let text = pick(rng, texts::complaints(category))
            .replace("{p}", product.1)
            .replace("{c}", carrier);
        let placed = received - Duration::hours(rng.gen_range(6..24 * 6));
        let quantity = if rng.gen_range(0..4) == 0 { 2 } else { 1 };
        let form: RegistrationForm = serde_json::from_value(serde_json::json!({
            "channel": channel, "complainant": {"name": name, "phone": phone},
            "order_no": has_order.then_some(&order_no),
            "tracking_no": (has_order && matches!(category, Category::Logistics | Category::Damaged)).then_some(&tracking_no),
            "category": category, "demand": demand, "description": text,
            "received_at": received.to_rfc3339(),
        }))
        .expect("demo registration form");
        let agent_name = pick(&mut self.rng, &self.staff.agents).clone();
        let agent = Actor::staff(&agent_name, Role::Agent, None);
        let registration = form.parse(received).expect("demo registration is valid");
        let case = registration.into_case(0, 0, &agent, received, &self.policy);
        let mut history = vec![ImportedEvent {
            at: received,
            author: agent.author(),
            entry: registration.history_entry(&case),
        }];
        let case = self.walk(case, &agent, product.3 * quantity, &mut history);
        // Parcels arrived, but those of open logistics complaints are still on the way.
        let parcel = if category == Category::Logistics && case.status.is_open() {
            "in_transit"
        } else {
            "delivered"
        };
        let order = has_order.then(|| {
            let form: OrderForm = serde_json::from_value(serde_json::json!({
                "shop": shop.name,
                "buyer": {"name": name, "phone": phone, "address": "浙江省杭州市西湖区文三路 100 号"},
                "placed_at": placed.to_rfc3339(), "paid_at": (placed + Duration::minutes(2)).to_rfc3339(),
                "payment_method": "alipay",
                "lines": [{"line_id": "A", "sku": product.0, "name": product.1, "spec": product.2,
                           "unit_price_cents": product.3, "quantity": quantity}],
                "shipping_cents": 0,
                "shipments": [{"carrier": carrier, "tracking_no": tracking_no,
                               "shipped_at": (placed + Duration::hours(10)).to_rfc3339(), "status": parcel,
                               "lines": [{"line_id": "A", "quantity": quantity}]}],
            }))
            .expect("demo order form");
            form.parse(&order_no).expect("demo order is valid")
        });
        let context = FactContext {
            shop: has_order.then(|| shop.name.to_owned()),
            carrier: has_order.then(|| carrier.to_owned()),
            product: has_order.then(|| product.1.to_owned()),
            ..Default::default()
        };
        (
            order,
            ImportedCase {
                case,
                complainant: registration.complainant.clone(),
                history,
                context,
            },
        )
    }
}

/// Orders per shop and day: about 300–700 for every complaint that day.
pub fn order_counts(
    per_shop_day: HashMap<(String, NaiveDate), i64>,
    seed: u64,
) -> Vec<(String, NaiveDate, i64)> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let mut list: Vec<_> = per_shop_day.into_iter().collect();
    list.sort();
    list.into_iter()
        .map(|((shop, day), cases)| {
            (
                shop,
                day,
                cases * rng.gen_range(300..700) + rng.gen_range(0..200),
            )
        })
        .collect()
}

//! Refund quotes: hand-computed cases and properties over random orders and refund sequences.

use super::*;
use crate::money::Cents;
use proptest::prelude::*;
use serde_json::json;

fn req(v: serde_json::Value) -> QuoteRequest {
    serde_json::from_value(v).unwrap()
}

/// Three lines, three stacked discounts, points and shipping. Worked by hand:
/// A 12900×2 = 25800, B 5000×1, C 3333×3 = 9999.
/// d1 1000 on A → A 24800.
/// d2 2000 on all over 24800:5000:9999 (39799) → floors 1246, 251, 502, remainders
///    10446, 10451, 18902: the leftover cent goes to C → 1246, 251, 503.
/// d3 1500 on B, C over 4749:9496 → floors 500, 999, the cent to C → 500, 1000.
/// Net 23554, 4249, 8496 (36299); points 500 → floors 324, 58, 117, the cent to B
/// (remainder 19158) → 324, 59, 117. Paid 23230, 4190, 8379.
fn three_discounts() -> serde_json::Value {
    json!({
        "lines": [
            {"line_id": "A", "unit_price_cents": 12900, "quantity": 2, "sku": "TSHIRT-L-BLUE", "name": "纯棉T恤", "spec": "蓝色 L"},
            {"line_id": "B", "unit_price_cents": 5000, "quantity": 1},
            {"line_id": "C", "unit_price_cents": 3333, "quantity": 3}
        ],
        "discounts": [
            {"id": "d1", "kind": "item", "amount_cents": 1000, "applies_to": ["A"]},
            {"id": "d2", "kind": "shop_coupon", "amount_cents": 2000},
            {"id": "d3", "kind": "platform_coupon", "amount_cents": 1500, "applies_to": ["B", "C"]}
        ],
        "points_cents": 500,
        "shipping_cents": 1000
    })
}

#[test]
fn the_contract_example() {
    let q = quote(&req(json!({
        "order": {"lines": [{"line_id": "A", "unit_price_cents": 12900, "quantity": 2}],
                  "discounts": [{"id": "c1", "kind": "shop_coupon", "amount_cents": 2000, "applies_to": ["A"]}],
                  "points_cents": 300, "shipping_cents": 1000},
        "request": {"lines": [{"line_id": "A", "quantity": 1}], "include_shipping": false}
    })))
    .unwrap();
    assert_eq!(
        serde_json::to_value(&q).unwrap(),
        json!({
            "allocation": [{"line_id": "A", "gross_cents": 25800, "discount_cents": 2000, "points_cents": 300, "paid_cents": 23500}],
            "lines": [{"line_id": "A", "quantity": 1, "cash_cents": 11750, "points_cents": 150}],
            "shipping_cents": 0, "cash_cents": 11750, "points_cents": 150
        })
    );
}

#[test]
fn three_stacked_discounts_points_and_shipping() {
    let q = quote(&req(json!({
        "order": three_discounts(),
        "request": {"lines": [{"line_id": "B", "quantity": 1}, {"line_id": "C", "quantity": 1}], "include_shipping": true}
    })))
    .unwrap();
    let alloc: Vec<_> = q
        .allocation
        .iter()
        .map(|a| {
            (
                a.gross_cents,
                a.discount_cents,
                a.points_cents,
                a.paid_cents,
            )
        })
        .collect();
    assert_eq!(
        alloc,
        [
            (25800, 2246, 324, 23230),
            (5000, 751, 59, 4190),
            (9999, 1503, 117, 8379)
        ]
    );
    // B whole: 4190 cash, 59 points. C one of three: ⌊8379/3⌋ = 2793, ⌊117/3⌋ = 39.
    assert_eq!(
        q.lines[0],
        LineRefund {
            line_id: "B".into(),
            quantity: 1,
            cash_cents: Cents::new(4190),
            points_cents: Cents::new(59)
        }
    );
    assert_eq!(
        q.lines[1],
        LineRefund {
            line_id: "C".into(),
            quantity: 1,
            cash_cents: Cents::new(2793),
            points_cents: Cents::new(39)
        }
    );
    assert_eq!(q.shipping_cents.get(), 1000);
    assert_eq!(q.cash_cents.get(), 4190 + 2793 + 1000);
    assert_eq!(q.points_cents.get(), 98);
    // Two of C at once: ⌊8379·2/3⌋ = 5586, ⌊117·2/3⌋ = 78.
    let two = quote(&req(json!({"order": three_discounts(),
        "request": {"lines": [{"line_id": "C", "quantity": 2}]}})))
    .unwrap();
    assert_eq!(
        (
            two.lines[0].cash_cents.get(),
            two.lines[0].points_cents.get()
        ),
        (5586, 78)
    );
}

#[test]
fn partial_units_in_several_steps_return_exactly_what_was_paid() {
    // One line of 3 units, paid 1000 cash and 100 points: 333 / 334 / 333 by the floor rule.
    let order = json!({"lines": [{"line_id": "A", "unit_price_cents": 400, "quantity": 3}],
                       "discounts": [{"id": "p", "kind": "promotion", "amount_cents": 100}],
                       "points_cents": 100});
    let step = |refunded: serde_json::Value| {
        quote(&req(json!({"order": order, "refunded": refunded,
                          "request": {"lines": [{"line_id": "A", "quantity": 1}]}})))
        .unwrap()
        .lines[0]
            .clone()
    };
    let first = step(json!({"lines": []}));
    assert_eq!(
        (first.cash_cents.get(), first.points_cents.get()),
        (333, 33)
    );
    let second = step(
        json!({"lines": [{"line_id": "A", "quantity": 1, "cash_cents": 333, "points_cents": 33}]}),
    );
    assert_eq!(
        (second.cash_cents.get(), second.points_cents.get()),
        (333, 33)
    );
    let third = step(
        json!({"lines": [{"line_id": "A", "quantity": 2, "cash_cents": 666, "points_cents": 66}]}),
    );
    assert_eq!(
        (third.cash_cents.get(), third.points_cents.get()),
        (334, 34)
    );
    let err = quote(&req(json!({"order": order,
        "refunded": {"lines": [{"line_id": "A", "quantity": 3, "cash_cents": 1000, "points_cents": 100}]},
        "request": {"lines": [{"line_id": "A", "quantity": 1}]}})))
    .unwrap_err();
    assert_eq!(err[0].field, "request.lines[0].quantity");
}

#[test]
fn an_amount_only_refund_before_a_unit_refund_is_counted() {
    // A (paid 23230, points 324, 2 units) got ¥50 back for a scratch; then both units return.
    let first = quote(&req(json!({
        "order": three_discounts(),
        "refunded": {"lines": [{"line_id": "A", "quantity": 0, "cash_cents": 5000}]},
        "request": {"lines": [{"line_id": "A", "quantity": 1}]}
    })))
    .unwrap();
    assert_eq!(
        (
            first.lines[0].cash_cents.get(),
            first.lines[0].points_cents.get()
        ),
        (11615, 162)
    );
    let second = quote(&req(json!({
        "order": three_discounts(),
        "refunded": {"lines": [{"line_id": "A", "quantity": 0, "cash_cents": 5000},
                               {"line_id": "A", "quantity": 1, "cash_cents": 11615, "points_cents": 162}]},
        "request": {"lines": [{"line_id": "A", "quantity": 1}]}
    })))
    .unwrap();
    // ⌊23230·2/2⌋ − ⌊23230/2⌋ = 11615, capped by what is left: 23230 − 16615 = 6615.
    assert_eq!(
        (
            second.lines[0].cash_cents.get(),
            second.lines[0].points_cents.get()
        ),
        (6615, 162)
    );
}

#[test]
fn invalid_requests_name_their_field() {
    let bad = |v: serde_json::Value| {
        quote(&req(v))
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect::<Vec<_>>()
    };
    let order = three_discounts();
    assert_eq!(
        bad(json!({"order": order, "request": {"lines": [{"line_id": "Z", "quantity": 1}]}})),
        ["request.lines[0].line_id"]
    );
    assert_eq!(
        bad(json!({"order": order, "request": {"lines": [{"line_id": "A", "quantity": 0}]}})),
        ["request.lines[0].quantity"]
    );
    assert_eq!(
        bad(json!({"order": order, "request": {"lines": [{"line_id": "A", "quantity": 3}]}})),
        ["request.lines[0].quantity"]
    );
    assert_eq!(
        bad(
            json!({"order": order, "refunded": {"shipping_cents": 1000}, "request": {"include_shipping": true}})
        ),
        ["request.include_shipping"]
    );
    let mut o = three_discounts();
    o["discounts"][2]["amount_cents"] = json!(20000);
    assert_eq!(
        bad(json!({"order": o, "request": {}})),
        ["order.discounts[2].amount_cents"]
    );
    let mut o = three_discounts();
    o["points_cents"] = json!(40000);
    assert_eq!(
        bad(json!({"order": o, "request": {}})),
        ["order.points_cents"]
    );
    let mut o = three_discounts();
    o["discounts"][0]["applies_to"] = json!(["X"]);
    o["lines"][1]["unit_price_cents"] = json!(-1);
    assert_eq!(
        bad(json!({"order": o, "request": {}})),
        [
            "order.lines[1].unit_price_cents",
            "order.discounts[0].applies_to[0]"
        ]
    );
    assert_eq!(
        bad(
            json!({"order": order, "refunded": {"lines": [{"line_id": "B", "quantity": 0, "cash_cents": 5000}]}, "request": {}})
        ),
        ["refunded.lines"]
    );
    assert!(serde_json::from_value::<QuoteRequest>(
        json!({"order": order, "request": {}, "extra": 1})
    )
    .is_err());
}

// ---- properties ----

#[derive(Debug, Clone)]
struct Case {
    order: OrderAmounts,
}

fn any_order() -> impl Strategy<Value = Case> {
    let line = (0i64..200_000, 1i64..8);
    (
        prop::collection::vec(line, 1..5),
        prop::collection::vec((0i64..30_000, any::<u8>()), 0..4),
        0i64..20_000,
        0i64..2_000,
    )
        .prop_map(|(lines, discounts, points, shipping)| {
            let lines: Vec<OrderLine> = lines
                .into_iter()
                .enumerate()
                .map(|(i, (price, qty))| OrderLine {
                    line_id: format!("L{i}"),
                    unit_price_cents: price,
                    quantity: qty,
                    sku: None,
                    name: None,
                    spec: None,
                    batch: None,
                    flags: Vec::new(),
                })
                .collect();
            let n = lines.len();
            let discounts = discounts
                .into_iter()
                .enumerate()
                .map(|(k, (amount, mask))| Discount {
                    threshold_cents: None,
                    valid_until: None,
                    id: format!("d{k}"),
                    kind: DiscountKind::ShopCoupon,
                    amount_cents: amount,
                    applies_to: (0..n)
                        .filter(|i| mask & (1 << i) != 0)
                        .map(|i| format!("L{i}"))
                        .collect(),
                })
                .collect();
            Case {
                order: OrderAmounts {
                    payments: Vec::new(),
                    free_shipping: None,
                    lines,
                    discounts,
                    points_cents: points,
                    shipping_cents: shipping,
                },
            }
        })
}

/// Refunds every unit of every line in random steps, feeding each result back as
/// `refunded`; returns the total per line.
fn refund_all(
    order: &OrderAmounts,
    steps: &[(usize, i64)],
    with_shipping_at: usize,
) -> (Vec<(i64, i64)>, i64) {
    let mut refunded = Refunded::default();
    let mut remaining: Vec<i64> = order.lines.iter().map(|l| l.quantity).collect();
    let mut totals = vec![(0, 0); order.lines.len()];
    let mut shipping = 0;
    let mut plan: Vec<(usize, i64)> = steps
        .iter()
        .map(|&(i, k)| (i % order.lines.len(), k))
        .collect();
    // Whatever the random steps leave is refunded at the end, line by line.
    plan.extend((0..order.lines.len()).map(|i| (i, i64::MAX)));
    for (n, (i, k)) in plan.into_iter().enumerate() {
        let k = k.min(remaining[i]);
        if k == 0 {
            continue;
        }
        let q = quote(&QuoteRequest {
            at: None,
            order: order.clone(),
            refunded: Some(refunded.clone()),
            request: RefundRequest {
                lines: vec![RequestedLine {
                    line_id: order.lines[i].line_id.clone(),
                    quantity: k,
                }],
                include_shipping: n == with_shipping_at,
            },
        })
        .unwrap();
        let l = &q.lines[0];
        totals[i].0 += l.cash_cents.get();
        totals[i].1 += l.points_cents.get();
        shipping += q.shipping_cents.get();
        refunded.shipping_cents += q.shipping_cents.get();
        remaining[i] -= k;
        refunded.lines.push(RefundedLine {
            line_id: l.line_id.clone(),
            quantity: k,
            cash_cents: l.cash_cents.get(),
            points_cents: l.points_cents.get(),
        });
    }
    (totals, shipping)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn a_full_refund_in_any_steps_returns_exactly_what_was_paid(
        case in any_order(),
        steps in prop::collection::vec((0usize..5, 1i64..4), 0..12),
        shipping_at in 0usize..20,
    ) {
        let Ok(allocation) = allocate(&case.order) else { return Ok(()) };
        let (totals, shipping) = refund_all(&case.order, &steps, shipping_at);
        for (a, (cash, points)) in allocation.iter().zip(&totals) {
            prop_assert_eq!(*cash, a.paid_cents);
            prop_assert_eq!(*points, a.points_cents);
        }
        prop_assert!(shipping == 0 || shipping == case.order.shipping_cents);
        let gross: i64 = case.order.lines.iter().map(|l| l.unit_price_cents * l.quantity).sum();
        let discounts: i64 = case.order.discounts.iter().map(|d| d.amount_cents).sum();
        let paid: i64 = totals.iter().map(|t| t.0).sum();
        prop_assert_eq!(paid, gross - discounts - case.order.points_cents);
    }

    #[test]
    fn allocations_add_up_to_every_discount_and_the_points(case in any_order()) {
        let Ok(allocation) = allocate(&case.order) else { return Ok(()) };
        let discounts: i64 = case.order.discounts.iter().map(|d| d.amount_cents).sum();
        prop_assert_eq!(allocation.iter().map(|a| a.discount_cents).sum::<i64>(), discounts);
        prop_assert_eq!(allocation.iter().map(|a| a.points_cents).sum::<i64>(), case.order.points_cents);
        for a in &allocation {
            prop_assert!(a.paid_cents >= 0 && a.points_cents >= 0 && a.discount_cents >= 0);
            prop_assert_eq!(a.gross_cents - a.discount_cents - a.points_cents, a.paid_cents);
        }
        // Each discount alone is spread exactly: lines outside its list get nothing of it.
        for d in &case.order.discounts {
            let mut only = case.order.clone();
            only.discounts = vec![d.clone()];
            only.points_cents = 0;
            if let Ok(alone) = allocate(&only) {
                prop_assert_eq!(alone.iter().map(|a| a.discount_cents).sum::<i64>(), d.amount_cents);
                for a in &alone {
                    if !d.applies_to.is_empty() && !d.applies_to.contains(&a.line_id) {
                        prop_assert_eq!(a.discount_cents, 0);
                    }
                }
            }
        }
    }

    #[test]
    fn no_sequence_of_requests_refunds_more_than_was_paid(
        case in any_order(),
        steps in prop::collection::vec((0usize..5, 0i64..4, 0i64..50_000), 0..15),
    ) {
        let Ok(allocation) = allocate(&case.order) else { return Ok(()) };
        let mut refunded = Refunded::default();
        for (i, k, amount_only) in steps {
            let i = i % case.order.lines.len();
            let id = case.order.lines[i].line_id.clone();
            if k == 0 {
                // An amount-only refund (e.g. compensation on the line), within what is left.
                let (cash_so_far, _) = sums(&refunded, &id);
                let a = amount_only.min(allocation[i].paid_cents - cash_so_far);
                refunded.lines.push(RefundedLine { line_id: id, quantity: 0, cash_cents: a, points_cents: 0 });
                continue;
            }
            let q = quote(&QuoteRequest { at: None,
                order: case.order.clone(),
                refunded: Some(refunded.clone()),
                request: RefundRequest { lines: vec![RequestedLine { line_id: id.clone(), quantity: k }], include_shipping: false },
            });
            if let Ok(q) = q {
                let l = &q.lines[0];
                refunded.lines.push(RefundedLine { line_id: id, quantity: k, cash_cents: l.cash_cents.get(), points_cents: l.points_cents.get() });
            }
        }
        for a in &allocation {
            let (cash, points) = sums(&refunded, &a.line_id);
            prop_assert!(cash <= a.paid_cents, "{} > {}", cash, a.paid_cents);
            prop_assert!(points <= a.points_cents);
        }
    }

    #[test]
    fn refunding_units_together_or_one_by_one_returns_the_same(case in any_order(), line in 0usize..5) {
        if allocate(&case.order).is_err() { return Ok(()) }
        let i = line % case.order.lines.len();
        let n = case.order.lines[i].quantity;
        let id = case.order.lines[i].line_id.clone();
        let at_once = quote(&QuoteRequest { at: None, order: case.order.clone(), refunded: None,
            request: RefundRequest { lines: vec![RequestedLine { line_id: id.clone(), quantity: n }], include_shipping: false } })
            .unwrap().lines[0].clone();
        let one_by_one = refund_all(&case.order, &vec![(i, 1); n as usize], usize::MAX).0[i];
        prop_assert_eq!((at_once.cash_cents.get(), at_once.points_cents.get()), one_by_one);
        if n >= 2 {
            // Any split point: the first k units plus the rest equal the whole.
            let k = n / 2;
            let first = quote(&QuoteRequest { at: None, order: case.order.clone(), refunded: None,
                request: RefundRequest { lines: vec![RequestedLine { line_id: id.clone(), quantity: k }], include_shipping: false } })
                .unwrap().lines[0].clone();
            let rest = quote(&QuoteRequest { at: None, order: case.order.clone(),
                refunded: Some(Refunded { coupons: Vec::new(), lines: vec![RefundedLine { line_id: id.clone(), quantity: k,
                    cash_cents: first.cash_cents.get(), points_cents: first.points_cents.get() }], shipping_cents: 0 }),
                request: RefundRequest { lines: vec![RequestedLine { line_id: id, quantity: n - k }], include_shipping: false } })
                .unwrap().lines[0].clone();
            prop_assert_eq!(first.cash_cents.get() + rest.cash_cents.get(), at_once.cash_cents.get());
            // Rule 3: the first k of n units are worth ⌊P·k/n⌋ cash and ⌊T·k/n⌋ points.
            let a = &allocate(&case.order).unwrap()[i];
            prop_assert_eq!(first.cash_cents.get() as i128, a.paid_cents as i128 * k as i128 / n as i128);
            prop_assert_eq!(first.points_cents.get() as i128, a.points_cents as i128 * k as i128 / n as i128);
        }
    }

    #[test]
    fn a_line_quote_does_not_depend_on_the_other_lines_asked(case in any_order(), reverse in any::<bool>()) {
        let Ok(allocation) = allocate(&case.order) else { return Ok(()) };
        let mut lines: Vec<RequestedLine> = case.order.lines.iter()
            .map(|l| RequestedLine { line_id: l.line_id.clone(), quantity: 1 }).collect();
        if reverse { lines.reverse(); }
        let together = quote(&QuoteRequest { at: None, order: case.order.clone(), refunded: None,
            request: RefundRequest { lines, include_shipping: false } }).unwrap();
        for l in &together.lines {
            let alone = quote(&QuoteRequest { at: None, order: case.order.clone(), refunded: None,
                request: RefundRequest { lines: vec![RequestedLine { line_id: l.line_id.clone(), quantity: 1 }], include_shipping: false } }).unwrap();
            prop_assert_eq!(&alone.lines[0], l);
            prop_assert_eq!(&alone.allocation, &allocation);
        }
    }
}

fn sums(refunded: &Refunded, line_id: &str) -> (i64, i64) {
    refunded
        .lines
        .iter()
        .filter(|l| l.line_id == line_id)
        .fold((0, 0), |(c, p), l| (c + l.cash_cents, p + l.points_cents))
}

//! How the money goes back (SAMR Order 90 Art. 14, 15, 17, 18), each case worked by hand.

use serde_json::{json, Value};

use super::super::{quote, QuoteRequest};

fn q(v: Value) -> Value {
    let req: QuoteRequest = serde_json::from_value(v).unwrap();
    serde_json::to_value(quote(&req).unwrap()).unwrap()
}

fn refused(v: Value) -> Vec<String> {
    let req: QuoteRequest = serde_json::from_value(v).unwrap();
    quote(&req)
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect()
}

fn one(line: &str) -> Value {
    json!({"lines": [{"line_id": line, "quantity": 1}]})
}

/// Order 90 Art. 14: back the way it was paid. A 10000 and B 5000, paid Alipay 8000, then
/// 花呗 5000, then balance 2000. B first: 5000 to Alipay. Then A: Alipay has 3000 left of
/// its 8000, then 花呗 5000, then balance 2000.
#[test]
fn art_14_the_refund_goes_back_over_the_payments_in_the_order_used() {
    let order = json!({
        "lines": [{"line_id": "A", "unit_price_cents": 10000, "quantity": 1},
                  {"line_id": "B", "unit_price_cents": 5000, "quantity": 1}],
        "payments": [{"method": "alipay", "amount_cents": 8000},
                     {"method": "huabei", "amount_cents": 5000},
                     {"method": "balance", "amount_cents": 2000}]
    });
    let first = q(json!({"order": order, "request": one("B")}));
    assert_eq!(
        first["payments"],
        json!([{"method": "alipay", "cash_cents": 5000}])
    );
    let rest = q(json!({"order": order, "request": one("A"),
        "refunded": {"lines": [{"line_id": "B", "quantity": 1, "cash_cents": 5000}]}}));
    assert_eq!(
        rest["payments"],
        json!([{"method": "alipay", "cash_cents": 3000}, {"method": "huabei", "cash_cents": 5000},
               {"method": "balance", "cash_cents": 2000}])
    );
    // Payments that do not add up to what was paid are refused.
    let mut bad = order.clone();
    bad["payments"][2]["amount_cents"] = json!(1999);
    assert_eq!(
        refused(json!({"order": bad, "request": one("A")})),
        ["order.payments"]
    );
}

/// Order 90 Art. 17: 满300减50 over A 20000 and B 15000. The 5000 spreads 2857.14 / 2142.86:
/// floors 2857, 2142, the cent to B → A 2857, B 2143; paid 17143 and 12857. Returning B
/// leaves A's 20000 under the 30000: A is settled at full price, its 2857 deducted → 10000
/// back (30000 paid, 20000 kept). Returning A later gives the 2857 back: 20000, all 30000.
#[test]
fn art_17_a_partial_return_below_the_promotion_settles_at_full_price() {
    let order = json!({
        "lines": [{"line_id": "A", "unit_price_cents": 20000, "quantity": 1},
                  {"line_id": "B", "unit_price_cents": 15000, "quantity": 1}],
        "discounts": [{"id": "p1", "kind": "promotion", "amount_cents": 5000, "threshold_cents": 30000}]
    });
    let b = q(json!({"order": order, "request": one("B")}));
    assert_eq!(b["cash_cents"], 12857, "rule 3 unchanged");
    assert_eq!(b["promotion_adjustment_cents"], 2857);
    assert_eq!(b["net_cash_cents"], 10000);
    let a = q(json!({"order": order, "request": one("A"),
        "refunded": {"lines": [{"line_id": "B", "quantity": 1, "cash_cents": 12857}]}}));
    assert_eq!(a["cash_cents"], 17143);
    assert_eq!(a["promotion_adjustment_cents"], -2857);
    assert_eq!(a["net_cash_cents"], 20000);
}

/// 多退少补: 满300减100 over A 29000 and B 2000 (31000). 10000 spreads 9354.84 / 645.16: the cent
/// to A → A 9355, B 645; paid 19645 and 1355. Returning B leaves 29000 under 30000: A owes
/// its 9355 back, more than B's 1355 → nothing paid out, the customer owes 8000 (21000 paid,
/// 29000 kept).
#[test]
fn art_17_when_the_deduction_exceeds_the_refund_the_customer_pays_the_difference() {
    let order = json!({
        "lines": [{"line_id": "A", "unit_price_cents": 29000, "quantity": 1},
                  {"line_id": "B", "unit_price_cents": 2000, "quantity": 1}],
        "discounts": [{"id": "p1", "kind": "promotion", "amount_cents": 10000, "threshold_cents": 30000}]
    });
    let b = q(json!({"order": order, "request": one("B")}));
    assert_eq!(b["cash_cents"], 1355);
    assert_eq!(b["promotion_adjustment_cents"], 9355);
    assert_eq!(b["net_cash_cents"], 0);
    assert_eq!(b["customer_owes_cents"], 8000);
}

/// Order 90 Art. 18: 满99包邮 (shipping 10 below it). A 6000 and B 5000 shipped free. Returning
/// B keeps 6000, under 9900: the 1000 shipping is deducted (4000 back). Returning A after
/// gives it back (7000): 11000 in all, what was paid.
#[test]
fn art_18_free_shipping_lost_by_a_partial_return_is_deducted() {
    let order = json!({
        "lines": [{"line_id": "A", "unit_price_cents": 6000, "quantity": 1},
                  {"line_id": "B", "unit_price_cents": 5000, "quantity": 1}],
        "free_shipping": {"threshold_cents": 9900, "shipping_cents": 1000}
    });
    let b = q(json!({"order": order, "request": one("B")}));
    assert_eq!(b["shipping_deducted_cents"], 1000);
    assert_eq!(b["net_cash_cents"], 4000);
    let a = q(json!({"order": order, "request": one("A"),
        "refunded": {"lines": [{"line_id": "B", "quantity": 1, "cash_cents": 5000}]}}));
    assert_eq!(a["shipping_deducted_cents"], -1000);
    assert_eq!(a["net_cash_cents"], 7000);
    // Everything at once: no deduction at all.
    let all = q(json!({"order": order, "request": {"lines": [
        {"line_id": "A", "quantity": 1}, {"line_id": "B", "quantity": 1}]}}));
    assert!(all.get("shipping_deducted_cents").is_none() && all.get("net_cash_cents").is_none());
}

/// Order 90 Art. 15: a coupon comes back in kind once every unit it applied to is back, if
/// still valid; an expired one is neither reinstated nor paid. A 5000×2 with a 1000 coupon.
#[test]
fn art_15_a_valid_coupon_is_reinstated_once_its_goods_are_all_back() {
    let order = json!({
        "lines": [{"line_id": "A", "unit_price_cents": 5000, "quantity": 2},
                  {"line_id": "B", "unit_price_cents": 800, "quantity": 1}],
        "discounts": [{"id": "c1", "kind": "shop_coupon", "amount_cents": 1000, "applies_to": ["A"],
                       "valid_until": "2026-12-31T23:59:59+08:00"}]
    });
    let first = q(json!({"order": order, "request": one("A"), "at": "2026-12-05T10:00:00+08:00"}));
    assert!(first.get("coupons_reinstated").is_none());
    let second = json!({"order": order, "request": one("A"), "at": "2026-12-05T10:00:00+08:00",
        "refunded": {"lines": [{"line_id": "A", "quantity": 1, "cash_cents": 4500}]}});
    assert_eq!(q(second.clone())["coupons_reinstated"], json!(["c1"]));
    let mut late = second.clone();
    late["at"] = json!("2027-01-02T10:00:00+08:00");
    let late = q(late);
    assert!(late.get("coupons_reinstated").is_none());
    assert_eq!(late["coupons_expired"], json!(["c1"]));
    // A coupon cannot come back twice, nor one that does not exist, nor before its goods.
    let mut twice = second.clone();
    twice["request"] = one("B");
    twice["refunded"] = json!({"lines": [{"line_id": "A", "quantity": 2, "cash_cents": 9000}],
                               "coupons": ["c1", "c1", "zz"]});
    assert_eq!(
        refused(twice),
        ["refunded.coupons[1]", "refunded.coupons[2]"]
    );
    let mut early = second;
    early["refunded"]["coupons"] = json!(["c1"]);
    assert_eq!(refused(early), ["refunded.coupons[0]"]);
}

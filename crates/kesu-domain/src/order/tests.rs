//! Orders: parsing, checks and masking.

use super::*;
use serde_json::json;

pub(crate) fn contract_order() -> serde_json::Value {
    json!({
        "shop": "旗舰店", "buyer": {"name": "王小明", "phone": "13812345678", "address": "浙江省杭州市西湖区文三路 100 号"},
        "placed_at": "2026-11-11T00:05:00+08:00", "paid_at": "2026-11-11T00:06:00+08:00",
        "payment_method": "alipay",
        "lines": [{"line_id": "A", "sku": "TSHIRT-L-BLUE", "name": "纯棉T恤", "spec": "蓝色 L",
                   "unit_price_cents": 12900, "quantity": 2}],
        "discounts": [{"id": "c1", "kind": "shop_coupon", "amount_cents": 2000, "applies_to": ["A"]}],
        "points_cents": 300, "shipping_cents": 1000,
        "shipments": [{"carrier": "yto", "tracking_no": "YT1234567890",
                       "shipped_at": "2026-11-11T18:00:00+08:00",
                       "lines": [{"line_id": "A", "quantity": 2}]}]
    })
}

fn parse(v: serde_json::Value) -> Result<Order, Vec<String>> {
    serde_json::from_value::<OrderForm>(v)
        .unwrap()
        .parse("TB20261111001")
        .map_err(|e| e.into_iter().map(|f| f.field).collect())
}

#[test]
fn the_contract_example_parses() {
    let o = parse(contract_order()).unwrap();
    assert_eq!(o.amounts.lines[0].name.as_deref(), Some("纯棉T恤"));
    assert_eq!(o.shipped_units("A"), 2);
    assert_eq!(
        o.buyer.view(false).address.as_deref(),
        Some("浙江省杭州市****")
    );
    assert_eq!(o.buyer.view(false).phone.as_deref(), Some("138****5678"));
    assert!(!format!("{o:?}").contains("13812345678"));
}

#[test]
fn every_inconsistency_is_named() {
    let mut v = contract_order();
    v["paid_at"] = json!("2026-11-10T00:00:00+08:00");
    v["shipments"][0]["lines"][0]["quantity"] = json!(3);
    v["shipments"][0]["carrier"] = json!("圆通");
    v["discounts"][0]["amount_cents"] = json!(30000);
    v["refunds"] = json!([{"lines": [{"line_id": "B", "quantity": 1, "cash_cents": 100}]}]);
    assert_eq!(
        parse(v).unwrap_err(),
        [
            "paid_at",
            "discounts[0].amount_cents",
            "shipments[0].carrier",
            "shipments[0].lines[0].quantity",
            "refunds[0].lines[0].line_id"
        ]
    );
}

#[test]
fn refunds_beyond_what_was_paid_are_refused() {
    let mut v = contract_order();
    v["refunds"] = json!([{"lines": [{"line_id": "A", "quantity": 2, "cash_cents": 23501}]}]);
    assert_eq!(parse(v).unwrap_err(), ["refunds.lines"]);
    let mut v = contract_order();
    v["refunds"] = json!([{"lines": [{"line_id": "A", "quantity": 1, "cash_cents": 11750, "points_cents": 150}], "method": "alipay"}]);
    let o = parse(v).unwrap();
    assert_eq!(o.refunds[0].cash_cents, 11750);
    assert_eq!(o.refunded().lines[0].quantity, 1);
}

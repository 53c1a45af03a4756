//! Seven-day no-reason returns, hand-computed against the articles they come from.

use super::*;

fn shanghai(s: &str) -> DateTime<Utc> {
    let local = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    ZONE.from_local_datetime(&local)
        .unwrap()
        .with_timezone(&Utc)
}

const ZONE: Tz = chrono_tz::Asia::Shanghai;

/// Order 90 Art. 8: signed on 1 December at 21:30, the seven days are 2–8 December; a
/// return asked for on 8 December at 23:59 is in time, on 9 December at 00:00 it is not.
#[test]
fn the_seven_days_start_the_day_after_signing() {
    let signed = shanghai("2026-12-01 21:30");
    assert_eq!(period_end(signed, ZONE), shanghai("2026-12-09 00:00"));
    let on = |now| eligibility(&[], Some(signed), GoodsCondition::Good, shanghai(now), ZONE);
    assert_eq!(
        on("2026-12-08 23:59"),
        Eligibility::Eligible {
            until: shanghai("2026-12-09 00:00")
        }
    );
    assert_eq!(
        on("2026-12-09 00:00"),
        Eligibility::Expired {
            ended: shanghai("2026-12-09 00:00")
        }
    );
    // Signed just after midnight: still seven whole days after that day.
    let early = shanghai("2026-12-01 00:05");
    assert_eq!(period_end(early, ZONE), shanghai("2026-12-09 00:00"));
}

/// 消费者权益保护法 Art. 25 (1)–(4), Order 90 Art. 6: excluded by nature, whatever the date.
#[test]
fn goods_excluded_by_nature_cannot_go_back_without_reason() {
    let signed = Some(shanghai("2026-12-01 10:00"));
    let now = shanghai("2026-12-02 10:00");
    for flag in [
        ProductFlag::MadeToOrder,
        ProductFlag::Perishable,
        ProductFlag::Periodical,
    ] {
        assert_eq!(
            eligibility(&[flag], signed, GoodsCondition::Good, now, ZONE),
            Eligibility::Excluded(flag)
        );
    }
    // Art. 25 (3): a digital good only once downloaded or unsealed.
    assert!(eligibility(
        &[ProductFlag::Digital],
        signed,
        GoodsCondition::Good,
        now,
        ZONE
    )
    .is_eligible());
    assert_eq!(
        eligibility(
            &[ProductFlag::Digital],
            signed,
            GoodsCondition::Unsealed,
            now,
            ZONE
        ),
        Eligibility::Excluded(ProductFlag::Digital)
    );
}

/// Art. 25 para. 2, Order 90 Art. 7: what the consumer confirmed at purchase.
#[test]
fn goods_the_consumer_confirmed_as_non_returnable_are_excluded() {
    let e = eligibility(
        &[ProductFlag::ConfirmedNonReturnable],
        Some(shanghai("2026-12-01 10:00")),
        GoodsCondition::Good,
        shanghai("2026-12-01 12:00"),
        ZONE,
    );
    assert_eq!(
        e,
        Eligibility::Excluded(ProductFlag::ConfirmedNonReturnable)
    );
}

/// Order 90 Art. 8: goods must be intact; and nothing counts before the goods arrived.
#[test]
fn goods_not_intact_or_not_yet_signed_for() {
    let now = shanghai("2026-12-02 10:00");
    assert_eq!(
        eligibility(
            &[],
            Some(shanghai("2026-12-01 10:00")),
            GoodsCondition::NotIntact,
            now,
            ZONE
        ),
        Eligibility::NotIntact(GoodsCondition::NotIntact)
    );
    assert_eq!(
        eligibility(&[], None, GoodsCondition::Good, now, ZONE),
        Eligibility::NotDelivered
    );
}

/// Order 90 Art. 6 and 8 on a real order: the line of fresh food is excluded whatever the
/// date; the other is covered until midnight after the seventh day from the day after signing.
#[test]
fn a_returns_lines_outside_the_rule_are_goodwill_exceptions() {
    let form = serde_json::json!({
        "shop": "旗舰店", "buyer": {"name": "王小明"},
        "placed_at": "2026-11-18T09:00:00+08:00",
        "lines": [{"line_id": "A", "unit_price_cents": 5000, "quantity": 1},
                  {"line_id": "B", "unit_price_cents": 3000, "quantity": 1, "flags": ["perishable"]},
                  {"line_id": "C", "unit_price_cents": 900, "quantity": 1}],
        "shipments": [{"carrier": "sf", "tracking_no": "SF1", "signed_at": "2026-11-20T10:00:00+08:00",
                       "lines": [{"line_id": "A", "quantity": 1}, {"line_id": "B", "quantity": 1}]}]
    });
    let order = serde_json::from_value::<crate::order::OrderForm>(form)
        .unwrap()
        .parse("TB1")
        .unwrap();
    let lines: Vec<_> = ["A", "B", "C"]
        .iter()
        .map(|id| crate::refund::RequestedLine {
            line_id: (*id).into(),
            quantity: 1,
        })
        .collect();
    let reasons = |now| {
        goodwill_exceptions(&order, &lines, shanghai(now), ZONE)
            .into_iter()
            .map(|g| format!("{}:{}", g.line_id, g.reason))
            .collect::<Vec<_>>()
    };
    // C never shipped, so it was never signed for: no seven days to count yet.
    assert_eq!(
        reasons("2026-11-27 23:59"),
        ["B:excluded_perishable", "C:not_delivered"]
    );
    assert_eq!(
        reasons("2026-11-28 00:00"),
        ["A:expired", "B:excluded_perishable", "C:not_delivered"]
    );
}

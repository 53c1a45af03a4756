//! Seven-day no-reason returns (七日无理由退货), as the law has them:
//! - 消费者权益保护法 (Consumer Rights Protection Law, 2013) Art. 25: goods bought online may be
//!   returned within seven days of receipt without a reason, except goods made to the
//!   consumer's order, fresh and perishable goods, digital goods downloaded online or unsealed
//!   by the consumer (audio-visual products, software…), and newspapers and periodicals
//!   delivered; other goods unsuited by nature to such returns only where the consumer
//!   confirmed so at purchase.
//! - 网络购买商品七日无理由退货暂行办法 (SAMR Order 90, revised 2020):
//!   - Art. 6 repeats the four exclusions;
//!   - Art. 7: goods the consumer confirmed at purchase as not returnable without reason
//!     (unsealed goods touching health or safety, goods losing much value once activated or
//!     tried, goods sold as near their expiry or flawed);
//!   - Art. 8: returned goods must be in good condition (their quality and function kept,
//!     accessories and brand marks complete); trying them as one would in a shop is allowed;
//!   - the seven days start the day after the consumer signed for the goods (Art. 8 as
//!     revised: "七日期间自消费者签收商品的次日开始起算").

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// What an order line's product is, where it changes the right to return it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProductFlag {
    /// 消费者定作: made to the consumer's order (Art. 25 (1); Order 90 Art. 6 (1)).
    MadeToOrder,
    /// 鲜活易腐: fresh and perishable (Art. 25 (2); Order 90 Art. 6 (2)).
    Perishable,
    /// 在线下载或者消费者拆封的数字化商品 (Art. 25 (3); Order 90 Art. 6 (3)); excluded once
    /// downloaded or unsealed, which `GoodsCondition::Unsealed` says.
    Digital,
    /// 交付的报纸、期刊 (Art. 25 (4); Order 90 Art. 6 (4)).
    Periodical,
    /// The consumer confirmed at purchase that it is not returnable without reason
    /// (Art. 25 para. 2; Order 90 Art. 7).
    ConfirmedNonReturnable,
}

impl ProductFlag {
    pub const ALL: [ProductFlag; 5] = [
        ProductFlag::MadeToOrder,
        ProductFlag::Perishable,
        ProductFlag::Digital,
        ProductFlag::Periodical,
        ProductFlag::ConfirmedNonReturnable,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ProductFlag::MadeToOrder => "made_to_order",
            ProductFlag::Perishable => "perishable",
            ProductFlag::Digital => "digital",
            ProductFlag::Periodical => "periodical",
            ProductFlag::ConfirmedNonReturnable => "confirmed_non_returnable",
        }
    }
}

/// What the customer says of the goods they want to send back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GoodsCondition {
    /// As received, or only tried as one would in a shop (Order 90 Art. 8).
    #[default]
    Good,
    /// A digital good's seal broken or its download made (Art. 25 (3)).
    Unsealed,
    /// Used, damaged by the consumer, or missing accessories or marks (Order 90 Art. 8).
    NotIntact,
}

/// Whether a line may go back without a reason, and until when or why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eligibility {
    /// Until this instant (the end of the seventh day after signing, the shop's zone).
    Eligible { until: DateTime<Utc> },
    /// Not signed for yet: the seven days have not started.
    NotDelivered,
    /// The seven days ended then.
    Expired { ended: DateTime<Utc> },
    /// The product is excluded by its nature or by the consumer's confirmation.
    Excluded(ProductFlag),
    /// The goods are not in the condition a return needs.
    NotIntact(GoodsCondition),
}

impl Eligibility {
    pub fn is_eligible(&self) -> bool {
        matches!(self, Eligibility::Eligible { .. })
    }
}

/// The end of the seven days for goods signed for at `signed`: midnight after the seventh day
/// counted from the day after signing, in `zone`.
pub fn period_end(signed: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    let day = signed.with_timezone(&zone).date_naive() + Duration::days(8);
    zone.from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        .map_or(signed + Duration::days(8), |t| t.with_timezone(&Utc))
}

/// Whether a line with `flags` may be returned without reason at `now`, the goods signed for
/// at `signed` (from the shipment's signed time or the tracking's delivered event) and in
/// `condition`. Exclusions by nature come first, then the condition, then the time.
pub fn eligibility(
    flags: &[ProductFlag],
    signed: Option<DateTime<Utc>>,
    condition: GoodsCondition,
    now: DateTime<Utc>,
    zone: Tz,
) -> Eligibility {
    for flag in ProductFlag::ALL {
        if !flags.contains(&flag) {
            continue;
        }
        match flag {
            // A digital good is excluded once downloaded or unsealed, not before.
            ProductFlag::Digital if condition != GoodsCondition::Unsealed => {}
            _ => return Eligibility::Excluded(flag),
        }
    }
    if condition != GoodsCondition::Good {
        return Eligibility::NotIntact(condition);
    }
    let Some(signed) = signed else {
        return Eligibility::NotDelivered;
    };
    let until = period_end(signed, zone);
    if now < until {
        Eligibility::Eligible { until }
    } else {
        Eligibility::Expired { ended: until }
    }
}

#[cfg(test)]
mod tests {
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
}

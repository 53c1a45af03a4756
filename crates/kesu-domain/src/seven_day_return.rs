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

impl Eligibility {
    /// A stable code: `eligible`, `not_delivered`, `expired`, `excluded_<flag>`, `not_intact`
    /// or `unsealed`.
    pub fn code(&self) -> String {
        match self {
            Eligibility::Eligible { .. } => "eligible".into(),
            Eligibility::NotDelivered => "not_delivered".into(),
            Eligibility::Expired { .. } => "expired".into(),
            Eligibility::Excluded(flag) => format!("excluded_{}", flag.code()),
            Eligibility::NotIntact(GoodsCondition::Unsealed) => "unsealed".into(),
            Eligibility::NotIntact(_) => "not_intact".into(),
        }
    }

    /// The article the answer rests on, as a person cites it.
    pub fn article(&self) -> &'static str {
        match self {
            Eligibility::Eligible { .. } | Eligibility::Expired { .. } => {
                "消费者权益保护法第二十五条；网络购买商品七日无理由退货暂行办法第八条"
            }
            Eligibility::NotDelivered => {
                "网络购买商品七日无理由退货暂行办法第八条（自签收次日起算）"
            }
            Eligibility::Excluded(ProductFlag::ConfirmedNonReturnable) => {
                "消费者权益保护法第二十五条第二款；网络购买商品七日无理由退货暂行办法第七条"
            }
            Eligibility::Excluded(_) => {
                "消费者权益保护法第二十五条第一款；网络购买商品七日无理由退货暂行办法第六条"
            }
            Eligibility::NotIntact(_) => "网络购买商品七日无理由退货暂行办法第八条（商品完好）",
        }
    }
}

/// A line of a return the seven-day rule does not cover, accepted only as a goodwill
/// exception a supervisor approves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoodwillException {
    pub line_id: String,
    /// Why the rule does not cover it ([`Eligibility::code`]).
    pub reason: String,
}

/// The lines of a no-reason return (the customer liable: nobody else's fault) outside the
/// seven-day rule at `now`: each with why. Returns for a fault of the shop, the supplier or
/// the carrier are not bound by the seven days (they are quality returns), so nothing here.
pub fn goodwill_exceptions(
    order: &crate::order::Order,
    lines: &[crate::refund::RequestedLine],
    now: DateTime<Utc>,
    zone: Tz,
) -> Vec<GoodwillException> {
    lines
        .iter()
        .filter_map(|l| {
            let line = order
                .amounts
                .lines
                .iter()
                .find(|x| x.line_id == l.line_id)?;
            let e = eligibility(
                &line.flags,
                order.signed_at(&l.line_id),
                GoodsCondition::Good,
                now,
                zone,
            );
            (!e.is_eligible()).then(|| GoodwillException {
                line_id: l.line_id.clone(),
                reason: e.code(),
            })
        })
        .collect()
}

#[cfg(test)]
#[path = "seven_day_return_tests.rs"]
mod tests;

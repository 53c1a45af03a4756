//! Reviews are not for sale (issue 22). A reply must not offer money, gifts or coupons for a
//! good review, nor anything for deleting or changing a bad one:
//! - 电子商务法 (E-Commerce Law, 2019) Art. 17: a shop must not mislead consumers by fake
//!   transactions or fabricated user reviews; Art. 39: it must not delete the reviews
//!   consumers give;
//! - 反不正当竞争法 (Anti-Unfair Competition Law, as revised 2025) Art. 13: no false or
//!   misleading commercial publicity, fake reviews included, by oneself or by helping others;
//! - and every platform punishes 好评返现 and paid deletion of bad reviews.
//!
//! Nor may compensation go around the platform (a WeChat red packet, a transfer, a payment
//! code): the platform cannot see it, the customer has no protection, and it is the first step
//! of both paid reviews and fraud. Both findings block: fix the customer's problem instead.

use regex::Regex;
use std::sync::OnceLock;

use crate::reply_check::{Offsets, ReplyRules};

/// How far apart (in characters, within one sentence) a review and a reward may stand to be
/// read as one offer.
const NEAR: usize = 15;

pub(crate) const PAID_REVIEW_ADVICE: &str =
    "不要以返现、红包、礼品或优惠换取好评或删改评价（电子商务法第17、39条，\
     反不正当竞争法）；请先解决顾客的问题，评价由顾客自己决定";
pub(crate) const OFF_PLATFORM_PAYMENT_ADVICE: &str =
    "补偿请通过平台退款、平台优惠券或店铺红包发放，不要私下转账、发微信/支付宝红包或收付款码";

/// An amount of money: 5元, 10 块, 五元, 5.00元.
fn money() -> &'static Regex {
    static MONEY: OnceLock<Regex> = OnceLock::new();
    MONEY.get_or_init(|| {
        Regex::new(r"[0-9０-９一二三四五六七八九十两百]+(?:\.[0-9]+)?\s*(?:元|块)")
            .expect("money pattern")
    })
}

/// A span found: (start, end) in characters.
pub(crate) type Span = (usize, usize);

/// Where the words stand in `text`, as character spans.
fn all_of(text: &str, offsets: &Offsets, words: &[String]) -> Vec<Span> {
    words
        .iter()
        .filter(|w| !w.is_empty())
        .flat_map(|w| text.match_indices(w.as_str()))
        .map(|(b, m)| (offsets.char_at(b), offsets.char_at(b + m.len())))
        .collect()
}

/// Offers of something for a review: the fixed phrases (好评返现, 删差评…), a review beside a
/// reward in one sentence (好评后送您一张优惠券), and a change of review beside any
/// compensation (删除评价后给您补偿).
pub(crate) fn paid_reviews(
    rules: &ReplyRules,
    text: &str,
    chars: &[char],
    offsets: &Offsets,
) -> Vec<Span> {
    let words = |list: &[String]| all_of(text, offsets, list);
    let mut found = words(&rules.paid_review_phrases);
    let reviews = words(&rules.review_words);
    let changes = words(&rules.review_changes);
    let mut rewards = words(&rules.review_rewards);
    rewards.extend(
        money()
            .find_iter(text)
            .map(|m| (offsets.char_at(m.start()), offsets.char_at(m.end()))),
    );
    let compensation = words(&rules.review_compensation);
    let sentence_of = |i: usize| {
        chars[..i]
            .iter()
            .filter(|c| matches!(c, '。' | '！' | '？' | '!' | '?' | '\n' | '；' | ';'))
            .count()
    };
    let mut pair = |a: &[Span], b: &[Span]| {
        for &(s1, e1) in a {
            for &(s2, e2) in b {
                let gap = if s2 >= e1 {
                    s2 - e1
                } else {
                    s1.saturating_sub(e2)
                };
                if gap <= NEAR && sentence_of(s1) == sentence_of(s2) {
                    found.push((s1.min(s2), e1.max(e2)));
                }
            }
        }
    };
    pair(&reviews, &rewards);
    pair(&changes, &rewards);
    pair(&changes, &compensation);
    merge(found)
}

/// Money moved around the platform: red packets of WeChat or Alipay, transfers, payment codes.
pub(crate) fn off_platform_payments(
    rules: &ReplyRules,
    text: &str,
    offsets: &Offsets,
) -> Vec<Span> {
    merge(all_of(text, offsets, &rules.off_platform_payments))
}

/// Overlapping spans as one, in order.
fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::new();
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

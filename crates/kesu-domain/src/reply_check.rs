//! The reply checker (docs/interface.md §8): what platforms punish in a reply (moving the customer
//! off the platform: WeChat, QQ, Alipay, "加我", "+V", phone numbers in any spacing, detailed
//! addresses, links to other shops), stiff or blaming words, a first reply without greeting
//! or apology, a closing without thanks, and the customer's personal data pasted into it.
//!
//! The words are data ([`ReplyRules`], built in from `reply_rules.json`, extensible). Where a
//! keyword hides inside an ordinary word (加油, 加急, 加购, 微信支付 in a payment explanation),
//! Chinese word segmentation (jieba) and a list of allowed phrases keep it quiet.

use crate::error::Problem;
use std::sync::OnceLock;

use jieba_rs::{Jieba, TokenizeMode};
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::codes::Channel;

/// A stiff or blaming phrase, with a warmer way to say it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ToneRule {
    pub phrase: String,
    pub suggestion: String,
    /// Only when one of these comes just before (e.g. 你/您 before 一定要: "you must").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after_any: Vec<String>,
}

/// The checker's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplyRules {
    /// Words that move the customer off the platform wherever they stand (disguises such as
    /// V信, 扣扣, ZFB: nobody writes those innocently).
    pub contact_words: Vec<String>,
    /// The apps themselves (微信, QQ, 支付宝): named innocently too ("QQ游戏", "通过支付宝买的"),
    /// so a finding only with an account after them (QQ12345, 微信号：abc123) or one of
    /// `contact_cues` within a few characters.
    #[serde(default)]
    pub contact_apps: Vec<String>,
    #[serde(default)]
    pub contact_cues: Vec<String>,
    /// "Add" verbs: a flag when followed by one of `add_objects` (加 + 我/微信/V …).
    pub add_verbs: Vec<String>,
    pub add_objects: Vec<String>,
    /// Phrases in which a contact word is harmless (微信支付, 原路退回 …, 加油).
    pub allowed_phrases: Vec<String>,
    /// Link domains that are the platforms themselves.
    pub own_domains: Vec<String>,
    pub tone: Vec<ToneRule>,
    pub greetings: Vec<String>,
    pub apologies: Vec<String>,
    pub thanks: Vec<String>,
    /// Offers of something for a review, whole (好评返现, 删差评, 改好评…) — see
    /// [`crate::reply_check_reviews`] for the law. Rules saved before these lists existed
    /// get the built-in ones.
    #[serde(default = "builtin_paid_review_phrases")]
    pub paid_review_phrases: Vec<String>,
    /// A review (好评, 五星, 晒图, 评价…): with one of `review_rewards` in the same sentence,
    /// an offer for it.
    #[serde(default = "builtin_review_words")]
    pub review_words: Vec<String>,
    /// Changing or deleting a review (删除评价, 修改评价…): with a reward or any
    /// `review_compensation` nearby, an offer for it.
    #[serde(default = "builtin_review_changes")]
    pub review_changes: Vec<String>,
    /// Money, gifts, coupons (an amount such as 5元 counts too).
    #[serde(default = "builtin_review_rewards")]
    pub review_rewards: Vec<String>,
    /// Compensation that is fine for a problem but not for a changed review (补偿, 退款…).
    #[serde(default = "builtin_review_compensation")]
    pub review_compensation: Vec<String>,
    /// Money moved around the platform (微信红包, 转账给您, 收款码…).
    #[serde(default = "builtin_off_platform_payments")]
    pub off_platform_payments: Vec<String>,
}

fn builtin_words(pick: fn(ReplyRules) -> Vec<String>) -> Vec<String> {
    pick(ReplyRules::builtin())
}
fn builtin_paid_review_phrases() -> Vec<String> {
    builtin_words(|r| r.paid_review_phrases)
}
fn builtin_review_words() -> Vec<String> {
    builtin_words(|r| r.review_words)
}
fn builtin_review_changes() -> Vec<String> {
    builtin_words(|r| r.review_changes)
}
fn builtin_review_rewards() -> Vec<String> {
    builtin_words(|r| r.review_rewards)
}
fn builtin_review_compensation() -> Vec<String> {
    builtin_words(|r| r.review_compensation)
}
fn builtin_off_platform_payments() -> Vec<String> {
    builtin_words(|r| r.off_platform_payments)
}

impl ReplyRules {
    /// The rules kesu ships with.
    pub fn builtin() -> ReplyRules {
        serde_json::from_str(include_str!("reply_rules.json"))
            .expect("the built-in reply rules are valid")
    }

    /// Checks rules an admin edited: no empty or overlong words, every tone rule with a
    /// suggestion. Each problem names its place (`tone[3].suggestion`).
    pub fn validate(&self) -> Result<(), Vec<crate::FieldError>> {
        let mut errors = Vec::new();
        let lists: [(&str, &Vec<String>); 16] = [
            ("contact_words", &self.contact_words),
            ("contact_apps", &self.contact_apps),
            ("contact_cues", &self.contact_cues),
            ("add_verbs", &self.add_verbs),
            ("add_objects", &self.add_objects),
            ("allowed_phrases", &self.allowed_phrases),
            ("own_domains", &self.own_domains),
            ("greetings", &self.greetings),
            ("apologies", &self.apologies),
            ("thanks", &self.thanks),
            ("paid_review_phrases", &self.paid_review_phrases),
            ("review_words", &self.review_words),
            ("review_changes", &self.review_changes),
            ("review_rewards", &self.review_rewards),
            ("review_compensation", &self.review_compensation),
            ("off_platform_payments", &self.off_platform_payments),
        ];
        for (name, list) in lists {
            for (i, w) in list.iter().enumerate() {
                check_word(&mut errors, &format!("{name}[{i}]"), w);
            }
        }
        for (i, rule) in self.tone.iter().enumerate() {
            check_word(&mut errors, &format!("tone[{i}].phrase"), &rule.phrase);
            if rule.suggestion.trim().is_empty() || rule.suggestion.chars().count() > 200 {
                errors.push(crate::FieldError::explained(
                    &format!("tone[{i}].suggestion"),
                    Problem::Length { min: 1, max: 200 },
                    "a warmer wording is required (at most 200 characters)",
                ));
            }
            for (j, w) in rule.after_any.iter().enumerate() {
                check_word(&mut errors, &format!("tone[{i}].after_any[{j}]"), w);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A rule word: not blank (it would match everywhere), not a paragraph.
pub(crate) fn check_word(errors: &mut Vec<crate::FieldError>, field: &str, word: &str) {
    if word.trim().is_empty() || word.chars().count() > 30 {
        errors.push(crate::FieldError::explained(
            field,
            Problem::Length { min: 1, max: 30 },
            "must be a word or phrase of 1–30 characters",
        ));
    }
}

/// What the reply is for: a first reply must greet and apologise, a closing must thank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    FirstReply,
    #[default]
    Reply,
    Closing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// WeChat, QQ, Alipay, "加我", "+V", an e-mail address.
    OffPlatformContact,
    PhoneNumber,
    Address,
    ExternalLink,
    Tone,
    MissingGreeting,
    MissingApology,
    MissingThanks,
    /// The customer's own phone, e-mail or address in a public reply.
    PersonalData,
    /// Money, gifts or coupons for a good review, or anything for deleting or changing a bad
    /// one (电子商务法 Art. 17, 39; 反不正当竞争法 Art. 13).
    PaidReview,
    /// Compensation paid around the platform: a WeChat red packet, a transfer, a payment code.
    OffPlatformPayment,
}

/// One thing found, by character offsets into the reply (`end` exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub kind: FindingKind,
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub suggestion: String,
    /// The reply must not be sent as it is.
    pub blocking: bool,
}

/// A reply to check.
#[derive(Debug, Clone, Default)]
pub struct Reply<'a> {
    pub text: &'a str,
    pub channel: Option<Channel>,
    pub purpose: Purpose,
    /// The customer's phone, e-mail and address, when the case is known.
    pub personal: Vec<String>,
}

pub(crate) fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

pub(crate) struct Patterns {
    pub(crate) phone: Regex,
    pub(crate) landline: Regex,
    pub(crate) email: Regex,
    link: Regex,
    pub(crate) address: Regex,
    plus: Regex,
}

pub(crate) fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| Patterns {
        // 11-digit mobiles however spaced (138 1234 5678, 138-1234-5678), not inside longer
        // numbers such as order or tracking numbers.
        phone: Regex::new(r"(?:^|[^0-9A-Za-z])(1[3-9](?:[ \-－—.·]?[0-9]){9})(?:$|[^0-9A-Za-z])")
            .expect("phone pattern"),
        landline: Regex::new(r"(?:^|[^0-9A-Za-z])(0[1-9][0-9]{1,2}[ \-－—]?[0-9]{7,8})(?:$|[^0-9A-Za-z])")
            .expect("landline pattern"),
        email: Regex::new(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}").expect("email pattern"),
        link: Regex::new(r"(?i)(?:https?://|www\.)[^\s，。；！？、）)]+|\b[a-z0-9\-]+\.(?:com|cn|net|shop|top|vip)\b[^\s，。；！？、）)]*")
            .expect("link pattern"),
        address: Regex::new(r"\p{Han}{2,}(?:路|街|大道|巷|弄)\s*[0-9０-９]+\s*号(?:[\p{Han}0-9]{0,12}?(?:栋|幢|楼|单元|室))?")
            .expect("address pattern"),
        plus: Regex::new(r"\+\s*(?i:vx|wx|v|q|[0-9])").expect("plus pattern"),
    })
}

/// An account right after an app's name: "QQ6930454", "微信号：kefu_2026", "QQ: 12345".
fn p_account() -> &'static Regex {
    static ACCOUNT: OnceLock<Regex> = OnceLock::new();
    ACCOUNT.get_or_init(|| {
        Regex::new(r"^\s*(?:号码|号)?\s*(?:[:：]|是|为)?\s*[a-z0-9][a-z0-9_\-]{4,}")
            .expect("account pattern")
    })
}

/// Character offset of each byte offset that starts a character (and the end).
pub(crate) struct Offsets(Vec<usize>);

impl Offsets {
    pub(crate) fn new(text: &str) -> Offsets {
        let mut map = vec![0; text.len() + 1];
        let mut chars = 0;
        for (b, _) in text.char_indices() {
            map[b] = chars;
            chars += 1;
        }
        map[text.len()] = chars;
        Offsets(map)
    }

    pub(crate) fn char_at(&self, byte: usize) -> usize {
        self.0[byte]
    }
}

/// Checks a reply; findings in order of position.
pub fn check(rules: &ReplyRules, reply: &Reply) -> Vec<Finding> {
    let text = reply.text;
    let offsets = Offsets::new(text);
    let chars: Vec<char> = text.chars().collect();
    let platform = reply.channel == Some(Channel::Platform);
    let mut found: Vec<Finding> = Vec::new();
    let slice = |s: usize, e: usize| chars[s..e].iter().collect::<String>();
    let mut push = |kind, start: usize, end: usize, suggestion: &str, blocking: bool| {
        found.push(Finding {
            kind,
            start,
            end,
            text: chars[start..end].iter().collect(),
            suggestion: suggestion.to_owned(),
            blocking,
        });
    };
    let lower = text.to_lowercase();
    // Spans (in characters) where contact words are harmless.
    let allowed: Vec<(usize, usize)> = rules
        .allowed_phrases
        .iter()
        .flat_map(|p| {
            let p = p.to_lowercase();
            lower
                .match_indices(&p)
                .map(|(b, m)| (offsets.char_at(b), offsets.char_at(b + m.len())))
                .collect::<Vec<_>>()
        })
        .collect();
    let harmless = |s: usize, e: usize| allowed.iter().any(|(a, b)| *a <= s && e <= *b);
    let leave_it = "请引导顾客通过平台沟通，例如“请您在平台订单页联系我们”";

    // 1. Contact words, whole words only for Latin ones (qq inside "qqq.com" is a link).
    for word in &rules.contact_words {
        let w = word.to_lowercase();
        let latin = w.is_ascii();
        for (b, m) in lower.match_indices(&w) {
            let (s, e) = (offsets.char_at(b), offsets.char_at(b + m.len()));
            if latin {
                let before = lower[..b].chars().next_back();
                let after = lower[b + m.len()..].chars().next();
                if before.is_some_and(|c| c.is_ascii_alphanumeric())
                    || after.is_some_and(|c| c.is_ascii_alphanumeric())
                {
                    continue;
                }
            }
            if !harmless(s, e) {
                push(FindingKind::OffPlatformContact, s, e, leave_it, platform);
            }
        }
    }
    // 1b. The apps, when something says "reach me there".
    let near = 4;
    for app in &rules.contact_apps {
        let w = app.to_lowercase();
        for (b, m) in lower.match_indices(&w) {
            let (s, e) = (offsets.char_at(b), offsets.char_at(b + m.len()));
            let rest = &lower[b + m.len()..];
            if w.is_ascii() {
                let before = lower[..b].chars().next_back();
                let after = rest.chars().next();
                if before.is_some_and(|c| c.is_ascii_alphanumeric())
                    || after.is_some_and(|c| c.is_ascii_alphabetic())
                {
                    continue;
                }
            }
            let account = p_account()
                .find(rest)
                .map(|a| offsets.char_at(b + m.len() + a.end()));
            let window = slice(s.saturating_sub(near), (e + near).min(chars.len()));
            let cued = rules
                .contact_cues
                .iter()
                .any(|c| window.contains(c.as_str()));
            if (account.is_some() || cued) && !harmless(s, e) {
                push(
                    FindingKind::OffPlatformContact,
                    s,
                    account.unwrap_or(e),
                    leave_it,
                    platform,
                );
            }
        }
    }
    // 2. "加" + 我/微信/V…, by words: 加油, 加急, 加购 are words of their own.
    let tokens = jieba().tokenize(text, TokenizeMode::Default, false);
    let words: Vec<_> = tokens
        .iter()
        .filter(|t| !t.word.trim().is_empty())
        .collect();
    for pair in words.windows(2) {
        let (verb, object) = (pair[0], pair[1]);
        if rules.add_verbs.iter().any(|v| v == verb.word)
            && rules
                .add_objects
                .iter()
                .any(|o| o.eq_ignore_ascii_case(object.word))
            && !harmless(verb.start, object.end)
        {
            push(
                FindingKind::OffPlatformContact,
                verb.start,
                object.end,
                leave_it,
                platform,
            );
        }
    }
    let p = patterns();
    for m in p.plus.find_iter(text) {
        let (s, e) = (offsets.char_at(m.start()), offsets.char_at(m.end()));
        push(FindingKind::OffPlatformContact, s, e, leave_it, platform);
    }
    for m in p.email.find_iter(text) {
        let (s, e) = (offsets.char_at(m.start()), offsets.char_at(m.end()));
        push(FindingKind::OffPlatformContact, s, e, leave_it, platform);
    }
    // 3. Phone numbers however spaced, addresses, links to other shops.
    for re in [&p.phone, &p.landline] {
        for c in re.captures_iter(text) {
            if let Some(m) = c.get(1) {
                let (s, e) = (offsets.char_at(m.start()), offsets.char_at(m.end()));
                push(
                    FindingKind::PhoneNumber,
                    s,
                    e,
                    "不要在回复中留电话号码；请通过平台的电话或消息功能联系",
                    platform,
                );
            }
        }
    }
    for m in p.address.find_iter(text) {
        let (s, e) = (offsets.char_at(m.start()), offsets.char_at(m.end()));
        push(
            FindingKind::Address,
            s,
            e,
            "详细地址请通过平台的退货地址功能发送",
            platform,
        );
    }
    for m in p.link.find_iter(text) {
        let link = m.as_str().to_lowercase();
        if p.email.is_match(text) && text[..m.start()].ends_with('@') {
            continue;
        }
        let own = rules.own_domains.iter().any(|d| {
            link.split(['/', '?', '#'])
                .find(|part| part.contains('.'))
                .is_some_and(|host| host == d.as_str() || host.ends_with(&format!(".{d}")))
        });
        if !own {
            let (s, e) = (offsets.char_at(m.start()), offsets.char_at(m.end()));
            push(
                FindingKind::ExternalLink,
                s,
                e,
                "不要发送站外链接；请使用平台内的商品或店铺链接",
                platform,
            );
        }
    }
    // 4. The customer's own data.
    for datum in reply.personal.iter().filter(|d| d.chars().count() >= 4) {
        for (b, m) in text.match_indices(datum.as_str()) {
            let (s, e) = (offsets.char_at(b), offsets.char_at(b + m.len()));
            push(
                FindingKind::PersonalData,
                s,
                e,
                "公开回复中不要出现顾客的个人信息",
                true,
            );
        }
    }
    // 4b. Reviews for money, and money around the platform: blocked on every channel.
    for (s, e) in crate::reply_check_reviews::paid_reviews(rules, text, &chars, &offsets) {
        push(
            FindingKind::PaidReview,
            s,
            e,
            crate::reply_check_reviews::PAID_REVIEW_ADVICE,
            true,
        );
    }
    for (s, e) in crate::reply_check_reviews::off_platform_payments(rules, text, &offsets) {
        push(
            FindingKind::OffPlatformPayment,
            s,
            e,
            crate::reply_check_reviews::OFF_PLATFORM_PAYMENT_ADVICE,
            true,
        );
    }
    // 5. Tone.
    for rule in &rules.tone {
        for (b, m) in text.match_indices(rule.phrase.as_str()) {
            let (s, e) = (offsets.char_at(b), offsets.char_at(b + m.len()));
            if !rule.after_any.is_empty() {
                let before = slice(s.saturating_sub(4), s);
                if !rule.after_any.iter().any(|w| before.contains(w.as_str())) {
                    continue;
                }
            }
            push(FindingKind::Tone, s, e, &rule.suggestion, false);
        }
    }
    // 6. What the purpose asks for.
    let has = |words: &[String]| words.iter().any(|w| lower.contains(&w.to_lowercase()));
    let end = chars.len();
    match reply.purpose {
        Purpose::FirstReply => {
            if !has(&rules.greetings) {
                push(
                    FindingKind::MissingGreeting,
                    0,
                    0,
                    "以问候开头，例如“亲，您好”",
                    false,
                );
            }
            if !has(&rules.apologies) {
                push(
                    FindingKind::MissingApology,
                    0,
                    0,
                    "先安抚：例如“非常抱歉给您带来不便”（致歉不等于认错）",
                    false,
                );
            }
        }
        Purpose::Closing => {
            if !has(&rules.thanks) {
                push(
                    FindingKind::MissingThanks,
                    end,
                    end,
                    "结尾感谢顾客，例如“感谢您的理解与支持”",
                    false,
                );
            }
        }
        Purpose::Reply => {}
    }
    found.sort_by_key(|f| (f.start, f.end, f.kind));
    // A span found twice (a word listed twice, a phone that is also the customer's) once,
    // keeping the more serious finding.
    found.dedup_by(|later, earlier| {
        let same =
            later.start == earlier.start && later.end == earlier.end && later.end > later.start;
        if same && later.blocking && !earlier.blocking {
            std::mem::swap(later, earlier);
        }
        same
    });
    // Contact findings that touch or overlap are one: 加我 + 微信 is "加我微信".
    let mut merged: Vec<Finding> = Vec::with_capacity(found.len());
    for f in found {
        match merged.last_mut() {
            Some(last)
                if last.kind == FindingKind::OffPlatformContact
                    && f.kind == FindingKind::OffPlatformContact
                    && f.start <= last.end =>
            {
                if f.end > last.end {
                    last.end = f.end;
                    last.text = chars[last.start..last.end].iter().collect();
                }
            }
            _ => merged.push(f),
        }
    }
    merged
}

/// Whether anything found blocks sending.
pub fn blocks(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.blocking)
}

#[cfg(test)]
#[path = "reply_check_tests.rs"]
mod tests;

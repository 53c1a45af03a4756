//! The customer's notice in words: the shop's reply-script template for the moment (in the
//! customer's language), filled from the case, with the link to their status page, and
//! checked like any reply. kesu's built-in text when the template cannot be filled or would
//! not pass the checker — a customer never reads a blank to fill in or a flagged sentence.

use chrono::{DateTime, Utc};
use kesu_domain::history::Entry;
use kesu_domain::notify::{detail, notice, notice_from, scenario, CustomerEvent, Notice, Words};
use kesu_domain::order::Order;
use kesu_domain::reply_check::{blocks, check, Purpose, Reply, ReplyRules};
use kesu_domain::scripts::{builtin, values, Language, ReplyTemplate};
use kesu_i18n::Lang;
use kesu_store::CaseRecord;

/// What writing a notice needs beside the case.
pub struct NoticeContext<'a> {
    /// The shop's reply scripts.
    pub library: &'a [ReplyTemplate],
    pub rules: &'a ReplyRules,
    pub order: Option<&'a Order>,
    pub zone: chrono_tz::Tz,
    pub now: DateTime<Utc>,
    /// The customer's status page, when kesu knows its own public address.
    pub link: Option<String>,
}

/// The language the customer wrote in: English when their complaint has no Chinese in it.
pub fn customer_language(record: &CaseRecord) -> Language {
    let chinese = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    if chinese(&record.case.description) || chinese(record.complainant.name.as_str()) {
        Language::Zh
    } else {
        Language::En
    }
}

/// The events whose notice gives the customer their status page.
pub fn wants_link(event: CustomerEvent) -> bool {
    matches!(
        event,
        CustomerEvent::Acknowledged
            | CustomerEvent::Message
            | CustomerEvent::OptionsOffered
            | CustomerEvent::FollowUp
            | CustomerEvent::Closed
    )
}

/// The notice of `event` about `entry`.
pub fn write_notice(
    event: CustomerEvent,
    record: &CaseRecord,
    entry: &Entry,
    ctx: &NoticeContext,
) -> Notice {
    let language = customer_language(record);
    let lang = match language {
        Language::Zh => Lang::Zh,
        Language::En => Lang::En,
    };
    let option = |o: &kesu_domain::case::ResolutionOption| lang.label(o.kind).to_owned();
    let carrier = |c: &str| lang.carrier(c);
    let words = Words {
        option: &option,
        carrier: &carrier,
    };
    let case = &record.case;
    let reply_by = case
        .deadlines
        .first_response_by
        .or(case.deadlines.resolve_by)
        .map(|t| {
            let format = match language {
                Language::Zh => "%-m月%-d日 %H:%M",
                Language::En => "%-d %b %H:%M",
            };
            t.with_timezone(&ctx.zone).format(format).to_string()
        });
    let from_template = template_for(ctx.library, event, language).and_then(|t| {
        let agent = match language {
            Language::Zh => "客服中心",
            Language::En => "the service desk",
        };
        let mut v = values(
            case,
            record.complainant.name.as_str(),
            ctx.order,
            agent,
            ctx.zone,
            ctx.now,
            language,
        );
        if let Some(c) = v.get("carrier").cloned() {
            v.insert("carrier", lang.carrier(&c));
        }
        if let Some(r) = &reply_by {
            v.insert("reply_by", r.clone());
        }
        if let Some(d) = detail(entry, &words) {
            v.insert("details", d);
        }
        if let Some(l) = &ctx.link {
            v.insert("status_link", l.clone());
        }
        let written = notice_from(t, case, &v)?;
        // Checked as a reply on the case's channel; the link is kesu's own.
        let text = match &ctx.link {
            Some(l) => written.body.replace(l.as_str(), ""),
            None => written.body.clone(),
        };
        let findings = check(
            ctx.rules,
            &Reply {
                text: &text,
                channel: Some(case.channel),
                purpose: Purpose::Reply,
                personal: Vec::new(),
            },
        );
        if blocks(&findings) {
            tracing::warn!(template = %t.id, case = %case.number, "a notice template does not pass the reply checker; the built-in text is sent");
            return None;
        }
        Some(written)
    });
    from_template.unwrap_or_else(|| {
        let mut n = notice(event, case, entry, reply_by.as_deref(), &words);
        if let Some(l) = &ctx.link {
            n.body.push_str(&format!("\n\n查看处理进度：{l}"));
        }
        n
    })
}

/// The shop's template for the moment in the customer's language, else kesu's own.
fn template_for(
    library: &[ReplyTemplate],
    event: CustomerEvent,
    language: Language,
) -> Option<&ReplyTemplate> {
    let wanted = scenario(event);
    let fits = |t: &&ReplyTemplate| t.scenario == wanted && t.language == language;
    library
        .iter()
        .find(fits)
        .or_else(|| BUILTIN.get_or_init(builtin).iter().find(fits))
}

static BUILTIN: std::sync::OnceLock<Vec<ReplyTemplate>> = std::sync::OnceLock::new();

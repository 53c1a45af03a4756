//! Erasing a customer (PIPL Art. 47): their names, phones, e-mails and addresses are replaced
//! wherever kesu keeps them, in the contact columns and inside free text, while the cases,
//! their money and their statistics stay. What counts as personal inside stored JSON is the
//! list the audit chain digests ([`crate::personal_fields`]), so erasure rewrites exactly
//! what the chain holds only as a keyed digest, and the chain still verifies.

use regex::Regex;
use serde_json::Value;

use crate::error::{FieldError, Problem};
use crate::order::OrderNo;
use crate::personal::{Email, Phone};
use crate::personal_fields::is_personal_key;
use crate::reply_check::patterns;

/// What stands where personal data was.
pub const ERASED: &str = "[已删除]";

/// The words that identify one person, and the patterns of contact details anyone's text
/// may hold: what [`Redactor::scrub`] takes out of free text.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Longest first, so a full address goes before a part of it.
    needles: Vec<String>,
}

/// Who is erased: everything kesu found about them.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub names: Vec<String>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub addresses: Vec<String>,
}

impl Redactor {
    pub fn for_person(who: &Identity) -> Redactor {
        let mut needles = Vec::new();
        for name in &who.names {
            let name = name.trim();
            if name.is_empty() || name == ERASED {
                continue;
            }
            // A single character would take that character out of every text.
            if name.chars().count() >= 2 {
                needles.push(name.to_owned());
            }
            // 王先生 / 欧阳女士: the surname (one character, or two for 欧阳, 司马…) with an
            // honorific names the person in replies.
            let chars: Vec<char> = name.chars().collect();
            if chars.first().is_some_and(|c| is_han(*c)) {
                let longest = if chars.len() >= 3 { 2 } else { 1 };
                for len in 1..=longest {
                    let surname: String = chars[..len].iter().collect();
                    for honorific in ["先生", "女士", "小姐", "老师"] {
                        needles.push(format!("{surname}{honorific}"));
                    }
                }
            }
        }
        needles.extend(who.phones.iter().map(|p| p.trim().to_owned()));
        needles.extend(who.emails.iter().map(|e| e.trim().to_lowercase()));
        for address in &who.addresses {
            let address = address.trim();
            if address.chars().count() >= 4 {
                needles.push(address.to_owned());
            }
            // The street part alone identifies a home as well as the whole line.
            needles.extend(
                address
                    .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、'))
                    .filter(|part| part.chars().count() >= 6)
                    .map(str::to_owned),
            );
        }
        needles.retain(|n| !n.is_empty());
        needles.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
        needles.dedup();
        Redactor { needles }
    }

    /// `text` with the person's words and any phone number, e-mail address or street
    /// address replaced by [`ERASED`].
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for needle in &self.needles {
            out = replace_ignoring_case(&out, needle);
        }
        let p = patterns();
        out = replace_group(&p.phone, &out);
        out = replace_group(&p.landline, &out);
        out = p.email.replace_all(&out, ERASED).into_owned();
        out = p.address.replace_all(&out, ERASED).into_owned();
        out
    }

    /// Scrubs every string under a personal key of `value`, at any depth; returns whether
    /// anything changed.
    pub fn scrub_json(&self, value: &mut Value) -> bool {
        self.walk(value, false)
    }

    fn walk(&self, value: &mut Value, personal: bool) -> bool {
        match value {
            Value::String(s) if personal => {
                let scrubbed = self.scrub(s);
                let changed = scrubbed != *s;
                *s = scrubbed;
                changed
            }
            Value::Object(map) => {
                let mut changed = false;
                for (key, inner) in map.iter_mut() {
                    changed |= self.walk(inner, personal || is_personal_key(key));
                }
                changed
            }
            Value::Array(items) => {
                let mut changed = false;
                for item in items {
                    changed |= self.walk(item, personal);
                }
                changed
            }
            _ => false,
        }
    }
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Replaces every occurrence of `needle` in `text`, ASCII letters compared without case (an
/// e-mail address written with capitals).
fn replace_ignoring_case(text: &str, needle: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let needle_lower = needle.to_ascii_lowercase();
    if !lower.contains(&needle_lower) {
        return text.to_owned();
    }
    // ASCII lower-casing keeps every byte offset, so positions found in `lower` hold in `text`.
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (at, _) in lower.match_indices(&needle_lower) {
        if at < rest {
            continue;
        }
        out.push_str(&text[rest..at]);
        out.push_str(ERASED);
        rest = at + needle_lower.len();
    }
    out.push_str(&text[rest..]);
    out
}

/// Replaces the first group of each match (the patterns match a boundary character around it).
fn replace_group(pattern: &Regex, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for caps in pattern.captures_iter(text) {
        let Some(m) = caps.get(1) else { continue };
        out.push_str(&text[rest..m.start()]);
        out.push_str(ERASED);
        rest = m.end();
    }
    out.push_str(&text[rest..]);
    out
}

/// A file's name with the person taken out, its extension kept so it still opens.
pub fn scrub_file_name(redactor: &Redactor, name: &str) -> String {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 5 => (stem, Some(ext)),
        _ => (name, None),
    };
    let stem = redactor.scrub(stem);
    match ext {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem,
    }
}

/// How a customer's request names them: by a phone, an e-mail or an order, at least one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonQuery {
    pub phone: Option<Phone>,
    pub email: Option<Email>,
    pub order_no: Option<OrderNo>,
}

impl PersonQuery {
    /// Checks what was typed; blank fields are left out. At least one is needed.
    pub fn parse(
        phone: Option<&str>,
        email: Option<&str>,
        order_no: Option<&str>,
    ) -> Result<PersonQuery, Vec<FieldError>> {
        fn given(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        let mut errors = Vec::new();
        let mut query = PersonQuery::default();
        if let Some(v) = given(phone) {
            Phone::parse("phone", v).map_or_else(|e| errors.push(e), |p| query.phone = Some(p));
        }
        if let Some(v) = given(email) {
            Email::parse("email", v).map_or_else(|e| errors.push(e), |m| query.email = Some(m));
        }
        if let Some(v) = given(order_no) {
            OrderNo::parse("order_no", v)
                .map_or_else(|e| errors.push(e), |o| query.order_no = Some(o));
        }
        if errors.is_empty() && query == PersonQuery::default() {
            errors.push(FieldError::explained(
                "phone",
                Problem::Required,
                "give the customer's phone, e-mail or order number",
            ));
        }
        if errors.is_empty() {
            Ok(query)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn wang() -> Redactor {
        Redactor::for_person(&Identity {
            names: vec!["王小明".into()],
            phones: vec!["13812345678".into()],
            emails: vec!["XiaoMing@example.com".into()],
            addresses: vec!["浙江省杭州市西湖区 文三路 100号 3幢 201室".into()],
        })
    }

    #[test]
    fn the_persons_words_and_any_contact_detail_leave_free_text() {
        let text = "王小明（王先生）说 138-1234-5678 或 021-88886666 都能找到他，\
                    邮件 xiaoming@EXAMPLE.com，寄到文三路100号3幢201室；玻璃杯碎了两个";
        let out = wang().scrub(text);
        for gone in ["王小明", "王先生", "1234", "88886666", "xiaoming", "文三路"] {
            assert!(!out.contains(gone), "{gone} still in {out}");
        }
        assert!(out.contains("玻璃杯碎了两个"), "{out}");
        assert!(out.contains(ERASED));
    }

    #[test]
    fn a_two_character_surname_is_taken_out_with_its_honorific() {
        let r = Redactor::for_person(&Identity {
            names: vec!["欧阳娜娜".into()],
            ..Identity::default()
        });
        assert_eq!(r.scrub("欧阳女士您好"), format!("{ERASED}您好"));
    }

    #[test]
    fn order_and_tracking_numbers_stay() {
        let out = wang().scrub("订单 TB20261111001 运单 YT1234567890 金额 12.00");
        assert_eq!(out, "订单 TB20261111001 运单 YT1234567890 金额 12.00");
    }

    #[test]
    fn only_personal_keys_are_scrubbed_in_json() {
        let mut data = json!({
            "text": "王小明 13812345678",
            "to": "closed",
            "buyer": {"name": "王小明", "phone": "13812345678", "id": 7},
            "number": "KS-20261123-0001",
        });
        assert!(wang().scrub_json(&mut data));
        assert_eq!(
            data,
            json!({
                "text": format!("{ERASED} {ERASED}"),
                "to": "closed",
                "buyer": {"name": ERASED, "phone": ERASED, "id": 7},
                "number": "KS-20261123-0001",
            })
        );
        assert!(
            !wang().scrub_json(&mut data),
            "a second pass changes nothing"
        );
    }

    #[test]
    fn a_file_keeps_its_extension() {
        assert_eq!(
            scrub_file_name(&wang(), "王小明-13812345678.jpg"),
            format!("{ERASED}-{ERASED}.jpg")
        );
        assert_eq!(scrub_file_name(&wang(), "破损.png"), "破损.png");
    }

    #[test]
    fn a_request_names_the_person_one_way_at_least() {
        let q = PersonQuery::parse(Some(" 138-1234-5678 "), Some(""), None).unwrap();
        assert_eq!(q.phone.unwrap().as_str(), "13812345678");
        assert!(q.email.is_none() && q.order_no.is_none());
        let none = PersonQuery::parse(None, Some("  "), None).unwrap_err();
        assert_eq!(none[0].field, "phone");
        let bad = PersonQuery::parse(Some("12"), Some("not-mail"), None).unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["phone", "email"]);
    }

    #[test]
    fn a_one_letter_name_does_not_empty_every_text() {
        let r = Redactor::for_person(&Identity {
            names: vec!["A".into()],
            ..Identity::default()
        });
        assert_eq!(r.scrub("A box arrived"), "A box arrived");
    }
}

//! Field errors in the reader's language: the field named by its label on the page, the
//! problem said from its code and arguments (`problems.ftl`), never from the English text.

use kesu_domain::error::Arg;
use kesu_domain::FieldError;

use crate::{Lang, Value};

/// The page label of an API field name (`complainant.phone` → 联系电话).
pub fn field_label(lang: Lang, field: &str) -> String {
    let key = match field {
        "complainant.name" | "name" => "complainant_name",
        "complainant.phone" | "phone" => "phone",
        "complainant.email" | "email" => "email",
        "order_no" => "order_no",
        "tracking_no" => "tracking_no",
        "description" => "description",
        "received_at" => "received_at",
        "channel" => "channel",
        "category" => "category",
        "demand" => "demand",
        "reason" => "reason",
        "findings" => "findings",
        "summary" => "summary",
        "comment" => "comment",
        "note" => "note",
        "text" => "text",
        "user" => "user",
        "department" => "department",
        "option" => "option",
        "rating" => "rating",
        "status" => "parcel_status",
        "outcome" => "outcome",
        "carrier" => "carrier",
        "result" => "result",
        "method" => "method",
        "readback" => "review",
        "body" => "template_body",
        "title" => "template_title",
        "scenario" => "template_scenario",
        "language" => "template_language",
        f if f.starts_with("options[") => "option",
        f if f.starts_with("tags") => "tags",
        f if f.starts_with("lines") => "lines",
        _ => return field.to_owned(),
    };
    lang.t(key).to_owned()
}

/// `label：problem` for one field error, in `lang`.
pub fn problem(lang: Lang, e: &FieldError) -> String {
    let said = problem_only(lang, e);
    if e.field.is_empty() {
        said
    } else {
        let sep = if lang == Lang::Zh { "：" } else { ": " };
        format!("{}{sep}{said}", field_label(lang, &e.field))
    }
}

/// What is wrong with one field, in `lang`, without the field's name (shown beside it).
pub fn problem_only(lang: Lang, e: &FieldError) -> String {
    let args = e.problem.args();
    let texts: Vec<(&str, String)> = args
        .iter()
        .filter_map(|(name, arg)| match arg {
            // Amounts are read in yuan, as everywhere on the pages.
            Arg::Int(c) if name.ends_with("_cents") => {
                Some((*name, format!("¥{}", kesu_domain::money::format_yuan(*c))))
            }
            Arg::Text(t) => Some((*name, t.clone())),
            Arg::Int(_) => None,
        })
        .collect();
    let values: Vec<(&str, Value<'_>)> = args
        .iter()
        .map(|(name, arg)| {
            let value = match texts.iter().find(|(n, _)| n == name) {
                Some((_, t)) => Value::Text(t),
                None => match arg {
                    Arg::Int(n) => Value::Int(*n),
                    Arg::Text(t) => Value::Text(t),
                },
            };
            (*name, value)
        })
        .collect();
    lang.format(&format!("problem-{}", e.code()), &values)
        .unwrap_or_else(|| e.message.clone())
}

/// What a problem of a whole request (`forbidden`, `stale_version` …) means in `lang`, or
/// `None` for a code the files do not have.
pub fn request_problem(lang: Lang, code: &str) -> Option<&'static str> {
    lang.lookup(&format!("problem-{code}"))
}

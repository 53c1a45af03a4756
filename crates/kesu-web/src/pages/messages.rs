//! What the domain says about bad input, in the agent's language: field names become the
//! labels on the page, and the common messages are translated (the rest stay as they are).

use super::i18n::Lang;

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
        f if f.starts_with("options[") => "option",
        f if f.starts_with("tags") => "tags",
        f if f.starts_with("lines") => "lines",
        _ => return field.to_owned(),
    };
    lang.t(key).to_owned()
}

/// Common messages in Chinese; anything else is shown as the domain wrote it.
pub fn message(lang: Lang, message: &str) -> String {
    if lang == Lang::En {
        return message.to_owned();
    }
    // The checker's findings are already in Chinese: keep them, translate the lead.
    if let Some((_, findings)) =
        message.split_once("the reply checker blocks this reply (a supervisor may override): ")
    {
        return format!("这条回复不能发送（主管可放行）：{findings}");
    }
    const ZH: &[(&str, &str)] = &[
        ("must not be empty", "不能为空"),
        ("is required", "必填"),
        ("is too long", "内容过长"),
        (
            "is not a phone number",
            "不是有效的电话号码：请填写11位手机号或带区号的座机号",
        ),
        ("is not an e-mail address", "不是有效的电子邮箱"),
        ("lies in the future", "不能晚于当前时间"),
        (
            "may contain only letters, digits",
            "只能包含字母、数字、- 和 _",
        ),
        (
            "give a phone number or an e-mail address",
            "请至少填写电话或邮箱",
        ),
        (
            "explain to the customer why the complaint does not stand",
            "投诉不成立时，请写明委婉的解释",
        ),
        ("say why the proposal is rejected", "请说明驳回理由"),
        ("record what was done", "请记录执行情况"),
        ("summarise the case before closing it", "结案前请填写总结"),
        ("offer at least one option", "请至少提供一个方案"),
        ("must state its amount", "需要填写金额"),
        ("must not be negative", "不能为负数"),
        ("must be from 1 to 5", "评分应为1到5"),
        ("there is no active user", "没有这个在职用户"),
        ("unknown department", "没有这个部门"),
        ("cents are left to refund", "超过了可退金额"),
        ("comes to", "金额与退款试算不一致"),
        (
            "has already shipped",
            "该商品已发货，请按“已发货仅退款”流程处理",
        ),
        ("use the date picker", "请用日期选择器填写"),
        (
            "the case has changed since version",
            "案件已被他人更新，请刷新页面后重试",
        ),
        (
            "the case was changed by someone else",
            "案件已被他人更新，请刷新页面后重试",
        ),
        (
            "is not allowed while the case is",
            "当前状态下不能执行此操作",
        ),
        ("may not", "您的角色不能执行此操作"),
    ];
    ZH.iter()
        .find(|(en, _)| message.contains(en))
        .map(|(_, zh)| (*zh).to_owned())
        .unwrap_or_else(|| message.to_owned())
}

/// `label：message` for one field error.
pub fn field_error(lang: Lang, field: &str, msg: &str) -> String {
    if field.is_empty() {
        message(lang, msg)
    } else {
        let sep = if lang == Lang::Zh { "：" } else { ": " };
        format!("{}{sep}{}", field_label(lang, field), message(lang, msg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_read_in_chinese() {
        assert_eq!(
            field_error(
                Lang::Zh,
                "complainant.phone",
                "is not a phone number: give …"
            ),
            "联系电话：不是有效的电话号码：请填写11位手机号或带区号的座机号"
        );
        assert_eq!(
            field_error(Lang::En, "description", "must not be empty"),
            "Complaint: must not be empty"
        );
        assert_eq!(message(Lang::Zh, "something new"), "something new");
    }
}

//! A person's data as a file for their access request (PIPL Art. 45): JSON for machines,
//! XLSX for the customer to read (Chinese labels, the shop's time zone). Staff's internal
//! notes stay out: they are the shop's working papers, not the customer's data.

use chrono_tz::Tz;
use kesu_domain::event::Change;
use kesu_domain::history::Entry;
use kesu_store::{PersonCase, PersonExport};
use serde_json::{json, Value};

use crate::export::{register_table, Table};
use crate::pages::case::action_forms::action_label;
use crate::pages::local_time;

const ZH: kesu_i18n::Lang = kesu_i18n::Lang::Zh;

fn internal(entry: &Entry) -> bool {
    matches!(
        entry,
        Entry::Changed {
            change: Change::Comment { internal: true, .. },
            ..
        }
    )
}

fn visible_history(c: &PersonCase) -> impl Iterator<Item = &kesu_store::HistoryEntry> {
    c.history.iter().filter(|h| !internal(&h.entry))
}

/// The JSON document.
pub fn json_document(
    export: &PersonExport,
    caller: &kesu_store::User,
    generated_at: chrono::DateTime<chrono::Utc>,
) -> Value {
    let who = &export.found.identity;
    let cases: Vec<Value> = export
        .cases
        .iter()
        .map(|c| {
            json!({
                "case": c.record.case,
                "complainant": c.record.complainant,
                "history": visible_history(c).map(|h| json!({
                    "at": h.at, "actor": h.author.name(), "action": h.entry.action(),
                    "data": h.entry.data(),
                })).collect::<Vec<_>>(),
                "attachments": c.attachments.iter().map(|a| json!({
                    "name": a.name, "content_type": a.content_type, "size": a.size,
                    "uploaded_at": a.created_at,
                })).collect::<Vec<_>>(),
                "messages": c.messages.iter().map(|m| json!({
                    "channel": m.channel, "to": m.target, "subject": m.subject, "body": m.body,
                    "status": m.status, "at": m.created_at,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "generated_at": generated_at,
        "person": {
            "names": who.names, "phones": who.phones, "emails": who.emails,
            "addresses": who.addresses,
        },
        "cases": cases,
        "orders": export.orders.iter()
            .map(|o| crate::api::orders::OrderView::new(o.clone(), caller))
            .collect::<Vec<_>>(),
        "notes": "Internal notes of the shop's staff are not included.",
    })
}

/// The workbook's sheets.
pub fn tables(export: &PersonExport, zone: Tz) -> Vec<Table> {
    let time = |t| local_time(t, zone);
    let who = &export.found.identity;
    let mut person = Vec::new();
    for (label, values) in [
        ("姓名", &who.names),
        ("电话", &who.phones),
        ("邮箱", &who.emails),
        ("地址", &who.addresses),
    ] {
        person.extend(values.iter().map(|v| vec![label.to_owned(), v.clone()]));
    }
    let records: Vec<_> = export.cases.iter().map(|c| c.record.clone()).collect();
    let mut register = register_table(&records, true, zone);
    register.title = "投诉";
    let mut history = Vec::new();
    let mut files = Vec::new();
    let mut messages = Vec::new();
    for c in &export.cases {
        let number = &c.record.case.number;
        for h in visible_history(c) {
            history.push(vec![
                number.clone(),
                time(h.at),
                h.author.name().to_owned(),
                action_label(ZH, h.entry.action()),
                h.entry.text().unwrap_or_default().to_owned(),
            ]);
        }
        for a in &c.attachments {
            files.push(vec![
                number.clone(),
                a.name.clone(),
                a.content_type.clone(),
                a.size.to_string(),
                time(a.created_at),
            ]);
        }
        for m in &c.messages {
            messages.push(vec![
                number.clone(),
                time(m.created_at),
                m.channel.clone(),
                m.target.clone(),
                m.subject.clone().unwrap_or_default(),
                m.body.clone(),
                m.status.clone(),
            ]);
        }
    }
    let orders = export
        .orders
        .iter()
        .map(|o| {
            vec![
                o.order_no.as_str().to_owned(),
                o.shop.clone(),
                time(o.placed_at),
                o.buyer.name.as_str().to_owned(),
                o.buyer
                    .phone
                    .as_ref()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default(),
                o.buyer
                    .address
                    .as_ref()
                    .map(|a| a.as_str().to_owned())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    vec![
        Table {
            title: "个人信息",
            header: vec!["项目", "内容"],
            rows: person,
        },
        register,
        Table {
            title: "处理记录",
            header: vec!["案件编号", "时间", "处理人", "动作", "内容"],
            rows: history,
        },
        Table {
            title: "订单",
            header: vec!["订单号", "店铺", "下单时间", "收货人", "电话", "地址"],
            rows: orders,
        },
        Table {
            title: "附件",
            header: vec!["案件编号", "文件名", "类型", "大小(字节)", "上传时间"],
            rows: files,
        },
        Table {
            title: "通知",
            header: vec!["案件编号", "时间", "渠道", "发往", "标题", "内容", "状态"],
            rows: messages,
        },
    ]
}

//! CSV exports: one row per order line, rows of one order sharing `order_no`. Amounts in
//! cents (`unit_price_cents`) or yuan (`unit_price`); times in RFC 3339 or the shop's
//! local `2026-11-11 00:05:00` (China time); discounts as `id:kind:cents[:A|B]` separated
//! by `;`; a row with `carrier` and `tracking_no` shipped its line in that parcel.

use std::collections::HashMap;

use anyhow::bail;
use kesu_domain::money::parse_yuan;
use kesu_domain::order::OrderForm;
use serde_json::{json, Map, Value};

use crate::{field_errors, Parsed, RowError};

const REQUIRED: &[&str] = &[
    "order_no",
    "shop",
    "buyer_name",
    "placed_at",
    "line_id",
    "quantity",
];
const OPTIONAL: &[&str] = &[
    "buyer_phone",
    "buyer_address",
    "paid_at",
    "payment_method",
    "sku",
    "name",
    "spec",
    "unit_price_cents",
    "unit_price",
    "points_cents",
    "points",
    "shipping_cents",
    "shipping",
    "discounts",
    "carrier",
    "tracking_no",
    "shipped_at",
    "shipment_status",
];
/// Columns that describe the order, not the line: every row of an order must agree.
const ORDER_LEVEL: &[&str] = &[
    "shop",
    "buyer_name",
    "buyer_phone",
    "buyer_address",
    "placed_at",
    "paid_at",
    "payment_method",
    "points_cents",
    "points",
    "shipping_cents",
    "shipping",
    "discounts",
];

/// One order gathered from its rows.
struct Draft {
    first_line: usize,
    /// CSV line of each order line, by index.
    line_of: Vec<usize>,
    fields: HashMap<String, String>,
    lines: Vec<Value>,
    shipments: Vec<(String, String, String, String, Vec<Value>)>,
    errors: Vec<RowError>,
}

pub fn parse(text: &str) -> anyhow::Result<Parsed> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    let unknown: Vec<&String> = headers
        .iter()
        .filter(|h| !REQUIRED.contains(&h.as_str()) && !OPTIONAL.contains(&h.as_str()))
        .collect();
    let missing: Vec<&&str> = REQUIRED
        .iter()
        .filter(|r| !headers.iter().any(|h| h == *r))
        .collect();
    let no_price = !headers
        .iter()
        .any(|h| h == "unit_price_cents" || h == "unit_price");
    if !unknown.is_empty() || !missing.is_empty() || no_price {
        bail!(
            "the CSV's columns are not an order export: {}{}{}required: {}, and unit_price_cents or unit_price; optional: {}",
            if missing.is_empty() { String::new() } else { format!("missing {:?}; ", missing) },
            if unknown.is_empty() { String::new() } else { format!("unknown {:?}; ", unknown) },
            if no_price { "no price column; " } else { "" },
            REQUIRED.join(", "),
            OPTIONAL.join(", ")
        );
    }
    let mut drafts: Vec<(String, Draft)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError {
                    line,
                    order_no: None,
                    field: String::new(),
                    message: format!("unreadable row: {e}"),
                });
                continue;
            }
        };
        let row: HashMap<&str, &str> = headers
            .iter()
            .map(String::as_str)
            .zip(record.iter())
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let Some(order_no) = row.get("order_no").map(|s| s.to_string()) else {
            errors.push(RowError {
                line,
                order_no: None,
                field: "order_no".into(),
                message: "is required on every row".into(),
            });
            continue;
        };
        let at = *index.entry(order_no.clone()).or_insert_with(|| {
            drafts.push((
                order_no.clone(),
                Draft {
                    first_line: line,
                    line_of: vec![],
                    fields: HashMap::new(),
                    lines: vec![],
                    shipments: vec![],
                    errors: vec![],
                },
            ));
            drafts.len() - 1
        });
        add_row(&mut drafts[at].1, &order_no, line, &row);
    }
    let mut orders = Vec::new();
    for (order_no, draft) in drafts {
        if !draft.errors.is_empty() {
            errors.extend(draft.errors);
            continue;
        }
        match build(&draft) {
            Err(e) => errors.push(RowError {
                line: draft.first_line,
                order_no: Some(order_no),
                field: e.0,
                message: e.1,
            }),
            Ok(value) => match serde_path_to_error::deserialize::<_, OrderForm>(value) {
                Err(e) => errors.push(RowError {
                    line: draft.first_line,
                    order_no: Some(order_no),
                    field: e.path().to_string(),
                    message: e.into_inner().to_string(),
                }),
                Ok(form) => match form.parse(&order_no) {
                    Ok(order) => orders.push((draft.first_line, order)),
                    Err(e) => {
                        for mut err in field_errors(draft.first_line, &order_no, e) {
                            err.line = row_of(&draft, &err.field);
                            errors.push(err);
                        }
                    }
                },
            },
        }
    }
    Ok(Parsed { orders, errors })
}

/// The CSV line an order field came from: `lines[2].quantity` → the row of line 2.
fn row_of(draft: &Draft, field: &str) -> usize {
    field
        .strip_prefix("lines[")
        .and_then(|rest| rest.split(']').next())
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|n| draft.line_of.get(n).copied())
        .unwrap_or(draft.first_line)
}

fn add_row(draft: &mut Draft, order_no: &str, line: usize, row: &HashMap<&str, &str>) {
    let mut reject = |field: &str, message: String| {
        draft.errors.push(RowError {
            line,
            order_no: Some(order_no.to_owned()),
            field: field.to_owned(),
            message,
        });
    };
    for col in ORDER_LEVEL {
        if let Some(v) = row.get(col) {
            match draft.fields.get(*col) {
                Some(first) if first != v => reject(
                    col,
                    format!("`{v}` differs from the order's first row (`{first}`)"),
                ),
                _ => {
                    draft.fields.insert((*col).to_owned(), (*v).to_owned());
                }
            }
        }
    }
    let int = |col: &str| {
        row.get(col).map(|v| {
            v.parse::<i64>()
                .map_err(|_| format!("`{v}` is not a whole number"))
        })
    };
    let quantity = match int("quantity") {
        Some(Ok(q)) => q,
        Some(Err(m)) => return reject("quantity", m),
        None => return reject("quantity", "is required".into()),
    };
    let price = match (int("unit_price_cents"), row.get("unit_price")) {
        (Some(Ok(c)), _) => c,
        (Some(Err(m)), _) => return reject("unit_price_cents", m),
        (None, Some(y)) => match parse_yuan(y) {
            Ok(c) => c.get(),
            Err(m) => return reject("unit_price", m),
        },
        (None, None) => {
            return reject(
                "unit_price_cents",
                "is required (or unit_price in yuan)".into(),
            )
        }
    };
    let Some(line_id) = row.get("line_id") else {
        return reject("line_id", "is required".into());
    };
    let mut l = Map::new();
    l.insert("line_id".into(), json!(line_id));
    l.insert("unit_price_cents".into(), json!(price));
    l.insert("quantity".into(), json!(quantity));
    for col in ["sku", "name", "spec"] {
        if let Some(v) = row.get(col) {
            l.insert(col.into(), json!(v));
        }
    }
    draft.lines.push(Value::Object(l));
    draft.line_of.push(line);
    if let (Some(carrier), Some(tracking)) = (row.get("carrier"), row.get("tracking_no")) {
        let shipped = row
            .get("shipped_at")
            .map(|t| local_time(t))
            .unwrap_or_default();
        let status = row
            .get("shipment_status")
            .map(|s| s.to_string())
            .unwrap_or_default();
        let part = json!({"line_id": line_id, "quantity": quantity});
        match draft
            .shipments
            .iter_mut()
            .find(|s| s.0 == *carrier && s.1 == *tracking)
        {
            Some(s) => s.4.push(part),
            None => draft.shipments.push((
                carrier.to_string(),
                tracking.to_string(),
                shipped,
                status,
                vec![part],
            )),
        }
    }
}

/// The order as the JSON of `PUT /api/v1/orders`, or (field, message).
fn build(draft: &Draft) -> Result<Value, (String, String)> {
    let f = |k: &str| draft.fields.get(k).cloned();
    let money = |cents: &str, yuan: &str| -> Result<i64, (String, String)> {
        if let Some(v) = f(cents) {
            return v.parse().map_err(|_| {
                (
                    cents.to_owned(),
                    format!("`{v}` is not a whole number of cents"),
                )
            });
        }
        match f(yuan) {
            Some(v) => parse_yuan(&v)
                .map(|c| c.get())
                .map_err(|m| (yuan.to_owned(), m)),
            None => Ok(0),
        }
    };
    let mut order = json!({
        "shop": f("shop").unwrap_or_default(),
        "buyer": {"name": f("buyer_name").unwrap_or_default(), "phone": f("buyer_phone"), "address": f("buyer_address")},
        "placed_at": f("placed_at").map(|t| local_time(&t)).unwrap_or_default(),
        "paid_at": f("paid_at").map(|t| local_time(&t)),
        "payment_method": f("payment_method"),
        "lines": draft.lines,
        "points_cents": money("points_cents", "points")?,
        "shipping_cents": money("shipping_cents", "shipping")?,
        "discounts": discounts(f("discounts").as_deref().unwrap_or(""))?,
    });
    let shipments: Vec<Value> = draft
        .shipments
        .iter()
        .map(|(carrier, tracking, shipped, status, lines)| {
            let mut s = json!({"carrier": carrier, "tracking_no": tracking, "lines": lines});
            if !shipped.is_empty() {
                s["shipped_at"] = json!(shipped);
            }
            if !status.is_empty() {
                s["status"] = json!(status);
            }
            s
        })
        .collect();
    order["shipments"] = json!(shipments);
    Ok(order)
}

/// `c1:shop_coupon:2000:A|B; c2:promotion:500` → the API's discount objects.
fn discounts(cell: &str) -> Result<Vec<Value>, (String, String)> {
    let mut out = Vec::new();
    for part in cell.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let bits: Vec<&str> = part.split(':').collect();
        let bad = || {
            (
                "discounts".to_owned(),
                format!("`{part}` is not id:kind:cents[:LINE|LINE]"),
            )
        };
        if !(3..=4).contains(&bits.len()) {
            return Err(bad());
        }
        let amount: i64 = bits[2].parse().map_err(|_| bad())?;
        let applies: Vec<&str> = bits
            .get(3)
            .map(|l| l.split('|').filter(|x| !x.is_empty()).collect())
            .unwrap_or_default();
        out.push(
            json!({"id": bits[0], "kind": bits[1], "amount_cents": amount, "applies_to": applies}),
        );
    }
    Ok(out)
}

/// RFC 3339 as it is; `2026-11-11 00:05:00` (or with `T`, seconds optional) as China time.
fn local_time(t: &str) -> String {
    let t = t.trim();
    if chrono::DateTime::parse_from_rfc3339(t).is_ok() {
        return t.to_owned();
    }
    let normalised = t.replace('/', "-").replacen(' ', "T", 1);
    for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(&normalised, fmt) {
            return format!("{}+08:00", naive.format("%Y-%m-%dT%H:%M:%S"));
        }
    }
    t.to_owned()
}

//! JSON Lines: one order per line, the body of `PUT /api/v1/orders/{order_no}` plus `order_no`.

use kesu_domain::order::OrderForm;
use serde_json::Value;

use crate::{field_errors, Parsed, RowError};

/// Parses numbered lines of a JSON Lines file.
pub fn parse_lines(lines: &[(usize, &str)]) -> Parsed {
    let mut orders = Vec::new();
    let mut errors = Vec::new();
    for &(line, raw) in lines {
        if raw.trim().is_empty() {
            continue;
        }
        let reject = |field: &str, message: String| RowError {
            line,
            order_no: None,
            field: field.to_owned(),
            message,
        };
        let mut value: Value = match serde_json::from_str(raw) {
            Ok(v) => v,
            Err(e) => {
                errors.push(reject("", format!("not valid JSON: {e}")));
                continue;
            }
        };
        let order_no = match value.as_object_mut().and_then(|o| o.remove("order_no")) {
            Some(Value::String(s)) => s,
            _ => {
                errors.push(reject("order_no", "is required on every line".into()));
                continue;
            }
        };
        let form: OrderForm = match serde_path_to_error::deserialize(value) {
            Ok(f) => f,
            Err(e) => {
                let field = e.path().to_string();
                let mut err = reject(
                    if field == "." { "" } else { &field },
                    e.into_inner().to_string(),
                );
                err.order_no = Some(order_no);
                errors.push(err);
                continue;
            }
        };
        match form.parse(&order_no) {
            Ok(order) => orders.push((line, order)),
            Err(e) => errors.extend(field_errors(line, &order_no, e)),
        }
    }
    Parsed { orders, errors }
}

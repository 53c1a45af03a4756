//! Where personal data sits inside stored JSON (a history entry's data, an attachment's
//! metadata): under these keys, at any depth. The audit chain hashes these values only as a
//! keyed digest, and erasing a customer rewrites exactly these values, so the two agree on
//! what is personal by using this one list.

use serde_json::{Map, Value};

/// Keys whose values are personal data or free text that may hold it (a name typed into a
/// note, a phone number in a reply).
pub const PERSONAL_KEYS: &[&str] = &[
    // Who the customer is.
    "name",
    "customer",
    "customer_name",
    "buyer",
    "buyer_name",
    "buyer_phone",
    "receiver",
    "contact",
    "phone",
    "mobile",
    "email",
    "address",
    // Words people wrote: they may hold any of the above.
    "text",
    "reason",
    "findings",
    "comment",
    "note",
    "summary",
    "lessons",
    "conclusion",
    "words",
    "message",
    "content",
    "desc",
    "description",
    "after_sale_reason",
    "subject",
    "body",
];

pub fn is_personal_key(key: &str) -> bool {
    PERSONAL_KEYS.contains(&key)
}

/// One personal value: where it sits (`/a/b/0`) and what it is, as canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalValue {
    pub path: String,
    pub value: String,
}

/// Splits `data` into what is not personal (personal values replaced by `null`, so the
/// shape stays) and the personal values, in a fixed order (keys sorted, arrays in order).
pub fn split(data: &Value) -> (Value, Vec<PersonalValue>) {
    let mut found = Vec::new();
    let rest = walk(data, "", &mut found);
    (rest, found)
}

fn walk(value: &Value, path: &str, found: &mut Vec<PersonalValue>) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for key in keys {
                let inner = &map[key];
                let at = format!("{path}/{key}");
                if is_personal_key(key) && !inner.is_null() {
                    found.push(PersonalValue {
                        path: at,
                        value: inner.to_string(),
                    });
                    out.insert(key.clone(), Value::Null);
                } else {
                    out.insert(key.clone(), walk(inner, &at, found));
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| walk(v, &format!("{path}/{i}"), found))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// JSON with its object keys in sorted order at every depth, whatever order it was
/// written in: the same content always gives the same bytes.
pub fn canonical(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sorted(&map[k])))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn personal_values_are_taken_out_at_any_depth_and_the_shape_stays() {
        let data = json!({
            "to": "closed",
            "summary": "已联系王先生 13812345678",
            "buyer": {"name": "王五", "phone": "13812345678"},
            "refund": {"amount_cents": 1200, "note": null},
            "items": [{"note": "破损"}, {"sku": "A1"}]
        });
        let (rest, personal) = split(&data);
        assert_eq!(
            rest,
            json!({
                "to": "closed", "summary": null, "buyer": null,
                "refund": {"amount_cents": 1200, "note": null},
                "items": [{"note": null}, {"sku": "A1"}]
            })
        );
        let paths: Vec<&str> = personal.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["/buyer", "/items/0/note", "/summary"]);
        assert!(!rest.to_string().contains("1381234"));
    }

    #[test]
    fn canonical_json_does_not_depend_on_key_order() {
        let a: Value =
            serde_json::from_str(r#"{"b":1,"a":{"d":[1,{"y":2,"x":1}],"c":null}}"#).unwrap();
        let b: Value =
            serde_json::from_str(r#"{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}"#).unwrap();
        assert_eq!(canonical(&a), canonical(&b));
        assert_eq!(
            canonical(&a),
            r#"{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}"#
        );
    }
}

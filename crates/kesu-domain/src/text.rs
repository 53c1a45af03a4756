//! Free-text values: trimmed, non-empty where required, bounded in length.

use crate::error::{FieldError, Problem};

/// Longest free text kept on a case (descriptions, findings, notes), in characters.
pub const MAX_TEXT_CHARS: usize = 5000;

/// A required free-text field: trimmed, not empty, at most [`MAX_TEXT_CHARS`].
pub fn required(field: &str, value: &str) -> Result<String, FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, Problem::Empty));
    }
    bounded(field, trimmed)
}

/// A required text of at most `max` characters (a title).
pub fn required_within(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let v = required(field, value)?;
    if v.chars().count() > max {
        return Err(FieldError::new(field, Problem::TooLong { max: max as i64 }));
    }
    Ok(v)
}

/// An optional free-text field: blank becomes `None`.
pub fn optional(field: &str, value: Option<&str>) -> Result<Option<String>, FieldError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => bounded(field, v).map(Some),
    }
}

fn bounded(field: &str, value: &str) -> Result<String, FieldError> {
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(FieldError::new(
            field,
            Problem::TooLong {
                max: MAX_TEXT_CHARS as i64,
            },
        ));
    }
    Ok(value.to_owned())
}

/// An identifier typed by people or systems (order and tracking numbers): letters, digits, `-`, `_`.
pub fn identifier(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() || v.len() > max {
        return Err(FieldError::new(
            field,
            Problem::Length {
                min: 1,
                max: max as i64,
            },
        ));
    }
    if !v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(FieldError::new(field, Problem::Characters));
    }
    Ok(v.to_owned())
}

/// A list of identifiers (SKUs, shop codes): each checked as [`identifier`], repeats dropped,
/// at most `max_count`. The first wrong one is the error.
pub fn identifiers(
    field: &str,
    values: &[String],
    max_len: usize,
    max_count: usize,
) -> Result<Vec<String>, FieldError> {
    if values.len() > max_count {
        return Err(FieldError::new(
            field,
            Problem::TooMany {
                max: max_count as i64,
            },
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for v in values {
        let v = identifier(field, v, max_len)?;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// Whether `c` is a control character kesu refuses in any input: C0 controls but tab, line
/// feed and carriage return; DEL; C1 controls. (A NUL cannot be stored on PostgreSQL, and
/// none of them belongs in a name, a number or a complaint.)
pub fn is_refused_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{7f}'
}

/// The message for a value holding a refused control character.
pub const CONTROL_CHARACTER: &str = "must not contain control characters (such as NUL)";

#[cfg(test)]
mod control_tests {
    use super::is_refused_control;

    #[test]
    fn control_characters_are_refused_but_line_breaks_and_tabs_are_text() {
        for c in ['\0', '\u{1}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}'] {
            assert!(is_refused_control(c), "{c:?}");
        }
        for c in ['\t', '\n', '\r', ' ', 'a', '王', '，', '\u{a0}'] {
            assert!(!is_refused_control(c), "{c:?}");
        }
    }
}

//! A case as indexed: the fields the queue filters on and the words search looks for.

use kesu_store::SearchSource;

/// One case's entry in the index.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDoc {
    pub id: i64,
    pub version: i64,
    /// Case number, order and tracking numbers: matched whole or by prefix.
    pub numbers: Vec<String>,
    /// Phone and e-mail: matched like numbers, for roles that may see them.
    pub contact_numbers: Vec<String>,
    /// The complainant's name, for roles that may see it.
    pub name: String,
    /// Description, tags, findings, replies, notes, summary and lessons.
    pub text: String,
    pub status: String,
    pub open: bool,
    pub category: String,
    pub channel: String,
    pub department: Option<String>,
    pub assignee: Option<String>,
    /// Milliseconds since the epoch; `None` when the case has no resolution deadline.
    pub resolve_by: Option<i64>,
    /// The queue's deadline order (see the store's `queue_key`).
    pub queue_key: i64,
}

impl CaseDoc {
    pub fn from_source(source: &SearchSource) -> CaseDoc {
        let case = &source.record.case;
        let contact = &source.record.complainant;
        let numbers = [
            Some(case.number.as_str()),
            case.order_no.as_deref(),
            case.tracking_no.as_deref(),
        ]
        .into_iter()
        .flatten()
        .map(str::to_lowercase)
        .collect();
        let contact_numbers = [
            contact.phone.as_ref().map(|p| p.as_str().to_owned()),
            contact.email.as_ref().map(|e| e.as_str().to_lowercase()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let mut text: Vec<&str> = vec![case.description.as_str()];
        text.extend(case.tags.iter().map(String::as_str));
        text.extend(case.validity.as_ref().and_then(|v| v.reason.as_deref()));
        text.extend(case.analysis.as_ref().map(|a| a.findings.as_str()));
        text.extend(case.options.iter().filter_map(|o| o.note.as_deref()));
        text.extend(case.execution.as_ref().map(|e| e.note.as_str()));
        text.extend(case.follow_up.as_ref().and_then(|f| f.comment.as_deref()));
        if let Some(closing) = &case.closing {
            text.push(closing.summary.as_str());
            text.extend(closing.lessons.as_deref());
        }
        text.extend(source.comments.iter().map(String::as_str));
        let resolve_by = case.deadlines.resolve_by.map(|t| t.timestamp_millis());
        CaseDoc {
            id: case.id,
            version: case.version,
            numbers,
            contact_numbers,
            name: contact.name.as_str().to_owned(),
            text: text.join("\n"),
            status: case.status.code().to_owned(),
            open: case.status.is_open(),
            category: case.category.code().to_owned(),
            channel: case.channel.code().to_owned(),
            department: case.department.as_ref().map(|d| d.as_str().to_owned()),
            assignee: case.assignee.clone(),
            resolve_by,
            queue_key: kesu_store::queue_key(case),
        }
    }
}

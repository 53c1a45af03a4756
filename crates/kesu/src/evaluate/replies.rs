//! The reply checker's report: violations found, missed and falsely flagged.

use super::*;

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub(super) enum Violation {
    Contact,
    Tone,
    PersonalData,
    /// Something offered for a review, or money around the platform: no real text in the
    /// sets is labelled so; each one flagged is a false alarm on ordinary review talk.
    PaidReview,
}

impl Violation {
    fn of(kind: FindingKind) -> Option<Violation> {
        match kind {
            FindingKind::OffPlatformContact
            | FindingKind::PhoneNumber
            | FindingKind::Address
            | FindingKind::ExternalLink => Some(Violation::Contact),
            FindingKind::Tone => Some(Violation::Tone),
            FindingKind::PersonalData => Some(Violation::PersonalData),
            FindingKind::PaidReview | FindingKind::OffPlatformPayment => {
                Some(Violation::PaidReview)
            }
            FindingKind::MissingGreeting
            | FindingKind::MissingApology
            | FindingKind::MissingThanks => None,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Violation::Contact => "contact",
            Violation::Tone => "tone",
            Violation::PersonalData => "personal_data",
            Violation::PaidReview => "paid_review",
        }
    }
}

pub(super) fn replies_report(sets: &[(String, Vec<LabelledReply>)], verbose: bool) -> String {
    let rules = ReplyRules::builtin();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Reply checker, channel platform, purpose reply (greeting/thanks checks off)"
    );
    for (name, items) in sets {
        let mut by_kind: BTreeMap<Violation, (usize, usize)> = BTreeMap::new();
        let (mut violating, mut caught, mut ordinary, mut flagged, mut blocked) = (0, 0, 0, 0, 0);
        let mut misses = Vec::new();
        let mut false_alarms = Vec::new();
        for item in items {
            let findings = check(
                &rules,
                &Reply {
                    text: &item.text,
                    channel: Some(Channel::Platform),
                    purpose: Purpose::Reply,
                    personal: Vec::new(),
                },
            );
            let found: Vec<_> = findings
                .into_iter()
                .filter_map(|f| Violation::of(f.kind).map(|v| (v, f)))
                .collect();
            if item.violations.is_empty() {
                ordinary += 1;
                if !found.is_empty() {
                    flagged += 1;
                    if found.iter().any(|(_, f)| f.blocking) {
                        blocked += 1;
                    }
                    false_alarms.push((item, found));
                }
                continue;
            }
            violating += 1;
            let mut all = true;
            for v in &item.violations {
                let hit = found.iter().any(|(k, _)| k == v);
                let entry = by_kind.entry(*v).or_default();
                entry.0 += 1;
                entry.1 += usize::from(hit);
                all &= hit;
            }
            if all {
                caught += 1;
            } else {
                misses.push((item, found));
            }
        }
        let _ = writeln!(out, "\n{name}");
        let _ = writeln!(
            out,
            "  violating {violating}: caught {caught}, recall {}",
            percent(ratio(caught, violating))
        );
        for (kind, (labelled, hit)) in &by_kind {
            let _ = writeln!(
                out,
                "    {:<14} {hit}/{labelled} ({})",
                kind.code(),
                percent(ratio(*hit, *labelled))
            );
        }
        let _ = writeln!(
            out,
            "  ordinary {ordinary}: flagged {flagged}, false-positive rate {} (blocking: {blocked}, {})",
            percent(ratio(flagged, ordinary)),
            percent(ratio(blocked, ordinary))
        );
        if verbose {
            for (label, list) in [("missed", &misses), ("flagged wrongly", &false_alarms)] {
                for (item, found) in list.iter() {
                    let words: Vec<String> = found
                        .iter()
                        .map(|(k, f)| format!("{}:{}", k.code(), f.text))
                        .collect();
                    let _ = writeln!(
                        out,
                        "  {label} {} {:?} found {:?}\n    {}",
                        item.source,
                        item.violations.iter().map(|v| v.code()).collect::<Vec<_>>(),
                        words,
                        item.text
                    );
                }
            }
        }
    }
    out
}

//! Every fuzz seed and every crash a fuzz run kept (`fuzz/seeds/`, `fuzz/regressions/`),
//! replayed through the same parsers as the fuzz targets on the stable toolchain: each must
//! be refused or accepted, never panic.

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use kesu_domain::command::Command;
use kesu_domain::lifecycle::ActionName;
use kesu_domain::refund::{quote, QuoteRequest};
use kesu_domain::registration::RegistrationForm;
use kesu_domain::tracking::TrackingEventForm;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut out = Vec::new();
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else {
            continue;
        };
        for e in entries.flatten() {
            let bytes = std::fs::read(e.path()).unwrap();
            out.push((e.path(), bytes));
        }
    }
    out
}

#[test]
fn json_bodies() {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap();
    let seeds = inputs("json_bodies");
    assert!(!seeds.is_empty(), "the seeds are there");
    for (path, data) in seeds {
        if let Ok(form) = serde_json::from_slice::<RegistrationForm>(&data) {
            let _ = form.parse(now);
        }
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&data) {
            for action in ActionName::ALL {
                let _ = Command::parse(*action, value.clone());
            }
        }
        eprintln!("ok: {}", path.display());
    }
}

#[test]
fn order_import() {
    let mut parsed = 0;
    for (_, data) in inputs("order_import") {
        let Ok((text, _)) = kesu_import::decode(data) else {
            continue;
        };
        let lines: Vec<(usize, &str)> = text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect();
        parsed += kesu_import::jsonl::parse_lines(&lines).orders.len();
        if let Ok(p) = kesu_import::csv_orders::parse(&text) {
            parsed += p.orders.len();
        }
    }
    assert!(
        parsed >= 2,
        "the seeds hold a good CSV and JSON Lines order"
    );
}

#[test]
fn tracking_push() {
    for (_, data) in inputs("tracking_push") {
        let _ = kesu_domain::kuaidi100::read_push(&data, chrono_tz::Asia::Shanghai);
        if let Ok(form) = serde_json::from_slice::<TrackingEventForm>(&data) {
            let _ = form.parse("");
        }
    }
}

#[test]
fn refund_quote() {
    let mut quoted = 0;
    for (_, data) in inputs("refund_quote") {
        if let Ok(req) = serde_json::from_slice::<QuoteRequest>(&data) {
            quoted += usize::from(quote(&req).is_ok());
        }
    }
    assert!(quoted >= 1, "the seed is a good quote request");
}

#[test]
fn email() {
    let inputs = inputs("email");
    assert!(!inputs.is_empty(), "the email target has seeds");
    for (_, data) in inputs {
        if let Ok(mail) = kesu_import::email::read(&data) {
            let _ = kesu_import::email::case_number_in(&mail.subject);
            for file in &mail.files {
                if let Ok(kind) = kesu_domain::attachment::sniff(&file.name, &file.bytes) {
                    let _ = kesu_domain::attachment::display_name(&file.name, kind);
                }
            }
        }
        let _ = kesu_domain::attachment::sniff("x", &data);
    }
}

//! Request bodies of the API: a registration and every case action, as any bytes. Parsing
//! may refuse them, never panic.
#![no_main]

use chrono::{TimeZone, Utc};
use kesu_domain::command::Command;
use kesu_domain::lifecycle::ActionName;
use kesu_domain::registration::RegistrationForm;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap();
    if let Ok(form) = serde_json::from_slice::<RegistrationForm>(data) {
        let _ = form.parse(now);
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        // The first byte picks the action, so every parser is reached.
        let all = ActionName::ALL;
        let action = all[data.first().copied().unwrap_or(0) as usize % all.len()];
        let _ = Command::parse(action, value);
    }
});

//! Tracking pushes: kuaidi100's form body and kesu's own tracking event JSON, as any bytes.
#![no_main]

use kesu_domain::tracking::TrackingEventForm;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kesu_domain::kuaidi100::read_push(data, chrono_tz::Asia::Shanghai);
    if let Ok(form) = serde_json::from_slice::<TrackingEventForm>(data) {
        let _ = form.parse("");
    }
});

//! kuaidi100's subscription push, read into tracking events. kuaidi100 posts a form field
//! `param` holding JSON: `lastResult.state` is the parcel's state now, `data[]` its scans
//! newest first (times in the shop's zone, `2026-11-20 08:00:00`), `status`
//! `shutdown`/`abort` when monitoring ends.

use chrono::{NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::tracking::{TrackingEvent, TrackingStatus};

#[derive(Deserialize)]
struct Push {
    #[serde(default)]
    status: String,
    #[serde(rename = "lastResult")]
    last_result: LastResult,
}

#[derive(Deserialize)]
struct LastResult {
    state: String,
    com: String,
    nu: String,
    #[serde(default)]
    data: Vec<Scan>,
}

#[derive(Deserialize)]
struct Scan {
    #[serde(default)]
    context: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    location: Option<String>,
}

/// What a push says.
#[derive(Debug, Clone, PartialEq)]
pub enum Pushed {
    /// The parcel's scans, oldest first; `stopped` when kuaidi100 gave up monitoring it.
    Events {
        events: Vec<TrackingEvent>,
        tracking_no: String,
        stopped: bool,
    },
    /// A state kesu does not know: nothing to store.
    UnknownState,
}

/// Why a push was refused (kuaidi100 is told, in its own words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No `param`, or not kuaidi100's JSON.
    Malformed,
    /// A scan without a usable carrier or tracking number.
    BadParcel,
}

impl Refused {
    /// kuaidi100's operators read this.
    pub fn message_zh(self) -> &'static str {
        match self {
            Refused::Malformed => "param 缺失或格式错误",
            Refused::BadParcel => "运单号或快递公司无效",
        }
    }
}

/// kuaidi100's company codes → kesu's carrier codes.
pub fn carrier(com: &str) -> String {
    match com {
        "yuantong" => "yto",
        "shunfeng" => "sf",
        "zhongtong" => "zto",
        "shentong" => "sto",
        "yunda" => "yunda",
        "jd" | "jingdong" => "jd",
        "ems" => "ems",
        other => other,
    }
    .chars()
    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
    .collect::<String>()
    .to_ascii_lowercase()
}

/// Reads a push's form body; scan times are in `zone`.
pub fn read_push(body: &[u8], zone: Tz) -> Result<Pushed, Refused> {
    let param = form_urlencoded::parse(body)
        .find(|(k, _)| k == "param")
        .map(|(_, v)| v.into_owned());
    let push = param
        .and_then(|p| serde_json::from_str::<Push>(&p).ok())
        .ok_or(Refused::Malformed)?;
    let r = &push.last_result;
    let Some(now_status) = TrackingStatus::from_kuaidi100(&r.state) else {
        return Ok(Pushed::UnknownState);
    };
    // Newest first: the newest scan carries the state; older ones are the way there.
    let mut events = Vec::new();
    for (i, scan) in r.data.iter().enumerate() {
        let Ok(naive) = NaiveDateTime::parse_from_str(scan.time.trim(), "%Y-%m-%d %H:%M:%S") else {
            continue;
        };
        let Some(at) = zone.from_local_datetime(&naive).earliest() else {
            continue;
        };
        events.push(TrackingEvent {
            carrier: carrier(&r.com),
            tracking_no: r.nu.trim().to_owned(),
            at: at.with_timezone(&Utc),
            status: if i == 0 {
                now_status
            } else {
                TrackingStatus::InTransit
            },
            location: scan.location.clone().filter(|l| !l.trim().is_empty()),
            text: Some(scan.context.clone()).filter(|t| !t.trim().is_empty()),
        });
    }
    events.reverse();
    if events
        .iter()
        .any(|e| e.carrier.is_empty() || crate::text::identifier("nu", &e.tracking_no, 40).is_err())
    {
        return Err(Refused::BadParcel);
    }
    Ok(Pushed::Events {
        events,
        tracking_no: r.nu.trim().to_owned(),
        stopped: push.status == "abort",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> Vec<u8> {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("param", json)
            .finish()
            .into_bytes()
    }

    #[test]
    fn a_push_reads_oldest_first_with_the_state_on_the_newest_scan() {
        let json = r#"{"status":"polling","lastResult":{"state":"3","com":"yuantong","nu":"YT1","data":[
            {"context":"已签收","time":"2026-11-20 18:00:00","location":"上海"},
            {"context":"运输中","time":"2026-11-19 08:00:00"}]}}"#;
        let Ok(Pushed::Events {
            events, stopped, ..
        }) = read_push(&body(json), chrono_tz::Asia::Shanghai)
        else {
            panic!()
        };
        assert!(!stopped);
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].status, TrackingStatus::InTransit);
        assert_eq!(events[1].status, TrackingStatus::Delivered);
        assert_eq!(events[1].carrier, "yto");
        assert_eq!(events[1].at.to_rfc3339(), "2026-11-20T10:00:00+00:00");
    }

    #[test]
    fn garbage_and_bad_parcels_are_refused() {
        let zone = chrono_tz::Asia::Shanghai;
        assert_eq!(read_push(b"x=1", zone), Err(Refused::Malformed));
        assert_eq!(read_push(&body("{}"), zone), Err(Refused::Malformed));
        let bad = r#"{"lastResult":{"state":"0","com":"!!","nu":"YT1","data":[{"time":"2026-11-19 08:00:00"}]}}"#;
        assert_eq!(read_push(&body(bad), zone), Err(Refused::BadParcel));
    }
}

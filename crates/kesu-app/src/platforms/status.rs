//! How a polled source's syncs go, kept per source for its admins: where its cursor stands,
//! when it last read, what it took, and the error that stopped it, if one did.

use chrono::{DateTime, Utc};
use kesu_domain::platform::Platform;
use kesu_store::Store;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

/// Notes of skipped requests kept, newest last.
const NOTES_KEPT: usize = 10;

/// A polled source's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    /// Everything updated before this has been read (less the overlap each sync reads again).
    pub cursor: Option<DateTime<Utc>>,
    pub last_started_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// What stopped the last sync early (it goes on from its cursor next time).
    pub error: Option<String>,
    pub error_at: Option<DateTime<Utc>>,
    /// Requests read in the last sync: new cases, changed cases, nothing new.
    pub last_opened: u64,
    pub last_changed: u64,
    pub last_unchanged: u64,
    /// Since the source was set up.
    pub opened_total: u64,
    pub changed_total: u64,
    pub skipped_total: u64,
    /// Why requests were skipped (a type kesu does not take, an order of another shop).
    pub notes: Vec<String>,
}

impl SyncReport {
    pub(crate) fn started(&mut self, now: DateTime<Utc>) {
        self.last_started_at = Some(now);
        self.last_opened = 0;
        self.last_changed = 0;
        self.last_unchanged = 0;
    }

    pub(crate) fn took(&mut self, created: bool, changed: bool) {
        match (created, changed) {
            (true, _) => {
                self.last_opened += 1;
                self.opened_total += 1;
            }
            (false, true) => {
                self.last_changed += 1;
                self.changed_total += 1;
            }
            (false, false) => self.last_unchanged += 1,
        }
    }

    pub(crate) fn skipped(&mut self, why: &str) {
        self.skipped_total += 1;
        self.notes.push(why.chars().take(200).collect());
        if self.notes.len() > NOTES_KEPT {
            self.notes.remove(0);
        }
    }

    pub(crate) fn finished(&mut self, now: DateTime<Utc>, error: Option<String>) {
        match error {
            None => {
                self.last_success_at = Some(now);
                self.error = None;
                self.error_at = None;
            }
            Some(e) => {
                self.error = Some(e);
                self.error_at = Some(now);
            }
        }
    }
}

fn key(platform: Platform, shop: &str) -> String {
    format!("platform_status:{}:{shop}", platform.code())
}

/// The source's report (empty before its first sync).
pub async fn load(store: &Store, platform: Platform, shop: &str) -> AppResult<SyncReport> {
    match store.setting(&key(platform, shop)).await? {
        None => Ok(SyncReport::default()),
        Some(raw) => serde_json::from_str(&raw)
            .map_err(|e| AppError::Internal(format!("a sync report is unreadable: {e}"))),
    }
}

pub(crate) async fn save(
    store: &Store,
    platform: Platform,
    shop: &str,
    report: &SyncReport,
) -> AppResult<()> {
    let raw = serde_json::to_string(report).map_err(|e| AppError::Internal(e.to_string()))?;
    store.set_setting(&key(platform, shop), &raw).await?;
    Ok(())
}

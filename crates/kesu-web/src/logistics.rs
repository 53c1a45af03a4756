//! Watching parcels: exceptions found by time (not picked up, no tracking, stalled).

use crate::error::ApiResult;
use crate::AppState;

/// Finds parcels whose silence is itself the problem. Returns how many exceptions opened.
pub async fn scan(_state: &AppState) -> ApiResult<usize> {
    Ok(0)
}

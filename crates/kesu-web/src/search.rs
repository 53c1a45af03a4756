//! Listing cases for the queue and the API: the database's indexed queue when nothing is
//! searched for, the search index when something is.

use kesu_search::SearchQuery;
use kesu_store::{CaseFilter, CaseRecord, Page};

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The last page number the list answers (10,000 pages of at most 200 cases).
pub const MAX_PAGE: u32 = 10_000;

/// One page of the cases `filter` selects, and how many it selects in all.
pub async fn list_cases(
    state: &AppState,
    filter: &CaseFilter,
    page: Page,
) -> ApiResult<(Vec<CaseRecord>, i64)> {
    let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) else {
        return Ok(state.store.cases(filter, page).await?);
    };
    let query = SearchQuery {
        q: q.to_owned(),
        personal: filter.search_personal_data,
        status: filter.status.map(|s| s.code().to_owned()),
        open: filter.open,
        category: filter.category.map(|c| c.code().to_owned()),
        channel: filter.channel.map(|c| c.code().to_owned()),
        department: filter.department.as_ref().map(|d| d.as_str().to_owned()),
        assignee: filter.assignee.clone(),
        unassigned: filter.unassigned,
        overdue: filter.overdue,
        now_ms: filter
            .now
            .unwrap_or_else(|| state.clock.now())
            .timestamp_millis(),
        by_deadline: filter.sort_by_deadline,
    };
    let size = page.size.max(1) as usize;
    // Past the last page a caller may ask for, nothing: a search never collects more than
    // MAX_PAGE pages of hits (a page of four billion made the index allocate terabytes).
    if page.number > MAX_PAGE {
        return Ok((Vec::new(), 0));
    }
    let offset = (page.number.max(1) as usize - 1) * size;
    let (ids, total) = state
        .search
        .find(query, offset, size)
        .await
        .map_err(|e| ApiError::Internal(format!("search: {e}")))?;
    let items = state.store.cases_by_ids(&ids).await?;
    Ok((items, total as i64))
}

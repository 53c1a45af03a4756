//! Refund quotes: what to return, to the cent, for the lines asked (docs/interface.md §5).

use axum::extract::State;
use axum::{routing::post, Json, Router};
use kesu_domain::refund::{self, Quote, QuoteRequest};

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/refunds/quote", post(quote))
}

/// Quotes a refund: the allocation of the order's discounts and points over its lines,
/// and the cash and points to return for the requested units (and shipping).
#[utoipa::path(post, path = "/api/v1/refunds/quote", tag = "refunds", security(("bearer" = [])),
    request_body = QuoteRequest,
    responses((status = 200, body = Quote), (status = 400, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn quote(
    State(state): State<AppState>,
    Caller(_): Caller,
    ApiJson(req): ApiJson<QuoteRequest>,
) -> ApiResult<Json<Quote>> {
    quote_request(&req, state.clock.now()).map(Json)
}

/// The quote, or a 422 naming every invalid field; a request without `at` is made `now`
/// (whether a coupon is still valid).
pub fn quote_request(req: &QuoteRequest, now: chrono::DateTime<chrono::Utc>) -> ApiResult<Quote> {
    let mut req = req.clone();
    req.at.get_or_insert_with(|| now.fixed_offset());
    refund::quote(&req).map_err(ApiError::Invalid)
}

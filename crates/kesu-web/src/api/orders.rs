//! Orders: stored by integrations and imports, shown to agents beside the case.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::put;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kesu_app::orders::{self, Stored};
use kesu_domain::order::{BuyerView, Order, OrderForm, RefundRecord, Refundable, Shipment};
use kesu_domain::refund::{allocate, Discount, LineAllocation, OrderLine};
use kesu_store::User;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiResult;
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders/{order_no}", put(put_order).get(get_order))
        .route("/orders/{order_no}/flags", put(put_flags))
}

/// An order as the caller may see it, with the allocation of its money and what is left
/// to refund.
#[derive(Serialize, ToSchema)]
pub struct OrderView {
    pub order_no: String,
    pub shop: String,
    pub buyer: BuyerView,
    pub placed_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub payment_method: Option<String>,
    pub lines: Vec<OrderLine>,
    pub discounts: Vec<Discount>,
    pub points_cents: i64,
    pub shipping_cents: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub payments: Vec<kesu_domain::refund::Payment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_shipping: Option<kesu_domain::refund::FreeShipping>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freight_insurance: Option<kesu_domain::return_freight::FreightInsurance>,
    pub allocation: Vec<LineAllocation>,
    pub shipments: Vec<Shipment>,
    pub refunds: Vec<RefundRecord>,
    pub refundable: Option<Refundable>,
}

impl OrderView {
    pub fn new(order: Order, caller: &User) -> OrderView {
        OrderView {
            allocation: allocate(&order.amounts).unwrap_or_default(),
            refundable: order.refundable().ok(),
            buyer: order.buyer.view(caller.role.sees_personal_data()),
            order_no: order.order_no.to_string(),
            shop: order.shop,
            placed_at: order.placed_at,
            paid_at: order.paid_at,
            payment_method: order.payment_method,
            lines: order.amounts.lines,
            discounts: order.amounts.discounts,
            points_cents: order.amounts.points_cents,
            shipping_cents: order.amounts.shipping_cents,
            payments: order.amounts.payments,
            free_shipping: order.amounts.free_shipping,
            freight_insurance: order.freight_insurance,
            shipments: order.shipments,
            refunds: order.refunds,
        }
    }
}

/// Stores an order (create or replace; the same request twice leaves the same order).
/// Shipments and refunds kesu itself made for cases are kept.
#[utoipa::path(put, path = "/api/v1/orders/{order_no}", tag = "orders", security(("bearer" = [])),
    params(("order_no" = String, Path)), request_body = OrderForm,
    responses((status = 201, body = OrderView, description = "created"), (status = 200, body = OrderView, description = "replaced"),
              (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn put_order(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(order_no): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<OrderView>)> {
    let form: OrderForm = from_value(body)?;
    let (stored, how) = orders::store_order(
        &state.store,
        caller.role,
        &order_no,
        form,
        state.clock.now(),
    )
    .await?;
    let status = match how {
        Stored::Created => StatusCode::CREATED,
        Stored::Replaced => StatusCode::OK,
    };
    Ok((status, Json(OrderView::new(stored, &caller))))
}

/// One order, the buyer's personal data masked unless the caller's role needs it.
#[utoipa::path(get, path = "/api/v1/orders/{order_no}", tag = "orders", security(("bearer" = [])),
    params(("order_no" = String, Path)),
    responses((status = 200, body = OrderView), (status = 404, body = crate::error::Problem)))]
async fn get_order(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(order_no): Path<String>,
) -> ApiResult<Json<OrderView>> {
    let order = orders::order(&state.store, &order_no).await?;
    Ok(Json(OrderView::new(order, &caller)))
}

/// The product flags of some lines: `{"lines": [{"line_id", "flags": [...]}]}`.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagsForm {
    #[schema(value_type = Vec<Object>)]
    pub lines: Vec<orders::LineFlags>,
}

/// Sets the product flags of lines of a stored order (seven-day returns): each line named
/// gets exactly the flags given (an empty list clears them). A line the order does not
/// have, or named twice: 422 naming it, nothing stored. Flags survive a later version of
/// the order that does not mention them.
#[utoipa::path(put, path = "/api/v1/orders/{order_no}/flags", tag = "orders", security(("bearer" = [])),
    params(("order_no" = String, Path)), request_body = FlagsForm,
    responses((status = 200, body = OrderView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn put_flags(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(order_no): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<OrderView>> {
    let form: FlagsForm = from_value(body)?;
    let order = orders::set_product_flags(
        &state.store,
        caller.role,
        &order_no,
        &form.lines,
        state.clock.now(),
    )
    .await?;
    Ok(Json(OrderView::new(order, &caller)))
}

//! Step 7 for resolutions that move goods or money: each refund flow of DOMAIN.md
//! ("Refunds") as a fixed sequence of steps, guarded by the order's real state. The last
//! step carries the resolution out: it records the refund or the new shipment on the order.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::case::{Case, ResolutionOption};
use crate::codes::ResolutionKind;
use crate::order::{Order, OrderNo, RefundRecord, Shipment};
use crate::refund::RequestedLine;

/// How a chosen resolution is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// 仅退款-未发货: confirm nothing left the warehouse, cancel, refund.
    RefundNotShipped,
    /// 仅退款-已发货: follow the parcel, get it intercepted, refused or returned, refund.
    RefundShipped,
    /// 退货退款: return parcel, receipt, inspection, restock, refund.
    ReturnRefund,
    /// 换货: return parcel, receipt, inspection, the new item shipped.
    Exchange,
    /// 补发: the replacement shipped.
    Reship,
    /// Partial refund or compensation by amount.
    AmountRefund,
    /// Nothing to move: carried out with a note (`execute`).
    Simple,
}

/// One step of a flow; each is an action of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Step {
    ConfirmNotShipped,
    CancelOrder,
    TrackParcel,
    ParcelBack,
    ReturnShipped,
    ReceiveReturn,
    Inspect,
    Restock,
    Refund,
    ShipReplacement,
}

impl Step {
    pub const ALL: &'static [Step] = &[
        Step::ConfirmNotShipped,
        Step::CancelOrder,
        Step::TrackParcel,
        Step::ParcelBack,
        Step::ReturnShipped,
        Step::ReceiveReturn,
        Step::Inspect,
        Step::Restock,
        Step::Refund,
        Step::ShipReplacement,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Step::ConfirmNotShipped => "confirm_not_shipped",
            Step::CancelOrder => "cancel_order",
            Step::TrackParcel => "track_parcel",
            Step::ParcelBack => "parcel_back",
            Step::ReturnShipped => "return_shipped",
            Step::ReceiveReturn => "receive_return",
            Step::Inspect => "inspect",
            Step::Restock => "restock",
            Step::Refund => "refund",
            Step::ShipReplacement => "ship_replacement",
        }
    }
}

impl Flow {
    /// The flow for `option`, given what has shipped on the order.
    pub fn for_option(option: &ResolutionOption, order: Option<&Order>) -> Flow {
        match option.kind {
            ResolutionKind::Refund => {
                let shipped = order.is_some_and(|o| {
                    requested_lines(option, o)
                        .iter()
                        .any(|l| o.shipped_units(&l.line_id) > 0)
                });
                if shipped {
                    Flow::RefundShipped
                } else {
                    Flow::RefundNotShipped
                }
            }
            ResolutionKind::ReturnRefund => Flow::ReturnRefund,
            ResolutionKind::Exchange => Flow::Exchange,
            ResolutionKind::Reship => Flow::Reship,
            ResolutionKind::PartialRefund | ResolutionKind::Compensation => Flow::AmountRefund,
            _ => Flow::Simple,
        }
    }

    pub fn steps(self) -> &'static [Step] {
        use Step::*;
        match self {
            Flow::RefundNotShipped => &[ConfirmNotShipped, CancelOrder, Refund],
            Flow::RefundShipped => &[TrackParcel, ParcelBack, Refund],
            Flow::ReturnRefund => &[ReturnShipped, ReceiveReturn, Inspect, Restock, Refund],
            Flow::Exchange => &[ReturnShipped, ReceiveReturn, Inspect, ShipReplacement],
            Flow::Reship => &[ShipReplacement],
            Flow::AmountRefund => &[Refund],
            Flow::Simple => &[],
        }
    }
}

/// The lines an option is about: those it names, else every line with units left.
pub fn requested_lines(option: &ResolutionOption, order: &Order) -> Vec<RequestedLine> {
    if !option.lines.is_empty() {
        return option.lines.clone();
    }
    match order.refundable() {
        Ok(r) => r
            .lines
            .into_iter()
            .filter(|l| l.quantity > 0)
            .map(|l| RequestedLine {
                line_id: l.line_id,
                quantity: l.quantity,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Inspection of returned goods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Inspection {
    /// Quantity and spec match the request.
    Pass,
    /// Only some units are acceptable (`lines` says which).
    Partial,
    /// Nothing acceptable: the case goes back to negotiation.
    Fail,
}

impl Inspection {
    pub const ALL: [Inspection; 3] = [Inspection::Pass, Inspection::Partial, Inspection::Fail];

    pub fn code(self) -> &'static str {
        match self {
            Inspection::Pass => "pass",
            Inspection::Partial => "partial",
            Inspection::Fail => "fail",
        }
    }
}

/// What a parcel on its way to the customer became.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ParcelOutcome {
    Intercepted,
    Refused,
    Returned,
}

impl ParcelOutcome {
    pub const ALL: [ParcelOutcome; 3] = [
        ParcelOutcome::Intercepted,
        ParcelOutcome::Refused,
        ParcelOutcome::Returned,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ParcelOutcome::Intercepted => "intercepted",
            ParcelOutcome::Refused => "refused",
            ParcelOutcome::Returned => "returned",
        }
    }
}

/// A step's fields, as sent with its action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepFields {
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub outcome: Option<ParcelOutcome>,
    #[serde(default)]
    pub carrier: Option<String>,
    #[serde(default)]
    pub tracking_no: Option<String>,
    #[serde(default)]
    pub result: Option<Inspection>,
    #[serde(default)]
    pub lines: Option<Vec<RequestedLine>>,
    #[serde(default)]
    pub spec_matches: Option<bool>,
    #[serde(default)]
    pub photos: Vec<String>,
    #[serde(default)]
    pub method: Option<String>,
    /// The warehouse confirms the goods are back (`parcel_back`, `receive_return`).
    #[serde(default)]
    pub received: Option<bool>,
    /// A supervisor lets a step pass without the proof it needs, and says why.
    #[serde(default)]
    pub override_reason: Option<String>,
    /// What the customer paid to send the goods back (`return_shipped`).
    #[serde(default)]
    pub freight_cents: Option<i64>,
}

/// A step taken, kept on the case and in its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepRecord {
    pub step: Step,
    pub by: String,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The step's own facts: parcel status, outcome, return tracking, inspection, refund…
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: StepData,
}

impl<'de> Deserialize<'de> for StepRecord {
    /// The data is read by the step it belongs to.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Stored {
            step: Step,
            by: String,
            at: DateTime<Utc>,
            #[serde(default)]
            note: Option<String>,
            #[serde(default)]
            data: serde_json::Value,
        }
        let s = Stored::deserialize(d)?;
        Ok(StepRecord {
            data: StepData::read(s.step, s.data),
            step: s.step,
            by: s.by,
            at: s.at,
            note: s.note,
        })
    }
}

/// A change the step makes to the order, written in the same transaction as the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderEffect {
    Refund {
        order_no: OrderNo,
        refund: RefundRecord,
    },
    Shipment {
        order_no: OrderNo,
        shipment: Shipment,
    },
}

/// What a step decided: its record, whether it ends the flow (or fails it), and its effects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepOutcome {
    pub record: StepRecord,
    pub completes: bool,
    pub fails: bool,
    pub effects: Vec<OrderEffect>,
}

/// The next step of the case's flow, if it is carrying one out.
pub fn next_step(case: &Case) -> Option<Step> {
    let chosen = case.chosen.as_ref()?;
    chosen.flow.steps().get(case.steps_done.len()).copied()
}

mod check;
mod decide;
mod goods_back;
mod step_data;

pub use check::check_option;
pub use decide::decide_step;
pub use goods_back::{GoodsEvidence, ParcelStatus};
pub use step_data::StepData;

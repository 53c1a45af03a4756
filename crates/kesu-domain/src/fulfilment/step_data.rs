//! What each step of a flow records, typed. Stored as the step's own fields (the shape the
//! API has always shown), read back by the step it belongs to.

use serde::Serialize;
use serde_json::Value;

use super::{GoodsEvidence, Inspection, ParcelOutcome, Step};
use crate::refund::{RefundedLine, RequestedLine};
use crate::return_freight::ReturnFreight;

/// The facts a step recorded beyond its note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum StepData {
    /// `confirm_not_shipped`: the lines checked as still in the warehouse.
    NotShipped { checked_lines: Vec<RequestedLine> },
    /// `receive_return` with its proof (when an agent took it or a supervisor overrode).
    Received { evidence: GoodsEvidence },
    /// `cancel_order`, `receive_return`, `restock`: nothing beyond the note.
    Done {},
    /// `track_parcel`: where the parcel is, in the agent's words.
    Tracked { status: String },
    /// `parcel_back`: what became of the parcel on its way to the customer.
    Back {
        outcome: ParcelOutcome,
        /// Why kesu believes the parcel is back; none on steps taken before kesu asked.
        #[serde(skip_serializing_if = "Option::is_none")]
        evidence: Option<GoodsEvidence>,
    },
    /// `return_shipped`: the parcel the customer sent back.
    ReturnShipped {
        carrier: String,
        tracking_no: String,
        /// The return freight and who bears it (谁过错谁承担).
        #[serde(skip_serializing_if = "Option::is_none")]
        freight: Option<ReturnFreight>,
    },
    /// `inspect`: the result and the units accepted.
    Inspected {
        result: Inspection,
        accepted: Vec<RequestedLine>,
        spec_matches: Option<bool>,
        photos: Vec<String>,
    },
    /// `refund`: the money paid back.
    Refunded {
        cash_cents: i64,
        points_cents: i64,
        shipping_cents: i64,
        lines: Vec<RefundedLine>,
        method: String,
        /// The return freight the shop reimburses with the refund.
        #[serde(skip_serializing_if = "Option::is_none")]
        freight_cents: Option<i64>,
    },
    /// `ship_replacement`: the new parcel.
    Replaced {
        carrier: String,
        tracking_no: String,
        lines: Vec<RequestedLine>,
    },
    /// Written by another version of kesu in a shape this one does not read; kept as it is.
    Unread(Value),
}

impl StepData {
    /// The data `step` stored. Anything that does not read back exactly as it was written is
    /// kept untouched as [`StepData::Unread`], so reading never loses a field.
    pub fn read(step: Step, stored: Value) -> StepData {
        match typed(step, &stored) {
            Some(data) if serde_json::to_value(&data).ok().as_ref() == Some(&stored) => data,
            _ => StepData::Unread(stored),
        }
    }

    /// The units inspection accepted, if this is an inspection's record.
    pub fn accepted(&self) -> Option<&[RequestedLine]> {
        match self {
            StepData::Inspected { accepted, .. } => Some(accepted),
            _ => None,
        }
    }
}

fn typed(step: Step, stored: &Value) -> Option<StepData> {
    fn field<T: serde::de::DeserializeOwned>(stored: &Value, name: &str) -> Option<T> {
        serde_json::from_value(stored.get(name).cloned().unwrap_or(Value::Null)).ok()
    }
    Some(match step {
        Step::ConfirmNotShipped => StepData::NotShipped {
            checked_lines: field(stored, "checked_lines")?,
        },
        Step::ReceiveReturn if stored.get("evidence").is_some() => StepData::Received {
            evidence: field(stored, "evidence")?,
        },
        Step::CancelOrder | Step::ReceiveReturn | Step::Restock => StepData::Done {},
        Step::TrackParcel => StepData::Tracked {
            status: field(stored, "status")?,
        },
        Step::ParcelBack => StepData::Back {
            outcome: field(stored, "outcome")?,
            evidence: field(stored, "evidence")?,
        },
        Step::ReturnShipped => StepData::ReturnShipped {
            carrier: field(stored, "carrier")?,
            tracking_no: field(stored, "tracking_no")?,
            freight: field(stored, "freight")?,
        },
        Step::Inspect => StepData::Inspected {
            result: field(stored, "result")?,
            accepted: field(stored, "accepted")?,
            spec_matches: field(stored, "spec_matches")?,
            photos: field(stored, "photos")?,
        },
        Step::Refund => StepData::Refunded {
            cash_cents: field(stored, "cash_cents")?,
            points_cents: field(stored, "points_cents")?,
            shipping_cents: field(stored, "shipping_cents")?,
            lines: field(stored, "lines")?,
            method: field(stored, "method")?,
            freight_cents: field(stored, "freight_cents")?,
        },
        Step::ShipReplacement => StepData::Replaced {
            carrier: field(stored, "carrier")?,
            tracking_no: field(stored, "tracking_no")?,
            lines: field(stored, "lines")?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn what_each_step_writes_reads_back_typed() {
        let line = json!([{"line_id": "A", "quantity": 1}]);
        let cases = [
            (Step::ConfirmNotShipped, json!({"checked_lines": line})),
            (Step::Restock, json!({})),
            (Step::TrackParcel, json!({"status": "派送中"})),
            (Step::ParcelBack, json!({"outcome": "refused"})),
            (
                Step::ParcelBack,
                json!({"outcome": "returned", "evidence": {"kind": "tracking", "parcels": [
                    {"carrier": "sf", "tracking_no": "SF1", "status": "returned"}]}}),
            ),
            (
                Step::ParcelBack,
                json!({"outcome": "intercepted", "evidence": {"kind": "override", "reason": "快递员已确认"}}),
            ),
            (
                Step::ReceiveReturn,
                json!({"evidence": {"kind": "warehouse", "result": "pass"}}),
            ),
            (
                Step::ReturnShipped,
                json!({"carrier": "yto", "tracking_no": "YT1"}),
            ),
            (
                Step::ReturnShipped,
                json!({"carrier": "yto", "tracking_no": "YT1",
                       "freight": {"cents": 1200, "payer": "insurance", "covered_cents": 1000}}),
            ),
            (
                Step::Inspect,
                json!({"result": "partial", "accepted": line, "spec_matches": null, "photos": []}),
            ),
            (
                Step::Refund,
                json!({"cash_cents": 100, "points_cents": 0, "shipping_cents": 0, "method": "original",
                       "lines": [{"line_id": "A", "quantity": 1, "cash_cents": 100, "points_cents": 0}]}),
            ),
            (
                Step::ShipReplacement,
                json!({"carrier": "sf", "tracking_no": "SF1", "lines": line}),
            ),
        ];
        for (step, stored) in cases {
            let data = StepData::read(step, stored.clone());
            assert!(!matches!(data, StepData::Unread(_)), "{step:?}: {data:?}");
            assert_eq!(serde_json::to_value(&data).unwrap(), stored);
        }
    }

    #[test]
    fn a_shape_it_does_not_know_is_kept_as_it_was() {
        let stored = json!({"status": "派送中", "courier_phone": "95311"});
        let data = StepData::read(Step::TrackParcel, stored.clone());
        assert_eq!(data, StepData::Unread(stored.clone()));
        assert_eq!(serde_json::to_value(&data).unwrap(), stored);
        assert_eq!(
            StepData::read(Step::Inspect, json!({"result": "maybe"})),
            StepData::Unread(json!({"result": "maybe"}))
        );
    }
}

//! Which code lists have labels, and under which key (`<kind>-<code>` in `labels.ftl`).

use kesu_domain::case::{CaseStatus, Outcome};
use kesu_domain::claims::{ClaimReason, ClaimStatus};
use kesu_domain::codes::{
    Category, Channel, Demand, Jurisdiction, Liability, Priority, ResolutionKind, RootCause,
};
use kesu_domain::fulfilment::{Inspection, ParcelOutcome, Step};
use kesu_domain::improvement::ActionStatus;
use kesu_domain::logistics::ExceptionKind;
use kesu_domain::order::ShipmentKind;
use kesu_domain::platform::{AfterSaleKind, Platform, Stage};
use kesu_domain::refund::DiscountKind;
use kesu_domain::scripts::Scenario;
use kesu_domain::seven_day_return::ProductFlag;
use kesu_domain::sla::SlaClock;
use kesu_domain::tracking::TrackingStatus;
use kesu_domain::Role;

/// A code a person reads as a label.
pub trait Labelled: Copy {
    /// The key's prefix in the locale files.
    const KIND: &'static str;
    fn code(self) -> &'static str;
}

impl<T: Labelled> Labelled for &T {
    const KIND: &'static str = T::KIND;
    fn code(self) -> &'static str {
        (*self).code()
    }
}

macro_rules! labelled {
    ($($ty:ty => $kind:literal),+ $(,)?) => {
        $(impl Labelled for $ty {
            const KIND: &'static str = $kind;
            fn code(self) -> &'static str {
                <$ty>::code(self)
            }
        })+

        /// Every labelled code, as its locale key (for the tests).
        #[cfg(test)]
        pub fn every_key() -> Vec<String> {
            let mut keys = Vec::new();
            $(for v in <$ty>::ALL.iter() {
                keys.push(format!("{}-{}", $kind, v.code()));
            })+
            keys
        }
    };
}

labelled!(
    Channel => "channel",
    Category => "category",
    Demand => "demand",
    Liability => "liability",
    RootCause => "root_cause",
    ResolutionKind => "resolution",
    Priority => "priority",
    Jurisdiction => "jurisdiction",
    CaseStatus => "status",
    Step => "step",
    ClaimStatus => "claim_status",
    ClaimReason => "claim_reason",
    SlaClock => "clock",
    ActionStatus => "improvement_status",
    ExceptionKind => "exception",
    TrackingStatus => "tracking",
    Scenario => "scenario",
    Role => "role",
    ShipmentKind => "shipment",
    ParcelOutcome => "parcel_outcome",
    Inspection => "inspection",
    Outcome => "outcome",
    DiscountKind => "discount",
    Platform => "platform",
    AfterSaleKind => "after_sale",
    Stage => "platform_stage",
    ProductFlag => "product_flag",
);

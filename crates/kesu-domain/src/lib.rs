//! kesu's business rules: the complaint case, its lifecycle and the policies that guard it.
//!
//! Everything here is pure: no I/O, no clock reads (time is passed in), no randomness.
//! The store persists what this crate decides; the web layer only translates.

pub mod access_policy;
pub mod account;
pub mod accountability;
pub mod after_sales_policy;
pub mod attachment;
pub mod audit;
pub mod audit_content;
pub mod audit_kind;
pub mod calendar;
pub mod call_plan;
pub mod carriers;
pub mod case;
pub mod claims;
pub mod codes;
pub mod command;
pub mod countdown;
pub mod dates;
pub mod erasure;
pub mod error;
pub mod event;
pub mod fulfilment;
pub mod history;
pub mod improvement;
pub mod jurisdiction;
pub mod jurisdiction_place;
pub mod kuaidi100;
pub mod lifecycle;
pub mod logistics;
pub mod money;
pub mod notify;
pub mod order;
pub mod permission;
pub mod personal;
pub mod personal_fields;
pub mod platform;
pub mod policy;
pub mod problem;
pub mod progress;
pub mod records_audit;
pub mod refund;
pub mod registration;
pub mod reply_check;
mod reply_check_reviews;
pub mod report;
pub mod return_freight;
pub mod reveal;
pub mod role;
pub mod scripts;
pub mod seven_day_return;
pub mod shipping_promise;
pub mod sla;
pub mod sso;
pub mod text;
pub mod tracking;
pub mod triage;

pub use case::{Case, CaseStatus};
pub use command::Command;
pub use error::{FieldError, Problem, Rejection};
pub use event::Event;
pub use lifecycle::{allowed_actions, decide, evolve, ActionName};
pub use permission::{Permission, Scope};
pub use policy::Policy;
pub use role::{Actor, ActorKind, Role};

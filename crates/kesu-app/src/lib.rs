//! kesu's application layer: one function per use case, between the ways in (the JSON API,
//! the workbench, the customer's pages, the tracking endpoints, the worker, the CLI) and
//! the domain and store. Each takes the caller, the input already parsed and `now` from the
//! clock, and returns its result or one [`AppError`]. Nothing here knows HTTP or HTML.
//!
//! | use case | function |
//! | --- | --- |
//! | register a complaint (staff) | [`register::register`] |
//! | the customer's own complaint, with its status link | [`register::complain`] |
//! | a parcel in trouble (flag or open a case) | [`logistics::raise`], [`logistics::scan`] |
//! | read a case, act on it | [`cases::visible_case`], [`cases::act_on`], [`cases::act`] |
//! | the customer's choices on their status page | [`customer::act_as_customer`] |
//! | carrier claims, the exceptions board | [`claims`] |
//! | attach evidence, open it (staff and customers) | [`attachments`] |
//! | a customer's e-mail (open a case or thread onto one) | [`email::take`] |
//! | store an order, read one | [`orders::store_order`], [`orders::order`] |
//! | take a case, assign many | [`ownership::take`], [`ownership::assign_many`] |
//! | deadlines firing, the monitor's rounds | [`worker::round`], [`worker::run`] |
//! | notices to the desk, read and acknowledged | [`notices`] |
//! | triage's suggestion, the shop's model trained | [`triage::suggest`], [`triage::train`] |

pub mod accountability;
pub mod after_sales;
pub mod attachments;
pub mod audit;
pub mod bad_reviews;
pub mod cases;
pub mod claims;
pub mod clock;
pub mod customer;
pub mod email;
pub mod error;
pub mod incidents;
pub mod knowledge;
pub mod logistics;
pub mod mailbox;
pub mod media;
pub mod notices;
pub mod notify;
pub mod orders;
pub mod ownership;
pub mod personal_data;
pub mod platforms;
pub mod quality;
pub mod records_audit;
pub mod register;
pub mod reports;
pub mod shipping;
pub mod sso;
pub mod tracking;
pub mod triage;
pub mod two_factor;
pub mod vault;
pub mod worker;

pub use clock::{Clock, FileClock, FixedClock, SystemClock};
pub use error::{from_value, json_field_error, AppError, AppResult};

/// 403 unless `caller`'s role holds `permission` ("agent may not {what}").
pub(crate) fn require(
    caller: &kesu_store::User,
    permission: kesu_domain::Permission,
    what: &str,
) -> AppResult<()> {
    if caller.role.may(permission) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "{} may not {what}",
            caller.role.code()
        )))
    }
}

/// The id of a `what` (case, claim …) as written in a path: a number, or "not found".
pub fn id_in_path(raw: &str, what: &str) -> AppResult<i64> {
    raw.parse()
        .map_err(|_| AppError::NotFound(format!("no {what} with id `{raw}`")))
}

/// Whether two secrets (codes, tokens, shared keys) are equal, in time that does not tell an
/// attacker how much of a guess was right.
pub fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

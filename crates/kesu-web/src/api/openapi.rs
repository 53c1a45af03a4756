//! The OpenAPI 3 document, generated from the handlers' annotations.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::openapi_errors::ProblemResponses;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "kesu", description = "After-sales complaint and dispute desk: the JSON API."),
    paths(
        super::auth::issue_token, super::auth::me, super::auth::my_tokens, super::auth::revoke_token,
        super::auth::change_password, super::auth::new_token,
        super::me_access::my_sessions, super::me_access::end_session, super::me_access::begin,
        super::me_access::confirm, super::me_access::turn_off,
        super::users::create, super::users::list, super::users::disable, super::users::enable, super::users::unlock,
        super::users::reset_two_factor,
        super::cases::create, super::cases::list, super::cases::show, super::cases::events, super::cases::act,
        super::attachments::upload, super::attachments::list, super::attachments::open,
        super::inbound::receive,
        super::notifications::for_case, super::notifications::opt_out, super::notifications::create,
        super::notifications::list, super::notifications::deliveries, super::notifications::retry,
        super::mailbox::show, super::mailbox::save, super::mailbox::poll,
        super::platforms::list, super::platforms::set_up_site, super::platforms::site_event,
        super::platforms::set_up_api, super::platforms::sync_now, super::platforms::douyin_event,
        super::platform_answers::list, super::platform_answers::give, super::platform_answers::switch,
        super::settings::departments, super::settings::add_department,
        super::settings::policy, super::settings::set_policy,
        super::bad_reviews::record, super::bad_reviews::list, super::bad_reviews::advance,
        super::bad_reviews::counts,
        super::notices::create, super::notices::list, super::notices::posted, super::notices::read,
        super::notices::reads, super::notices::end, super::notices::for_case,
        super::knowledge::create, super::knowledge::list, super::knowledge::show, super::knowledge::edit,
        super::knowledge::for_case, super::knowledge::import, super::knowledge::editors,
        super::knowledge::set_editors,
        super::incidents::merge, super::incidents::link, super::incidents::links,
        super::incidents::open, super::incidents::list, super::incidents::show, super::incidents::update,
        super::incidents::add_cases, super::incidents::reply, super::incidents::propose,
        super::incidents::detect, super::incidents::settings, super::incidents::set_settings,
        super::quality::draw, super::quality::preview, super::quality::list, super::quality::show,
        super::quality::review, super::quality::score, super::quality::answer, super::quality::settings,
        super::quality::set_settings, super::quality::report,
        super::team_reports::agents, super::team_reports::drill,
        super::settings::after_sales_policy, super::settings::set_after_sales_policy,
        super::refunds::quote,
        super::orders::put_order, super::orders::get_order, super::orders::put_flags,
        super::tracking::receive, super::kuaidi100::set_secret, super::kuaidi100::push,
        super::logistics::exceptions, super::logistics::resolve, super::logistics::file,
        super::logistics::shipping_promises,
        super::logistics::case_claims, super::logistics::list, super::logistics::show,
        super::logistics::set_status, super::logistics::evidence_pack, super::replies::check_reply,
        super::triage::suggest, super::triage::model, super::triage::train,
        super::templates::list, super::templates::one, super::templates::add,
        super::templates::replace, super::templates::remove, super::templates::for_case,
        super::replies::rules, super::replies::set_rules, super::triage::rules, super::triage::set_rules,
        super::reports::summary, super::reports::dashboard, super::reports::export_dashboard,
        super::reports::export_register, super::reports::put_order_counts,
        super::improvements::list, super::improvements::create, super::improvements::set_status,
        super::audit::list, super::audit::export_trail,
        super::accountability::show, super::accountability::record, super::accountability::report,
        super::personal_data::search, super::personal_data::export_person, super::personal_data::erase, super::personal_data::reveal,
        super::records_audits::create, super::records_audits::list, super::records_audits::show,
        super::records_audits::record,
    ),
    components(schemas(
        kesu_domain::CaseStatus, kesu_domain::codes::Channel, kesu_domain::codes::Category,
        kesu_domain::codes::Demand, kesu_domain::codes::Liability, kesu_domain::codes::RootCause,
        kesu_domain::codes::ResolutionKind, kesu_domain::Role, kesu_domain::codes::Priority,
        kesu_domain::codes::Jurisdiction,
    )),
    modifiers(&BearerAuth, &ProblemResponses),
    tags((name = "cases", description = "Complaint cases and their lifecycle"),
         (name = "attachments", description = "Evidence files: photos, videos and PDFs on a case"),
         (name = "accounts", description = "Sign-in and staff accounts"),
         (name = "settings", description = "Departments and policy"),
         (name = "refunds", description = "Refund quotes to the cent"),
         (name = "orders", description = "Orders, shipments and refunds"),
         (name = "logistics", description = "Parcel tracking, logistics exceptions and carrier claims"),
         (name = "replies", description = "The reply checker and reply scripts (话术)"),
         (name = "reports", description = "Reports, exports and the complaint register"),
         (name = "platforms", description = "The platforms' after-sales requests and the shop's own site"),
         (name = "audit", description = "The audit trail: its entries, its head, its export"),
         (name = "accountability", description = "Who was responsible for a case, losses, penalties, delays"),
         (name = "notices", description = "Notices to the desk: price, promotion and stock changes, read and acknowledged"),
         (name = "knowledge", description = "Product knowledge: articles per SKU, product, policy and scenario"),
         (name = "incidents", description = "Merged duplicates, linked cases, incidents and complaint spikes"),
         (name = "quality", description = "Quality checks: weekly samples per agent, scores against the checklist, answers"),
         (name = "personal data", description = "Customers' requests: export everything about a person, or erase it")),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}

//! Who may reach each route: one entry per method and path, checked by the server before any
//! handler runs. The capabilities themselves (which role holds what, which department a user
//! sees) are the domain's [`kesu_domain::Permission`] table; this file only says which
//! capability each route needs. A route with no entry is refused, so a new route cannot go
//! out unguarded (the route × role test lists the router's paths and fails first).

use kesu_domain::{Permission, Role};

/// What a route asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Anyone: the health check, assets, signing in, the public complaint form.
    Public,
    /// Anyone who holds the key the request carries (a signed platform push, the carrier
    /// receiver's secret path, the metrics token); the handler checks the key.
    Keyed,
    /// The customer, through their case's link in the path; the handler checks the link.
    CustomerLink,
    /// Any signed-in staff member; what they see is narrowed to their department's cases.
    Staff,
    /// Staff holding this capability.
    May(Permission),
    /// Staff holding any of these capabilities.
    MayAny(&'static [Permission]),
    /// Staff of the roles the admin allowed to edit knowledge (a setting, so the use case
    /// checks it; until the admin chooses, [`kesu_domain::knowledge::DEFAULT_EDITORS`]).
    KnowledgeEditors,
}

impl Gate {
    /// Whether a signed-in staff member of `role` passes.
    pub fn admits(self, role: Role) -> bool {
        match self {
            Gate::Public
            | Gate::Keyed
            | Gate::CustomerLink
            | Gate::Staff
            | Gate::KnowledgeEditors => true,
            Gate::May(p) => role.may(p),
            Gate::MayAny(ps) => ps.iter().any(|p| role.may(*p)),
        }
    }

    /// Whether the route needs a signed-in staff member at all.
    pub fn needs_staff(self) -> bool {
        matches!(
            self,
            Gate::Staff | Gate::May(_) | Gate::MayAny(_) | Gate::KnowledgeEditors
        )
    }
}

use Gate::*;
use Permission::*;

/// Acting on a case: working it, or supervising (approvals are a supervisor's or admin's).
const ACT_ON_CASES: Gate = MayAny(&[WorkCases, SuperviseDesk]);
/// Writing to a case's record from the front desk: those who register or work cases.
const ADD_TO_CASES: Gate = MayAny(&[WorkCases, RegisterCases]);

/// Every route of kesu: (method, path as routed, gate). HEAD follows GET.
pub const ROUTES: &[(&str, &str, Gate)] = &[
    // Service and documents.
    ("GET", "/healthz", Public),
    ("GET", "/metrics", Keyed),
    ("GET", "/api/v1/openapi.json", Public),
    // Accounts.
    ("POST", "/api/v1/auth/token", Public),
    ("GET", "/api/v1/me", Staff),
    ("GET", "/api/v1/me/tokens", Staff),
    ("POST", "/api/v1/me/tokens", Staff),
    ("DELETE", "/api/v1/me/tokens/{id}", Staff),
    ("GET", "/api/v1/me/sessions", Staff),
    ("DELETE", "/api/v1/me/sessions/{id}", Staff),
    ("POST", "/api/v1/me/password", Staff),
    ("POST", "/api/v1/me/two-factor", Staff),
    ("POST", "/api/v1/me/two-factor/confirm", Staff),
    ("DELETE", "/api/v1/me/two-factor", Staff),
    (
        "POST",
        "/api/v1/users/{username}/two-factor/reset",
        May(ManageAccounts),
    ),
    ("GET", "/api/v1/users", May(ListAccounts)),
    ("POST", "/api/v1/users", May(ManageAccounts)),
    (
        "POST",
        "/api/v1/users/{username}/disable",
        May(ManageAccounts),
    ),
    (
        "POST",
        "/api/v1/users/{username}/enable",
        May(ManageAccounts),
    ),
    (
        "POST",
        "/api/v1/users/{username}/unlock",
        May(ManageAccounts),
    ),
    // Cases.
    ("GET", "/api/v1/cases", Staff),
    ("POST", "/api/v1/cases", May(RegisterCases)),
    ("GET", "/api/v1/cases/{id}", Staff),
    ("GET", "/api/v1/cases/{id}/events", Staff),
    ("POST", "/api/v1/cases/{id}/actions", ACT_ON_CASES),
    ("GET", "/api/v1/cases/{id}/templates", Staff),
    ("GET", "/api/v1/cases/{id}/attachments", Staff),
    ("POST", "/api/v1/cases/{id}/attachments", ADD_TO_CASES),
    ("GET", "/api/v1/attachments/{id}", Staff),
    ("GET", "/api/v1/cases/{id}/notifications", Staff),
    (
        "POST",
        "/api/v1/cases/{id}/notifications/opt-out",
        ADD_TO_CASES,
    ),
    ("GET", "/api/v1/cases/{id}/platform/answers", Staff),
    (
        "POST",
        "/api/v1/cases/{id}/platform/answers",
        May(WorkCases),
    ),
    ("GET", "/api/v1/cases/{id}/claims", Staff),
    ("POST", "/api/v1/cases/{id}/claims", May(WorkCases)),
    ("POST", "/api/v1/inbound/email", May(RegisterCases)),
    ("POST", "/api/v1/triage", Staff),
    ("POST", "/api/v1/replies/check", Staff),
    ("POST", "/api/v1/refunds/quote", Staff),
    // Orders and parcels.
    ("GET", "/api/v1/orders/{order_no}", Staff),
    ("PUT", "/api/v1/orders/{order_no}", May(StoreOrders)),
    ("PUT", "/api/v1/orders/{order_no}/flags", May(StoreOrders)),
    ("POST", "/api/v1/tracking/events", May(PostTracking)),
    ("PUT", "/api/v1/integrations/kuaidi100", May(ConfigureDesk)),
    ("POST", "/api/v1/integrations/kuaidi100/{secret}", Keyed),
    ("GET", "/api/v1/logistics/exceptions", Staff),
    ("POST", "/api/v1/cases/{id}/bad-reviews", May(WorkCases)),
    ("GET", "/api/v1/cases/{id}/bad-reviews", Staff),
    ("POST", "/api/v1/bad-reviews/{id}/stage", May(WorkCases)),
    ("GET", "/api/v1/reports/bad-reviews", Staff),
    ("POST", "/api/v1/notices", May(PostNotices)),
    ("GET", "/api/v1/notices", Staff),
    ("GET", "/api/v1/notices/posted", May(PostNotices)),
    ("POST", "/api/v1/notices/{id}/read", Staff),
    ("GET", "/api/v1/notices/{id}/reads", May(PostNotices)),
    ("POST", "/api/v1/notices/{id}/end", May(PostNotices)),
    ("GET", "/api/v1/cases/{id}/notices", Staff),
    ("POST", "/api/v1/knowledge", KnowledgeEditors),
    ("GET", "/api/v1/knowledge", Staff),
    ("GET", "/api/v1/knowledge/{id}", Staff),
    ("PUT", "/api/v1/knowledge/{id}", KnowledgeEditors),
    ("POST", "/api/v1/knowledge/import", KnowledgeEditors),
    ("GET", "/api/v1/knowledge/editors", Staff),
    ("PUT", "/api/v1/knowledge/editors", May(ConfigureDesk)),
    ("GET", "/api/v1/cases/{id}/knowledge", Staff),
    ("POST", "/api/v1/cases/{id}/merge", May(WorkCases)),
    ("POST", "/api/v1/cases/{id}/links", May(WorkCases)),
    ("GET", "/api/v1/cases/{id}/links", Staff),
    ("POST", "/api/v1/incidents", May(SuperviseDesk)),
    ("POST", "/api/v1/quality/samples", May(SuperviseDesk)),
    ("GET", "/api/v1/reports/agents", Staff),
    ("GET", "/api/v1/reports/drill", Staff),
    ("GET", "/api/v1/quality/samples", Staff),
    ("GET", "/api/v1/quality/draw", May(SuperviseDesk)),
    ("GET", "/api/v1/quality/samples/{id}", Staff),
    ("GET", "/api/v1/quality/samples/{id}/cases/{case_id}", Staff),
    (
        "PUT",
        "/api/v1/quality/samples/{id}/cases/{case_id}",
        May(SuperviseDesk),
    ),
    (
        "POST",
        "/api/v1/quality/samples/{id}/cases/{case_id}/answer",
        Staff,
    ),
    ("GET", "/api/v1/quality/settings", Staff),
    ("PUT", "/api/v1/quality/settings", May(ConfigureDesk)),
    (
        "GET",
        "/api/v1/reports/quality",
        MayAny(&[SuperviseDesk, SeeAccountability]),
    ),
    ("GET", "/api/v1/incidents", Staff),
    ("POST", "/api/v1/incidents/detect", May(SuperviseDesk)),
    ("GET", "/api/v1/incidents/settings", Staff),
    ("PUT", "/api/v1/incidents/settings", May(ConfigureDesk)),
    ("GET", "/api/v1/incidents/{id}", Staff),
    ("PATCH", "/api/v1/incidents/{id}", May(SuperviseDesk)),
    ("POST", "/api/v1/incidents/{id}/cases", May(SuperviseDesk)),
    ("POST", "/api/v1/incidents/{id}/reply", May(SuperviseDesk)),
    ("POST", "/api/v1/incidents/{id}/propose", May(SuperviseDesk)),
    ("GET", "/api/v1/logistics/shipping-promises", May(WorkCases)),
    (
        "POST",
        "/api/v1/logistics/exceptions/{id}/resolve",
        May(WorkCases),
    ),
    ("GET", "/api/v1/claims", Staff),
    ("GET", "/api/v1/claims/{id}", Staff),
    ("POST", "/api/v1/claims/{id}/status", May(WorkCases)),
    ("GET", "/api/v1/claims/{id}/evidence-pack", Staff),
    // Platforms.
    ("GET", "/api/v1/platforms", May(ConfigureDesk)),
    ("PUT", "/api/v1/platforms/site/{shop}", May(ConfigureDesk)),
    ("POST", "/api/v1/platforms/site/{shop}/events", Keyed),
    ("POST", "/api/v1/platforms/douyin/{shop}/events", Keyed),
    (
        "PUT",
        "/api/v1/platforms/{platform}/{shop}",
        May(ConfigureDesk),
    ),
    (
        "POST",
        "/api/v1/platforms/{platform}/{shop}/sync",
        May(ConfigureDesk),
    ),
    (
        "PUT",
        "/api/v1/platforms/{platform}/{shop}/answers",
        May(ConfigureDesk),
    ),
    // Notifications.
    ("GET", "/api/v1/webhooks", May(ConfigureDesk)),
    ("POST", "/api/v1/webhooks", May(ConfigureDesk)),
    ("GET", "/api/v1/webhooks/deliveries", May(ConfigureDesk)),
    ("POST", "/api/v1/outbox/{id}/retry", May(ConfigureDesk)),
    ("GET", "/api/v1/settings/mailbox", May(ConfigureDesk)),
    ("PUT", "/api/v1/settings/mailbox", May(ConfigureDesk)),
    ("POST", "/api/v1/settings/mailbox/poll", May(ConfigureDesk)),
    // Settings.
    ("GET", "/api/v1/departments", Staff),
    ("POST", "/api/v1/departments", May(ConfigureDesk)),
    ("GET", "/api/v1/policy", Staff),
    ("PUT", "/api/v1/policy", May(ConfigureDesk)),
    ("GET", "/api/v1/replies/rules", Staff),
    ("PUT", "/api/v1/replies/rules", May(ConfigureDesk)),
    ("GET", "/api/v1/after-sales-policy", Staff),
    ("PUT", "/api/v1/after-sales-policy", May(ConfigureDesk)),
    ("GET", "/api/v1/triage/rules", Staff),
    ("PUT", "/api/v1/triage/rules", May(ConfigureDesk)),
    ("GET", "/api/v1/triage/model", Staff),
    ("POST", "/api/v1/triage/train", May(ConfigureDesk)),
    ("GET", "/api/v1/templates", Staff),
    ("POST", "/api/v1/templates", May(ConfigureDesk)),
    ("GET", "/api/v1/templates/{id}", Staff),
    ("PUT", "/api/v1/templates/{id}", May(ConfigureDesk)),
    ("DELETE", "/api/v1/templates/{id}", May(ConfigureDesk)),
    // Reports and improvements.
    ("GET", "/api/v1/reports/summary", Staff),
    ("GET", "/api/v1/reports/dashboard", Staff),
    ("GET", "/api/v1/reports/export", Staff),
    ("GET", "/api/v1/reports/register", Staff),
    ("GET", "/api/v1/audit", May(ReadAuditTrail)),
    (
        "GET",
        "/api/v1/cases/{id}/accountability",
        May(SeeAccountability),
    ),
    (
        "PUT",
        "/api/v1/cases/{id}/accountability",
        May(RecordAccountability),
    ),
    (
        "GET",
        "/api/v1/reports/accountability",
        May(SeeAccountability),
    ),
    ("GET", "/api/v1/audit/export", May(ReadAuditTrail)),
    ("POST", "/api/v1/cases/{id}/reveal", May(SeePersonalData)),
    ("GET", "/api/v1/records-audits", May(AuditRecords)),
    ("POST", "/api/v1/records-audits", May(AuditRecords)),
    ("GET", "/api/v1/records-audits/{id}", May(AuditRecords)),
    (
        "PUT",
        "/api/v1/records-audits/{id}/cases/{case_id}",
        May(AuditRecords),
    ),
    (
        "POST",
        "/api/v1/personal-data/search",
        May(ServePersonalDataRequests),
    ),
    (
        "POST",
        "/api/v1/personal-data/export",
        May(ServePersonalDataRequests),
    ),
    (
        "POST",
        "/api/v1/personal-data/erase",
        May(ServePersonalDataRequests),
    ),
    (
        "PUT",
        "/api/v1/shops/{shop}/order-counts",
        May(RecordOrderCounts),
    ),
    ("GET", "/api/v1/improvements", Staff),
    ("POST", "/api/v1/improvements", May(DecideImprovements)),
    (
        "POST",
        "/api/v1/improvements/{id}/status",
        May(DecideImprovements),
    ),
    // The workbench: signing in, one's own account.
    ("GET", "/login", Public),
    ("POST", "/login", Public),
    ("GET", "/login/oidc", Public),
    ("GET", "/login/oidc/callback", Public),
    ("POST", "/logout", Staff),
    ("POST", "/lang", Staff),
    ("GET", "/account", Staff),
    ("POST", "/account", Staff),
    ("POST", "/account/sessions/{id}/end", Staff),
    ("GET", "/account/two-factor", Staff),
    ("POST", "/account/two-factor", Staff),
    ("GET", "/login/two-factor", Staff),
    ("POST", "/login/two-factor", Staff),
    // The workbench: queue and cases.
    ("GET", "/", Staff),
    ("GET", "/mentions", Staff),
    ("POST", "/queue/take", May(WorkCases)),
    ("POST", "/queue/assign", ACT_ON_CASES),
    ("POST", "/queue/views", Staff),
    ("POST", "/queue/views/delete", Staff),
    ("GET", "/cases/new", May(RegisterCases)),
    ("POST", "/cases/new", May(RegisterCases)),
    ("POST", "/cases/new/triage", May(RegisterCases)),
    ("GET", "/cases/{id}", Staff),
    ("POST", "/cases/{id}/act", ACT_ON_CASES),
    ("POST", "/cases/{id}/customer-link", May(SeePersonalData)),
    ("POST", "/cases/{id}/reveal", May(SeePersonalData)),
    ("POST", "/cases/{id}/check-reply", Staff),
    ("POST", "/cases/{id}/platform-answer", May(WorkCases)),
    ("POST", "/cases/{id}/files", ADD_TO_CASES),
    ("GET", "/files/{id}", Staff),
    ("POST", "/cases/{id}/claims", May(WorkCases)),
    (
        "POST",
        "/cases/{id}/accountability",
        May(RecordAccountability),
    ),
    ("GET", "/approvals", May(SuperviseDesk)),
    ("GET", "/orders", Staff),
    ("GET", "/orders/{no}", Staff),
    ("GET", "/orders/{no}/edit", May(StoreOrders)),
    ("POST", "/orders/{no}/edit", May(StoreOrders)),
    ("GET", "/logistics", Staff),
    ("POST", "/logistics/exceptions/{id}/resolve", May(WorkCases)),
    ("POST", "/claims/{id}/status", May(WorkCases)),
    ("GET", "/claims/{id}/evidence-pack", Staff),
    ("GET", "/reports", Staff),
    ("GET", "/reports/export", Staff),
    ("GET", "/reports/register", Staff),
    ("GET", "/audit", May(ReadAuditTrail)),
    ("GET", "/personal-data", May(ServePersonalDataRequests)),
    ("GET", "/records-audits", May(AuditRecords)),
    ("POST", "/records-audits", May(AuditRecords)),
    ("GET", "/records-audits/{id}", May(AuditRecords)),
    (
        "POST",
        "/records-audits/{id}/cases/{case_id}",
        May(AuditRecords),
    ),
    ("POST", "/personal-data", May(ServePersonalDataRequests)),
    ("GET", "/audit/export", May(ReadAuditTrail)),
    ("POST", "/reports/improvements", May(DecideImprovements)),
    (
        "POST",
        "/reports/improvements/{id}/status",
        May(DecideImprovements),
    ),
    ("GET", "/notices", Staff),
    ("GET", "/knowledge", Staff),
    ("GET", "/incidents", Staff),
    ("GET", "/quality", Staff),
    ("GET", "/reports/agents", Staff),
    ("GET", "/reports/cases", Staff),
    ("POST", "/quality", May(SuperviseDesk)),
    ("POST", "/quality/settings", May(ConfigureDesk)),
    ("POST", "/knowledge/editors", May(ConfigureDesk)),
    ("POST", "/incidents/settings", May(ConfigureDesk)),
    ("POST", "/incidents/{id}/propose", May(SuperviseDesk)),
    ("GET", "/quality/{id}", Staff),
    ("GET", "/quality/{id}/cases/{case_id}", Staff),
    ("POST", "/quality/{id}/cases/{case_id}", May(SuperviseDesk)),
    ("POST", "/quality/{id}/cases/{case_id}/answer", Staff),
    ("POST", "/incidents", May(SuperviseDesk)),
    ("POST", "/incidents/detect", May(SuperviseDesk)),
    ("GET", "/incidents/{id}", Staff),
    ("POST", "/incidents/{id}", May(SuperviseDesk)),
    ("POST", "/incidents/{id}/reply", May(SuperviseDesk)),
    ("POST", "/incidents/{id}/cases", May(SuperviseDesk)),
    ("POST", "/cases/{id}/merge", May(WorkCases)),
    ("POST", "/cases/{id}/links", May(WorkCases)),
    ("POST", "/knowledge", KnowledgeEditors),
    ("POST", "/knowledge/import", KnowledgeEditors),
    ("GET", "/knowledge/{id}", Staff),
    ("POST", "/knowledge/{id}", KnowledgeEditors),
    ("POST", "/notices", May(PostNotices)),
    ("GET", "/notices/{id}", May(PostNotices)),
    ("POST", "/notices/{id}/read", Staff),
    ("POST", "/notices/{id}/end", May(PostNotices)),
    // The workbench: settings.
    ("POST", "/cases/{id}/bad-reviews", May(WorkCases)),
    ("POST", "/bad-reviews/{id}/stage", May(WorkCases)),
    ("GET", "/admin", May(ManageAccounts)),
    ("POST", "/admin/users", May(ManageAccounts)),
    (
        "POST",
        "/admin/users/{username}/toggle",
        May(ManageAccounts),
    ),
    ("POST", "/admin/departments", May(ConfigureDesk)),
    ("POST", "/admin/policy", May(ConfigureDesk)),
    ("POST", "/admin/rules/{which}", May(ConfigureDesk)),
    ("POST", "/admin/triage/train", May(ConfigureDesk)),
    ("GET", "/admin/after-sales-policy", May(ConfigureDesk)),
    ("POST", "/admin/after-sales-policy", May(ConfigureDesk)),
    ("GET", "/admin/templates", May(ConfigureDesk)),
    ("POST", "/admin/templates", May(ConfigureDesk)),
    ("POST", "/admin/templates/{id}/delete", May(ConfigureDesk)),
    ("GET", "/admin/carriers", May(ConfigureDesk)),
    ("POST", "/admin/carriers", May(ConfigureDesk)),
    ("POST", "/admin/carriers/{code}/delete", May(ConfigureDesk)),
    ("GET", "/admin/mailbox", May(ConfigureDesk)),
    ("POST", "/admin/mailbox", May(ConfigureDesk)),
    ("POST", "/admin/mailbox/poll", May(ConfigureDesk)),
    ("GET", "/admin/outbox", May(ConfigureDesk)),
    ("POST", "/admin/outbox/{id}/retry", May(ConfigureDesk)),
    ("GET", "/admin/platforms", May(ConfigureDesk)),
    ("POST", "/admin/platforms/site", May(ConfigureDesk)),
    ("POST", "/admin/platforms/api", May(ConfigureDesk)),
    (
        "POST",
        "/admin/platforms/{platform}/{shop}/sync",
        May(ConfigureDesk),
    ),
    (
        "POST",
        "/admin/platforms/{platform}/{shop}/answers",
        May(ConfigureDesk),
    ),
    // The customer's pages.
    ("GET", "/complain", Public),
    ("POST", "/complain", Public),
    ("GET", "/policy", Public),
    ("GET", "/s/{token}", CustomerLink),
    ("POST", "/s/{token}", CustomerLink),
    ("POST", "/s/{token}/files", CustomerLink),
    ("GET", "/s/{token}/files/{id}", CustomerLink),
    ("POST", "/s/{token}/opt-out", CustomerLink),
    // Served files.
    ("GET", "/assets/htmx.min.js", Public),
    ("GET", "/assets/kesu.css", Public),
    ("GET", "/assets/kesu-workbench.js", Public),
    ("GET", "/assets/kesu-upload.js", Public),
    ("GET", "/assets/kesu-rows.js", Public),
    ("GET", "/assets/kesu-register.js", Public),
    ("GET", "/assets/kesu-pick.js", Public),
    ("GET", "/assets/echarts.min.js", Public),
    ("GET", "/assets/kesu-reports.js", Public),
    ("GET", "/assets/kesu-agents.js", Public),
];

/// The gate of `method` on the routed `path`; HEAD is GET's. Every request asks: one hash
/// lookup in a table built once.
pub fn gate(method: &str, path: &str) -> Option<Gate> {
    static TABLE: std::sync::OnceLock<
        std::collections::HashMap<(&'static str, &'static str), Gate>,
    > = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| ROUTES.iter().map(|(m, p, g)| ((*m, *p), *g)).collect());
    let method = if method == "HEAD" { "GET" } else { method };
    table.get(&(method, path)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for (m, p, _) in ROUTES {
            assert!(seen.insert((m, p)), "{m} {p} is listed twice");
        }
    }

    #[test]
    fn only_these_routes_open_without_an_account() {
        let open: Vec<String> = ROUTES
            .iter()
            .filter(|(_, _, g)| !g.needs_staff())
            .filter(|(_, p, _)| !p.starts_with("/assets/"))
            .map(|(m, p, _)| format!("{m} {p}"))
            .collect();
        assert_eq!(
            open,
            [
                "GET /healthz",
                "GET /metrics",
                "GET /api/v1/openapi.json",
                "POST /api/v1/auth/token",
                "POST /api/v1/integrations/kuaidi100/{secret}",
                "POST /api/v1/platforms/site/{shop}/events",
                "POST /api/v1/platforms/douyin/{shop}/events",
                "GET /login",
                "POST /login",
                "GET /login/oidc",
                "GET /login/oidc/callback",
                "GET /complain",
                "POST /complain",
                "GET /policy",
                "GET /s/{token}",
                "POST /s/{token}",
                "POST /s/{token}/files",
                "GET /s/{token}/files/{id}",
                "POST /s/{token}/opt-out",
            ],
            "a route opened to the public must be added here on purpose"
        );
    }

    #[test]
    fn gates_follow_the_roles_capabilities() {
        assert!(gate("HEAD", "/healthz").is_some());
        assert_eq!(gate("PATCH", "/healthz"), None);
        let act = gate("POST", "/api/v1/cases/{id}/actions").unwrap();
        assert!(act.admits(Role::Agent) && act.admits(Role::Admin) && act.admits(Role::Department));
        assert!(!act.admits(Role::Auditor));
        assert!(!gate("GET", "/admin").unwrap().admits(Role::Supervisor));
        assert!(Staff.needs_staff() && !CustomerLink.needs_staff());
    }
}

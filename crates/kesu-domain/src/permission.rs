//! Who may do what: one list of capabilities, one table of which role holds which, and the
//! department scope. The API, the workbench, search, exports and reports all ask here.

use crate::case::Case;
use crate::codes::DepartmentCode;
use crate::role::{Actor, Role};

/// A capability a staff role may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Register complaints (the API, the workbench form).
    RegisterCases,
    /// See customers' names, phones and addresses unmasked, and search by them.
    SeePersonalData,
    /// Be assigned cases, work on them, file and move carrier claims, resolve parcel
    /// exceptions.
    WorkCases,
    /// Post carriers' tracking events.
    PostTracking,
    /// Store orders (the order endpoint, imports).
    StoreOrders,
    /// List staff accounts (to pick an assignee).
    ListAccounts,
    /// Create, disable and unlock accounts.
    ManageAccounts,
    /// Change settings: the policy, templates, the reply checker's and triage's words,
    /// integration secrets.
    ConfigureDesk,
    /// Decide improvement actions.
    DecideImprovements,
    /// Record the shops' daily order counts (the denominator of complaint rates).
    RecordOrderCounts,
    /// The supervisor's desk: approvals, escalations, the team's load.
    SuperviseDesk,
    /// See every department's cases (without it: only one's own department's).
    SeeAllDepartments,
    /// Read and export the audit trail: every case's history, sign-ins, exports, changes
    /// to accounts, rules and connectors.
    ReadAuditTrail,
    /// See who was held responsible for cases, the losses and penalties, and the missed
    /// deadlines laid on each person and department.
    SeeAccountability,
    /// Record who was responsible for a case, its loss and the penalties decided.
    RecordAccountability,
    /// Serve a customer's request about their personal data (PIPL): hand over everything
    /// kesu holds about them, or erase it.
    ServePersonalDataRequests,
    /// Audit the records: draw samples of closed cases, check them against the checklist,
    /// record findings and corrections (seed 000).
    AuditRecords,
    /// Post notices to the desk (price, promotion and stock changes) and see who read them.
    PostNotices,
}

impl Permission {
    /// What the capability lets one do, as the README's permission table says it.
    pub fn describe(self) -> &'static str {
        match self {
            Permission::RegisterCases => "Register complaints (API, workbench form, inbound e-mail)",
            Permission::SeePersonalData => {
                "See customers' names, phones, e-mails and addresses unmasked; search by them; make a customer link"
            }
            Permission::WorkCases => {
                "Be assigned cases and work them; file and move carrier claims; resolve parcel exceptions; answer platforms"
            }
            Permission::PostTracking => "Post carriers' tracking events",
            Permission::StoreOrders => "Store and correct orders",
            Permission::ListAccounts => "List staff accounts (to pick an assignee)",
            Permission::ManageAccounts => "Create, disable, unlock accounts; reset a second factor",
            Permission::ConfigureDesk => {
                "Change settings: policy, templates, rules, carriers, mailbox, platforms, webhooks"
            }
            Permission::DecideImprovements => "Decide improvement actions",
            Permission::RecordOrderCounts => "Record the shops' daily order counts",
            Permission::SuperviseDesk => "Approve resolutions, see escalations and the team's load",
            Permission::SeeAllDepartments => "See every department's cases (without it: one's own department's only)",
            Permission::ReadAuditTrail => "Read and export the audit trail (history, sign-ins, exports, changes)",
            Permission::SeeAccountability => "See accountability: who was responsible, losses, penalties, delays",
            Permission::RecordAccountability => "Record who was responsible for a case, its loss and the penalties",
            Permission::ServePersonalDataRequests => {
                "Serve customers' personal-data requests: export everything about a person, or erase it"
            }
            Permission::AuditRecords => {
                "Audit the records: draw samples of closed cases, record findings and corrections"
            }
            Permission::PostNotices => "Post notices to the desk and see who read them",
        }
    }

    pub const ALL: &'static [Permission] = &[
        Permission::RegisterCases,
        Permission::SeePersonalData,
        Permission::WorkCases,
        Permission::PostTracking,
        Permission::StoreOrders,
        Permission::ListAccounts,
        Permission::ManageAccounts,
        Permission::ConfigureDesk,
        Permission::DecideImprovements,
        Permission::RecordOrderCounts,
        Permission::SuperviseDesk,
        Permission::SeeAllDepartments,
        Permission::ReadAuditTrail,
        Permission::SeeAccountability,
        Permission::RecordAccountability,
        Permission::ServePersonalDataRequests,
        Permission::AuditRecords,
        Permission::PostNotices,
    ];
}

impl Role {
    /// Whether this role holds `permission`: the one table of kesu's permissions.
    pub fn may(self, permission: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match permission {
            RegisterCases | SeePersonalData | PostTracking | StoreOrders | ListAccounts => {
                matches!(self, Admin | Supervisor | Agent)
            }
            WorkCases => matches!(self, Supervisor | Agent | Department),
            ManageAccounts | ConfigureDesk | ServePersonalDataRequests => self == Admin,
            DecideImprovements | RecordOrderCounts | SuperviseDesk => {
                matches!(self, Supervisor | Admin)
            }
            SeeAllDepartments => self != Department,
            ReadAuditTrail | AuditRecords => matches!(self, Admin | Auditor),
            SeeAccountability => matches!(self, Supervisor | Admin | Auditor),
            RecordAccountability => matches!(self, Supervisor | Admin),
            // Operations, pricing and the warehouse are departments (seed 002).
            PostNotices => matches!(self, Admin | Supervisor | Department),
        }
    }
}

/// The permission table as Markdown, one row per capability and one column per role: the
/// README shows exactly this (a test compares them).
pub fn markdown_table() -> String {
    let mut out = String::from("| capability |");
    for role in Role::ALL {
        out.push_str(&format!(" {} |", role.code()));
    }
    out.push_str("\n| --- |");
    for _ in Role::ALL {
        out.push_str(" :-: |");
    }
    out.push('\n');
    for p in Permission::ALL {
        out.push_str(&format!("| {} |", p.describe()));
        for role in Role::ALL {
            out.push_str(if role.may(*p) { " ✓ |" } else { " — |" });
        }
        out.push('\n');
    }
    out
}

/// Which cases an actor sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every case.
    All,
    /// Only the cases routed to this department.
    Department(DepartmentCode),
    /// None (a department user without a department).
    Nothing,
}

impl Scope {
    /// The scope of a staff role in `department`.
    pub fn of(role: Role, department: Option<&DepartmentCode>) -> Scope {
        if role.may(Permission::SeeAllDepartments) {
            return Scope::All;
        }
        match department {
            Some(d) => Scope::Department(d.clone()),
            None => Scope::Nothing,
        }
    }

    /// Whether a case routed to `department` lies in this scope.
    pub fn includes(&self, department: Option<&DepartmentCode>) -> bool {
        match self {
            Scope::All => true,
            Scope::Department(own) => department == Some(own),
            Scope::Nothing => false,
        }
    }

    /// The department a list in this scope is narrowed to, or [`OutOfScope`] when a list
    /// asked for another department than the scope's own (the caller answers "nothing" or
    /// 403).
    pub fn narrow(
        &self,
        asked: Option<DepartmentCode>,
    ) -> Result<Option<DepartmentCode>, OutOfScope> {
        match self {
            Scope::All => Ok(asked),
            Scope::Department(own) if asked.is_none() || asked.as_ref() == Some(own) => {
                Ok(Some(own.clone()))
            }
            _ => Err(OutOfScope),
        }
    }
}

/// A list asked for cases outside the caller's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfScope;

impl Actor {
    /// Whether this actor holds `permission`: staff by their role, kesu's workers by the
    /// role they act as; the customer holds none (they act only on their own case's page).
    pub fn may(&self, permission: Permission) -> bool {
        self.role().is_some_and(|r| r.may(permission))
    }

    /// Which cases this actor sees.
    pub fn scope(&self) -> Scope {
        match self {
            Actor::Staff {
                role, department, ..
            } => Scope::of(*role, department.as_ref()),
            // The customer reaches one case only, through its link; kesu's workers see all.
            Actor::Customer => Scope::Nothing,
            Actor::System { .. } => Scope::All,
        }
    }

    /// Whether this actor may see `case` (department users only their department's).
    pub fn may_see(&self, case: &Case) -> bool {
        self.scope().includes(case.department.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dept(code: &str) -> DepartmentCode {
        DepartmentCode::parse(code).unwrap()
    }

    #[test]
    fn only_admins_manage_accounts_and_the_desk() {
        for role in Role::ALL {
            assert_eq!(role.may(Permission::ManageAccounts), *role == Role::Admin);
            assert_eq!(role.may(Permission::ConfigureDesk), *role == Role::Admin);
        }
    }

    #[test]
    fn auditors_read_and_audit_the_records_and_change_nothing_else() {
        let held: Vec<_> = Permission::ALL
            .iter()
            .filter(|p| Role::Auditor.may(**p))
            .collect();
        assert_eq!(
            held,
            vec![
                &Permission::SeeAllDepartments,
                &Permission::ReadAuditTrail,
                &Permission::SeeAccountability,
                // Their findings go in the records audit, never into a case.
                &Permission::AuditRecords,
            ]
        );
    }

    #[test]
    fn the_trail_is_for_auditors_and_admins_only() {
        for role in Role::ALL {
            assert_eq!(
                role.may(Permission::ReadAuditTrail),
                matches!(role, Role::Admin | Role::Auditor),
                "{role:?}"
            );
        }
    }

    #[test]
    fn department_users_see_their_department_only() {
        let own = Actor::staff("d", Role::Department, Some(dept("logistics")));
        let none = Actor::staff("x", Role::Department, None);
        let agent = Actor::staff("a", Role::Agent, None);
        assert!(own.scope().includes(Some(&dept("logistics"))));
        assert!(!own.scope().includes(Some(&dept("quality"))));
        assert!(!own.scope().includes(None));
        assert!(!none.scope().includes(Some(&dept("logistics"))));
        assert!(agent.scope().includes(None));
        assert_eq!(
            own.scope().narrow(None),
            Ok(Some(dept("logistics"))),
            "an unfiltered list is narrowed to the own department"
        );
        assert!(own.scope().narrow(Some(dept("quality"))).is_err());
        assert_eq!(agent.scope().narrow(None), Ok(None));
    }

    #[test]
    fn the_readme_shows_the_permission_table() {
        let readme = include_str!("../../../README.md");
        let table = markdown_table();
        assert!(
            readme.contains(&table),
            "README.md's permission table differs from the code; put this in it:\n{table}"
        );
    }

    #[test]
    fn the_customer_holds_no_staff_permission() {
        for p in Permission::ALL {
            assert!(!Actor::Customer.may(*p));
        }
    }
}

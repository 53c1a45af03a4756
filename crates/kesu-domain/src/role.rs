//! Who acts on a case: staff with a role, or the customer themselves.

use serde::{Deserialize, Serialize};

use crate::codes::DepartmentCode;

/// A staff account's role (CONTRACT.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Supervisor,
    Agent,
    Department,
    Auditor,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::Admin,
        Role::Supervisor,
        Role::Agent,
        Role::Department,
        Role::Auditor,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Agent => "agent",
            Role::Department => "department",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.code() == code)
    }

    /// Whether this role sees customers' personal data unmasked. Departments work on
    /// the cause and auditors on the record; neither needs to reach the customer.
    pub fn sees_personal_data(self) -> bool {
        matches!(self, Role::Admin | Role::Supervisor | Role::Agent)
    }

    /// Whether cases may be assigned to users of this role.
    pub fn handles_cases(self) -> bool {
        matches!(self, Role::Supervisor | Role::Agent | Role::Department)
    }

    /// Whether this role may register complaints.
    pub fn registers_cases(self) -> bool {
        matches!(self, Role::Admin | Role::Supervisor | Role::Agent)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Whoever performs an action; recorded in the case history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Staff {
        username: String,
        role: Role,
        department: Option<DepartmentCode>,
    },
    /// The complainant, acting through the case's status page.
    Customer,
}

impl Actor {
    pub fn staff(username: &str, role: Role, department: Option<DepartmentCode>) -> Actor {
        Actor::Staff {
            username: username.to_owned(),
            role,
            department,
        }
    }

    /// The name written into the history.
    pub fn name(&self) -> &str {
        match self {
            Actor::Staff { username, .. } => username,
            Actor::Customer => "customer",
        }
    }

    pub fn role(&self) -> Option<Role> {
        match self {
            Actor::Staff { role, .. } => Some(*role),
            Actor::Customer => None,
        }
    }

    /// How the actor is described in messages: its role code, or `customer`.
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::Staff { role, .. } => role.code(),
            Actor::Customer => "customer",
        }
    }
}

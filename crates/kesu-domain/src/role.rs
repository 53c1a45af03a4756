//! Who acts on a case: staff with a role, the customer themselves, or kesu's own workers.

use serde::{Deserialize, Serialize};

use crate::codes::DepartmentCode;
use crate::history::{Author, SystemActor};

/// A staff account's role (docs/interface.md §2).
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
        self.may(crate::Permission::SeePersonalData)
    }

    /// Whether cases may be assigned to users of this role.
    pub fn handles_cases(self) -> bool {
        self.may(crate::Permission::WorkCases)
    }

    /// Whether this role may register complaints.
    pub fn registers_cases(self) -> bool {
        self.may(crate::Permission::RegisterCases)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// What kind of actor wrote a history entry. The history tells them apart by this, never by
/// the name: a staff account may not be called `customer`, but older databases may hold one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    Staff,
    Customer,
    /// kesu itself: the deadline timers, the logistics monitor.
    System,
}

impl ActorKind {
    pub fn code(self) -> &'static str {
        match self {
            ActorKind::Staff => "staff",
            ActorKind::Customer => "customer",
            ActorKind::System => "system",
        }
    }

    /// Reads a stored code; anything unknown is staff, as every entry was before kinds.
    pub fn parse(code: &str) -> ActorKind {
        match code {
            "customer" => ActorKind::Customer,
            "system" => ActorKind::System,
            _ => ActorKind::Staff,
        }
    }
}

/// The names kesu writes into the history for actors that are not staff accounts; no
/// account may take one (CLI or API).
pub const RESERVED_ACTOR_NAMES: &[&str] = &[
    "customer",
    "sla-timer",
    "logistics-monitor",
    "platform-connector",
    "system",
    "kesu",
];

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
    /// kesu's own worker (the logistics monitor), allowed what `acts_as` is allowed and
    /// recorded as the system.
    System { who: SystemActor, acts_as: Role },
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
            Actor::System { who, .. } => who.name(),
        }
    }

    pub fn role(&self) -> Option<Role> {
        match self {
            Actor::Staff { role, .. } => Some(*role),
            Actor::Customer => None,
            Actor::System { acts_as, .. } => Some(*acts_as),
        }
    }

    /// Who the history says wrote what the actor does.
    pub fn author(&self) -> Author {
        match self {
            Actor::Staff { username, .. } => Author::Staff(username.clone()),
            Actor::Customer => Author::Customer,
            Actor::System { who, .. } => Author::System(*who),
        }
    }

    /// How the actor is described in messages: its role code, or `customer`.
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::Staff { role, .. } => role.code(),
            Actor::Customer => "customer",
            Actor::System { .. } => "system",
        }
    }
}

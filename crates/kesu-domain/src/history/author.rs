//! Who wrote a history entry: a staff member, the customer, or a named part of kesu.

use crate::role::ActorKind;

/// A part of kesu that writes into the history by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SystemActor {
    /// The deadline timers.
    SlaTimer,
    /// The logistics monitor.
    LogisticsMonitor,
    /// kesu itself, for anything no named part did.
    Kesu,
    /// A platform connector, reporting what the platform says of a request.
    PlatformConnector,
}

impl SystemActor {
    pub const ALL: [SystemActor; 4] = [
        SystemActor::SlaTimer,
        SystemActor::LogisticsMonitor,
        SystemActor::Kesu,
        SystemActor::PlatformConnector,
    ];

    /// The name written into the history; no staff account may take one.
    pub fn name(self) -> &'static str {
        match self {
            SystemActor::SlaTimer => "sla-timer",
            SystemActor::LogisticsMonitor => "logistics-monitor",
            SystemActor::Kesu => "kesu",
            SystemActor::PlatformConnector => "platform-connector",
        }
    }

    /// The part a stored name stands for; a name no part has is kesu itself.
    pub fn from_name(name: &str) -> SystemActor {
        SystemActor::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .unwrap_or(SystemActor::Kesu)
    }
}

/// Who wrote a history entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Author {
    Staff(String),
    /// The complainant, through the public form or the case's status page.
    Customer,
    System(SystemActor),
}

impl Author {
    /// The name stored beside the entry.
    pub fn name(&self) -> &str {
        match self {
            Author::Staff(username) => username,
            Author::Customer => "customer",
            Author::System(part) => part.name(),
        }
    }

    /// The kind stored beside the name; readers tell authors apart by it, never by the name.
    pub fn kind(&self) -> ActorKind {
        match self {
            Author::Staff(_) => ActorKind::Staff,
            Author::Customer => ActorKind::Customer,
            Author::System(_) => ActorKind::System,
        }
    }

    /// The author a stored name and kind stand for.
    pub fn read(name: &str, kind: ActorKind) -> Author {
        match kind {
            ActorKind::Staff => Author::Staff(name.to_owned()),
            ActorKind::Customer => Author::Customer,
            ActorKind::System => Author::System(SystemActor::from_name(name)),
        }
    }
}

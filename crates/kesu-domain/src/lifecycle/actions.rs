//! Which actions there are, who may ever take each, and which fit the case as it stands.

use crate::case::{Case, CaseStatus};
use crate::codes::Channel;
use crate::error::Rejection;
use crate::fulfilment::{next_step, Step};
use crate::role::{Actor, Role};

/// The actions of docs/interface.md §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionName {
    Judge,
    Route,
    Analyse,
    Propose,
    Choose,
    Approve,
    Reject,
    Execute,
    FollowUp,
    Close,
    /// Take an unowned case: the actor becomes its owner.
    Take,
    Assign,
    Comment,
    /// A step of the chosen resolution's flow (step 7).
    Step(Step),
    WaitCustomer,
    Resume,
    RecordReferral,
    RecordAppraisal,
    /// Correct the case's category (triage learns from the final one).
    Recategorise,
}

impl ActionName {
    pub const ALL: &'static [ActionName] = &[
        ActionName::Judge,
        ActionName::Route,
        ActionName::Analyse,
        ActionName::Propose,
        ActionName::Choose,
        ActionName::Approve,
        ActionName::Reject,
        ActionName::Execute,
        ActionName::FollowUp,
        ActionName::Close,
        ActionName::Step(Step::ConfirmNotShipped),
        ActionName::Step(Step::CancelOrder),
        ActionName::Step(Step::TrackParcel),
        ActionName::Step(Step::ParcelBack),
        ActionName::Step(Step::ReturnShipped),
        ActionName::Step(Step::ReceiveReturn),
        ActionName::Step(Step::Inspect),
        ActionName::Step(Step::Restock),
        ActionName::Step(Step::Refund),
        ActionName::Step(Step::ShipReplacement),
        ActionName::WaitCustomer,
        ActionName::Resume,
        ActionName::RecordReferral,
        ActionName::RecordAppraisal,
        ActionName::Recategorise,
        ActionName::Take,
        ActionName::Assign,
        ActionName::Comment,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ActionName::Judge => "judge",
            ActionName::Route => "route",
            ActionName::Analyse => "analyse",
            ActionName::Propose => "propose",
            ActionName::Choose => "choose",
            ActionName::Approve => "approve",
            ActionName::Reject => "reject",
            ActionName::Execute => "execute",
            ActionName::FollowUp => "follow_up",
            ActionName::Close => "close",
            ActionName::Take => "take",
            ActionName::Assign => "assign",
            ActionName::Comment => "comment",
            ActionName::WaitCustomer => "wait_customer",
            ActionName::Resume => "resume",
            ActionName::RecordReferral => "record_referral",
            ActionName::RecordAppraisal => "record_appraisal",
            ActionName::Recategorise => "recategorise",
            ActionName::Step(step) => step.code(),
        }
    }

    pub fn parse(code: &str) -> Option<ActionName> {
        ActionName::ALL.iter().copied().find(|a| a.code() == code)
    }

    /// The codes of `actions`, joined for a message.
    pub fn join(actions: &[ActionName]) -> String {
        actions
            .iter()
            .map(|a| a.code())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether the action fits the case as it stands.
    pub(super) fn allowed_now(self, case: &Case) -> bool {
        use CaseStatus as S;
        let status = case.status;
        match self {
            ActionName::Judge => status == S::Registered,
            // Re-routing is allowed until the department has analysed the case.
            ActionName::Route => matches!(status, S::Validated | S::Routed),
            ActionName::Analyse => status == S::Routed,
            // Options may be revised until the customer has chosen.
            ActionName::Propose => matches!(status, S::Analysed | S::Proposed),
            ActionName::Choose => status == S::Proposed,
            ActionName::Approve | ActionName::Reject => status == S::AwaitingApproval,
            // Resolutions that move goods or money go through their flow's steps instead.
            ActionName::Execute => status == S::Approved && next_step(case).is_none(),
            ActionName::Step(step) => status == S::Approved && next_step(case) == Some(step),
            ActionName::FollowUp => status == S::Executed,
            ActionName::Close => status == S::Resolved,
            ActionName::Assign | ActionName::Comment | ActionName::Recategorise => status.is_open(),
            ActionName::Take => status.is_open() && case.assignee.is_none(),
            // An appraisal settles a dispute about cause and liability, once a department has it.
            ActionName::RecordAppraisal => matches!(
                status,
                S::Routed
                    | S::Analysed
                    | S::Proposed
                    | S::AwaitingApproval
                    | S::Approved
                    | S::Executed
            ),
            ActionName::WaitCustomer => status.is_open() && !case.is_paused(),
            ActionName::Resume => status.is_open() && case.is_paused(),
            ActionName::RecordReferral => {
                status.is_open() && case.channel == Channel::ConsumerAssociation
            }
        }
    }

    /// Who may ever take this action (docs/interface.md §4, "who").
    pub(super) fn permits(self, actor: &Actor) -> bool {
        use Role as R;
        let role = actor.role();
        match self {
            ActionName::Judge | ActionName::Route | ActionName::Propose | ActionName::Close => {
                matches!(role, Some(R::Agent | R::Supervisor))
            }
            ActionName::Analyse => matches!(role, Some(R::Department | R::Supervisor)),
            ActionName::Choose | ActionName::FollowUp => {
                matches!(actor, Actor::Customer) || role == Some(R::Agent)
            }
            ActionName::Approve | ActionName::Reject => {
                matches!(role, Some(R::Supervisor | R::Admin))
            }
            ActionName::Execute | ActionName::Step(_) => {
                matches!(role, Some(R::Agent | R::Department | R::Supervisor))
            }
            ActionName::Assign => matches!(role, Some(R::Agent | R::Supervisor | R::Admin)),
            ActionName::Take => matches!(role, Some(R::Agent | R::Department | R::Supervisor)),
            ActionName::Comment => matches!(actor, Actor::Customer) || role != Some(R::Auditor),
            ActionName::WaitCustomer
            | ActionName::Resume
            | ActionName::RecordAppraisal
            | ActionName::Recategorise => {
                matches!(role, Some(R::Agent | R::Department | R::Supervisor))
            }
            ActionName::RecordReferral => matches!(role, Some(R::Agent | R::Supervisor)),
        }
    }
}

/// The actions `actor` may take on `case` right now.
pub fn allowed_actions(case: &Case, actor: &Actor) -> Vec<ActionName> {
    ActionName::ALL
        .iter()
        .copied()
        .filter(|a| a.allowed_now(case) && a.permits(actor) && own_case(*a, case, actor).is_ok())
        .collect()
}

/// Department users act only on cases routed to their own department.
pub(super) fn own_case(action: ActionName, case: &Case, actor: &Actor) -> Result<(), Rejection> {
    if let Actor::Staff {
        role: Role::Department,
        department,
        ..
    } = actor
    {
        if matches!(
            action,
            ActionName::Analyse
                | ActionName::Execute
                | ActionName::Step(_)
                | ActionName::WaitCustomer
                | ActionName::Resume
                | ActionName::RecordAppraisal
                | ActionName::Recategorise
                | ActionName::Take
        ) && (department.is_none() || department.as_ref() != case.department.as_ref())
        {
            return Err(Rejection::Forbidden {
                action: action.code(),
                actor: actor.kind().to_owned(),
                reason: Some("the case is routed to another department".into()),
            });
        }
    }
    Ok(())
}

impl std::fmt::Display for ActionName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

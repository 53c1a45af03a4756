//! Lifecycle tests: the happy path, each detour, and properties over random command sequences.

use super::*;
use crate::case::ResolutionOption;
use crate::codes::{Category, DepartmentCode, Liability, ResolutionKind, RootCause};
use crate::history::{Author, Entry};
use crate::registration::RegistrationForm;
use chrono::Duration;
use proptest::prelude::*;

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// The codes of the actions allowed, as docs/interface.md §4 names them.
fn allowed_codes(case: &Case, actor: &Actor) -> Vec<&'static str> {
    allowed_actions(case, actor)
        .iter()
        .map(|a| a.code())
        .collect()
}

fn dept(code: &str) -> DepartmentCode {
    DepartmentCode::parse(code).unwrap()
}

fn agent() -> Actor {
    Actor::staff("amy", Role::Agent, None)
}
fn supervisor() -> Actor {
    Actor::staff("sam", Role::Supervisor, None)
}
fn warehouse() -> Actor {
    Actor::staff("wu", Role::Department, Some(dept("logistics")))
}
fn quality() -> Actor {
    Actor::staff("qi", Role::Department, Some(dept("quality")))
}
fn auditor() -> Actor {
    Actor::staff("al", Role::Auditor, None)
}

fn new_case() -> Case {
    let form: RegistrationForm = serde_json::from_value(serde_json::json!({
        "channel": "chat", "complainant": {"name": "王小明", "phone": "13812345678"},
        "category": "damaged", "demand": "reship", "description": "杯子碎了"
    }))
    .unwrap();
    form.parse(t0())
        .unwrap()
        .into_case(1, 1, &agent(), t0(), &Policy::default())
}

/// Applies `cmd` as `actor` at the case's current version, panicking on rejection.
fn step(case: &Case, actor: &Actor, cmd: Command) -> Case {
    let event = decide(
        case,
        actor,
        &cmd,
        case.version,
        t0() + Duration::minutes(case.version),
        &Policy::default(),
    )
    .unwrap_or_else(|r| panic!("{cmd:?} rejected: {r}"));
    evolve(case, &event)
}

fn try_step(case: &Case, actor: &Actor, cmd: Command) -> Result<Event, Rejection> {
    decide(case, actor, &cmd, case.version, t0(), &Policy::default())
}

fn option(kind: ResolutionKind, amount: Option<i64>) -> ResolutionOption {
    ResolutionOption {
        kind,
        amount_cents: amount.map(crate::money::Cents::new),
        note: None,
        lines: Vec::new(),
        include_shipping: false,
        goodwill: Vec::new(),
    }
}

fn to_proposed(options: Vec<ResolutionOption>) -> Case {
    let c = step(
        &new_case(),
        &agent(),
        Command::Judge {
            valid: true,
            reason: None,
        },
    );
    let c = step(
        &c,
        &agent(),
        Command::Route {
            department: dept("logistics"),
        },
    );
    let c = step(
        &c,
        &warehouse(),
        Command::Analyse {
            liability: Liability::Carrier,
            root_cause: RootCause::Carrier,
            findings: "外包装破损".into(),
        },
    );
    step(&c, &agent(), Command::Propose { options })
}

#[test]
fn a_complaint_walks_all_eight_steps() {
    let c = to_proposed(vec![
        option(ResolutionKind::Reship, None),
        option(ResolutionKind::PartialRefund, Some(1500)),
    ]);
    assert_eq!(c.status, CaseStatus::Proposed);
    let c = step(&c, &Actor::Customer, Command::Choose { option: 0 });
    // A reship needs no supervisor under the default policy.
    assert_eq!(c.status, CaseStatus::Approved);
    assert!(c.decision.as_ref().unwrap().automatic);
    let c = step(
        &c,
        &warehouse(),
        Command::Execute {
            note: "已补发".into(),
        },
    );
    let c = step(
        &c,
        &agent(),
        Command::FollowUp {
            satisfied: true,
            rating: Some(5),
            comment: None,
            way: None,
        },
    );
    assert_eq!(c.status, CaseStatus::Resolved);
    let c = step(
        &c,
        &supervisor(),
        Command::Close {
            summary: "补发解决".into(),
            lessons: None,
        },
    );
    assert_eq!(c.status, CaseStatus::Closed);
    assert_eq!(c.version, 9);
    assert_eq!(c.closing.unwrap().outcome, crate::case::Outcome::Resolved);
}

#[test]
fn an_invalid_complaint_is_closed_with_its_reason() {
    let c = step(
        &new_case(),
        &agent(),
        Command::Judge {
            valid: false,
            reason: Some("已超过售后期".into()),
        },
    );
    assert_eq!(c.status, CaseStatus::Closed);
    let closing = c.closing.unwrap();
    assert_eq!(closing.outcome, crate::case::Outcome::Invalid);
    assert_eq!(closing.summary, "已超过售后期");
}

#[test]
fn compensation_waits_for_a_supervisor_who_may_reject_it() {
    let c = to_proposed(vec![option(ResolutionKind::Compensation, Some(500))]);
    let c = step(&c, &agent(), Command::Choose { option: 0 });
    assert_eq!(c.status, CaseStatus::AwaitingApproval);
    let err = try_step(&c, &agent(), Command::Approve { comment: None }).unwrap_err();
    assert!(matches!(err, Rejection::Forbidden { .. }), "{err:?}");
    let err = try_step(&c, &agent(), Command::Execute { note: "x".into() }).unwrap_err();
    assert!(matches!(err, Rejection::NotAllowedNow { .. }), "{err:?}");
    let c = step(
        &c,
        &supervisor(),
        Command::Reject {
            comment: "金额过高".into(),
        },
    );
    assert_eq!(c.status, CaseStatus::Analysed);
    assert_eq!(c.renegotiations, 1);
    assert_eq!(c.decision.as_ref().map(|d| d.approved), Some(false));
}

#[test]
fn an_unsatisfied_customer_reopens_negotiation() {
    let c = to_proposed(vec![option(ResolutionKind::Apology, None)]);
    let c = step(&c, &agent(), Command::Choose { option: 0 });
    let c = step(
        &c,
        &agent(),
        Command::Execute {
            note: "已致歉".into(),
        },
    );
    let c = step(
        &c,
        &Actor::Customer,
        Command::FollowUp {
            satisfied: false,
            rating: Some(2),
            comment: Some("不满意".into()),
            way: None,
        },
    );
    assert_eq!(c.status, CaseStatus::Analysed);
    assert_eq!(c.renegotiations, 1);
    assert_eq!(
        allowed_codes(&c, &agent()),
        [
            "propose",
            "wait_customer",
            "record_appraisal",
            "recategorise",
            "assign",
            "comment"
        ]
    );
}

#[test]
fn out_of_order_actions_name_what_is_allowed() {
    let err = try_step(
        &new_case(),
        &agent(),
        Command::Close {
            summary: "x".into(),
            lessons: None,
        },
    )
    .unwrap_err();
    match err {
        Rejection::NotAllowedNow {
            allowed, status, ..
        } => {
            assert_eq!(status, CaseStatus::Registered);
            assert_eq!(
                ActionName::join(&allowed),
                "judge, wait_customer, recategorise, assign, comment"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_stale_version_is_refused() {
    let c = new_case();
    let err = decide(
        &c,
        &agent(),
        &Command::Judge {
            valid: true,
            reason: None,
        },
        0,
        t0(),
        &Policy::default(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        Rejection::StaleVersion {
            expected: 0,
            actual: 1
        }
    );
}

#[test]
fn departments_only_analyse_their_own_cases() {
    let c = step(
        &new_case(),
        &agent(),
        Command::Judge {
            valid: true,
            reason: None,
        },
    );
    let c = step(
        &c,
        &agent(),
        Command::Route {
            department: dept("logistics"),
        },
    );
    let err = try_step(
        &c,
        &quality(),
        Command::Analyse {
            liability: Liability::Merchant,
            root_cause: RootCause::Product,
            findings: "x".into(),
        },
    )
    .unwrap_err();
    assert!(matches!(err, Rejection::Forbidden { .. }));
    assert_eq!(allowed_codes(&c, &quality()), ["comment"]);
    assert_eq!(
        allowed_codes(&c, &warehouse()),
        [
            "analyse",
            "wait_customer",
            "record_appraisal",
            "recategorise",
            "comment"
        ]
    );
}

#[test]
fn auditors_only_read() {
    let c = new_case();
    assert!(allowed_actions(&c, &auditor()).is_empty());
    let err = try_step(
        &c,
        &auditor(),
        Command::Comment {
            text: "x".into(),
            internal: true,
            override_check: false,
        },
    )
    .unwrap_err();
    assert!(matches!(err, Rejection::Forbidden { .. }));
}

#[test]
fn assignment_needs_a_user_who_handles_cases() {
    let c = new_case();
    let err = try_step(
        &c,
        &agent(),
        Command::Assign {
            user: "ghost".into(),
            user_role: None,
            user_department: None,
        },
    )
    .unwrap_err();
    assert!(matches!(err, Rejection::Invalid(_)));
    let err = try_step(
        &c,
        &agent(),
        Command::Assign {
            user: "al".into(),
            user_role: Some(Role::Auditor),
            user_department: None,
        },
    )
    .unwrap_err();
    assert!(matches!(err, Rejection::Invalid(_)));
    let c = step(
        &c,
        &agent(),
        Command::Assign {
            user: "bob".into(),
            user_role: Some(Role::Agent),
            user_department: None,
        },
    );
    assert_eq!(c.assignee.as_deref(), Some("bob"));
    assert_eq!(c.status, CaseStatus::Registered);
}

#[test]
fn history_data_records_the_move() {
    let c = new_case();
    let e = try_step(
        &c,
        &agent(),
        Command::Judge {
            valid: true,
            reason: None,
        },
    )
    .unwrap();
    assert_eq!(e.action(), "judge");
    assert_eq!(
        e.entry().data(),
        serde_json::json!({"valid": true, "reason": null, "from": "registered", "to": "validated"})
    );
    let e = try_step(
        &c,
        &agent(),
        Command::Comment {
            text: "亲，在的".into(),
            internal: false,
            override_check: false,
        },
    )
    .unwrap();
    assert_eq!(
        e.entry().data(),
        serde_json::json!({"text": "亲，在的", "internal": false})
    );
}

// ---- properties over random command sequences ----

fn any_actor() -> impl Strategy<Value = Actor> {
    prop_oneof![
        Just(agent()),
        Just(supervisor()),
        Just(warehouse()),
        Just(quality()),
        Just(auditor()),
        Just(Actor::staff("root", Role::Admin, None)),
        Just(Actor::Customer),
    ]
}

fn any_command() -> impl Strategy<Value = Command> {
    let kinds = prop::sample::select(ResolutionKind::ALL.to_vec());
    let opt = (kinds, prop::option::of(0i64..40_000)).prop_map(|(k, a)| option(k, a));
    prop_oneof![
        any::<bool>().prop_map(|valid| Command::Judge {
            valid,
            reason: Some("r".into())
        }),
        prop::sample::select(vec!["logistics", "quality"]).prop_map(|d| Command::Route {
            department: dept(d)
        }),
        Just(Command::Analyse {
            liability: Liability::Merchant,
            root_cause: RootCause::Staff,
            findings: "f".into()
        }),
        prop::collection::vec(opt, 1..4).prop_map(|options| Command::Propose { options }),
        (0usize..4).prop_map(|option| Command::Choose { option }),
        Just(Command::Approve { comment: None }),
        Just(Command::Reject {
            comment: "no".into()
        }),
        Just(Command::Execute {
            note: "done".into()
        }),
        any::<bool>().prop_map(|satisfied| Command::FollowUp {
            satisfied,
            rating: None,
            comment: None,
            way: None,
        }),
        Just(Command::Close {
            summary: "s".into(),
            lessons: None
        }),
        Just(Command::Assign {
            user: "bob".into(),
            user_role: Some(Role::Agent),
            user_department: None,
        }),
        any::<bool>().prop_map(|internal| Command::Comment {
            text: "t".into(),
            internal,
            override_check: false,
        }),
    ]
}

/// Runs the sequence, keeping the events that were accepted.
fn run(steps: &[(Actor, Command)]) -> (Case, Vec<Event>) {
    let mut case = new_case();
    let mut events = Vec::new();
    for (actor, cmd) in steps {
        if let Ok(e) = decide(&case, actor, cmd, case.version, t0(), &Policy::default()) {
            case = evolve(&case, &e);
            events.push(e);
        }
    }
    (case, events)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn closed_only_through_every_required_step(
        steps in prop::collection::vec((any_actor(), any_command()), 0..60)
    ) {
        let (case, events) = run(&steps);
        if case.status == CaseStatus::Closed
            && case.closing.as_ref().unwrap().outcome == crate::case::Outcome::Resolved
        {
            // Walk back from the end: close ← satisfied follow-up ← execute ← approval ← choice.
            let moves: Vec<&Event> = events.iter().filter(|e| e.from != e.to).collect();
            let n = moves.len();
            prop_assert!(n >= 8);
            prop_assert_eq!(moves[n - 1].action(), "close");
            prop_assert_eq!(moves[n - 2].action(), "follow_up");
            prop_assert_eq!(moves[n - 3].action(), "execute");
            let before_exec = moves[n - 4];
            match &before_exec.change {
                Change::Approve { .. } => prop_assert_eq!(moves[n - 5].action(), "choose"),
                Change::Choose { needs_approval, .. } => prop_assert!(!needs_approval),
                other => prop_assert!(false, "execute after {:?}", other),
            }
            // The path began with a valid judgement, a routing and an analysis.
            prop_assert_eq!(moves[0].action(), "judge");
            prop_assert!(moves.iter().any(|e| e.action() == "route"));
            prop_assert!(moves.iter().any(|e| e.action() == "analyse"));
        }
    }

    #[test]
    fn every_accepted_action_bumps_the_version_once(
        steps in prop::collection::vec((any_actor(), any_command()), 0..60)
    ) {
        let (case, events) = run(&steps);
        prop_assert_eq!(case.version, 1 + events.len() as i64);
        // What the history stores reads back as the same typed entry.
        for e in &events {
            let entry = e.entry();
            prop_assert_eq!(Entry::read(entry.action(), entry.data()), entry);
        }
        for pair in events.windows(2) {
            prop_assert_eq!(pair[0].to, pair[1].from);
        }
    }

    #[test]
    fn a_closed_case_accepts_nothing(
        steps in prop::collection::vec((any_actor(), any_command()), 0..60),
        actor in any_actor(),
        cmd in any_command(),
    ) {
        let (case, _) = run(&steps);
        if case.status == CaseStatus::Closed {
            prop_assert!(decide(&case, &actor, &cmd, case.version, t0(), &Policy::default()).is_err());
            prop_assert!(allowed_actions(&case, &actor).is_empty());
        }
    }

    #[test]
    fn allowed_actions_are_exactly_those_decide_accepts(
        steps in prop::collection::vec((any_actor(), any_command()), 0..40),
        actor in any_actor(),
        cmd in any_command(),
    ) {
        let (case, _) = run(&steps);
        let accepted = decide(&case, &actor, &cmd, case.version, t0(), &Policy::default());
        let listed = allowed_actions(&case, &actor).contains(&cmd.action());
        // A listed action may still be refused for its values (e.g. an option index out of range),
        // but an action that is not listed is never accepted.
        if accepted.is_ok() {
            prop_assert!(listed);
        }
        if !listed {
            prop_assert!(accepted.is_err());
        }
    }

    #[test]
    fn work_needing_approval_is_never_executed_without_it(
        steps in prop::collection::vec((any_actor(), any_command()), 0..60)
    ) {
        let (_, events) = run(&steps);
        let mut pending = false;
        for e in &events {
            match &e.change {
                Change::Choose { needs_approval, .. } => pending = *needs_approval,
                Change::Approve { .. } | Change::Reject { .. } => pending = false,
                Change::Execute { .. } => prop_assert!(!pending),
                _ => {}
            }
        }
    }
}

#[test]
fn category_routing_suggestion_is_recorded() {
    let c = new_case();
    assert_eq!(c.category, Category::Damaged);
    assert_eq!(c.suggested_department, Some(dept("logistics")));
    let c = step(
        &c,
        &agent(),
        Command::Judge {
            valid: true,
            reason: None,
        },
    );
    let e = try_step(
        &c,
        &agent(),
        Command::Route {
            department: dept("quality"),
        },
    )
    .unwrap();
    assert!(matches!(
        e.change,
        Change::Route {
            as_suggested: false,
            ..
        }
    ));
}

#[test]
fn only_the_customer_ends_a_wait_on_the_customer_whatever_a_staff_account_is_called() {
    let waiting = step(
        &new_case(),
        &agent(),
        Command::WaitCustomer {
            reason: "请提供开箱照片".into(),
        },
    );
    assert!(waiting.pauses.last().unwrap().until.is_none());
    let comment = |text: &str| Command::Comment {
        text: text.into(),
        internal: false,
        override_check: false,
    };
    // An account named like the customer (possible in databases older than the reserved
    // names) is staff: its reply does not end the wait.
    let impostor = Actor::staff("customer", Role::Agent, None);
    let after_impostor = step(&waiting, &impostor, comment("亲，照片收到了吗"));
    assert!(after_impostor.pauses.last().unwrap().until.is_none());
    let event = try_step(&after_impostor, &Actor::Customer, comment("照片已上传")).unwrap();
    assert_eq!(event.author, Author::Customer);
    let answered = evolve(&after_impostor, &event);
    assert!(answered.pauses.last().unwrap().until.is_some());
}

#[test]
fn only_what_the_customer_sees_meets_the_first_response() {
    let judged = step(
        &new_case(),
        &agent(),
        Command::Judge {
            valid: true,
            reason: Some("有照片".into()),
        },
    );
    assert_eq!(judged.responded_at, None, "a judgement is internal");
    let routed = step(
        &judged,
        &agent(),
        Command::Route {
            department: dept("logistics"),
        },
    );
    assert_eq!(routed.responded_at, None, "so is a route");
    let noted = step(
        &routed,
        &agent(),
        Command::Comment {
            text: "仓库已查".into(),
            internal: true,
            override_check: false,
        },
    );
    assert_eq!(noted.responded_at, None, "and an internal note");
    let replied = step(
        &noted,
        &agent(),
        Command::Comment {
            text: "亲，已为您查询".into(),
            internal: false,
            override_check: false,
        },
    );
    assert!(
        replied.responded_at.is_some(),
        "a public reply reaches the customer"
    );
}

#[test]
fn a_case_goes_only_to_department_users_of_its_own_department() {
    let routed = step(
        &step(
            &new_case(),
            &agent(),
            Command::Judge {
                valid: true,
                reason: None,
            },
        ),
        &agent(),
        Command::Route {
            department: dept("logistics"),
        },
    );
    let assign = |role, department: Option<&str>| Command::Assign {
        user: "x".into(),
        user_role: Some(role),
        user_department: department.map(dept),
    };
    let refused = try_step(&routed, &agent(), assign(Role::Department, Some("quality")));
    assert!(
        matches!(refused, Err(Rejection::Invalid(ref f)) if f[0].field == "user"),
        "{refused:?}"
    );
    assert!(try_step(
        &routed,
        &agent(),
        assign(Role::Department, Some("logistics"))
    )
    .is_ok());
    assert!(try_step(&routed, &agent(), assign(Role::Agent, None)).is_ok());
    assert!(try_step(&routed, &agent(), assign(Role::Supervisor, None)).is_ok());
    // Not routed yet: no department user can take it.
    assert!(try_step(
        &new_case(),
        &agent(),
        assign(Role::Department, Some("logistics"))
    )
    .is_err());
}

#[test]
fn the_registering_agent_owns_the_case_and_an_unowned_case_can_be_claimed_once() {
    assert_eq!(new_case().assignee.as_deref(), Some("amy"));
    let form: RegistrationForm = serde_json::from_value(serde_json::json!({
        "channel": "web_form", "complainant": {"name": "王小明"},
        "category": "damaged", "demand": "reship", "description": "杯子碎了"
    }))
    .unwrap();
    let filed =
        form.parse(t0())
            .unwrap()
            .into_case(2, 2, &Actor::Customer, t0(), &Policy::default());
    assert_eq!(
        filed.assignee, None,
        "a customer's own filing waits to be claimed"
    );
    assert!(allowed_codes(&filed, &agent()).contains(&"take"));
    assert!(!allowed_codes(&filed, &auditor()).contains(&"take"));
    let claimed = step(&filed, &supervisor(), Command::Take);
    assert_eq!(claimed.assignee.as_deref(), Some("sam"));
    assert_eq!(claimed.status, CaseStatus::Registered);
    assert!(
        matches!(
            try_step(&claimed, &agent(), Command::Take),
            Err(Rejection::NotAllowedNow { .. })
        ),
        "an owned case is not claimed from under its owner: it is reassigned"
    );
    assert!(!allowed_codes(&claimed, &agent()).contains(&"take"));
}

#[test]
fn a_department_user_claims_only_cases_of_their_department() {
    let mut routed = new_case();
    routed.assignee = None;
    routed.status = CaseStatus::Routed;
    routed.department = Some(dept("logistics"));
    assert!(allowed_codes(&routed, &warehouse()).contains(&"take"));
    assert!(!allowed_codes(&routed, &quality()).contains(&"take"));
    assert!(try_step(&routed, &quality(), Command::Take).is_err());
    assert_eq!(
        step(&routed, &warehouse(), Command::Take)
            .assignee
            .as_deref(),
        Some("wu")
    );
}

#[test]
fn an_open_case_can_be_filed_under_another_category_and_the_history_says_which() {
    let c = new_case();
    let recategorise = |category| Command::Recategorise {
        category,
        reason: Some("顾客补充说是发错了货".into()),
    };
    let event = try_step(&c, &agent(), recategorise(Category::WrongItem)).unwrap();
    assert_eq!(event.to, c.status, "a correction moves no step");
    assert!(matches!(
        event.change,
        Change::Recategorise {
            from: Category::Damaged,
            to: Category::WrongItem,
            ..
        }
    ));
    let after = evolve(&c, &event);
    assert_eq!(after.category, Category::WrongItem);
    // The same category again changes nothing and says so.
    let same = try_step(&after, &agent(), recategorise(Category::WrongItem)).unwrap_err();
    assert!(
        matches!(same, Rejection::Invalid(ref f) if f[0].field == "category"),
        "{same}"
    );
    // Auditors read; they do not file.
    assert!(matches!(
        try_step(&c, &auditor(), recategorise(Category::Quality)),
        Err(Rejection::Forbidden { .. })
    ));
}

#[test]
fn a_closed_case_keeps_its_final_category() {
    let c = step(
        &new_case(),
        &agent(),
        Command::Judge {
            valid: false,
            reason: Some("不属于售后范围".into()),
        },
    );
    assert_eq!(c.status, CaseStatus::Closed);
    let err = try_step(
        &c,
        &agent(),
        Command::Recategorise {
            category: Category::Quality,
            reason: None,
        },
    )
    .unwrap_err();
    assert!(matches!(err, Rejection::NotAllowedNow { .. }), "{err}");
}

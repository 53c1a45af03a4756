//! Every use case called the way the API, the workbench and the worker call it, without
//! HTTP: a real SQLite store in a temporary folder, the caller, the parsed input, `now`.

use chrono::{DateTime, Duration, Utc};
use kesu_app::cases::{act_on, visible_case, ActionRequest};
use kesu_app::logistics::{raise, Raised};
use kesu_app::AppError;
use kesu_domain::account::Username;
use kesu_domain::claims::{ClaimReason, ClaimStatus};
use kesu_domain::codes::DepartmentCode;
use kesu_domain::event::Change;
use kesu_domain::fulfilment::StepData;
use kesu_domain::history::{Author, ClaimNote, Entry, SystemActor};
use kesu_domain::logistics::{ExceptionKind, Level};
use kesu_domain::registration::RegistrationForm;
use kesu_domain::report::{Period, ReportFilter, ReportQuery, Summary};
use kesu_domain::Role;
use kesu_store::{NewException, NewUser, Store, User};
use serde_json::{json, Value};

struct Desk {
    store: Store,
    _dir: tempfile::TempDir,
}

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

async fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&kesu_store::sqlite_url_in(dir.path()))
        .await
        .unwrap();
    Desk { store, _dir: dir }
}

impl Desk {
    async fn user(&self, name: &str, role: Role, department: Option<&str>) -> User {
        let department = department.map(|d| DepartmentCode::parse(d).unwrap());
        self.store
            .create_user(
                NewUser {
                    username: &Username::parse(name).unwrap(),
                    password: "pass-word-1",
                    role,
                    department: department.as_ref(),
                },
                kesu_store::By::new("admin", t0()),
            )
            .await
            .unwrap()
    }

    async fn order(&self, order_no: &str) {
        let form: kesu_domain::order::OrderForm = serde_json::from_value(json!({
            "shop": "旗舰店", "buyer": {"name": "王小明", "phone": "13812345678", "address": "浙江省杭州市西湖区文三路100号"},
            "placed_at": "2026-11-11T00:05:00+08:00", "paid_at": "2026-11-11T00:06:00+08:00",
            "payment_method": "alipay",
            "lines": [{"line_id": "A", "sku": "CUP", "name": "玻璃杯", "unit_price_cents": 12900, "quantity": 2}],
            "shipping_cents": 1000,
            "shipments": [{"carrier": "yto", "tracking_no": "YT1234567890",
                           "shipped_at": "2026-11-21T18:00:00+08:00",
                           "lines": [{"line_id": "A", "quantity": 2}]}]
        }))
        .unwrap();
        self.store
            .put_order(&form.parse(order_no).unwrap(), t0())
            .await
            .unwrap();
    }
}

fn complaint(channel: &str) -> RegistrationForm {
    serde_json::from_value(json!({
        "channel": channel,
        "complainant": {"name": "王小明", "phone": "13812345678"},
        "order_no": "TB20261111001", "tracking_no": "YT1234567890",
        "category": "damaged", "demand": "reship",
        "description": "收到的玻璃杯碎了两个，外箱有明显压痕",
    }))
    .unwrap()
}

fn action(body: Value) -> ActionRequest {
    ActionRequest::from_json(body).unwrap()
}

#[tokio::test]
async fn staff_register_once_per_key_and_departments_may_not() {
    let d = desk().await;
    let agent = d.user("amy", Role::Agent, None).await;
    let first = kesu_app::register::register(&d.store, &agent, complaint("chat"), Some("k1"), t0())
        .await
        .unwrap();
    assert!(first.created);
    assert_eq!(first.record.case.number, "KS-20261123-0001");
    let again = kesu_app::register::register(&d.store, &agent, complaint("chat"), Some("k1"), t0())
        .await
        .unwrap();
    assert!(!again.created, "a retry answers with the first case");
    assert_eq!(again.record.case.id, first.record.case.id);
    let other =
        kesu_app::register::register(&d.store, &agent, complaint("phone"), Some("k1"), t0()).await;
    assert!(matches!(other, Err(AppError::Conflict { .. })), "{other:?}");

    let dept = d.user("wu", Role::Department, Some("logistics")).await;
    let refused =
        kesu_app::register::register(&d.store, &dept, complaint("chat"), None, t0()).await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn the_customers_complaint_and_its_link_are_stored_together() {
    let d = desk().await;
    let filed = kesu_app::register::complain(&d.store, complaint("web_form"), Some("f1"), t0())
        .await
        .unwrap();
    let (opened, history) = kesu_app::customer::case_for_link(&d.store, &filed.link, t0())
        .await
        .unwrap();
    assert_eq!(opened.case.id, filed.record.case.id);
    assert_eq!(history[0].author, Author::Customer);

    // A double submit is one case; its fresh link replaces the first.
    let again = kesu_app::register::complain(&d.store, complaint("web_form"), Some("f1"), t0())
        .await
        .unwrap();
    assert_eq!(again.record.case.id, filed.record.case.id);
    assert!(
        kesu_app::customer::case_for_link(&d.store, &again.link, t0())
            .await
            .is_ok()
    );
    assert!(matches!(
        kesu_app::customer::case_for_link(&d.store, &filed.link, t0()).await,
        Err(AppError::NotFound(_))
    ));

    // Customers file through the web form only.
    let refused = kesu_app::register::complain(&d.store, complaint("phone"), None, t0()).await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn actions_go_through_the_lifecycle_and_departments_see_their_own_cases_only() {
    let d = desk().await;
    let agent = d.user("amy", Role::Agent, None).await;
    let quality = d.user("qi", Role::Department, Some("quality")).await;
    let logistics = d.user("wu", Role::Department, Some("logistics")).await;
    let case = kesu_app::register::register(&d.store, &agent, complaint("chat"), None, t0())
        .await
        .unwrap()
        .record
        .case;
    let judged = act_on(
        &d.store,
        &agent.actor(),
        case.id,
        action(json!({"action": "judge", "version": 1, "valid": true})),
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(judged.case.version, 2);
    let stale = act_on(
        &d.store,
        &agent.actor(),
        case.id,
        action(json!({"action": "route", "version": 1, "department": "logistics"})),
        t0(),
    )
    .await;
    assert!(
        matches!(
            stale,
            Err(AppError::Conflict {
                current_version: Some(2),
                ..
            })
        ),
        "{stale:?}"
    );
    act_on(
        &d.store,
        &agent.actor(),
        case.id,
        action(json!({"action": "route", "version": 2, "department": "logistics"})),
        t0(),
    )
    .await
    .unwrap();
    assert!(visible_case(&d.store, &logistics.actor(), case.id)
        .await
        .is_ok());
    assert!(matches!(
        visible_case(&d.store, &quality.actor(), case.id).await,
        Err(AppError::NotFound(_))
    ));
    let unknown = act_on(
        &d.store,
        &agent.actor(),
        case.id,
        action(json!({"action": "route", "version": 3, "department": "nowhere"})),
        t0(),
    )
    .await;
    assert!(matches!(unknown, Err(AppError::Invalid(_))), "{unknown:?}");
}

#[tokio::test]
async fn the_customer_writes_and_chooses_but_does_nothing_else() {
    let d = desk().await;
    let filed = kesu_app::register::complain(&d.store, complaint("web_form"), None, t0())
        .await
        .unwrap();
    let wrote = kesu_app::customer::act_as_customer(
        &d.store,
        &filed.link,
        action(json!({"action": "comment", "version": 1, "text": "请尽快处理", "internal": true})),
        t0(),
    )
    .await
    .unwrap();
    let history = d.store.history(wrote.case.id).await.unwrap();
    let comment = history.last().unwrap();
    assert_eq!(comment.author, Author::Customer);
    assert!(
        matches!(
            comment.entry,
            Entry::Changed {
                change: Change::Comment {
                    internal: false,
                    ..
                },
                ..
            }
        ),
        "what the customer writes is never an internal note: {:?}",
        comment.entry
    );
    let judged = kesu_app::customer::act_as_customer(
        &d.store,
        &filed.link,
        action(json!({"action": "judge", "version": wrote.case.version, "valid": true})),
        t0(),
    )
    .await;
    assert!(matches!(judged, Err(AppError::Forbidden(_))), "{judged:?}");
    let unknown_link = kesu_app::customer::act_as_customer(
        &d.store,
        "not-a-link",
        action(json!({"action": "comment", "version": 1, "text": "你好"})),
        t0(),
    )
    .await;
    assert!(matches!(unknown_link, Err(AppError::NotFound(_))));
}

fn refused_parcel(order_no: Option<&str>, episode: &str) -> NewException {
    NewException {
        carrier: "yto".into(),
        tracking_no: "YT1234567890".into(),
        order_no: order_no.map(str::to_owned),
        kind: ExceptionKind::Refused,
        level: Level::Exception,
        detected_at: t0(),
        detail: Some("派件被拒收".into()),
        episode: episode.into(),
    }
}

#[tokio::test]
async fn a_parcel_in_trouble_opens_a_case_once_then_flags_it() {
    let d = desk().await;
    d.order("TB20261111001").await;
    let e = refused_parcel(Some("TB20261111001"), "1");
    let Raised::Opened(number) = raise(&d.store, &e, None, t0()).await.unwrap() else {
        panic!("a case is opened")
    };
    assert_eq!(
        raise(&d.store, &e, None, t0()).await.unwrap(),
        Raised::Known
    );
    let board = d
        .store
        .exceptions(&kesu_store::ExceptionFilter::default())
        .await
        .unwrap();
    assert_eq!(board.len(), 1);
    let case_id = board[0].case_id.expect("the finding is linked to its case");
    let opened = d.store.case(case_id).await.unwrap().unwrap();
    assert_eq!(opened.case.number, number);
    let first = &d.store.history(case_id).await.unwrap()[0];
    assert_eq!(first.author, Author::System(SystemActor::LogisticsMonitor));
    assert!(
        matches!(first.entry, Entry::Registered(_)),
        "{:?}",
        first.entry
    );

    // Another episode on the same parcel: a note on the open case, which keeps its version.
    let later = refused_parcel(Some("TB20261111001"), "2");
    assert_eq!(
        raise(&d.store, &later, None, t0() + Duration::hours(1))
            .await
            .unwrap(),
        Raised::Flagged(number)
    );
    let history = d.store.history(case_id).await.unwrap();
    let noted = &history.last().unwrap().entry;
    assert!(
        matches!(noted, Entry::LogisticsException(e) if e.kind == ExceptionKind::Refused),
        "{noted:?}"
    );
    assert_eq!(
        d.store.case(case_id).await.unwrap().unwrap().case.version,
        1
    );

    // Without an order nothing opens: the finding stays on the board.
    let orphan = NewException {
        tracking_no: "ZT000".into(),
        ..refused_parcel(None, "1")
    };
    assert_eq!(
        raise(&d.store, &orphan, None, t0()).await.unwrap(),
        Raised::Warned
    );
}

#[tokio::test]
async fn tracking_events_are_posted_by_staff_who_may_and_open_cases() {
    let d = desk().await;
    d.order("TB20261111001").await;
    let auditor = d.user("au", Role::Auditor, None).await;
    let agent = d.user("amy", Role::Agent, None).await;
    let event: kesu_domain::tracking::TrackingEventForm = serde_json::from_value(json!({
        "carrier": "yto", "tracking_no": "YT1234567890",
        "at": "2026-11-22T10:00:00+08:00", "status": "refused", "text": "收件人拒收"
    }))
    .unwrap();
    let events = vec![event.parse("").unwrap()];
    let refused = kesu_app::tracking::post_events(&d.store, &auditor, &events, t0()).await;
    assert!(matches!(refused, Err(AppError::Forbidden(_))));
    let taken = kesu_app::tracking::post_events(&d.store, &agent, &events, t0())
        .await
        .unwrap();
    assert_eq!(taken.opened.len(), 1, "{taken:?}");
    let again = kesu_app::tracking::post_events(&d.store, &agent, &events, t0())
        .await
        .unwrap();
    assert_eq!((again.duplicates, again.opened.len()), (1, 0));
}

#[tokio::test]
async fn claims_are_filed_and_moved_by_those_who_work_the_case() {
    let d = desk().await;
    let agent = d.user("amy", Role::Agent, None).await;
    let auditor = d.user("au", Role::Auditor, None).await;
    let quality = d.user("qi", Role::Department, Some("quality")).await;
    let case = kesu_app::register::register(&d.store, &agent, complaint("chat"), None, t0())
        .await
        .unwrap()
        .record
        .case;
    let form = || -> kesu_domain::claims::ClaimForm {
        serde_json::from_value(json!({
            "carrier": "yto", "tracking_no": "YT1234567890", "reason": "damaged",
            "amount_claimed_cents": 12900
        }))
        .unwrap()
    };
    let by_auditor = kesu_app::claims::file_claim(&d.store, &auditor, case.id, form(), t0()).await;
    assert!(
        matches!(by_auditor, Err(AppError::Forbidden(_))),
        "{by_auditor:?}"
    );
    let by_other_department =
        kesu_app::claims::file_claim(&d.store, &quality, case.id, form(), t0()).await;
    assert!(matches!(by_other_department, Err(AppError::NotFound(_))));
    let claim = kesu_app::claims::file_claim(&d.store, &agent, case.id, form(), t0())
        .await
        .unwrap();
    let update: kesu_domain::claims::ClaimUpdate =
        serde_json::from_value(json!({"status": "accepted", "version": claim.version})).unwrap();
    let moved = kesu_app::claims::update_claim(&d.store, &agent, claim.id, update.clone(), t0())
        .await
        .unwrap();
    assert_eq!(moved.version, claim.version + 1);
    let notes: Vec<ClaimNote> = d
        .store
        .history(case.id)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|h| match h.entry {
            Entry::Claim(note) => Some(note),
            _ => None,
        })
        .collect();
    assert_eq!(notes.len(), 2, "filing and moving are both in the history");
    assert_eq!(notes[0].reason(), Some(ClaimReason::Damaged));
    assert_eq!(notes[1].status(), ClaimStatus::Accepted);
    let stale = kesu_app::claims::update_claim(&d.store, &agent, claim.id, update, t0()).await;
    assert!(matches!(stale, Err(AppError::Conflict { .. })));
    assert!(kesu_app::claims::visible_claims(&d.store, &quality)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        kesu_app::claims::visible_claims(&d.store, &agent)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn the_worker_fires_what_is_due_and_nothing_twice() {
    let d = desk().await;
    let agent = d.user("amy", Role::Agent, None).await;
    let case = kesu_app::register::register(&d.store, &agent, complaint("chat"), None, t0())
        .await
        .unwrap()
        .record
        .case;
    assert_eq!(
        kesu_app::worker::round(&d.store, t0(), "w").await.unwrap(),
        0
    );
    // Nobody answered for three days: the first-response deadline has long passed.
    let later = t0() + Duration::days(3);
    let fired = kesu_app::worker::round(&d.store, later, "w").await.unwrap();
    assert!(fired > 0);
    assert_eq!(
        kesu_app::worker::round(&d.store, later, "w").await.unwrap(),
        0
    );
    let history = d.store.history(case.id).await.unwrap();
    assert!(history
        .iter()
        .any(|h| h.author == Author::System(SystemActor::SlaTimer)
            && matches!(h.entry, Entry::Timer { .. })));
}

#[tokio::test]
async fn everything_a_walk_writes_reads_back_as_typed_history() {
    let d = desk().await;
    d.order("TB20261111001").await;
    let agent = d.user("amy", Role::Agent, None).await;
    let warehouse = d.user("wu", Role::Department, Some("logistics")).await;
    let case = kesu_app::register::register(&d.store, &agent, complaint("chat"), None, t0())
        .await
        .unwrap()
        .record
        .case;
    let line = json!([{"line_id": "A", "quantity": 1}]);
    let walk = [
        (
            &agent,
            json!({"action": "judge", "valid": true, "reason": "外箱压痕属实"}),
        ),
        (
            &agent,
            json!({"action": "comment", "text": "亲，已为您登记", "internal": false}),
        ),
        (
            &agent,
            json!({"action": "route", "department": "logistics"}),
        ),
        (
            &warehouse,
            json!({"action": "analyse", "liability": "carrier", "root_cause": "carrier", "findings": "运输途中挤压"}),
        ),
        (
            &agent,
            json!({"action": "propose", "options": [{"kind": "return_refund", "lines": line}]}),
        ),
        (&agent, json!({"action": "choose", "option": 0})),
        (
            &warehouse,
            json!({"action": "return_shipped", "carrier": "sf", "tracking_no": "SF100200300"}),
        ),
        (&warehouse, json!({"action": "receive_return"})),
        (
            &warehouse,
            json!({"action": "inspect", "result": "partial", "lines": line, "note": "一件有污渍", "photos": ["https://img.example/1.jpg"]}),
        ),
        (&warehouse, json!({"action": "restock", "note": "入良品库"})),
        (&agent, json!({"action": "refund"})),
        (
            &agent,
            json!({"action": "follow_up", "satisfied": true, "rating": 5}),
        ),
        (
            &agent,
            json!({"action": "close", "summary": "退货退款完成"}),
        ),
    ];
    let mut version = case.version;
    for (who, mut body) in walk {
        body["version"] = json!(version);
        let done = act_on(&d.store, &who.actor(), case.id, action(body.clone()), t0()).await;
        version = done
            .unwrap_or_else(|e| panic!("{body}: {e:?}"))
            .case
            .version;
    }
    let form: kesu_domain::claims::ClaimForm = serde_json::from_value(json!({
        "carrier": "yto", "tracking_no": "YT1234567890", "reason": "damaged",
        "amount_claimed_cents": 12900
    }))
    .unwrap();
    let claim = kesu_app::claims::file_claim(&d.store, &agent, case.id, form, t0()).await;
    assert!(claim.is_err(), "a closed case takes no claim: {claim:?}");

    let history = d.store.history(case.id).await.unwrap();
    assert_eq!(history.len(), 14);
    for h in &history {
        assert!(
            !matches!(h.entry, Entry::Other { .. }),
            "kesu wrote an entry it cannot read back: {:?}",
            h.entry
        );
    }
    let inspected = history
        .iter()
        .find_map(|h| match &h.entry {
            Entry::Stepped {
                data: StepData::Inspected { accepted, .. },
                ..
            } => Some(accepted.clone()),
            _ => None,
        })
        .expect("the inspection is in the history");
    assert_eq!(inspected.len(), 1);
    let refunded = history.iter().find_map(|h| match &h.entry {
        Entry::Stepped {
            data: StepData::Refunded { cash_cents, .. },
            moved,
            ..
        } => Some((*cash_cents, moved.map(|m| m.to))),
        _ => None,
    });
    let (cash, moved) = refunded.expect("the refund is in the history");
    assert!(cash > 0);
    assert_eq!(moved, Some(kesu_domain::CaseStatus::Executed));
}

#[tokio::test]
async fn reports_and_exports_hold_department_users_to_their_department() {
    let d = desk().await;
    let agent = d.user("amy", Role::Agent, None).await;
    let warehouse = d.user("wu", Role::Department, Some("logistics")).await;
    let quality = d.user("qi", Role::Department, Some("quality")).await;
    let adrift = d.user("nd", Role::Department, None).await;
    for routed in [true, false] {
        let case = kesu_app::register::register(&d.store, &agent, complaint("chat"), None, t0())
            .await
            .unwrap()
            .record
            .case;
        if routed {
            for (v, body) in [
                (1, json!({"action": "judge", "valid": true})),
                (2, json!({"action": "route", "department": "logistics"})),
            ] {
                let mut body = body;
                body["version"] = json!(v);
                act_on(&d.store, &agent.actor(), case.id, action(body), t0())
                    .await
                    .unwrap();
            }
        }
    }
    let reports = kesu_app::reports::Reports::start(d.store.clone());
    let zone = kesu_domain::Policy::default().zone();
    let query = |department: Option<&str>| ReportQuery {
        period: Period::parse(Some("2026-11-20"), Some("2026-11-30"), zone).unwrap(),
        filter: ReportFilter {
            department: department.map(str::to_owned),
            ..ReportFilter::default()
        },
        now: t0(),
    };
    let cases = |s: Summary| s.cases;
    let summary = kesu_app::reports::summary;
    assert_eq!(
        cases(
            summary(&d.store, &reports, &agent, query(None))
                .await
                .unwrap()
        ),
        2
    );
    assert_eq!(
        cases(
            summary(&d.store, &reports, &warehouse, query(None))
                .await
                .unwrap()
        ),
        1,
        "a department user's report holds their department's cases only"
    );
    assert_eq!(
        cases(
            summary(&d.store, &reports, &quality, query(None))
                .await
                .unwrap()
        ),
        0
    );
    let elsewhere = summary(&d.store, &reports, &warehouse, query(Some("quality"))).await;
    assert!(
        matches!(elsewhere, Err(AppError::Forbidden(_))),
        "{elsewhere:?}"
    );
    let nowhere = kesu_app::reports::dashboard(&d.store, &reports, &adrift, query(None)).await;
    assert!(matches!(nowhere, Err(AppError::Forbidden(_))));

    let register = kesu_app::reports::register(&d.store, &reports, &agent, query(None))
        .await
        .unwrap();
    assert_eq!((register.records.len(), register.unmasked), (2, true));
    let register = kesu_app::reports::register(&d.store, &reports, &warehouse, query(None))
        .await
        .unwrap();
    assert_eq!(
        (register.records.len(), register.unmasked),
        (1, false),
        "a department user exports their cases, masked"
    );
}

#[tokio::test]
async fn department_users_resolve_only_the_exceptions_they_can_see() {
    let d = desk().await;
    let agent = d.user("amy", Role::Agent, None).await;
    let warehouse = d.user("wu", Role::Department, Some("logistics")).await;
    // A parcel in trouble that no case of the warehouse's department is about.
    let id = d
        .store
        .record_exception(&refused_parcel(None, "1"))
        .await
        .unwrap()
        .expect("a new finding");
    let by_department = kesu_app::claims::resolve_exception(&d.store, &warehouse, id, t0()).await;
    assert!(
        matches!(by_department, Err(AppError::NotFound(_))),
        "{by_department:?}"
    );
    kesu_app::claims::resolve_exception(&d.store, &agent, id, t0())
        .await
        .unwrap();
    let again = kesu_app::claims::resolve_exception(&d.store, &agent, id, t0()).await;
    assert!(matches!(again, Err(AppError::NotFound(_))), "{again:?}");
}

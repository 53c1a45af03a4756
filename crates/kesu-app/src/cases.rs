//! Reading a case and acting on it: the lifecycle's one way in for staff, the customer and
//! kesu's own workers.

use chrono::{DateTime, Utc};
use kesu_domain::codes::DepartmentCode;
use kesu_domain::command::Command;
use kesu_domain::lifecycle::decide_with_order;
use kesu_domain::reply_check::{blocks, check, Purpose, Reply};
use kesu_domain::{evolve, ActionName, Actor};
use kesu_store::{CaseRecord, Store, StoreError};
use serde_json::{Map, Value};

use crate::error::{AppError, AppResult};
use kesu_domain::error::{Problem, Thing};

/// What the case id in a path or a link means: a number, or nothing at all.
pub fn case_id(raw: &str) -> AppResult<i64> {
    crate::id_in_path(raw, "case")
}

/// Loads a case the actor may see (department users only their department's); any other
/// case is "not found", so that its existence is not given away.
pub async fn visible_case(store: &Store, actor: &Actor, id: i64) -> AppResult<CaseRecord> {
    let not_found = || AppError::NotFound(format!("no case with id `{id}`"));
    let record = store.case(id).await?.ok_or_else(not_found)?;
    if !actor.may_see(&record.case) {
        return Err(not_found());
    }
    Ok(record)
}

/// An action as asked for: its name, the case version the caller saw, and its fields.
#[derive(Debug, Clone)]
pub struct ActionRequest {
    pub action: ActionName,
    pub version: i64,
    pub fields: Map<String, Value>,
}

impl ActionRequest {
    /// `{"action", "version", …fields}` → its parts, naming what is missing or wrong.
    pub fn from_json(body: Value) -> AppResult<ActionRequest> {
        let Value::Object(mut fields) = body else {
            return Err(AppError::explained(
                "",
                Problem::Format,
                "the body must be a JSON object",
            ));
        };
        let action = match fields.remove("action") {
            Some(Value::String(a)) => ActionName::parse(&a).ok_or_else(|| {
                AppError::explained(
                    "action",
                    Problem::NotOneOf {
                        allowed: action_list(),
                    },
                    format!("`{a}` is not an action; use one of {}", action_list()),
                )
            })?,
            Some(_) => {
                return Err(AppError::explained(
                    "action",
                    Problem::Format,
                    "must be a string",
                ))
            }
            None => {
                return Err(AppError::explained(
                    "action",
                    Problem::Required,
                    format!("is required: one of {}", action_list()),
                ))
            }
        };
        let version = match fields.remove("version") {
            Some(v) => v.as_i64().ok_or_else(|| {
                AppError::explained("version", Problem::Format, "must be an integer")
            })?,
            None => {
                return Err(AppError::explained(
                    "version",
                    Problem::Required,
                    "is required: send the version of the case you saw",
                ))
            }
        };
        Ok(ActionRequest {
            action,
            version,
            fields,
        })
    }
}

fn action_list() -> String {
    ActionName::ALL
        .iter()
        .map(|a| a.code())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Takes an action on case `id`, which the actor must be able to see.
pub async fn act_on(
    store: &Store,
    actor: &Actor,
    id: i64,
    request: ActionRequest,
    now: DateTime<Utc>,
) -> AppResult<CaseRecord> {
    let record = visible_case(store, actor, id).await?;
    act(store, actor, record, request, now).await
}

/// Takes an action on a case already loaded for `actor` (the customer's comes from their
/// link): looks up what the command needs, lets the lifecycle decide, and stores the
/// change with its history entry in one transaction.
pub async fn act(
    store: &Store,
    actor: &Actor,
    record: CaseRecord,
    request: ActionRequest,
    now: DateTime<Utc>,
) -> AppResult<CaseRecord> {
    let mut command = Command::parse(request.action, Value::Object(request.fields))?;
    match &mut command {
        Command::Assign {
            user,
            user_role,
            user_department,
        } => {
            let found = store.user(user).await?.filter(|u| !u.disabled);
            *user_role = found.as_ref().map(|u| u.role);
            *user_department = found.and_then(|u| u.department);
        }
        Command::Route { department } => check_department(store, department).await?,
        Command::Comment {
            text,
            internal: false,
            override_check,
        } if actor.role().is_some() => {
            let rules = store.reply_rules().await?;
            check_public_reply(&rules, &record, record.case.channel, text, *override_check)?
        }
        _ => {}
    }
    let policy = store.policy().await?;
    let order = match &record.case.order_no {
        Some(no) => store.order(no).await?,
        None => None,
    };
    let event = decide_with_order(
        &record.case,
        actor,
        &command,
        request.version,
        now,
        &policy,
        order.as_ref(),
    )?;
    let after = evolve(&record.case, &event);
    match store.append_event(&after, &event).await {
        Ok(()) => {}
        Err(StoreError::StaleVersion) => {
            let current = store.case(record.case.id).await?.map(|r| r.case.version);
            return Err(AppError::Conflict {
                code: "stale_version",
                detail: "the case was changed by someone else just now; reload it and try again"
                    .into(),
                allowed_actions: None,
                current_version: current,
            });
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(case = %after.number, action = event.action(), by = %actor.name(), "action taken");
    Ok(CaseRecord {
        case: after,
        complainant: record.complainant,
    })
}

async fn check_department(store: &Store, department: &DepartmentCode) -> AppResult<()> {
    if store.department_exists(department).await? {
        Ok(())
    } else {
        Err(AppError::invalid(
            "department",
            Problem::Unknown {
                thing: Thing::Department,
                value: department.to_string(),
            },
        ))
    }
}

/// A public reply the checker blocks (contact off the platform on `platform`, the customer's
/// own data) is refused, naming what to change, unless a supervisor overrides it (recorded).
/// A reply the customer will read on `channel`, checked: 422 naming the blocking findings
/// unless overridden.
pub(crate) fn check_public_reply(
    rules: &kesu_domain::reply_check::ReplyRules,
    record: &CaseRecord,
    channel: kesu_domain::codes::Channel,
    text: &str,
    override_check: bool,
) -> AppResult<()> {
    let findings = check(
        rules,
        &Reply {
            text,
            channel: Some(channel),
            purpose: Purpose::Reply,
            personal: record.complainant.contact_details(),
        },
    );
    if !blocks(&findings) || override_check {
        return Ok(());
    }
    let what = findings
        .iter()
        .filter(|f| f.blocking)
        .map(|f| format!("「{}」：{}", f.text, f.suggestion))
        .collect::<Vec<_>>()
        .join("；");
    Err(AppError::invalid(
        "text",
        Problem::ReplyBlocked { findings: what },
    ))
}

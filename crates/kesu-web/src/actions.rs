//! Taking a lifecycle action, shared by the JSON API and the workbench pages.

use kesu_domain::codes::DepartmentCode;
use kesu_domain::command::Command;
use kesu_domain::lifecycle::decide_with_order;
use kesu_domain::{evolve, ActionName, Actor, Role};
use kesu_store::{CaseRecord, StoreError, User};
use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Loads a case the caller may see; department users see only their department's cases.
pub async fn visible_case(state: &AppState, caller: &User, raw_id: &str) -> ApiResult<CaseRecord> {
    let not_found = || ApiError::NotFound(format!("no case with id `{raw_id}`"));
    let id: i64 = raw_id.parse().map_err(|_| not_found())?;
    let record = state.store.case(id).await?.ok_or_else(not_found)?;
    if caller.role == Role::Department && record.case.department != caller.department {
        return Err(not_found());
    }
    Ok(record)
}

/// Takes the action described by `body` (`{"action", "version", …fields}`) on case `id`.
pub async fn perform(
    state: &AppState,
    caller: &User,
    id: &str,
    body: Value,
) -> ApiResult<CaseRecord> {
    let (action, version, fields) = parse_body(body)?;
    let record = visible_case(state, caller, id).await?;
    apply(state, &caller.actor(), record, action, version, fields).await
}

/// `{"action", "version", …fields}` → its parts, naming what is missing or wrong.
pub fn parse_body(body: Value) -> ApiResult<(ActionName, i64, Map<String, Value>)> {
    let Value::Object(mut fields) = body else {
        return Err(ApiError::invalid("", "the body must be a JSON object"));
    };
    let action = match fields.remove("action") {
        Some(Value::String(a)) => ActionName::parse(&a).ok_or_else(|| {
            ApiError::invalid(
                "action",
                format!("`{a}` is not an action; use one of {}", action_list()),
            )
        })?,
        Some(_) => return Err(ApiError::invalid("action", "must be a string")),
        None => {
            return Err(ApiError::invalid(
                "action",
                format!("is required: one of {}", action_list()),
            ))
        }
    };
    let version = match fields.remove("version") {
        Some(v) => v
            .as_i64()
            .ok_or_else(|| ApiError::invalid("version", "must be an integer"))?,
        None => {
            return Err(ApiError::invalid(
                "version",
                "is required: send the version of the case you saw",
            ))
        }
    };
    Ok((action, version, fields))
}

/// Takes an action on a case already loaded and shown to `actor`.
pub async fn apply(
    state: &AppState,
    actor: &Actor,
    record: CaseRecord,
    action: ActionName,
    version: i64,
    fields: Map<String, Value>,
) -> ApiResult<CaseRecord> {
    let mut command = Command::parse(action, Value::Object(fields))?;
    match &mut command {
        Command::Assign {
            user,
            user_role,
            user_department,
        } => {
            let found = state.store.user(user).await?.filter(|u| !u.disabled);
            *user_role = found.as_ref().map(|u| u.role);
            *user_department = found.and_then(|u| u.department);
        }
        Command::Route { department } => check_department(state, department).await?,
        Command::Comment {
            text,
            internal: false,
            override_check,
        } if actor.role().is_some() => {
            let rules = state.store.reply_rules().await?;
            check_public_reply(&rules, &record, text, *override_check)?
        }
        _ => {}
    }
    let now = state.clock.now();
    let policy = state.store.policy().await?;
    let order = match &record.case.order_no {
        Some(no) => state.store.order(no).await?,
        None => None,
    };
    let event = decide_with_order(
        &record.case,
        actor,
        &command,
        version,
        now,
        &policy,
        order.as_ref(),
    )?;
    let after = evolve(&record.case, &event);
    match state.store.append_event(&after, &event).await {
        Ok(()) => {}
        Err(StoreError::StaleVersion) => {
            let current = state
                .store
                .case(record.case.id)
                .await?
                .map(|r| r.case.version);
            return Err(ApiError::Conflict {
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

fn action_list() -> String {
    ActionName::ALL
        .iter()
        .map(|a| a.code())
        .collect::<Vec<_>>()
        .join(", ")
}

async fn check_department(state: &AppState, department: &DepartmentCode) -> ApiResult<()> {
    if state.store.department_exists(department).await? {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "department",
            format!("unknown department `{department}`"),
        ))
    }
}

/// A public reply the checker blocks (contact off the platform on `platform`, the customer's
/// own data) is refused, naming what to change, unless a supervisor overrides it (recorded).
fn check_public_reply(
    rules: &kesu_domain::reply_check::ReplyRules,
    record: &CaseRecord,
    text: &str,
    override_check: bool,
) -> ApiResult<()> {
    let result = crate::api::replies::run(
        rules,
        text,
        Some(record.case.channel),
        kesu_domain::reply_check::Purpose::Reply,
        record.complainant.contact_details(),
    );
    if !result.blocking || override_check {
        return Ok(());
    }
    let what = result
        .findings
        .iter()
        .filter(|f| f.blocking)
        .map(|f| format!("「{}」：{}", f.text, f.suggestion))
        .collect::<Vec<_>>()
        .join("；");
    Err(ApiError::invalid(
        "text",
        format!("the reply checker blocks this reply (a supervisor may override): {what}"),
    ))
}

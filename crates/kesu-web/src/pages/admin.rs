//! Administration: users and roles, departments, and the approval and routing policy.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kesu_domain::account::{check_new_password, Username};
use kesu_domain::codes::{Category, Channel, DepartmentCode, Priority, ResolutionKind};
use kesu_domain::money::{format_yuan, parse_yuan};
use kesu_domain::sla::SlaRule;
use kesu_domain::{Policy, Role};
use kesu_store::NewUser;
use maud::html;

use super::posted::{AdminForm, PageError};
use super::session::PageSession;
use super::{csrf_field, error_page, layout, Form};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(page))
        .route("/admin/users", post(add_user))
        .route("/admin/users/{username}/toggle", post(toggle_user))
        .route("/admin/departments", post(add_department))
        .route("/admin/policy", post(save_policy))
}

async fn page(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    if s.session.user.role != Role::Admin {
        return error_page(s.lang, StatusCode::FORBIDDEN, s.lang.t("forbidden"));
    }
    let message = q
        .iter()
        .any(|(k, _)| k == "saved")
        .then(|| s.lang.t("saved").to_owned());
    render(&state, &s, message.map(|m| (StatusCode::OK, m, false))).await
}

async fn render(
    state: &AppState,
    s: &PageSession,
    message: Option<(StatusCode, String, bool)>,
) -> Response {
    let lang = s.lang;
    let loaded = async {
        Ok::<_, kesu_store::StoreError>((
            state.store.users().await?,
            state.store.departments().await?,
            state.store.policy().await?,
        ))
    }
    .await;
    let (users, departments, policy) = match loaded {
        Ok(x) => x,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let status = message
        .as_ref()
        .map(|(st, _, _)| *st)
        .unwrap_or(StatusCode::OK);
    let body = html! {
        h1 { (lang.t("admin")) }
        p { a href="/admin/mailbox" { (lang.t("mailbox")) } " · " a href="/admin/outbox" { (lang.t("outbox")) } " · " a href="/admin/platforms" { (lang.t("platforms")) } }
        @if let Some((_, m, is_error)) = &message {
            @if *is_error { div.error role="alert" { (m) } } @else { div.notice role="status" { (m) } }
        }
        section.panel {
            h2 { (lang.t("users")) }
            table {
                thead { tr { th { (lang.t("username")) } th { (lang.t("role")) } th { (lang.t("department")) } th { (lang.t("status")) } th {} } }
                tbody { @for u in &users { tr {
                    td { (u.username) } td { (lang.label(u.role)) } td { (u.department.as_ref().map(|d| departments.iter().find(|x| &x.code == d).map_or(d.as_str(), |x| x.name.as_str())).unwrap_or("—")) }
                    td { (if u.disabled { lang.t("disabled") } else { lang.t("active") }) }
                    td { @if u.username != s.session.user.username {
                        form method="post" action={ "/admin/users/" (u.username) "/toggle" } {
                            (csrf_field(s))
                            button.link type="submit" { (if u.disabled { lang.t("enable") } else { lang.t("disable") }) }
                        }
                    } }
                } } }
            }
            h3 { (lang.t("add_user")) }
            form.inline-form method="post" action="/admin/users" {
                (csrf_field(s))
                label { (lang.t("username")) input name="username" required; }
                label { (lang.t("password")) input name="password" type="password" required minlength="8" autocomplete="new-password"; }
                label { (lang.t("role")) select name="role" { @for r in Role::ALL { option value=(r.code()) selected[*r == Role::Agent] { (lang.label(r)) } } } }
                label { (lang.t("department")) select name="department" { option value="" { "—" } @for d in &departments { option value=(d.code.as_str()) { (d.name) } } } }
                button.primary type="submit" { (lang.t("add_user")) }
            }
        }
        section.panel {
            h2 { (lang.t("templates")) }
            p { a href="/admin/templates" { (lang.t("templates")) " →" } }
            p { a href="/admin/after-sales-policy" { (lang.t("after_sales_policy")) " →" } }
        }
        p { a href="/admin/carriers" { (lang.t("carriers")) } }
        section.panel {
            h2 { (lang.t("departments")) }
            ul { @for d in &departments { li { (d.name) " (" (d.code.as_str()) ")" } } }
            form.inline-form method="post" action="/admin/departments" {
                (csrf_field(s))
                label { (lang.t("code")) input name="code" required pattern="[a-z][a-z0-9_]{0,31}"; }
                label { (lang.t("name")) input name="name" required; }
                button.primary type="submit" { (lang.t("add_department")) }
            }
        }
        section.panel {
            h2 { (lang.t("policy")) }
            form method="post" action="/admin/policy" {
                (csrf_field(s))
                label { (lang.t("approval_limit")) input name="amount_above" value=(format_yuan(policy.approval.amount_above_cents)) required; }
                fieldset.inline { legend { (lang.t("always_approve")) }
                    @for k in ResolutionKind::ALL {
                        label.check { input type="checkbox" name="always_for" value=(k.code()) checked[policy.approval.always_for.contains(k)]; (lang.label(k)) }
                    }
                }
                h3 { (lang.t("routing")) }
                table { tbody { @for c in Category::ALL { tr {
                    th scope="row" { label for={ "route-" (c.code()) } { (lang.label(c)) } }
                    td { select id={ "route-" (c.code()) } name={ "route_" (c.code()) } {
                        @for d in &departments { option value=(d.code.as_str()) selected[policy.routing.get(c) == Some(&d.code)] { (d.name) } }
                    } }
                } } } }
                label { (lang.t("first_response_minutes")) input name="first_response_minutes" type="number" min="1" value=(policy.deadlines.first_response_minutes); }
                label { (lang.t("resolve_hours")) input name="resolve_hours" type="number" min="1" value=(policy.deadlines.resolve_hours); }
                label { (lang.t("ca_days")) input name="consumer_association_days" type="number" min="1" value=(policy.deadlines.consumer_association_days); }
                label { (lang.t("step_hours")) input name="step_hours" type="number" min="1" value=(policy.deadlines.step_hours); }
                label { (lang.t("warn_at_percent")) input name="warn_at_percent" type="number" min="1" max="99" value=(policy.deadlines.warn_at_percent); }
                label { (lang.t("remind_every_minutes")) input name="remind_every_minutes" type="number" min="1" value=(policy.deadlines.remind_every_minutes); }
                label { (lang.t("platform_margin_minutes")) input name="platform_margin_minutes" type="number" min="1" value=(policy.deadlines.platform_margin_minutes); }
                label { (lang.t("refund_before_shipping_hours")) input name="refund_before_shipping_hours" type="number" min="1" max="720" value=(policy.deadlines.refund_before_shipping_hours); }
                label { (lang.t("refund_after_return_days")) input name="refund_after_return_days" type="number" min="1" max="7" value=(policy.deadlines.refund_after_return_days); }
                h3 { (lang.t("sla_rules")) }
                p.muted { (lang.t("sla_rules_hint")) }
                table.board #sla-rules {
                    thead { tr { th { (lang.t("channel")) } th { (lang.t("category")) } th { (lang.t("priority")) }
                        th { (lang.t("first_response_minutes")) } th { (lang.t("step_hours")) } th { (lang.t("resolve_hours")) } } }
                    tbody {
                        // The existing rules, then an empty row to add one; a row left empty is dropped.
                        @for rule in policy.deadlines.rules.iter().map(Some).chain([None]) {
                            tr {
                                td { select name="rule_channel" { option value="" { (lang.t("any")) }
                                    @for c in Channel::ALL { option value=(c.code()) selected[rule.and_then(|r| r.channel) == Some(*c)] { (lang.label(c)) } } } }
                                td { select name="rule_category" { option value="" { (lang.t("any")) }
                                    @for c in Category::ALL { option value=(c.code()) selected[rule.and_then(|r| r.category) == Some(*c)] { (lang.label(c)) } } } }
                                td { select name="rule_priority" { option value="" { (lang.t("any")) }
                                    @for p in Priority::ALL { option value=(p.code()) selected[rule.and_then(|r| r.priority) == Some(*p)] { (lang.label(p)) } } } }
                                td { input name="rule_first_response_minutes" type="number" min="1" value=[rule.and_then(|r| r.first_response_minutes)]; }
                                td { input name="rule_step_hours" type="number" min="1" value=[rule.and_then(|r| r.step_hours)]; }
                                td { input name="rule_resolve_hours" type="number" min="1" value=[rule.and_then(|r| r.resolve_hours)]; }
                            }
                        }
                    }
                }
                label { (lang.t("pickup_warning_hours")) input name="pickup_warning_hours" type="number" min="1" value=(policy.logistics.pickup_warning_hours); }
                label { (lang.t("pickup_exception_hours")) input name="pickup_exception_hours" type="number" min="1" value=(policy.logistics.pickup_exception_hours); }
                label { (lang.t("no_tracking_hours")) input name="no_tracking_hours" type="number" min="1" value=(policy.logistics.no_tracking_hours); }
                label { (lang.t("stalled_hours")) input name="stalled_hours" type="number" min="1" value=(policy.logistics.stalled_hours); }
                label { (lang.t("ship_within_hours")) input name="ship_within_hours" type="number" min="1" max="720" value=(policy.logistics.shipping.hours); }
                label { (lang.t("ship_warn_hours")) input name="ship_warn_hours" type="number" min="1" max="720" value=(policy.logistics.shipping.warn_hours); }
                h3 { (lang.t("access_settings")) }
                input type="hidden" name="access_form" value="1";
                label { (lang.t("session_idle_minutes")) input name="session_idle_minutes" type="number" min="5" value=(policy.access.session_idle_minutes); }
                label { (lang.t("session_hours")) input name="session_hours" type="number" min="1" value=(policy.access.session_hours); }
                label { (lang.t("customer_link_days")) input name="customer_link_days_after_close" type="number" min="1" value=(policy.access.customer_link_days_after_close); }
                label { (lang.t("retention_days")) input name="personal_data_retention_days" type="number" min=(kesu_domain::access_policy::MIN_RETENTION_DAYS) value=(policy.access.personal_data_retention_days); }
                fieldset.inline { legend { (lang.t("two_factor_roles")) }
                    @for r in Role::ALL {
                        label.check { input type="checkbox" name="two_factor_roles" value=(r.code()) checked[policy.access.two_factor_roles.contains(r)]; (lang.label(*r)) }
                    }
                }
                label { (lang.t("time_zone")) input name="time_zone" value=(policy.time_zone) required; }
                label { (lang.t("shop_address")) input name="shop_address" value=[policy.shop_address.as_deref()] placeholder="浙江省杭州市西湖区文三路100号"; }
                button.primary type="submit" { (lang.t("save")) }
            }
        }
    };
    (status, layout(s, lang.t("admin"), body)).into_response()
}

/// The rules table of the policy form: one rule per row, rows without a target dropped.
fn sla_rules(f: &Form) -> Result<Vec<SlaRule>, String> {
    let column = |k: &str| f.all(k);
    let (channels, categories, priorities) = (
        column("rule_channel"),
        column("rule_category"),
        column("rule_priority"),
    );
    let (firsts, steps, resolves) = (
        column("rule_first_response_minutes"),
        column("rule_step_hours"),
        column("rule_resolve_hours"),
    );
    let number = |v: Option<&&str>, name: &str| -> Result<Option<i64>, String> {
        match v.map(|v| v.trim()).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| format!("{name}: a whole number")),
        }
    };
    let mut rules = Vec::new();
    for i in 0..channels.len() {
        let rule = SlaRule {
            channel: channels.get(i).and_then(|c| Channel::parse(c)),
            category: categories.get(i).and_then(|c| Category::parse(c)),
            priority: priorities.get(i).and_then(|p| Priority::parse(p)),
            first_response_minutes: number(firsts.get(i), "first_response_minutes")?,
            step_hours: number(steps.get(i), "step_hours")?,
            resolve_hours: number(resolves.get(i), "resolve_hours")?,
        };
        if rule.first_response_minutes.is_some()
            || rule.step_hours.is_some()
            || rule.resolve_hours.is_some()
        {
            rules.push(rule);
        }
    }
    Ok(rules)
}

/// The admin page again with a store's refusal (a taken name …) in the admin's words; a
/// failure on our side is logged, not shown.
async fn refused(state: &AppState, s: &PageSession, e: kesu_store::StoreError) -> Response {
    let (status, message) = super::posted::explain(s.lang, e);
    render(state, s, Some((status, message, true))).await
}

async fn refuse(state: &AppState, s: &PageSession, message: String) -> Response {
    render(
        state,
        s,
        Some((StatusCode::UNPROCESSABLE_ENTITY, message, true)),
    )
    .await
}

async fn add_user(State(state): State<AppState>, AdminForm(s, f): AdminForm) -> Response {
    let username = match Username::parse(f.get("username").unwrap_or("")) {
        Ok(u) => u,
        Err(e) => return refuse(&state, &s, format!("{}: {}", e.field, e.message)).await,
    };
    let password = f.get("password").unwrap_or("").to_owned();
    if let Err(e) = check_new_password(&password) {
        return refuse(&state, &s, format!("{}: {}", e.field, e.message)).await;
    }
    let Some(role) = f.get("role").and_then(Role::parse) else {
        return refuse(&state, &s, "role".into()).await;
    };
    let department = match (role, f.text("department")) {
        (Role::Department, Some(d)) => match DepartmentCode::parse(&d) {
            Ok(d) => Some(d),
            Err(m) => return refuse(&state, &s, m).await,
        },
        (Role::Department, None) => {
            return refuse(
                &state,
                &s,
                "department: is required for department users".into(),
            )
            .await
        }
        _ => None,
    };
    let created = state
        .store
        .create_user(
            NewUser {
                username: &username,
                password: &password,
                role,
                department: department.as_ref(),
            },
            kesu_store::By::new(&s.session.user.username, state.clock.now()),
        )
        .await;
    match created {
        Ok(_) => Redirect::to("/admin?saved=1").into_response(),
        Err(e) => refused(&state, &s, e).await,
    }
}

async fn toggle_user(
    State(state): State<AppState>,
    Path(username): Path<String>,
    AdminForm(s, _): AdminForm,
) -> Response {
    if username == s.session.user.username {
        return refuse(&state, &s, "you cannot disable your own account".into()).await;
    }
    let user = match state.store.user(&username).await {
        Ok(Some(u)) => u,
        _ => return error_page(s.lang, StatusCode::NOT_FOUND, s.lang.t("not_found")),
    };
    match state
        .store
        .set_user_disabled(
            &username,
            !user.disabled,
            kesu_store::By::new(&s.session.user.username, state.clock.now()),
        )
        .await
    {
        Ok(_) => Redirect::to("/admin?saved=1").into_response(),
        Err(e) => refused(&state, &s, e).await,
    }
}

async fn add_department(State(state): State<AppState>, AdminForm(s, f): AdminForm) -> Response {
    let code = match DepartmentCode::parse(f.get("code").unwrap_or("").trim()) {
        Ok(c) => c,
        Err(m) => return refuse(&state, &s, m).await,
    };
    let Some(name) = f.text("name") else {
        return refuse(&state, &s, "name: must not be empty".into()).await;
    };
    match state
        .store
        .add_department(
            &code,
            &name,
            kesu_store::By::new(&s.session.user.username, state.clock.now()),
        )
        .await
    {
        Ok(_) => Redirect::to("/admin?saved=1").into_response(),
        Err(e) => refused(&state, &s, e).await,
    }
}

async fn save_policy(State(state): State<AppState>, AdminForm(s, f): AdminForm) -> Response {
    let mut policy = match state.store.policy().await {
        Ok(p) => p,
        Err(e) => return PageError::of(s.lang, e).into_response(),
    };
    let parsed = (|| -> Result<Policy, String> {
        policy.approval.amount_above_cents = parse_yuan(f.get("amount_above").unwrap_or(""))?.get();
        policy.approval.always_for = f
            .all("always_for")
            .into_iter()
            .filter_map(ResolutionKind::parse)
            .collect();
        for c in Category::ALL {
            if let Some(d) = f.text(&format!("route_{}", c.code())) {
                policy.routing.insert(*c, DepartmentCode::parse(&d)?);
            }
        }
        let number = |k: &str| {
            f.get(k)
                .and_then(|v| v.trim().parse::<i64>().ok())
                .ok_or(format!("{k}: a whole number"))
        };
        policy.deadlines.first_response_minutes = number("first_response_minutes")?;
        policy.deadlines.resolve_hours = number("resolve_hours")?;
        policy.deadlines.consumer_association_days = number("consumer_association_days")?;
        // Fields older forms lack keep their values.
        let keep = |k: &str, old: i64| {
            if f.get(k).is_some() {
                number(k)
            } else {
                Ok(old)
            }
        };
        policy.deadlines.step_hours = keep("step_hours", policy.deadlines.step_hours)?;
        policy.deadlines.warn_at_percent = u32::try_from(keep(
            "warn_at_percent",
            i64::from(policy.deadlines.warn_at_percent),
        )?)
        .map_err(|_| "warn_at_percent: 1–99".to_owned())?;
        policy.deadlines.remind_every_minutes = keep(
            "remind_every_minutes",
            policy.deadlines.remind_every_minutes,
        )?;
        policy.deadlines.platform_margin_minutes = keep(
            "platform_margin_minutes",
            policy.deadlines.platform_margin_minutes,
        )?;
        policy.deadlines.refund_before_shipping_hours = keep(
            "refund_before_shipping_hours",
            policy.deadlines.refund_before_shipping_hours,
        )?;
        policy.deadlines.refund_after_return_days = keep(
            "refund_after_return_days",
            policy.deadlines.refund_after_return_days,
        )?;
        if f.get("rule_channel").is_some() {
            policy.deadlines.rules = sla_rules(&f)?;
        }
        let l = &mut policy.logistics;
        l.pickup_warning_hours = keep("pickup_warning_hours", l.pickup_warning_hours)?;
        l.pickup_exception_hours = keep("pickup_exception_hours", l.pickup_exception_hours)?;
        l.no_tracking_hours = keep("no_tracking_hours", l.no_tracking_hours)?;
        l.stalled_hours = keep("stalled_hours", l.stalled_hours)?;
        l.shipping.hours = keep("ship_within_hours", l.shipping.hours)?;
        l.shipping.warn_hours = keep("ship_warn_hours", l.shipping.warn_hours)?;
        let a = &mut policy.access;
        a.session_idle_minutes = keep("session_idle_minutes", a.session_idle_minutes)?;
        a.session_hours = keep("session_hours", a.session_hours)?;
        a.customer_link_days_after_close = keep(
            "customer_link_days_after_close",
            a.customer_link_days_after_close,
        )?;
        a.personal_data_retention_days = keep(
            "personal_data_retention_days",
            a.personal_data_retention_days,
        )?;
        // Unticked boxes send nothing: only a form that has the section says "none".
        if f.get("access_form").is_some() {
            a.two_factor_roles = f
                .all("two_factor_roles")
                .into_iter()
                .filter_map(Role::parse)
                .collect();
        }
        policy.time_zone = f.text("time_zone").unwrap_or_default();
        if f.get("shop_address").is_some() {
            policy.shop_address = f.text("shop_address");
        }
        Ok(policy)
    })();
    let policy = match parsed {
        Ok(p) => p,
        Err(m) => return refuse(&state, &s, m).await,
    };
    let known: Vec<DepartmentCode> = state
        .store
        .departments()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|d| d.code)
        .collect();
    if let Err(errors) = policy.validate(&known) {
        let m = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        return refuse(&state, &s, m).await;
    }
    match state
        .store
        .set_policy(
            &policy,
            kesu_store::By::new(&s.session.user.username, state.clock.now()),
        )
        .await
    {
        Ok(()) => Redirect::to("/admin?saved=1").into_response(),
        Err(e) => refused(&state, &s, e).await,
    }
}

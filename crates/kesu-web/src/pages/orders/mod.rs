//! Orders in the workbench: look one up by number (its lines, payment, parcels with their
//! tracking, refunds and the complaints about it), enter or correct one by hand.

mod edit;
mod view;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use kesu_app::orders::{self, Stored};
use kesu_app::AppError;
use kesu_domain::{FieldError, Permission};
use maud::{html, Markup};

use super::posted::{PageError, SignedForm};
use super::session::{urlencode, PageSession};
use super::{csrf_field, layout, Form};
use crate::AppState;

pub use view::order_detail;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders", get(lookup))
        .route("/orders/{no}", get(show))
        .route("/orders/{no}/edit", get(edit_page).post(save))
}

/// The page of order `no`.
pub fn order_url(no: &str) -> String {
    format!("/orders/{}", urlencode(no))
}

/// The lookup box; `?no=` goes to the order, or offers to enter it when there is none.
async fn lookup(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let lang = s.lang;
    let no = q
        .iter()
        .find(|(k, _)| k == "no")
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    let enter = q.iter().any(|(k, _)| k == "enter");
    let missing = match &no {
        Some(no) if enter => {
            return Redirect::to(&format!("{}/edit", order_url(no))).into_response()
        }
        Some(no) => match orders::order(&state.store, no).await {
            Ok(o) => return Redirect::to(&order_url(&o.order_no)).into_response(),
            Err(AppError::NotFound(_)) => true,
            Err(e) => return PageError::of(lang, e).into_response(),
        },
        None => false,
    };
    let may_store = s.session.user.role.may(Permission::StoreOrders);
    let body = html! {
        h1 { (lang.t("order_lookup")) }
        section.panel {
            p.muted { (lang.t("order_lookup_hint")) }
            form.inline-form #order-lookup method="get" action="/orders" {
                label { (lang.t("order_no")) input name="no" value=[no.as_deref()] required autofocus; }
                button.primary type="submit" { (lang.t("order_lookup")) }
                @if may_store { button type="submit" name="enter" value="1" { (lang.t("order_enter")) } }
            }
            @if missing {
                p.notice role="status" #order-missing { (lang.t("order_not_found")) }
            }
        }
    };
    let status = if missing {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    (status, layout(&s, lang.t("orders"), body)).into_response()
}

async fn show(State(state): State<AppState>, s: PageSession, Path(no): Path<String>) -> Response {
    let lang = s.lang;
    let user = &s.session.user;
    let loaded = async {
        let order = orders::order(&state.store, &no).await?;
        let cases = state.store.cases_of_order(&order.order_no).await?;
        let carriers = state.store.carriers().await?;
        Ok::<_, AppError>((order, cases, carriers))
    };
    let (order, cases, carriers) = match loaded.await {
        Ok(x) => x,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let actor = user.actor();
    let cases: Vec<_> = cases
        .into_iter()
        .filter(|r| actor.may_see(&r.case))
        .collect();
    let zone = state.zone().await;
    let may_store = user.role.may(Permission::StoreOrders);
    // The buyer shows unmasked only to who revealed one of the order's cases just now.
    let mut unmasked = false;
    for r in &cases {
        let now = state.clock.now();
        if kesu_app::personal_data::revealed(&state.store, user, r.case.id, now).await {
            unmasked = true;
            break;
        }
    }
    let body = html! {
        h1 { (lang.t("order")) " " (order.order_no) }
        div.buttons.order-actions {
            @if user.role.registers_cases() {
                a.button.primary href={ "/cases/new?order_no=" (urlencode(&order.order_no)) } { (lang.t("register_for_order")) }
            }
            @if may_store { a.button href={ (order_url(&order.order_no)) "/edit" } { (lang.t("order_correct")) } }
        }
        section.panel #order {
            (order_detail(lang, &carriers, &order, unmasked, zone))
        }
        section.panel #order-cases {
            h2 { (lang.t("order_cases")) " (" (cases.len()) ")" }
            @if cases.is_empty() { p.muted { (lang.t("order_no_cases")) } } @else {
                ul.earlier { @for r in &cases { @let c = &r.case; li {
                    a href={ "/cases/" (c.id) } { (c.number) } " · "
                    (super::local_time(c.received_at, zone).get(..10).unwrap_or_default()) " · "
                    (lang.label(c.category)) " · "
                    @match &c.closing { Some(cl) => { (lang.label(cl.outcome)) }, None => { (lang.label(c.status)) } }
                } } }
            }
        }
    };
    layout(&s, lang.t("order"), body).into_response()
}

async fn edit_page(
    State(state): State<AppState>,
    s: PageSession,
    Path(no): Path<String>,
) -> Response {
    let lang = s.lang;
    if !s.session.user.role.may(Permission::StoreOrders) {
        return PageError::forbidden(lang).into_response();
    }
    if let Err(e) = kesu_domain::order::OrderNo::parse("order_no", &no) {
        return form_page(&state, &s, (&no, false), &Form(Vec::new()), &[e]).await;
    }
    let zone = state.zone().await;
    let (form, exists) = match orders::order(&state.store, &no).await {
        Ok(o) => (edit::form_of(&o, zone), true),
        Err(AppError::NotFound(_)) => (Form(Vec::new()), false),
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    form_page(&state, &s, (&no, exists), &form, &[]).await
}

async fn save(
    State(state): State<AppState>,
    Path(no): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let lang = s.lang;
    let zone = state.zone().await;
    // Refunds, payments and promotion terms recorded with the order are not typed here:
    // they stay as they are.
    let (before, exists) = match orders::order(&state.store, &no).await {
        Ok(o) => (Some(o), true),
        Err(AppError::NotFound(_)) => (None, false),
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let stored = match edit::order_form(&f, zone, before.as_ref()) {
        Ok(form) => {
            orders::store_order(
                &state.store,
                s.session.user.role,
                &no,
                form,
                state.clock.now(),
            )
            .await
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match stored {
        Ok((order, how)) => {
            tracing::info!(order = %order.order_no, created = how == Stored::Created, by = %s.session.user.username, "order stored by hand");
            Redirect::to(&format!("{}?saved=1", order_url(&order.order_no))).into_response()
        }
        Err(AppError::Invalid(errors)) => form_page(&state, &s, (&no, exists), &f, &errors).await,
        Err(e) => PageError::of(lang, e).into_response(),
    }
}

/// The form for order `no`; `exists` says whether it corrects a stored order or enters a
/// new one.
async fn form_page(
    state: &AppState,
    s: &PageSession,
    (no, exists): (&str, bool),
    f: &Form,
    errors: &[FieldError],
) -> Response {
    let lang = s.lang;
    let title = if exists {
        lang.t("order_correct")
    } else {
        lang.t("order_enter")
    };
    let carriers = match state.store.carriers().await {
        Ok(c) => c,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let body: Markup = html! {
        h1 { (title) " " (no) }
        @if !errors.is_empty() {
            div.error role="alert" { ul { @for e in errors { li { (kesu_i18n::problem(lang, e)) } } } }
        }
        form.order-form #order-form method="post" action={ (order_url(no)) "/edit" } {
            (csrf_field(s))
            (edit::fields(lang, &carriers, f))
            button.primary type="submit" { (lang.t("save")) }
        }
        (super::script_file("/assets/kesu-rows.js"))
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, layout(s, title, body)).into_response()
}

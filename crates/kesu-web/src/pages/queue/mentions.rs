//! 提及我的: the internal notes in which colleagues mentioned the reader (`@username`),
//! newest first, each with its case.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::html;

use super::super::posted::PageError;
use super::super::session::PageSession;
use super::super::{layout, local_time};
use crate::AppState;

pub(super) async fn mentions(State(state): State<AppState>, s: PageSession) -> Response {
    let lang = s.lang;
    let user = &s.session.user;
    let mentions = match state.store.mentions_of(&user.username).await {
        Ok(m) => m,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    // A mention in a case the reader may not open is not shown (a department user
    // mentioned in another department's case).
    let actor = user.actor();
    let shown: Vec<_> = mentions
        .into_iter()
        .filter(|m| actor.may_see(&m.case.case))
        .collect();
    let zone = state.zone().await;
    let body = html! {
        h1 { (lang.t("mentions")) " (" (shown.len()) ")" }
        p.muted { (lang.t("mention_hint")) }
        @if shown.is_empty() { p.empty { (lang.t("no_mentions")) } } @else {
            ul.mentions #mentions {
                @for m in &shown {
                    @let c = &m.case.case;
                    li {
                        a href={ "/cases/" (c.id) } { (c.number) } " · "
                        strong { (m.author) } " · " span.when { (local_time(m.at, zone)) } " · "
                        (lang.label(c.status))
                        p { (m.excerpt) }
                    }
                }
            }
        }
    };
    layout(&s, lang.t("mentions"), body).into_response()
}

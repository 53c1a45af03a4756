//! 差评 on the case page: the reviews recorded with where their recovery stands, a form to
//! record one, and the next step of each (contacted, resolved, the public explanation drafted
//! from the shop's words and checked before it is kept).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kesu_domain::bad_review::{explain_by, ReviewForm, ReviewStage};
use kesu_domain::platform::Platform;
use kesu_store::BadReview;
use maud::{html, Markup};

use super::super::posted::{explain, SignedForm};
use super::super::session::PageSession;
use super::super::{csrf_field, error_page, local_time};
use crate::AppState;

/// The explanation a shop starts from: thanks, the apology, what was done, no promise of
/// anything for changing the review.
const DRAFT: &str =
    "亲，非常抱歉这次的购物体验没有让您满意。您反馈的问题我们已经联系您并妥善处理，\
感谢您的监督，我们会持续改进商品和服务，期待再次为您服务。";

fn stage_label(s: &PageSession, stage: ReviewStage) -> &'static str {
    s.lang.t(match stage {
        ReviewStage::Recorded => "review_recorded",
        ReviewStage::Contacted => "review_contacted",
        ReviewStage::Resolved => "review_resolved",
        ReviewStage::Explained => "review_explained",
    })
}

pub(super) fn panel(
    s: &PageSession,
    case_id: i64,
    reviews: &[BadReview],
    can_act: bool,
    zone: chrono_tz::Tz,
) -> Markup {
    let lang = s.lang;
    html! {
        section.panel #bad-reviews {
            h2 { (lang.t("bad_reviews")) }
            @for r in reviews {
                article.review data-stage=(r.stage.code()) {
                    p { strong { (r.rating) " ★" } " · " (lang.label(Platform::parse(&r.platform).unwrap_or(Platform::Site)))
                        " · " (local_time(r.posted_at, zone)) " · " span.badge.amber { (stage_label(s, r.stage)) } }
                    p.review-text { (r.text) }
                    @if let Some(e) = &r.explanation { p.explanation { (lang.t("review_explanation")) "：" (e) } }
                    @if r.stage != ReviewStage::Explained {
                        p.muted { (lang.t("review_explain_by")) " " (local_time(explain_by(r.posted_at), zone)) }
                    }
                    @if can_act && r.stage != ReviewStage::Explained {
                        form.inline-form method="post" action={ "/bad-reviews/" (r.id) "/stage" } {
                            (csrf_field(s))
                            @for next in ReviewStage::ALL.iter().filter(|n| **n > r.stage && **n != ReviewStage::Explained) {
                                button.link type="submit" name="stage" value=(next.code()) { (lang.t("review_mark")) (stage_label(s, *next)) }
                            }
                        }
                        form.review-explain method="post" action={ "/bad-reviews/" (r.id) "/stage" } {
                            (csrf_field(s))
                            input type="hidden" name="stage" value="explained";
                            label { (lang.t("review_explanation")) textarea name="text" rows="3" required { (DRAFT) } }
                            p.muted.hint { (lang.t("review_explanation_hint")) }
                            button type="submit" { (lang.t("review_post_explanation")) }
                        }
                    }
                }
            }
            @if can_act {
                details.review-new {
                    summary { (lang.t("review_record")) }
                    form method="post" action={ "/cases/" (case_id) "/bad-reviews" } {
                        (csrf_field(s))
                        label { (lang.t("review_rating")) select name="rating" required {
                            @for n in 1..=5 { option value=(n) selected[n == 1] { (n) " ★" } } } }
                        label { (lang.t("platform")) select name="platform" required {
                            @for p in Platform::ALL { option value=(p.code()) { (lang.label(p)) } } } }
                        label { (lang.t("review_posted_at")) (super::super::datetime_input(lang, "posted_at", "")) }
                        label { (lang.t("review_text")) textarea name="text" rows="2" required {} }
                        button type="submit" { (lang.t("review_record")) }
                    }
                }
            }
        }
    }
}

pub(super) async fn record(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let lang = s.lang;
    let zone = state.zone().await;
    let Ok(case_id) = kesu_app::id_in_path(&id, "case") else {
        return error_page(lang, StatusCode::NOT_FOUND, lang.t("not_found"));
    };
    let posted =
        kesu_domain::dates::parse_local_time("posted_at", f.get("posted_at").unwrap_or(""), zone);
    let platform = Platform::parse(f.get("platform").unwrap_or("")).ok_or_else(|| {
        kesu_domain::FieldError::new(
            "platform",
            kesu_domain::Problem::NotOneOf {
                allowed: Platform::ALL.map(|p| p.code()).join(", "),
            },
        )
    });
    let result = match (posted, platform) {
        (Err(e), _) | (_, Err(e)) => Err(kesu_app::AppError::Invalid(vec![e])),
        (Ok(posted_at), Ok(platform)) => {
            let form = ReviewForm {
                rating: f.get("rating").and_then(|r| r.parse().ok()).unwrap_or(0),
                text: f.get("text").unwrap_or("").to_owned(),
                platform,
                posted_at: posted_at.fixed_offset(),
            };
            kesu_app::bad_reviews::record(
                &state.store,
                &s.session.user,
                case_id,
                form,
                state.clock.now(),
            )
            .await
            .map(|_| ())
        }
    };
    match result {
        Ok(()) => Redirect::to(&format!("/cases/{case_id}#bad-reviews")).into_response(),
        Err(e) => {
            let (status, message) = explain(lang, e);
            error_page(lang, status, &message)
        }
    }
}

pub(super) async fn advance(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let lang = s.lang;
    let Ok(id) = kesu_app::id_in_path(&id, "review") else {
        return error_page(lang, StatusCode::NOT_FOUND, lang.t("not_found"));
    };
    let Some(stage) = ReviewStage::parse(f.get("stage").unwrap_or("")) else {
        return error_page(lang, StatusCode::UNPROCESSABLE_ENTITY, lang.t("not_found"));
    };
    match kesu_app::bad_reviews::advance(
        &state.store,
        &s.session.user,
        id,
        stage,
        f.get("text"),
        state.clock.now(),
    )
    .await
    {
        Ok(r) => Redirect::to(&format!("/cases/{}#bad-reviews", r.case_id)).into_response(),
        Err(e) => {
            let (status, message) = explain(lang, e);
            error_page(lang, status, &message)
        }
    }
}

//! What the case page sends: an action's form read into the action request, taken through
//! the application layer, and a new status-page link for the customer.

use super::*;

/// `A:1, B:2` → `[{"line_id": "A", "quantity": 1}, …]`.
pub(crate) fn parse_lines(raw: &str) -> Result<Vec<Value>, String> {
    raw.split([',', '，'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (id, q) = p
                .split_once([':', '：'])
                .ok_or_else(|| format!("`{p}`: write LINE:QUANTITY"))?;
            let q: i64 = q
                .trim()
                .parse()
                .map_err(|_| format!("`{p}`: the quantity is not a number"))?;
            Ok(json!({"line_id": id.trim(), "quantity": q}))
        })
        .collect()
}

pub(super) fn put_text(m: &mut Map<String, Value>, f: &Form, k: &str) {
    if let Some(v) = f.text(k) {
        m.insert(k.into(), json!(v));
    }
}

/// The form of one action as the API's action JSON; dates are read in the shop's `zone`.
pub(super) fn form_to_action(f: &Form, zone: chrono_tz::Tz) -> Result<Value, String> {
    let code = f.text("action").ok_or("no action")?;
    let action = ActionName::parse(&code).ok_or_else(|| format!("`{code}` is not an action"))?;
    let version: i64 = f
        .get("version")
        .and_then(|v| v.parse().ok())
        .ok_or("no version")?;
    let mut m = Map::new();
    m.insert("action".into(), json!(action.code()));
    m.insert("version".into(), json!(version));
    match action {
        ActionName::Judge => {
            put_text(&mut m, f, "reason");
            m.insert("valid".into(), json!(f.get("valid") != Some("false")));
        }
        ActionName::Route => put_text(&mut m, f, "department"),
        ActionName::Analyse => {
            put_text(&mut m, f, "liability");
            put_text(&mut m, f, "root_cause");
            m.insert("findings".into(), json!(f.get("findings").unwrap_or("")));
        }
        ActionName::Propose => {
            let kinds = f.all("opt_kind");
            let amounts = f.all("opt_amount");
            let notes = f.all("opt_note");
            let lines = f.all("opt_lines");
            let shipping = f.all("opt_shipping");
            let mut options = Vec::new();
            for (i, kind) in kinds.iter().enumerate() {
                if kind.trim().is_empty() {
                    continue;
                }
                let mut o = json!({"kind": kind});
                if let Some(a) = amounts.get(i).map(|a| a.trim()).filter(|a| !a.is_empty()) {
                    o["amount_cents"] = json!(parse_yuan(a)?);
                }
                if let Some(n) = notes.get(i).map(|n| n.trim()).filter(|n| !n.is_empty()) {
                    o["note"] = json!(n);
                }
                if let Some(l) = lines.get(i).filter(|l| !l.trim().is_empty()) {
                    o["lines"] = json!(parse_lines(l)?);
                }
                if shipping.contains(&i.to_string().as_str()) {
                    o["include_shipping"] = json!(true);
                }
                options.push(o);
            }
            m.insert("options".into(), json!(options));
        }
        ActionName::Choose => {
            let o: i64 = f.get("option").and_then(|v| v.parse().ok()).unwrap_or(-1);
            m.insert("option".into(), json!(o));
        }
        ActionName::Approve | ActionName::Reject => put_text(&mut m, f, "comment"),
        ActionName::Execute
        | ActionName::Resume
        | ActionName::Step(Step::ConfirmNotShipped | Step::CancelOrder | Step::Restock) => {
            put_text(&mut m, f, "note")
        }
        ActionName::Step(Step::ReceiveReturn) => {
            put_text(&mut m, f, "note");
            put_text(&mut m, f, "override_reason");
        }
        ActionName::FollowUp => {
            // No answer is no answer: the lifecycle refuses a follow-up without one.
            match f.get("satisfied") {
                Some("true") => {
                    m.insert("satisfied".into(), json!(true));
                }
                Some("false") => {
                    m.insert("satisfied".into(), json!(false));
                }
                _ => {}
            }
            if let Some(r) = f.text("rating") {
                m.insert(
                    "rating".into(),
                    json!(r.parse::<i64>().map_err(|_| "rating")?),
                );
            }
            put_text(&mut m, f, "comment");
            put_text(&mut m, f, "way");
        }
        ActionName::Close => {
            m.insert("summary".into(), json!(f.get("summary").unwrap_or("")));
            put_text(&mut m, f, "lessons");
        }
        ActionName::Take => {}
        ActionName::Recategorise => {
            put_text(&mut m, f, "category");
            put_text(&mut m, f, "reason");
        }
        ActionName::Assign => put_text(&mut m, f, "user"),
        ActionName::WaitCustomer => {
            m.insert("reason".into(), json!(f.get("reason").unwrap_or("")));
        }
        ActionName::RecordReferral => {
            for k in ["body", "jurisdiction", "reference"] {
                m.insert(k.into(), json!(f.get(k).unwrap_or("")));
            }
            if let Some(d) = f.text("filed_on") {
                let at = kesu_domain::dates::parse_local_time("filed_on", &d, zone)
                    .map_err(|_| "filed_on")?;
                m.insert("filed_at".into(), json!(at.to_rfc3339()));
            }
        }
        ActionName::RecordAppraisal => {
            m.insert("appraiser".into(), json!(f.get("appraiser").unwrap_or("")));
            m.insert(
                "cost_cents".into(),
                json!(parse_yuan(f.get("cost").unwrap_or(""))?),
            );
            put_text(&mut m, f, "payer");
            put_text(&mut m, f, "conclusion");
        }
        ActionName::Comment => {
            m.insert("text".into(), json!(f.get("text").unwrap_or("")));
            m.insert("internal".into(), json!(f.get("internal") == Some("1")));
            if f.get("override_check") == Some("1") {
                m.insert("override_check".into(), json!(true));
            }
        }
        ActionName::Step(Step::TrackParcel) => {
            put_text(&mut m, f, "status");
            put_text(&mut m, f, "note");
        }
        ActionName::Step(Step::ParcelBack) => {
            put_text(&mut m, f, "outcome");
            put_text(&mut m, f, "note");
            put_text(&mut m, f, "override_reason");
            if f.get("received") == Some("1") {
                m.insert("received".into(), json!(true));
                put_text(&mut m, f, "result");
            }
        }
        ActionName::Step(Step::ReturnShipped | Step::ShipReplacement) => {
            put_text(&mut m, f, "carrier");
            put_text(&mut m, f, "tracking_no");
            put_text(&mut m, f, "note");
            if let Some(freight) = f.text("freight") {
                m.insert("freight_cents".into(), json!(parse_yuan(&freight)?));
            }
        }
        ActionName::Step(Step::Inspect) => {
            put_text(&mut m, f, "result");
            put_text(&mut m, f, "note");
            if let Some(l) = f.text("lines") {
                m.insert("lines".into(), json!(parse_lines(&l)?));
            }
            m.insert(
                "spec_matches".into(),
                json!(f.get("spec_matches") == Some("1")),
            );
            // The case's files ticked (by name), and names typed by an older form.
            let photos: Vec<&str> = f
                .all("photo")
                .into_iter()
                .chain(f.get("photos").unwrap_or("").lines())
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            m.insert("photos".into(), json!(photos));
        }
        ActionName::Step(Step::Refund) => {
            put_text(&mut m, f, "method");
            put_text(&mut m, f, "note");
        }
    }
    Ok(Value::Object(m))
}

pub(super) async fn act(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let zone = state.zone().await;
    let action = match form_to_action(&f, zone) {
        Ok(a) => a,
        Err(message) => {
            return render(
                &state,
                &s,
                &id,
                Some((StatusCode::UNPROCESSABLE_ENTITY, message)),
            )
            .await
        }
    };
    // Closing (or judging invalid, which closes) a case whose customer never heard a word
    // needs the agent to say so: otherwise the first response is never given by mistake.
    let closes = match f.get("action") {
        Some("close") => true,
        Some("judge") => f.get("valid") == Some("false"),
        _ => false,
    };
    if closes && f.get("confirm_unanswered").is_none() {
        let unanswered = state
            .visible_case(&s.session.user, &id)
            .await
            .is_ok_and(|r| r.case.responded_at.is_none());
        if unanswered {
            let message = s.lang.t("close_unanswered_warning").to_owned();
            return render(
                &state,
                &s,
                &id,
                Some((StatusCode::UNPROCESSABLE_ENTITY, message)),
            )
            .await;
        }
    }
    let done = async {
        let request = kesu_app::cases::ActionRequest::from_json(action)?;
        let case_id = kesu_app::cases::case_id(&id)?;
        let (actor, now) = (s.session.user.actor(), state.clock.now());
        kesu_app::cases::act_on(&state.store, &actor, case_id, request, now).await
    };
    match done.await {
        // Inboxes send their forms back to themselves.
        Ok(_) if f.get("back") == Some("/approvals") => Redirect::to("/approvals").into_response(),
        Ok(record) => Redirect::to(&format!("/cases/{}", record.case.id)).into_response(),
        Err(e) => render(&state, &s, &id, Some(explain(s.lang, e))).await,
    }
}

/// A new status-page link for the customer, shown once (earlier links stop working).
pub(super) async fn customer_link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, _f): SignedForm,
) -> Response {
    if !s.session.user.role.sees_personal_data() {
        return error_page(s.lang, StatusCode::FORBIDDEN, s.lang.t("forbidden"));
    }
    let record = match state.visible_case(&s.session.user, &id).await {
        Ok(r) => r,
        Err(_) => return error_page(s.lang, StatusCode::NOT_FOUND, s.lang.t("not_found")),
    };
    match state
        .store
        .new_customer_link(record.case.id, state.clock.now())
        .await
    {
        Ok(token) => render_with(&state, &s, &id, Some(Flash::Link(format!("/s/{token}")))).await,
        Err(e) => PageError::of(s.lang, e).into_response(),
    }
}

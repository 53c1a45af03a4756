//! Every route × every kind of caller: the routes come from the router itself (its paths, and
//! the methods each answers), so a route added without an access rule fails here. Each caller
//! is allowed or refused as `kesu_web::access::ROUTES` and the domain's permission table say:
//! signed out → 401 (API) or the sign-in page (workbench); a role without the capability →
//! 403; a department user asking for another department's case → 404; never a 5xx.

use std::collections::BTreeSet;

use kesu_domain::Role;
use kesu_web::access::{Gate, ROUTES};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{browser, csrf_in, TestApp};
use crate::on_both_backends;

on_both_backends!(every_route_admits_exactly_whom_the_matrix_says);

/// The paths the router holds, read from its own description.
fn router_paths(app: &TestApp) -> BTreeSet<String> {
    let state = kesu_web::AppState::new(app.store.clone(), app.clock.clone(), app.search.clone());
    let described = format!("{:?}", kesu_web::router(state));
    described
        .split("RouteId(")
        .filter_map(|part| part.split_once("): \"").map(|(_, rest)| rest))
        .filter_map(|rest| rest.split('"').next())
        // The nested API's own fallback ("/api/v1", "/api/v1/{*rest}") is not a route.
        .filter(|p| p.starts_with('/') && !p.contains("__private__axum") && !p.contains("{*"))
        .filter(|p| *p != "/api/v1")
        .map(str::to_owned)
        .collect()
}

/// A path with its parameters filled in: the test case, its customer link, names nobody has.
fn concrete(path: &str, case_id: i64, link: &str) -> String {
    let mut out = path.to_owned();
    if out.starts_with("/s/") {
        out = out.replace("{token}", link);
    }
    if out.contains("/cases/{id}") {
        out = out.replace("{id}", &case_id.to_string());
    }
    for (param, value) in [
        ("{id}", "999999"),
        ("{username}", "nobody-here"),
        ("{shop}", "shop-x"),
        ("{platform}", "taobao"),
        ("{order_no}", "NO-404"),
        ("{no}", "NO-404"),
        ("{secret}", "wrong-secret"),
        ("{which}", "reply"),
        ("{code}", "zz"),
    ] {
        out = out.replace(param, value);
    }
    if out.starts_with("/api/v1/me/") {
        // Token and session ids are twelve hex digits.
        out = out.replace("999999", "abcdef012345");
    }
    out
}

/// Who calls.
#[derive(Clone, Copy, Debug)]
enum Who {
    SignedOut,
    /// The customer: their link, the public pages' cookie, no account.
    Customer,
    Staff(Role, &'static str),
}

struct Caller {
    who: Who,
    token: Option<String>,
    client: reqwest::Client,
    csrf: String,
}

async fn callers(app: &TestApp, link: &str) -> Vec<Caller> {
    let plain = || {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    };
    let customer = plain();
    let page = customer
        .get(app.url(&format!("/s/{link}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let customer_csrf = csrf_in(&page.text().await.unwrap());
    let mut out = vec![
        Caller {
            who: Who::SignedOut,
            token: None,
            client: plain(),
            csrf: String::new(),
        },
        Caller {
            who: Who::Customer,
            token: None,
            client: customer,
            csrf: customer_csrf,
        },
    ];
    let staff: [(&str, Role, Option<&str>); 6] = [
        ("admin", Role::Admin, None),
        ("sam", Role::Supervisor, None),
        ("amy", Role::Agent, None),
        ("wu", Role::Department, Some("logistics")),
        ("qi", Role::Department, Some("quality")),
        ("aud", Role::Auditor, None),
    ];
    for (name, role, dept) in staff {
        let (password, token) = if name == "admin" {
            (crate::helpers::ADMIN_PASSWORD, app.admin().await)
        } else {
            ("pass-word-1", app.user(name, role.code(), dept).await)
        };
        let (client, csrf) = browser(app, name, password).await;
        out.push(Caller {
            who: Who::Staff(role, name),
            token: Some(token),
            client,
            csrf,
        });
    }
    out
}

/// The order routes are tried in: the customer's pages before a staff member rotates the
/// link, signing out last of all.
fn rank(path: &str) -> u8 {
    if path.starts_with("/s/") {
        0
    } else if path == "/logout" {
        3
    } else if path.ends_with("/knowledge/editors") {
        // Who may edit knowledge changes what the knowledge routes answer: tried after them.
        2
    } else {
        1
    }
}

async fn every_route_admits_exactly_whom_the_matrix_says(app: TestApp) {
    let paths = router_paths(&app);
    assert!(
        paths.len() > 100,
        "the router describes its paths: {paths:?}"
    );
    let callers_link;
    let case_id;
    {
        let agent = app.user("case-maker", "agent", None).await;
        let case = app.register(&agent, &crate::helpers::complaint()).await;
        case_id = case["id"].as_i64().unwrap();
        app.act_ok(
            &agent,
            case_id,
            json!({"action": "judge", "valid": true, "reason": "属实"}),
        )
        .await;
        app.act_ok(
            &agent,
            case_id,
            json!({"action": "route", "department": "logistics"}),
        )
        .await;
        callers_link = app
            .store
            .new_customer_link(case_id, kesu_web::Clock::now(app.clock.as_ref()))
            .await
            .unwrap();
    }
    let callers = callers(&app, &callers_link).await;

    // The router's methods for each path, from what it answers a method it has no route for.
    let mut routed = BTreeSet::new();
    for path in &paths {
        let url = app.url(&concrete(path, case_id, &callers_link));
        let r = app
            .client
            .request(reqwest::Method::TRACE, &url)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "TRACE {path}");
        let allow = r
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap().to_owned());
        let allow = allow.unwrap_or_else(|| panic!("{path} answers 405 without Allow"));
        for m in allow
            .split(',')
            .map(str::trim)
            .filter(|m| *m != "HEAD" && !m.is_empty())
        {
            routed.insert((m.to_owned(), path.clone()));
        }
    }
    let listed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let unlisted: Vec<_> = routed.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "routes without an access rule: {unlisted:?}"
    );
    let gone: Vec<_> = listed.difference(&routed).collect();
    assert!(
        gone.is_empty(),
        "access rules for routes the router lacks: {gone:?}"
    );

    let mut routes: Vec<&(&str, &str, Gate)> = ROUTES.iter().collect();
    routes.sort_by_key(|(_, p, _)| rank(p));
    let mut wrong = Vec::new();
    for (method, path, gate) in routes {
        let url = app.url(&concrete(path, case_id, &callers_link));
        let api = path.starts_with("/api/");
        for c in &callers {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let mut req = c.client.request(method.clone(), &url);
            if let Some(t) = c.token.as_ref().filter(|_| api) {
                req = req.bearer_auth(t);
            }
            if method != reqwest::Method::GET {
                req = if api {
                    req.json(&json!({}))
                } else {
                    // A comment: the one thing every form-taking caller may try on a case.
                    req.form(&[
                        ("_csrf", c.csrf.as_str()),
                        ("action", "comment"),
                        ("text", "核对权限"),
                    ])
                };
            }
            let r = req.send().await.unwrap();
            let status = r.status();
            let location = r
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_owned())
                .unwrap_or_default();
            let expected = expect(*gate, c.who, api, path, method == reqwest::Method::GET);
            let ok = match expected {
                Expect::Any => status.as_u16() < 500,
                Expect::Allowed => {
                    status.as_u16() < 500
                        && status != StatusCode::UNAUTHORIZED
                        && status != StatusCode::FORBIDDEN
                        && (!location.starts_with("/login") || *path == "/logout")
                }
                Expect::NotThrough => [400, 403, 404, 415, 422].contains(&status.as_u16()),
                Expect::AllowedAndVisible => {
                    status.as_u16() < 500
                        && ![
                            StatusCode::UNAUTHORIZED,
                            StatusCode::FORBIDDEN,
                            StatusCode::NOT_FOUND,
                        ]
                        .contains(&status)
                        && !location.starts_with("/login")
                }
                Expect::Status(s) => status == s,
                Expect::ToSignIn => {
                    status == StatusCode::SEE_OTHER && location.starts_with("/login")
                }
            };
            if !ok {
                wrong.push(format!(
                    "{method} {path} as {:?}: {status} {location} (expected {expected:?})",
                    c.who
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Anything but a server error (public and keyed routes judge their own input).
    Any,
    /// Let through: neither 401 nor 403 nor the sign-in page.
    Allowed,
    /// Let through and the case found (its own department, or every department).
    AllowedAndVisible,
    /// A write that must not go through: on a case out of the caller's sight (not found, or
    /// invalid before the case is looked up), or a customer's form without their cookie.
    NotThrough,
    Status(StatusCode),
    ToSignIn,
}

fn expect(gate: Gate, who: Who, api: bool, path: &str, read: bool) -> Expect {
    match (gate, who) {
        (Gate::Public | Gate::Keyed, _) => return Expect::Any,
        // The link opens the page for whoever holds it; its forms need the customer's own
        // double-submit cookie, which no one else has.
        (Gate::CustomerLink, Who::Customer) => return Expect::Allowed,
        (Gate::CustomerLink, _) if read => return Expect::Allowed,
        (Gate::CustomerLink, _) => return Expect::NotThrough,
        _ => {}
    }
    let Who::Staff(role, name) = who else {
        return if api {
            Expect::Status(StatusCode::UNAUTHORIZED)
        } else {
            Expect::ToSignIn
        };
    };
    if !gate.admits(role) {
        return Expect::Status(StatusCode::FORBIDDEN);
    }
    // A fresh desk: the admin has not chosen knowledge editors yet.
    if gate == Gate::KnowledgeEditors
        && !kesu_domain::knowledge::may_edit(role, &kesu_domain::knowledge::DEFAULT_EDITORS)
    {
        return Expect::Status(StatusCode::FORBIDDEN);
    }
    if path.contains("/cases/{id}") {
        if name == "qi" {
            return if read {
                Expect::Status(StatusCode::NOT_FOUND)
            } else {
                Expect::NotThrough
            };
        }
        return Expect::AllowedAndVisible;
    }
    Expect::Allowed
}

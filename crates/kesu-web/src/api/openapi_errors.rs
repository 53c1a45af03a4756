//! Makes the OpenAPI document say what the server really answers on errors: every operation
//! lists the problem responses any request may get (malformed, not signed in, not allowed,
//! unknown, too large, not JSON, invalid, throttled, unavailable, disk full), each as
//! `application/problem+json` — the handlers' annotations name only their own.

use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::Modify;

pub struct ProblemResponses;

const PROBLEM: &str = "application/problem+json";

/// (status, when): answers any operation may give.
const ANY: &[(&str, &str)] = &[
    (
        "400",
        "malformed request: not JSON, or a control character in the address",
    ),
    ("401", "not signed in, or the token is unknown or expired"),
    ("403", "the caller's role may not do this"),
    ("404", "unknown, or not visible to the caller"),
    ("405", "the path does not take this method"),
    ("409", "conflict: stale version, not allowed now, duplicate"),
    ("413", "the body is larger than 64 KiB"),
    ("415", "the body is not declared as JSON"),
    ("422", "invalid values, each field named"),
    ("429", "too many attempts"),
    (
        "503",
        "the database is unavailable, or reports are still loading; retry",
    ),
    (
        "507",
        "the disk is full: nothing was stored; retry once space is freed",
    ),
];

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                add_problems(op);
            }
        }
    }
}

fn problem_content() -> utoipa::openapi::Content {
    ContentBuilder::new()
        .schema(Some(RefOr::Ref(Ref::from_schema_name("Problem"))))
        .build()
}

fn add_problems(op: &mut Operation) {
    for (status, response) in op.responses.responses.iter_mut() {
        // Errors the annotations declare as plain JSON are problem documents.
        if status.as_str() >= "400" {
            if let RefOr::T(r) = response {
                if r.content.shift_remove("application/json").is_some() || r.content.is_empty() {
                    r.content.insert(PROBLEM.into(), problem_content());
                }
            }
        }
    }
    for (status, when) in ANY {
        op.responses
            .responses
            .entry((*status).to_owned())
            .or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description(*when)
                        .content(PROBLEM, problem_content())
                        .build(),
                )
            });
    }
}

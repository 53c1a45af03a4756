//! `kesu quote-refund`: a refund quote from stdin to stdout, as `POST /api/v1/refunds/quote`.

use std::io::{Read, Write};

use anyhow::Context;
use kesu_domain::refund::QuoteRequest;
use kesu_web::api::refunds::quote_request;
use kesu_web::extract::parse_json;

/// Reads the request, prints the quote (exit 0) or the problem (exit 1).
pub fn run() -> anyhow::Result<std::process::ExitCode> {
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .context("cannot read the request from stdin")?;
    let result =
        parse_json::<QuoteRequest>(&input).and_then(|req| quote_request(&req, chrono::Utc::now()));
    let (json, code) = match result {
        Ok(quote) => (serde_json::to_string_pretty(&quote)?, 0),
        Err(e) => (serde_json::to_string_pretty(&e.into_problem().1)?, 1),
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{json}")?;
    Ok(std::process::ExitCode::from(code))
}

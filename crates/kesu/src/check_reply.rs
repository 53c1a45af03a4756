//! `kesu check-reply`: the reply checker on the command line (docs/interface.md §8).

use std::io::{Read, Write};

use anyhow::{bail, Context};
use clap::Args;
use kesu_domain::codes::Channel;
use kesu_domain::reply_check::{Purpose, ReplyRules};
use kesu_web::api::replies::{run as check, MAX_REPLY_CHARS};

#[derive(Args)]
pub struct CheckReplyArgs {
    /// The channel the reply goes out on (off-platform contact blocks on `platform`).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(Channel::ALL.iter().map(|c| c.code())))]
    channel: Option<String>,
    /// `first_reply` (must greet and apologise), `reply` or `closing` (must thank).
    #[arg(long, default_value = "reply", value_parser = ["first_reply", "reply", "closing"])]
    purpose: String,
}

/// Prints `{"findings": […], "blocking": bool}`; exit 1 when something blocks.
pub fn run(args: CheckReplyArgs) -> anyhow::Result<std::process::ExitCode> {
    // clap has checked both against their lists.
    let channel = args.channel.as_deref().and_then(Channel::parse);
    let purpose: Purpose =
        serde_json::from_value(serde_json::json!(args.purpose)).map_err(|_| {
            anyhow::anyhow!(
                "--purpose {}: use first_reply, reply or closing",
                args.purpose
            )
        })?;
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("cannot read the reply from stdin (UTF-8 text)")?;
    let text = text.trim_end_matches(['\n', '\r']);
    if text.chars().count() > MAX_REPLY_CHARS {
        bail!("the reply is longer than {MAX_REPLY_CHARS} characters");
    }
    // The built-in words: this command needs no database (the server uses the admins' words).
    let result = check(&ReplyRules::builtin(), text, channel, purpose, Vec::new());
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string_pretty(&result)?)?;
    Ok(std::process::ExitCode::from(u8::from(result.blocking)))
}

//! `kesu user add|list|disable|enable`: staff accounts from the command line.

use std::io::BufRead;

use anyhow::{bail, Context};
use clap::Subcommand;
use kesu_domain::account::{check_new_password, Username};
use kesu_domain::codes::DepartmentCode;
use kesu_domain::Role;
use kesu_store::{By, NewUser};

use crate::DbArgs;

/// Who the audit trail names for what is done with `kesu user`.
const CLI: &str = "command line";

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user. The password comes from KESU_USER_PASSWORD or the first line of stdin.
    Add {
        username: String,
        /// admin, supervisor, agent, department or auditor.
        #[arg(long)]
        role: String,
        /// The department of a `department` user (e.g. logistics).
        #[arg(long)]
        department: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List users.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Disable a user: they can no longer sign in and their tokens stop working.
    Disable {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Re-enable a disabled user.
    Enable {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Lift the lock that repeated wrong passwords put on a user.
    Unlock {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Turn off a user's two-factor sign-in (a lost phone and lost recovery codes, even the
    /// last admin's); their sessions and tokens end, and they set it up again.
    ResetTwoFactor {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn run(cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add {
            username,
            role,
            department,
            db,
        } => {
            let username = Username::parse(&username)
                .map_err(|e| anyhow::anyhow!("username {}", e.message))?;
            let Some(role) = Role::parse(&role) else {
                bail!("unknown role `{role}`: use admin, supervisor, agent, department or auditor");
            };
            let department = match (role, department) {
                (Role::Department, Some(d)) => {
                    Some(DepartmentCode::parse(&d).map_err(anyhow::Error::msg)?)
                }
                (Role::Department, None) => {
                    bail!("a department user needs --department (e.g. logistics)")
                }
                (_, Some(_)) => {
                    bail!("only department users belong to a department: drop --department")
                }
                (_, None) => None,
            };
            let password = read_password()?;
            check_new_password(&password).map_err(|e| anyhow::anyhow!("password {}", e.message))?;
            let store = db.open().await?;
            if let Some(d) = &department {
                if !store.department_exists(d).await? {
                    bail!("unknown department `{d}`");
                }
            }
            let user = store
                .create_user(
                    NewUser {
                        username: &username,
                        password: &password,
                        role,
                        department: department.as_ref(),
                    },
                    By::new(CLI, chrono::Utc::now()),
                )
                .await?;
            println!("created {} ({})", user.username, user.role);
        }
        UserCommand::List { db } => {
            let store = db.open().await?;
            println!(
                "{:<24} {:<11} {:<12} status",
                "username", "role", "department"
            );
            for u in store.users().await? {
                println!(
                    "{:<24} {:<11} {:<12} {}",
                    u.username,
                    u.role.code(),
                    u.department.as_ref().map(|d| d.as_str()).unwrap_or("-"),
                    if u.disabled { "disabled" } else { "active" }
                );
            }
        }
        UserCommand::Disable { username, db } => {
            let store = db.open().await?;
            store
                .set_user_disabled(&username, true, By::new(CLI, chrono::Utc::now()))
                .await?;
            println!("disabled {username}");
        }
        UserCommand::Enable { username, db } => {
            let store = db.open().await?;
            store
                .set_user_disabled(&username, false, By::new(CLI, chrono::Utc::now()))
                .await?;
            println!("enabled {username}");
        }
        UserCommand::Unlock { username, db } => {
            let store = db.open().await?;
            store
                .unlock_user(&username, CLI, chrono::Utc::now())
                .await?;
            println!("unlocked {username}");
        }
        UserCommand::ResetTwoFactor { username, db } => {
            let store = db.open().await?;
            let user = store
                .user(&username)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no user `{username}`"))?;
            store
                .remove_two_factor(user.id, By::new(CLI, chrono::Utc::now()))
                .await?;
            println!("two-factor sign-in of {username} turned off; they set it up again at their next sign-in");
        }
    }
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(pw) = std::env::var("KESU_USER_PASSWORD") {
        if !pw.is_empty() {
            return Ok(pw);
        }
    }
    eprintln!("password (one line on stdin):");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    let pw = line.trim_end_matches(['\r', '\n']).to_owned();
    if pw.is_empty() {
        bail!("no password given: set KESU_USER_PASSWORD or type it on stdin");
    }
    Ok(pw)
}

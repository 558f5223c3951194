//! `assure user …`, `assure token …` and `assure settings …`: accounts, API tokens and
//! the partnership's settings, for whoever runs the server (the web pages do the same
//! for admins).

use std::io::{BufRead, Write};

use anyhow::{Context, bail};
use assure_store::{AccountFields, Role, Store};
use clap::Subcommand;

use crate::database::{DbOptions, actor, choose_plan, open};
use crate::print_json;

#[derive(Subcommand)]
pub(crate) enum UserCommand {
    /// Create an account. Its password is read from standard input with
    /// --password-stdin, or made up and printed once.
    Add {
        /// What they sign in with (lower case: letters, digits, '.', '-', '_', '@').
        username: String,
        /// admin, editor or viewer.
        #[arg(long)]
        role: String,
        /// An organisation they work for (id or name; repeat for several). Editors need one.
        #[arg(long = "org", value_name = "ORGANISATION")]
        organisations: Vec<String>,
        /// Their name as shown (default: the username).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// The accounts.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Shut an account out: it cannot sign in, and its sessions and tokens stop working.
    Disable {
        /// The username.
        username: String,
    },
    /// Let a disabled account in again.
    Enable {
        /// The username.
        username: String,
    },
    /// Let an account moderate what residents say (or, with --off, no longer).
    Moderator {
        /// The username.
        username: String,
        /// Take the permission away.
        #[arg(long)]
        off: bool,
    },
    /// Let an account start, edit and publish draft versions of the plan (or, with --off, no longer).
    PlanEditor {
        /// The username.
        username: String,
        /// Take the permission away.
        #[arg(long)]
        off: bool,
    },
    /// Set the email address reminders go to (or, with --none, remove it), and which
    /// digests they get.
    Email {
        /// The username.
        username: String,
        /// The address (e.g. ann@medway.gov.uk).
        #[arg(required_unless_present = "none")]
        address: Option<String>,
        /// Remove the address: no email goes to them.
        #[arg(long, conflicts_with = "address")]
        none: bool,
        /// Round reminders: on or off (default: unchanged).
        #[arg(long, value_parser = ["on", "off"])]
        rounds: Option<String>,
        /// The weekly digest: on or off (default: unchanged).
        #[arg(long, value_parser = ["on", "off"])]
        weekly: Option<String>,
    },
    /// Give an account a new password (made up and printed once, or read with
    /// --password-stdin); its sessions end.
    Reset {
        /// The username.
        username: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change an account's role or organisations.
    Set {
        /// The username.
        username: String,
        /// admin, editor or viewer.
        #[arg(long)]
        role: Option<String>,
        /// The organisations (replacing the current ones; repeat for several).
        #[arg(long = "org", value_name = "ORGANISATION")]
        organisations: Vec<String>,
        /// Their name as shown.
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
pub(crate) enum TokenCommand {
    /// Create an API token for an account; the token is printed once.
    Add {
        /// Whose token (it can do what they can).
        #[arg(long)]
        user: String,
        /// What it is for.
        #[arg(long)]
        name: String,
    },
    /// The API tokens.
    List {
        /// Only this account's.
        #[arg(long)]
        user: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by its number.
    Revoke {
        /// The token's number (from `assure token list`).
        id: i64,
    },
}

#[derive(Subcommand)]
pub(crate) enum SettingsCommand {
    /// Show the settings.
    Show,
    /// Days without a published update after which a milestone or plan is stale.
    StaleDays {
        /// 1 to 3650.
        days: u32,
    },
    /// Whether editors' updates wait for an admin's approval.
    Approval {
        /// on or off.
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
}

fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if !from_stdin {
        return Ok((assure_store::random_password(), true));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
    Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
}

fn role(text: &str) -> anyhow::Result<Role> {
    Role::parse(text).with_context(|| format!("--role {text}: expected admin, editor or viewer"))
}

/// Organisation ids for names or ids, checked against the served plan.
fn organisations(store: &Store, keys: &[String]) -> anyhow::Result<Vec<String>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let plan = store.plan(&choose_plan(store, None)?)?;
    assure_app::organisation_ids(&plan, keys.iter().map(String::as_str))
        .map_err(|k| anyhow::anyhow!("--org {k}: no such organisation in plan '{}'", plan.meta.id.get_ref()))
}

fn existing(store: &Store, username: &str) -> anyhow::Result<assure_store::Account> {
    store.account(username)?.with_context(|| format!("no account '{username}'"))
}

pub(crate) fn user(db: &DbOptions, command: UserCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = open(db, true)?;
    let by = actor(db);
    match command {
        UserCommand::Add { username, role: r, organisations: orgs, name, password_stdin } => {
            let fields = AccountFields {
                display_name: name.unwrap_or_else(|| username.clone()),
                role: role(&r)?,
                organisations: organisations(&store, &orgs)?,
                disabled: false,
            };
            let (password, made) = password(password_stdin)?;
            let a = store.create_account(&username, &password, &fields, &by)?;
            writeln!(out, "created {} ({}) {}", a.username, a.role.as_str(), a.organisations.join(", "))?;
            if made {
                writeln!(out, "password: {password}")?;
            }
        }
        UserCommand::List { json } => {
            let accounts = store.accounts()?;
            if json {
                print_json(out, &accounts)?;
            } else if accounts.is_empty() {
                writeln!(out, "no accounts; create one with `assure user add NAME --role admin`")?;
            } else {
                for a in accounts {
                    let state = if a.disabled { " (disabled)" } else { "" };
                    writeln!(out, "{:<24} {:<7} {}{state}", a.username, a.role.as_str(), a.organisations.join(", "))?;
                }
            }
        }
        UserCommand::Disable { username } => set_disabled(&store, &username, true, &by, out)?,
        UserCommand::Enable { username } => set_disabled(&store, &username, false, &by, out)?,
        UserCommand::Moderator { username, off } => {
            store.set_permission(&username, assure_store::Permission::Moderator, !off, &by)?;
            writeln!(out, "{username} {} moderate what residents say", if off { "can no longer" } else { "can now" })?;
        }
        UserCommand::PlanEditor { username, off } => {
            store.set_permission(&username, assure_store::Permission::PlanEditor, !off, &by)?;
            let can = if off { "can no longer" } else { "can now" };
            writeln!(out, "{username} {can} start, edit and publish drafts of the plan")?;
        }
        UserCommand::Email { username, address, none: _, rounds, weekly } => {
            let a = existing(&store, &username)?;
            let mut choices = assure_store::ReminderChoices::of(&a);
            choices.email = address;
            choices.round_reminders = rounds.map_or(choices.round_reminders, |r| r == "on");
            choices.weekly_digest = weekly.map_or(choices.weekly_digest, |w| w == "on");
            let app = assure_app::App::new(store.clone());
            let a = match app.set_reminder_choices(&a, &choices, &by) {
                Err(assure_app::AppError::Rejected(problems)) => {
                    bail!("{}", problems.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("; "))
                }
                other => other?,
            };
            let on = |b: bool| if b { "on" } else { "off" };
            writeln!(
                out,
                "{}: email {}, round reminders {}, weekly digest {}",
                a.username,
                a.email.as_deref().unwrap_or("none"),
                on(a.round_reminders),
                on(a.weekly_digest)
            )?;
        }
        UserCommand::Reset { username, password_stdin } => {
            let (password, made) = password(password_stdin)?;
            store.set_password(&username, &password, &by)?;
            writeln!(out, "new password set for {username}; their sessions have ended")?;
            if made {
                writeln!(out, "password: {password}")?;
            }
        }
        UserCommand::Set { username, role: r, organisations: orgs, name } => {
            let a = existing(&store, &username)?;
            let fields = AccountFields {
                display_name: name.unwrap_or(a.display_name),
                role: r.as_deref().map(role).transpose()?.unwrap_or(a.role),
                organisations: if orgs.is_empty() { a.organisations } else { organisations(&store, &orgs)? },
                disabled: a.disabled,
            };
            let a = store.update_account(&username, &fields, &by)?;
            writeln!(out, "{} is now {} {}", a.username, a.role.as_str(), a.organisations.join(", "))?;
        }
    }
    Ok(())
}

fn set_disabled(store: &Store, username: &str, disabled: bool, by: &str, out: &mut dyn Write) -> anyhow::Result<()> {
    let a = existing(store, username)?;
    let fields = AccountFields { display_name: a.display_name, role: a.role, organisations: a.organisations, disabled };
    store.update_account(username, &fields, by)?;
    writeln!(out, "{username} {}", if disabled { "disabled; their sessions have ended" } else { "enabled" })?;
    Ok(())
}

pub(crate) fn token(db: &DbOptions, command: TokenCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = open(db, true)?;
    match command {
        TokenCommand::Add { user, name } => {
            let (t, secret) = store.create_token(&user, &name, &actor(db))?;
            writeln!(out, "token #{} for {} ({}):\n{secret}", t.id, t.username, t.name)?;
        }
        TokenCommand::List { user, json } => {
            let tokens = store.tokens(user.as_deref())?;
            if json {
                print_json(out, &tokens)?;
            } else {
                for t in tokens {
                    let state = t.revoked_at.as_deref().map_or("active".to_owned(), |r| format!("revoked {r}"));
                    writeln!(out, "#{:<4} {:<24} {:<30} {} {state}", t.id, t.username, t.name, t.created_at)?;
                }
            }
        }
        TokenCommand::Revoke { id } => {
            let t = store.revoke_token(id, &actor(db))?;
            writeln!(out, "token #{} ({}, {}) revoked", t.id, t.username, t.name)?;
        }
    }
    Ok(())
}

pub(crate) fn settings(db: &DbOptions, command: SettingsCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = open(db, true)?;
    let mut settings = store.settings()?;
    match command {
        SettingsCommand::Show => {
            let approval = if settings.approval_required { "on" } else { "off" };
            writeln!(out, "stale-days {}\napproval {approval}", settings.stale_days)?;
        }
        SettingsCommand::StaleDays { days } => {
            settings.stale_days = days;
            if !settings.problems().is_empty() {
                let range = assure_plan::delivery::STALE_DAYS_RANGE;
                bail!("stale-days {days}: expected {} to {}", range.start(), range.end());
            }
            store.save_settings(&settings, &actor(db))?;
            writeln!(out, "stale-days {days}")?;
        }
        SettingsCommand::Approval { state } => {
            settings.approval_required = state == "on";
            store.save_settings(&settings, &actor(db))?;
            writeln!(out, "approval {state}")?;
        }
    }
    Ok(())
}

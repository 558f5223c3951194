//! Versions of the plan on the command line: `assure plan draft start`, `assure plan
//! drafts`, `assure plan publish`, and finding a version (stored or draft) by id for
//! `diff` and `export`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use assure_app::{App, AppError, PublishPreview};
use assure_plan::Plan;
use clap::Subcommand;

use crate::database::{DbOptions, actor, open};
use crate::{print_json, render};

/// `assure plan draft …`.
#[derive(Subcommand)]
pub(crate) enum DraftCommand {
    /// Start a draft as a copy of a stored version (or another draft) under a new id.
    Start {
        /// The version to copy (a stored plan id or a draft id).
        #[arg(long)]
        from: String,
        /// The new version's id, e.g. kent-and-medway-2026-28.
        #[arg(long)]
        id: String,
        /// A new title (default: the copied version's).
        #[arg(long)]
        title: Option<String>,
    },
}

/// A version by id from the database: a stored plan or a draft; `None` if there is none.
pub(crate) fn find(app: &App, id: &str) -> anyhow::Result<Option<Plan>> {
    match app.version(id) {
        Ok((_, plan)) => Ok(Some(plan)),
        Err(AppError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `assure plan draft start`.
pub(crate) fn start(db: &DbOptions, command: DraftCommand, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let DraftCommand::Start { from, id, title } = command;
    let app = App::new(open(db, true)?);
    let me = assure_app::operator(&actor(db));
    match app.start_draft(&me, &from, &id, title.as_deref()) {
        Ok(draft) => {
            writeln!(out, "started draft '{}' from '{from}'", draft.id)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(AppError::Rejected(problems)) => {
            for (field, message) in problems {
                eprintln!("--{field}: {message}");
            }
            Ok(ExitCode::FAILURE)
        }
        Err(AppError::NotFound { .. }) | Err(AppError::Store(assure_store::StoreError::NoSuchPlan(_))) => {
            bail!("there is no version '{from}' (stored plan or draft) to start from")
        }
        Err(e) => Err(e.into()),
    }
}

/// `assure plan drafts`.
pub(crate) fn list(db: &DbOptions, json: bool, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let store = open(db, true)?;
    let drafts = store.drafts()?;
    if json {
        #[derive(serde::Serialize)]
        struct Row<'a> {
            id: &'a str,
            title: &'a str,
            based_on: Option<&'a str>,
            problems: usize,
            updated_at: &'a str,
            updated_by: &'a str,
        }
        let rows: Vec<Row> = drafts
            .iter()
            .map(|d| Row {
                id: &d.id,
                title: &d.plan.meta.title,
                based_on: d.based_on.as_deref(),
                problems: assure_app::check_plan(&d.plan).len(),
                updated_at: &d.updated_at,
                updated_by: &d.updated_by,
            })
            .collect();
        print_json(out, &rows)?;
    } else if drafts.is_empty() {
        writeln!(out, "no drafts in {}", store.url())?;
    } else {
        for d in &drafts {
            let problems = assure_app::check_plan(&d.plan).len();
            writeln!(
                out,
                "{}  {}  based on {}  changed {} by {}  {}",
                d.id,
                d.plan.meta.title,
                d.based_on.as_deref().unwrap_or("nothing"),
                d.updated_at,
                d.updated_by,
                if problems == 0 { "no problems".to_owned() } else { format!("{problems} problem(s)") }
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `assure plan publish DRAFT [--yes]`: without `--yes`, what publishing would do.
pub(crate) fn publish(db: &DbOptions, draft: &str, yes: bool, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let app = App::new(open(db, true)?);
    let me = assure_app::operator(&actor(db));
    match app.publish_preview(&me, draft)? {
        PublishPreview::Refused(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            eprintln!("draft '{draft}' has {} problem(s) and cannot be published; nothing was written", problems.len());
            Ok(ExitCode::FAILURE)
        }
        PublishPreview::Ready { diff, served, left_behind } => {
            render::diff(out, &diff)?;
            if left_behind.is_empty() {
                writeln!(out, "everything recorded against {} carries over", served.as_deref().unwrap_or("nothing"))?;
            } else {
                writeln!(
                    out,
                    "stays with {} (its items are not in '{draft}'): {left_behind}",
                    served.as_deref().unwrap_or("")
                )?;
            }
            if !yes {
                writeln!(out, "nothing was published; run again with --yes to publish '{draft}'")?;
                return Ok(ExitCode::SUCCESS);
            }
            let published = app.publish(&me, draft, true)?;
            match &published.superseded {
                Some(old) => writeln!(out, "published '{}', superseding '{old}'", published.plan)?,
                None => writeln!(out, "published '{}'", published.plan)?,
            }
            for (table, n) in &published.carried_over.rows {
                if *n > 0 {
                    writeln!(out, "  carried over {n} {table} row(s)")?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

//! `assure report …`: the annual report, place reports and deep-dive packs, written to a
//! file as PDF or HTML (by the file's extension), by the same use-case as the web pages.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use assure_app::{App, ReportFormat, ReportRequest};
use clap::Subcommand;

use crate::database::{DbOptions, actor, choose_plan, open};

#[derive(Subcommand)]
pub(crate) enum ReportCommand {
    /// The annual report of the Integrated Care Partnership.
    Annual {
        /// Where to write it: a `.pdf` or `.html` file.
        #[arg(long)]
        out: PathBuf,
        /// Record it as issued: the next annual report lists what changed since this one.
        #[arg(long)]
        issue: bool,
        /// The plan (needed when the database holds more than one).
        #[arg(long)]
        plan: Option<String>,
    },
    /// A place report: an area's outcomes, what is led there, and the voluntary and community sector.
    Place {
        /// The area or place, e.g. `medway`.
        area: String,
        /// Where to write it: a `.pdf` or `.html` file.
        #[arg(long)]
        out: PathBuf,
        /// The plan (needed when the database holds more than one).
        #[arg(long)]
        plan: Option<String>,
    },
    /// The deep-dive pack of an indicator.
    Indicator {
        /// The indicator's id.
        id: String,
        /// Where to write it: a `.pdf` or `.html` file.
        #[arg(long)]
        out: PathBuf,
        /// The plan (needed when the database holds more than one).
        #[arg(long)]
        plan: Option<String>,
    },
    /// The deep-dive pack of a commitment.
    Commitment {
        /// The commitment's id.
        id: String,
        /// Where to write it: a `.pdf` or `.html` file.
        #[arg(long)]
        out: PathBuf,
        /// The plan (needed when the database holds more than one).
        #[arg(long)]
        plan: Option<String>,
    },
}

pub(crate) fn report(db: &DbOptions, command: ReportCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let (request, file, plan, issue) = match command {
        ReportCommand::Annual { out, issue, plan } => (ReportRequest::Annual, out, plan, issue),
        ReportCommand::Place { area, out, plan } => (ReportRequest::Place(area), out, plan, false),
        ReportCommand::Indicator { id, out, plan } => (ReportRequest::Indicator(id), out, plan, false),
        ReportCommand::Commitment { id, out, plan } => (ReportRequest::Commitment(id), out, plan, false),
    };
    let Some(format) = ReportFormat::from_file_name(&file) else {
        bail!("--out {}: name a .pdf or .html file", file.display());
    };
    let store = open(db, true)?;
    let plan = choose_plan(&store, plan)?;
    let issue_as = issue.then(|| actor(db));
    let started = Instant::now();
    let app = App::new(store);
    let bar = crate::progress::Bar::spinner(&format!("writing {}", file.display()));
    let views = app.views(&plan)?;
    let bytes = app.render_report(&views, &request, format, issue_as.as_deref())?;
    drop(bar);
    let elapsed = started.elapsed();
    std::fs::write(&file, &bytes).with_context(|| format!("cannot write {}", file.display()))?;
    writeln!(
        out,
        "wrote {} ({} bytes) in {} ms{}",
        file.display(),
        bytes.len(),
        elapsed.as_millis(),
        if issue { "; issued: the next annual report lists what changed since this one" } else { "" }
    )?;
    Ok(())
}

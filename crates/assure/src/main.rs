//! The `assure` command: check, query and store a Shared Delivery Plan; statistics over CSV.

mod bulk;
mod database;
mod people;
mod render;
mod report;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use assure_plan::{LoadError, Plan, query};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Assure runs the shared delivery plan of an Integrated Care System.
#[derive(Parser)]
#[command(name = "assure", version, about)]
struct Cli {
    #[command(flatten)]
    db: database::DbOptions,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a plan directory; print every problem as file:line:column: message.
    Check {
        /// The plan directory (e.g. data/kent-and-medway-2024-26).
        dir: PathBuf,
    },
    /// Questions about the plan: counts, items, search, gaps.
    Plan {
        #[command(flatten)]
        source: PlanSource,
        #[command(subcommand)]
        command: PlanCommand,
    },
    /// Public-health statistics over CSV: values and confidence intervals, in bulk.
    Stats {
        #[command(subcommand)]
        method: StatsMethod,
    },
    /// The organisation registry and what each organisation leads.
    Org {
        #[command(flatten)]
        source: PlanSource,
        #[command(subcommand)]
        command: OrgCommand,
    },
    #[command(flatten)]
    Database(database::DbCommand),
}

#[derive(Args)]
struct PlanSource {
    /// Read the plan from this directory instead of the bundled Kent and Medway plan.
    #[arg(long, global = true, env = "ASSURE_PLAN_DIR", value_name = "DIR")]
    plan_dir: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand)]
enum PlanCommand {
    /// Count outcomes, priorities, commitments, links, plans, organisations, indicators, examples, milestones ...
    Stats,
    /// Show one item and what is linked to it.
    Show {
        /// What kind of item.
        kind: ShowKind,
        /// Its id (an outcome number, a priority like 1.2, or a commitment/plan/indicator/example/place id).
        id: String,
    },
    /// Find commitments, plans, organisations, indicators, examples and places mentioning all the words.
    Search {
        /// Words to look for (case-insensitive).
        query: String,
    },
    /// Commitments without plans, plans not yet in place, places without priorities, outcomes a place does not address.
    Gaps,
    /// What changed between two versions of a plan: added, removed and changed items, field by field.
    Diff {
        /// The older plan: a plan directory, or `bundled`.
        from: String,
        /// The newer plan: a plan directory, or `bundled`.
        to: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ShowKind {
    Outcome,
    Priority,
    Commitment,
    /// A delivering plan (strategy, programme, service).
    #[value(name = "plan")]
    DeliveringPlan,
    Indicator,
    Example,
    Place,
    Organisation,
}

#[derive(Subcommand)]
enum StatsMethod {
    /// Proportions with Wilson score intervals. Input columns: id,numerator,denominator.
    Proportion {
        #[command(flatten)]
        io: StatsIo,
        /// Output multiplier (100 for a percentage, 1 for a proportion).
        #[arg(long, default_value_t = 100.0)]
        multiplier: f64,
    },
    /// Crude rates with exact (count < 10) or Byar's limits. Input columns: id,numerator,denominator.
    Rate {
        #[command(flatten)]
        io: StatsIo,
        /// Output multiplier (rate per ...).
        #[arg(long, default_value_t = 100000.0)]
        multiplier: f64,
    },
    /// Directly standardised rates (Dobson, 2013 European Standard Population).
    /// Input columns: id,age_band,numerator,denominator; the 19 rows of an id together.
    Dsr {
        #[command(flatten)]
        io: StatsIo,
        /// Output multiplier (rate per ...).
        #[arg(long, default_value_t = 100000.0)]
        multiplier: f64,
        /// Allow age bands with no population when they also have no events.
        #[arg(long)]
        allow_empty_bands: bool,
    },
}

#[derive(Args)]
struct StatsIo {
    /// Input CSV, or - for standard input.
    #[arg(long, value_name = "IN.csv")]
    input: PathBuf,
    /// Output CSV, or - for standard output.
    #[arg(long, value_name = "OUT.csv")]
    output: PathBuf,
    /// Confidence levels, comma-separated.
    #[arg(long, default_value = "0.95,0.998")]
    confidence: String,
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Everything an organisation leads, including through its directorates, grouped by outcome.
    Show {
        /// Id, name or alias (e.g. kcc, "NHS K&M", "KCC – GET").
        org: String,
    },
    /// The registry: every organisation with its kind and parent.
    List,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

pub(crate) fn load(source: &PlanSource) -> anyhow::Result<Plan> {
    load_from(source.plan_dir.as_deref())
}

/// A plan directory, or the bundled plan when there is none.
pub(crate) fn load_from(dir: Option<&std::path::Path>) -> anyhow::Result<Plan> {
    let result = match dir {
        Some(dir) => assure_plan::load_dir(dir),
        None => assure_plan::bundled(),
    };
    match result {
        Ok(plan) => Ok(plan),
        Err(LoadError::Invalid(problems)) => {
            for p in &problems {
                eprintln!("{p}");
            }
            bail!("the plan has {} problem(s); run `assure check` on it", problems.len())
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn print_json<T: serde::Serialize>(out: &mut dyn Write, value: &T) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match execute(cli) {
        Err(e) if is_closed_pipe(&e) => Ok(ExitCode::SUCCESS),
        other => other,
    }
}

/// Whether the output was closed by its reader (`assure data list | head`): the end of
/// the command, not a failure. The writers wrap the I/O error their own way (CSV, JSON).
fn is_closed_pipe(e: &anyhow::Error) -> bool {
    let broken = |kind: std::io::ErrorKind| kind == std::io::ErrorKind::BrokenPipe;
    e.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|e| broken(e.kind()))
            || cause.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind).is_some_and(broken)
            || cause
                .downcast_ref::<csv::Error>()
                .is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if broken(io.kind())))
    })
}

fn execute(cli: Cli) -> anyhow::Result<ExitCode> {
    // Not locked: `assure stats` writes to stdout from its own writer thread.
    let mut out = std::io::stdout();
    match cli.command {
        Command::Check { dir } => {
            let files =
                assure_plan::read_dir(&dir).with_context(|| format!("reading plan directory {}", dir.display()))?;
            match assure_plan::load(&files) {
                Ok(plan) => {
                    let s = query::stats(&plan);
                    println!(
                        "{}: ok ({} outcomes, {} priorities, {} commitments, {} delivery links, {} delivering plans, {} organisations, {} indicators, {} delivery examples, {} milestones)",
                        dir.display(),
                        s.outcomes,
                        s.priorities,
                        s.commitments,
                        s.delivery_links,
                        s.delivering_plans,
                        s.organisations,
                        s.indicators,
                        s.delivery_examples,
                        s.milestones
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(LoadError::Invalid(problems)) => {
                    for p in &problems {
                        eprintln!("{p}");
                    }
                    eprintln!("{}: {} problem(s)", dir.display(), problems.len());
                    Ok(ExitCode::FAILURE)
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Plan { source, command } => {
            let plan = load(&source)?;
            let json = source.json;
            match command {
                PlanCommand::Stats if json => print_json(&mut out, &query::stats(&plan))?,
                PlanCommand::Stats => render::stats(&mut out, &plan)?,
                PlanCommand::Show { kind, id } => show(&mut out, &plan, kind, &id, json)?,
                PlanCommand::Search { query: q } => {
                    let results = query::search(&plan, &q);
                    if json { print_json(&mut out, &results)? } else { render::search(&mut out, &q, &results)? }
                }
                PlanCommand::Diff { from, to } => {
                    let side = |s: &str| if s == "bundled" { None } else { Some(PathBuf::from(s)) };
                    let (a, b) = (side(&from), side(&to));
                    let before = load_from(a.as_deref()).with_context(|| format!("loading {from}"))?;
                    let after = load_from(b.as_deref()).with_context(|| format!("loading {to}"))?;
                    let d = assure_plan::diff::diff(&before, &after);
                    if json { print_json(&mut out, &d)? } else { render::diff(&mut out, &d)? }
                }
                PlanCommand::Gaps => {
                    let gaps = query::gaps(&plan);
                    if json { print_json(&mut out, &gaps)? } else { render::gaps(&mut out, &plan, &gaps)? }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Stats { method } => {
            let (method, io, multiplier, allow_empty_bands) = match method {
                StatsMethod::Proportion { io, multiplier } => (bulk::Method::Proportion, io, multiplier, false),
                StatsMethod::Rate { io, multiplier } => (bulk::Method::Rate, io, multiplier, false),
                StatsMethod::Dsr { io, multiplier, allow_empty_bands } => {
                    (bulk::Method::Dsr, io, multiplier, allow_empty_bands)
                }
            };
            if !(multiplier.is_finite() && multiplier > 0.0) {
                bail!("--multiplier must be a positive number (got {multiplier})");
            }
            let options = bulk::Options {
                input: io.input,
                output: io.output,
                multiplier,
                levels: bulk::parse_levels(&io.confidence)?,
                allow_empty_bands,
            };
            bulk::run(method, &options)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Database(command) => database::execute(&cli.db, command, &mut out),
        Command::Org { source, command } => {
            let plan = load(&source)?;
            match command {
                OrgCommand::Show { org } => show(&mut out, &plan, ShowKind::Organisation, &org, source.json)?,
                OrgCommand::List if source.json => print_json(&mut out, &plan.organisations)?,
                OrgCommand::List => render::organisations(&mut out, &plan)?,
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn show(mut out: &mut dyn Write, plan: &Plan, kind: ShowKind, id: &str, json: bool) -> anyhow::Result<()> {
    let missing = |what: &str| anyhow::anyhow!("no {what} '{id}' in the plan (try `assure plan search`)");
    match kind {
        ShowKind::Outcome => {
            let n: u8 =
                id.parse().map_err(|_| anyhow::anyhow!("an outcome is a number from the plan, e.g. 2 (got '{id}')"))?;
            let o = plan.outcome(n).ok_or_else(|| missing("outcome"))?;
            let detail = query::outcome_detail(plan, o);
            if json { print_json(&mut out, &detail)? } else { render::outcome(&mut out, plan, &detail)? }
        }
        ShowKind::Priority => {
            let p = plan.priority(id).ok_or_else(|| missing("priority"))?;
            let detail = query::priority_detail(plan, p);
            if json { print_json(&mut out, &detail)? } else { render::priority(&mut out, plan, &detail)? }
        }
        ShowKind::Commitment => {
            let c = plan.commitment(id).ok_or_else(|| missing("commitment"))?;
            if json { print_json(&mut out, c)? } else { render::commitment(&mut out, plan, c)? }
        }
        ShowKind::DeliveringPlan => {
            let p = plan.delivering_plan(id).ok_or_else(|| missing("delivering plan"))?;
            let detail = query::plan_detail(plan, p);
            if json { print_json(&mut out, &detail)? } else { render::delivering_plan(&mut out, plan, &detail)? }
        }
        ShowKind::Indicator => {
            let i = plan.indicator(id).ok_or_else(|| missing("indicator"))?;
            if json { print_json(&mut out, i)? } else { render::indicator(&mut out, i)? }
        }
        ShowKind::Example => {
            let e = plan.delivery_example(id).ok_or_else(|| missing("delivery example"))?;
            if json { print_json(&mut out, e)? } else { render::example(&mut out, plan, e)? }
        }
        ShowKind::Place => {
            let p = plan.place(id).ok_or_else(|| missing("place"))?;
            if json { print_json(&mut out, p)? } else { render::place(&mut out, plan, p)? }
        }
        ShowKind::Organisation => {
            let o = plan.organisation(id).ok_or_else(|| missing("organisation"))?;
            let leads = query::organisation_leads(plan, o);
            if json { print_json(&mut out, &leads)? } else { render::organisation(&mut out, plan, &leads)? }
        }
    }
    Ok(())
}

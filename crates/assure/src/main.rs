//! The `assure` command: check, query and store a Shared Delivery Plan; statistics over CSV.

mod bulk;
mod database;
mod people;
mod progress;
mod render;
mod report;
mod versions;

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
    /// Draw no progress bars (they are drawn on standard error only when it is a terminal).
    #[arg(long, global = true)]
    quiet: bool,
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
        /// The older plan: a plan directory, `bundled`, or the id of a stored plan or draft in the database.
        from: String,
        /// The newer plan: a plan directory, `bundled`, or the id of a stored plan or draft in the database.
        to: String,
    },
    /// Draft versions in the database: start one from a stored version.
    Draft {
        #[command(subcommand)]
        command: versions::DraftCommand,
    },
    /// The drafts in the database, with how many problems each has.
    Drafts,
    /// Publish a draft: it becomes the served version, and observations and delivery
    /// updates of every item that survives carry over. Without --yes, only what it would do.
    Publish {
        /// The draft's id.
        draft: String,
        /// Publish (without it, nothing is written).
        #[arg(long)]
        yes: bool,
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
    /// Indirectly standardised ratios (observed / expected) or rates, with exact (observed < 10)
    /// or Byar's limits. Input columns: id,numerator,denominator,ref_numerator,ref_denominator,
    /// one row per age band, the rows of an id together; or, with --reference,
    /// id,age_band,numerator,denominator.
    Isr {
        #[command(flatten)]
        io: StatsIo,
        /// The ratio, or the rate (the ratio times the reference crude rate).
        #[arg(long = "type", value_enum, default_value_t = IsrType::Ratio)]
        kind: IsrType,
        /// Reference numerators and denominators by age band: a CSV with columns
        /// age_band,numerator,denominator, joined to the input's age_band.
        #[arg(long, value_name = "REF.csv")]
        reference: Option<PathBuf>,
        /// Output multiplier (default 1 for a ratio, 100000 for a rate).
        #[arg(long)]
        multiplier: Option<f64>,
    },
    /// Means with Student's t intervals. Input columns: id,value, the rows of an id together.
    Mean {
        #[command(flatten)]
        io: StatsIo,
    },
    /// Quantiles (deciles by default) of values within each parent area. Input columns:
    /// id,value and optionally parent (the rows of a parent together; without it, one group).
    Quantile {
        #[command(flatten)]
        io: StatsIo,
        /// How many quantiles.
        #[arg(long, default_value_t = 10)]
        quantiles: u32,
        /// Quantile 1 holds the highest values (as deprivation deciles: 1 is the most deprived);
        /// false: quantile 1 holds the lowest.
        #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
        invert: bool,
    },
    /// Fingertips' significance labels: each interval against a comparator value. Input
    /// columns: id, lower_<level> and upper_<level> for each --confidence level (as the other
    /// methods write them), and comparator unless --comparator is given.
    Compare {
        #[command(flatten)]
        io: StatsIo,
        /// Which direction is better (none: Higher/Lower instead of Better/Worse).
        #[arg(long, value_enum, default_value_t = PolarityArg::None)]
        polarity: PolarityArg,
        /// The comparator value (e.g. England's) for every row.
        #[arg(long)]
        comparator: Option<f64>,
    },
    /// Life expectancy at every age band (abridged life table, Chiang II, with Silcocks et al.'s
    /// intervals, as PHEindicatormethods' phe_life_expectancy). Input columns:
    /// id,age_band,deaths,population with the 20 bands 0, 1-4, 5-9, ..., 85-89, 90+ (or their
    /// first ages 0, 1, 5, ..., 90), the rows of an id together. Output: a row per id and band,
    /// with the value and limits or why they are not given.
    LifeExpectancy {
        #[command(flatten)]
        io: StatsIo,
    },
    /// The slope index of inequality (and with --rii the relative index) across deprivation
    /// quantiles, as PHEindicatormethods' phe_sii. Input columns: id,quantile,population,value
    /// and lower_95,upper_95 (the value's 95% limits) or se; quantile 1 is the most deprived;
    /// the rows of an id together. Limits are simulated: the same --seed gives the same limits.
    Sii {
        #[command(flatten)]
        io: StatsIo,
        /// How many quantiles every id has (10: deciles, 5: quintiles); 5 to 100.
        #[arg(long, default_value_t = 10)]
        quantiles: u32,
        /// What the values are: rates and proportions (0-1) get their standard errors on the
        /// log / logit scale.
        #[arg(long, value_enum, default_value_t = SiiValueTypeArg::None)]
        value_type: SiiValueTypeArg,
        /// Fit on the log (rates) or logit (proportions) scale and transform back; needs
        /// lower_95,upper_95.
        #[arg(long)]
        transform: bool,
        /// Multiplies the SII and its limits (100 for a percentage from proportions);
        /// negative inverts the polarity (SII sign reversed, RII inverted).
        #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
        multiplier: f64,
        /// Simulated repetitions for the limits (at least 1000).
        #[arg(long, default_value_t = assure_stats::DEFAULT_SII_REPETITIONS)]
        repetitions: u32,
        /// Seed of the simulation (ChaCha20); each id's simulation starts from it.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also write the relative index of inequality and its limits.
        #[arg(long)]
        rii: bool,
    },
    /// Funnel plots, as PHStatsMethods' calculate_funnel_limits, calculate_funnel_points and
    /// assign_funnel_significance.
    Funnel {
        #[command(subcommand)]
        part: FunnelCommand,
    },
}

/// The three parts of a funnel plot.
#[derive(Subcommand)]
enum FunnelCommand {
    /// The control limits: 100 points along the axis (population, observed events or events)
    /// with the limits at each level around the average of all rows. Input columns:
    /// numerator,denominator (proportion; ratio: the expected count) or numerator,rate and
    /// optionally denominator (rate).
    Limits {
        #[command(flatten)]
        io: StatsIo,
        #[command(flatten)]
        funnel: FunnelArgs,
    },
    /// Rates' points: the rate to chart and the one-year population it implies (none for a
    /// DSR with fewer than 10 events). Input columns: id,numerator,rate and optionally denominator.
    Points {
        #[command(flatten)]
        io: StatsIo,
        #[command(flatten)]
        funnel: FunnelArgs,
    },
    /// Each row against the limits: High/Low (the tail beyond the limit it is outside) or
    /// Not significant. Input columns as for limits, with id.
    Significance {
        #[command(flatten)]
        io: StatsIo,
        #[command(flatten)]
        funnel: FunnelArgs,
    },
}

#[derive(Args)]
struct FunnelArgs {
    /// What the funnel is drawn for.
    #[arg(long, value_enum, default_value_t = FunnelStatisticArg::Proportion)]
    statistic: FunnelStatisticArg,
    /// Rates: crude or directly standardised.
    #[arg(long, value_enum, default_value_t = RateTypeArg::Crude)]
    rate_type: RateTypeArg,
    /// Ratios: as O/E, O/E − 1 (count) or × 100 (isr).
    #[arg(long, value_enum, default_value_t = RatioTypeArg::Ratio)]
    ratio_type: RatioTypeArg,
    /// Rates: how many years the data cover.
    #[arg(long, default_value_t = 1.0)]
    years_of_data: f64,
    /// Multiplier of the values (default 100 for a proportion, 100000 for a rate).
    #[arg(long)]
    multiplier: Option<f64>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FunnelStatisticArg {
    Proportion,
    Rate,
    Ratio,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RateTypeArg {
    Crude,
    Dsr,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RatioTypeArg {
    Ratio,
    Count,
    Isr,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum IsrType {
    Ratio,
    Rate,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SiiValueTypeArg {
    /// Any value with symmetric limits.
    None,
    /// A rate.
    Rate,
    /// A proportion between 0 and 1.
    Proportion,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PolarityArg {
    HighIsGood,
    LowIsGood,
    None,
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
    let cli = Cli::parse();
    progress::set_quiet(cli.quiet);
    match run(cli) {
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
            let json = source.json;
            let plan = || load(&source);
            match command {
                PlanCommand::Draft { command } => return versions::start(&cli.db, command, &mut out),
                PlanCommand::Drafts => return versions::list(&cli.db, json, &mut out),
                PlanCommand::Publish { draft, yes } => return versions::publish(&cli.db, &draft, yes, &mut out),
                PlanCommand::Stats if json => print_json(&mut out, &query::stats(&plan()?))?,
                PlanCommand::Stats => render::stats(&mut out, &plan()?)?,
                PlanCommand::Show { kind, id } => show(&mut out, &plan()?, kind, &id, json)?,
                PlanCommand::Search { query: q } => {
                    let plan = plan()?;
                    let results = query::search(&plan, &q);
                    if json { print_json(&mut out, &results)? } else { render::search(&mut out, &q, &results)? }
                }
                PlanCommand::Diff { from, to } => {
                    let before = database::plan_for_diff(&cli.db, &from).with_context(|| format!("loading {from}"))?;
                    let after = database::plan_for_diff(&cli.db, &to).with_context(|| format!("loading {to}"))?;
                    let d = assure_plan::diff::diff(&before, &after);
                    if json { print_json(&mut out, &d)? } else { render::diff(&mut out, &d)? }
                }
                PlanCommand::Gaps => {
                    let plan = plan()?;
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
                StatsMethod::Isr { io, kind, reference, multiplier } => {
                    let rate = matches!(kind, IsrType::Rate);
                    let multiplier = multiplier.unwrap_or(if rate { 100000.0 } else { 1.0 });
                    (bulk::Method::Isr { rate, reference }, io, multiplier, false)
                }
                StatsMethod::Mean { io } => (bulk::Method::Mean, io, 1.0, false),
                StatsMethod::Quantile { io, quantiles, invert } => {
                    if quantiles < 2 {
                        bail!("--quantiles must be at least 2 (got {quantiles})");
                    }
                    (bulk::Method::Quantile { quantiles, invert }, io, 1.0, false)
                }
                StatsMethod::Compare { io, polarity, comparator } => {
                    if comparator.is_some_and(|c| !c.is_finite()) {
                        bail!("--comparator must be a number");
                    }
                    let polarity = match polarity {
                        PolarityArg::HighIsGood => assure_stats::Polarity::HighIsGood,
                        PolarityArg::LowIsGood => assure_stats::Polarity::LowIsGood,
                        PolarityArg::None => assure_stats::Polarity::NoJudgement,
                    };
                    (bulk::Method::Compare { polarity, comparator }, io, 1.0, false)
                }
                StatsMethod::LifeExpectancy { io } => (bulk::Method::LifeExpectancy, io, 1.0, false),
                StatsMethod::Sii { io, quantiles, value_type, transform, multiplier, repetitions, seed, rii } => {
                    use assure_stats::SiiValueType;
                    if !assure_stats::SII_QUANTILES.contains(&(quantiles as usize)) {
                        bail!("--quantiles must be between 5 and 100 for the SII (got {quantiles})");
                    }
                    if repetitions < assure_stats::MIN_SII_REPETITIONS {
                        bail!("--repetitions must be at least 1000 (got {repetitions})");
                    }
                    let value_type = match value_type {
                        SiiValueTypeArg::None => SiiValueType::Other,
                        SiiValueTypeArg::Rate => SiiValueType::Rate,
                        SiiValueTypeArg::Proportion => SiiValueType::Proportion,
                    };
                    if transform && value_type == SiiValueType::Other {
                        bail!("--transform needs --value-type rate or proportion");
                    }
                    if !(multiplier.is_finite() && multiplier != 0.0) {
                        bail!("--multiplier must be a number other than zero (got {multiplier})");
                    }
                    let options = bulk::SiiOptions { quantiles, value_type, transform, repetitions, seed, rii };
                    // The multiplier's sign carries the polarity: checked above, passed on as it is.
                    (bulk::Method::Sii(options), io, multiplier, false)
                }
                StatsMethod::Funnel { part } => {
                    let (part, io, f) = match part {
                        FunnelCommand::Limits { io, funnel } => (bulk::FunnelPart::Limits, io, funnel),
                        FunnelCommand::Points { io, funnel } => (bulk::FunnelPart::Points, io, funnel),
                        FunnelCommand::Significance { io, funnel } => (bulk::FunnelPart::Significance, io, funnel),
                    };
                    use assure_stats::{FunnelStatistic, RateType, RatioType};
                    let statistic = match f.statistic {
                        FunnelStatisticArg::Proportion => FunnelStatistic::Proportion,
                        FunnelStatisticArg::Rate => FunnelStatistic::Rate(match f.rate_type {
                            RateTypeArg::Crude => RateType::Crude,
                            RateTypeArg::Dsr => RateType::Dsr,
                        }),
                        FunnelStatisticArg::Ratio => FunnelStatistic::Ratio(match f.ratio_type {
                            RatioTypeArg::Ratio => RatioType::Ratio,
                            RatioTypeArg::Count => RatioType::Count,
                            RatioTypeArg::Isr => RatioType::Isr,
                        }),
                    };
                    if part == bulk::FunnelPart::Points && !matches!(statistic, FunnelStatistic::Rate(_)) {
                        bail!(
                            "funnel points are for rates (--statistic rate): a proportion or ratio is plotted as it is"
                        );
                    }
                    if !(f.years_of_data.is_finite() && f.years_of_data > 0.0) {
                        bail!("--years-of-data must be a positive number (got {})", f.years_of_data);
                    }
                    let multiplier = f.multiplier.unwrap_or(match statistic {
                        FunnelStatistic::Proportion => 100.0,
                        FunnelStatistic::Rate(_) => 100000.0,
                        FunnelStatistic::Ratio(_) => 1.0,
                    });
                    (bulk::Method::Funnel { part, statistic, years: f.years_of_data }, io, multiplier, false)
                }
            };
            // The SII's multiplier was checked above: its sign is the polarity.
            let positive = multiplier.is_finite() && multiplier > 0.0;
            if !positive && !matches!(method, bulk::Method::Sii(_)) {
                bail!("--multiplier must be a positive number (got {multiplier})");
            }
            let options = bulk::Options {
                input: io.input,
                output: io.output,
                multiplier,
                levels: bulk::parse_levels(&io.confidence)?,
                allow_empty_bands,
            };
            let done = bulk::run(&method, &options);
            assure_app::Progress::finish(progress::stats_bar());
            done?;
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

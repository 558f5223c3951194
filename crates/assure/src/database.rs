//! The commands that use the database: migrate, import, export, plans, diff,
//! observations and audit.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use assure_app::{App, AppError, DataImportRequest, DataSource};
use assure_plan::{LoadError, Plan};
use assure_store::{AuditFilter, DatabaseUrl, ImportMode, ImportPlanRequest, Store, StoreError};
use clap::{Args, Subcommand};

use crate::{load_from, print_json, render};

/// Which database, and who is acting.
#[derive(Args)]
pub(crate) struct DbOptions {
    /// The database: an SQLite file (`sqlite:PATH` or a path) or `postgres://user@host:port/db`.
    /// Default: the SQLite file assure.db in the working directory.
    #[arg(long, global = true, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    database: Option<String>,
    /// Who is making changes, as recorded in the audit log (default: $USER).
    #[arg(long, global = true, env = "ASSURE_ACTOR", value_name = "NAME")]
    actor: Option<String>,
    /// Do not load the bundled Kent and Medway plan into a new SQLite database.
    #[arg(long, global = true)]
    empty: bool,
    /// The SMTP relay email goes through: `smtp://host:port` (local relay),
    /// `smtps://user:password@host` or `smtp://user:password@host:587?tls=required`.
    /// Without it no email is sent (confirmations and reminders are then not made).
    #[arg(long, global = true, env = "ASSURE_SMTP_URL", value_name = "URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// Who email comes from.
    #[arg(long, global = true, env = "ASSURE_MAIL_FROM", value_name = "ADDRESS", default_value = assure_app::DEFAULT_SENDER)]
    mail_from: String,
    /// Who is emailed when what a resident wrote suggests someone may be at risk.
    #[arg(long, global = true, env = "ASSURE_SAFEGUARDING_EMAIL", value_name = "ADDRESS")]
    safeguarding_email: Option<String>,
    /// The site's public address, which links in email start with.
    #[arg(long, global = true, env = "ASSURE_PUBLIC_URL", value_name = "URL", default_value = assure_app::DEFAULT_PUBLIC_URL)]
    public_url: String,
    /// The Fingertips site scheduled sources are fetched from (`assure serve`, `assure jobs run`).
    #[arg(long, global = true, env = "ASSURE_FINGERTIPS_URL", value_name = "URL", default_value = assure_app::DEFAULT_FINGERTIPS_URL)]
    fingertips_url: String,
    /// How long a scheduled Fingertips fetch may take, whole (e.g. 120s, 5m).
    #[arg(long, global = true, env = "ASSURE_FINGERTIPS_TIMEOUT", value_name = "DURATION", default_value = "120s", value_parser = humantime::parse_duration)]
    fingertips_timeout: std::time::Duration,
}

/// The application over `store`, sending email as configured (`--smtp-url`, `--mail-from`)
/// with links under `--public-url`.
pub(crate) fn app(db: &DbOptions, store: Store) -> anyhow::Result<App> {
    let fingertips =
        assure_app::FingertipsSettings { base_url: db.fingertips_url.clone(), timeout: db.fingertips_timeout };
    if let Some(problem) = fingertips.problem() {
        bail!("--fingertips-url / --fingertips-timeout: {problem}");
    }
    let mut app = App::new(store).with_public_url(&db.public_url).with_fingertips(fingertips);
    if let Some(lead) = &db.safeguarding_email {
        app = app.with_safeguarding_lead(lead);
    }
    Ok(match &db.smtp_url {
        Some(url) => app.with_mailer(assure_app::Mailer::from_url(url, &db.mail_from)?),
        None => app,
    })
}

/// How long each step of a connection may take, and how many may be open at once
/// (`assure serve`): stalled, idle or hoarded connections are closed, not kept.
#[derive(clap::Args)]
pub(crate) struct ConnectionLimits {
    /// Time for a request's head to arrive whole, from the connection opening or the
    /// head's first byte (e.g. 10s, 500ms); a half-sent head is then closed.
    #[arg(long, env = "ASSURE_HEADER_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    header_timeout: std::time::Duration,
    /// Time a kept-alive connection may wait for its next request before it is closed.
    #[arg(long, env = "ASSURE_IDLE_TIMEOUT", default_value = "60s", value_parser = humantime::parse_duration)]
    idle_timeout: std::time::Duration,
    /// Time a request body may go without sending a byte before the request fails.
    #[arg(long, env = "ASSURE_BODY_TIMEOUT", default_value = "30s", value_parser = humantime::parse_duration)]
    body_timeout: std::time::Duration,
    /// Connections served at once; beyond them a few more are taken to answer /healthz
    /// (anything else there: 503 with Retry-After), and the rest are closed at once.
    #[arg(long, env = "ASSURE_MAX_CONNECTIONS", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
}

impl ConnectionLimits {
    fn limits(&self) -> anyhow::Result<assure_web::Limits> {
        let timeouts = [
            ("--header-timeout", self.header_timeout),
            ("--idle-timeout", self.idle_timeout),
            ("--body-timeout", self.body_timeout),
        ];
        if let Some((flag, _)) = timeouts.iter().find(|(_, t)| t.is_zero()) {
            bail!("{flag} must be more than 0");
        }
        Ok(assure_web::Limits {
            header_timeout: self.header_timeout,
            idle_timeout: self.idle_timeout,
            body_timeout: self.body_timeout,
            max_connections: self.max_connections as usize,
        })
    }
}

/// The commands that use the database.
#[derive(Subcommand)]
pub(crate) enum DbCommand {
    /// Serve the web site on the database (by default assure.db with the bundled plan).
    Serve {
        /// Address to listen on (port 0: any free port, printed at start).
        #[arg(long, env = "ASSURE_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// The plan to show (default: the latest published version).
        #[arg(long)]
        plan: Option<String>,
        /// Log filter, e.g. info, warn, or assure_web=debug,tower_http=info.
        #[arg(long, env = "ASSURE_LOG", default_value = "info")]
        log: String,
        /// The address of a reverse proxy in front (repeat, or comma-separate in the
        /// variable): its X-Forwarded-For then names the client, for sign-in throttling.
        /// Without it that header is ignored, and every request through a proxy counts
        /// as the proxy's.
        #[arg(long = "trusted-proxy", env = "ASSURE_TRUSTED_PROXIES", value_delimiter = ',', value_name = "IP")]
        trusted_proxies: Vec<std::net::IpAddr>,
        /// Send Strict-Transport-Security on every response: for a server reached only
        /// through a TLS proxy (browsers then refuse plain HTTP to the site for a year).
        #[arg(long, env = "ASSURE_HSTS")]
        hsts: bool,
        /// How long, and how many, connections may be open.
        #[command(flatten)]
        limits: ConnectionLimits,
    },
    /// Bring the database schema up to date (also done at every start).
    Migrate,
    /// Copy the whole database into one file while it is in use: SQLite through its online
    /// backup API, PostgreSQL through `pg_dump --format=custom` (which must be on PATH).
    Backup {
        /// The file to write (replaced if it exists).
        out: PathBuf,
    },
    /// Restore a backup made by `assure backup` into an empty database (of the same kind:
    /// SQLite from SQLite, PostgreSQL from PostgreSQL, with `pg_restore` on PATH).
    Restore {
        /// The backup file.
        from: PathBuf,
        /// Replace a database that holds data (what it holds is lost).
        #[arg(long)]
        force: bool,
    },
    /// Load a plan directory into the database: validated first, one transaction, nothing written on error.
    Import {
        /// The plan directory (e.g. data/kent-and-medway-2024-26).
        #[arg(required_unless_present = "bundled")]
        dir: Option<PathBuf>,
        /// Load the bundled Kent and Medway plan instead of a directory.
        #[arg(long, conflicts_with = "dir")]
        bundled: bool,
        /// Replace a stored plan with the same id (its observations, delivery updates and
        /// added milestones are kept where their indicator or item still exists; a
        /// replacement that would drop any is refused, listing them, unless --drop).
        #[arg(long)]
        replace: bool,
        /// With --replace: drop what belongs to indicators and items the new plan no
        /// longer has. Dropped rows are archived (`assure archive`) and can be restored.
        #[arg(long, requires = "replace")]
        drop: bool,
    },
    /// Write a stored plan out as plan-as-code files.
    Export {
        /// The directory to write (created if missing; plan files in it are replaced).
        dir: PathBuf,
        /// The plan's id (needed when the database holds more than one).
        #[arg(long)]
        plan: Option<String>,
    },
    /// The plans in the database.
    Plans {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        command: Option<PlansCommand>,
    },
    /// What changed between two plan versions: each side a stored plan id, a plan directory, or `bundled`.
    Diff {
        /// The older plan.
        from: String,
        /// The newer plan.
        to: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Indicator data: import Fingertips or Assure CSV, list it, and the record of imports.
    #[command(alias = "observations")]
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
    /// Geography from files: primary care networks, GP practices and localities.
    Areas {
        #[command(subcommand)]
        command: AreasCommand,
    },
    /// Load a deterministic illustrative dataset for every indicator and area (marked as
    /// such wherever it is shown; never loaded unless asked for).
    DemoData {
        /// The plan (needed when the database holds more than one).
        #[arg(long)]
        plan: Option<String>,
        /// Load it into PostgreSQL too (refused by default: production databases run there).
        #[arg(long)]
        force: bool,
    },
    /// Every indicator's status against its target, with the reason.
    Status {
        /// The plan (needed when the database holds more than one).
        #[arg(long)]
        plan: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The audit log: every change made through the store, newest first.
    Audit(AuditArgs),
    /// What replacing or deleting a plan dropped, kept whole: list it, put it back.
    Archive {
        /// Print JSON instead of text.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        command: Option<ArchiveCommand>,
    },
    /// Accounts: add, list, disable, enable, reset a password, change role or organisations.
    User {
        #[command(subcommand)]
        command: crate::people::UserCommand,
    },
    /// API tokens for scripts: add, list, revoke.
    Token {
        #[command(subcommand)]
        command: crate::people::TokenCommand,
    },
    /// Reports from the live data, as PDF or HTML: annual, place, deep-dive packs.
    Report {
        #[command(subcommand)]
        command: crate::report::ReportCommand,
    },
    /// The partnership's settings: when an item is stale, whether updates need approval.
    Settings {
        #[command(subcommand)]
        command: crate::people::SettingsCommand,
    },
    /// Scheduled jobs (retention, reminder digests): `assure serve` runs them every
    /// minute, once per slot across every server on the database.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Reminders by email: what is due now (round opened, deadline near, late; the
    /// weekly digest of overdue and stale items), sent once to each editor with an
    /// email address who has not stopped them. The jobs round-reminders and
    /// weekly-digest send the same on their schedule.
    Remind {
        /// Print who would get what (recipient, kind, items) without sending or recording.
        #[arg(long)]
        dry_run: bool,
        /// Only these reminders.
        #[arg(long, value_enum, default_value = "all")]
        only: RemindWhich,
        /// Remind as at this time (RFC 3339) instead of now.
        #[arg(long, value_name = "TIME")]
        now: Option<jiff::Timestamp>,
    },
    /// Residents' voice ("Have your say"): retention.
    Engagement {
        #[command(subcommand)]
        command: EngagementCommand,
    },
}

#[derive(Subcommand)]
pub(crate) enum EngagementCommand {
    /// Delete what is kept no longer: unconfirmed items after 7 days, contact details
    /// after 24 months (also run daily by `assure serve`, as the job engagement-purge).
    Purge {
        /// Purge as at this time (RFC 3339) instead of now.
        #[arg(long, value_name = "TIME")]
        now: Option<jiff::Timestamp>,
    },
}

/// Which reminders `assure remind` looks for.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum RemindWhich {
    /// Round reminders and the weekly digest.
    All,
    /// Round reminders (opened, deadline near, late).
    Rounds,
    /// The weekly digest.
    Weekly,
}

#[derive(Subcommand)]
pub(crate) enum JobsCommand {
    /// Run the jobs that are due and not yet run by any server, once.
    Run {
        /// Run as at this time (RFC 3339, e.g. 2027-01-01T09:00:00Z) instead of now.
        #[arg(long, value_name = "TIME")]
        now: Option<jiff::Timestamp>,
    },
    /// The latest runs, newest first.
    List {
        /// How many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum PlansCommand {
    /// List the stored plans (the default).
    List,
    /// Delete a stored plan and everything in it; its observations, delivery updates and
    /// added milestones are archived (`assure archive`), to restore after importing it again.
    Delete {
        /// The plan's id.
        id: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum ArchiveCommand {
    /// List the archives, newest first (the default).
    List,
    /// Put an archive's rows back where their indicator or item is in the plan again
    /// (import the plan that had them first); what cannot go back yet stays archived.
    Restore {
        /// The archive's number (from `assure archive list`, or the import that dropped them).
        id: i64,
    },
}

#[derive(Subcommand)]
pub(crate) enum AreasCommand {
    /// Load areas from a CSV or .xlsx file into a draft of the plan. Columns: code, name,
    /// kind (pcn, practice, locality, or a kind the plan already uses), parent (the code of
    /// the area it lies in, in the file or in the plan), and optionally ons, ods, aliases
    /// (separated by ;), valid_from, valid_to. A row whose code is already an area of the
    /// draft updates it. Every problem is printed as file:line: field: message, and on any
    /// nothing is written. Only a draft takes areas: the published plan changes when the
    /// draft is published.
    Import {
        /// The CSV or .xlsx file (its first sheet, with a header row).
        file: PathBuf,
        /// The draft to load the areas into.
        #[arg(long, value_name = "DRAFT")]
        plan: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum DataCommand {
    /// Load indicator data from a CSV file: OHID Fingertips' "all data" layout, or Assure's
    /// (columns: indicator, area, period, and optionally breakdown, value, lower, upper,
    /// numerator, denominator, note, source). Values and intervals are computed from counts
    /// where only counts are given. One transaction: any bad row and nothing is written.
    /// Rows already stored are replaced when they differ and left alone when equal, so a
    /// corrected file can be imported again.
    Import {
        /// The CSV file.
        file: PathBuf,
        /// The plan whose indicators these are (needed when the database holds more than one).
        #[arg(long)]
        plan: Option<String>,
        /// Map a Fingertips indicator id to a plan indicator: `--map 93085=smoking-at-time-of-delivery`.
        #[arg(long, value_name = "ID=INDICATOR")]
        map: Vec<String>,
        /// Leave out rows for areas that are neither the plan's nor England (counted).
        #[arg(long)]
        skip_unknown_areas: bool,
        /// Leave out rows of Fingertips indicators not mapped to the plan (counted).
        #[arg(long)]
        skip_unmapped: bool,
        /// Refuse the file if any of its rows is already stored, instead of replacing.
        #[arg(long)]
        new_only: bool,
        /// The file gives deaths (count / numerator) and population (denominator) by age
        /// band (`age=0`, `age=1-4` … `age=90+` in the breakdown, or Fingertips' Age column):
        /// store each table's life expectancy with its 95% interval (Chiang II, Silcocks) at
        /// birth, or at the start of the band AGE (`--life-expectancy=65`).
        #[arg(long, value_name = "AGE", num_args = 0..=1, require_equals = true, default_missing_value = "0")]
        life_expectancy: Option<String>,
    },
    /// Print stored indicator data as CSV, in the columns import reads.
    List {
        /// The plan (needed when the database holds more than one).
        #[arg(long)]
        plan: Option<String>,
        /// Only this indicator (or indicator part).
        #[arg(long)]
        indicator: Option<String>,
    },
    /// Fetch indicator data from a public source and import it as `data import` does
    /// (checked whole, merged: fetching the same data again changes nothing; any bad row
    /// and nothing is written), recorded under the address it came from.
    Fetch {
        #[command(subcommand)]
        source: FetchSource,
    },
    /// Fingertips sources fetched on a schedule (by `assure serve`, or `assure jobs run`):
    /// list them with their latest runs (the default), add or remove one.
    Sources {
        #[command(subcommand)]
        command: Option<SourcesCommand>,
    },
    /// The record of data imports: file, checksum, row counts, who and when; newest first.
    Imports {
        /// The plan (needed when the database holds more than one).
        #[arg(long)]
        plan: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum FetchSource {
    /// OHID Fingertips' "all data" CSV for one indicator and area type
    /// ({base}/api/all_data/csv/by_indicator_id?indicator_ids=…&child_area_type_id=…&parent_area_type_id=…).
    /// Rows for areas that are neither the plan's nor England are left out (counted).
    Fingertips {
        #[command(flatten)]
        query: FingertipsArgs,
        /// The plan whose indicators these are (needed when the database holds more than one).
        #[arg(long)]
        plan: Option<String>,
        /// The Fingertips site.
        #[arg(long, env = "ASSURE_FINGERTIPS_URL", value_name = "URL", default_value = assure_app::DEFAULT_FINGERTIPS_URL)]
        base_url: String,
        /// Seconds the whole fetch may take before it is given up.
        #[arg(long, value_name = "S", default_value_t = assure_app::DEFAULT_FINGERTIPS_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
        timeout: u64,
        /// Map a Fingertips indicator id to a plan indicator: `--map 93085=smoking-at-time-of-delivery`.
        #[arg(long, value_name = "ID=INDICATOR")]
        map: Vec<String>,
    },
}

/// One Fingertips "all data" query.
#[derive(Args)]
pub(crate) struct FingertipsArgs {
    /// Fingertips' indicator id, e.g. 93085.
    #[arg(long, value_name = "ID")]
    indicator: u32,
    /// The area type of the rows, e.g. 502 (upper-tier local authorities from April 2023).
    #[arg(long, value_name = "ID")]
    area_type: u32,
    /// The parent area type (15: England).
    #[arg(long, value_name = "ID", default_value_t = assure_app::ENGLAND_AREA_TYPE)]
    parent_area_type: u32,
    /// Only the children of this parent area, e.g. E12000008 (with --parent-area-type 6, regions).
    #[arg(long, value_name = "CODE")]
    parent_area_code: Option<String>,
}

impl FingertipsArgs {
    fn query(&self) -> assure_app::FingertipsQuery {
        assure_app::FingertipsQuery {
            indicator: self.indicator,
            area_type: self.area_type,
            parent_area_type: self.parent_area_type,
            parent_area_code: self.parent_area_code.clone(),
        }
    }
}

#[derive(Subcommand)]
pub(crate) enum SourcesCommand {
    /// Every source, with its latest runs.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Add a source, fetched once a day or once a week from the next hour on.
    Add {
        #[command(flatten)]
        query: FingertipsArgs,
        /// How often.
        #[arg(long, value_enum)]
        every: Every,
        /// The plan (needed when the database holds more than one).
        #[arg(long)]
        plan: Option<String>,
    },
    /// Remove a source and its runs.
    Remove {
        /// The source's number (from `assure data sources`).
        id: i64,
    },
}

/// How often a source is fetched.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum Every {
    /// Once a (UTC) day.
    Daily,
    /// Once an ISO week.
    Weekly,
}

#[derive(Args)]
pub(crate) struct AuditArgs {
    /// Only changes to this kind of thing (plan, observation).
    #[arg(long)]
    entity: Option<String>,
    /// Only changes to this thing (a plan id; for observations, the file name).
    #[arg(long)]
    entity_id: Option<String>,
    /// Only changes by this person. (Not `--actor`: that global option, or
    /// ASSURE_ACTOR, names who is running the command and must not filter the log.)
    #[arg(long = "by", id = "by", value_name = "ACTOR")]
    by: Option<String>,
    /// Only this action (import, replace, delete).
    #[arg(long)]
    action: Option<String>,
    /// Only changes within this plan.
    #[arg(long)]
    plan: Option<String>,
    /// Only changes at or after this time (RFC 3339, or a date such as 2026-11-01).
    #[arg(long)]
    since: Option<String>,
    /// Only the entry with this number (use with --values to see what changed).
    #[arg(long)]
    id: Option<i64>,
    /// At most this many entries.
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Include the values before and after each change.
    #[arg(long)]
    values: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub(crate) fn actor(db: &DbOptions) -> String {
    db.actor
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Open the database, creating and migrating it as needed. A new SQLite database gets
/// the bundled plan, once, unless `--empty` or the command is `import` (or `migrate`,
/// which opens the store itself).
pub(crate) fn open(db: &DbOptions, first_use_loads_bundled: bool) -> anyhow::Result<Store> {
    let url = match &db.database {
        Some(u) => DatabaseUrl::parse(u)?,
        None => DatabaseUrl::default_sqlite(),
    };
    let (store, report) = Store::open(&url)?;
    if report.created() && first_use_loads_bundled && !db.empty && matches!(url, DatabaseUrl::Sqlite(_)) {
        let plan = assure_plan::bundled().context("loading the bundled plan")?;
        match store.import_plan(&ImportPlanRequest::new(&plan, "assure (first run)")) {
            Ok(_) => eprintln!("created {url} and loaded the bundled plan '{}'", plan.meta.id.get_ref()),
            // Another process created the database and loaded it at the same moment.
            Err(StoreError::PlanExists(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(store)
}

/// `assure remind --dry-run`: who would get what, nothing sent or recorded.
fn remind_dry_run(
    app: &App,
    now: jiff::Timestamp,
    which: assure_app::Which,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let due = app.due_reminders(now, which)?;
    if due.due.is_empty() && due.without_address.is_empty() {
        writeln!(out, "no reminder is due")?;
    }
    for r in due.due.iter().chain(&due.without_address) {
        let to = if r.email.to.is_empty() { "NO EMAIL ADDRESS".to_owned() } else { r.email.to.clone() };
        let about = r.round.as_ref().map_or(String::new(), |round| format!(" \"{}\"", round.name));
        let (kind, user, n) = (r.kind.as_str(), &r.account.username, r.items.len());
        writeln!(out, "would send {kind}{about} to {to} ({user}): {n} item(s)")?;
        for i in &r.items {
            writeln!(out, "  {} {}", i.key(), i.title)?;
        }
    }
    writeln!(
        out,
        "dry run: nothing sent ({} due, {} to people with no email address)",
        due.due.len(),
        due.without_address.len()
    )?;
    Ok(())
}

/// The plan a command is about: the one named, or the only one stored.
pub(crate) fn choose_plan(store: &Store, plan: Option<String>) -> anyhow::Result<String> {
    if let Some(p) = plan {
        return Ok(p);
    }
    // Superseded versions are kept readable, but are never the one meant by default.
    let plans: Vec<_> =
        store.plan_versions()?.into_iter().filter(|p| p.state == assure_store::VersionState::Published).collect();
    match plans.as_slice() {
        [only] => Ok(only.id.clone()),
        [] => bail!("the database {} holds no plan; load one with `assure import DIR`", store.url()),
        _ => bail!(
            "the database holds {} published plans ({}); choose one with --plan",
            plans.len(),
            plans.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// One side of a diff: `bundled`, a plan directory, or a version in the database (a
/// stored plan or a draft).
pub(crate) fn plan_for_diff(db: &DbOptions, side: &str) -> anyhow::Result<Plan> {
    if side == "bundled" {
        return load_from(None);
    }
    let path = Path::new(side);
    if path.is_dir() {
        return load_dir_reporting(path);
    }
    let store = open(db, true)?;
    let url = store.url().to_string();
    crate::versions::find(&App::new(store), side)?.ok_or_else(|| {
        anyhow::anyhow!("'{side}' is neither a plan directory, `bundled`, nor a plan in {url} (stored or draft)")
    })
}

fn load_dir_reporting(dir: &Path) -> anyhow::Result<Plan> {
    match assure_plan::load_dir(dir) {
        Ok(p) => Ok(p),
        Err(LoadError::Invalid(problems)) => {
            for p in &problems {
                eprintln!("{p}");
            }
            bail!("{}: {} problem(s); nothing was written", dir.display(), problems.len())
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("reading plan directory {}", dir.display()))),
    }
}

pub(crate) fn execute(db: &DbOptions, command: DbCommand, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match command {
        DbCommand::Serve { addr, plan, log, trusted_proxies, hsts, limits } => {
            let limits = limits.limits()?;
            let filter = tracing_subscriber::EnvFilter::try_new(&log).with_context(|| format!("--log '{log}'"))?;
            use std::io::IsTerminal;
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_ansi(std::io::stderr().is_terminal())
                .with_writer(std::io::stderr)
                .init();
            let store = open(db, true)?;
            let app = app(db, store.clone())?;
            let url = store.url().to_owned();
            run_jobs_every_minute(app.clone());
            // The PostgreSQL client closes its connection by driving its own runtime,
            // which may not happen on a thread of ours: this handle outlives the server,
            // so the last connections are closed here, after the runtime has stopped.
            let last_handle = store.clone();
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            runtime.block_on(async move {
                let listener =
                    tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("cannot listen on {addr}"))?;
                let local = listener.local_addr()?;
                eprintln!("serving {url} on http://{local}/ (Ctrl-C to stop)");
                let state = assure_web::AppState::serving(app, plan, trusted_proxies).with_hsts(hsts);
                assure_web::serve_with(listener, state, limits, shutdown_signal()).await?;
                eprintln!("stopped");
                anyhow::Ok(())
            })?;
            drop(runtime);
            drop(last_handle);
        }
        DbCommand::Jobs { command: JobsCommand::Run { now } } => {
            let app = app(db, open(db, false)?)?;
            let runs = app.run_due_jobs(now.unwrap_or_else(jiff::Timestamp::now))?;
            if runs.is_empty() {
                writeln!(out, "no job was due")?;
            }
            let mut failed = false;
            for run in &runs {
                match &run.outcome {
                    Ok(said) => writeln!(out, "{} ({}): {said}", run.name, run.slot)?,
                    Err(why) => {
                        failed = true;
                        writeln!(out, "{} ({}): FAILED: {why}", run.name, run.slot)?;
                    }
                }
            }
            if failed {
                return Ok(ExitCode::FAILURE);
            }
        }
        DbCommand::Remind { dry_run, only, now } => {
            let app = app(db, open(db, false)?)?;
            let now = now.unwrap_or_else(jiff::Timestamp::now);
            let which = match only {
                RemindWhich::All => assure_app::Which::All,
                RemindWhich::Rounds => assure_app::Which::Rounds,
                RemindWhich::Weekly => assure_app::Which::Weekly,
            };
            if dry_run {
                remind_dry_run(&app, now, which, out)?;
            } else {
                if !app.mail_configured() {
                    bail!("no SMTP relay is configured (--smtp-url or ASSURE_SMTP_URL): nothing can be sent");
                }
                let sent = app.send_reminders(now, which, &format!("assure remind by {}", actor(db)))?;
                for (kind, to, items) in &sent.sent {
                    writeln!(out, "sent {} to {to}: {items} item(s)", kind.as_str())?;
                }
                writeln!(out, "{sent}")?;
                if !sent.failed.is_empty() {
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        DbCommand::Engagement { command: EngagementCommand::Purge { now } } => {
            let app = app(db, open(db, false)?)?;
            let now = now.unwrap_or_else(jiff::Timestamp::now);
            writeln!(out, "{}", app.purge_voice(now, &actor(db))?)?;
        }
        DbCommand::Jobs { command: JobsCommand::List { limit, json } } => {
            let runs = open(db, false)?.job_runs(limit)?;
            if json {
                print_json(out, &runs)?;
            } else if runs.is_empty() {
                writeln!(out, "no job has run")?;
            }
            for r in runs.iter().filter(|_| !json) {
                let ended = match (&r.finished_at, &r.outcome) {
                    (Some(at), Some(said)) if r.failed => format!("failed at {at}: {said}"),
                    (Some(at), Some(said)) => format!("finished at {at}: {said}"),
                    _ => "running, or stopped before it finished".to_owned(),
                };
                writeln!(out, "{} {} by {} at {}, {ended}", r.name, r.slot, r.claimed_by, r.claimed_at)?;
            }
        }
        DbCommand::Backup { out: file } => {
            let url = db.database.as_deref().map_or_else(|| Ok(DatabaseUrl::default_sqlite()), DatabaseUrl::parse)?;
            if let DatabaseUrl::Sqlite(path) = &url
                && !path.exists()
            {
                bail!("there is no database at {}: nothing to back up", path.display());
            }
            let (store, _) = Store::open(&url)?;
            let contents = store.contents()?;
            store.backup(&file)?;
            writeln!(out, "{url} backed up to {}: {contents}", file.display())?;
        }
        DbCommand::Restore { from, force } => {
            let url = db.database.as_deref().map_or_else(|| Ok(DatabaseUrl::default_sqlite()), DatabaseUrl::parse)?;
            let contents = assure_store::restore(&url, &from, force)?;
            writeln!(out, "{} restored into {url}: {contents}", from.display())?;
        }
        DbCommand::Migrate => {
            let url = db.database.as_deref().map_or_else(|| Ok(DatabaseUrl::default_sqlite()), DatabaseUrl::parse)?;
            let (_, report) = Store::open(&url)?;
            if report.applied.is_empty() {
                writeln!(out, "{url}: schema up to date (version {})", report.version)?;
            }
            for (v, name) in &report.applied {
                writeln!(out, "{url}: applied migration {v} ({name})")?;
            }
        }
        DbCommand::Import { dir, bundled, replace, drop } => {
            let plan = match &dir {
                Some(dir) => load_dir_reporting(dir)?,
                None if bundled => assure_plan::bundled().context("loading the bundled plan")?,
                None => bail!("give a plan directory, or --bundled"),
            };
            let store = open(db, false)?;
            let actor = actor(db);
            let r = match store.import_plan(&ImportPlanRequest { plan: &plan, actor: &actor, replace, drop }) {
                Ok(r) => r,
                Err(StoreError::WouldDrop { plan, dropped }) => {
                    eprintln!("replacing plan '{plan}' would drop what belongs to items the new plan no longer has:");
                    render_dropped(&mut std::io::stderr(), &dropped)?;
                    bail!(
                        "nothing was written. To drop them, run again with --replace --drop: they are archived, \
                         and `assure archive restore N` puts them back once their items are in the plan again"
                    );
                }
                Err(e) => return Err(e.into()),
            };
            let s = assure_plan::query::stats(&plan);
            writeln!(
                out,
                "{} plan '{}' into {} ({} outcomes, {} commitments, {} delivery links, {} indicators, {} milestones)",
                if r.replaced { "replaced" } else { "imported" },
                r.plan,
                store.url(),
                s.outcomes,
                s.commitments,
                s.delivery_links,
                s.indicators,
                s.milestones
            )?;
            if r.replaced && (r.observations_kept > 0 || r.observations_dropped > 0) {
                writeln!(
                    out,
                    "kept {} observation(s); dropped {} whose indicator is no longer in the plan",
                    r.observations_kept, r.observations_dropped
                )?;
            }
            if let Some(a) = &r.archived {
                report_archived(out, a)?;
            }
        }
        DbCommand::Export { dir, plan } => {
            let store = open(db, true)?;
            let id = choose_plan(&store, plan)?;
            // A draft exports like a stored plan.
            let plan = match store.draft(&id)? {
                Some(draft) => draft.plan,
                None => store.plan(&id)?,
            };
            assure_plan::write_dir(&plan, &dir)?;
            writeln!(out, "exported plan '{id}' to {}", dir.display())?;
        }
        DbCommand::Plans { json, command } => {
            let store = open(db, true)?;
            match command.unwrap_or(PlansCommand::List) {
                PlansCommand::List => {
                    let plans = store.plan_versions()?;
                    if json {
                        print_json(out, &plans)?;
                    } else if plans.is_empty() {
                        writeln!(out, "no plans in {}", store.url())?;
                    } else {
                        for p in plans {
                            write!(
                                out,
                                "{}  {} ({})  {} {} by {}",
                                p.id,
                                p.title,
                                p.period,
                                p.state.label().to_lowercase(),
                                p.published_at,
                                p.published_by
                            )?;
                            if let (Some(at), Some(by)) = (&p.superseded_at, &p.superseded_by) {
                                write!(out, "; superseded {at} by {by}")?;
                            }
                            writeln!(out)?;
                        }
                    }
                }
                PlansCommand::Delete { id } => {
                    let archived = store.delete_plan(&id, &actor(db))?;
                    writeln!(out, "deleted plan '{id}'")?;
                    if let Some(a) = &archived {
                        report_archived(out, a)?;
                    }
                }
            }
        }
        DbCommand::Diff { from, to, json } => {
            let before = plan_for_diff(db, &from)?;
            let after = plan_for_diff(db, &to)?;
            let d = assure_plan::diff::diff(&before, &after);
            if json { print_json(out, &d)? } else { render::diff(out, &d)? }
        }
        DbCommand::Data { command } => match command {
            DataCommand::Import { file, plan, map, skip_unknown_areas, skip_unmapped, new_only, life_expectancy } => {
                let at = match life_expectancy.as_deref() {
                    None => None,
                    Some(age) => Some(life_table_band(age)?),
                };
                let name = file.display().to_string();
                // Said now, by the operating system's words, rather than as a problem of the file.
                std::fs::File::open(&file).with_context(|| format!("cannot read {name}"))?;
                let map = map
                    .iter()
                    .map(|m| assure_app::parse_mapping(m).map_err(|e| anyhow::anyhow!("--map {e}")))
                    .collect::<anyhow::Result<_>>()?;
                let store = open(db, true)?;
                let request = DataImportRequest {
                    plan_id: choose_plan(&store, plan)?,
                    source: DataSource::Path { name, path: file },
                    map,
                    skip_unknown_areas,
                    skip_unmapped,
                    mode: if new_only { ImportMode::Insert } else { ImportMode::Merge },
                    actor: actor(db),
                };
                import_data(out, &App::new(store), &request, at)?;
            }
            DataCommand::Fetch { source: FetchSource::Fingertips { query, plan, base_url, timeout, map } } => {
                let map = map
                    .iter()
                    .map(|m| assure_app::parse_mapping(m).map_err(|e| anyhow::anyhow!("--map {e}")))
                    .collect::<anyhow::Result<_>>()?;
                let store = open(db, true)?;
                let request = assure_app::FetchRequest {
                    plan_id: choose_plan(&store, plan)?,
                    query: query.query(),
                    settings: assure_app::FingertipsSettings {
                        base_url,
                        timeout: std::time::Duration::from_secs(timeout),
                    },
                    map,
                    actor: actor(db),
                };
                let app = App::new(store);
                let bar = crate::progress::Bar::new();
                let result = app.fetch_fingertips(&request, &bar);
                drop(bar);
                match result {
                    Ok(f) => writeln!(
                        out,
                        "{}: {} byte(s), {} row(s) into plan '{}': {}",
                        f.url,
                        f.bytes,
                        f.imported.import.rows,
                        f.imported.plan_id,
                        f.imported.counts()
                    )?,
                    Err(e) => return Err(import_failure(e)),
                }
            }
            DataCommand::Sources { command } => {
                let store = open(db, true)?;
                let app = app(db, store.clone())?;
                let operator = assure_app::operator(&actor(db));
                match command.unwrap_or(SourcesCommand::List { json: false }) {
                    SourcesCommand::List { json } => {
                        let sources = app.fingertips_sources(5)?;
                        if json {
                            let list: Vec<serde_json::Value> = sources
                                .iter()
                                .map(|s| serde_json::json!({ "source": s.source, "url": s.url, "runs": s.runs }))
                                .collect();
                            print_json(out, &list)?;
                        } else {
                            render::fingertips_sources(out, &sources)?;
                        }
                    }
                    SourcesCommand::Add { query, every, plan } => {
                        let q = query.query();
                        let source = assure_store::NewFingertipsSource {
                            plan_id: choose_plan(&store, plan)?,
                            indicator_id: q.indicator,
                            area_type_id: q.area_type,
                            parent_area_type_id: q.parent_area_type,
                            parent_area_code: q.parent_area_code.clone(),
                            every: match every {
                                Every::Daily => assure_store::Refresh::Daily,
                                Every::Weekly => assure_store::Refresh::Weekly,
                            },
                        };
                        let added = app.add_fingertips_source(&operator, &source)?;
                        writeln!(
                            out,
                            "source {} added: {} {} into plan '{}'",
                            added.id,
                            added.source.every.as_str(),
                            q.url(app.fingertips_settings().base_url.as_str()),
                            added.source.plan_id
                        )?;
                    }
                    SourcesCommand::Remove { id } => {
                        let removed = app.remove_fingertips_source(&operator, id)?;
                        writeln!(
                            out,
                            "source {} removed (indicator {}, area type {})",
                            removed.id, removed.source.indicator_id, removed.source.area_type_id
                        )?;
                    }
                }
            }
            DataCommand::List { plan, indicator } => {
                let store = open(db, true)?;
                let plan = choose_plan(&store, plan)?;
                let rows = store.observations(&plan, indicator.as_deref())?;
                assure_plan::observation::write_csv(out, &rows, false)?;
            }
            DataCommand::Imports { plan, json } => {
                let store = open(db, true)?;
                let plan = choose_plan(&store, plan)?;
                let imports = store.data_imports(&plan)?;
                if json {
                    print_json(out, &imports)?;
                } else {
                    for i in &imports {
                        writeln!(
                            out,
                            "#{} {} {} {} ({}, sha256 {}): {} row(s), {} new, {} replaced, {} unchanged, {} skipped{}",
                            i.id,
                            i.at,
                            i.actor,
                            i.file.name,
                            i.file.format,
                            &i.file.checksum[..i.file.checksum.len().min(12)],
                            i.rows,
                            i.inserted,
                            i.replaced,
                            i.unchanged,
                            i.file.skipped,
                            if i.illustrative { " [illustrative]" } else { "" }
                        )?;
                    }
                }
            }
        },
        DbCommand::Areas { command: AreasCommand::Import { file, plan, json } } => {
            let name = file.display().to_string();
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {name}"))?;
            let app = App::new(open(db, true)?);
            let import = assure_app::AreasImport { draft: &plan, file_name: &name, bytes: &bytes };
            match app.import_areas_as(&actor(db), &import) {
                Ok(r) if json => print_json(out, &r)?,
                Ok(r) => render::areas_imported(out, &r)?,
                Err(AppError::InvalidFile { file, problems }) => {
                    eprintln!("{problems}");
                    bail!("{file}: {} problem(s); nothing was written", problems.total());
                }
                Err(e) => return Err(e.into()),
            }
        }
        DbCommand::DemoData { plan, force } => {
            let store = open(db, true)?;
            if store.backend() == assure_store::BackendKind::Postgres && !force {
                bail!(
                    "refusing to load illustrative data into PostgreSQL ({}), where production databases run; \
                     pass --force if this database is not one",
                    store.url()
                );
            }
            let request = DataImportRequest {
                plan_id: choose_plan(&store, plan)?,
                source: DataSource::Illustrative,
                map: Default::default(),
                skip_unknown_areas: false,
                skip_unmapped: false,
                mode: ImportMode::Merge,
                actor: actor(db),
            };
            import_data(out, &App::new(store), &request, None)?;
            writeln!(out, "This is illustrative data, not official statistics: every page showing it says so.")?;
        }
        DbCommand::Status { plan, json } => {
            let store = open(db, true)?;
            let plan = choose_plan(&store, plan)?;
            let stored = store.plan(&plan)?;
            let tracking = App::new(store).tracking(&stored)?;
            let assessed: Vec<_> = stored
                .indicators
                .iter()
                .flat_map(|i| i.tracked())
                .filter_map(|t| Some((t, tracking.by_id.get(t.id)?)))
                .collect();
            if json {
                let list: Vec<serde_json::Value> = assessed
                    .iter()
                    .map(|(t, a)| serde_json::json!({ "indicator": t.id, "measure": t.measure, "assessment": a }))
                    .collect();
                print_json(out, &list)?;
            } else {
                for (t, a) in &assessed {
                    writeln!(out, "{:<9} {}\n          {}", a.status.label(), t.id, a.reason)?;
                }
            }
        }
        DbCommand::User { command } => crate::people::user(db, command, out)?,
        DbCommand::Token { command } => crate::people::token(db, command, out)?,
        DbCommand::Settings { command } => crate::people::settings(db, command, out)?,
        DbCommand::Report { command } => crate::report::report(db, command, out)?,
        DbCommand::Archive { json, command } => {
            let store = open(db, true)?;
            match command.unwrap_or(ArchiveCommand::List) {
                ArchiveCommand::List => {
                    let archives = store.archives()?;
                    if json {
                        print_json(out, &archives)?;
                    } else if archives.is_empty() {
                        writeln!(out, "no archives in {}: nothing has been dropped", store.url())?;
                    } else {
                        for a in &archives {
                            writeln!(
                                out,
                                "#{} {} {} plan '{}': {} row(s), {} restored",
                                a.id,
                                a.at,
                                a.actor,
                                a.plan,
                                a.dropped.rows(),
                                a.restored_rows
                            )?;
                            render_dropped(out, &a.dropped)?;
                        }
                    }
                }
                ArchiveCommand::Restore { id } => {
                    let r = store.restore_archived(id, &actor(db))?;
                    if json {
                        print_json(out, &r)?;
                    } else {
                        writeln!(out, "restored {} row(s) of archive #{id} into plan '{}'", r.restored.rows(), r.plan)?;
                        render_dropped(out, &r.restored)?;
                        if !r.remaining.is_empty() {
                            writeln!(out, "{} row(s) cannot go back yet and stay archived:", r.remaining.rows())?;
                            render_dropped(out, &r.remaining)?;
                            for why in &r.reasons {
                                writeln!(out, "  because {why}")?;
                            }
                        }
                    }
                }
            }
        }
        DbCommand::Audit(a) => {
            let store = open(db, true)?;
            let filter = AuditFilter {
                entity: a.entity,
                entity_id: a.entity_id,
                actor: a.by,
                action: a.action,
                plan_id: a.plan,
                since: a.since,
                id: a.id,
                limit: Some(a.limit),
                values: a.values,
            };
            let entries = store.audit(&filter)?;
            if a.json {
                print_json(out, &entries)?;
            } else if entries.is_empty() {
                writeln!(out, "no audit entries match")?;
            } else {
                for e in entries {
                    let plan = e.plan_id.as_deref().map(|p| format!(" in plan {p}")).unwrap_or_default();
                    writeln!(out, "#{} {} {} {} {} '{}'{plan}", e.id, e.at, e.actor, e.action, e.entity, e.entity_id)?;
                    for (label, v) in [("before", &e.before), ("after", &e.after)] {
                        if let Some(v) = v {
                            writeln!(out, "  {label}: {}", serde_json::to_string_pretty(v)?.replace('\n', "\n  "))?;
                        }
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What was dropped (or restored), by what it belongs to, one line per item.
fn render_dropped(out: &mut dyn Write, d: &assure_store::Dropped) -> anyhow::Result<()> {
    for (map, what) in [
        (&d.observations, "observation(s) of indicator"),
        (&d.updates, "delivery update(s) of"),
        (&d.added_milestones, "milestone(s) partners added to delivering plan"),
    ] {
        for (item, n) in map {
            writeln!(out, "  {n} {what} {item}")?;
        }
    }
    Ok(())
}

fn report_archived(out: &mut dyn Write, a: &assure_store::Archived) -> anyhow::Result<()> {
    writeln!(out, "archived {} dropped row(s) as archive #{}:", a.dropped.rows(), a.id)?;
    render_dropped(out, &a.dropped)?;
    writeln!(out, "to put them back, import a plan that has their items, then `assure archive restore {}`", a.id)?;
    Ok(())
}

/// Run the due scheduled jobs now and then every minute, on a thread of their own, for as
/// long as the process lives; what each did is logged.
fn run_jobs_every_minute(app: App) {
    let spawned = std::thread::Builder::new().name("jobs".into()).spawn(move || {
        loop {
            match app.run_due_jobs(jiff::Timestamp::now()) {
                Ok(runs) => {
                    for run in runs {
                        match run.outcome {
                            Ok(said) => tracing::info!(job = run.name, slot = run.slot, "{said}"),
                            Err(why) => tracing::error!(job = run.name, slot = run.slot, "job failed: {why}"),
                        }
                    }
                }
                Err(e) => tracing::warn!("scheduled jobs not run: {e}"),
            }
            std::thread::sleep(std::time::Duration::from_secs(60));
        }
    });
    if let Err(e) = spawned {
        tracing::error!("scheduled jobs will not run: {e}");
    }
}

/// Completes on Ctrl-C or SIGTERM: the server then finishes the requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// Import indicator data, reporting what happened, or every problem on stderr.
/// The band of the life table that starts at `age` (`0`, `65`, or a band such as `65-69`).
fn life_table_band(age: &str) -> anyhow::Result<usize> {
    let bands = assure_stats::LIFE_TABLE_BANDS;
    let found = assure_tracking::life_tables::band_index(age)
        .or_else(|| bands.iter().position(|b| b.split(['-', '+']).next() == Some(age.trim())));
    found.ok_or_else(|| {
        anyhow::anyhow!("--life-expectancy {age}: not the first age of a band of the life table ({})", bands.join(", "))
    })
}

fn import_data(out: &mut dyn Write, app: &App, request: &DataImportRequest, at: Option<usize>) -> anyhow::Result<()> {
    let bar = crate::progress::Bar::new();
    let result = match at {
        None => app.import_data_with(request, &bar),
        Some(at) => app.import_life_expectancy(request, at, &bar).map(|r| {
            let _ = writeln!(
                out,
                "{} life table(s) read; life expectancy for {}, {} suppressed by the method's rules (stored without a value, the note says why)",
                r.tables,
                r.tables - r.suppressed,
                r.suppressed
            );
            r.data
        }),
    };
    drop(bar);
    match result {
        Ok(r) => writeln!(out, "{}: {} row(s) into plan '{}': {}", r.file, r.import.rows, r.plan_id, r.counts())?,
        Err(e) => return Err(import_failure(e)),
    }
    Ok(())
}

/// Why an import (or a fetch) wrote nothing: a file's problems and a mapping's are
/// printed on stderr, one a line, and summed up in the error.
fn import_failure(e: AppError) -> anyhow::Error {
    match e {
        AppError::InvalidFile { file, problems } => {
            eprintln!("{problems}");
            anyhow::anyhow!("{file}: {} problem(s); nothing was written", problems.total())
        }
        AppError::UnknownMapTargets(targets) => {
            let count = targets.len();
            eprintln!("{}", AppError::UnknownMapTargets(targets));
            anyhow::anyhow!("{count} problem(s) in --map; nothing was written")
        }
        AppError::Fetch(e) => anyhow::anyhow!("{e}; nothing was written"),
        e => e.into(),
    }
}

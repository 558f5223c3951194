//! Indicator data fetched from OHID Fingertips' public API, once or on a schedule.
//!
//! The query is the "all data" CSV endpoint fingertipsR and fingertips_py use,
//! `{base}/api/all_data/csv/by_indicator_id?indicator_ids=…&child_area_type_id=…&parent_area_type_id=…[&parent_area_code=…]`.
//! The answer is streamed to a temporary file (never held) and imported through the same
//! pipeline as `assure data import` ([`App::import_data_with`]): checked whole, then
//! merged in one transaction, so fetching the same data again changes nothing and a bad
//! row writes nothing. The import is recorded under the address it came from.
//!
//! The answer covers every area of the type in England; rows for areas that are neither
//! the plan's nor England are left out and counted. An admin sets up sources
//! ([`App::add_fingertips_source`]) that the hourly job `fingertips-refresh` fetches once
//! per day or ISO week each, every run recorded with its rows and outcome.

use std::collections::HashMap;
use std::io::Read;
use std::time::Duration;

use assure_plan::Plan;
use assure_store::{Account, FingertipsRun, FingertipsSource, NewFingertipsSource, Refresh, RunEnd};
use jiff::Timestamp;

use crate::data::{DataImportRequest, DataImported, DataSource, Progress, Quiet};
use crate::jobs::Schedule;
use crate::{App, AppError, require_admin};

/// The public Fingertips site, used unless another address is configured.
pub const DEFAULT_FINGERTIPS_URL: &str = "https://fingertips.phe.org.uk";

/// Fingertips' area type for England: the parent area type when none is given.
pub const ENGLAND_AREA_TYPE: u32 = 15;

/// How long a fetch may take, whole, unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// How many bytes of an error answer are shown.
const BODY_SHOWN: usize = 300;

/// Where Fingertips is and how long to wait for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingertipsSettings {
    /// The site's address (`https://fingertips.phe.org.uk`), without the `/api/…` path.
    pub base_url: String,
    /// The longest a fetch may take, from connecting to the last byte.
    pub timeout: Duration,
}

impl Default for FingertipsSettings {
    fn default() -> FingertipsSettings {
        FingertipsSettings { base_url: DEFAULT_FINGERTIPS_URL.to_owned(), timeout: DEFAULT_TIMEOUT }
    }
}

impl FingertipsSettings {
    /// What is wrong with these settings, if anything: the address must be http(s) and
    /// the timeout at least a second.
    pub fn problem(&self) -> Option<String> {
        let base = self.base_url.trim();
        if !(base.starts_with("https://") || base.starts_with("http://")) || base.contains(['?', '#', ' ']) {
            return Some(format!(
                "'{base}' is not the address of a Fingertips site: write it as https://host[/path], \
                 e.g. {DEFAULT_FINGERTIPS_URL}"
            ));
        }
        if self.timeout < Duration::from_secs(1) {
            return Some("the timeout must be at least 1 second".to_owned());
        }
        None
    }
}

/// One "all data" query: an indicator's rows for every area of a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingertipsQuery {
    /// Fingertips' indicator id (e.g. 93085).
    pub indicator: u32,
    /// The area type of the rows (e.g. 502: upper-tier local authorities).
    pub area_type: u32,
    /// The parent area type (default [`ENGLAND_AREA_TYPE`]).
    pub parent_area_type: u32,
    /// Only the children of this parent area (an ONS code such as E12000008), if given.
    pub parent_area_code: Option<String>,
}

impl FingertipsQuery {
    /// The address of this query on the site at `base`.
    pub fn url(&self, base: &str) -> String {
        let mut url = format!(
            "{}/api/all_data/csv/by_indicator_id?indicator_ids={}&child_area_type_id={}&parent_area_type_id={}",
            base.trim().trim_end_matches('/'),
            self.indicator,
            self.area_type,
            self.parent_area_type
        );
        if let Some(code) = &self.parent_area_code {
            url.push_str("&parent_area_code=");
            url.push_str(code);
        }
        url
    }

    /// Each field that cannot be asked for, and why.
    pub fn problems(&self) -> Vec<assure_plan::delivery::FieldProblem> {
        let mut problems = Vec::new();
        for (field, value) in
            [("indicator", self.indicator), ("area_type", self.area_type), ("parent_area_type", self.parent_area_type)]
        {
            if value == 0 {
                problems.push((field, "must be a Fingertips id: a whole number above 0".to_owned()));
            }
        }
        if let Some(code) = &self.parent_area_code
            && (code.is_empty() || code.len() > 20 || !code.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            problems.push((
                "parent_area_code",
                format!("'{code}' is not an area code: letters and digits, e.g. E12000008"),
            ));
        }
        problems
    }
}

/// Why a fetch did not bring an answer to import.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The server answered with an error status.
    #[error("{url} answered HTTP {status}: {body}")]
    Status {
        /// The address.
        url: String,
        /// The status code.
        status: u16,
        /// The start of the answer's body.
        body: String,
    },
    /// No (whole) answer in time.
    #[error("no answer from {url} within {seconds} s")]
    Timeout {
        /// The address.
        url: String,
        /// The bound, in seconds.
        seconds: u64,
    },
    /// The server could not be reached, or the answer broke off.
    #[error("cannot fetch {url}: {message}")]
    Unreachable {
        /// The address.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The answer could not be saved to a temporary file.
    #[error("cannot save the answer from {url}: {message}")]
    Save {
        /// The address.
        url: String,
        /// What the system said.
        message: String,
    },
}

/// A fetch to make.
#[derive(Debug, Clone)]
pub struct FetchRequest {
    /// The plan whose indicators these are.
    pub plan_id: String,
    /// What to ask for.
    pub query: FingertipsQuery,
    /// Where, and how long to wait.
    pub settings: FingertipsSettings,
    /// Fingertips indicator ids mapped to plan indicators, beyond those the plan maps.
    pub map: HashMap<u32, String>,
    /// Who is fetching, for the record and the audit log.
    pub actor: String,
}

/// What a fetch did.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The address fetched (recorded as the import's file).
    pub url: String,
    /// Bytes received.
    pub bytes: u64,
    /// The import.
    pub imported: DataImported,
}

/// A source with its latest runs, for the admin page and `assure data sources`.
#[derive(Debug, Clone)]
pub struct SourceStatus {
    /// The source.
    pub source: FingertipsSource,
    /// The address it fetches.
    pub url: String,
    /// Its runs, newest first.
    pub runs: Vec<FingertipsRun>,
}

/// Whether Fingertips indicator `id` is mapped to an indicator of `plan`, by the plan's
/// measurements or by `map`.
fn is_mapped(plan: &Plan, map: &HashMap<u32, String>, id: u32) -> bool {
    map.contains_key(&id)
        || plan
            .indicators
            .iter()
            .flat_map(|i| i.tracked())
            .flat_map(|t| t.measurement.into_iter().flat_map(|m| m.fingertips.iter()))
            .any(|f| *f.get_ref() == id)
}

fn schedule(every: Refresh) -> Schedule {
    match every {
        Refresh::Daily => Schedule::Daily,
        Refresh::Weekly => Schedule::Weekly,
    }
}

/// Save the answer of `url` to a temporary file, within the timeout.
fn download(
    url: &str,
    timeout: Duration,
    progress: &dyn Progress,
) -> Result<(tempfile::NamedTempFile, u64), FetchError> {
    let seconds = timeout.as_secs();
    let timed_out = || FetchError::Timeout { url: url.to_owned(), seconds };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .user_agent(concat!("assure/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let response = agent.get(url).header("Accept", "text/csv").call().map_err(|e| match e {
        ureq::Error::Timeout(_) => timed_out(),
        e => FetchError::Unreachable { url: url.to_owned(), message: e.to_string() },
    })?;
    let status = response.status().as_u16();
    let mut body = response.into_body().into_reader();
    if status != 200 {
        let mut start = Vec::new();
        let _ = (&mut body).take(BODY_SHOWN as u64 * 4).read_to_end(&mut start);
        let text = String::from_utf8_lossy(&start);
        let mut shown: String =
            text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(BODY_SHOWN).collect();
        if shown.is_empty() {
            shown = "(no body)".to_owned();
        } else if text.chars().count() > BODY_SHOWN {
            shown.push('…');
        }
        return Err(FetchError::Status { url: url.to_owned(), status, body: shown });
    }
    let save = |e: std::io::Error| FetchError::Save { url: url.to_owned(), message: e.to_string() };
    let mut file = tempfile::Builder::new().prefix("assure-fingertips-").suffix(".csv").tempfile().map_err(save)?;
    progress.start("fetching", None);
    let mut received = 0u64;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = match body.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut || is_timeout(&e) => return Err(timed_out()),
            Err(e) => return Err(FetchError::Unreachable { url: url.to_owned(), message: e.to_string() }),
        };
        std::io::Write::write_all(file.as_file_mut(), &buffer[..n]).map_err(save)?;
        received += n as u64;
        progress.advance(n as u64);
    }
    std::io::Write::flush(file.as_file_mut()).map_err(save)?;
    Ok((file, received))
}

/// Whether a body read failed because the time ran out (ureq wraps its error).
fn is_timeout(e: &std::io::Error) -> bool {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<ureq::Error>())
        .is_some_and(|u| matches!(u, ureq::Error::Timeout(_)))
}

impl App {
    /// Fetch a query's answer and import it (see the module).
    pub fn fetch_fingertips(&self, request: &FetchRequest, progress: &dyn Progress) -> Result<Fetched, AppError> {
        let problems = request.query.problems();
        if !problems.is_empty() {
            return Err(AppError::Rejected(problems));
        }
        if let Some(problem) = request.settings.problem() {
            return Err(AppError::Rejected(vec![("base_url", problem)]));
        }
        let plan = self.store.plan(&request.plan_id)?;
        if !is_mapped(&plan, &request.map, request.query.indicator) {
            let id = request.query.indicator;
            return Err(AppError::Rejected(vec![(
                "indicator",
                format!(
                    "Fingertips indicator {id} is not mapped to an indicator of plan '{}': add it to the \
                     indicator's measurement, or pass --map {id}=INDICATOR",
                    request.plan_id
                ),
            )]));
        }
        let url = request.query.url(&request.settings.base_url);
        let result = download(&url, request.settings.timeout, progress);
        let (file, bytes) = match result {
            Ok(saved) => saved,
            Err(e) => {
                progress.finish();
                return Err(AppError::Fetch(e));
            }
        };
        let import = DataImportRequest {
            plan_id: request.plan_id.clone(),
            source: DataSource::Fetched { url: url.clone(), path: file.path().to_owned() },
            map: request.map.clone(),
            skip_unknown_areas: true,
            skip_unmapped: false,
            mode: assure_store::ImportMode::Merge,
            actor: request.actor.clone(),
        };
        let imported = self.import_data_with(&import, progress)?;
        Ok(Fetched { url, bytes, imported })
    }

    /// Where Fingertips is fetched from by the scheduled job.
    pub fn fingertips_settings(&self) -> &FingertipsSettings {
        &self.fingertips
    }

    /// Add a source the scheduled job fetches: admins only.
    pub fn add_fingertips_source(
        &self,
        account: &Account,
        source: &NewFingertipsSource,
    ) -> Result<FingertipsSource, AppError> {
        require_admin(account)?;
        let query = query_of(source);
        let problems = query.problems();
        if !problems.is_empty() {
            return Err(AppError::Rejected(problems));
        }
        let plan = self.store.plan(&source.plan_id)?;
        if !is_mapped(&plan, &HashMap::new(), source.indicator_id) {
            return Err(AppError::Rejected(vec![(
                "indicator",
                format!(
                    "Fingertips indicator {} is not mapped to an indicator of plan '{}': add it to the \
                     indicator's measurement first",
                    source.indicator_id, source.plan_id
                ),
            )]));
        }
        Ok(self.store.add_fingertips_source(source, &account.username)?)
    }

    /// Remove a source and its runs: admins only.
    pub fn remove_fingertips_source(&self, account: &Account, id: i64) -> Result<FingertipsSource, AppError> {
        require_admin(account)?;
        Ok(self.store.remove_fingertips_source(id, &account.username)?)
    }

    /// Every source with its address and latest runs (at most `runs` each).
    pub fn fingertips_sources(&self, runs: usize) -> Result<Vec<SourceStatus>, AppError> {
        let sources = self.store.fingertips_sources()?;
        let mut recorded = self.store.fingertips_runs(u32::try_from(sources.len() * runs).unwrap_or(u32::MAX))?;
        Ok(sources
            .into_iter()
            .map(|source| {
                let url = query_of(&source.source).url(&self.fingertips.base_url);
                let (mine, rest): (Vec<_>, Vec<_>) =
                    std::mem::take(&mut recorded).into_iter().partition(|r| r.source_id == source.id);
                recorded = rest;
                SourceStatus { source, url, runs: mine.into_iter().take(runs).collect() }
            })
            .collect())
    }

    /// Fetch every source whose slot for `now` no server has claimed yet; each run is
    /// recorded. Says how many were fetched; fails (after trying them all) if any did.
    pub fn refresh_fingertips(&self, now: Timestamp) -> Result<String, AppError> {
        let runner = crate::jobs::runner();
        let (mut fetched, mut failures) = (0usize, Vec::new());
        for source in self.store.fingertips_sources()? {
            let slot = schedule(source.source.every).slot(now);
            let actor = format!("fingertips-refresh (source {}, added by {})", source.id, source.created_by);
            match self.run_source(&source, &slot, &runner, actor)? {
                None => {}
                Some(Ok(_)) => fetched += 1,
                Some(Err(why)) => {
                    failures.push(format!("source {} (indicator {}): {why}", source.id, source.source.indicator_id))
                }
            }
        }
        if failures.is_empty() {
            Ok(format!("{fetched} Fingertips source(s) fetched"))
        } else {
            Err(AppError::Refresh(format!(
                "{} of {} Fingertips source(s) failed: {}",
                failures.len(),
                failures.len() + fetched,
                failures.join("; ")
            )))
        }
    }

    /// Fetch one source now, outside its schedule, as an admin asked: recorded as a run
    /// like the scheduled ones (its slot `now <time>`). The outer error is the store's or
    /// the account's; the inner one says why the fetch failed, in one line.
    pub fn fetch_fingertips_source_now(
        &self,
        account: &Account,
        id: i64,
        now: Timestamp,
    ) -> Result<Result<Fetched, String>, AppError> {
        require_admin(account)?;
        let source = self
            .store
            .fingertips_sources()?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| AppError::NotFound { what: "Fingertips source", id: id.to_string() })?;
        let slot = format!("now {now}");
        let actor = format!("{} (fetch now, source {id})", account.username);
        match self.run_source(&source, &slot, &crate::jobs::runner(), actor)? {
            Some(done) => Ok(done),
            None => Ok(Err(format!("source {id} is already being fetched ({slot})"))),
        }
    }

    /// One recorded run of a source in `slot`: `None` when another run holds the slot,
    /// else what the fetch gave (the failure as one line), once the run is recorded.
    fn run_source(
        &self,
        source: &FingertipsSource,
        slot: &str,
        runner: &str,
        actor: String,
    ) -> Result<Option<Result<Fetched, String>>, AppError> {
        let query = query_of(&source.source);
        let url = query.url(&self.fingertips.base_url);
        if !self.store.claim_fingertips_run(source.id, slot, &url, runner)? {
            return Ok(None);
        }
        let request = FetchRequest {
            plan_id: source.source.plan_id.clone(),
            query,
            settings: self.fingertips.clone(),
            map: HashMap::new(),
            actor,
        };
        let (end, result) = match self.fetch_fingertips(&request, &Quiet) {
            Ok(f) => {
                let outcome = format!("{} row(s): {}", f.imported.import.rows, f.imported.counts());
                let end = RunEnd {
                    rows: Some(f.imported.import.rows),
                    import_id: Some(f.imported.import.import_id),
                    outcome: &outcome,
                    failed: false,
                };
                (self.store.finish_fingertips_run(source.id, slot, &end), Ok(f))
            }
            Err(e) => {
                let why = describe(&e);
                let end = RunEnd { rows: None, import_id: None, outcome: &why, failed: true };
                (self.store.finish_fingertips_run(source.id, slot, &end), Err(why))
            }
        };
        end?;
        Ok(Some(result))
    }
}

/// An error in one line, with a file's problems (the first few) when it is one.
pub fn describe(e: &AppError) -> String {
    match e {
        AppError::InvalidFile { problems, .. } => {
            let listed: Vec<String> = problems.iter().take(3).map(|p| p.to_string()).collect();
            format!("{e}: {}", listed.join("; "))
        }
        e => e.to_string(),
    }
}

fn query_of(s: &NewFingertipsSource) -> FingertipsQuery {
    FingertipsQuery {
        indicator: s.indicator_id,
        area_type: s.area_type_id,
        parent_area_type: s.parent_area_type_id,
        parent_area_code: s.parent_area_code.clone(),
    }
}

/// The scheduled job `fingertips-refresh`.
pub(crate) fn refresh_job(app: &App, now: Timestamp) -> Result<String, AppError> {
    app.refresh_fingertips(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_is_the_all_data_csv_address() {
        let q = FingertipsQuery {
            indicator: 93085,
            area_type: 502,
            parent_area_type: ENGLAND_AREA_TYPE,
            parent_area_code: None,
        };
        assert_eq!(
            q.url("https://fingertips.phe.org.uk/"),
            "https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids=93085&child_area_type_id=502&parent_area_type_id=15"
        );
        let q = FingertipsQuery { parent_area_code: Some("E12000008".into()), parent_area_type: 6, ..q };
        assert!(q.url("http://127.0.0.1:9").ends_with("&parent_area_type_id=6&parent_area_code=E12000008"));
        let bad = FingertipsQuery { indicator: 0, parent_area_code: Some("E1&x=2".into()), ..q };
        assert_eq!(bad.problems().iter().map(|(f, _)| *f).collect::<Vec<_>>(), ["indicator", "parent_area_code"]);
    }

    #[test]
    fn settings_need_an_http_address_and_a_second() {
        assert_eq!(FingertipsSettings::default().problem(), None);
        let s = FingertipsSettings { base_url: "ftp://x".into(), timeout: Duration::from_secs(5) };
        assert!(s.problem().unwrap().contains("'ftp://x' is not the address"));
        let s = FingertipsSettings { base_url: "http://x".into(), timeout: Duration::from_millis(10) };
        assert!(s.problem().unwrap().contains("at least 1 second"));
    }
}

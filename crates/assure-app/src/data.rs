//! Indicator data into the store: one pipeline for `assure data import`, the upload
//! page and the illustrative dataset. A file is read in whichever layout its header
//! shows (Fingertips "all data" or Assure's), mapped to the plan's indicators and areas,
//! completed from counts, checked whole, and stored in one transaction with the record
//! of the import; any problem and nothing is written.
//!
//! A file is read once and never held: a thread reads it, checks every row (collecting
//! every problem, and a 64-bit print of each key to find repeated rows) and hands the
//! rows in small batches to the store, which writes them as they come (binary `COPY` on
//! PostgreSQL) in one transaction; the transaction commits only if the whole file was
//! read without a problem. Rows whose prints match are looked at again, in a second
//! reading; in the rare case that they were different keys after all, the file is
//! written in a third, whose checksum must agree with the first (a file changed in
//! between writes nothing). Memory does not grow with the file beyond the 8-byte prints:
//! ten million rows are imported in little more memory than ten thousand.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use assure_plan::fingertips::DataReader;
use assure_plan::observation::Observation;
use assure_plan::{Diagnostic, Diagnostics, Plan};
use assure_store::{Checksum, DataFile, ImportMode, ObservationImport, StoreError};
use assure_tracking::{KeyPrints, PrepareOptions, Preparer, Repeats, TrackingError};

use crate::{App, AppError};

/// Where the rows come from.
#[derive(Debug, Clone)]
pub enum DataSource {
    /// A CSV file's bytes; `name` is how messages name it (a path, or an uploaded file's
    /// name), and its last component is recorded with the import.
    File {
        /// The file as messages name it.
        name: String,
        /// Its bytes.
        bytes: Vec<u8>,
    },
    /// A CSV file on disk, read as it is written and never held whole.
    Path {
        /// The file as messages name it.
        name: String,
        /// Where it is.
        path: PathBuf,
    },
    /// An answer fetched from an address (Fingertips' API) into a file on disk: its
    /// problems are named, and the import recorded, by the address.
    Fetched {
        /// The address it came from.
        url: String,
        /// The file it was saved to.
        path: PathBuf,
    },
    /// The deterministic illustrative dataset for every indicator and area (marked as
    /// such wherever it is shown).
    Illustrative,
}

/// An import to make.
#[derive(Debug, Clone)]
pub struct DataImportRequest {
    /// The plan whose indicators these are.
    pub plan_id: String,
    /// The rows.
    pub source: DataSource,
    /// Fingertips indicator ids mapped to plan indicators, beyond those the plan maps.
    pub map: HashMap<u32, String>,
    /// Leave out rows for areas that are neither the plan's nor England (counted).
    pub skip_unknown_areas: bool,
    /// Leave out rows of Fingertips indicators not mapped to the plan (counted).
    pub skip_unmapped: bool,
    /// Insert only (refuse rows already stored), or merge.
    pub mode: ImportMode,
    /// Who is importing, for the record and the audit log.
    pub actor: String,
}

impl DataImportRequest {
    /// How its rows are mapped to the plan.
    fn options(&self) -> PrepareOptions {
        PrepareOptions {
            map: self.map.clone(),
            skip_unknown_areas: self.skip_unknown_areas,
            skip_unmapped: self.skip_unmapped,
            illustrative: matches!(self.source, DataSource::Illustrative),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct DataImported {
    /// The file as recorded.
    pub file: String,
    /// The plan.
    pub plan_id: String,
    /// What the store did: rows new, replaced, unchanged, and the import's number.
    pub import: ObservationImport,
    /// Rows left out on request.
    pub skipped: u64,
    /// Rows whose value or interval was computed from their counts.
    pub computed: u64,
}

impl DataImported {
    /// What happened to the rows, in words both faces show: "2 new, 0 replaced, 1
    /// unchanged, 0 skipped; 2 computed from counts (import #7)".
    pub fn counts(&self) -> String {
        format!(
            "{} new, {} replaced, {} unchanged, {} skipped; {} computed from counts (import #{})",
            self.import.inserted,
            self.import.replaced,
            self.import.unchanged,
            self.skipped,
            self.computed,
            self.import.import_id
        )
    }
}

/// What a life expectancy import did.
#[derive(Debug, Clone)]
pub struct LifeExpectancyImported {
    /// The rows stored (one per life table), `computed` counting those with a value.
    pub data: DataImported,
    /// Life tables read.
    pub tables: u64,
    /// Tables the method's rules suppressed (stored without a value, the note saying why).
    pub suppressed: u64,
}

/// Read one Fingertips mapping, `ID=INDICATOR` (e.g. `93085=smoking-at-time-of-delivery`).
pub fn parse_mapping(text: &str) -> Result<(u32, String), String> {
    text.split_once('=')
        .and_then(|(id, i)| Some((id.trim().parse::<u32>().ok()?, i.trim().to_owned())))
        .filter(|(_, i)| !i.is_empty())
        .ok_or_else(|| format!("'{}': write ID=INDICATOR, e.g. 93085=smoking-at-time-of-delivery", text.trim()))
}

/// Told how a long task is going, by a face that shows it (a progress bar on a
/// terminal); the use-case calls it, from more than one thread.
pub trait Progress: Sync {
    /// A new stage (`importing`, `repeats`, `writing` …) of `total` units (bytes of a file), if known.
    fn start(&self, stage: &str, total: Option<u64>);
    /// `done` more units of the stage.
    fn advance(&self, done: u64);
    /// The task is over.
    fn finish(&self);
}

/// No progress shown.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// Rows handed from the reading thread to the writing one at a time.
const BATCH: usize = 4096;

/// A file's bytes as read: checksummed and counted as progress on the way.
struct Tap<'a, R> {
    inner: R,
    checksum: Checksum,
    progress: &'a dyn Progress,
}

impl<'a, R: Read> Tap<'a, R> {
    fn new(inner: R, progress: &'a dyn Progress) -> Tap<'a, R> {
        Tap { inner, checksum: Checksum::default(), progress }
    }
}

impl<R: Read> Read for Tap<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.checksum.update(&buf[..n]);
        self.progress.advance(n as u64);
        Ok(n)
    }
}

/// Opens the file again for each pass.
type Opener<'a> = dyn Fn() -> std::io::Result<Box<dyn Read + Send + 'a>> + Sync + 'a;

/// A file about to be imported: how it is named and opened.
struct Source<'a> {
    /// As messages name it.
    shown: &'a str,
    /// As recorded (its last component).
    recorded: String,
    size: Option<u64>,
    open: &'a Opener<'a>,
}

impl Source<'_> {
    fn invalid(&self, problems: Diagnostics) -> AppError {
        AppError::InvalidFile { file: self.shown.to_owned(), problems }
    }

    fn reader<'p>(
        &self,
        progress: &'p dyn Progress,
    ) -> Result<DataReader<Tap<'p, Box<dyn Read + Send + '_>>>, Diagnostics>
    where
        Self: 'p,
    {
        let input = (self.open)()
            .map_err(|e| Diagnostics::from(Diagnostic::new(self.shown, format!("cannot be read: {e}"))))?;
        DataReader::open(Tap::new(input, progress), self.shown)
    }
}

/// Run `f` on a file source (not the illustrative dataset), opened as often as it asks.
fn with_source<T>(source: &DataSource, f: impl FnOnce(&Source<'_>) -> Result<T, AppError>) -> Result<T, AppError> {
    let recorded =
        |name: &str| Path::new(name).file_name().map_or(name.to_owned(), |f| f.to_string_lossy().into_owned());
    let size = |path: &Path| std::fs::metadata(path).ok().map(|m| m.len());
    let on_disk = |path: &PathBuf| {
        let path = path.clone();
        move || std::fs::File::open(&path).map(|f| Box::new(f) as Box<dyn Read + Send>)
    };
    match source {
        DataSource::File { name, bytes } => {
            let open = || Ok(Box::new(bytes.as_slice()) as Box<dyn Read + Send>);
            f(&Source { shown: name, recorded: recorded(name), size: Some(bytes.len() as u64), open: &open })
        }
        DataSource::Path { name, path } => {
            f(&Source { shown: name, recorded: recorded(name), size: size(path), open: &on_disk(path) })
        }
        DataSource::Fetched { url, path } => {
            f(&Source { shown: url, recorded: url.clone(), size: size(path), open: &on_disk(path) })
        }
        DataSource::Illustrative => {
            Err(AppError::Rejected(vec![("source", "this needs a file: the illustrative dataset is not one".into())]))
        }
    }
}

fn tracking_error(shown: &str) -> impl Fn(TrackingError) -> AppError + '_ {
    move |e| match e {
        TrackingError::Invalid(problems) => AppError::InvalidFile { file: shown.to_owned(), problems },
        TrackingError::UnknownMapTargets(targets) => AppError::UnknownMapTargets(targets),
    }
}

impl App {
    /// Read, map, check and store indicator data in one transaction (see the module).
    pub fn import_data(&self, request: &DataImportRequest) -> Result<DataImported, AppError> {
        self.import_data_with(request, &Quiet)
    }

    /// [`App::import_data`], telling `progress` how it goes.
    pub fn import_data_with(
        &self,
        request: &DataImportRequest,
        progress: &dyn Progress,
    ) -> Result<DataImported, AppError> {
        let plan = self.store.plan(&request.plan_id)?;
        let options = request.options();
        let result = match &request.source {
            DataSource::Illustrative => self.import_illustrative(request, &plan, &options),
            file => with_source(file, |source| self.import_file(request, &plan, &options, source, progress)),
        };
        progress.finish();
        result
    }

    /// Life expectancy computed from a file of deaths and populations by age band (see
    /// [`assure_tracking::life_tables`]) at the start of band `at` (0: at birth), then
    /// mapped, checked and stored as [`App::import_data`] stores rows, in one transaction,
    /// under the file's name and checksum. The file is read once; what is held is one
    /// table of 20 bands per indicator, area, period and breakdown, not its rows.
    pub fn import_life_expectancy(
        &self,
        request: &DataImportRequest,
        at: usize,
        progress: &dyn Progress,
    ) -> Result<LifeExpectancyImported, AppError> {
        let plan = self.store.plan(&request.plan_id)?;
        let options = request.options();
        with_source(&request.source, |source| self.life_tables(request, &plan, &options, at, source, progress))
    }

    fn life_tables(
        &self,
        request: &DataImportRequest,
        plan: &Plan,
        options: &PrepareOptions,
        at: usize,
        source: &Source<'_>,
        progress: &dyn Progress,
    ) -> Result<LifeExpectancyImported, AppError> {
        progress.start("reading", source.size);
        let mut reader = source.reader(progress).map_err(|p| source.invalid(p))?;
        let tables =
            assure_tracking::life_tables::life_tables(std::iter::from_fn(|| reader.next_row()), source.shown, at);
        let layout = reader.layout();
        let checksum = reader.finish().map_err(|p| source.invalid(p))?.checksum.hex();
        progress.finish();
        let tables = tables.map_err(|p| source.invalid(p))?;
        let count = tables.rows.len() as u64;
        let prepared = assure_tracking::prepare(plan, tables.rows, &source.recorded, options)
            .map_err(tracking_error(source.shown))?;
        let file = DataFile {
            name: source.recorded.clone(),
            checksum,
            format: format!("life table ({layout})"),
            skipped: prepared.skipped,
        };
        let import = self
            .store
            .import_observations(&request.plan_id, &prepared.rows, &file, request.mode, &request.actor)
            .map_err(|e| match e {
                StoreError::Observations(problems) => source.invalid(problems),
                e => e.into(),
            })?;
        Ok(LifeExpectancyImported {
            data: DataImported {
                file: file.name,
                plan_id: request.plan_id.clone(),
                import,
                skipped: prepared.skipped,
                computed: count - tables.suppressed,
            },
            tables: count,
            suppressed: tables.suppressed,
        })
    }

    fn import_illustrative(
        &self,
        request: &DataImportRequest,
        plan: &Plan,
        options: &PrepareOptions,
    ) -> Result<DataImported, AppError> {
        let rows = assure_tracking::demo::generate(plan);
        let mut file = DataFile {
            name: "assure demo-data".to_owned(),
            checksum: DataFile::checksum_of(format!("{rows:?}").as_bytes()),
            format: "demo".to_owned(),
            skipped: 0,
        };
        let shown = file.name.clone();
        let prepared = assure_tracking::prepare(plan, rows, &file.name, options).map_err(tracking_error(&shown))?;
        file.skipped = prepared.skipped;
        let import = self
            .store
            .import_observations(&request.plan_id, &prepared.rows, &file, request.mode, &request.actor)
            .map_err(|e| match e {
                StoreError::Observations(problems) => AppError::InvalidFile { file: shown.clone(), problems },
                e => e.into(),
            })?;
        Ok(DataImported {
            file: file.name,
            plan_id: request.plan_id.clone(),
            import,
            skipped: prepared.skipped,
            computed: prepared.computed,
        })
    }

    /// A file checked and written in one pass (see the module).
    fn import_file(
        &self,
        request: &DataImportRequest,
        plan: &Plan,
        options: &PrepareOptions,
        source: &Source<'_>,
        progress: &dyn Progress,
    ) -> Result<DataImported, AppError> {
        // What is wrong before any row (the mapping, the header) is said before the
        // database is asked for its write lock, whose failure would be reported instead.
        Preparer::new(plan, &source.recorded, options).map_err(tracking_error(source.shown))?;
        drop(source.reader(&Quiet).map_err(|p| source.invalid(p))?);
        progress.start("importing", source.size);
        let (mut read, stored) = self.read_and_write(request, plan, options, source, progress, None)?;
        let mut problems = std::mem::take(&mut read.problems);
        if !read.suspects.is_empty() {
            // Only the rows whose key's print was seen twice are looked at again.
            progress.start("repeats", source.size);
            let mut reader = source.reader(progress).map_err(|p| source.invalid(p))?;
            let mut preparer = Preparer::new(plan, &source.recorded, options).map_err(tracking_error(source.shown))?;
            let mut repeats = Repeats::new(std::mem::take(&mut read.suspects), &source.recorded);
            let (mut ignored, mut found) = (Diagnostics::new(), Diagnostics::new());
            while let Some(o) = reader.next_row() {
                if let Some(o) = preparer.row(o, &mut ignored) {
                    repeats.check(&o, &mut found);
                }
            }
            problems = problems.merge_by_line(found);
            if problems.is_empty() {
                // Different keys with one print (about once in 10^12 pairs): written
                // again, the file as checked.
                progress.start("writing", source.size);
                let expected = Some(read.file.checksum.as_str());
                let (again, stored) = self.read_and_write(request, plan, options, source, progress, expected)?;
                return finished(request, source, again, stored);
            }
        }
        if !problems.is_empty() {
            return Err(source.invalid(problems));
        }
        finished(request, source, read, stored)
    }

    /// The file read on a thread of its own, each row checked and, while none is wrong,
    /// handed to the store, which writes it as it comes in one transaction; committed
    /// only if the whole file was read without a problem or a repeated key's print.
    /// With `checked` (the checksum of an earlier pass that found no problem), the prints
    /// are not taken again and a problem or another checksum means the file changed.
    fn read_and_write(
        &self,
        request: &DataImportRequest,
        plan: &Plan,
        options: &PrepareOptions,
        source: &Source<'_>,
        progress: &dyn Progress,
        checked: Option<&str>,
    ) -> Result<(ReadPass, Result<ObservationImport, StoreError>), AppError> {
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let (send, receive) = std::sync::mpsc::sync_channel::<Sent>(4);
            let reading = scope.spawn(|| read_pass(source, plan, options, progress, send, &stop, checked));
            let file = RefCell::new(None);
            let rows = receive.into_iter().flat_map(|sent| match sent {
                Sent::Rows(rows) => rows.into_iter().map(Ok).collect(),
                Sent::Read(read) => {
                    *file.borrow_mut() = Some(read);
                    Vec::new()
                }
                Sent::Wrong => vec![Err(Diagnostics::from(Diagnostic::new(source.shown, "has problems")))],
            });
            let unread = || Diagnostics::from(Diagnostic::new(source.shown, "was not read to its end"));
            let read = || file.borrow_mut().take().ok_or_else(unread);
            let stored = self.store.import_observation_rows(
                &request.plan_id,
                &source.recorded,
                request.mode,
                &request.actor,
                rows,
                read,
            );
            if matches!(&stored, Err(e) if !matches!(e, StoreError::Observations(_))) {
                // Nothing more to learn from the file when the database failed.
                stop.store(true, Ordering::Relaxed);
            }
            let read = reading.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            match stored {
                Err(e) if !matches!(e, StoreError::Observations(_)) => Err(e.into()),
                stored => Ok((read?, stored)),
            }
        })
    }
}

/// What the import did, or why it did not: the store's answer once the file was read
/// without a problem.
fn finished(
    request: &DataImportRequest,
    source: &Source<'_>,
    read: ReadPass,
    stored: Result<ObservationImport, StoreError>,
) -> Result<DataImported, AppError> {
    let import = stored.map_err(|e| match e {
        StoreError::Observations(problems) => source.invalid(problems),
        e => e.into(),
    })?;
    Ok(DataImported {
        file: read.file.name,
        plan_id: request.plan_id.clone(),
        import,
        skipped: read.file.skipped,
        computed: read.computed,
    })
}

/// What the reading thread hands to the writing one.
enum Sent {
    /// Rows checked, to be written.
    Rows(Vec<Observation>),
    /// The file was read to its end without a problem: what it was.
    Read(DataFile),
    /// A row was wrong (or a key's print was seen twice): write nothing.
    Wrong,
}

/// What a reading pass found, besides the rows it handed on.
struct ReadPass {
    /// Every problem of the file and its rows.
    problems: Diagnostics,
    /// The prints of keys seen more than once (see [`KeyPrints`]).
    suspects: HashSet<u64>,
    /// The file as read (checksum, layout, rows skipped).
    file: DataFile,
    /// Rows whose value or interval was computed from their counts.
    computed: u64,
}

/// A reading pass (see [`App::read_and_write`]): reads to the end whatever it finds, to
/// report every problem, unless told to `stop`.
fn read_pass(
    source: &Source<'_>,
    plan: &Plan,
    options: &PrepareOptions,
    progress: &dyn Progress,
    send: std::sync::mpsc::SyncSender<Sent>,
    stop: &AtomicBool,
    checked: Option<&str>,
) -> Result<ReadPass, AppError> {
    let changed = || {
        source.invalid(Diagnostics::from(Diagnostic::new(
            source.shown,
            "the file changed while it was being imported (it was checked, then read again to be written); \
             import it again",
        )))
    };
    // Whatever ends this pass early, the writer is told to write nothing.
    let wrong = |_: &AppError| {
        let _ = send.send(Sent::Wrong);
    };
    let mut reader = source.reader(progress).map_err(|p| source.invalid(p)).inspect_err(wrong)?;
    let mut preparer =
        Preparer::new(plan, &source.recorded, options).map_err(tracking_error(source.shown)).inspect_err(wrong)?;
    let mut problems = Diagnostics::new();
    let mut prints = KeyPrints::default();
    // Rows are handed on while nothing is wrong and the writer takes them.
    let mut writing = true;
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(o) = reader.next_row() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        // As when the file was read whole: a file that does not read is reported as
        // such, without what its rows would have meant for the plan.
        if !reader.problems().is_empty() {
            if writing {
                writing = false;
                let _ = send.send(Sent::Wrong);
            }
            continue;
        }
        let Some(o) = preparer.row(o, &mut problems) else {
            if writing && !problems.is_empty() {
                writing = false;
                let _ = send.send(Sent::Wrong);
            }
            continue;
        };
        if checked.is_none() {
            prints.push(&o.key);
        }
        if writing {
            batch.push(o);
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                writing = send.send(Sent::Rows(full)).is_ok();
            }
        }
    }
    let format = reader.layout().to_owned();
    let checksum = match reader.finish() {
        Ok(input) => input.checksum.hex(),
        Err(p) => {
            let _ = send.send(Sent::Wrong);
            return Err(if checked.is_some() { changed() } else { source.invalid(p) });
        }
    };
    let suspects = prints.repeated();
    let file = DataFile { name: source.recorded.clone(), checksum, format, skipped: preparer.skipped };
    if checked.is_some_and(|c| c != file.checksum || !problems.is_empty()) {
        let _ = send.send(Sent::Wrong);
        return Err(changed());
    }
    if writing && problems.is_empty() && suspects.is_empty() && !stop.load(Ordering::Relaxed) {
        if !batch.is_empty() {
            let _ = send.send(Sent::Rows(batch));
        }
        let _ = send.send(Sent::Read(file.clone()));
    } else {
        let _ = send.send(Sent::Wrong);
    }
    Ok(ReadPass { problems, suspects, file, computed: preparer.computed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use assure_store::testing::databases;

    const PLAN: &str = "kent-and-medway-2024-26";

    /// The pass that writes a file whose keys' prints matched for different keys (about
    /// once in 10^12 pairs, so not reachable with a real file in a test) writes the file
    /// as it was checked, and nothing if its checksum is another now.
    #[test]
    fn a_file_written_again_after_its_check_is_written_only_if_it_is_the_file_checked() {
        let bytes = b"Indicator ID,Indicator Name,Area Code,Sex,Age,Category Type,Category,Time period,Value,\
                      Lower CI 95.0 limit,Upper CI 95.0 limit,Count,Denominator,Value note\n\
                      93764,Alcohol,E10000016,Persons,All ages,,,2020,450,440.5,459.8,,,\n\
                      93764,Alcohol,E06000035,Persons,All ages,,,2020,470,460.5,479.8,,,\n"
            .to_vec();
        let checksum = DataFile::checksum_of(&bytes);
        for db in databases() {
            let store = db.open();
            store.import_plan(&assure_store::ImportPlanRequest::new(&assure_plan::bundled().unwrap(), "t")).unwrap();
            let app = App::new(store);
            let request = DataImportRequest {
                plan_id: PLAN.to_owned(),
                source: DataSource::File { name: "again.csv".to_owned(), bytes: bytes.clone() },
                map: HashMap::new(),
                skip_unknown_areas: false,
                skip_unmapped: false,
                mode: ImportMode::Merge,
                actor: "analyst".to_owned(),
            };
            let plan = app.store.plan(PLAN).unwrap();
            let options = request.options();
            let done = with_source(&request.source, |source| {
                let changed = app.read_and_write(&request, &plan, &options, source, &Quiet, Some("0123abcd"));
                assert!(
                    matches!(&changed, Err(AppError::InvalidFile { problems, .. })
                        if problems.to_string().contains("the file changed while it was being imported")),
                    "{}: {:?}",
                    db.name,
                    changed.map(|(_, stored)| stored)
                );
                assert!(app.store.observations(PLAN, None).unwrap().is_empty(), "{}: nothing written", db.name);
                let (read, stored) = app.read_and_write(&request, &plan, &options, source, &Quiet, Some(&checksum))?;
                finished(&request, source, read, stored)
            })
            .unwrap();
            assert_eq!((done.import.rows, done.import.inserted), (2, 2), "{}", db.name);
            assert_eq!(app.store.observations(PLAN, None).unwrap().len(), 2, "{}", db.name);
            let record = &app.store.data_imports(PLAN).unwrap()[0];
            assert_eq!((record.file.checksum.as_str(), record.file.format.as_str()), (checksum.as_str(), "fingertips"));
        }
    }
}

//! `assure stats`: public-health statistics over CSV, streaming and on every core.
//!
//! The input is cut into blocks at record boundaries (quote-aware), blocks are parsed,
//! computed and formatted in parallel, and the results are written in input order, so
//! memory does not grow with the number of rows. Every invalid cell is reported as
//! `file:line: column 'x': problem`; when there is any, nothing is written (a file
//! output goes to a temporary file that is renamed into place only on success).

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use assure_stats::{AGE_BANDS, ConfidenceLevel, ESP2013, Interval, StatsError};
use rayon::prelude::*;

/// Size of one block of input handed to a worker.
const BLOCK_BYTES: usize = 1 << 20;
/// Errors listed before the rest are only counted.
const MAX_LISTED_ERRORS: usize = 50;

/// Which statistic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Wilson score interval for a proportion.
    Proportion,
    /// Crude rate with exact / Byar's limits.
    Rate,
    /// Directly standardised rate (Dobson, ESP 2013).
    Dsr,
}

/// Options common to all methods.
pub struct Options {
    /// Input path, `-` for stdin.
    pub input: PathBuf,
    /// Output path, `-` for stdout.
    pub output: PathBuf,
    /// Output multiplier.
    pub multiplier: f64,
    /// Confidence levels.
    pub levels: Vec<ConfidenceLevel>,
    /// DSR: allow bands with no population and no events.
    pub allow_empty_bands: bool,
}

/// Parse `0.95,0.998` into levels.
pub fn parse_levels(s: &str) -> anyhow::Result<Vec<ConfidenceLevel>> {
    let mut levels = Vec::new();
    for part in s.split(',') {
        let c: f64 = part.trim().parse().with_context(|| format!("confidence '{part}' is not a number"))?;
        levels.push(ConfidenceLevel::new(c)?);
    }
    if levels.is_empty() {
        bail!("no confidence level given");
    }
    Ok(levels)
}

/// One problem in the input.
struct RowError {
    line: u64,
    column: String,
    message: String,
}

/// The problems found, the first few kept for the message.
#[derive(Default)]
struct ErrorLog {
    listed: Vec<RowError>,
    count: usize,
}

impl ErrorLog {
    fn push(&mut self, e: RowError) {
        self.count += 1;
        if self.listed.len() < MAX_LISTED_ERRORS {
            self.listed.push(e);
        }
    }
}

/// A block of whole records and the line its first record starts on.
struct Block {
    data: Vec<u8>,
    first_line: u64,
}

/// Reads blocks of whole CSV records (never splitting inside a quoted field).
struct Blocks<R> {
    reader: R,
    carry: Vec<u8>,
    next_line: u64,
    done: bool,
}

impl<R: Read> Blocks<R> {
    fn next_block(&mut self) -> io::Result<Option<Block>> {
        if self.done && self.carry.is_empty() {
            return Ok(None);
        }
        let mut data = std::mem::take(&mut self.carry);
        let mut target = BLOCK_BYTES;
        let cut = loop {
            while !self.done && data.len() < target {
                let start = data.len();
                data.resize(start + BLOCK_BYTES, 0);
                let n = self.reader.read(&mut data[start..])?;
                data.truncate(start + n);
                if n == 0 {
                    self.done = true;
                }
            }
            if self.done {
                break data.len();
            }
            if let Some(cut) = last_record_end(&data) {
                break cut;
            }
            // One record longer than a block: read on until it ends.
            target = data.len() + BLOCK_BYTES;
        };
        self.carry = data.split_off(cut);
        let first_line = self.next_line;
        self.next_line += memchr::memchr_iter(b'\n', &data).count() as u64;
        Ok((!data.is_empty()).then_some(Block { data, first_line }))
    }
}

/// Where the last whole record in `data` ends: after its last newline outside quotes.
/// Without quotes (the usual case) that is simply the last newline.
fn last_record_end(data: &[u8]) -> Option<usize> {
    if memchr::memchr(b'"', data).is_none() {
        return memchr::memrchr(b'\n', data).map(|i| i + 1);
    }
    let mut cut = None;
    let mut quoted = false;
    for i in memchr::memchr2_iter(b'"', b'\n', data) {
        if data[i] == b'"' {
            quoted = !quoted;
        } else if !quoted {
            cut = Some(i + 1);
        }
    }
    cut
}

/// Column positions found in the header.
struct Columns {
    id: usize,
    numerator: usize,
    denominator: usize,
    age_band: Option<usize>,
}

fn read_header<R: BufRead>(reader: &mut R, method: Method) -> anyhow::Result<Columns> {
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line)?;
    if line.is_empty() {
        bail!("line 1: the input is empty (expected a header row)");
    }
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).trim(csv::Trim::All).from_reader(&line[..]);
    let mut header = csv::StringRecord::new();
    rdr.read_record(&mut header).context("line 1: header is not valid CSV")?;
    let find = |name: &str| header.iter().position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name));
    let mut required = vec!["id", "numerator", "denominator"];
    if method == Method::Dsr {
        required.push("age_band");
    }
    let missing: Vec<&str> = required.iter().copied().filter(|c| find(c).is_none()).collect();
    if !missing.is_empty() {
        bail!("line 1: missing column(s) {} (expected {})", missing.join(", "), required.join(","));
    }
    Ok(Columns {
        id: find("id").unwrap_or_default(),
        numerator: find("numerator").unwrap_or_default(),
        denominator: find("denominator").unwrap_or_default(),
        age_band: find("age_band"),
    })
}

fn field(rec: &csv::ByteRecord, i: usize) -> &[u8] {
    rec.get(i).unwrap_or_default().trim_ascii()
}

fn number(rec: &csv::ByteRecord, i: usize, name: &str, line: u64, errors: &mut Vec<RowError>) -> Option<f64> {
    let raw = field(rec, i);
    let err = |message: String| RowError { line, column: name.to_owned(), message };
    if raw.is_empty() {
        errors.push(err("is missing".into()));
        return None;
    }
    match parse_number(raw) {
        Some(v) if v.is_finite() => Some(v),
        _ => {
            errors.push(err(format!("'{}' is not a number", String::from_utf8_lossy(raw))));
            None
        }
    }
}

/// A number from a CSV cell. Counts are almost always plain integers: up to 15 digits
/// they are exact in an f64, so they skip the general parser.
fn parse_number(raw: &[u8]) -> Option<f64> {
    if !raw.is_empty() && raw.len() <= 15 && raw.iter().all(u8::is_ascii_digit) {
        return Some(raw.iter().fold(0u64, |v, &d| v * 10 + u64::from(d - b'0')) as f64);
    }
    std::str::from_utf8(raw).ok()?.parse().ok()
}

/// The index of an ESP 2013 age band label.
fn age_band(raw: &[u8]) -> Option<usize> {
    Some(match raw {
        b"0-4" => 0,
        b"5-9" => 1,
        b"10-14" => 2,
        b"15-19" => 3,
        b"20-24" => 4,
        b"25-29" => 5,
        b"30-34" => 6,
        b"35-39" => 7,
        b"40-44" => 8,
        b"45-49" => 9,
        b"50-54" => 10,
        b"55-59" => 11,
        b"60-64" => 12,
        b"65-69" => 13,
        b"70-74" => 14,
        b"75-79" => 15,
        b"80-84" => 16,
        b"85-89" => 17,
        b"90+" => 18,
        _ => return None,
    })
}

fn stats_error(e: StatsError, line: u64) -> RowError {
    let column = match &e {
        StatsError::NotFinite { field }
        | StatsError::Negative { field, .. }
        | StatsError::NotPositive { field, .. } => (*field).to_owned(),
        StatsError::NumeratorAboveDenominator { .. } => "numerator".to_owned(),
        StatsError::EmptyBand { .. } | StatsError::ZeroPopulation { .. } => "denominator".to_owned(),
        _ => String::new(),
    };
    RowError { line, column, message: e.to_string() }
}

fn write_id(out: &mut Vec<u8>, id: &[u8]) {
    if id.iter().any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for &b in id {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(id);
    }
}

fn write_values(out: &mut Vec<u8>, value: f64, intervals: &[Interval], fmt: &mut ryu::Buffer) {
    out.push(b',');
    out.extend_from_slice(fmt.format(value).as_bytes());
    for i in intervals {
        out.push(b',');
        out.extend_from_slice(fmt.format(i.lower).as_bytes());
        out.push(b',');
        out.extend_from_slice(fmt.format(i.upper).as_bytes());
    }
}

fn csv_reader(data: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(data)
}

/// Call `f` with each non-blank record of a block and its line number. A CSV syntax
/// error is reported and ends the block.
fn each_record(
    block: &Block,
    errors: &mut Vec<RowError>,
    mut f: impl FnMut(&csv::ByteRecord, u64, &mut Vec<RowError>),
) {
    let mut rdr = csv_reader(&block.data);
    let mut rec = csv::ByteRecord::new();
    loop {
        let line_in_block = rdr.position().line();
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = block.first_line + line_in_block - 1;
                errors.push(RowError { line, column: String::new(), message: format!("not valid CSV: {e}") });
                break;
            }
        }
        let line = block.first_line + rec.position().map_or(line_in_block, |p| p.line()) - 1;
        if rec.len() == 1 && rec[0].trim_ascii().is_empty() {
            continue; // blank line
        }
        f(&rec, line, errors);
    }
}

/// Proportion or rate over one block: output bytes and row count, or the block's errors.
fn row_block(block: &Block, cols: &Columns, method: Method, o: &Options) -> (Vec<u8>, u64, Vec<RowError>) {
    let mut out = Vec::with_capacity(block.data.len() * 6); // output rows are ~5x input rows
    let mut errors = Vec::new();
    let mut intervals = Vec::with_capacity(o.levels.len());
    let mut fmt = ryu::Buffer::new();
    let mut rows = 0;
    each_record(block, &mut errors, |rec, line, errors| {
        let (Some(x), Some(n)) = (
            number(rec, cols.numerator, "numerator", line, errors),
            number(rec, cols.denominator, "denominator", line, errors),
        ) else {
            return;
        };
        let result = match method {
            Method::Proportion => assure_stats::proportion_into(x, n, o.multiplier, &o.levels, &mut intervals),
            _ => assure_stats::crude_rate_into(x, n, o.multiplier, &o.levels, &mut intervals),
        };
        match result {
            Ok(value) if errors.is_empty() => {
                write_id(&mut out, field(rec, cols.id));
                write_values(&mut out, value, &intervals, &mut fmt);
                out.push(b'\n');
                rows += 1;
            }
            Ok(_) => {}
            Err(e) => errors.push(stats_error(e, line)),
        }
    });
    (out, rows, errors)
}

/// One id's bands, gathered from contiguous rows.
struct Group {
    id: Vec<u8>,
    line: u64,
    observed: [f64; 19],
    population: [f64; 19],
    seen: [bool; 19],
}

impl Group {
    fn new(id: Vec<u8>, line: u64) -> Group {
        Group { id, line, observed: [0.0; 19], population: [0.0; 19], seen: [false; 19] }
    }

    /// Add one band, refusing a band already there.
    fn add(&mut self, band: usize, observed: f64, population: f64, line: u64) -> Result<(), RowError> {
        if self.seen[band] {
            return Err(RowError {
                line,
                column: "age_band".into(),
                message: format!("id '{}' has age band {} twice", String::from_utf8_lossy(&self.id), AGE_BANDS[band]),
            });
        }
        self.seen[band] = true;
        self.observed[band] = observed;
        self.population[band] = population;
        Ok(())
    }
}

/// A DSR block, grouped and computed by a worker. Groups wholly inside the block are
/// done; the first and last may continue in the neighbouring blocks, so they go back
/// to be stitched in order.
struct DsrBlock {
    head: Option<Group>,
    body: Vec<u8>,
    body_rows: u64,
    /// Ids (with first lines and hashes) of the groups inside the block, for the not-together check.
    body_ids: Vec<(Vec<u8>, u64, u64)>,
    tail: Option<Group>,
    errors: Vec<RowError>,
}

/// A hasher that passes on a hash computed elsewhere (by the workers).
#[derive(Default)]
struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The hash of an id, computed by the workers (SipHash with fixed keys).
fn id_hash(id: &[u8]) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::hash::DefaultHasher>::default().hash_one(id)
}

/// Ids whose rows have ended, kept compactly: their bytes in one arena, indexed by hash.
/// Lookups compare the bytes, so two ids with the same hash are still told apart.
#[derive(Default)]
struct FinishedIds {
    by_hash: std::collections::HashMap<u64, usize, std::hash::BuildHasherDefault<PassThrough>>,
    arena: Vec<u8>,
    spans: Vec<(usize, usize)>,
    /// Ids whose hash was already taken by another id (in practice never).
    collided: std::collections::HashSet<Vec<u8>>,
}

impl FinishedIds {
    /// Add an id; false if it was already there.
    fn insert(&mut self, id: &[u8], hash: u64) -> bool {
        match self.by_hash.get(&hash) {
            Some(&i) => {
                let (start, end) = self.spans[i];
                if &self.arena[start..end] == id { false } else { self.collided.insert(id.to_vec()) }
            }
            None => {
                let start = self.arena.len();
                self.arena.extend_from_slice(id);
                self.spans.push((start, self.arena.len()));
                self.by_hash.insert(hash, self.spans.len() - 1);
                true
            }
        }
    }
}

/// Record that a group's rows have ended; report it if its id was seen before.
fn not_seen_before(id: &[u8], hash: u64, line: u64, finished: &mut FinishedIds, log: &mut ErrorLog) {
    if !finished.insert(id, hash) {
        log.push(RowError {
            line,
            column: "id".into(),
            message: format!("rows for id '{}' are not together: sort the input by id", String::from_utf8_lossy(id)),
        });
    }
}

/// The stitching state of a DSR run: the group still open across block edges and the ids already finished.
struct Stitch {
    open: Option<Group>,
    finished: FinishedIds,
    fmt: ryu::Buffer,
}

impl Stitch {
    /// Compute and queue the open group (no later row can continue it). Returns rows written.
    fn close(&mut self, log: &mut ErrorLog, o: &Options, chunks: &mut Vec<Vec<u8>>) -> u64 {
        let Some(g) = self.open.take() else { return 0 };
        not_seen_before(&g.id, id_hash(&g.id), g.line, &mut self.finished, log);
        let mut bytes = Vec::with_capacity(128);
        match dsr_group(&g, o, &mut bytes, &mut self.fmt) {
            Ok(()) if log.count == 0 => {
                chunks.push(bytes);
                1
            }
            Ok(()) => 0,
            Err(e) => {
                log.push(e);
                0
            }
        }
    }

    /// Take a worker's block, in input order. Returns rows written.
    fn take(&mut self, r: DsrBlock, log: &mut ErrorLog, o: &Options, chunks: &mut Vec<Vec<u8>>) -> u64 {
        let mut rows = 0;
        for e in r.errors {
            log.push(e);
        }
        // The block's first group may continue the group left open by the block before.
        if let Some(h) = r.head {
            match self.open.as_mut() {
                Some(g) if g.id == h.id => {
                    for b in (0..19).filter(|&b| h.seen[b]) {
                        if let Err(e) = g.add(b, h.observed[b], h.population[b], h.line) {
                            log.push(e);
                        }
                    }
                }
                _ => {
                    rows += self.close(log, o, chunks);
                    self.open = Some(h);
                }
            }
        }
        // Anything after the first group means the open group is complete.
        if !r.body_ids.is_empty() || r.tail.is_some() {
            rows += self.close(log, o, chunks);
            for (id, line, hash) in &r.body_ids {
                not_seen_before(id, *hash, *line, &mut self.finished, log);
            }
            if log.count == 0 {
                rows += r.body_rows;
                chunks.push(r.body);
            }
            self.open = r.tail;
        }
        rows
    }
}

fn dsr_block(block: &Block, cols: &Columns, o: &Options) -> DsrBlock {
    let mut errors = Vec::new();
    let mut groups: Vec<Group> = Vec::with_capacity(block.data.len() / 400);
    let band_col = cols.age_band.unwrap_or_default();
    each_record(block, &mut errors, |rec, line, errors| {
        let raw_band = field(rec, band_col);
        let band = age_band(raw_band);
        if band.is_none() {
            errors.push(RowError {
                line,
                column: "age_band".into(),
                message: format!(
                    "'{}' is not an ESP 2013 age band ({})",
                    String::from_utf8_lossy(raw_band),
                    AGE_BANDS.join(", ")
                ),
            });
        }
        let observed = number(rec, cols.numerator, "numerator", line, errors);
        let population = number(rec, cols.denominator, "denominator", line, errors);
        let (Some(band), Some(observed), Some(population)) = (band, observed, population) else { return };
        let id = field(rec, cols.id);
        if groups.last().is_none_or(|g| g.id != id) {
            groups.push(Group::new(id.to_vec(), line));
        }
        if let Err(e) = groups.last_mut().expect("a group was just ensured").add(band, observed, population, line) {
            errors.push(e);
        }
    });
    let mut groups = groups.into_iter();
    let head = groups.next();
    let mut rest: Vec<Group> = groups.collect();
    let tail = rest.pop();
    let mut body = Vec::with_capacity(rest.len() * 100);
    let mut fmt = ryu::Buffer::new();
    let mut body_ids = Vec::with_capacity(rest.len());
    let mut body_rows = 0;
    for g in rest {
        match dsr_group(&g, o, &mut body, &mut fmt) {
            Ok(()) => body_rows += 1,
            Err(e) => errors.push(e),
        }
        let hash = id_hash(&g.id);
        body_ids.push((g.id, g.line, hash));
    }
    DsrBlock { head, body, body_rows, body_ids, tail, errors }
}

fn dsr_group(g: &Group, o: &Options, out: &mut Vec<u8>, fmt: &mut ryu::Buffer) -> Result<(), RowError> {
    let missing: Vec<&str> = AGE_BANDS.iter().zip(g.seen).filter(|(_, s)| !s).map(|(b, _)| *b).collect();
    if !missing.is_empty() {
        return Err(RowError {
            line: g.line,
            column: "age_band".into(),
            message: format!(
                "id '{}' has no row for age band(s) {}",
                String::from_utf8_lossy(&g.id),
                missing.join(", ")
            ),
        });
    }
    let d = assure_stats::dsr(&g.observed, &g.population, &ESP2013, o.multiplier, &o.levels, o.allow_empty_bands)
        .map_err(|e| {
            let mut err = stats_error(e, g.line);
            err.message = format!("id '{}': {}", String::from_utf8_lossy(&g.id), err.message);
            err
        })?;
    write_id(out, &g.id);
    match &d.estimate {
        Some(e) => {
            write_values(out, e.value, &e.intervals, fmt);
            out.push(b',');
        }
        None => {
            out.extend(std::iter::repeat_n(b',', 1 + 2 * o.levels.len()));
            out.push(b',');
            out.extend_from_slice(d.note().unwrap_or_default().as_bytes());
        }
    }
    out.push(b'\n');
    Ok(())
}

fn header(method: Method, levels: &[ConfidenceLevel]) -> String {
    let mut h = String::from("id,value");
    for l in levels {
        let _ = write!(h, ",lower_{0},upper_{0}", l.label());
    }
    if method == Method::Dsr {
        h.push_str(",note");
    }
    h.push('\n');
    h
}

/// Where results go: a temporary file renamed on success, or straight to stdout or a
/// device (such as /dev/null) that cannot have a file beside it.
enum Sink {
    File { tmp: tempfile::NamedTempFile, path: PathBuf },
    Direct(Box<dyn Write + Send>),
}

impl Sink {
    fn open(path: &Path) -> anyhow::Result<Sink> {
        if path == Path::new("-") {
            return Ok(Sink::Direct(Box::new(io::stdout())));
        }
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            return Ok(Sink::Direct(Box::new(f)));
        }
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let mut builder = tempfile::Builder::new();
        builder.prefix(".assure-stats-");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // The permissions a newly created file would get (tempfile's default is 0600).
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let tmp = builder.tempfile_in(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
        Ok(Sink::File { tmp, path: path.to_owned() })
    }

    fn is_direct(&self) -> bool {
        matches!(self, Sink::Direct(_))
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Sink::File { tmp, .. } => tmp.as_file_mut(),
            Sink::Direct(w) => w,
        }
    }

    fn commit(self) -> anyhow::Result<()> {
        match self {
            Sink::File { tmp, path } => {
                tmp.persist(&path).with_context(|| format!("cannot write {}", path.display()))?;
            }
            Sink::Direct(mut w) => w.flush()?,
        }
        Ok(())
    }
}

/// What the workers hand to the writer: output bytes, in input order.
type Chunks = Vec<Vec<u8>>;

/// Write chunks as they come, on their own thread; give the sink back at the end.
fn spawn_writer(
    mut sink: Sink,
    header: String,
) -> (std::sync::mpsc::SyncSender<Chunks>, std::thread::JoinHandle<io::Result<Sink>>) {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Chunks>(2);
    let handle = std::thread::spawn(move || {
        {
            let mut out = io::BufWriter::with_capacity(1 << 20, sink.writer());
            out.write_all(header.as_bytes())?;
            for chunks in rx {
                for c in chunks {
                    out.write_all(&c)?;
                }
            }
            out.flush()?;
        }
        Ok(sink)
    });
    (tx, handle)
}

/// Read blocks on their own thread, a few ahead of the workers.
fn spawn_reader(
    mut blocks: Blocks<Box<dyn Read + Send>>,
) -> (std::sync::mpsc::Receiver<io::Result<Block>>, std::thread::JoinHandle<()>) {
    let (tx, rx) = std::sync::mpsc::sync_channel(rayon::current_num_threads().max(1) * 4);
    let handle = std::thread::spawn(move || {
        loop {
            match blocks.next_block() {
                Ok(Some(b)) => {
                    if tx.send(Ok(b)).is_err() {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
    });
    (rx, handle)
}

/// Run a method over a CSV input. Returns the number of output rows.
pub fn run(method: Method, o: &Options) -> anyhow::Result<u64> {
    let name = o.input.display().to_string();
    let input: Box<dyn Read + Send> = if o.input == Path::new("-") {
        Box::new(io::stdin())
    } else {
        Box::new(std::fs::File::open(&o.input).with_context(|| format!("cannot open {name}"))?)
    };
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let cols = read_header(&mut reader, method).with_context(|| name.clone())?;
    // Whatever the header read left in the buffer goes first.
    let rest: Box<dyn Read + Send> = Box::new(io::Cursor::new(reader.buffer().to_vec()).chain(reader.into_inner()));
    let (blocks, reader_thread) = spawn_reader(Blocks { reader: rest, carry: Vec::new(), next_line: 2, done: false });
    let sink = Sink::open(&o.output)?;
    let direct = sink.is_direct();
    let (to_writer, writer_thread) = spawn_writer(sink, header(method, &o.levels));

    let batch_size = rayon::current_num_threads().max(1) * 2;
    let mut log = ErrorLog::default();
    let mut rows = 0u64;
    let mut stitch = Stitch { open: None, finished: FinishedIds::default(), fmt: ryu::Buffer::new() };
    let mut read_error = None;
    loop {
        let mut batch = Vec::with_capacity(batch_size);
        while batch.len() < batch_size {
            match blocks.recv() {
                Ok(Ok(b)) => batch.push(b),
                Ok(Err(e)) => {
                    read_error = Some(e);
                    break;
                }
                Err(_) => break,
            }
        }
        let last = batch.len() < batch_size;
        let mut chunks = Vec::new();
        match method {
            Method::Proportion | Method::Rate => {
                let results: Vec<_> = batch.par_iter().map(|b| row_block(b, &cols, method, o)).collect();
                for (bytes, n, errs) in results {
                    for e in errs {
                        log.push(e);
                    }
                    if log.count == 0 {
                        rows += n;
                        chunks.push(bytes);
                    }
                }
            }
            Method::Dsr => {
                let results: Vec<DsrBlock> = batch.par_iter().map(|b| dsr_block(b, &cols, o)).collect();
                for r in results {
                    rows += stitch.take(r, &mut log, o, &mut chunks);
                }
                if last {
                    rows += stitch.close(&mut log, o, &mut chunks);
                }
            }
        }
        if log.count == 0 && !chunks.is_empty() && to_writer.send(chunks).is_err() {
            break; // the writer failed; its error is reported below
        }
        if last || read_error.is_some() {
            break;
        }
    }
    drop(blocks);
    drop(to_writer);
    let _ = reader_thread.join();
    let written = writer_thread.join().map_err(|_| anyhow::anyhow!("the output writer stopped unexpectedly"))?;
    if let Some(e) = read_error {
        return Err(e).with_context(|| format!("reading {name}"));
    }
    let sink = written.with_context(|| format!("writing {}", o.output.display()))?;
    if log.count > 0 {
        let (mut errors, error_count) = (log.listed, log.count);
        errors.sort_by_key(|e| e.line);
        let mut msg = String::new();
        for e in &errors {
            let col = if e.column.is_empty() { String::new() } else { format!(" column '{}':", e.column) };
            let _ = writeln!(msg, "{name}:{}:{col} {}", e.line, e.message);
        }
        if error_count > errors.len() {
            let _ = writeln!(msg, "... and {} more", error_count - errors.len());
        }
        if direct {
            bail!("{msg}{error_count} invalid row(s) in {name}; output stopped before the first of them");
        }
        bail!("{msg}{error_count} invalid row(s) in {name}; nothing was written");
    }
    sink.commit()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finished_ids_tell_apart_ids_with_the_same_hash() {
        let mut f = FinishedIds::default();
        assert!(f.insert(b"a", 7));
        assert!(f.insert(b"b", 7), "a different id with a colliding hash is new");
        assert!(!f.insert(b"a", 7));
        assert!(!f.insert(b"b", 7));
        assert!(f.insert(b"c", id_hash(b"c")));
        assert!(!f.insert(b"c", id_hash(b"c")));
    }

    #[test]
    fn band_labels_map_to_the_standard_order() {
        for (i, label) in AGE_BANDS.iter().enumerate() {
            assert_eq!(age_band(label.as_bytes()), Some(i));
        }
        assert_eq!(age_band(b"90-94"), None);
    }

    #[test]
    fn numbers_parse_exactly_on_both_paths() {
        for (raw, v) in [
            ("0", 0.0),
            ("42", 42.0),
            ("999999999999999", 999_999_999_999_999.0),
            ("1e3", 1000.0),
            ("2.5", 2.5),
            ("-3", -3.0),
            ("1234567890123456", 1_234_567_890_123_456.0),
        ] {
            assert_eq!(parse_number(raw.as_bytes()), Some(v), "{raw}");
        }
        for raw in ["", "ten", "1,0", "NaN5"] {
            assert_eq!(parse_number(raw.as_bytes()), None, "{raw}");
        }
    }
}

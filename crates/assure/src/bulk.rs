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
use assure_stats::{
    AGE_BANDS, ConfidenceLevel, ESP2013, FunnelStatistic, FunnelTotals, Interval, Polarity, RateType, StatsError,
};
use rayon::prelude::*;

/// Size of one block of input handed to a worker.
const BLOCK_BYTES: usize = 1 << 20;
/// Errors listed before the rest are only counted.
const MAX_LISTED_ERRORS: usize = 50;
/// Which statistic.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    /// Wilson score interval for a proportion.
    Proportion,
    /// Crude rate with exact / Byar's limits.
    Rate,
    /// Directly standardised rate (Dobson, ESP 2013).
    Dsr,
    /// Indirectly standardised ratio (`rate: false`) or rate (`rate: true`), with the
    /// reference numerators and denominators per row or from a reference file by age band.
    Isr {
        /// The rate (ratio × the reference crude rate) instead of the ratio.
        rate: bool,
        /// A CSV of `age_band,numerator,denominator` for the reference population.
        reference: Option<PathBuf>,
    },
    /// Mean of the values of each id with Student's t intervals.
    Mean,
    /// Quantiles of values within each parent area (or the whole input).
    Quantile {
        /// How many quantiles (10 for deciles).
        quantiles: u32,
        /// Quantile 1 holds the highest values.
        invert: bool,
    },
    /// Fingertips' comparison of each interval with a comparator value.
    Compare {
        /// Which direction is better.
        polarity: Polarity,
        /// The comparator for every row; without it, each row's `comparator` column.
        comparator: Option<f64>,
    },
    /// Life expectancy at every band of an abridged life table (Chiang II, Silcocks et al.).
    LifeExpectancy,
    /// The slope (and relative) index of inequality across the deprivation quantiles of each id.
    Sii(SiiOptions),
    /// Funnel plots: the limits, rates' points, or each area's significance.
    Funnel {
        /// Which part.
        part: FunnelPart,
        /// What the funnel is drawn for.
        statistic: FunnelStatistic,
        /// Years of data the rates cover (rates only).
        years: f64,
    },
}

/// How `assure stats sii` fits and simulates.
#[derive(Clone, Debug, PartialEq)]
pub struct SiiOptions {
    /// How many quantiles each id must have (numbered 1 to this, 1 the most deprived).
    pub quantiles: u32,
    /// What the values are.
    pub value_type: assure_stats::SiiValueType,
    /// Fit on the log / logit scale.
    pub transform: bool,
    /// Simulated repetitions.
    pub repetitions: u32,
    /// Seed of the simulation; every id starts from it afresh.
    pub seed: u64,
    /// Also write the RII and its limits.
    pub rii: bool,
}

/// What `assure stats funnel` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunnelPart {
    /// 100 points along the axis with the limits at each (one row per point).
    Limits,
    /// Each rate's point: the rate and the one-year population it implies.
    Points,
    /// Each area against the limits: High/Low (tail) or Not significant.
    Significance,
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

/// Column positions found in the header (those a method does not use are 0).
#[derive(Default)]
struct Columns {
    id: usize,
    numerator: usize,
    denominator: usize,
    age_band: Option<usize>,
    value: usize,
    parent: Option<usize>,
    ref_numerator: usize,
    ref_denominator: usize,
    comparator: Option<usize>,
    /// `lower_<level>`, `upper_<level>` for each level (compare).
    limits: Vec<(usize, usize)>,
    /// Funnels: the rate, and whether there is a denominator.
    rate: usize,
    has_denominator: bool,
    /// Life expectancy: deaths and population; SII: quantile, population, se and 95% limits.
    deaths: usize,
    population: usize,
    quantile: usize,
    se: Option<usize>,
    limits_95: Option<(usize, usize)>,
}

/// A header row: column names, matched without regard to case (a UTF-8 BOM ignored).
struct Header(csv::StringRecord);

impl Header {
    fn read<R: BufRead>(reader: &mut R) -> anyhow::Result<Header> {
        let mut line = Vec::new();
        reader.read_until(b'\n', &mut line)?;
        if line.is_empty() {
            bail!("line 1: the input is empty (expected a header row)");
        }
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).trim(csv::Trim::All).from_reader(&line[..]);
        let mut header = csv::StringRecord::new();
        rdr.read_record(&mut header).context("line 1: header is not valid CSV")?;
        Ok(Header(header))
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
    }

    /// The position of a column known to be there (or 0 for one the method does not use).
    fn at(&self, name: &str) -> usize {
        self.find(name).unwrap_or_default()
    }

    /// Fail naming every required column that is missing.
    fn require(&self, required: &[&str], hint: &str) -> anyhow::Result<()> {
        let missing: Vec<&str> = required.iter().copied().filter(|c| self.find(c).is_none()).collect();
        if !missing.is_empty() {
            bail!("line 1: missing column(s) {} (expected {}){hint}", missing.join(", "), required.join(","));
        }
        Ok(())
    }
}

fn read_header<R: BufRead>(reader: &mut R, method: &Method, levels: &[ConfidenceLevel]) -> anyhow::Result<Columns> {
    let header = Header::read(reader)?;
    let limit_names: Vec<(String, String)> =
        levels.iter().map(|l| (format!("lower_{}", l.label()), format!("upper_{}", l.label()))).collect();
    let mut required: Vec<&str> = vec!["id"];
    match method {
        Method::Funnel { part, statistic, .. } => {
            if *part == FunnelPart::Limits {
                required.clear();
            }
            required.push("numerator");
            required.push(if matches!(statistic, FunnelStatistic::Rate(_)) { "rate" } else { "denominator" });
        }
        Method::Proportion | Method::Rate => required.extend(["numerator", "denominator"]),
        Method::Dsr => required.extend(["age_band", "numerator", "denominator"]),
        Method::Isr { reference: Some(_), .. } => required.extend(["age_band", "numerator", "denominator"]),
        Method::Isr { reference: None, .. } => {
            required.extend(["numerator", "denominator", "ref_numerator", "ref_denominator"])
        }
        Method::Mean | Method::Quantile { .. } => required.push("value"),
        Method::LifeExpectancy => required.extend(["age_band", "deaths", "population"]),
        Method::Sii(sii) => {
            required.extend(["quantile", "population", "value"]);
            let limits = header.find("lower_95").is_some() && header.find("upper_95").is_some();
            if sii.transform && !limits {
                required.extend(["lower_95", "upper_95"]);
            } else if !limits && header.find("se").is_none() {
                bail!(
                    "line 1: missing column(s): the SII needs each quantile's se, or its 95% limits lower_95,upper_95"
                );
            }
        }
        Method::Compare { comparator, .. } => {
            for (l, u) in &limit_names {
                required.extend([l.as_str(), u.as_str()]);
            }
            if comparator.is_none() {
                required.push("comparator");
            }
        }
    }
    let hint = if matches!(method, Method::Compare { comparator: None, .. }) && header.find("comparator").is_none() {
        " or give --comparator"
    } else {
        ""
    };
    header.require(&required, hint)?;
    let at = |name: &str| header.at(name);
    Ok(Columns {
        id: at("id"),
        numerator: at("numerator"),
        denominator: at("denominator"),
        age_band: header.find("age_band"),
        value: at("value"),
        parent: header.find("parent"),
        ref_numerator: at("ref_numerator"),
        ref_denominator: at("ref_denominator"),
        comparator: header.find("comparator"),
        limits: limit_names.iter().map(|(l, u)| (at(l), at(u))).collect(),
        rate: at("rate"),
        has_denominator: header.find("denominator").is_some(),
        deaths: at("deaths"),
        population: at("population"),
        quantile: at("quantile"),
        se: header.find("se"),
        limits_95: header.find("lower_95").zip(header.find("upper_95")),
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
        | StatsError::NotPositive { field, .. } => field.replace("reference ", "ref_"),
        StatsError::NumeratorAboveDenominator { .. } => "numerator".to_owned(),
        StatsError::EmptyBand { .. } | StatsError::ZeroPopulation { .. } => "denominator".to_owned(),
        StatsError::ZeroExpected => "ref_numerator".to_owned(),
        StatsError::TooFewValues(_) => "value".to_owned(),
        StatsError::NotAProportion { field, .. } => (*field).to_owned(),
        StatsError::LowerAboveUpper { .. } => "lower_95".to_owned(),
        _ => String::new(),
    };
    RowError { line, column, message: e.to_string() }
}

/// A group's error, its message starting with the group's id.
fn group_error(e: StatsError, id: &[u8], line: u64) -> RowError {
    let mut err = stats_error(e, line);
    err.message = format!("id '{}': {}", String::from_utf8_lossy(id), err.message);
    err
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

/// An optional number: an empty cell is `None`, anything else must be a number.
fn optional_number(rec: &csv::ByteRecord, i: usize, name: &str, line: u64, errors: &mut Vec<RowError>) -> Option<f64> {
    if field(rec, i).is_empty() { None } else { number(rec, i, name, line, errors) }
}

/// The row-by-row methods (proportion, rate, compare) over one block: output bytes and
/// row count, or the block's errors.
fn row_block(block: &Block, cols: &Columns, method: &Method, o: &Options) -> (Vec<u8>, u64, Vec<RowError>) {
    let mut out = Vec::with_capacity(block.data.len() * 6); // output rows are ~5x input rows
    let mut errors = Vec::new();
    let mut intervals = Vec::with_capacity(o.levels.len());
    let mut fmt = ryu::Buffer::new();
    let mut rows = 0;
    // compare: the limit columns' names, for errors, and one row's intervals, made once.
    let limit_names: Vec<(String, String)> =
        o.levels.iter().map(|l| (format!("lower_{}", l.label()), format!("upper_{}", l.label()))).collect();
    let mut limits: Vec<Option<Interval>> = Vec::with_capacity(o.levels.len());
    each_record(block, &mut errors, |rec, line, errors| {
        if let Method::Compare { polarity, comparator } = method {
            let comparator = match comparator {
                Some(c) => Some(*c),
                None => optional_number(rec, cols.comparator.unwrap_or_default(), "comparator", line, errors),
            };
            limits.clear();
            for (&(l, u), (ln, un)) in cols.limits.iter().zip(&limit_names) {
                let lower = optional_number(rec, l, ln, line, errors);
                let upper = optional_number(rec, u, un, line, errors);
                limits.push(match (lower, upper) {
                    (Some(lower), Some(upper)) if lower > upper => {
                        errors.push(RowError {
                            line,
                            column: ln.clone(),
                            message: format!("lower limit {lower} is above the upper limit {upper}"),
                        });
                        None
                    }
                    (Some(lower), Some(upper)) => Some(Interval { lower, upper }),
                    _ => None,
                });
            }
            if errors.is_empty() {
                write_id(&mut out, field(rec, cols.id));
                for &i in &limits {
                    out.push(b',');
                    out.extend_from_slice(assure_stats::compare(i, comparator, *polarity).label().as_bytes());
                }
                out.push(b'\n');
                rows += 1;
            }
            return;
        }
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

/// A method over groups of contiguous rows sharing a key (an id, or a parent area).
/// Rows are parsed and added by the workers; a group cut by a block edge is merged in
/// input order by [`Stitch`], and each group is computed once it is complete.
trait Grouped: Sync {
    /// One parsed row.
    type Row;
    /// A group's rows so far.
    type Acc: Send + Sync;
    /// The group key of a row.
    fn key<'r>(&self, rec: &'r csv::ByteRecord) -> &'r [u8];
    /// Parse a row, reporting its problems.
    fn parse(&self, rec: &csv::ByteRecord, line: u64, errors: &mut Vec<RowError>) -> Option<Self::Row>;
    /// An empty group.
    fn start(&self) -> Self::Acc;
    /// Add a row to its group.
    fn add(&self, acc: &mut Self::Acc, row: Self::Row, key: &[u8], line: u64) -> Result<(), RowError>;
    /// Add the later part of a group cut by a block edge.
    fn merge(&self, acc: &mut Self::Acc, later: Self::Acc, key: &[u8], line: u64) -> Result<(), RowError>;
    /// Compute a complete group and write its output rows; returns how many.
    fn finish(&self, g: &Group<Self::Acc>, out: &mut Vec<u8>, fmt: &mut ryu::Buffer) -> Result<u64, RowError>;
    /// Whether a group takes long enough (milliseconds, as a simulation) to be worth
    /// computing the groups of one block in parallel.
    fn heavy(&self) -> bool {
        false
    }
}

/// One group's rows, gathered from contiguous rows.
struct Group<A> {
    id: Vec<u8>,
    line: u64,
    acc: A,
}

/// A block grouped and computed by a worker. Groups wholly inside the block are done;
/// the first and last may continue in the neighbouring blocks, so they go back to be
/// stitched in order.
struct GroupBlock<A> {
    head: Option<Group<A>>,
    body: Vec<u8>,
    body_rows: u64,
    /// Ids (with first lines and hashes) of the groups inside the block, for the not-together check.
    body_ids: Vec<(Vec<u8>, u64, u64)>,
    tail: Option<Group<A>>,
    errors: Vec<RowError>,
}

fn group_block<M: Grouped>(m: &M, block: &Block) -> GroupBlock<M::Acc> {
    let mut errors = Vec::new();
    let mut groups: Vec<Group<M::Acc>> = Vec::new();
    each_record(block, &mut errors, |rec, line, errors| {
        let Some(row) = m.parse(rec, line, errors) else { return };
        let id = m.key(rec);
        if groups.last().is_none_or(|g| g.id != id) {
            groups.push(Group { id: id.to_vec(), line, acc: m.start() });
        }
        let g = groups.last_mut().expect("a group was just ensured");
        if let Err(e) = m.add(&mut g.acc, row, id, line) {
            errors.push(e);
        }
    });
    let mut groups = groups.into_iter();
    let head = groups.next();
    let mut rest: Vec<Group<M::Acc>> = groups.collect();
    let tail = rest.pop();
    let mut body = Vec::with_capacity(rest.len() * 100);
    let mut fmt = ryu::Buffer::new();
    let mut body_ids = Vec::with_capacity(rest.len());
    let mut body_rows = 0;
    if m.heavy() {
        let done: Vec<(Vec<u8>, Result<u64, RowError>)> = rest
            .par_iter()
            .map(|g| {
                let mut out = Vec::with_capacity(256);
                let n = m.finish(g, &mut out, &mut ryu::Buffer::new());
                (out, n)
            })
            .collect();
        for (out, n) in done {
            match n {
                Ok(n) => {
                    body_rows += n;
                    body.extend_from_slice(&out);
                }
                Err(e) => errors.push(e),
            }
        }
    } else {
        for g in &rest {
            match m.finish(g, &mut body, &mut fmt) {
                Ok(n) => body_rows += n,
                Err(e) => errors.push(e),
            }
        }
    }
    for g in rest {
        let hash = id_hash(&g.id);
        body_ids.push((g.id, g.line, hash));
    }
    GroupBlock { head, body, body_rows, body_ids, tail, errors }
}

/// The stitching state of a grouped run: the group still open across block edges and the ids already finished.
struct Stitch<A> {
    open: Option<Group<A>>,
    finished: FinishedIds,
    fmt: ryu::Buffer,
}

impl<A> Stitch<A> {
    fn new() -> Stitch<A> {
        Stitch { open: None, finished: FinishedIds::default(), fmt: ryu::Buffer::new() }
    }

    /// Compute and queue the open group (no later row can continue it). Returns rows written.
    fn close<M: Grouped<Acc = A>>(&mut self, m: &M, log: &mut ErrorLog, chunks: &mut Chunks) -> u64 {
        let Some(g) = self.open.take() else { return 0 };
        not_seen_before(&g.id, id_hash(&g.id), g.line, &mut self.finished, log);
        let mut bytes = Vec::with_capacity(128);
        match m.finish(&g, &mut bytes, &mut self.fmt) {
            Ok(n) if log.count == 0 => {
                chunks.push(bytes);
                n
            }
            Ok(_) => 0,
            Err(e) => {
                log.push(e);
                0
            }
        }
    }

    /// Take a worker's block, in input order. Returns rows written.
    fn take<M: Grouped<Acc = A>>(&mut self, m: &M, r: GroupBlock<A>, log: &mut ErrorLog, chunks: &mut Chunks) -> u64 {
        let mut rows = 0;
        for e in r.errors {
            log.push(e);
        }
        // The block's first group may continue the group left open by the block before.
        if let Some(h) = r.head {
            match self.open.as_mut() {
                Some(g) if g.id == h.id => {
                    if let Err(e) = m.merge(&mut g.acc, h.acc, &h.id, h.line) {
                        log.push(e);
                    }
                }
                _ => {
                    rows += self.close(m, log, chunks);
                    self.open = Some(h);
                }
            }
        }
        // Anything after the first group means the open group is complete.
        if !r.body_ids.is_empty() || r.tail.is_some() {
            rows += self.close(m, log, chunks);
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

    /// Group and compute a batch of blocks in parallel, then stitch them in order.
    fn batch<M: Grouped<Acc = A>>(
        &mut self,
        m: &M,
        batch: &[Block],
        last: bool,
        log: &mut ErrorLog,
        chunks: &mut Chunks,
    ) -> u64
    where
        A: Send,
    {
        let results: Vec<GroupBlock<A>> = batch.par_iter().map(|b| group_block(m, b)).collect();
        let mut rows = 0;
        for r in results {
            rows += self.take(m, r, log, chunks);
        }
        if last {
            rows += self.close(m, log, chunks);
        }
        rows
    }
}

/// Directly standardised rates: the 19 ESP 2013 bands of each id.
struct DsrMethod<'a> {
    cols: &'a Columns,
    o: &'a Options,
}

/// One id's age bands.
struct Bands {
    observed: [f64; 19],
    population: [f64; 19],
    seen: [bool; 19],
}

impl Bands {
    /// Add one band, refusing a band already there.
    fn add(&mut self, band: usize, observed: f64, population: f64, id: &[u8], line: u64) -> Result<(), RowError> {
        if self.seen[band] {
            return Err(RowError {
                line,
                column: "age_band".into(),
                message: format!("id '{}' has age band {} twice", String::from_utf8_lossy(id), AGE_BANDS[band]),
            });
        }
        self.seen[band] = true;
        self.observed[band] = observed;
        self.population[band] = population;
        Ok(())
    }
}

impl Grouped for DsrMethod<'_> {
    type Row = (usize, f64, f64);
    type Acc = Bands;

    fn key<'r>(&self, rec: &'r csv::ByteRecord) -> &'r [u8] {
        field(rec, self.cols.id)
    }

    fn parse(&self, rec: &csv::ByteRecord, line: u64, errors: &mut Vec<RowError>) -> Option<Self::Row> {
        let raw_band = field(rec, self.cols.age_band.unwrap_or_default());
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
        let observed = number(rec, self.cols.numerator, "numerator", line, errors);
        let population = number(rec, self.cols.denominator, "denominator", line, errors);
        Some((band?, observed?, population?))
    }

    fn start(&self) -> Bands {
        Bands { observed: [0.0; 19], population: [0.0; 19], seen: [false; 19] }
    }

    fn add(&self, acc: &mut Bands, (band, o, n): Self::Row, key: &[u8], line: u64) -> Result<(), RowError> {
        acc.add(band, o, n, key, line)
    }

    fn merge(&self, acc: &mut Bands, later: Bands, key: &[u8], line: u64) -> Result<(), RowError> {
        for b in (0..19).filter(|&b| later.seen[b]) {
            acc.add(b, later.observed[b], later.population[b], key, line)?;
        }
        Ok(())
    }

    fn finish(&self, g: &Group<Bands>, out: &mut Vec<u8>, fmt: &mut ryu::Buffer) -> Result<u64, RowError> {
        let o = self.o;
        let missing: Vec<&str> = AGE_BANDS.iter().zip(g.acc.seen).filter(|(_, s)| !s).map(|(b, _)| *b).collect();
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
        let d = assure_stats::dsr(
            &g.acc.observed,
            &g.acc.population,
            &ESP2013,
            o.multiplier,
            &o.levels,
            o.allow_empty_bands,
        )
        .map_err(|e| group_error(e, &g.id, g.line))?;
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
        Ok(1)
    }
}

/// The reference population by age band label, for indirect standardisation.
type Reference = std::collections::HashMap<Vec<u8>, (f64, f64)>;

/// Read a reference file: `age_band,numerator,denominator`, one row per band.
fn read_reference(path: &Path) -> anyhow::Result<Reference> {
    let name = path.display().to_string();
    let data = std::fs::read(path).with_context(|| format!("cannot open {name}"))?;
    let mut reader = &data[..];
    let header = Header::read(&mut reader).with_context(|| name.clone())?;
    header
        .require(&["age_band", "numerator", "denominator"], "")
        .with_context(|| format!("{name} (a reference file has columns age_band,numerator,denominator)"))?;
    let (band_col, numerator, denominator) = (header.at("age_band"), header.at("numerator"), header.at("denominator"));
    let block = Block { data: reader.to_vec(), first_line: 2 };
    let mut errors = Vec::new();
    let mut reference = Reference::new();
    each_record(&block, &mut errors, |rec, line, errors| {
        let band = field(rec, band_col);
        let r = number(rec, numerator, "numerator", line, errors);
        let n = number(rec, denominator, "denominator", line, errors);
        let (Some(r), Some(n)) = (r, n) else { return };
        let err = |column: &str, message: String| RowError { line, column: column.into(), message };
        if band.is_empty() {
            errors.push(err("age_band", "is missing".into()));
        } else if r < 0.0 {
            errors.push(err("numerator", format!("is negative ({r})")));
        } else if n < 0.0 || (n == 0.0 && r > 0.0) {
            errors.push(err("denominator", format!("must be greater than zero (got {n})")));
        } else if reference.insert(band.to_vec(), (r, n)).is_some() {
            errors.push(err("age_band", format!("age band '{}' is given twice", String::from_utf8_lossy(band))));
        }
    });
    if !errors.is_empty() {
        let mut msg = String::new();
        for e in errors.iter().take(MAX_LISTED_ERRORS) {
            let _ = writeln!(msg, "{name}:{}: column '{}': {}", e.line, e.column, e.message);
        }
        bail!("{msg}{} invalid row(s) in the reference file {name}; nothing was written", errors.len());
    }
    if reference.is_empty() {
        bail!("{name}: the reference file has no rows");
    }
    Ok(reference)
}

/// Indirectly standardised ratios and rates: the rows (age bands) of each id.
struct IsrMethod<'a> {
    cols: &'a Columns,
    o: &'a Options,
    rate: bool,
    reference: Option<Reference>,
}

/// One id's observed total and, band by band, population and reference.
#[derive(Default)]
struct IsrAcc {
    observed: f64,
    population: Vec<f64>,
    ref_observed: Vec<f64>,
    ref_population: Vec<f64>,
}

impl Grouped for IsrMethod<'_> {
    type Row = (f64, f64, f64, f64);
    type Acc = IsrAcc;

    fn key<'r>(&self, rec: &'r csv::ByteRecord) -> &'r [u8] {
        field(rec, self.cols.id)
    }

    fn parse(&self, rec: &csv::ByteRecord, line: u64, errors: &mut Vec<RowError>) -> Option<Self::Row> {
        let c = self.cols;
        let o = number(rec, c.numerator, "numerator", line, errors);
        let n = number(rec, c.denominator, "denominator", line, errors);
        let (r, rn) = match &self.reference {
            Some(reference) => {
                let band = field(rec, c.age_band.unwrap_or_default());
                match reference.get(band) {
                    Some(&(r, rn)) => (Some(r), Some(rn)),
                    None => {
                        errors.push(RowError {
                            line,
                            column: "age_band".into(),
                            message: format!("'{}' is not a band of the reference file", String::from_utf8_lossy(band)),
                        });
                        (None, None)
                    }
                }
            }
            None => (
                number(rec, c.ref_numerator, "ref_numerator", line, errors),
                number(rec, c.ref_denominator, "ref_denominator", line, errors),
            ),
        };
        let row = (o?, n?, r?, rn?);
        for (v, name) in [(row.0, "numerator"), (row.1, "denominator")] {
            if v < 0.0 {
                errors.push(RowError { line, column: name.into(), message: format!("is negative ({v})") });
                return None;
            }
        }
        Some(row)
    }

    fn start(&self) -> IsrAcc {
        IsrAcc::default()
    }

    fn add(&self, acc: &mut IsrAcc, (o, n, r, rn): Self::Row, _: &[u8], _: u64) -> Result<(), RowError> {
        acc.observed += o;
        acc.population.push(n);
        acc.ref_observed.push(r);
        acc.ref_population.push(rn);
        Ok(())
    }

    fn merge(&self, acc: &mut IsrAcc, later: IsrAcc, _: &[u8], _: u64) -> Result<(), RowError> {
        acc.observed += later.observed;
        acc.population.extend(later.population);
        acc.ref_observed.extend(later.ref_observed);
        acc.ref_population.extend(later.ref_population);
        Ok(())
    }

    fn finish(&self, g: &Group<IsrAcc>, out: &mut Vec<u8>, fmt: &mut ryu::Buffer) -> Result<u64, RowError> {
        let (a, o) = (&g.acc, self.o);
        let f = if self.rate { assure_stats::isr_rate } else { assure_stats::isr };
        let e = f(a.observed, &a.population, &a.ref_observed, &a.ref_population, o.multiplier, &o.levels)
            .map_err(|e| group_error(e, &g.id, g.line))?;
        write_id(out, &g.id);
        write_values(out, e.value, &e.intervals, fmt);
        out.push(b'\n');
        Ok(1)
    }
}

/// Means of the values of each id.
struct MeanMethod<'a> {
    cols: &'a Columns,
    o: &'a Options,
}

impl Grouped for MeanMethod<'_> {
    type Row = f64;
    type Acc = Vec<f64>;

    fn key<'r>(&self, rec: &'r csv::ByteRecord) -> &'r [u8] {
        field(rec, self.cols.id)
    }

    fn parse(&self, rec: &csv::ByteRecord, line: u64, errors: &mut Vec<RowError>) -> Option<f64> {
        number(rec, self.cols.value, "value", line, errors)
    }

    fn start(&self) -> Vec<f64> {
        Vec::new()
    }

    fn add(&self, acc: &mut Vec<f64>, v: f64, _: &[u8], _: u64) -> Result<(), RowError> {
        acc.push(v);
        Ok(())
    }

    fn merge(&self, acc: &mut Vec<f64>, later: Vec<f64>, _: &[u8], _: u64) -> Result<(), RowError> {
        acc.extend(later);
        Ok(())
    }

    fn finish(&self, g: &Group<Vec<f64>>, out: &mut Vec<u8>, fmt: &mut ryu::Buffer) -> Result<u64, RowError> {
        let m = assure_stats::mean(&g.acc, &self.o.levels).map_err(|e| group_error(e, &g.id, g.line))?;
        write_id(out, &g.id);
        write_values(out, m.estimate.value, &m.estimate.intervals, fmt);
        out.push(b',');
        let _ = write!(out, "{}", m.count);
        out.push(b',');
        out.extend_from_slice(fmt.format(m.std_dev).as_bytes());
        out.push(b'\n');
        Ok(1)
    }
}

/// One row of a quantile group.
struct QuantileRow {
    id: Vec<u8>,
    cell: Vec<u8>,
    value: Option<f64>,
}

/// Quantiles within each parent area (the whole input without a `parent` column).
struct QuantileMethod<'a> {
    cols: &'a Columns,
    quantiles: u32,
    invert: bool,
}

impl Grouped for QuantileMethod<'_> {
    /// The row's id, its value cell as given (echoed in the output) and its value (`None` when empty).
    type Row = QuantileRow;
    type Acc = Vec<QuantileRow>;

    fn key<'r>(&self, rec: &'r csv::ByteRecord) -> &'r [u8] {
        self.cols.parent.map_or(&[], |p| field(rec, p))
    }

    fn parse(&self, rec: &csv::ByteRecord, line: u64, errors: &mut Vec<RowError>) -> Option<Self::Row> {
        let before = errors.len();
        let v = optional_number(rec, self.cols.value, "value", line, errors);
        (errors.len() == before).then(|| QuantileRow {
            id: field(rec, self.cols.id).to_vec(),
            cell: field(rec, self.cols.value).to_vec(),
            value: v,
        })
    }

    fn start(&self) -> Self::Acc {
        Vec::new()
    }

    fn add(&self, acc: &mut Self::Acc, row: Self::Row, _: &[u8], _: u64) -> Result<(), RowError> {
        acc.push(row);
        Ok(())
    }

    fn merge(&self, acc: &mut Self::Acc, later: Self::Acc, _: &[u8], _: u64) -> Result<(), RowError> {
        acc.extend(later);
        Ok(())
    }

    fn finish(&self, g: &Group<Self::Acc>, out: &mut Vec<u8>, _: &mut ryu::Buffer) -> Result<u64, RowError> {
        let values: Vec<f64> = g.acc.iter().map(|r| r.value.unwrap_or(f64::NAN)).collect();
        let q = assure_stats::quantiles(&values, self.quantiles, self.invert);
        for (row, assigned) in g.acc.iter().zip(&q.assigned) {
            write_id(out, &row.id);
            out.push(b',');
            write_id(out, &g.id);
            out.push(b',');
            write_id(out, &row.cell);
            out.push(b',');
            if let Some(a) = assigned {
                let _ = write!(out, "{a}");
            }
            out.push(b',');
            if let Some(w) = &q.warning {
                write_id(out, w.as_bytes());
            }
            out.push(b'\n');
        }
        Ok(g.acc.len() as u64)
    }
}

/// Life expectancy: the 20 bands of each id's life table.
struct LifeExpectancyMethod<'a> {
    cols: &'a Columns,
    o: &'a Options,
}

/// The index of a life table band, by its label (`5-9`, `90+`) or its first age (`5`, `90`).
fn life_table_band(raw: &[u8]) -> Option<usize> {
    const START: [&str; 20] = [
        "0", "1", "5", "10", "15", "20", "25", "30", "35", "40", "45", "50", "55", "60", "65", "70", "75", "80", "85",
        "90",
    ];
    let raw = std::str::from_utf8(raw).ok()?;
    assure_stats::LIFE_TABLE_BANDS.iter().position(|b| *b == raw).or_else(|| START.iter().position(|s| *s == raw))
}

/// One id's life table rows so far.
struct LifeTableRows {
    bands: [Option<assure_stats::BandDeaths>; 20],
}

impl LifeTableRows {
    fn add(&mut self, band: usize, row: assure_stats::BandDeaths, id: &[u8], line: u64) -> Result<(), RowError> {
        if self.bands[band].replace(row).is_some() {
            return Err(RowError {
                line,
                column: "age_band".into(),
                message: format!(
                    "id '{}' has age band {} twice",
                    String::from_utf8_lossy(id),
                    assure_stats::LIFE_TABLE_BANDS[band]
                ),
            });
        }
        Ok(())
    }
}

impl Grouped for LifeExpectancyMethod<'_> {
    type Row = (usize, assure_stats::BandDeaths);
    type Acc = LifeTableRows;

    fn key<'r>(&self, rec: &'r csv::ByteRecord) -> &'r [u8] {
        field(rec, self.cols.id)
    }

    fn parse(&self, rec: &csv::ByteRecord, line: u64, errors: &mut Vec<RowError>) -> Option<Self::Row> {
        let raw_band = field(rec, self.cols.age_band.unwrap_or_default());
        let band = life_table_band(raw_band);
        if band.is_none() {
            errors.push(RowError {
                line,
                column: "age_band".into(),
                message: format!(
                    "'{}' is not a life table age band ({}, or the first age of one)",
                    String::from_utf8_lossy(raw_band),
                    assure_stats::LIFE_TABLE_BANDS.join(", ")
                ),
            });
        }
        let mut count = |i: usize, name: &str| {
            let v = number(rec, i, name, line, errors)?;
            if v < 0.0 {
                errors.push(RowError { line, column: name.into(), message: format!("is negative ({v})") });
                return None;
            }
            Some(v)
        };
        let deaths = count(self.cols.deaths, "deaths");
        let population = count(self.cols.population, "population");
        Some((band?, assure_stats::BandDeaths { deaths: deaths?, population: population? }))
    }

    fn start(&self) -> LifeTableRows {
        LifeTableRows { bands: [None; 20] }
    }

    fn add(&self, acc: &mut LifeTableRows, (band, row): Self::Row, key: &[u8], line: u64) -> Result<(), RowError> {
        acc.add(band, row, key, line)
    }

    fn merge(&self, acc: &mut LifeTableRows, later: LifeTableRows, key: &[u8], line: u64) -> Result<(), RowError> {
        for (band, row) in later.bands.into_iter().enumerate() {
            if let Some(row) = row {
                acc.add(band, row, key, line)?;
            }
        }
        Ok(())
    }

    fn finish(&self, g: &Group<LifeTableRows>, out: &mut Vec<u8>, fmt: &mut ryu::Buffer) -> Result<u64, RowError> {
        use assure_stats::LifeExpectancy;
        let levels = &self.o.levels;
        let result = assure_stats::life_expectancy(&g.acc.bands, levels).map_err(|e| group_error(e, &g.id, g.line))?;
        let empty = 1 + 2 * levels.len() + 3;
        match result {
            LifeExpectancy::Suppressed(why) => {
                let note = format!("life expectancy not calculated: {why}");
                for band in assure_stats::LIFE_TABLE_BANDS {
                    write_id(out, &g.id);
                    out.push(b',');
                    out.extend_from_slice(band.as_bytes());
                    out.extend(std::iter::repeat_n(b',', empty + 1));
                    write_id(out, note.as_bytes());
                    out.push(b'\n');
                }
            }
            LifeExpectancy::Table(table) => {
                for at in &table {
                    write_id(out, &g.id);
                    out.push(b',');
                    out.extend_from_slice(at.band.as_bytes());
                    out.push(b',');
                    if let Some(v) = at.value {
                        out.extend_from_slice(fmt.format(v).as_bytes());
                    }
                    for l in 0..levels.len() {
                        match at.intervals.get(l) {
                            Some(i) => {
                                out.push(b',');
                                out.extend_from_slice(fmt.format(i.lower).as_bytes());
                                out.push(b',');
                                out.extend_from_slice(fmt.format(i.upper).as_bytes());
                            }
                            None => out.extend_from_slice(b",,"),
                        }
                    }
                    out.push(b',');
                    if at.standard_error.is_finite() {
                        out.extend_from_slice(fmt.format(at.standard_error).as_bytes());
                    }
                    // Counts as written (787954, not 787954.0).
                    let _ = write!(out, ",{},{},", at.population_used, at.deaths_used);
                    if let Some(note) = at.note {
                        out.extend_from_slice(note.to_string().as_bytes());
                    }
                    out.push(b'\n');
                }
            }
        }
        Ok(20)
    }
}

/// The slope index of inequality over the quantiles of each id.
struct SiiMethod<'a> {
    cols: &'a Columns,
    o: &'a Options,
    sii: &'a SiiOptions,
}

impl Grouped for SiiMethod<'_> {
    /// The quantile's number (1-based) and its data.
    type Row = (usize, assure_stats::SiiQuantile);
    /// The quantiles so far, by number.
    type Acc = Vec<Option<assure_stats::SiiQuantile>>;

    fn key<'r>(&self, rec: &'r csv::ByteRecord) -> &'r [u8] {
        field(rec, self.cols.id)
    }

    fn parse(&self, rec: &csv::ByteRecord, line: u64, errors: &mut Vec<RowError>) -> Option<Self::Row> {
        use assure_stats::{QuantileSpread, SiiQuantile};
        let c = self.cols;
        let raw = field(rec, c.quantile);
        let q = std::str::from_utf8(raw).ok().and_then(|r| r.parse::<usize>().ok());
        let quantiles = self.sii.quantiles as usize;
        let q = match q {
            Some(q) if (1..=quantiles).contains(&q) => Some(q),
            _ => {
                errors.push(RowError {
                    line,
                    column: "quantile".into(),
                    message: format!(
                        "'{}' is not a quantile number from 1 to {quantiles} (see --quantiles)",
                        String::from_utf8_lossy(raw)
                    ),
                });
                None
            }
        };
        let population = number(rec, c.population, "population", line, errors);
        let value = number(rec, c.value, "value", line, errors);
        // The 95% limits when given (always when transformed), else the standard error.
        let spread = match (c.limits_95, c.se) {
            (Some((l, u)), _) => {
                let lower = number(rec, l, "lower_95", line, errors);
                let upper = number(rec, u, "upper_95", line, errors);
                Some(QuantileSpread::Limits95(Interval { lower: lower?, upper: upper? }))
            }
            (None, Some(se)) => number(rec, se, "se", line, errors).map(QuantileSpread::StandardError),
            (None, None) => None,
        };
        let row = SiiQuantile { population: population?, value: value?, spread: spread? };
        if let Err(e) = row.check(self.sii.value_type, self.sii.transform) {
            errors.push(stats_error(e, line));
            return None;
        }
        Some((q?, row))
    }

    fn start(&self) -> Self::Acc {
        vec![None; self.sii.quantiles as usize]
    }

    fn add(&self, acc: &mut Self::Acc, (q, row): Self::Row, key: &[u8], line: u64) -> Result<(), RowError> {
        if acc[q - 1].replace(row).is_some() {
            return Err(RowError {
                line,
                column: "quantile".into(),
                message: format!("id '{}' has quantile {q} twice", String::from_utf8_lossy(key)),
            });
        }
        Ok(())
    }

    fn merge(&self, acc: &mut Self::Acc, later: Self::Acc, key: &[u8], line: u64) -> Result<(), RowError> {
        for (i, row) in later.into_iter().enumerate() {
            if let Some(row) = row {
                self.add(acc, (i + 1, row), key, line)?;
            }
        }
        Ok(())
    }

    fn heavy(&self) -> bool {
        true
    }

    fn finish(&self, g: &Group<Self::Acc>, out: &mut Vec<u8>, fmt: &mut ryu::Buffer) -> Result<u64, RowError> {
        let (o, s) = (self.o, self.sii);
        let polarity = assure_stats::Sii::note(o.multiplier);
        write_id(out, &g.id);
        let missing: Vec<String> =
            g.acc.iter().enumerate().filter(|(_, q)| q.is_none()).map(|(i, _)| (i + 1).to_string()).collect();
        if !missing.is_empty() {
            // As the package, an id without every quantile gets no SII (and the others still do).
            let columns = 1 + 2 * o.levels.len() + if s.rii { 1 + 2 * o.levels.len() } else { 0 } + 1;
            out.extend(std::iter::repeat_n(b',', columns + 1));
            let note = format!("no SII: quantile(s) {} missing", missing.join(" "));
            write_id(out, note.as_bytes());
            out.push(b'\n');
            return Ok(1);
        }
        let quantiles: Vec<assure_stats::SiiQuantile> = g.acc.iter().flatten().copied().collect();
        let request = assure_stats::SiiRequest {
            value_type: s.value_type,
            transform: s.transform,
            multiplier: o.multiplier,
            repetitions: s.repetitions,
            seed: s.seed,
            levels: &o.levels,
            rii: s.rii,
        };
        let r = assure_stats::sii(&quantiles, &request).map_err(|e| group_error(e, &g.id, g.line))?;
        write_values(out, r.sii.value, &r.sii.intervals, fmt);
        if s.rii {
            write_values(out, r.rii.value, &r.rii.intervals, fmt);
        }
        out.push(b',');
        out.extend_from_slice(fmt.format(r.intercept).as_bytes());
        out.push(b',');
        if let Some(note) = polarity {
            out.extend_from_slice(note.as_bytes());
        }
        out.push(b'\n');
        Ok(1)
    }
}

fn header(method: &Method, levels: &[ConfidenceLevel]) -> String {
    let mut h = String::from("id");
    match method {
        Method::Quantile { .. } => h.push_str(",parent,value,quantile,note"),
        Method::Compare { .. } => {
            for l in levels {
                let _ = write!(h, ",comparison_{}", l.label());
            }
        }
        Method::Funnel { part: FunnelPart::Limits, statistic, .. } => {
            h.clear();
            h.push_str(match statistic {
                FunnelStatistic::Proportion => "population",
                FunnelStatistic::Ratio(_) => "observed_events",
                FunnelStatistic::Rate(_) => "events",
            });
            for l in levels {
                let _ = write!(h, ",lower_{0},upper_{0}", l.label());
            }
            if matches!(statistic, FunnelStatistic::Rate(_)) {
                for l in levels {
                    let _ = write!(h, ",population_lower_{0},population_upper_{0}", l.label());
                }
            }
            if !matches!(statistic, FunnelStatistic::Ratio(_)) {
                h.push_str(",baseline");
            }
        }
        Method::Funnel { part: FunnelPart::Points, .. } => h.push_str(",rate_chart,denominator_derived"),
        Method::LifeExpectancy => {
            h.push_str(",age_band,value");
            for l in levels {
                let _ = write!(h, ",lower_{0},upper_{0}", l.label());
            }
            h.push_str(",standard_error,population_used,deaths_used,note");
        }
        Method::Sii(sii) => {
            h.push_str(",sii");
            for l in levels {
                let _ = write!(h, ",lower_{0},upper_{0}", l.label());
            }
            if sii.rii {
                h.push_str(",rii");
                for l in levels {
                    let _ = write!(h, ",rii_lower_{0},rii_upper_{0}", l.label());
                }
            }
            h.push_str(",intercept,note");
        }
        Method::Funnel { part: FunnelPart::Significance, .. } => h.push_str(",significance"),
        _ => {
            h.push_str(",value");
            for l in levels {
                let _ = write!(h, ",lower_{0},upper_{0}", l.label());
            }
        }
    }
    match method {
        Method::Dsr => h.push_str(",note"),
        Method::Mean => h.push_str(",count,std_dev"),
        _ => {}
    }
    h.push('\n');
    h
}

/// Where results go: a temporary file renamed on success, or straight to stdout or a
/// device (such as /dev/null) that cannot have a file beside it.
enum Sink {
    File {
        tmp: tempfile::NamedTempFile,
        path: PathBuf,
    },
    Direct(Box<dyn Write + Send>),
    /// A first pass that only checks and totals: nothing is written anywhere.
    Discard(io::Sink),
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
            Sink::Discard(w) => w,
        }
    }

    fn commit(self) -> anyhow::Result<()> {
        match self {
            Sink::File { tmp, path } => {
                tmp.persist(&path).with_context(|| format!("cannot write {}", path.display()))?;
            }
            Sink::Direct(mut w) => w.flush()?,
            Sink::Discard(_) => {}
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
pub fn run(method: &Method, o: &Options) -> anyhow::Result<u64> {
    let name = o.input.display().to_string();
    // A reference file is read (and checked) before the input.
    let reference = match method {
        Method::Isr { reference: Some(path), .. } => Some(read_reference(path)?),
        _ => None,
    };
    let twice = matches!(
        method,
        Method::Funnel {
            part: FunnelPart::Significance,
            statistic: FunnelStatistic::Proportion | FunnelStatistic::Rate(_),
            ..
        }
    );
    let input = Input::new(o, twice)?;
    let (cols, mut blocks) = input.open(method, &o.levels)?;
    let sink = Sink::open(&o.output)?;
    let head = header(method, &o.levels);
    match method {
        Method::Proportion | Method::Rate | Method::Compare { .. } => {
            drive(&name, o, blocks, sink, head, |batch, _, log, chunks| {
                let results: Vec<_> = batch.par_iter().map(|b| row_block(b, &cols, method, o)).collect();
                let mut rows = 0;
                for (bytes, n, errs) in results {
                    for e in errs {
                        log.push(e);
                    }
                    if log.count == 0 {
                        rows += n;
                        chunks.push(bytes);
                    }
                }
                rows
            })
        }
        Method::Dsr => grouped(&name, o, blocks, sink, head, &DsrMethod { cols: &cols, o }),
        Method::Isr { rate, .. } => {
            let m = IsrMethod { cols: &cols, o, rate: *rate, reference };
            grouped(&name, o, blocks, sink, head, &m)
        }
        Method::Mean => grouped(&name, o, blocks, sink, head, &MeanMethod { cols: &cols, o }),
        Method::LifeExpectancy => grouped(&name, o, blocks, sink, head, &LifeExpectancyMethod { cols: &cols, o }),
        Method::Sii(sii) => grouped(&name, o, blocks, sink, head, &SiiMethod { cols: &cols, o, sii }),
        Method::Quantile { quantiles, invert } => {
            let m = QuantileMethod { cols: &cols, quantiles: *quantiles, invert: *invert };
            grouped(&name, o, blocks, sink, head, &m)
        }
        Method::Funnel { part: FunnelPart::Limits, statistic, years } => {
            let mut totals = FunnelTotals::default();
            drive(&name, o, blocks, sink, head, |batch, last, log, chunks| {
                add_funnel_totals(batch, &cols, *statistic, o, &mut totals, log);
                if !last || log.count > 0 {
                    return 0;
                }
                match assure_stats::funnel_limits(*statistic, &totals, o.multiplier, *years, &o.levels) {
                    Ok((rows, baseline)) => {
                        chunks.push(funnel_limit_rows(&rows, baseline));
                        rows.len() as u64
                    }
                    Err(e) => {
                        let message = format!("no funnel can be drawn (no rows, or no denominators above zero): {e}");
                        log.push(RowError { line: 1, column: String::new(), message });
                        0
                    }
                }
            })
        }
        Method::Funnel { part, statistic, years } => {
            // Significance against the average of all areas needs a first pass for it.
            let average = if *part == FunnelPart::Significance && !matches!(statistic, FunnelStatistic::Ratio(_)) {
                let mut totals = FunnelTotals::default();
                let nowhere = Sink::Discard(io::sink());
                drive(&name, o, blocks, nowhere, String::new(), |batch, _, log, _| {
                    add_funnel_totals(batch, &cols, *statistic, o, &mut totals, log);
                    0
                })?;
                let average =
                    totals.average().map_err(|e| anyhow::anyhow!("{name}: no average to compare with: {e}"))?;
                blocks = input.open(method, &o.levels)?.1;
                average
            } else {
                1.0
            };
            let f = FunnelRows { cols: &cols, statistic: *statistic, part: *part, years: *years, average, o };
            drive(&name, o, blocks, sink, head, |batch, _, log, chunks| {
                let results: Vec<_> = batch.par_iter().map(|b| f.block(b)).collect();
                let mut rows = 0;
                for (bytes, n, errs) in results {
                    for e in errs {
                        log.push(e);
                    }
                    if log.count == 0 {
                        rows += n;
                        chunks.push(bytes);
                    }
                }
                rows
            })
        }
    }
}

/// Where the input comes from: a file, or standard input (kept in a temporary file when
/// a method reads it twice).
struct Input {
    path: PathBuf,
    name: String,
    /// Standard input, copied for a second reading.
    _spool: Option<tempfile::NamedTempFile>,
}

impl Input {
    fn new(o: &Options, twice: bool) -> anyhow::Result<Input> {
        let name = o.input.display().to_string();
        if o.input == Path::new("-") && twice {
            let mut spool =
                tempfile::NamedTempFile::new().context("cannot make a temporary file for standard input")?;
            io::copy(&mut io::stdin().lock(), spool.as_file_mut()).context("reading standard input")?;
            return Ok(Input { path: spool.path().to_owned(), name, _spool: Some(spool) });
        }
        Ok(Input { path: o.input.clone(), name, _spool: None })
    }

    /// Open the input at its first data row: its header's columns and its blocks.
    fn open(
        &self,
        method: &Method,
        levels: &[ConfidenceLevel],
    ) -> anyhow::Result<(Columns, Blocks<Box<dyn Read + Send>>)> {
        let bar = crate::progress::stats_bar();
        let input: Box<dyn Read + Send> = if self.path == Path::new("-") {
            assure_app::Progress::start(bar, "reading", None);
            Box::new(crate::progress::Counted::new(io::stdin(), bar))
        } else {
            let file = std::fs::File::open(&self.path).with_context(|| format!("cannot open {}", self.name))?;
            let size = file.metadata().ok().map(|m| m.len());
            assure_app::Progress::start(bar, "reading", size);
            Box::new(crate::progress::Counted::new(file, bar))
        };
        let mut reader = BufReader::with_capacity(1 << 16, input);
        let cols = read_header(&mut reader, method, levels).with_context(|| self.name.clone())?;
        // Whatever the header read left in the buffer goes first.
        let rest: Box<dyn Read + Send> = Box::new(io::Cursor::new(reader.buffer().to_vec()).chain(reader.into_inner()));
        Ok((cols, Blocks { reader: rest, carry: Vec::new(), next_line: 2, done: false }))
    }
}

/// Parse a funnel row: its numerator and funnel denominator (none for a DSR without events).
fn funnel_row(
    rec: &csv::ByteRecord,
    cols: &Columns,
    statistic: FunnelStatistic,
    o: &Options,
    line: u64,
    errors: &mut Vec<RowError>,
) -> Option<(f64, Option<f64>)> {
    let x = number(rec, cols.numerator, "numerator", line, errors);
    let rate = matches!(statistic, FunnelStatistic::Rate(_));
    let n = if rate && cols.has_denominator {
        optional_number(rec, cols.denominator, "denominator", line, errors)
    } else if rate {
        None
    } else {
        number(rec, cols.denominator, "denominator", line, errors)
    };
    let r = if rate { optional_number(rec, cols.rate, "rate", line, errors) } else { None };
    let x = x?;
    if rate && x > 0.0 && r.is_none() {
        errors.push(RowError { line, column: "rate".into(), message: "is missing (there are events)".into() });
        return None;
    }
    if rate && x == 0.0 && n.is_none() && statistic == FunnelStatistic::Rate(RateType::Crude) {
        errors.push(RowError {
            line,
            column: "denominator".into(),
            message: "is needed where there are no events (the rate cannot give the population)".into(),
        });
        return None;
    }
    match assure_stats::funnel_denominator(statistic, x, n, r, o.multiplier) {
        Ok(d) => Some((x, d)),
        Err(e) => {
            errors.push(stats_error(e, line));
            None
        }
    }
}

/// Add a batch of blocks to the funnel's totals, in parallel.
fn add_funnel_totals(
    batch: &[Block],
    cols: &Columns,
    statistic: FunnelStatistic,
    o: &Options,
    totals: &mut FunnelTotals,
    log: &mut ErrorLog,
) {
    let results: Vec<(FunnelTotals, Vec<RowError>)> = batch
        .par_iter()
        .map(|b| {
            let mut t = FunnelTotals::default();
            let mut errors = Vec::new();
            each_record(b, &mut errors, |rec, line, errors| {
                if let Some((x, d)) = funnel_row(rec, cols, statistic, o, line, errors) {
                    t.add(x, d);
                }
            });
            (t, errors)
        })
        .collect();
    for (t, errors) in results {
        totals.merge(&t);
        for e in errors {
            log.push(e);
        }
    }
}

/// The rows of a funnel's limits.
fn funnel_limit_rows(rows: &[assure_stats::FunnelLimit], baseline: Option<f64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * 200);
    let mut fmt = ryu::Buffer::new();
    for r in rows {
        out.extend_from_slice(fmt.format(r.x).as_bytes());
        for i in r.limits.iter().chain(&r.populations) {
            out.push(b',');
            out.extend_from_slice(fmt.format(i.lower).as_bytes());
            out.push(b',');
            out.extend_from_slice(fmt.format(i.upper).as_bytes());
        }
        if let Some(b) = baseline {
            out.push(b',');
            out.extend_from_slice(fmt.format(b).as_bytes());
        }
        out.push(b'\n');
    }
    out
}

/// Funnel points or significance, row by row.
struct FunnelRows<'a> {
    cols: &'a Columns,
    statistic: FunnelStatistic,
    part: FunnelPart,
    years: f64,
    average: f64,
    o: &'a Options,
}

impl FunnelRows<'_> {
    fn block(&self, block: &Block) -> (Vec<u8>, u64, Vec<RowError>) {
        let mut out = Vec::with_capacity(block.data.len() * 2);
        let mut errors = Vec::new();
        let mut fmt = ryu::Buffer::new();
        let mut rows = 0;
        each_record(block, &mut errors, |rec, line, errors| {
            let Some((x, d)) = funnel_row(rec, self.cols, self.statistic, self.o, line, errors) else { return };
            if !errors.is_empty() {
                return;
            }
            write_id(&mut out, field(rec, self.cols.id));
            out.push(b',');
            match (self.part, self.statistic) {
                (FunnelPart::Points, FunnelStatistic::Rate(kind)) => {
                    let n = if self.cols.has_denominator {
                        optional_number(rec, self.cols.denominator, "denominator", line, errors)
                    } else {
                        None
                    };
                    let r = optional_number(rec, self.cols.rate, "rate", line, errors).unwrap_or(0.0);
                    match assure_stats::funnel_point(kind, x, n, r, self.o.multiplier, self.years) {
                        Ok(Some((rate, population))) => {
                            out.extend_from_slice(fmt.format(rate).as_bytes());
                            out.push(b',');
                            out.extend_from_slice(fmt.format(population).as_bytes());
                        }
                        Ok(None) => out.push(b','),
                        Err(e) => errors.push(stats_error(e, line)),
                    }
                }
                _ => {
                    let s = assure_stats::funnel_significance(self.statistic, x, d, self.average, &self.o.levels);
                    out.extend_from_slice(s.as_bytes());
                }
            }
            out.push(b'\n');
            rows += 1;
        });
        (out, rows, errors)
    }
}

/// Run a grouped method.
fn grouped<M: Grouped>(
    name: &str,
    o: &Options,
    blocks: Blocks<Box<dyn Read + Send>>,
    sink: Sink,
    head: String,
    m: &M,
) -> anyhow::Result<u64> {
    let mut stitch = Stitch::new();
    drive(name, o, blocks, sink, head, |batch, last, log, chunks| stitch.batch(m, batch, last, log, chunks))
}

/// Read blocks, hand them in batches to `process` (which returns the rows it queued in
/// `chunks`), write the results in order, and report every problem found.
fn drive(
    name: &str,
    o: &Options,
    blocks: Blocks<Box<dyn Read + Send>>,
    sink: Sink,
    head: String,
    mut process: impl FnMut(&[Block], bool, &mut ErrorLog, &mut Chunks) -> u64,
) -> anyhow::Result<u64> {
    let (blocks, reader_thread) = spawn_reader(blocks);
    let direct = sink.is_direct();
    let (to_writer, writer_thread) = spawn_writer(sink, head);
    let batch_size = rayon::current_num_threads().max(1) * 2;
    let mut log = ErrorLog::default();
    let mut rows = 0u64;
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
        rows += process(&batch, last, &mut log, &mut chunks);
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

//! Observations of an indicator: one value for one area, period and breakdown, read
//! from CSV with every problem reported by line and column.
//!
//! The CSV has a header row naming its columns, in any order: `indicator`, `area`,
//! `period` (required), and `breakdown`, `value`, `lower`, `upper`, `numerator`,
//! `denominator`, `note`, `source` (optional). Unknown columns are an error, so a
//! misspelt header cannot silently drop data.

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::period::Period;

/// What identifies an observation: at most one value per indicator, area, period and breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObservationKey {
    /// The indicator (or indicator part) id in the plan.
    pub indicator: String,
    /// The area: an ONS/ODS code such as `E06000035`, or an area id of the plan.
    pub area: String,
    /// The period as written (`2023/24`, `2024`, `2020-22`, `2024 Q1` …); it must parse.
    pub period: String,
    /// The breakdown (`sex=female`, `age=65+`, `imd_quintile=1` …); empty for everyone.
    #[serde(default)]
    pub breakdown: String,
}

/// One observation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// What it is of.
    #[serde(flatten)]
    pub key: ObservationKey,
    /// The value (a percentage, a rate, a count …), if not suppressed.
    pub value: Option<f64>,
    /// Lower confidence limit.
    pub lower: Option<f64>,
    /// Upper confidence limit.
    pub upper: Option<f64>,
    /// Numerator (count of events).
    pub numerator: Option<f64>,
    /// Denominator (population).
    pub denominator: Option<f64>,
    /// A note (e.g. why a value is missing).
    pub note: Option<String>,
    /// Where the value comes from.
    pub source: Option<String>,
    /// Made up to show the product working (`assure demo-data`), not official statistics.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub illustrative: bool,
    /// The line of the file it was read from; not stored.
    #[serde(skip)]
    pub line: u64,
}

/// The columns, in the order Assure writes them.
pub const CSV_COLUMNS: [&str; 11] = [
    "indicator",
    "area",
    "period",
    "breakdown",
    "value",
    "lower",
    "upper",
    "numerator",
    "denominator",
    "note",
    "source",
];

/// Read observations from CSV. `name` is the file name used in messages. Returns every
/// row, or the problems (each with its line, column and field), never a part of the file.
pub fn read_csv(input: impl std::io::Read, name: &str) -> Result<Vec<Observation>, Diagnostics> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(input);
    let headers = match reader.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(Diagnostic::new(name, e.to_string()).at(1, 1).into()),
    };
    let index = columns(&headers, name)?;
    read_rows(reader, name, &index, &CSV_COLUMNS, Diagnostics::new(), assure_row)
}

/// Where each of [`CSV_COLUMNS`] is in a header row, or its problems (an unknown or
/// repeated column, a required one missing).
pub(crate) fn columns(headers: &csv::ByteRecord, name: &str) -> Result<Vec<Option<usize>>, Diagnostics> {
    let mut problems = Diagnostics::new();
    let mut index = vec![None::<usize>; CSV_COLUMNS.len()];
    for (i, h) in headers.iter().enumerate() {
        let h = String::from_utf8_lossy(h).trim().to_ascii_lowercase();
        match CSV_COLUMNS.iter().position(|c| *c == h) {
            Some(c) if index[c].is_some() => {
                problems.push(Diagnostic::new(name, format!("column '{h}' appears twice")).at(1, i + 1))
            }
            Some(c) => index[c] = Some(i),
            None => problems.push(
                Diagnostic::new(name, format!("unknown column '{h}' (expected some of: {})", CSV_COLUMNS.join(", ")))
                    .at(1, i + 1),
            ),
        }
    }
    for (c, col) in CSV_COLUMNS.iter().enumerate().take(3) {
        if index[c].is_none() {
            problems.push(Diagnostic::new(name, format!("required column '{col}' is missing")).at(1, 1));
        }
    }
    problems.or_ok(index)
}

/// One record of Assure's layout as an observation, its problems reported through the row.
pub(crate) fn assure_row(row: &mut Row<'_>) -> Observation {
    let indicator = row.required(0);
    let area = row.required(1);
    let period = row.required(2);
    if !period.is_empty()
        && let Err(e) = Period::parse(&period)
    {
        row.problem(2, e.to_string());
    }
    let obs = Observation {
        key: ObservationKey { indicator, area, period, breakdown: row.text(3).unwrap_or_default() },
        value: row.number(4),
        lower: row.number(5),
        upper: row.number(6),
        numerator: row.number(7),
        denominator: row.number(8),
        note: row.text(9),
        source: row.text(10),
        illustrative: false,
        line: row.line(),
    };
    row.check_interval(&obs, 4, 5);
    obs
}

/// Write observations as CSV in [`CSV_COLUMNS`], which [`read_csv`] reads back (each
/// cell made safe for a spreadsheet by [`crate::spreadsheet::neutralise`], so a note that
/// looked like a formula reads back with its leading `'`); with
/// `illustrative_column`, a last column `illustrative` says `yes` for illustrative rows
/// (a download for people, not for re-import).
pub fn write_csv(out: impl std::io::Write, rows: &[Observation], illustrative_column: bool) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = CSV_COLUMNS.to_vec();
    if illustrative_column {
        header.push("illustrative");
    }
    w.write_record(&header)?;
    let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for o in rows {
        let mut record = vec![
            o.key.indicator.clone(),
            o.key.area.clone(),
            o.key.period.clone(),
            o.key.breakdown.clone(),
            num(o.value),
            num(o.lower),
            num(o.upper),
            num(o.numerator),
            num(o.denominator),
            o.note.clone().unwrap_or_default(),
            o.source.clone().unwrap_or_default(),
        ];
        if illustrative_column {
            record.push(if o.illustrative { "yes".to_owned() } else { String::new() });
        }
        w.write_record(record.iter().map(|cell| crate::spreadsheet::neutralise(cell).into_owned()))?;
    }
    w.flush()?;
    Ok(())
}

/// The longest value of a key column (indicator, area, period, sex, age, category),
/// so that a breakdown made of them stays well inside an index entry.
pub const MAX_KEY_CHARS: usize = 200;

/// The longest note or source.
pub const MAX_NOTE_CHARS: usize = 2000;

/// A value as quoted in a message: at most 40 characters of it, so that a bad 20 MB cell
/// does not become a 20 MB message.
pub fn excerpt(s: &str) -> String {
    const SHOWN: usize = 40;
    if s.chars().count() <= SHOWN { s.to_owned() } else { format!("{}…", s.chars().take(SHOWN).collect::<String>()) }
}

/// Read every record after the header, making an observation of each with `build`
/// (which reports its problems through the row). Returns every row, or the problems
/// (past [`Diagnostics::LISTED`] only counted), never a part of the file.
pub(crate) fn read_rows<R: std::io::Read>(
    mut reader: csv::Reader<R>,
    name: &str,
    index: &[Option<usize>],
    names: &[&str],
    mut problems: Diagnostics,
    mut build: impl FnMut(&mut Row<'_>) -> Observation,
) -> Result<Vec<Observation>, Diagnostics> {
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    while next_record(&mut reader, &mut record, name, &mut problems) {
        let mut row = Row { name, record: &record, index, names, problems: &mut problems };
        rows.push(build(&mut row));
    }
    problems.or_ok(rows)
}

/// Read the next record that parses into `record`, reporting those that do not; false at
/// the end of the input, or after an error reading it (which is reported).
pub(crate) fn next_record<R: std::io::Read>(
    reader: &mut csv::Reader<R>,
    record: &mut csv::ByteRecord,
    name: &str,
    problems: &mut Diagnostics,
) -> bool {
    loop {
        match reader.read_byte_record(record) {
            Ok(more) => return more,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let io = matches!(e.kind(), csv::ErrorKind::Io(_));
                problems.push(Diagnostic { column: Some(1), ..Diagnostic::new(name, e.to_string()).on_line(line) });
                if io {
                    // The input itself failed: reading on would fail again, forever.
                    return false;
                }
            }
        }
    }
}

/// One CSV record being read, and where its problems go.
pub(crate) struct Row<'a> {
    pub(crate) name: &'a str,
    pub(crate) record: &'a csv::ByteRecord,
    /// The record's field for each known column, if the file has it.
    pub(crate) index: &'a [Option<usize>],
    /// The known columns' names, for messages.
    pub(crate) names: &'a [&'a str],
    pub(crate) problems: &'a mut Diagnostics,
}

impl Row<'_> {
    pub(crate) fn line(&self) -> u64 {
        self.record.position().map_or(0, |p| p.line())
    }

    /// Report a problem in the known column `c` of this record; the message need not
    /// name the column, the diagnostic's field does.
    pub(crate) fn problem(&mut self, c: usize, message: String) {
        let column = self.index[c].map_or(1, |i| i + 1);
        let d = Diagnostic::new(self.name, message).on_line(self.line()).in_field(self.names[c]);
        self.problems.push(Diagnostic { column: Some(column), ..d });
    }

    pub(crate) fn text(&mut self, c: usize) -> Option<String> {
        let i = self.index[c]?;
        let s = match std::str::from_utf8(self.record.get(i).unwrap_or_default()) {
            Ok(s) if s.trim().is_empty() => return None,
            Ok(s) => s.trim(),
            Err(_) => {
                self.problem(c, "is not valid UTF-8".to_owned());
                return None;
            }
        };
        // The same limits on both databases (PostgreSQL refuses a NUL byte and keys past
        // its index size; SQLite would store them): checked here, where the line is known.
        let free_text = self.names[c].contains("note") || self.names[c].contains("source");
        let (max, what) = if free_text { (MAX_NOTE_CHARS, "a note or source") } else { (MAX_KEY_CHARS, "this column") };
        if let Some(bad) = crate::delivery::forbidden_control(s, free_text) {
            self.problem(
                c,
                format!("contains the control character U+{:04X}, which no value may hold", u32::from(bad)),
            );
            return None;
        }
        let length = s.chars().count();
        if length > max {
            self.problem(c, format!("is {length} characters long; {what} takes at most {max}"));
            return None;
        }
        Some(s.to_owned())
    }

    pub(crate) fn required(&mut self, c: usize) -> String {
        self.text(c).unwrap_or_else(|| {
            self.problem(c, "is empty (a value is required)".to_owned());
            String::new()
        })
    }

    /// Report a lower limit above the upper, or a value outside its interval, at the
    /// value's column `value` or the lower limit's column `lower`.
    pub(crate) fn check_interval(&mut self, obs: &Observation, value: usize, lower: usize) {
        if let (Some(l), Some(u)) = (obs.lower, obs.upper)
            && l > u
        {
            self.problem(lower, format!("{l} is above the upper limit {u}"));
        }
        if let (Some(v), Some(l), Some(u)) = (obs.value, obs.lower, obs.upper)
            && (v < l || v > u)
        {
            self.problem(value, format!("{v} is outside its interval {l} to {u}"));
        }
    }

    pub(crate) fn number(&mut self, c: usize) -> Option<f64> {
        let s = self.text(c)?;
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                self.problem(c, format!("'{}' is not a number", excerpt(&s)));
                None
            }
        }
    }
}

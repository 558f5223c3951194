//! The OHID Fingertips "all data" CSV: one row per indicator, area, sex, age, category
//! and period. Columns are found by name (newer exports add some, in any order); every
//! problem is reported with its line, column and field (a [`crate::Diagnostic`]).
//!
//! Rows are read as observations keyed by Fingertips' own identifiers: the indicator is
//! `fingertips:<Indicator ID>`, the area its `Area Code`, and the breakdown the row's
//! sex (unless `Persons`), age and category as `sex=Female; age=18+ yrs;
//! Deprivation deciles=Most deprived decile`. Mapping them to a plan's indicators and
//! areas is the caller's business.

use crate::diagnostic::{Diagnostic, Diagnostics};
use std::io::Read as _;

use crate::observation::{Observation, ObservationKey, Row, read_rows};
use crate::period::Period;

/// The columns read, by their Fingertips names.
pub const COLUMNS: [&str; 13] = [
    "Indicator ID",
    "Area Code",
    "Time period",
    "Sex",
    "Age",
    "Category Type",
    "Category",
    "Value",
    "Lower CI 95.0 limit",
    "Upper CI 95.0 limit",
    "Count",
    "Denominator",
    "Value note",
];
const REQUIRED: usize = 3;

/// The prefix of an observation's indicator read from Fingertips.
pub const INDICATOR_PREFIX: &str = "fingertips:";

/// Read a data file in either layout, told apart by its header: Fingertips' "all data"
/// CSV or Assure's own. Returns the layout's name (`fingertips`, `assure`) and the rows,
/// or the problems. [`DataReader`] reads the same row by row.
pub fn read_any(bytes: &[u8], name: &str) -> Result<(&'static str, Vec<Observation>), Diagnostics> {
    let mut reader = DataReader::open(bytes, name)?;
    let mut rows = Vec::new();
    while let Some(o) = reader.next_row() {
        rows.push(o);
    }
    let layout = reader.layout();
    reader.finish()?;
    Ok((layout, rows))
}

/// The encoding a file is in when it is plainly not UTF-8 (a byte-order mark, or the NUL
/// bytes of UTF-16 text), so that it is named instead of read as garbled column names.
fn other_encoding(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xFE, 0, 0, ..] => Some("UTF-32 (little-endian)"),
        [0, 0, 0xFE, 0xFF, ..] => Some("UTF-32 (big-endian)"),
        [0xFF, 0xFE, ..] => Some("UTF-16 (little-endian)"),
        [0xFE, 0xFF, ..] => Some("UTF-16 (big-endian)"),
        [_, 0, _, 0, ..] => Some("UTF-16 (little-endian)"),
        [0, _, 0, _, ..] => Some("UTF-16 (big-endian)"),
        _ => None,
    }
}

/// The two layouts a data file can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Fingertips,
    Assure,
}

/// A data file in either layout read one row at a time, so that a file of any size is
/// read in the same small memory: the header is checked when it is opened, then each
/// [`DataReader::next_row`] reads one record, reporting its problems (kept as
/// [`Diagnostics`]: the first 50, the rest counted) and [`DataReader::finish`] says
/// whether the file as a whole was good.
pub struct DataReader<R: std::io::Read> {
    reader: csv::Reader<std::io::Chain<std::io::Cursor<Vec<u8>>, R>>,
    layout: Layout,
    index: Vec<Option<usize>>,
    name: String,
    record: csv::ByteRecord,
    problems: Diagnostics,
    rows: u64,
}

impl<R: std::io::Read> DataReader<R> {
    /// Open `input` (named `name` in messages): its encoding and header checked, the
    /// layout chosen by the header; the header's problems if it is not one of them.
    pub fn open(mut input: R, name: &str) -> Result<DataReader<R>, Diagnostics> {
        // The first bytes tell a UTF-16 or UTF-32 file; they are read again as the start.
        let mut start = Vec::with_capacity(4);
        while start.len() < 4 {
            let mut byte = [0u8; 4];
            let wanted = 4 - start.len();
            match input.read(&mut byte[..wanted]) {
                Ok(0) => break,
                Ok(n) => start.extend_from_slice(&byte[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Diagnostic::new(name, format!("cannot be read: {e}")).into()),
            }
        }
        if let Some(encoding) = other_encoding(&start) {
            let message =
                format!("the file is {encoding} text, not UTF-8: save it as \"CSV UTF-8\" and import it again");
            return Err(Diagnostic::new(name, message).at(1, 1).into());
        }
        let input = std::io::Cursor::new(start).chain(input);
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(input);
        let headers = match reader.byte_headers() {
            Ok(h) => h.clone(),
            Err(e) => return Err(Diagnostic::new(name, e.to_string()).at(1, 1).into()),
        };
        let text: Vec<String> = headers.iter().map(|h| String::from_utf8_lossy(h).into_owned()).collect();
        let text: Vec<&str> = text.iter().map(String::as_str).collect();
        let (layout, index) = if is_fingertips_header(&text) {
            (Layout::Fingertips, columns(&headers, name)?)
        } else {
            (Layout::Assure, crate::observation::columns(&headers, name)?)
        };
        Ok(DataReader {
            reader,
            layout,
            index,
            name: name.to_owned(),
            record: csv::ByteRecord::new(),
            problems: Diagnostics::new(),
            rows: 0,
        })
    }

    /// The layout's name: `fingertips` or `assure`.
    pub fn layout(&self) -> &'static str {
        match self.layout {
            Layout::Fingertips => "fingertips",
            Layout::Assure => "assure",
        }
    }

    /// The next row, or `None` at the end of the file. A row with problems is returned
    /// too (its problems are in [`DataReader::problems`]); a record that is not CSV is
    /// reported and passed over.
    pub fn next_row(&mut self) -> Option<Observation> {
        if !crate::observation::next_record(&mut self.reader, &mut self.record, &self.name, &mut self.problems) {
            return None;
        }
        self.rows += 1;
        let names: &[&str] = match self.layout {
            Layout::Fingertips => &COLUMNS,
            Layout::Assure => &crate::observation::CSV_COLUMNS,
        };
        let mut row =
            Row { name: &self.name, record: &self.record, index: &self.index, names, problems: &mut self.problems };
        Some(match self.layout {
            Layout::Fingertips => fingertips_row(&mut row),
            Layout::Assure => crate::observation::assure_row(&mut row),
        })
    }

    /// The problems found so far.
    pub fn problems(&self) -> &Diagnostics {
        &self.problems
    }

    /// The rows read so far (records that are not CSV not counted).
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The input, read to its end, when every row read was good and there was at least
    /// one; else the problems.
    pub fn finish(self) -> Result<R, Diagnostics> {
        if !self.problems.is_empty() {
            return Err(self.problems);
        }
        if self.rows == 0 {
            let message = "the file has a header but no rows: there is nothing to import";
            return Err(Diagnostic::new(self.name, message).on_line(2).into());
        }
        Ok(self.reader.into_inner().into_inner().1)
    }
}

/// Whether a CSV header is Fingertips' "all data" layout.
pub fn is_fingertips_header(headers: &[&str]) -> bool {
    let has = |n: &str| headers.iter().any(|h| h.trim().trim_start_matches('\u{feff}').eq_ignore_ascii_case(n));
    has("Indicator ID") && has("Area Code")
}

/// Fingertips writes rolling periods as `2020 - 22` and quarters as `2023/24 Q1`.
fn period(text: &str) -> String {
    text.replace(" - ", "-")
}

/// Read a Fingertips "all data" CSV. `name` is the file name used in messages. Returns
/// every row, or the problems (each with its line, column and field), never a part of the file.
pub fn read_csv(input: impl std::io::Read, name: &str) -> Result<Vec<Observation>, Diagnostics> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(input);
    let headers = match reader.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(Diagnostic::new(name, e.to_string()).at(1, 1).into()),
    };
    let index = columns(&headers, name)?;
    read_rows(reader, name, &index, &COLUMNS, Diagnostics::new(), fingertips_row)
}

/// Where each of [`COLUMNS`] is in a header row, or its problems (a repeated column, a
/// required one missing).
fn columns(headers: &csv::ByteRecord, name: &str) -> Result<Vec<Option<usize>>, Diagnostics> {
    let mut index = vec![None::<usize>; COLUMNS.len()];
    let mut problems = Diagnostics::new();
    for (i, h) in headers.iter().enumerate() {
        let h = String::from_utf8_lossy(h);
        let h = h.trim().trim_start_matches('\u{feff}');
        if let Some(c) = COLUMNS.iter().position(|c| c.eq_ignore_ascii_case(h)) {
            match index[c] {
                // Which of two columns of one name holds the data cannot be told: say so.
                Some(first) => problems.push(
                    Diagnostic::new(name, format!("column '{h}' appears twice (columns {} and {})", first + 1, i + 1))
                        .at(1, i + 1),
                ),
                None => index[c] = Some(i),
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let problems: Diagnostics = COLUMNS
        .iter()
        .zip(&index)
        .enumerate()
        .filter(|(c, (_, i))| i.is_none() && (*c < REQUIRED || *c == 7))
        .map(|(_, (col, _))| Diagnostic::new(name, format!("required column '{col}' is missing")).at(1, 1))
        .collect();
    problems.or_ok(index)
}

/// One record of Fingertips' layout as an observation, its problems reported through the row.
fn fingertips_row(row: &mut Row<'_>) -> Observation {
    let indicator = row.required(0);
    if !indicator.is_empty() && indicator.parse::<u32>().is_err() {
        row.problem(0, format!("'{indicator}' is not a number"));
    }
    let area = row.required(1);
    let period = period(&row.required(2));
    if !period.is_empty()
        && let Err(e) = Period::parse(&period)
    {
        row.problem(2, e.to_string());
    }
    let mut breakdown = Vec::new();
    if let Some(sex) = row.text(3).filter(|s| !s.eq_ignore_ascii_case("persons")) {
        breakdown.push(format!("sex={sex}"));
    }
    if let Some(age) = row.text(4) {
        breakdown.push(format!("age={age}"));
    }
    if let (Some(kind), Some(category)) = (row.text(5), row.text(6)) {
        breakdown.push(format!("{kind}={category}"));
    }
    let obs = Observation {
        key: ObservationKey {
            indicator: format!("{INDICATOR_PREFIX}{indicator}"),
            area,
            period,
            breakdown: breakdown.join("; "),
        },
        value: row.number(7),
        lower: row.number(8),
        upper: row.number(9),
        numerator: row.number(10),
        denominator: row.number(11),
        note: row.text(12),
        source: Some(format!("OHID Fingertips indicator {indicator}")),
        illustrative: false,
        line: row.line(),
    };
    row.check_interval(&obs, 7, 8);
    obs
}

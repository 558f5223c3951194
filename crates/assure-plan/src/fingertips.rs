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
use crate::observation::{Observation, ObservationKey, read_rows};
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

/// Whether a header row is Fingertips' (it names `Indicator ID` and `Area Code`).
/// Read a data file in either layout, told apart by its header: Fingertips' "all data"
/// CSV or Assure's own. Returns the layout's name (`fingertips`, `assure`) and the rows,
/// or the problems.
pub fn read_any(bytes: &[u8], name: &str) -> Result<(&'static str, Vec<Observation>), Diagnostics> {
    if let Some(encoding) = other_encoding(bytes) {
        let message = format!("the file is {encoding} text, not UTF-8: save it as \"CSV UTF-8\" and import it again");
        return Err(Diagnostic::new(name, message).at(1, 1).into());
    }
    let (layout, rows) = read_layout(bytes, name)?;
    if rows.is_empty() {
        let message = "the file has a header but no rows: there is nothing to import";
        return Err(Diagnostic::new(name, message).on_line(2).into());
    }
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

fn read_layout(bytes: &[u8], name: &str) -> Result<(&'static str, Vec<Observation>), Diagnostics> {
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let header = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(first_line)
        .records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(str::to_owned).collect::<Vec<_>>())
        .unwrap_or_default();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    if is_fingertips_header(&header) {
        read_csv(bytes, name).map(|rows| ("fingertips", rows))
    } else {
        crate::observation::read_csv(bytes, name).map(|rows| ("assure", rows))
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
    let mut index = [None::<usize>; COLUMNS.len()];
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
    if !problems.is_empty() {
        return Err(problems);
    }

    read_rows(reader, name, &index, &COLUMNS, problems, |row| {
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
    })
}

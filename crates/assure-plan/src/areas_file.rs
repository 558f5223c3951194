//! Areas from a file: the CSV or `.xlsx` an ICS keeps of its primary care networks, GP
//! practices and localities, read and merged into a plan with every problem by line.
//!
//! The columns are [`COLUMNS`]: `code`, `name`, `kind` and `parent` are required, the
//! rest optional, in any order, with a header row (names case-insensitive). A row whose
//! code is already an area of the plan **updates** that area (its name, kind and parent
//! become the row's, and so do its codes, aliases and dates where the file has their
//! columns, an empty cell emptying the field; a column the file lacks leaves the field,
//! and the source line and member areas are kept), so the same file can be loaded again
//! after a PCN is renamed; a code twice in
//! the file is a problem. Every problem is collected — unknown kind, unknown parent
//! (neither in the file nor in the plan), duplicate code, ONS or ODS code, a chain of
//! parents that comes back to itself, a malformed code or date, an empty name — and
//! [`merge_areas_file`] returns the merged plan only when there are none.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use serde::Serialize;

use crate::model::{Area, AreaKind, Plan, Sp, ods_code_problem, ons_code_problem};
use crate::{Diagnostic, Diagnostics};

/// The columns of an areas file: (name, required, what it holds).
pub const COLUMNS: [(&str, bool, &str); 9] = [
    ("code", true, "the area's id in Assure: lower-case letters, digits and hyphens (pcn-ashford)"),
    ("name", true, "its name (Ashford PCN)"),
    ("kind", true, "pcn, practice or locality (or nhs_region, ics, sub_icb, county, unitary, district, hcp)"),
    ("parent", true, "the code of the area it lies in, in the file or already in the plan (empty for none)"),
    ("ons", false, "its ONS code, a letter E and eight digits (E07000105)"),
    ("ods", false, "its ODS code (a practice's G82001, a PCN's U12345)"),
    ("aliases", false, "other names data files use for it, separated by ;"),
    ("valid_from", false, "the first day it existed in this form (2024-04-01)"),
    ("valid_to", false, "the last day it existed in this form"),
];

/// A template for the file: the header row and two example rows.
pub const TEMPLATE_CSV: &str = "code,name,kind,parent,ons,ods,aliases,valid_from,valid_to\n\
pcn-example,Example PCN,pcn,west-kent-hcp,,U12345,Example Primary Care Network,2024-04-01,\n\
practice-example,Example Surgery,practice,pcn-example,,G82001,,,\n";

/// An area whose fields the file changed: as it was and as it is.
#[derive(Debug, Clone, Serialize)]
pub struct AreaChange {
    /// The area before.
    pub before: Area,
    /// The area after.
    pub after: Area,
}

impl AreaChange {
    /// The fields that differ, as the file writes them: (column, before, after).
    pub fn fields(&self) -> Vec<(&'static str, String, String)> {
        let columns = |a: &Area| {
            [
                ("name", a.name.clone()),
                ("kind", a.kind.as_str().to_owned()),
                ("parent", a.parent.as_ref().map(|p| p.get_ref().clone()).unwrap_or_default()),
                ("ons", a.code.as_ref().map(|c| c.get_ref().clone()).unwrap_or_default()),
                ("ods", a.ods.clone().unwrap_or_default()),
                ("aliases", a.aliases.join("; ")),
                ("valid_from", a.valid_from.clone().unwrap_or_default()),
                ("valid_to", a.valid_to.clone().unwrap_or_default()),
            ]
        };
        columns(&self.before)
            .into_iter()
            .zip(columns(&self.after))
            .filter(|((_, b), (_, a))| a != b)
            .map(|((field, b), (_, a))| (field, b, a))
            .collect()
    }
}

/// What merging a file into a plan did: the plan with the file's areas, what was added
/// and what changed (rows that matched an area exactly are only counted).
#[derive(Debug, Clone)]
pub struct AreasMerge {
    /// The plan with the file's areas in it.
    pub plan: Plan,
    /// Areas new to the plan, in the file's order.
    pub added: Vec<Area>,
    /// Areas of the plan the file changed, in the file's order.
    pub changed: Vec<AreaChange>,
    /// Rows that matched an area of the plan field for field.
    pub unchanged: usize,
}

/// One data row as read: each cell as text, with its line (the spreadsheet's row).
struct Row {
    line: usize,
    cells: HashMap<&'static str, String>,
}

impl Row {
    fn get(&self, column: &str) -> &str {
        self.cells.get(column).map_or("", String::as_str)
    }

    fn opt(&self, column: &str) -> Option<String> {
        Some(self.get(column)).filter(|s| !s.is_empty()).map(str::to_owned)
    }
}

/// Read the areas file `file_name` (a `.xlsx` by its name or its content, otherwise
/// CSV) and merge its areas into `plan`; every problem in the file, by line and column,
/// when there is any.
pub fn merge_areas_file(plan: &Plan, file_name: &str, bytes: &[u8]) -> Result<AreasMerge, Diagnostics> {
    let mut problems: Vec<Diagnostic> = Vec::new();
    let problem = |line: usize, field: &str, message: String| {
        Diagnostic::new(file_name, message).on_line(line as u64).in_field(field)
    };
    let rows = match read_rows(file_name, bytes) {
        Ok(table) => table,
        Err(d) => {
            problems.push(d);
            return Err(by_line(problems));
        }
    };
    let (header_line, header) = match rows.first() {
        Some((line, header)) => (*line, header.clone()),
        None => {
            problems.push(Diagnostic::new(file_name, "the file is empty: it needs a header row and a row per area"));
            return Err(by_line(problems));
        }
    };
    // Which cell holds which column.
    let mut at: Vec<Option<&'static str>> = Vec::new();
    let mut seen = HashSet::new();
    for name in &header {
        let wanted = name.trim().to_ascii_lowercase();
        match COLUMNS.iter().find(|(c, _, _)| *c == wanted) {
            Some((c, _, _)) if !seen.insert(*c) => {
                problems.push(problem(header_line, c, format!("the column '{c}' is there twice")));
                at.push(None);
            }
            Some((c, _, _)) => at.push(Some(c)),
            None if wanted.is_empty() => at.push(None),
            None => {
                let known = COLUMNS.iter().map(|(c, _, _)| *c).collect::<Vec<_>>().join(", ");
                problems.push(problem(
                    header_line,
                    name.trim(),
                    format!("'{}' is not a column of an areas file (the columns are {known})", name.trim()),
                ));
                at.push(None);
            }
        }
    }
    for (c, required, _) in COLUMNS {
        if required && !seen.contains(c) {
            problems.push(problem(header_line, c, format!("the header row has no '{c}' column")));
        }
    }
    if !problems.is_empty() {
        return Err(by_line(problems));
    }
    let rows: Vec<Row> = rows[1..]
        .iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .map(|(line, cells)| Row {
            line: *line,
            cells: at
                .iter()
                .zip(cells)
                .filter_map(|(column, cell)| Some(((*column)?, cell.trim().to_owned())))
                .collect(),
        })
        .collect();
    if rows.is_empty() {
        problems.push(problem(header_line, "code", "the file has a header row but no areas".into()));
        return Err(by_line(problems));
    }

    // Codes first, so that a parent later in the file is known.
    let mut first_line: HashMap<&str, usize> = HashMap::new();
    for r in &rows {
        let code = r.get("code");
        if code.is_empty() {
            problems.push(problem(r.line, "code", "enter the area's code".into()));
        } else if !code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            || code.starts_with('-')
        {
            problems.push(problem(
                r.line,
                "code",
                format!(
                    "'{code}' is not an area code: use lower-case letters, digits and hyphens, such as pcn-ashford"
                ),
            ));
        } else if let Some(line) = first_line.get(code) {
            problems.push(problem(r.line, "code", format!("the code '{code}' is already on line {line} of the file")));
        } else {
            first_line.insert(code, r.line);
        }
    }

    let mut merged = plan.clone();
    let mut added = Vec::new();
    let mut changed = Vec::new();
    let mut unchanged = 0;
    let mut from_file: HashMap<String, usize> = HashMap::new();
    for r in &rows {
        let code = r.get("code");
        let before = problems.len();
        if r.get("name").is_empty() {
            problems.push(problem(r.line, "name", "enter the area's name".into()));
        }
        let kind = AreaKind::parse(&r.get("kind").to_ascii_lowercase());
        if kind.is_none() {
            let kinds = AreaKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ");
            let message = match r.get("kind") {
                "" => format!("enter the area's kind: one of {kinds}"),
                k => format!("'{k}' is not a kind of area: use one of {kinds}"),
            };
            problems.push(problem(r.line, "kind", message));
        }
        let parent = r.opt("parent");
        if let Some(p) = &parent {
            if p == code {
                problems.push(problem(r.line, "parent", format!("the area '{code}' cannot lie in itself")));
            } else if !first_line.contains_key(p.as_str()) && plan.area(p).is_none() {
                problems.push(problem(
                    r.line,
                    "parent",
                    format!("there is no area '{p}' in the file or in the plan: give the code of the area it lies in"),
                ));
            }
        }
        let ons = r.opt("ons");
        if let Some(problem_text) = ons.as_deref().and_then(ons_code_problem) {
            problems.push(problem(r.line, "ons", problem_text));
        }
        let ods = r.opt("ods");
        if let (Some(ods), Some(kind)) = (&ods, kind)
            && let Some(problem_text) = ods_code_problem(kind, ods)
        {
            problems.push(problem(r.line, "ods", problem_text));
        }
        let valid_from = r.opt("valid_from");
        let valid_to = r.opt("valid_to");
        for (field, value) in [("valid_from", &valid_from), ("valid_to", &valid_to)] {
            if let Some(v) = value
                && !is_date(v)
            {
                problems.push(problem(r.line, field, format!("'{v}' is not a date: write it as 2024-04-01")));
            }
        }
        if let (Some(from), Some(to)) = (&valid_from, &valid_to)
            && is_date(from)
            && is_date(to)
            && to < from
        {
            problems.push(problem(r.line, "valid_to", format!("{to} is before valid_from {from}")));
        }
        let aliases: Vec<String> =
            r.get("aliases").split(';').map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned).collect();
        // A row with a problem, or a second row of a code, is not merged.
        let (Some(kind), true) = (kind, problems.len() == before && first_line.get(code) == Some(&r.line)) else {
            continue;
        };
        let existing = merged.areas.iter().position(|a| a.id.get_ref() == code);
        let mut area = match existing {
            Some(i) => merged.areas[i].clone(),
            None => Area {
                id: Sp::new(0..0, code.to_owned()),
                name: String::new(),
                kind,
                code: None,
                ods: None,
                aliases: Vec::new(),
                parent: None,
                line: None,
                valid_from: None,
                valid_to: None,
                members: Vec::new(),
            },
        };
        r.get("name").clone_into(&mut area.name);
        area.kind = kind;
        // An optional column the file does not have leaves the field as it is; an empty
        // cell in a column it has empties it.
        if seen.contains("ons") {
            area.code = ons.map(|c| Sp::new(0..0, c));
        }
        if seen.contains("ods") {
            area.ods = ods;
        }
        if seen.contains("aliases") {
            area.aliases = aliases;
        }
        area.parent = parent.map(|p| Sp::new(0..0, p));
        if seen.contains("valid_from") {
            area.valid_from = valid_from;
        }
        if seen.contains("valid_to") {
            area.valid_to = valid_to;
        }
        from_file.insert(code.to_owned(), r.line);
        match existing {
            Some(i) if same_area(&merged.areas[i], &area) => unchanged += 1,
            Some(i) => {
                changed.push(AreaChange { before: merged.areas[i].clone(), after: area.clone() });
                merged.areas[i] = area;
            }
            None => {
                added.push(area.clone());
                merged.areas.push(area);
            }
        }
    }

    // Across the merged areas: codes another area has, and chains of parents.
    for (label, field, code_of) in [
        ("ONS", "ons", (|a: &Area| a.code.as_ref().map(|c| c.get_ref().clone())) as fn(&Area) -> Option<String>),
        ("ODS", "ods", |a: &Area| a.ods.clone()),
    ] {
        let mut holder: HashMap<String, &Area> = HashMap::new();
        for a in &merged.areas {
            let Some(code) = code_of(a) else { continue };
            match holder.get(&code) {
                Some(other) => {
                    // Reported on the file's row (the later one when both are in the file).
                    let line = from_file.get(a.id.get_ref()).or_else(|| from_file.get(other.id.get_ref()));
                    if let Some(line) = line {
                        let (mine, theirs) =
                            if from_file.contains_key(a.id.get_ref()) { (a, *other) } else { (*other, a) };
                        problems.push(problem(
                            *line,
                            field,
                            format!(
                                "the {label} code {code} of '{}' is already the code of '{}' ({})",
                                mine.id.get_ref(),
                                theirs.id.get_ref(),
                                theirs.name
                            ),
                        ));
                    }
                }
                None => {
                    holder.insert(code, a);
                }
            }
        }
    }
    for a in crate::query::areas_in_cycles(&merged.areas) {
        if let Some(line) = from_file.get(a.id.get_ref()) {
            problems.push(problem(
                *line,
                "parent",
                format!("the area '{}' would lie in itself: {}", a.id.get_ref(), chain(&merged.areas, a)),
            ));
        }
    }
    if problems.is_empty() {
        Ok(AreasMerge { plan: merged, added, changed, unchanged })
    } else {
        Err(by_line(problems))
    }
}

/// The problems in the order of the file's lines (those of one line in the order found).
fn by_line(mut found: Vec<Diagnostic>) -> Diagnostics {
    found.sort_by_key(|d| d.line);
    let mut problems = Diagnostics::new();
    for d in found {
        problems.push(d);
    }
    problems
}

/// `a → b → a`: the chain of parents from `a` back to itself.
fn chain(areas: &[Area], start: &Area) -> String {
    let mut names = vec![start.id.get_ref().as_str()];
    let mut at = start;
    while let Some(parent) = at.parent.as_ref().and_then(|p| areas.iter().find(|a| a.id.get_ref() == p.get_ref())) {
        names.push(parent.id.get_ref());
        if parent.id.get_ref() == start.id.get_ref() || names.len() > areas.len() {
            break;
        }
        at = parent;
    }
    names.join(" → ")
}

fn same_area(a: &Area, b: &Area) -> bool {
    // Serialised, spans are not compared (an `Sp`'s equality would compare them).
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

/// `YYYY-MM-DD`, a real day.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (s[..4].parse::<u32>(), s[5..7].parse::<u32>(), s[8..].parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// The file's rows as text cells, each with its line (1-based), the header first.
fn read_rows(file_name: &str, bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, Diagnostic> {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(file_name, bytes);
    }
    if lower.ends_with(".xls") || lower.ends_with(".ods") || lower.ends_with(".numbers") {
        return Err(Diagnostic::new(file_name, "save the spreadsheet as .xlsx or CSV to load it"));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Diagnostic::new(
            file_name,
            format!("the file is not UTF-8 text (byte {}): save it as \"CSV UTF-8\" or .xlsx", e.valid_up_to() + 1),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let d = Diagnostic::new(file_name, format!("not readable as CSV: {e}"));
            match e.position() {
                Some(p) => d.on_line(p.line()),
                None => d,
            }
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        rows.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(rows)
}

fn read_xlsx(file_name: &str, bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, Diagnostic> {
    use calamine::{Data, Reader, Xlsx};
    let unreadable =
        |e: &dyn std::fmt::Display| Diagnostic::new(file_name, format!("not readable as an .xlsx workbook: {e}"));
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let range = match book.worksheet_range_at(0) {
        Some(r) => r.map_err(|e| unreadable(&e))?,
        None => return Err(Diagnostic::new(file_name, "the workbook has no worksheet")),
    };
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let first_column = range.start().map_or(0, |(_, column)| column as usize);
    let mut rows = Vec::new();
    for (i, cells) in range.rows().enumerate() {
        // Columns before the used range are empty cells, so that positions match the header's.
        let mut row = vec![String::new(); first_column];
        for cell in cells {
            row.push(match cell {
                Data::Empty => String::new(),
                Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Int(n) => n.to_string(),
                Data::Float(f) => f.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(d) => excel_date(d.as_f64()),
                Data::Error(e) => format!("#{e:?}"),
            });
        }
        rows.push((first_row + i + 1, row));
    }
    Ok(rows)
}

/// An Excel serial date (days since 1899-12-30, for dates after February 1900) as
/// `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    // Days from 1970-01-01, then the civil date (Howard Hinnant's `civil_from_days`).
    let z = serial.floor() as i64 - 25_569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::{excel_date, is_date};

    #[test]
    fn excel_serial_dates_are_days_since_1899_12_30() {
        assert_eq!(excel_date(45_383.0), "2024-04-01");
        assert_eq!(excel_date(25_569.0), "1970-01-01");
        assert_eq!(excel_date(36_526.5), "2000-01-01");
    }

    #[test]
    fn dates_are_real_days() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2024-13-01"));
        assert!(!is_date("1/4/2024"));
    }
}

//! One problem found in an input (a plan file, an observation CSV, a Fingertips CSV,
//! an upload) with where it is, rendered one way everywhere:
//! `file:line:column: field: message`, leaving out what is not known.
//!
//! Line and column are `Option`s, not 0 for unknown: some sources know no column (rows
//! checked after reading keep their line only), some no line (generated rows, a
//! database refusing a batch), and a JSON client should read `null`, not a line 0 it
//! might show. [`Diagnostics`] is a capped list for files with very many problems: the
//! first [`Diagnostics::LISTED`] are kept and the rest only counted, so the count of
//! what was left out is data, not a fake diagnostic.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One problem, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The file (a path, or a name as uploaded).
    pub file: String,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// 1-based column (in characters for plan files, in fields for CSV), if known.
    pub column: Option<usize>,
    /// The field it is in (a CSV column such as `value` or `Time period`, a form field), if any.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl Diagnostic {
    /// A problem in `file`, nowhere more precise yet.
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { file: file.into(), line: None, column: None, field: None, message: message.into() }
    }

    /// The same problem at `line` and `column`.
    pub fn at(self, line: usize, column: usize) -> Diagnostic {
        Diagnostic { line: Some(line), column: Some(column), ..self }
    }

    /// The same problem on `line` (a line of 0, which no file has, leaves it unknown).
    pub fn on_line(self, line: u64) -> Diagnostic {
        Diagnostic { line: usize::try_from(line).ok().filter(|l| *l > 0), ..self }
    }

    /// The same problem in `field`.
    pub fn in_field(self, field: impl Into<String>) -> Diagnostic {
        Diagnostic { field: Some(field.into()), ..self }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        // A column without its line points nowhere, so it goes with the line.
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        f.write_str(": ")?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// The problems of one file: the first [`Diagnostics::LISTED`] kept, the rest counted.
///
/// A file that is wrong on every row would otherwise hold a message per row in memory,
/// and nobody reads past the first screenful.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diagnostics {
    listed: Vec<Diagnostic>,
    omitted: usize,
}

impl Diagnostics {
    /// How many problems are kept; further ones are only counted.
    pub const LISTED: usize = 50;

    /// No problems.
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    /// Add a problem: kept while fewer than [`Diagnostics::LISTED`] are, counted after.
    pub fn push(&mut self, d: Diagnostic) {
        if self.listed.len() < Self::LISTED {
            self.listed.push(d);
        } else {
            self.omitted += 1;
        }
    }

    /// The problems kept, in the order found.
    pub fn listed(&self) -> &[Diagnostic] {
        &self.listed
    }

    /// How many more problems were found than are listed.
    pub fn omitted(&self) -> usize {
        self.omitted
    }

    /// How many problems were found.
    pub fn total(&self) -> usize {
        self.listed.len() + self.omitted
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// The problems kept.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.listed.iter()
    }

    /// Two lists of one file's problems, each in line order, as one list in line order:
    /// the first [`Diagnostics::LISTED`] of both kept (they are among the listed of
    /// each), the rest counted. For problems found in separate passes over a file.
    pub fn merge_by_line(self, other: Diagnostics) -> Diagnostics {
        let omitted = self.omitted + other.omitted;
        let mut listed = self.listed;
        listed.extend(other.listed);
        // Stable: problems of one line keep the order they were found in.
        listed.sort_by_key(|d| d.line.unwrap_or(0));
        let extra = listed.len().saturating_sub(Self::LISTED);
        listed.truncate(Self::LISTED);
        Diagnostics { listed, omitted: omitted + extra }
    }

    /// `Ok(value)` when there are no problems, else `Err(self)`.
    pub fn or_ok<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        for d in iter {
            self.push(d);
        }
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Diagnostics {
        let mut all = Diagnostics::new();
        all.extend(iter);
        all
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics { listed: vec![d], omitted: 0 }
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.listed.iter()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.listed.into_iter()
    }
}

/// One problem a line, then how many more were left out, if any.
impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.listed.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        if self.omitted > 0 {
            write!(f, "\n… and {} more problem(s)", self.omitted)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_leaves_out_what_is_not_known() {
        let d = Diagnostic::new("a.csv", "'x' is not a number");
        assert_eq!(d.to_string(), "a.csv: 'x' is not a number");
        assert_eq!(d.clone().on_line(3).to_string(), "a.csv:3: 'x' is not a number");
        assert_eq!(d.clone().on_line(0).to_string(), "a.csv: 'x' is not a number");
        assert_eq!(d.clone().at(3, 5).to_string(), "a.csv:3:5: 'x' is not a number");
        assert_eq!(d.clone().at(3, 5).in_field("value").to_string(), "a.csv:3:5: value: 'x' is not a number");
        assert_eq!(d.in_field("value").to_string(), "a.csv: value: 'x' is not a number");
    }

    #[test]
    fn past_the_cap_problems_are_counted_not_kept() {
        let mut all = Diagnostics::new();
        for line in 1..=Diagnostics::LISTED + 3 {
            all.push(Diagnostic::new("a.csv", "bad").on_line(line as u64));
        }
        assert_eq!((all.listed().len(), all.omitted(), all.total()), (Diagnostics::LISTED, 3, Diagnostics::LISTED + 3));
        assert_eq!(all.listed().last().unwrap().line, Some(Diagnostics::LISTED));
        let text = all.to_string();
        assert!(text.starts_with("a.csv:1: bad\na.csv:2: bad\n"), "{text}");
        assert!(text.ends_with("\n… and 3 more problem(s)"), "{text}");
        assert_eq!(text.lines().count(), Diagnostics::LISTED + 1);
    }

    #[test]
    fn merged_by_line_keeps_the_first_problems_of_both_and_counts_the_rest() {
        let lines = |range: std::ops::Range<u64>| -> Diagnostics {
            range.map(|l| Diagnostic::new("a.csv", "bad").on_line(l)).collect()
        };
        let merged = lines(1..40).merge_by_line(lines(30..100));
        assert_eq!(merged.total(), 39 + 70);
        assert_eq!(merged.listed().len(), Diagnostics::LISTED);
        let shown: Vec<_> = merged.iter().map(|d| d.line.unwrap()).collect();
        assert!(shown.windows(2).all(|w| w[0] <= w[1]), "{shown:?}");
        assert_eq!(shown.last(), Some(&40));
    }

    #[test]
    fn serialises_unknown_places_as_null_and_the_omitted_count_as_data() {
        let all: Diagnostics = [Diagnostic::new("a.csv", "bad").on_line(2).in_field("area")].into_iter().collect();
        assert_eq!(
            serde_json::to_value(&all).unwrap(),
            serde_json::json!({
                "listed": [{"file": "a.csv", "line": 2, "column": null, "field": "area", "message": "bad"}],
                "omitted": 0
            })
        );
    }
}

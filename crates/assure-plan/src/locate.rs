//! Where a position in a canonical plan file is in the plan: which `[[table]]` entry
//! (and which nested entry) and which key, so that a problem `assure check` reports at
//! `indicators.toml:120:7` can be shown on the form field of the item it is about.
//!
//! It reads the files [`crate::write::to_files`] writes: one header per table
//! (`[[indicator]]`, `[indicator.target]`, `[[indicator.part]]`), then `key = value`
//! lines, arrays possibly over several lines, strings with line breaks as multi-line
//! strings. Nothing else is needed: a draft is checked as those files.

/// One step of a path into a plan file: a key, or the position in an array of tables.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    /// A key of a table.
    Key(String),
    /// The 0-based entry of an array of tables (`[[indicator]]`).
    Index(usize),
}

/// The path to a position: `indicator`, 3, `part`, 1, `target`, `kind` for the `kind` of
/// the second part's target of the fourth indicator. A position on a header line ends at
/// the table; a position on a key's line (or inside its value) ends with the key.
pub fn path_at(text: &str, line: usize) -> Vec<Step> {
    // Counts of the entries of each array of tables met so far, by the array's full path.
    let mut counts: std::collections::HashMap<Vec<Step>, usize> = std::collections::HashMap::new();
    let mut table: Vec<Step> = Vec::new();
    let mut key: Option<String> = None;
    // Inside a multi-line string (its delimiter) or a multi-line array (its depth).
    let mut in_string: Option<&str> = None;
    let mut depth = 0i32;
    for (i, raw) in text.lines().enumerate() {
        if i + 1 > line {
            break;
        }
        if let Some(delim) = in_string {
            if raw.contains(delim) {
                in_string = None;
            }
            continue;
        }
        if depth > 0 {
            depth += bracket_depth(raw);
            continue;
        }
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if let Some(name) = l.strip_prefix("[[").and_then(|r| r.strip_suffix("]]")) {
            let mut path = resolve(&table, name);
            let n = counts.entry(path.clone()).or_insert(0);
            path.push(Step::Index(*n));
            *n += 1;
            table = path;
            key = None;
            continue;
        }
        if let Some(name) = l.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            table = resolve(&table, name);
            key = None;
            continue;
        }
        if let Some((k, value)) = l.split_once('=') {
            key = Some(k.trim().trim_matches('"').to_owned());
            let value = value.trim();
            for delim in ["\"\"\"", "'''"] {
                if value.starts_with(delim) && value.matches(delim).count() == 1 {
                    in_string = Some(delim);
                }
            }
            if in_string.is_none() && value.starts_with('[') {
                depth = bracket_depth(value);
            }
        }
    }
    let mut path = table;
    path.extend(key.map(Step::Key));
    path
}

/// How many more `[` than `]` a line of an array opens, outside strings.
fn bracket_depth(line: &str) -> i32 {
    let (mut depth, mut quoted, mut escaped) = (0, false, false);
    for c in line.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth -= 1,
            _ => {}
        }
    }
    depth
}

/// The full path of a header's dotted name: each leading part is the table of the same
/// name in the current path, at its current entry (`indicator.part` under `indicator` 3
/// is `indicator`, 3, `part`).
fn resolve(current: &[Step], name: &str) -> Vec<Step> {
    let mut out = Vec::new();
    let parts: Vec<&str> = name.split('.').map(|p| p.trim().trim_matches('"')).collect();
    let mut rest = current;
    for (i, part) in parts.iter().enumerate() {
        out.push(Step::Key((*part).to_owned()));
        if i + 1 == parts.len() {
            break;
        }
        // Follow the current path: after the key, its index if it is an array of tables.
        if let Some(pos) = rest.iter().position(|s| *s == Step::Key((*part).to_owned())) {
            rest = &rest[pos + 1..];
            if let Some(Step::Index(n)) = rest.first() {
                out.push(Step::Index(*n));
                rest = &rest[1..];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Step, path_at};

    fn k(s: &str) -> Step {
        Step::Key(s.into())
    }

    const FILE: &str = "# header\n\n[[indicator]]\nid = \"a\"\nline = 3\n\n[indicator.target]\nkind = \"at_most\"\nvalue = 6.0\n\n[[indicator]]\nid = \"b\"\nstatement = \"\"\"\nfirst\n[[indicator]]\nlast\"\"\"\nplans = [\n    \"x\",\n    \"y\",\n]\n\n[[indicator.part]]\nid = \"b1\"\n\n[indicator.part.target]\nkind = \"zero\"\n\n[[indicator.part]]\nid = \"b2\"\n\n[indicator.part.target]\nvalue = 2.0\n\n[[indicator]]\nid = \"c\"\n";

    #[test]
    fn a_line_is_found_in_its_entry_and_key() {
        assert_eq!(path_at(FILE, 1), vec![]);
        assert_eq!(path_at(FILE, 3), vec![k("indicator"), Step::Index(0)]);
        assert_eq!(path_at(FILE, 4), vec![k("indicator"), Step::Index(0), k("id")]);
        assert_eq!(path_at(FILE, 9), vec![k("indicator"), Step::Index(0), k("target"), k("value")]);
        assert_eq!(path_at(FILE, 12), vec![k("indicator"), Step::Index(1), k("id")]);
        // Inside a multi-line string, even on a line that looks like a header.
        assert_eq!(path_at(FILE, 15), vec![k("indicator"), Step::Index(1), k("statement")]);
        // Inside an array over several lines.
        assert_eq!(path_at(FILE, 19), vec![k("indicator"), Step::Index(1), k("plans")]);
        assert_eq!(path_at(FILE, 23), vec![k("indicator"), Step::Index(1), k("part"), Step::Index(0), k("id")]);
        assert_eq!(
            path_at(FILE, 26),
            vec![k("indicator"), Step::Index(1), k("part"), Step::Index(0), k("target"), k("kind")]
        );
        assert_eq!(
            path_at(FILE, 32),
            vec![k("indicator"), Step::Index(1), k("part"), Step::Index(1), k("target"), k("value")]
        );
        // A new entry starts its parts afresh.
        assert_eq!(path_at(FILE, 35), vec![k("indicator"), Step::Index(2), k("id")]);
    }

    #[test]
    fn every_problem_of_a_written_plan_is_found_where_load_reports_it() {
        // The bundled plan's files, with a target value made a string the loader refuses:
        // the loader's line is the line of the key.
        let plan = crate::bundled().unwrap();
        let files = crate::write::to_files(&plan).unwrap();
        let indicators = &files.iter().find(|f| f.name == "indicators.toml").unwrap().text;
        let line = indicators.lines().position(|l| l.starts_with("value = 6.0")).unwrap() + 1;
        assert_eq!(path_at(indicators, line), vec![k("indicator"), Step::Index(0), k("target"), k("value")]);
    }
}

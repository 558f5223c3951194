//! Lists inside an item edited as one box of text, one record per line, its cells
//! separated by `|`: an outcome's narrative lists ("what we heard", "I" statements, notes,
//! aims, indicator themes), an area's members, an enabler commitment's rows.
//!
//! A line that reads exactly as one of the item's records did is that record, kept whole
//! (its source line and anything the line does not show); only a changed or new line is
//! read from its cells, and it has no source line (0). So a form saved unchanged changes
//! nothing.

use assure_plan::Plan;
use toml::{Table, Value};

/// The shape of the records of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records {
    /// One paragraph or bullet per line.
    Texts,
    /// "What we heard": one point per line, its sub-points on the lines after it, each
    /// starting `- `.
    Heard,
    /// "I" statements, one per line; a resident's quotation starts `Quote: `.
    Statements,
    /// An area's members: `area id | whole or part | which part` (the last optional).
    Members,
    /// An enabler commitment's rows: `ways we may deliver this | plan cell as written |
    /// delivering plan ids | led-by cell as written | organisations` (empty cells: none;
    /// an empty "as written" cell is made from the names).
    EnablerRows,
}

const SEP: &str = " | ";

impl Records {
    /// How a person fills the box in.
    pub const fn hint(self) -> &'static str {
        match self {
            Records::Texts => "One per line",
            Records::Heard => "One point per line; put its sub-points on the lines after it, each starting '- '",
            Records::Statements => "One per line; a resident's quotation starts 'Quote: '",
            Records::Members => "One area per line: its id | whole or part | which part (optional)",
            Records::EnablerRows => {
                "One row per line, five cells separated by '|': ways we may deliver this | the plan cell as \
                 written | delivering plan ids, separated by commas | the led-by cell as written | organisations \
                 by id, name or other name, separated by commas. Leave a cell empty where the row has none; an \
                 empty 'as written' cell is made from the names"
            }
        }
    }

    /// The records as a person edits them.
    pub fn show(self, value: &Value) -> String {
        let Value::Array(items) = value else { return String::new() };
        items.iter().filter_map(Value::as_table).map(|t| self.render(t)).collect::<Vec<_>>().join("\n")
    }

    /// One record as its line (or lines, for a point with sub-points).
    fn render(self, t: &Table) -> String {
        let s = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        let list = |k: &str| match t.get(k) {
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
            _ => String::new(),
        };
        match self {
            Records::Texts => s("text"),
            Records::Heard => {
                let items = match t.get("items") {
                    Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(|i| format!("\n- {i}")).collect(),
                    _ => String::new(),
                };
                format!("{}{items}", s("text"))
            }
            Records::Statements if s("kind") == "quote" => format!("Quote: {}", s("text")),
            Records::Statements => s("text"),
            Records::Members => {
                let mut cells = vec![s("area"), s("coverage")];
                if t.contains_key("note") {
                    cells.push(s("note"));
                }
                cells.join(SEP)
            }
            Records::EnablerRows => {
                [s("text"), s("plan_text"), list("plans"), s("led_by_text"), list("led_by")].join(SEP)
            }
        }
    }

    /// The records a box of text gives, keeping every unchanged record whole; a problem
    /// names the line of the box.
    pub fn parse(self, plan: &Plan, text: &str, old: Option<&Value>) -> Result<Value, String> {
        let mut kept: Vec<Option<(String, &Table)>> = match old {
            Some(Value::Array(items)) => {
                items.iter().filter_map(Value::as_table).map(|t| Some((self.normalise(&self.render(t)), t))).collect()
            }
            _ => Vec::new(),
        };
        let mut out = Vec::new();
        let mut problems = Vec::new();
        for (n, record) in self.group(text) {
            if let Some(slot) = kept.iter_mut().find(|k| k.as_ref().is_some_and(|(r, _)| *r == record)) {
                let (_, table) = slot.take().expect("found as Some");
                out.push(Value::Table(table.clone()));
                continue;
            }
            match self.read(plan, &record) {
                Ok(t) => out.push(Value::Table(t)),
                Err(message) => problems.push(format!("line {n}: {message}")),
            }
        }
        if problems.is_empty() { Ok(Value::Array(out)) } else { Err(problems.join("; ")) }
    }

    /// The records of a box, each with the number of its first line; blank lines skipped.
    fn group(self, text: &str) -> Vec<(usize, String)> {
        let mut out: Vec<(usize, String)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match (self, line.strip_prefix("- "), out.last_mut()) {
                (Records::Heard, Some(item), Some((_, last))) => {
                    last.push_str("\n- ");
                    last.push_str(item.trim());
                }
                _ => out.push((i + 1, self.normalise(line))),
            }
        }
        out
    }

    /// A line as [`Records::render`] would write it: cells trimmed, one space around `|`
    /// (an empty first cell, a line starting `| `).
    fn normalise(self, line: &str) -> String {
        match self {
            Records::Members | Records::EnablerRows => line.split('|').map(str::trim).collect::<Vec<_>>().join(SEP),
            _ => line.to_owned(),
        }
    }

    /// A new record from its text.
    fn read(self, plan: &Plan, record: &str) -> Result<Table, String> {
        let mut t = Table::new();
        let mut put = |k: &str, v: Value| {
            t.insert(k.to_owned(), v);
        };
        let string = |s: &str| Value::String(s.to_owned());
        match self {
            Records::Texts => {
                put("text", string(record));
                put("line", Value::Integer(0));
            }
            Records::Heard => {
                let mut lines = record.split("\n- ");
                put("text", string(lines.next().unwrap_or_default()));
                put("line", Value::Integer(0));
                let items: Vec<Value> = lines.map(string).collect();
                if !items.is_empty() {
                    put("items", Value::Array(items));
                }
            }
            Records::Statements => {
                let (kind, text) = match record.strip_prefix("Quote:") {
                    Some(q) => ("quote", q.trim()),
                    None => ("i_statement", record),
                };
                if text.is_empty() {
                    return Err("a quotation needs its words after 'Quote:'".into());
                }
                put("text", string(text));
                put("line", Value::Integer(0));
                put("kind", string(kind));
            }
            Records::Members => {
                let cells: Vec<&str> = record.split(SEP).collect();
                if !(2..=3).contains(&cells.len()) {
                    return Err(format!(
                        "give the area's id and 'whole' or 'part', separated by '|' (found {} cells)",
                        cells.len()
                    ));
                }
                let area = cells[0];
                if !plan.areas.iter().any(|a| a.id.get_ref() == area) {
                    return Err(format!("there is no area '{area}' in the draft"));
                }
                let coverage = cells[1].to_lowercase();
                if coverage != "whole" && coverage != "part" {
                    return Err(format!("'{}' is not 'whole' or 'part'", cells[1]));
                }
                put("area", string(area));
                put("coverage", string(&coverage));
                if let Some(note) = cells.get(2).filter(|n| !n.is_empty()) {
                    put("note", string(note));
                }
            }
            Records::EnablerRows => {
                let cells: Vec<&str> = record.split(SEP).map(str::trim).collect();
                if cells.len() != 5 {
                    return Err(format!("a row has five cells separated by '|' (found {})", cells.len()));
                }
                let [text, plan_text, plans, led_by_text, led_by] = [cells[0], cells[1], cells[2], cells[3], cells[4]];
                let mut problems = Vec::new();
                let mut plan_names = Vec::new();
                let mut plan_ids = Vec::new();
                for p in split(plans) {
                    match plan.delivering_plans.iter().find(|d| d.id.get_ref() == p) {
                        Some(d) => {
                            plan_names.push(d.name.clone());
                            plan_ids.push(string(d.id.get_ref()));
                        }
                        None => problems.push(format!("there is no delivering plan '{p}' in the draft")),
                    }
                }
                let mut org_names = Vec::new();
                let mut org_ids = Vec::new();
                for o in split(led_by) {
                    match plan.organisation(o) {
                        Some(org) => {
                            org_names.push(org.name.clone());
                            org_ids.push(string(org.id.get_ref()));
                        }
                        None => problems.push(format!("there is no organisation '{o}' in the draft")),
                    }
                }
                if !problems.is_empty() {
                    return Err(problems.join(", "));
                }
                if text.is_empty() && plan_ids.is_empty() && plan_text.is_empty() {
                    return Err("say what is delivered: the first cell, or a plan".into());
                }
                put("line", Value::Integer(0));
                if !text.is_empty() {
                    put("text", string(text));
                }
                let or_names = |written: &str, names: &[String]| {
                    if written.is_empty() { names.join(", ") } else { written.to_owned() }
                };
                let plan_cell = or_names(plan_text, &plan_names);
                if !plan_cell.is_empty() {
                    put("plan_text", string(&plan_cell));
                }
                put("plans", Value::Array(plan_ids));
                put("led_by_text", string(&or_names(led_by_text, &org_names)));
                put("led_by", Value::Array(org_ids));
            }
        }
        Ok(t)
    }
}

fn split(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(',').map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        assure_plan::bundled().unwrap()
    }

    #[test]
    fn an_unchanged_box_gives_back_the_same_records() {
        let p = plan();
        let outcome = Table::try_from(&p.outcomes[0]).unwrap();
        for (key, r) in [("heard", Records::Heard), ("statement", Records::Statements), ("aim", Records::Texts)] {
            let old = outcome.get(key).unwrap();
            assert_eq!(&r.parse(&p, &r.show(old), Some(old)).unwrap(), old, "{key}");
        }
        let enabler = Table::try_from(&p.enablers[0]).unwrap();
        let rows = enabler["commitment"].as_array().unwrap()[0].as_table().unwrap()["item"].clone();
        let shown = Records::EnablerRows.show(&rows);
        assert_eq!(Records::EnablerRows.parse(&p, &shown, Some(&rows)).unwrap(), rows);
        let area = p.areas.iter().find(|a| !a.members.is_empty()).unwrap();
        let members = Table::try_from(area).unwrap()["member"].clone();
        assert_eq!(Records::Members.parse(&p, &Records::Members.show(&members), Some(&members)).unwrap(), members);
    }

    #[test]
    fn a_changed_line_is_read_from_its_cells_and_the_rest_kept() {
        let p = plan();
        let outcome = Table::try_from(&p.outcomes[0]).unwrap();
        let old = outcome.get("statement").unwrap();
        let text = format!("{}\nQuote: It took three months to be seen", Records::Statements.show(old));
        let Value::Array(new) = Records::Statements.parse(&p, &text, Some(old)).unwrap() else { panic!() };
        assert_eq!(new.len(), old.as_array().unwrap().len() + 1);
        assert_eq!(new[0], old.as_array().unwrap()[0], "an unchanged line keeps its source line");
        let last = new.last().unwrap().as_table().unwrap();
        assert_eq!(last["kind"].as_str(), Some("quote"));
        assert_eq!(last["text"].as_str(), Some("It took three months to be seen"));
        assert_eq!(last["line"].as_integer(), Some(0));
    }

    #[test]
    fn a_point_takes_the_sub_points_under_it() {
        let p = plan();
        let Value::Array(new) =
            Records::Heard.parse(&p, "Waits are long\n- for GPs\n  - for dentists\n\nMore", None).unwrap()
        else {
            panic!()
        };
        assert_eq!(new.len(), 2);
        let items = new[0].as_table().unwrap()["items"].as_array().unwrap();
        assert_eq!(items.iter().filter_map(Value::as_str).collect::<Vec<_>>(), ["for GPs", "for dentists"]);
        assert!(!new[1].as_table().unwrap().contains_key("items"));
    }

    #[test]
    fn a_bad_cell_is_named_by_its_line() {
        let p = plan();
        let area = p.areas[0].id.get_ref().clone();
        let err =
            Records::Members.parse(&p, &format!("{area} | whole\natlantis | part\n{area} | most"), None).unwrap_err();
        assert!(err.contains("line 2: there is no area 'atlantis'"), "{err}");
        assert!(err.contains("line 3: 'most' is not 'whole' or 'part'"), "{err}");
        let err = Records::EnablerRows.parse(&p, "Do it |  | no-such-plan |  | kcc", None).unwrap_err();
        assert!(err.contains("line 1: there is no delivering plan 'no-such-plan'"), "{err}");
        let err = Records::EnablerRows.parse(&p, "Do it | kcc", None).unwrap_err();
        assert!(err.contains("five cells"), "{err}");
    }

    #[test]
    fn a_new_row_takes_names_for_empty_cells_as_written() {
        let p = plan();
        let Value::Array(new) =
            Records::EnablerRows.parse(&p, "Share data safely |  |  |  | kcc, Medway Council", None).unwrap()
        else {
            panic!()
        };
        let row = new[0].as_table().unwrap();
        assert_eq!(row["led_by"].as_array().unwrap().len(), 2);
        assert!(row["led_by_text"].as_str().unwrap().contains("Kent County Council"), "{row:?}");
        assert!(!row.contains_key("plan_text"));
    }
}

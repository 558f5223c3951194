//! The layout of each report's PDF, read back with poppler's `pdftotext -bbox-layout`,
//! with tables long enough to span pages (sixty overdue milestones a partner added): no
//! two lines of text overlap on any page, every row of those tables is printed exactly
//! as often as the report holds it, no page ends on a heading or a table's caption, and
//! every chart has its key.

use std::collections::HashMap;
use std::sync::LazyLock;

use assure_plan::delivery::AddedMilestone;
use assure_report::annual::annual;
use assure_report::deep_dive::{commitment, indicator};
use assure_report::document::Block;
use assure_report::place::{area, place};
use assure_report::{Inputs, Report};
use assure_tracking::delivery::Delivery;

use crate::deep_dive::{COMMITMENT, INDICATOR};
use crate::fixture::{FIXTURE, OFF_TRACK_PLAN};
use crate::pdf::pdftotext;
use crate::place::medway_rows;

/// How many milestones are added, all overdue: each is an exception, so the annual
/// report's exceptions table alone has more rows than a page holds.
pub const ADDED: usize = 60;

/// How much two lines' boxes may share (points, each way) before they overlap: the
/// boxes poppler gives a line reach from the font's ascender to its descender, so
/// neighbouring lines may touch.
const TOLERANCE: f64 = 1.5;

/// The first label of every chart's key: a trend's or an area chart's, and a funnel plot's.
const KEYS: [&str; 2] = ["Value with 95% interval", "99.8% control limits"];

/// The word that makes added milestone `n`'s title distinct; one word, so that it is
/// counted wherever a table cell wraps.
fn mark(n: usize) -> String {
    format!("S{n:03}")
}

/// The fixture's delivery, with [`ADDED`] milestones added to the Family Hub Programme
/// (led by Kent and Medway councils, delivering commitments of outcome 1), due long ago.
pub static LONG: LazyLock<Delivery> = LazyLock::new(|| {
    let f = &*FIXTURE;
    let added = (1..=ADDED)
        .map(|n| AddedMilestone {
            id: format!("{OFF_TRACK_PLAN}-added-{n}"),
            delivering_plan: OFF_TRACK_PLAN.to_owned(),
            title: format!("Open the family hub at site {}", mark(n)),
            due: "March 2024".to_owned(),
            created_by: "alice".to_owned(),
            created_at: "2024-01-10T09:00:00Z".to_owned(),
        })
        .collect();
    Delivery::new(f.delivery.updates().to_vec(), added, f.delivery.stale_days, f.delivery.approval_required)
});

fn inputs() -> Inputs<'static> {
    Inputs { delivery: &LONG, ..FIXTURE.inputs() }
}

/// A line of text as poppler found it: its box (points, y down) and its words.
struct Line {
    x_min: f64,
    y_min: f64,
    x_max: f64,
    y_max: f64,
    words: Vec<String>,
}

impl Line {
    fn text(&self) -> String {
        self.words.join(" ")
    }

    /// Whether the two boxes share more than [`TOLERANCE`] both across and down.
    fn overlaps(&self, other: &Line) -> bool {
        let across = self.x_max.min(other.x_max) - self.x_min.max(other.x_min);
        let down = self.y_max.min(other.y_max) - self.y_min.max(other.y_min);
        across > TOLERANCE && down > TOLERANCE
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// The value of an attribute in a tag's text.
fn attribute(tag: &str, name: &str) -> f64 {
    let start = tag.find(&format!("{name}=\"")).unwrap_or_else(|| panic!("no {name} in {tag}")) + name.len() + 2;
    let end = start + tag[start..].find('"').expect("a closing quote");
    tag[start..end].parse().unwrap_or_else(|e| panic!("{name} in {tag}: {e}"))
}

/// The pages of `pdftotext -bbox-layout`'s XHTML, each its lines.
fn parse(xhtml: &str) -> Vec<Vec<Line>> {
    let mut pages: Vec<Vec<Line>> = Vec::new();
    let mut rest = xhtml;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let end = rest.find('>').expect("a tag ends");
        let tag = &rest[..=end];
        rest = &rest[end + 1..];
        if tag.starts_with("<page ") {
            pages.push(Vec::new());
        } else if tag.starts_with("<line ") {
            let line = Line {
                x_min: attribute(tag, "xMin"),
                y_min: attribute(tag, "yMin"),
                x_max: attribute(tag, "xMax"),
                y_max: attribute(tag, "yMax"),
                words: Vec::new(),
            };
            pages.last_mut().expect("a line is on a page").push(line);
        } else if tag.starts_with("<word ") {
            let close = rest.find("</word>").expect("a word ends");
            let word = unescape(&rest[..close]);
            rest = &rest[close..];
            pages.last_mut().and_then(|p| p.last_mut()).expect("a word is in a line").words.push(word);
        }
    }
    pages
}

/// The report's PDF as pages of lines; `None` when `pdftotext` is missing (see [`pdftotext`]).
fn layout(report: &Report) -> Option<Vec<Vec<Line>>> {
    let pdf = assure_report::pdf::render(report).expect("the report typesets");
    Some(parse(&pdftotext(&pdf, &["-enc", "UTF-8", "-bbox-layout"])?))
}

/// Every piece of text the report holds, as the PDF writer is given it.
fn texts(r: &Report) -> Vec<&str> {
    let mut out = vec![r.title.as_str(), r.subtitle.as_str()];
    for s in &r.sections {
        out.push(&s.heading);
        for b in &s.blocks {
            match b {
                Block::Heading(t) | Block::Paragraph(t) => out.push(t),
                Block::List(items) => out.extend(items.iter().map(String::as_str)),
                Block::Table { caption, headers, rows } => {
                    out.push(caption);
                    out.extend(headers.iter().map(String::as_str));
                    out.extend(rows.iter().flatten().map(|c| c.text.as_str()));
                }
                Block::Chart { title, .. } => out.push(title),
            }
        }
    }
    out
}

/// How often each word occurs, trimmed of punctuation.
fn word_counts<'a>(words: impl Iterator<Item = &'a str>) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for w in words {
        *counts.entry(w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned()).or_insert(0) += 1;
    }
    counts
}

/// Whether a line is a page's number ("4 of 26").
fn is_page_number(line: &Line) -> bool {
    matches!(line.words.as_slice(), [a, of, b] if of == "of" && a.parse::<u32>().is_ok() && b.parse::<u32>().is_ok())
}

/// What is wrong with a report's pages, in words (empty when nothing is).
fn problems(name: &str, report: &Report, pages: &[Vec<Line>]) -> Vec<String> {
    let mut out = Vec::new();
    for (p, lines) in pages.iter().enumerate() {
        for (i, a) in lines.iter().enumerate() {
            for b in &lines[i + 1..] {
                if a.overlaps(b) {
                    out.push(format!(
                        "{name} page {}: '{}' ({:.1},{:.1})–({:.1},{:.1}) overprints '{}' ({:.1},{:.1})–({:.1},{:.1})",
                        p + 1,
                        a.text(),
                        a.x_min,
                        a.y_min,
                        a.x_max,
                        a.y_max,
                        b.text(),
                        b.x_min,
                        b.y_min,
                        b.x_max,
                        b.y_max
                    ));
                }
            }
        }
    }

    // Each added milestone is printed as often as the report holds it: once in each
    // table that lists it.
    let held = word_counts(texts(report).into_iter().flat_map(str::split_whitespace));
    let printed = word_counts(pages.iter().flatten().flat_map(|l| l.words.iter().map(String::as_str)));
    for n in 1..=ADDED {
        let m = mark(n);
        let (held, printed) = (held.get(&m).copied().unwrap_or(0), printed.get(&m).copied().unwrap_or(0));
        if held != printed {
            out.push(format!("{name}: milestone {m} is in the report {held} times but printed {printed} times"));
        }
    }

    // No page ends on a heading or a table's caption, away from what they introduce.
    let headings: Vec<&str> = report
        .sections
        .iter()
        .flat_map(|s| {
            std::iter::once(s.heading.as_str()).chain(s.blocks.iter().filter_map(|b| match b {
                Block::Heading(h) => Some(h.as_str()),
                _ => None,
            }))
        })
        .collect();
    let last_page = pages.len().saturating_sub(1);
    for (p, lines) in pages.iter().enumerate().take(last_page) {
        let Some(last) = lines.iter().filter(|l| !is_page_number(l)).max_by(|a, b| a.y_max.total_cmp(&b.y_max)) else {
            continue;
        };
        let text = last.text();
        let caption =
            text.strip_prefix("Table ").and_then(|t| t.split_once(':')).is_some_and(|(n, _)| n.parse::<u32>().is_ok());
        if caption || headings.contains(&text.as_str()) {
            out.push(format!("{name} page {}: ends on '{text}', away from what follows it", p + 1));
        }
    }

    // Every chart has its key.
    let charts = report.sections.iter().flat_map(|s| &s.blocks).filter(|b| matches!(b, Block::Chart { .. })).count();
    let keys: usize = pages.iter().flatten().filter(|l| KEYS.iter().any(|k| l.text().contains(k))).count();
    if keys != charts {
        out.push(format!("{name}: {charts} charts but {keys} keys ('{}…')", KEYS.join("…' or '")));
    }
    out
}

#[test]
fn no_report_pdf_overprints_loses_a_row_or_strands_a_heading() {
    let f = &*FIXTURE;
    let inputs = inputs();
    let (annual, _) = annual(&inputs, None);
    let exceptions = annual
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .filter_map(|b| match b {
            Block::Table { caption, rows, .. } if caption.starts_with("Milestones and plans") => Some(rows.len()),
            _ => None,
        })
        .max();
    assert!(exceptions >= Some(ADDED), "the annual report's exceptions table has {exceptions:?} rows");
    let medway = place(&inputs, area(&f.plan, "medway").expect("Medway"), &medway_rows());
    let i = f.plan.indicator(INDICATOR).expect("an indicator of the plan");
    let ids: Vec<&str> = i.tracked().iter().map(|t| t.id).collect();
    let rows: Vec<_> = f.observations.iter().filter(|o| ids.contains(&o.key.indicator.as_str())).cloned().collect();
    let indicator = indicator(&inputs, i, &rows);
    let commitment = commitment(&inputs, f.plan.commitment(COMMITMENT).expect("a commitment of the plan"));

    let mut found = Vec::new();
    for (name, report) in
        [("annual", &annual), ("Medway", &medway), ("indicator", &indicator), ("commitment", &commitment)]
    {
        assert!(
            texts(report).iter().any(|t| t.contains(&mark(ADDED))),
            "the {name} report does not list the added milestones"
        );
        let Some(pages) = layout(report) else { return };
        found.extend(problems(name, report, &pages));
    }
    assert!(found.is_empty(), "{} problems in the PDFs:\n{}", found.len(), found.join("\n"));
}

/// The page a line reading exactly `text` is on (the first such page).
fn page_of(pages: &[Vec<Line>], text: &str) -> Option<usize> {
    pages.iter().position(|lines| lines.iter().any(|l| l.text() == text))
}

#[test]
fn the_annual_summary_is_one_page() {
    let f = &*FIXTURE;
    for (name, inputs) in [("a few overdue", f.inputs()), ("sixty-one overdue", inputs())] {
        let (report, _) = annual(&inputs, None);
        let Some(pages) = layout(&report) else { return };
        let summary = page_of(&pages, "Summary").expect("the summary's heading");
        let exceptions = page_of(&pages, "Exceptions").expect("the exceptions' heading");
        let spilled: Vec<String> =
            pages.get(summary + 1).map(|p| p.iter().take(8).map(Line::text).collect()).unwrap_or_default();
        assert_eq!(
            exceptions,
            summary + 1,
            "{name}: the summary runs from page {} to {}; the next page begins {spilled:?}",
            summary + 1,
            exceptions
        );
        // Everything the summary holds is on its page: its last table's last row too.
        let on_page: Vec<String> = pages[summary].iter().map(Line::text).collect();
        for wanted in ["Indicators off track", "Overdue milestones", "Stale"] {
            assert!(on_page.iter().any(|l| l.contains(wanted)), "{name}: '{wanted}' is not on the summary's page");
        }
    }
}

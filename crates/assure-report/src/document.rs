//! A report as data: sections of paragraphs, lists, tables and charts. The builders
//! ([`crate::annual`], [`crate::deep_dive`], [`crate::place`]) make one; the renderers
//! ([`crate::html`], [`crate::pdf`]) write it, so the HTML and the PDF always hold the
//! same content.

use serde::{Deserialize, Serialize};

/// A whole report.
#[derive(Debug, Clone)]
pub struct Report {
    /// The title ("Annual report of the Kent and Medway Integrated Care Partnership").
    pub title: String,
    /// Under the title: the plan and what the report covers.
    pub subtitle: String,
    /// When it was generated (RFC 3339, UTC).
    pub generated_at: String,
    /// Whether any indicator data in it is illustrative.
    pub illustrative: bool,
    /// Its sections, in order.
    pub sections: Vec<Section>,
}

/// A section with a heading (level 2); blocks may add level-3 headings.
#[derive(Debug, Clone)]
pub struct Section {
    /// The heading.
    pub heading: String,
    /// Its content.
    pub blocks: Vec<Block>,
}

/// How a cell is shown: plain, or as a status tag of a colour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tone {
    /// Plain text.
    Plain,
    /// Good: achieved, complete.
    Good,
    /// On track.
    OnTrack,
    /// Needs watching: at risk, stale.
    Warning,
    /// Bad: off track, overdue.
    Bad,
    /// Nothing to judge: no data, no update.
    Neutral,
}

/// A table cell.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The text.
    pub text: String,
    /// How it is shown.
    pub tone: Tone,
}

impl Cell {
    /// Plain text.
    pub fn text(t: impl Into<String>) -> Cell {
        Cell { text: t.into(), tone: Tone::Plain }
    }

    /// A status tag; an empty cell when there is no text (no tag with nothing in it).
    pub fn tag(t: impl Into<String>, tone: Tone) -> Cell {
        let text = t.into();
        let tone = if text.is_empty() { Tone::Plain } else { tone };
        Cell { text, tone }
    }
}

/// A piece of a section.
#[derive(Debug, Clone)]
pub enum Block {
    /// A level-3 heading.
    Heading(String),
    /// A paragraph.
    Paragraph(String),
    /// A bulleted list.
    List(Vec<String>),
    /// A table with a caption and column headers.
    Table {
        /// What it shows.
        caption: String,
        /// Column headers.
        headers: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<Cell>>,
    },
    /// A chart: its title (also its text alternative) and the SVG.
    Chart {
        /// What it shows.
        title: String,
        /// The `<svg>` element.
        svg: String,
    },
}

impl Block {
    /// A table from string headers.
    pub fn table(caption: impl Into<String>, headers: &[&str], rows: Vec<Vec<Cell>>) -> Block {
        Block::Table { caption: caption.into(), headers: headers.iter().map(|h| (*h).to_owned()).collect(), rows }
    }
}

/// The style of the charts, written into each SVG so that it renders the same in a
/// browser, printed, and in the PDF (which has no style sheet).
pub const CHART_STYLE: &str = "\
.assure-chart__svg{font-family:Arial,Helvetica,sans-serif;font-size:13px}\
.assure-chart__grid{stroke:#d8dde0;stroke-width:1}\
.assure-chart__axis{stroke:#4c6272;stroke-width:1}\
.assure-chart__tick,.assure-chart__label{fill:#212b32}\
.assure-chart__line{fill:none;stroke:#005eb8;stroke-width:2}\
.assure-chart__point{fill:#005eb8}\
.assure-chart__point--worse{fill:#d5281b}\
.assure-chart__point--better{fill:#007f3b}\
.assure-chart__error{stroke:#005eb8;stroke-width:1.5}\
.assure-chart__england{fill:none;stroke:#4c6272;stroke-width:1.5;stroke-dasharray:4 3}\
.assure-chart__england-line{stroke:#4c6272;stroke-width:2;stroke-dasharray:4 3}\
.assure-chart__trajectory{stroke:#007f3b;stroke-width:2;stroke-dasharray:8 4}\
.assure-chart__baseline{fill:#fff;stroke:#212b32;stroke-width:2}\
.assure-chart__target{fill:#007f3b}\
.assure-chart__band{fill:#ffb81c;fill-opacity:0.35}\
.assure-chart__projection{stroke:#8a5c00;stroke-width:1.5;stroke-dasharray:2 3}\
.assure-chart__dot{fill:#425563;stroke:#fff;stroke-width:1}\
.assure-chart__dot--better{fill:#007f3b}\
.assure-chart__dot--worse{fill:#d5281b}\
.assure-chart__dot--outside{fill:#7c2855}\
.assure-chart__average{stroke:#4c6272;stroke-width:2;stroke-dasharray:4 3}\
.assure-chart__limit{fill:none;stroke-width:1.5}\
.assure-chart__limit--95{stroke:#005eb8;stroke-dasharray:6 3}\
.assure-chart__limit--998{stroke:#003087}\
.assure-chart__label--halo{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}";

/// The `<svg>…</svg>` of a chart's markup, with the chart style written into it.
pub fn standalone_svg(markup: &str) -> Option<String> {
    let start = markup.find("<svg")?;
    let end = markup.rfind("</svg>")? + "</svg>".len();
    let svg = &markup[start..end];
    let open_end = svg.find('>')? + 1;
    let mut out = String::with_capacity(svg.len() + CHART_STYLE.len() + 64);
    out.push_str(&svg[..open_end]);
    out.push_str("<style>");
    out.push_str(CHART_STYLE);
    out.push_str("</style>");
    out.push_str(&svg[open_end..]);
    // An SVG read on its own needs its namespace.
    if !out.contains("xmlns=") {
        out = out.replacen("<svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"", 1);
    }
    Some(out)
}

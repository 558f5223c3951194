//! A report as a tagged PDF, typeset by Typst in the process with the fonts it bundles:
//! no external tool, the same bytes for the same report.
//!
//! The report is written as Typst code in which every piece of text is a string
//! literal (so nothing in the data can be read as markup), then compiled.

use std::fmt::Write;
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::document::{Block, Report, Tone};

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// Typst refused the document (a defect in Assure, reported with Typst's words).
    #[error("the report could not be typeset: {0}")]
    Typeset(String),
}

/// The fonts bundled with Typst, read once.
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
    let book = FontBook::from_fonts(&fonts);
    (LazyHash::new(book), fonts)
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// One document to compile: its source, nothing else.
struct Single {
    source: Source,
}

impl World for Single {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.source.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.source.id() { Ok(self.source.clone()) } else { Err(FileError::AccessDenied) }
    }

    fn file(&self, _: FileId) -> FileResult<Bytes> {
        Err(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    fn today(&self, _: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// A Typst string literal.
fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn tone_colour(t: &Tone) -> Option<&'static str> {
    match t {
        Tone::Plain => None,
        Tone::Good => Some("#005a2c"),
        Tone::OnTrack => Some("#003087"),
        Tone::Warning => Some("#7a5c00"),
        Tone::Bad => Some("#b3261e"),
        Tone::Neutral => Some("#4c6272"),
    }
}

/// The report as Typst code.
pub fn typst_source(report: &Report) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "#set document(title: {}, author: \"Assure\")", lit(&report.title));
    t.push_str("#set page(paper: \"a4\", margin: (x: 18mm, y: 20mm), numbering: \"1 of 1\")\n");
    t.push_str("#set text(font: \"Libertinus Serif\", size: 10pt, lang: \"en\", region: \"gb\")\n");
    t.push_str("#set heading(numbering: none)\n");
    t.push_str("#show heading.where(level: 2): it => { pagebreak(weak: true); it }\n");
    t.push_str("#set table(stroke: (x: none, y: 0.5pt + rgb(\"#d8dde0\")), inset: 5pt)\n");
    // A figure is one unbreakable block unless told otherwise, and a table longer than
    // the rest of the page then runs on past its foot, its last rows printed over each
    // other: a table breaks between its rows, its header repeated on each page. (Headings
    // are sticky in Typst: each stays on the page of what follows it.)
    t.push_str("#show figure.where(kind: table): set block(breakable: true)\n");
    // A table's caption stays on the page of the table's first rows, never alone at a foot.
    t.push_str("#show figure.caption.where(position: top): it => block(sticky: true, it)\n");
    // A row is kept whole on one page, so that no reader has to piece one together.
    t.push_str("#set table.cell(breakable: false)\n");
    let _ = writeln!(t, "#text(size: 20pt, weight: \"bold\", {})", lit(&report.title));
    let _ = writeln!(t, "\n#text(fill: rgb(\"#4c6272\"), {})", lit(&report.subtitle));
    let generated = report.generated_at.get(..16).unwrap_or(&report.generated_at).replace('T', " ");
    let _ = writeln!(
        t,
        "\n#text(fill: rgb(\"#4c6272\"), {})",
        lit(&format!("Generated {generated} UTC from the live data, by Assure."))
    );
    if report.illustrative {
        let _ = writeln!(
            t,
            "\n#block(fill: rgb(\"#fff9c4\"), stroke: (left: 4pt + rgb(\"#ffb81c\")), inset: 8pt, width: 100%, strong({}))",
            lit(
                "Illustrative data, not official statistics: the indicator values in this report were generated to show how the product works."
            )
        );
    }
    if report.sections.len() > 2 {
        t.push_str("\n#outline(title: \"Contents\", depth: 2)\n");
    }
    for s in &report.sections {
        let _ = writeln!(t, "\n#heading(level: 2, {})", lit(&s.heading));
        for b in &s.blocks {
            block(&mut t, b);
        }
    }
    t
}

fn block(t: &mut String, b: &Block) {
    match b {
        Block::Heading(h) => {
            let _ = writeln!(t, "\n#heading(level: 3, {})", lit(h));
        }
        Block::Paragraph(p) => {
            let _ = writeln!(t, "\n#par({})", lit(p));
        }
        Block::List(items) => {
            let items: Vec<String> = items.iter().map(|i| lit(i)).collect();
            let _ = writeln!(t, "\n#list({})", items.join(", "));
        }
        Block::Table { caption, headers, rows } => {
            let columns = headers.len().max(1);
            let _ = write!(
                t,
                "\n#figure(kind: table, caption: figure.caption(position: top, {}), table(columns: {columns}, align: left, table.header(repeat: true, ",
                lit(caption)
            );
            let hs: Vec<String> = headers.iter().map(|h| format!("strong({})", lit(h))).collect();
            t.push_str(&hs.join(", "));
            t.push(')');
            for r in rows {
                for c in r {
                    match tone_colour(&c.tone) {
                        None => {
                            let _ = write!(t, ", {}", lit(&c.text));
                        }
                        Some(colour) => {
                            let _ = write!(t, ", text(fill: rgb(\"{colour}\"), weight: \"bold\", {})", lit(&c.text));
                        }
                    }
                }
                // A short row is padded, so a table never shifts.
                for _ in r.len()..columns {
                    t.push_str(", []");
                }
            }
            t.push_str("))\n");
        }
        Block::Chart { title, svg } => {
            let _ = writeln!(
                t,
                "\n#figure(block(breakable: false, {{ image(bytes({}), format: \"svg\", width: 100%, alt: {}); {} }}), caption: {})",
                lit(svg),
                lit(title),
                key(svg),
                lit(title)
            );
        }
    }
}

/// How each mark of the charts ([`crate::charts::MARKS`], by its sample) is drawn in the
/// key: Typst code that draws a sample in the colours of [`crate::document::CHART_STYLE`].
const SAMPLES: &[(&str, &str)] = &[
    (
        "point",
        "box(width: 8pt, height: 10pt, { place(center + horizon, line(angle: 90deg, length: 10pt, stroke: 1.2pt + rgb(\"#005eb8\"))); place(center + horizon, circle(radius: 3pt, fill: rgb(\"#005eb8\"))) })",
    ),
    ("better", "circle(radius: 3pt, fill: rgb(\"#007f3b\"))"),
    ("worse", "circle(radius: 3pt, fill: rgb(\"#d5281b\"))"),
    ("england", "line(length: 16pt, stroke: (paint: rgb(\"#4c6272\"), thickness: 1.5pt, dash: (4pt, 3pt)))"),
    ("baseline", "circle(radius: 3.5pt, fill: white, stroke: 1.5pt + rgb(\"#212b32\"))"),
    ("target", "square(size: 7pt, fill: rgb(\"#007f3b\"))"),
    ("trajectory", "line(length: 16pt, stroke: (paint: rgb(\"#007f3b\"), thickness: 2pt, dash: (6pt, 3pt)))"),
    ("dot", "circle(radius: 3pt, fill: rgb(\"#425563\"))"),
    ("outside", "circle(radius: 3pt, fill: rgb(\"#7c2855\"))"),
    ("limit-95", "line(length: 16pt, stroke: (paint: rgb(\"#005eb8\"), thickness: 1.5pt, dash: (4pt, 2pt)))"),
    ("limit-998", "line(length: 16pt, stroke: (paint: rgb(\"#003087\"), thickness: 1.5pt))"),
    (
        "band",
        "rect(width: 16pt, height: 8pt, fill: rgb(\"#ffb81c\").transparentize(65%), stroke: (top: (paint: rgb(\"#8a5c00\"), thickness: 1pt, dash: (2pt, 3pt))))",
    ),
];

/// The key of a chart, as a Typst code expression: a sample and a label for each mark it
/// draws (the marks of the HTML legend, [`crate::charts::marks_drawn`]).
fn key(svg: &str) -> String {
    let items: Vec<String> = crate::charts::marks_drawn(svg)
        .into_iter()
        .map(|m| {
            let sample = SAMPLES.iter().find(|(s, _)| *s == m.sample).map_or("[]", |(_, code)| code);
            format!("box(baseline: 25%, {sample}) + h(4pt) + text({})", lit(m.label))
        })
        .collect();
    if items.is_empty() {
        return "none".to_owned();
    }
    format!("align(left, text(size: 9pt, {}))", items.join(" + h(12pt) + "))
}

/// Typeset a report as PDF.
pub fn render(report: &Report) -> Result<Vec<u8>, PdfError> {
    let path = VirtualPath::new("report.typ").map_err(|e| PdfError::Typeset(format!("{e:?}")))?;
    let id = FileId::new(RootedPath::new(VirtualRoot::Project, path));
    let world = Single { source: Source::new(id, typst_source(report)) };
    let document: PagedDocument = typst::compile(&world).output.map_err(|errors| {
        PdfError::Typeset(errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; "))
    })?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|errors| {
        PdfError::Typeset(errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; "))
    })
}

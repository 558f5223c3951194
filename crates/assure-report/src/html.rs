//! A report as one print-ready HTML document: no scripts, no external files, A4 pages
//! when printed, tables that do not break across rows, charts with their legend and their
//! data beside.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::charts::{KEY_STYLE, legend};
use crate::document::{Block, Report, Tone};

/// The whole style sheet a report carries in its `<style>` element: [`STYLE`] and the
/// charts' legend ([`KEY_STYLE`]). (The site's security policy allows it by its hash.)
pub fn style_sheet() -> String {
    format!("{STYLE}{KEY_STYLE}")
}

/// The report's style sheet, inline in its `<style>` element (a report is one file); a
/// server that sends a Content-Security-Policy allows it by its hash.
pub const STYLE: &str = "\
body{font-family:Arial,Helvetica,sans-serif;color:#212b32;line-height:1.5;margin:0 auto;max-width:960px;padding:24px}\
h1{font-size:2rem;margin:0 0 8px}h2{font-size:1.5rem;margin:32px 0 12px;border-top:2px solid #005eb8;padding-top:12px}\
h3{font-size:1.15rem;margin:24px 0 8px}\
.meta{color:#4c6272}\
.illustrative{background:#fff9c4;border-left:6px solid #ffb81c;padding:8px 12px;font-weight:bold}\
table{border-collapse:collapse;width:100%;margin:0 0 16px;font-size:0.9rem}\
caption{text-align:left;font-weight:bold;padding:4px 0}\
th,td{border-bottom:1px solid #d8dde0;padding:6px 8px;text-align:left;vertical-align:top}\
.tag{display:inline-block;padding:1px 6px;border:1px solid;font-weight:bold;font-size:0.85rem}\
.tone-Good{color:#005a2c;background:#cce5d8;border-color:#005a2c}\
.tone-OnTrack{color:#003087;background:#d5e5f5;border-color:#003087}\
.tone-Warning{color:#594d00;background:#fff59d;border-color:#594d00}\
.tone-Bad{color:#6b140e;background:#f7d4d1;border-color:#6b140e}\
.tone-Neutral{color:#212b32;background:#f0f4f5;border-color:#4c6272}\
figure{margin:0 0 16px;max-width:720px}figure svg{width:100%;height:auto}\
.scroll{overflow-x:auto;position:relative;margin:0 0 16px}.scroll>table{margin:0}\
@media screen and (max-width:640px){body{padding:12px}.scroll>svg{min-width:600px}}\
figcaption{font-weight:bold}\
@page{size:A4;margin:18mm}\
@media print{body{max-width:none;padding:0}h2{break-before:page}h2:first-of-type{break-before:auto}tr,figure{break-inside:avoid}a{color:inherit}}";

/// The report as a whole HTML document.
pub fn render(report: &Report) -> String {
    let page: Markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (report.title) }
                style { (PreEscaped(style_sheet())) }
            }
            body {
                header {
                    h1 { (report.title) }
                    p class="meta" { (report.subtitle) }
                    p class="meta" { "Generated " (report.generated_at.get(..16).unwrap_or(&report.generated_at).replace('T', " ")) " UTC from the live data, by Assure." }
                    @if report.illustrative {
                        p class="illustrative" role="note" { "Illustrative data, not official statistics: the indicator values in this report were generated to show how the product works." }
                    }
                }
                main {
                    @if report.sections.len() > 2 {
                        nav aria-label="Contents" {
                            h2 { "Contents" }
                            ol { @for (i, s) in report.sections.iter().enumerate() { li { a href={ "#s" (i) } { (s.heading) } } } }
                        }
                    }
                    @for (i, s) in report.sections.iter().enumerate() {
                        section aria-labelledby={ "s" (i) } {
                            h2 id={ "s" (i) } { (s.heading) }
                            @for b in &s.blocks { (block(b)) }
                        }
                    }
                }
            }
        }
    };
    page.into_string()
}

fn block(b: &Block) -> Markup {
    html! {
        @match b {
            Block::Heading(h) => h3 { (h) },
            Block::Paragraph(p) => p { (p) },
            Block::List(items) => ul { @for i in items { li { (i) } } },
            // On a phone a wide table or chart scrolls inside its own region (named, and
            // reachable by keyboard), never the page; a chart's text stays 12 px or more.
            Block::Table { caption, headers, rows } => div class="scroll" role="region" tabindex="0" aria-label=(caption) {
                table {
                    caption { (caption) }
                    thead { tr { @for h in headers { th scope="col" { (h) } } } }
                    tbody {
                        @for r in rows {
                            tr {
                                @for c in r {
                                    td {
                                        @if c.tone == Tone::Plain { (c.text) }
                                        @else { span class={ "tag tone-" (format!("{:?}", c.tone)) } { (c.text) } }
                                    }
                                }
                            }
                        }
                    }
                }
            },
            Block::Chart { title, svg } => figure {
                figcaption { (title) }
                div class="scroll" tabindex="0" { (PreEscaped(svg)) }
                p class="assure-chart__key" { (legend(svg)) }
            },
        }
    }
}

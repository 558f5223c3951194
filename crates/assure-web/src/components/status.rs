//! Tables and tags: the NHS.UK table, status tags, and the table of indicators with
//! their status.

use maud::{Markup, PreEscaped, html};

/// An NHS.UK tag, e.g. a plan's status.
pub fn tag(text: &str, colour: &str) -> Markup {
    html! { strong class={ "nhsuk-tag nhsuk-tag--" (colour) } { (text) } }
}

/// An NHS.UK table: its caption (visually hidden when a heading already says it), the
/// column headers (`true` for numeric, right-aligned columns) and the body rows.
///
/// The table scrolls sideways inside its own region when it is wider than the screen, so
/// that the page itself never does; the region is named by the caption and can be reached
/// by keyboard to scroll it.
pub fn table(caption: Markup, caption_hidden: bool, headers: &[(&str, bool)], rows: Markup) -> Markup {
    html! {
        div class="assure-table-scroll" role="region" tabindex="0" aria-label=(PreEscaped(text_of(&caption))) {
        table class="nhsuk-table" {
            caption class={ "nhsuk-table__caption" @if caption_hidden { " nhsuk-u-visually-hidden" } } { (caption) }
            thead class="nhsuk-table__head" {
                tr class="nhsuk-table__row" {
                    @for (label, numeric) in headers {
                        th class={ "nhsuk-table__header" @if *numeric { " nhsuk-table__header--numeric" } } scope="col" { (label) }
                    }
                }
            }
            tbody class="nhsuk-table__body" { (rows) }
        }
        }
    }
}

/// The text of some markup, still escaped, without its tags (for an attribute).
fn text_of(markup: &Markup) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in markup.0.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// A status as an NHS.UK tag.
pub fn status_tag(status: assure_tracking::Status) -> Markup {
    use assure_tracking::Status;
    let colour = match status {
        Status::Achieved => "green",
        Status::OnTrack => "blue",
        Status::AtRisk => "yellow",
        Status::OffTrack => "red",
        Status::NoData => "grey",
    };
    tag(status.label(), colour)
}

/// Indicators with their status, latest value, a sparkline and the reason.
pub fn indicator_status_table(indicators: &[&assure_plan::Indicator], tracking: &crate::state::Tracking) -> Markup {
    html! {
        (table(html! { "Strategic indicators and their status" }, true, &[("Indicator", false), ("Status", false), ("Trend", false), ("Why", false)], html! {
            @for i in indicators {
                @for (k, t) in i.tracked().iter().enumerate() {
                    @let a = tracking.by_id.get(t.id);
                    tr class="nhsuk-table__row" {
                        td class="nhsuk-table__cell" {
                            @if k == 0 { a href={ "/indicators/" (i.id.get_ref()) } { (i.statement) } }
                            @if i.parts.len() > 1 { p class="nhsuk-body-s nhsuk-u-margin-bottom-0" { "Part: " (t.measure) } }
                        }
                        td class="nhsuk-table__cell" { (status_tag(a.map_or(assure_tracking::Status::NoData, |a| a.status))) }
                        td class="nhsuk-table__cell" { @if let Some(a) = a { (crate::charts::sparkline(&a.series)) } }
                        td class="nhsuk-table__cell nhsuk-u-font-size-16" {
                            @if let Some(a) = a {
                                (assure_tracking::plain::sentence(t, a))
                                details class="nhsuk-details nhsuk-u-margin-bottom-0 nhsuk-u-margin-top-1" {
                                    summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "More detail" } }
                                    div class="nhsuk-details__text" { (a.reason) }
                                }
                            }
                        }
                    }
                }
            }
        }))
    }
}

//! Tables and tags: the NHS.UK table, status tags, and the table of indicators with
//! their status.

use maud::{Markup, html};

/// An NHS.UK tag, e.g. a plan's status.
pub fn tag(text: &str, colour: &str) -> Markup {
    html! { strong class={ "nhsuk-tag nhsuk-tag--" (colour) } { (text) } }
}

/// An NHS.UK table: its caption (visually hidden when a heading already says it), the
/// column headers (`true` for numeric, right-aligned columns) and the body rows.
pub fn table(caption: Markup, caption_hidden: bool, headers: &[(&str, bool)], rows: Markup) -> Markup {
    html! {
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
                        td class="nhsuk-table__cell nhsuk-body-s" { @if let Some(a) = a { (a.reason) } }
                    }
                }
            }
        }))
    }
}

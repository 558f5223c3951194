//! Links between the parts of the plan: organisations, delivering plans, a
//! commitment's delivery links, breadcrumbs, reports, the source line; and the 404 for an
//! id that is not in the plan.

use maud::{Markup, html};

use super::table;
use crate::WebError;

pub fn missing(what: &str, id: &str) -> WebError {
    WebError::NotFound(format!("There is no {what} '{id}' in the plan."))
}

/// Links to an organisation for each id, joined with commas.
pub fn organisation_links(plan: &assure_plan::Plan, ids: &[assure_plan::Sp<String>]) -> Markup {
    organisation_list(plan, &ids.iter().map(|i| i.get_ref().as_str()).collect::<Vec<_>>())
}

/// Links to an organisation for each id, joined with commas.
pub fn organisation_list(plan: &assure_plan::Plan, ids: &[&str]) -> Markup {
    html! {
        @for (i, id) in ids.iter().enumerate() {
            @if i > 0 { ", " }
            a href={ "/organisations/" (id) } { (plan.organisation_name(id)) }
        }
    }
}

/// Links to a delivering plan for each id, joined with commas.
pub fn delivering_plan_links(plan: &assure_plan::Plan, ids: &[assure_plan::Sp<String>]) -> Markup {
    html! {
        @for (i, id) in ids.iter().enumerate() {
            @if i > 0 { ", " }
            a href={ "/plans/" (id.get_ref()) } { (plan.delivering_plan_name(id.get_ref())) }
        }
    }
}

/// The table of a commitment's delivery links, as in the plan: plan, and who leads it.
pub fn links_table(plan: &assure_plan::Plan, c: &assure_plan::Commitment) -> Markup {
    html! {
        @if c.links.is_empty() {
            p { "No strategies or plans are listed for this commitment." }
        } @else {
            (table(html! { "Strategies and plans in place to deliver: " (c.title) }, true, &[("Strategy or plan", false), ("Led by", false), ("Source line", false)], html! {
                    @for l in &c.links {
                        tr class="nhsuk-table__row" {
                            td class="nhsuk-table__cell" { (delivering_plan_links(plan, &l.plans)) }
                            td class="nhsuk-table__cell" {
                                @if l.led_by.is_empty() { (l.led_by_text) } @else { (organisation_links(plan, &l.led_by)) }
                            }
                            td class="nhsuk-table__cell" { (l.line) }
                        }
                    }
                }))
        }
    }
}

/// A breadcrumb: its label and link.
pub fn crumb(label: impl Into<String>, href: impl Into<String>) -> (String, String) {
    (label.into(), href.into())
}

/// The breadcrumb of an outcome: "Outcome 2".
pub fn outcome_crumb(n: u8) -> (String, String) {
    crumb(format!("Outcome {n}"), format!("/outcomes/{n}"))
}

/// Links to a report in both formats.
pub fn report_links(href: &str, what: &str) -> Markup {
    html! {
        a href=(href) { (what) span class="nhsuk-u-visually-hidden" { " (web page)" } }
        " · "
        a href={ (href) "?format=pdf" } { "PDF" span class="nhsuk-u-visually-hidden" { " of " (what) } }
    }
}

/// "Source: line N of the plan", shown under every item so a reader can check it; a link
/// to that line in the published text when the plan's source document is bundled.
pub fn source(plan: &assure_plan::Plan, line: u32) -> Markup {
    html! {
        p class="assure-source" {
            "Source: "
            @if assure_plan::bundled_source(&plan.meta.source).is_some() {
                a href={ "/source#L" (line) } { "the Shared Delivery Plan, line " (line) }
            } @else {
                "the Shared Delivery Plan, line " (line)
            }
            "."
        }
    }
}

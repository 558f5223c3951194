//! The enablers (research and innovation; system leadership and estate; engaging
//! communities): their commitments and the ways they may be delivered, with leads.

use axum::extract::{Path, State};
use maud::{Markup, html};

use crate::components::{crumb, delivering_plan_links, missing, organisation_links, page};
use crate::components::{source, table};
use crate::{AppState, WebError};

pub async fn list_enablers(State(state): State<AppState>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    Ok(page(
        "Enablers",
        &[],
        html! {
            h1 { "Enablers" }
            ul class="nhsuk-list nhsuk-list--bullet" {
                @for e in &plan.enablers {
                    li { a href={ "/enablers/" (e.id.get_ref()) } { "Enabler " (e.number) ": " (e.title) } }
                }
            }
        },
    ))
}

pub async fn show_enabler(State(state): State<AppState>, Path(id): Path<String>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let e = plan.enablers.iter().find(|e| e.id.get_ref() == &id).ok_or_else(|| missing("enabler", &id))?;
    Ok(page(
        &e.title,
        &[crumb("Enablers", "/enablers")],
        html! {
            span class="nhsuk-caption-l" { "Enabler " (e.number) }
            h1 { (e.title) }
            p class="nhsuk-lede-text" { (e.description) }
            (source(&plan, e.line))
            @for c in &e.commitments {
                h2 { (c.title) }
                @if let Some(section) = &c.section { p { (section) } }
                (table(html! { "Ways we may deliver: " (c.title) }, true, &[("Way we may deliver this", false), ("Led by", false), ("Source line", true)], html! {
                    @for item in &c.items {
                        tr class="nhsuk-table__row" {
                            td class="nhsuk-table__cell" {
                                (item.text.as_deref().or(item.plan_text.as_deref()).unwrap_or_default())
                                @if !item.plans.is_empty() { br; "Through: " (delivering_plan_links(&plan, &item.plans)) }
                            }
                            td class="nhsuk-table__cell" {
                                @if item.led_by.is_empty() { (item.led_by_text) } @else { (organisation_links(&plan, &item.led_by)) }
                            }
                            td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (item.line) }
                        }
                    }
                }))
            }
        },
    ))
}

//! A shared delivery example with its milestones.

use axum::extract::{Path, State};
use maud::{Markup, html};

use crate::components::table;
use crate::components::{delivering_plan_links, missing, outcome_crumb, page};
use crate::components::{glossed, source};
use crate::{AppState, WebError};

pub async fn show_example(State(state): State<AppState>, Path(id): Path<String>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let e = plan.delivery_example(&id).ok_or_else(|| missing("delivery example", &id))?;
    let n = *e.outcome.get_ref();
    Ok(page(
        &e.title,
        &[outcome_crumb(n)],
        html! {
            span class="nhsuk-caption-l" { "Shared delivery example, outcome " (n) }
            h1 { (e.title) }
            @for p in &e.summary { p { (glossed(p)) } }
            (source(&plan, e.line))
            @if !e.plans.is_empty() { p { "Delivered through: " (delivering_plan_links(&plan, &e.plans)) } }
            h2 { "Milestones" }
            @if e.milestones.is_empty() {
                p { "The plan lists no milestones for this example." }
            } @else {
                (table(html! { "Milestones of " (e.title) }, true, &[("Milestone", false), ("Due", false)], html! {
                        @for m in &e.milestones {
                            tr class="nhsuk-table__row" id={ "milestone-" (m.id.get_ref()) } {
                                td class="nhsuk-table__cell" { a href={ "/milestones/" (m.id.get_ref()) } { (m.title) } }
                                td class="nhsuk-table__cell" { (m.due.get_ref()) }
                            }
                        }
                    }))
            }
        },
    ))
}

//! Places (Health and Care Partnerships, districts, local councils): the list with a
//! place × outcome coverage view, and one place with its priorities mapped to outcomes.

use axum::extract::{Path, State};
use maud::{Markup, html};

use crate::components::source;
use crate::components::table;
use crate::components::{crumb, missing, page};
use crate::{AppState, WebError};

fn covers(place: &assure_plan::Place, outcome: u8) -> usize {
    place.priorities.iter().filter(|p| p.outcomes.iter().any(|o| *o.get_ref() == outcome)).count()
}

pub async fn list_places(State(state): State<AppState>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    Ok(page(
        "Places",
        &[],
        html! {
            h1 { "Places" }
            p { "Each place's priorities, counted against the shared outcome they address (SO 1 to 6). An empty cell is an outcome the place lists no priority for." }
            table class="nhsuk-table" {
                caption class="nhsuk-table__caption" { "Place priorities by shared outcome" }
                thead class="nhsuk-table__head" {
                    tr class="nhsuk-table__row" {
                        th class="nhsuk-table__header" scope="col" { "Place" }
                        @for o in &plan.outcomes {
                            th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col" {
                                abbr title=(o.title) { "SO " (o.number.get_ref()) }
                            }
                        }
                    }
                }
                tbody class="nhsuk-table__body" {
                    @for p in &plan.places {
                        tr class="nhsuk-table__row" {
                            th class="nhsuk-table__header" scope="row" { a href={ "/places/" (p.id.get_ref()) } { (p.name) } }
                            @for o in &plan.outcomes {
                                @let c = covers(p, *o.number.get_ref());
                                td class="nhsuk-table__cell nhsuk-table__cell--numeric" { @if c > 0 { (c) } }
                            }
                        }
                    }
                }
            }
        },
    ))
}

pub async fn show_place(State(state): State<AppState>, Path(id): Path<String>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let p = plan.place(&id).ok_or_else(|| missing("place", &id))?;
    let gaps: Vec<&assure_plan::Outcome> =
        plan.outcomes.iter().filter(|o| covers(p, *o.number.get_ref()) == 0).collect();
    Ok(page(
        &p.name,
        &[crumb("Places", "/places")],
        html! {
            span class="nhsuk-caption-l" { "Place" }
            h1 { (p.name) }
            @if let Some(h) = &p.heading { p { (h) } }
            p { "Led by " a href={ "/organisations/" (p.organisation.get_ref()) } { (plan.organisation_name(p.organisation.get_ref())) } "." }
            @if let Some(note) = &p.note { div class="nhsuk-inset-text" { p { (note) } } }
            (source(&plan, p.line))
            h2 { "Priorities" }
            @if p.priorities.is_empty() {
                p { "The plan lists no priorities for this place." }
            } @else {
                (table(html! { "Priorities of " (p.name) }, true, &[("Priority", false), ("Shared outcomes", false)], html! {
                        @for pr in &p.priorities {
                            tr class="nhsuk-table__row" {
                                td class="nhsuk-table__cell" { (pr.title) }
                                td class="nhsuk-table__cell" {
                                    @for (i, o) in pr.outcomes.iter().enumerate() {
                                        @if i > 0 { ", " }
                                        a href={ "/outcomes/" (o.get_ref()) } { "SO " (o.get_ref()) }
                                    }
                                }
                            }
                        }
                    }))
            }
            h2 { "Gaps" }
            @if gaps.is_empty() {
                p { "Every shared outcome is addressed by at least one of this place's priorities." }
            } @else {
                p { "No priority of this place addresses:" }
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for o in gaps { li { a href={ "/outcomes/" (o.number.get_ref()) } { "Outcome " (o.number.get_ref()) ": " (o.title) } } }
                }
            }
        },
    ))
}

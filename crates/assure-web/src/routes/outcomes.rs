//! An outcome (its priorities, commitments, indicators, examples, what we heard) and a priority.

use axum::extract::{Path, State};
use maud::{Markup, html};

use crate::components::{glossed, source};
use crate::components::{links_table, missing, outcome_crumb, page, public_voice, voice_section};
use crate::{AppState, WebError};

pub async fn show_outcome(State(state): State<AppState>, Path(number): Path<String>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let n: u8 = number.parse().map_err(|_| missing("outcome", &number))?;
    let o = plan.outcome(n).ok_or_else(|| missing("outcome", &number))?;
    let d = assure_plan::query::outcome_detail(&plan, o);
    let tracking = state.tracking().await?;
    let voice = public_voice(&state, &plan).await?;
    Ok(page(
        &format!("Outcome {n}: {}", o.title),
        &[],
        html! {
            (crate::components::illustrative_banner(tracking.illustrative && !d.indicators.is_empty()))
            span class="nhsuk-caption-l" { "Shared outcome " (n) }
            h1 { (o.title) }
            p class="nhsuk-lede-text" { (o.ambition) }
            (source(&plan, o.line))
            h2 { "Priorities" }
            @for p in &d.priorities {
                h3 { a href={ "/priorities/" (p.priority.id.get_ref()) } { (p.priority.id.get_ref()) " " (p.priority.title) } }
                p { (glossed(&p.priority.description)) }
                @if !p.commitments.is_empty() {
                    ul class="nhsuk-list nhsuk-list--bullet" {
                        @for c in &p.commitments {
                            li { a href={ "/commitments/" (c.id.get_ref()) } { (c.title) } " (" (c.links.len()) " strategies and plans)" }
                        }
                    }
                }
            }
            @if !d.indicators.is_empty() {
                h2 { "Strategic indicators" }
                (crate::components::indicator_status_table(&d.indicators, &tracking))
            }
            @if !d.delivery_examples.is_empty() {
                h2 { "Shared delivery examples" }
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for e in &d.delivery_examples { li { a href={ "/examples/" (e.id.get_ref()) } { (e.title) } } }
                }
            }
            @if !o.heard.is_empty() {
                h2 { "What we heard" }
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for h in &o.heard {
                        li { (h.text) @if !h.items.is_empty() { ul { @for i in &h.items { li { (i) } } } } }
                    }
                }
            }
            @if !o.statement.is_empty() {
                h2 { "In residents' words" }
                @for s in &o.statement { blockquote class="nhsuk-inset-text" { p { (s.text) } } }
            }
            @if !d.place_priorities.is_empty() {
                h2 { "Place priorities that address this outcome" }
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for (place, p) in &d.place_priorities { li { strong { (place) } ": " (glossed(&p.title)) } }
                }
            }
            (voice_section(&plan, &voice, &voice.about_outcome(n), &voice.responses_on_outcome(n), &format!("/have-your-say?outcome={n}")))
        },
    ))
}

pub async fn show_priority(State(state): State<AppState>, Path(id): Path<String>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let p = plan.priority(&id).ok_or_else(|| missing("priority", &id))?;
    let d = assure_plan::query::priority_detail(&plan, p);
    let n = *p.outcome.get_ref();
    Ok(page(
        &format!("Priority {id}: {}", p.title),
        &[outcome_crumb(n)],
        html! {
            span class="nhsuk-caption-l" { "Priority " (id) " of outcome " (n) }
            h1 { (p.title) }
            p class="nhsuk-lede-text" { (glossed(&p.description)) }
            (source(&plan, p.line))
            h2 { "Commitments" }
            @for c in &d.commitments {
                h3 { a href={ "/commitments/" (c.id.get_ref()) } { (c.title) } }
                (links_table(&plan, c))
            }
            p { a href={ "/outcomes/" (n) } { "All of outcome " (n) } }
        },
    ))
}

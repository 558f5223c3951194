//! The home page: the vision, the six outcomes with their priorities, system facts.

use axum::extract::State;
use maud::{Markup, html};

use super::page;
use crate::{AppState, WebError};

pub async fn show_home(State(state): State<AppState>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let stats = assure_plan::query::stats(&plan);
    Ok(page(
        "Home",
        &[],
        html! {
            h1 { (plan.meta.title) }
            p class="nhsuk-lede-text" { (plan.meta.vision) }
            p {
                (stats.outcomes) " shared outcomes, " (stats.priorities) " priorities, "
                (stats.commitments) " commitments delivered through " (stats.delivering_plans) " strategies and plans led by "
                (stats.organisations) " organisations; " (stats.indicators) " strategic indicators and "
                (stats.delivery_examples) " shared delivery examples."
            }
            h2 { "Shared outcomes" }
            ol class="nhsuk-list" {
                @for o in &plan.outcomes {
                    @let n = *o.number.get_ref();
                    li {
                        div class="nhsuk-card nhsuk-card--clickable" {
                            div class="nhsuk-card__content" {
                                h3 class="nhsuk-card__heading nhsuk-heading-m" {
                                    a class="nhsuk-card__link" href={ "/outcomes/" (n) } { "Outcome " (n) ": " (o.title) }
                                }
                                p class="nhsuk-card__description" { (o.ambition) }
                                ul {
                                    @for p in plan.priorities.iter().filter(|p| *p.outcome.get_ref() == n) {
                                        li { (p.title) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Browse" }
            ul class="nhsuk-list nhsuk-list--bullet" {
                li { a href="/indicators" { "Strategic indicators" } }
                li { a href="/plans" { "Strategies and plans" } }
                li { a href="/organisations" { "Organisations and what they lead" } }
                li { a href="/places" { "Places: Health and Care Partnerships and districts" } }
                li { a href="/enablers" { "Enablers: research, system leadership and estate, engaging communities" } }
                li { a href="/source" { "The plan as published, line by line" } }
            }
            @if !plan.facts.is_empty() {
                h2 { "Kent and Medway in numbers" }
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for f in &plan.facts { li { (f.text) } }
                }
            }
        },
    ))
}

//! Search across the plan, results grouped by type.

use axum::extract::{Query, State};
use maud::{Markup, html};
use serde::Deserialize;

use crate::components::page;
use crate::{AppState, WebError};

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

pub async fn search(State(state): State<AppState>, Query(query): Query<SearchQuery>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let q = query.q.unwrap_or_default();
    let q = q.trim();
    if q.chars().count() > 200 {
        return Err(WebError::BadRequest { field: "q".into(), detail: "a search is at most 200 characters".into() });
    }
    let results = if q.is_empty() { None } else { Some(assure_plan::query::search(&plan, q)) };
    let title = if q.is_empty() { "Search the plan".to_owned() } else { format!("Search: {q}") };
    Ok(page(
        &title,
        &[],
        html! {
            h1 { "Search the plan" }
            form action="/search" method="get" {
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="q" { "Words to look for" }
                    div class="nhsuk-hint" id="q-hint" { "Commitments, strategies and plans, organisations, indicators, examples and places that mention all the words." }
                    input class="nhsuk-input" id="q" name="q" type="search" value=(q) aria-describedby="q-hint";
                }
                button class="nhsuk-button" type="submit" { "Search" }
            }
            @if let Some(r) = results {
                h2 { (r.len()) " result" @if r.len() != 1 { "s" } " for “" (q) "”" }
                @for (label, prefix, hits) in [
                    ("Outcomes", "/outcomes/", &r.outcomes),
                    ("Priorities", "/priorities/", &r.priorities),
                    ("Commitments", "/commitments/", &r.commitments),
                    ("Strategies and plans", "/plans/", &r.delivering_plans),
                    ("Organisations", "/organisations/", &r.organisations),
                    ("Indicators", "/indicators/", &r.indicators),
                    ("Shared delivery examples", "/examples/", &r.delivery_examples),
                    ("Places", "/places/", &r.places),
                ] {
                    @if !hits.is_empty() {
                        h3 { (label) " (" (hits.len()) ")" }
                        ul class="nhsuk-list nhsuk-list--bullet" {
                            @for h in hits.iter() {
                                li { a href={ (prefix) (h.id) } { (h.title) } @if h.matched != h.title { br; span class="nhsuk-body-s" { (h.matched) } } }
                            }
                        }
                    }
                }
            }
        },
    ))
}

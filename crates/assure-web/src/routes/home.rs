//! The home page: the vision, the six outcomes with their priorities, system facts.

use axum::extract::State;
use maud::{Markup, html};

use assure_tracking::Status;

use crate::components::page;
use crate::components::table;
use crate::{AppState, WebError};

pub async fn show_home(State(state): State<AppState>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let stats = assure_plan::query::stats(&plan);
    let tracking = state.tracking().await?;
    Ok(page(
        "Home",
        &[],
        html! {
            (crate::components::illustrative_banner(tracking.illustrative))
            h1 { (plan.meta.title) }
            p class="nhsuk-lede-text" { (plan.meta.vision) }
            p {
                (stats.outcomes) " shared outcomes, " (stats.priorities) " priorities, "
                (stats.commitments) " commitments delivered through " (stats.delivering_plans) " strategies and plans led by "
                (stats.organisations) " organisations; " (stats.indicators) " strategic indicators and "
                (stats.delivery_examples) " shared delivery examples."
            }
            h2 { "Progress on the strategic indicators" }
            @let measures = plan.indicators.iter().map(|i| i.tracked().len()).sum::<usize>();
            p {
                "The plan's " (plan.indicators.len()) " indicator statements set " (measures) " measurable targets: a statement with several targets (for example healthy weight maintained and severe obesity reduced) counts once for each. "
                a href="/progress" { "See every indicator's progress" } " or " a href="/how-we-judge-progress" { "how we judge progress" } "."
            }
            (table(html! { "Indicator status by outcome" }, false, &std::iter::once(("Outcome", false)).chain(Status::ALL.iter().map(|s| (s.label(), true))).collect::<Vec<_>>(), html! {
                @for o in &plan.outcomes {
                    @let n = *o.number.get_ref();
                    @let statuses: Vec<Status> = plan.indicators.iter().filter(|i| *i.outcome.get_ref() == n).flat_map(|i| tracking.statuses(i)).collect();
                    tr class="nhsuk-table__row" {
                        td class="nhsuk-table__cell" { a href={ "/outcomes/" (n) } { "Outcome " (n) ": " (o.title) } }
                        @if statuses.is_empty() {
                            td class="nhsuk-table__cell" colspan=(Status::ALL.len()) {
                                "No strategic indicators yet"
                                @if !o.indicator_theme.is_empty() {
                                    ": the plan names themes they are likely to cover ("
                                    @for (k, t) in o.indicator_theme.iter().enumerate() { @if k > 0 { ", " } (assure_tracking::plain::in_sentence(&t.text)) }
                                    ")"
                                }
                                "."
                            }
                        } @else {
                            @for s in Status::ALL {
                                @let c = statuses.iter().filter(|x| **x == s).count();
                                td class="nhsuk-table__cell nhsuk-table__cell--numeric" {
                                    @if c > 0 { a href={ "/progress?outcome=" (n) "&status=" (s.as_str()) } aria-label={ (c) " " (s.label().to_lowercase()) " in outcome " (n) } { (c) } } @else { "0" }
                                }
                            }
                        }
                    }
                }
                @let all: Vec<Status> = plan.indicators.iter().flat_map(|i| tracking.statuses(i)).collect();
                tr class="nhsuk-table__row" {
                    th class="nhsuk-table__header" scope="row" { a href="/progress" { "All outcomes" } }
                    @for s in Status::ALL {
                        @let c = all.iter().filter(|x| **x == s).count();
                        td class="nhsuk-table__cell nhsuk-table__cell--numeric" {
                            @if c > 0 { a href={ "/progress?status=" (s.as_str()) } aria-label={ (c) " " (s.label().to_lowercase()) " in all outcomes" } { strong { (c) } } } @else { "0" }
                        }
                    }
                }
            }))
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
                li { a href="/progress" { "Progress on every indicator" } }
                li { a href="/indicators" { "Strategic indicators" } }
                li { a href="/plans" { "Strategies and plans" } }
                li { a href="/organisations" { "Organisations and what they lead" } }
                li { a href="/places" { "Places: Health and Care Partnerships and districts" } }
                li { a href="/enablers" { "Enablers: research, system leadership and estate, engaging communities" } }
                li { a href="/source" { "The plan as published, line by line" } }
                li { a href="/glossary" { "Glossary: the plan's abbreviations in plain English" } }
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

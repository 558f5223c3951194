//! Strategic indicators: the list, and one indicator with its baseline and target as
//! the plan states them.

use axum::extract::{Path, State};
use maud::{Markup, html};

use super::{crumb, missing, outcome_crumb, page};
use crate::layout::source;
use crate::layout::table;
use crate::{AppState, WebError};

pub async fn list_indicators(State(state): State<AppState>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    Ok(page(
        "Strategic indicators",
        &[],
        html! {
            h1 { "Strategic indicators" }
            @for o in &plan.outcomes {
                @let n = *o.number.get_ref();
                @let indicators: Vec<_> = plan.indicators.iter().filter(|i| *i.outcome.get_ref() == n).collect();
                @if !indicators.is_empty() {
                    h2 { "Outcome " (n) ": " (o.title) }
                    ul class="nhsuk-list nhsuk-list--bullet" {
                        @for i in indicators { li { a href={ "/indicators/" (i.id.get_ref()) } { (i.measure) } } }
                    }
                }
            }
        },
    ))
}

fn summary_row(key: &str, value: Markup) -> Markup {
    html! {
        div class="nhsuk-summary-list__row" {
            dt class="nhsuk-summary-list__key" { (key) }
            dd class="nhsuk-summary-list__value" { (value) }
        }
    }
}

pub async fn show_indicator(State(state): State<AppState>, Path(id): Path<String>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let i = plan.indicator(&id).ok_or_else(|| missing("indicator", &id))?;
    let n = *i.outcome.get_ref();
    let unit = i.unit.unwrap_or(assure_plan::Unit::Unspecified);
    let mut ids = vec![id.clone()];
    ids.extend(i.parts.iter().map(|p| p.id.get_ref().clone()));
    let observations = state.observations(plan.meta.id.get_ref().clone(), ids).await?;
    Ok(page(
        &i.measure,
        &[outcome_crumb(n), crumb("Indicators", "/indicators")],
        html! {
            span class="nhsuk-caption-l" { "Strategic indicator, outcome " (n) }
            h1 { (i.measure) }
            p class="nhsuk-lede-text" { (i.statement) }
            (source(&plan, i.line))
            dl class="nhsuk-summary-list" {
                @if let Some(p) = &i.polarity { (summary_row("Polarity", html! { (p.get_ref().label()) })) }
                @if let Some(g) = &i.geography { (summary_row("Geography", html! { (g) })) }
                @if let Some(b) = &i.baseline { (summary_row("Baseline", html! { (b.describe(unit)) })) }
                @if let Some(t) = &i.target { (summary_row("Target", html! { (t.describe(unit)) })) }
            }
            @for part in &i.parts {
                h2 { (part.measure) }
                dl class="nhsuk-summary-list" {
                    (summary_row("Polarity", html! { (part.polarity.get_ref().label()) }))
                    (summary_row("Geography", html! { (part.geography) }))
                    @if let Some(b) = &part.baseline { (summary_row("Baseline", html! { (b.describe(part.unit)) })) }
                    (summary_row("Target", html! { (part.target.describe(part.unit)) }))
                }
            }
            h2 { "Observations" }
            (observations_table(&observations))
        },
    ))
}

fn number(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn observations_table(rows: &[assure_plan::observation::Observation]) -> Markup {
    html! {
        @if rows.is_empty() {
            p { "No observations have been loaded for this indicator yet (" code { "assure observations import" } ")." }
        } @else {
            (table(html! { "Observations" }, true, &[("Measure", false), ("Area", false), ("Period", false), ("Breakdown", false), ("Value", true), ("95% interval", true), ("Note", false)], html! {
                    @for o in rows {
                        tr class="nhsuk-table__row" {
                            td class="nhsuk-table__cell" { (o.key.indicator) }
                            td class="nhsuk-table__cell" { (o.key.area) }
                            td class="nhsuk-table__cell" { (o.key.period) }
                            td class="nhsuk-table__cell" { (o.key.breakdown) }
                            td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (number(o.value)) }
                            td class="nhsuk-table__cell nhsuk-table__cell--numeric" {
                                @if o.lower.is_some() || o.upper.is_some() { (number(o.lower)) " to " (number(o.upper)) }
                            }
                            td class="nhsuk-table__cell" { (o.note.as_deref().unwrap_or_default()) }
                        }
                    }
                }))
        }
    }
}

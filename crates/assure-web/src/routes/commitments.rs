//! A commitment: its priorities, and the strategies and plans that deliver it, with who leads them.

use axum::extract::{Path, State};
use maud::{Markup, html};

use crate::components::source;
use crate::components::{links_table, missing, outcome_crumb, page};
use crate::{AppState, WebError};

pub async fn show_commitment(State(state): State<AppState>, Path(id): Path<String>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let c = plan.commitment(&id).ok_or_else(|| missing("commitment", &id))?;
    let n = *c.outcome.get_ref();
    Ok(page(
        &c.title,
        &[outcome_crumb(n)],
        html! {
            span class="nhsuk-caption-l" { "Commitment under outcome " (n) }
            h1 { (c.title) }
            (source(&plan, c.line))
            p { "Deep-dive pack: " (crate::components::report_links(&format!("/reports/commitments/{}", c.id.get_ref()), "Deep-dive pack")) }
            p {
                "Priorities: "
                @for (i, p) in c.priorities.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href={ "/priorities/" (p.get_ref()) } { (p.get_ref()) " " (plan.priority(p.get_ref()).map_or("", |p| p.title.as_str())) }
                }
            }
            h2 { "Strategies and plans in place to deliver" }
            (links_table(&plan, c))
        },
    ))
}

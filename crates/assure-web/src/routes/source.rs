//! The published text of the plan, line by line, so that every item's source line can
//! be read in context (`/source#L123`).

use axum::extract::State;
use maud::{Markup, html};

use crate::components::page;
use crate::{AppState, WebError};

pub async fn show_source(State(state): State<AppState>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let text = assure_plan::bundled_source(&plan.meta.source).ok_or_else(|| {
        WebError::NotFound(format!(
            "The source document '{}' of this plan is not bundled with Assure.",
            plan.meta.source
        ))
    })?;
    Ok(page(
        "The plan as published",
        &[],
        html! {
            h1 { "The plan as published" }
            p {
                "The text of " em { (plan.meta.title) } " (" (plan.meta.source) "), with the line numbers every item of Assure refers to."
            }
            div class="assure-source-text" {
                @for (i, line) in text.split('\n').enumerate() {
                    div class="assure-source-line" id={ "L" (i + 1) } {
                        span class="assure-line-number" { (i + 1) }
                        " " (line)
                    }
                }
            }
        },
    ))
}

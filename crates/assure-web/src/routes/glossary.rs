//! The glossary: the plan's abbreviations and the statistical words the pages use, in
//! plain English, each with an anchor the pages link to (`/glossary#polarity`).

use maud::{Markup, html};

use crate::components::{GLOSSARY, page};

/// The glossary page.
pub async fn show_glossary() -> Markup {
    page(
        "Glossary",
        &[],
        html! {
            h1 { "Glossary" }
            p class="nhsuk-lede-text" { "The abbreviations of the plan and the words used to judge progress, in plain English." }
            dl class="nhsuk-summary-list" {
                @for (anchor, term, meaning) in GLOSSARY {
                    div class="nhsuk-summary-list__row" id=(anchor) {
                        dt class="nhsuk-summary-list__key" { (term) }
                        dd class="nhsuk-summary-list__value" { (meaning) }
                    }
                }
            }
            p { a href="/how-we-judge-progress" { "How we judge progress" } }
        },
    )
}

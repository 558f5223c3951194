//! What residents said, as outcome, place and milestone pages show it: published
//! contributions, monthly counts by theme (1 to 4 shown as "fewer than 5"), and
//! partners' responses. Only [`assure_app::PublicVoice`] is drawn here: it has no
//! field for contact details, age band or receipt code.

use assure_app::{PublicContribution, PublicVoice, month_label, shown_count};
use assure_plan::Plan;
use assure_store::Response;
use maud::{Markup, html};

use crate::components::{table, tag};
use crate::{AppState, WebError};

/// What the public may see of residents' voice in the served plan.
pub async fn public_voice(state: &AppState, plan: &Plan) -> Result<PublicVoice, WebError> {
    let plan_id = plan.meta.id.get_ref().clone();
    state.blocking(move |s| Ok(s.app().public_voice(&plan_id)?)).await
}

/// Responses linked to a milestone or delivering plan, under their own heading.
pub fn linked_responses(plan: &Plan, voice: &PublicVoice, kind: &str, id: &str) -> Markup {
    let rs = voice.responses_on(kind, id);
    html! {
        @if !rs.is_empty() {
            h2 id="residents" { "You said, we did" }
            @for r in rs { (response_card(plan, voice, r)) }
        }
    }
}

/// One response: you said, we did, its status and what it is linked to.
pub fn response_card(plan: &Plan, voice: &PublicVoice, r: &Response) -> Markup {
    html! {
        div class="nhsuk-card" {
            div class="nhsuk-card__content" {
                p class="nhsuk-body-s nhsuk-u-margin-bottom-2" {
                    (tag(r.status.label(), match r.status {
                        assure_store::ResponseStatus::ChangeMade => "green",
                        assure_store::ResponseStatus::ChangePlanned => "blue",
                        assure_store::ResponseStatus::NotTakingForward => "grey",
                        _ => "white",
                    }))
                    " " (plan.organisation_name(&r.organisation)) ", " (r.at.get(..10).unwrap_or_default())
                }
                h3 class="nhsuk-heading-s nhsuk-u-margin-bottom-1" { "You said" }
                p { (r.you_said) }
                h3 class="nhsuk-heading-s nhsuk-u-margin-bottom-1" { "We did" }
                p { (r.we_did) }
                @if let Some(reason) = &r.reason { p { strong { "Why: " } (reason) } }
                @if !r.links.is_empty() {
                    ul class="nhsuk-list nhsuk-body-s nhsuk-u-margin-bottom-0" {
                        @for (kind, id) in &r.links {
                            li { (link(plan, voice, kind, id)) }
                        }
                    }
                }
            }
        }
    }
}

fn link(plan: &Plan, voice: &PublicVoice, kind: &str, id: &str) -> Markup {
    match kind {
        "milestone" => {
            let title = plan.milestone(id).map_or(id.to_owned(), |(_, m)| m.title.clone());
            html! { "Milestone: " a href={ "/milestones/" (id) } { (title) } }
        }
        "plan" => html! { "Strategy or plan: " a href={ "/plans/" (id) } { (plan.delivering_plan_name(id)) } },
        "commitment" => {
            let title = plan.commitment(id).map_or(id.to_owned(), |c| c.title.clone());
            html! { "Commitment: " a href={ "/commitments/" (id) } { (title) } }
        }
        _ => {
            let shown = voice.contributions.iter().any(|c| c.id.to_string() == id);
            html! { "What a resident said: " @if shown { a href={ "#contribution-" (id) } { "item " (id) } } @else { "item " (id) } }
        }
    }
}

/// One published contribution, with a link to report it.
pub fn contribution_card(plan: &Plan, voice: &PublicVoice, c: &PublicContribution) -> Markup {
    html! {
        div class="nhsuk-card" id={ "contribution-" (c.id) } {
            div class="nhsuk-card__content" {
                p class="nhsuk-body-s nhsuk-u-margin-bottom-2" {
                    (c.display_name)
                    @if let Some(a) = c.area.as_deref().and_then(|a| plan.area(a)) { ", " (a.name) }
                    ", " (month_label(&c.experienced))
                    " (" (c.channel.label()) ")"
                }
                blockquote class="nhsuk-u-margin-0" { p { (c.text) } }
                @if c.redacted { p class="nhsuk-body-s" { "A moderator removed some words." } }
                @if !c.themes.is_empty() {
                    p class="nhsuk-body-s" { "Themes: " @for (i, t) in c.themes.iter().enumerate() { @if i > 0 { ", " } (voice.theme_label(t)) } }
                }
                p class="nhsuk-body-s nhsuk-u-margin-bottom-0" { a href={ "/contributions/" (c.id) "/report" } { "Report this" span class="nhsuk-u-visually-hidden" { " (item " (c.id) ")" } } }
            }
        }
    }
}

/// The themes residents raised on an outcome, counted (1 to 4 shown as "fewer than 5"),
/// with a link to what they said: an indicator page shows it beside the trend.
pub fn themes_raised(voice: &PublicVoice, n: u8) -> Markup {
    let items = voice.about_outcome(n);
    html! {
        section id="themes-raised" {
            h2 { "What residents raised about outcome " (n) }
            @if items.is_empty() {
                p { "Nothing about outcome " (n) " has been published yet. " a href={ "/have-your-say?outcome=" (n) } { "Have your say" } "." }
            } @else {
                (table(html! { "Published items about outcome " (n) " by theme" }, false, &[("Theme", false), ("Items", true)], html! {
                    @for (theme, count) in voice.theme_counts(&items) {
                        tr class="nhsuk-table__row" {
                            td class="nhsuk-table__cell" { (theme) }
                            td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (shown_count(count)) }
                        }
                    }
                }))
                p { a href={ "/outcomes/" (n) "#residents" } { "Read what residents said about outcome " (n) } }
            }
        }
    }
}

/// The section a page shows: counts by month and theme, the items, the responses.
pub fn voice_section(
    plan: &Plan,
    voice: &PublicVoice,
    items: &[&PublicContribution],
    responses: &[&Response],
    say_href: &str,
) -> Markup {
    let counts = PublicVoice::monthly_counts(items);
    html! {
        section id="residents" {
            h2 { "What residents told us" }
            p { a href=(say_href) { "Have your say" } " about this. Everything is read by a moderator before it is published." }
            @if items.is_empty() {
                p { "Nothing has been published here yet." }
            } @else {
                (table(html! { "Published items by month and theme" }, false, &[("Month", false), ("Theme", false), ("Items", true)], html! {
                    @for (month, theme, n) in &counts {
                        tr class="nhsuk-table__row" {
                            td class="nhsuk-table__cell" { (month_label(month)) }
                            td class="nhsuk-table__cell" { (theme.as_deref().map_or_else(|| "Not yet themed".to_owned(), |t| voice.theme_label(t))) }
                            td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (shown_count(*n)) }
                        }
                    }
                }))
                @for c in items.iter().take(20) { (contribution_card(plan, voice, c)) }
            }
            @if !responses.is_empty() {
                h2 { "You said, we did" }
                @for r in responses { (response_card(plan, voice, r)) }
            }
        }
    }
}

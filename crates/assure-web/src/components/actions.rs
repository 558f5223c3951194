//! Committees' actions as the actions list and My work show them: each with the meeting
//! that set it, its owner, when it is expected, its status and overdue flag, and an
//! Update button for those who may update it.

use assure_app::ActionItem;
use assure_plan::Plan;
use maud::{Markup, html};

use super::{delivery_tag, flag_tags, table};

/// The page of an action.
pub fn action_href(id: i64) -> String {
    format!("/actions/{id}")
}

/// Actions in a table; with `update`, an Update button on each.
pub fn actions_table(plan: &Plan, caption: Markup, actions: &[ActionItem], update: bool) -> Markup {
    let mut headers = vec![("Action", false), ("Owner", false), ("Expected", false), ("Status", false)];
    if update {
        headers.push(("Update", false));
    }
    table(
        caption,
        false,
        &headers,
        html! {
            @for a in actions {
                @let href = action_href(a.action.id);
                tr class="nhsuk-table__row" {
                    td class="nhsuk-table__cell" {
                        a href=(href) { (a.action.text) }
                        p class="nhsuk-body-s nhsuk-u-margin-bottom-0" { "From " a href={ "/meetings/" (a.meeting.id) } { (a.meeting.title) } " (" (a.meeting.held_on) ")" }
                    }
                    td class="nhsuk-table__cell nhsuk-u-font-size-16" { (plan.organisation_name(a.owner())) }
                    td class="nhsuk-table__cell" { (a.progress.due) }
                    td class="nhsuk-table__cell" { (delivery_tag(a.progress.status)) (flag_tags(&a.progress)) }
                    @if update {
                        td class="nhsuk-table__cell" {
                            a class="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0" href={ (href) "/update" } {
                                "Update" span class="nhsuk-u-visually-hidden" { " the action: " (a.action.text) }
                            }
                        }
                    }
                }
            }
        },
    )
}

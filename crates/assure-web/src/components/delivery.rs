//! Delivery: the tags, update summaries and progress section shown on milestone and
//! plan pages, the delivery overview and the admin's approvals.

use assure_plan::Plan;
use assure_plan::delivery::{DeliveryStatus, ItemKind, Publication};
use assure_store::DeliveryUpdate;
use assure_tracking::delivery::{Freshness, Progress};
use maud::{Markup, html};

use super::{organisation_list, tag};
use crate::access;
use crate::state::Delivery;

/// The page of a milestone or delivering plan.
pub fn item_href(kind: ItemKind, item: &str) -> String {
    match kind {
        ItemKind::Milestone => format!("/milestones/{item}"),
        ItemKind::DeliveringPlan => format!("/plans/{item}"),
    }
}

/// The title of a milestone or delivering plan.
pub fn item_title(plan: &Plan, delivery: &Delivery, kind: ItemKind, item: &str) -> String {
    match kind {
        ItemKind::Milestone => delivery.milestone(plan, item).map_or_else(|| item.to_owned(), |m| m.title.to_owned()),
        ItemKind::DeliveringPlan => plan.delivering_plan_name(item).to_owned(),
    }
}

/// A delivery status as an NHS.UK tag (grey "No update" when there is none).
pub fn delivery_tag(status: Option<DeliveryStatus>) -> Markup {
    let Some(s) = status else { return tag("No update", "grey") };
    let colour = match s {
        DeliveryStatus::NotStarted => "grey",
        DeliveryStatus::OnTrack => "blue",
        DeliveryStatus::AtRisk => "yellow",
        DeliveryStatus::OffTrack => "red",
        DeliveryStatus::Complete => "green",
        DeliveryStatus::Closed => "white",
    };
    tag(s.label(), colour)
}

/// Overdue and stale, as tags.
pub fn flag_tags(p: &Progress) -> Markup {
    html! {
        @if p.overdue { " " (tag("Overdue", "red")) }
        @if let Freshness::Stale(_) = p.freshness { " " (tag("Stale", "orange")) }
    }
}

/// One update: status, date, author, narrative, evidence, date change, and (for people
/// signed in) its publication state and internal note.
pub fn update_summary(u: &DeliveryUpdate, signed_in: bool) -> Markup {
    html! {
        p class="assure-meta" {
            (delivery_tag(Some(u.draft.status)))
            @if u.publication != Publication::Published { " " (tag(u.publication.label(), if u.publication == Publication::Pending { "purple" } else { "grey" })) }
            " " span class="nhsuk-body-s" { (u.at.get(..10).unwrap_or(&u.at)) " by " (u.author) }
        }
        p { (u.draft.narrative) }
        @if let Some(e) = &u.draft.expected {
            p { strong { "Now expected: " (e) "." } @if let Some(r) = &u.draft.expected_reason { " " (r) } }
        }
        @if !u.draft.evidence.is_empty() {
            ul class="nhsuk-list nhsuk-list--bullet" {
                @for link in &u.draft.evidence { li { a href=(link) { (link) } } }
            }
        }
        @if signed_in && let Some(n) = &u.draft.internal_note {
            div class="nhsuk-inset-text" { span class="nhsuk-u-visually-hidden" { "Internal note: " } strong { "Internal note (not public): " } (n) }
        }
        @if let (Some(by), Some(at)) = (&u.reviewed_by, &u.reviewed_at) {
            @if signed_in { p class="nhsuk-body-s" { (u.publication.label()) " by " (by) " on " (at.get(..10).unwrap_or(at)) } }
        }
    }
}

/// The delivery section of a milestone or plan page: where it stands, who leads it,
/// the links to update it, and its history.
pub fn delivery_section(
    plan: &Plan,
    delivery: &Delivery,
    kind: ItemKind,
    item: &str,
    planned_due: Option<&str>,
) -> Markup {
    let signed = access::current();
    let signed_in = signed.is_some();
    let progress = delivery.progress(kind, item, planned_due.unwrap_or("Ongoing"));
    let history = delivery.history(kind, item, signed_in);
    let leads = delivery.leads(plan, kind, item);
    let may = signed.as_ref().is_some_and(|s| assure_app::may_update(&s.account, plan, delivery, kind, item));
    let base = item_href(kind, item);
    html! {
        h2 id="delivery" { "Progress" }
        dl class="nhsuk-summary-list" {
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Status" }
                dd class="nhsuk-summary-list__value" { (delivery_tag(progress.status)) (flag_tags(&progress)) }
            }
            @if planned_due.is_some() {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Expected" }
                    dd class="nhsuk-summary-list__value" {
                        (progress.due)
                        @if progress.due_changed { " (the plan said " (planned_due.unwrap_or_default()) ")" }
                    }
                }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Last update" }
                dd class="nhsuk-summary-list__value" {
                    @match progress.freshness {
                        Freshness::NoUpdate => "None yet",
                        Freshness::Fresh(d) | Freshness::Stale(d) => { (d) " days ago" }
                    }
                    @if let Freshness::Stale(_) = progress.freshness { " (stale: more than " (delivery.stale_days) " days)" }
                }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Who reports" }
                dd class="nhsuk-summary-list__value" {
                    @if leads.is_empty() { "The plan names no lead for this; an admin reports on it." }
                    @else { (organisation_list(plan, &leads)) }
                }
            }
        }
        @if may {
            div class="nhsuk-button-group" {
                a class="nhsuk-button" href={ (base) "/update" } { "Give an update" }
                @if kind == ItemKind::DeliveringPlan { a class="nhsuk-button nhsuk-button--secondary" href={ (base) "/milestones/new" } { "Add a milestone" } }
            }
        }
        h3 { "History" }
        @if history.is_empty() { p { "No update has been published yet." } }
        @for u in history.iter().rev() {
            div class="assure-update" { (update_summary(u, signed_in)) }
        }
    }
}

//! Delivery: the tags, update summaries and progress section shown on milestone and
//! plan pages, the delivery overview and the admin's approvals.

use assure_plan::Plan;
use assure_plan::delivery::{DeliveryStatus, ItemKind, Publication, UpdateDraft};
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

/// Who wrote each update, for the history: username → their organisations (ids).
pub type Authors = std::collections::HashMap<String, Vec<String>>;

/// The authors of updates, from the accounts.
pub fn authors(accounts: Vec<assure_store::Account>) -> Authors {
    accounts.into_iter().map(|a| (a.username, a.organisations)).collect()
}

/// The organisation an update came from: the author's organisation that leads the item
/// (or one of its parts does), else their first; an account without one reported for the
/// partnership.
pub fn reported_for(plan: &Plan, authors: &Authors, author: &str, leads: &[&str]) -> String {
    let orgs = authors.get(author).map(Vec::as_slice).unwrap_or_default();
    let leading = orgs.iter().find(|o| plan.led_by_any(leads, std::slice::from_ref(o)));
    match leading.or(orgs.first()) {
        Some(o) => plan.organisation_name(o).to_owned(),
        None => "the partnership".to_owned(),
    }
}

/// One update: status, date, the organisation it came from (and, for people signed in,
/// who wrote it), narrative, evidence, date change, and (signed in) its publication
/// state and internal note.
pub fn update_summary(u: &DeliveryUpdate, signed_in: bool, from: &str) -> Markup {
    let state = html! {
        @if u.publication != Publication::Published { " " (tag(u.publication.label(), if u.publication == Publication::Pending { "purple" } else { "grey" })) }
    };
    html! {
        (draft_summary(&u.draft, state, (&u.at, &u.author), signed_in, from))
        @if let (Some(by), Some(at)) = (&u.reviewed_by, &u.reviewed_at) {
            @if signed_in { p class="nhsuk-body-s" { (u.publication.label()) " by " (by) " on " (at.get(..10).unwrap_or(at)) } }
        }
    }
}

/// What an update reported (of a milestone, a plan or a committee's action): its status
/// with `state` after it, the date and where it came from (`at`, `author`), narrative,
/// date change, evidence and, signed in, the internal note.
pub fn draft_summary(
    d: &UpdateDraft,
    state: Markup,
    (at, author): (&str, &str),
    signed_in: bool,
    from: &str,
) -> Markup {
    html! {
        p class="assure-meta" {
            (delivery_tag(Some(d.status)))
            (state)
            " " span class="nhsuk-body-s" { (at.get(..10).unwrap_or(at)) " from " (from) @if signed_in { " (" (author) ")" } }
        }
        p { (d.narrative) }
        @if let Some(e) = &d.expected {
            p { strong { "Now expected: " (e) "." } @if let Some(r) = &d.expected_reason { " " (r) } }
        }
        @if !d.evidence.is_empty() {
            ul class="nhsuk-list nhsuk-list--bullet" {
                @for link in &d.evidence { li { a href=(link) { (link) } } }
            }
        }
        @if signed_in && let Some(n) = &d.internal_note {
            div class="nhsuk-inset-text" { span class="nhsuk-u-visually-hidden" { "Internal note: " } strong { "Internal note (not public): " } (n) }
        }
    }
}

/// The query of an item's page after an update was saved.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Updated {
    /// `published` or `pending`.
    pub updated: Option<String>,
}

/// What the page of an item shows after an update was saved (`?updated=published` or
/// `?updated=pending`), as a success banner.
pub fn saved_banner(updated: Option<&str>) -> Markup {
    match updated {
        Some("published") => super::success_banner("Your update has been saved and published."),
        Some("pending") => {
            super::success_banner("Your update has been saved. It will be published when an admin approves it.")
        }
        _ => html! {},
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
    authors: &Authors,
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
            div class="assure-update" { (update_summary(u, signed_in, &reported_for(plan, authors, &u.author, &leads))) }
        }
    }
}

/// Milestones and delivering plans in a table: each with what it belongs to, when it is
/// expected, its status and flags, who leads it and, with `update`, a button to update it.
/// `marks` adds a line under an item's title (the reporting round asking about it).
pub fn work_table(
    plan: &Plan,
    caption: Markup,
    items: &[assure_app::WorkItem],
    update: bool,
    marks: &dyn Fn(&assure_app::WorkItem) -> Option<String>,
) -> Markup {
    let mut headers = vec!["Item", "Expected", "Status", "Led by"];
    if update {
        headers.push("Action");
    }
    // Reflows into one block per item on a phone (the frontend's responsive table), so
    // a partner lead sees each item whole instead of scrolling a five-column table.
    let heading = |h: &str| html! { span class="nhsuk-table-responsive__heading" aria-hidden="true" { (h) " " } };
    html! {
        table class="nhsuk-table-responsive" {
            caption class="nhsuk-table__caption" { (caption) }
            thead class="nhsuk-table__head" {
                tr class="nhsuk-table__row" {
                    @for h in &headers { th class="nhsuk-table__header" scope="col" { (h) } }
                }
            }
            tbody class="nhsuk-table__body" {
                @for i in items {
                    @let href = item_href(i.kind, &i.id);
                    tr class="nhsuk-table__row" {
                        td class="nhsuk-table__cell assure-cell--wide" {
                            (heading("Item"))
                            span {
                                a href=(href) { (i.title) }
                                br;
                                span class="assure-small" {
                                    @match i.kind { ItemKind::Milestone => "Milestone", ItemKind::DeliveringPlan => "Strategy or plan" }
                                    @if !i.context.is_empty() { " of " (i.context) }
                                }
                                @if let Some(m) = marks(i) { br; span class="assure-small" { strong { (m) } } }
                            }
                        }
                        td class="nhsuk-table__cell" { (heading("Expected")) span { (i.progress.due) } }
                        td class="nhsuk-table__cell" {
                            (heading("Status"))
                            span {
                                (delivery_tag(i.progress.status)) (flag_tags(&i.progress))
                                @match i.progress.freshness {
                                    Freshness::NoUpdate => {}
                                    Freshness::Fresh(d) | Freshness::Stale(d) => { br; span class="assure-small" { "Updated " (d) " days ago" } }
                                }
                            }
                        }
                        td class="nhsuk-table__cell" {
                            (heading("Led by"))
                            span class="assure-small" {
                                @for (n, l) in i.leads.iter().enumerate() { @if n > 0 { ", " } (plan.organisation_name(l)) }
                            }
                        }
                        @if update {
                            td class="nhsuk-table__cell" {
                                (heading("Action"))
                                span {
                                    a class="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0" href={ (href) "/update" } {
                                        "Update" span class="nhsuk-u-visually-hidden" { " " (i.title) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Milestones and delivering plans as a list to download (CSV or spreadsheet): the
/// expected date as a date where the plan gives one.
pub fn work_sheet(plan: &Plan, items: &[assure_app::WorkItem], name: &'static str) -> crate::export::Sheet {
    use crate::export::{Cell, Sheet};
    let mut sheet = Sheet::new(
        name,
        &[
            "kind",
            "id",
            "title",
            "belongs_to",
            "led_by",
            "expected",
            "status",
            "overdue",
            "stale",
            "days_since_update",
            "address",
        ],
    );
    for i in items {
        let days = match i.progress.freshness {
            Freshness::NoUpdate => None,
            Freshness::Fresh(d) | Freshness::Stale(d) => Some(d as f64),
        };
        let leads: Vec<&str> = i.leads.iter().map(|l| plan.organisation_name(l)).collect();
        sheet.push(vec![
            Cell::text(i.kind.as_str()),
            Cell::text(i.id.clone()),
            Cell::text(i.title.clone()),
            Cell::text(i.context.clone()),
            Cell::text(leads.join("; ")),
            Cell::due(&i.progress.due),
            Cell::text(i.progress.status.map_or("No update", DeliveryStatus::label)),
            Cell::Yes(i.progress.overdue),
            Cell::Yes(matches!(i.progress.freshness, Freshness::Stale(_))),
            Cell::number(days),
            Cell::text(item_href(i.kind, &i.id)),
        ]);
    }
    sheet
}

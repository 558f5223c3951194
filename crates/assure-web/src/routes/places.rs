//! Places: the list grouped by kind (the system, the councils, the Health and Care
//! Partnerships, the districts, and the places with priorities but no area), and one
//! place answering "what is happening here?": its indicators against England and their
//! targets, what the organisations serving it deliver, its priorities mapped to the
//! outcomes written out, the gaps, and its place report.

use std::collections::{BTreeSet, HashMap};

use axum::extract::{Path, State};
use maud::{Markup, html};

use assure_plan::delivery::ItemKind;
use assure_plan::{Area, AreaKind, Place, Plan, PlanStatus};
use assure_tracking::{Comparison, format, plain};

use crate::components::{
    crumb, delivery_tag, flag_tags, glossed, illustrative_banner, missing, organisation_list, page,
};
use crate::components::{report_links, source, status_tag, table, tag};
use crate::{AppState, WebError, charts};

fn covers(place: &Place, outcome: u8) -> usize {
    place.priorities.iter().filter(|p| p.outcomes.iter().any(|o| *o.get_ref() == outcome)).count()
}

/// The heading of a group of places on the list.
fn group(kind: AreaKind) -> &'static str {
    match kind {
        AreaKind::Ics | AreaKind::NhsRegion | AreaKind::SubIcb => "The whole system",
        AreaKind::County | AreaKind::Unitary => "Council areas",
        AreaKind::Hcp => "Health and Care Partnerships",
        AreaKind::District => "Districts",
        AreaKind::Locality => "Localities",
        AreaKind::Pcn => "Primary care networks",
        AreaKind::Practice => "GP practices",
    }
}

/// Areas, each with how many of something lie in it.
type CountedIn<'a> = Vec<(&'a Area, usize)>;

pub async fn list_places(State(state): State<AppState>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let mut groups: Vec<(&str, Vec<&Area>)> = Vec::new();
    // Neighbourhoods (dozens of PCNs) are listed on their parents' pages, counted here.
    for a in plan.place_areas().filter(|a| !a.kind.is_neighbourhood()) {
        match groups.iter_mut().find(|(g, _)| *g == group(a.kind)) {
            Some((_, areas)) => areas.push(a),
            None => groups.push((group(a.kind), vec![a])),
        }
    }
    let without_area: Vec<&Place> = plan.places.iter().filter(|p| p.area.is_none()).collect();
    // For each neighbourhood kind: how many, and in which areas (with how many in each).
    let neighbourhoods: Vec<(AreaKind, usize, CountedIn<'_>)> = AreaKind::ALL
        .into_iter()
        .filter(|k| k.is_neighbourhood() && k.is_place())
        .filter_map(|k| {
            let all: Vec<&Area> = plan.areas.iter().filter(|a| a.kind == k).collect();
            let mut parents: Vec<(&Area, usize)> = Vec::new();
            for a in &all {
                let Some(parent) = a.parent.as_ref().and_then(|p| plan.area(p.get_ref())) else { continue };
                match parents.iter_mut().find(|(p, _)| p.id.get_ref() == parent.id.get_ref()) {
                    Some((_, n)) => *n += 1,
                    None => parents.push((parent, 1)),
                }
            }
            (!all.is_empty()).then_some((k, all.len(), parents))
        })
        .collect();
    Ok(page(
        "Places",
        &[],
        html! {
            h1 { "Places" }
            p class="nhsuk-lede-text" { "What is happening in each part of Kent and Medway: its indicators against England, what is being delivered there, and its own priorities." }
            @for (heading, areas) in &groups {
                h2 { (heading) }
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for a in areas {
                        li {
                            a href={ "/places/" (a.id.get_ref()) } { (a.name) }
                            @let within = plan.areas_within(a);
                            @if a.kind == AreaKind::Hcp && !within.is_empty() {
                                span class="assure-small" { " – " @for (k, (inner, member)) in within.iter().enumerate() {
                                    @if k > 0 { ", " } (inner.name) @if member.is_some_and(|m| m.coverage == assure_plan::Coverage::Part) { " (part)" }
                                } }
                            }
                        }
                    }
                }
            }
            @for (kind, count, parents) in &neighbourhoods {
                h2 { (group(*kind)) }
                p {
                    (count) " " (if *count == 1 { kind.label() } else { kind.plural() })
                    @if !parents.is_empty() { ", each listed on the page of the area it lies in:" } @else { "." }
                }
                @if !parents.is_empty() {
                    ul class="nhsuk-list nhsuk-list--bullet" {
                        @for (p, n) in parents { li { a href={ "/places/" (p.id.get_ref()) } { (p.name) } " (" (n) ")" } }
                    }
                }
            }
            @if !without_area.is_empty() {
                h2 { "Across places" }
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for p in &without_area { li { a href={ "/places/" (p.id.get_ref()) } { (p.name) } } }
                }
            }
            h2 { "Priorities by shared outcome" }
            p { "Each place's priorities, counted against the shared outcome they address. An empty cell is an outcome the place lists no priority for." }
            div class="assure-table-scroll" tabindex="0" role="region" aria-label="Place priorities by shared outcome (scrolls sideways)" {
                table class="nhsuk-table" {
                    caption class="nhsuk-table__caption nhsuk-u-visually-hidden" { "Place priorities by shared outcome" }
                    thead class="nhsuk-table__head" {
                        tr class="nhsuk-table__row" {
                            th class="nhsuk-table__header" scope="col" { "Place" }
                            @for o in &plan.outcomes {
                                th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col" {
                                    abbr title=(o.title) { "SO " (o.number.get_ref()) }
                                    span class="nhsuk-u-visually-hidden" { ": " (o.title) }
                                }
                            }
                        }
                    }
                    tbody class="nhsuk-table__body" {
                        @for p in &plan.places {
                            tr class="nhsuk-table__row" {
                                th class="nhsuk-table__header" scope="row" { a href={ "/places/" (p.id.get_ref()) } { (p.name) } }
                                @for o in &plan.outcomes {
                                    @let c = covers(p, *o.number.get_ref());
                                    td class="nhsuk-table__cell nhsuk-table__cell--numeric" { @if c > 0 { (c) } }
                                }
                            }
                        }
                    }
                }
            }
            p class="nhsuk-body-s" { "SO: shared outcome (" a href="/glossary#so" { "glossary" } ")." }
        },
    ))
}

/// A place: a place of the plan (with priorities), an area with a page, or both.
pub async fn show_place(State(state): State<AppState>, Path(id): Path<String>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let place = plan.place(&id);
    let area = match place {
        Some(p) => p.area.as_ref().and_then(|a| plan.area(a.get_ref())),
        None => Some(plan.place_areas().find(|a| *a.id.get_ref() == id).ok_or_else(|| missing("place", &id))?),
    };
    let readings = match area {
        Some(a) => state.area_readings(plan.clone(), a.id.get_ref().clone()).await?,
        None => Vec::new(),
    };
    let tracking = state.tracking().await?;
    let delivery = state.delivery().await?;
    let name = area.map_or_else(|| place.map_or(id.as_str(), |p| p.name.as_str()), |a| a.name.as_str());
    let voice = crate::components::public_voice(&state, &plan).await?;
    let mut voice_areas: Vec<&str> = Vec::new();
    if let Some(a) = area {
        voice_areas.push(a.id.get_ref());
        voice_areas.extend(plan.areas_within(a).iter().map(|(x, _)| x.id.get_ref().as_str()));
    }
    let priorities_from: Vec<&Place> = match (place, area) {
        (Some(p), _) => vec![p],
        (None, Some(a)) => plan.places_covering(a),
        (None, None) => Vec::new(),
    };
    Ok(page(
        name,
        &[crumb("Places", "/places")],
        html! {
            (illustrative_banner(readings.iter().any(|r| r.illustrative)))
            span class="nhsuk-caption-l" { "Place" @if let Some(a) = area { ": " (a.kind.label()) } }
            h1 { (name) }
            @if let Some(p) = place {
                @if let Some(h) = &p.heading { p { (glossed(h)) } }
            }
            @if let Some(a) = area { (where_it_is(&plan, a)) (neighbourhoods(&plan, a)) }
            @if let Some(a) = area {
                p { "Place report for " (a.name) ": " (report_links(&format!("/reports/places/{}", a.id.get_ref()), "place report")) }
            }
            @if let Some(a) = area { (indicators_here(&plan, &tracking, a, &readings)) }
            @if let Some(a) = area { (delivered_here(&plan, &delivery, a)) }
            (priorities(&plan, place, area, &priorities_from))
            @if let Some(a) = area {
                (crate::components::voice_section(&plan, &voice, &voice.in_areas(&voice_areas), &voice.responses_in_areas(&voice_areas), &format!("/have-your-say?area={}", a.id.get_ref())))
            }
        },
    ))
}

/// What the area lies in and what it contains, as links to their pages.
fn where_it_is(plan: &Plan, a: &Area) -> Markup {
    let around = plan.areas_around(a);
    // Neighbourhoods (PCNs, practices, localities) are listed by kind below, not here.
    let within: Vec<_> = plan.areas_within(a).into_iter().filter(|(x, _)| !x.kind.is_neighbourhood()).collect();
    let page_of = |x: &Area| html! { @if x.kind.is_place() { a href={ "/places/" (x.id.get_ref()) } { (x.name) } } @else { (x.name) } };
    html! {
        @if !around.is_empty() {
            p { "Part of " @for (k, x) in around.iter().enumerate() { @if k > 0 { " and " } (page_of(x)) } "." }
        }
        @if !within.is_empty() {
            p { "Takes in " @for (k, (x, member)) in within.iter().enumerate() {
                @if k > 0 { @if k + 1 == within.len() { " and " } @else { ", " } }
                (page_of(x))
                @if let Some(m) = member { @if m.coverage == assure_plan::Coverage::Part { " (part" @if let Some(n) = &m.note { ": " (n) } ")" } }
            } "." }
        }
    }
}

/// The primary care networks, GP practices and localities that lie in the area, by
/// kind: a link to each that has a page, with its ODS code (what data files name it by).
fn neighbourhoods(plan: &Plan, a: &Area) -> Markup {
    let kinds = plan.neighbourhoods_in(a);
    html! {
        @if !kinds.is_empty() {
            h2 { "Areas in " (a.name) }
            @for (kind, areas) in &kinds {
                h3 { (group(*kind)) " (" (areas.len()) ")" }
                ul class="nhsuk-list nhsuk-list--bullet assure-columns" {
                    @for x in areas {
                        li {
                            @if x.kind.is_place() { a href={ "/places/" (x.id.get_ref()) } { (x.name) } } @else { (x.name) }
                            @if let Some(ods) = &x.ods { span class="assure-small" { " (" (ods) ")" } }
                        }
                    }
                }
            }
        }
    }
}

/// Each indicator with data here: its latest value and interval, England's, the
/// comparison, and the status against the target where the target is set for this area.
fn indicators_here(
    plan: &Plan,
    tracking: &crate::state::Tracking,
    a: &Area,
    readings: &[assure_app::AreaReading],
) -> Markup {
    let tracked: HashMap<&str, assure_plan::Tracked<'_>> =
        plan.indicators.iter().flat_map(|i| i.tracked()).map(|t| (t.id, t)).collect();
    let count = |c: Comparison| readings.iter().filter(|r| r.values.comparison == c).count();
    let area_id = a.id.get_ref().as_str();
    // A column for the status against the target only where some target is this place's own.
    let own_target = |t: &assure_plan::Tracked<'_>| t.measurement.is_some_and(|m| m.area.get_ref() == area_id);
    let any_own = readings.iter().any(|r| tracked.get(r.tracked.as_str()).is_some_and(own_target));
    let headings: &[&str] = if any_own {
        &["Indicator", "Latest", "England", "Compared with England", "Against the target", "Trend"]
    } else {
        &["Indicator", "Latest", "England", "Compared with England", "Trend"]
    };
    html! {
        h2 { "How things are going in " (a.name) }
        @if readings.is_empty() {
            p { "No indicator data is stored for " (a.name) " yet. Data is loaded by the partnership's analysts (" code { "assure data import" } "); " a href="/progress" { "progress across Kent and Medway" } " shows what there is." }
        } @else {
            p {
                (readings.len()) " measures have data for " (a.name) ". Against England, with the 95% " a href="/glossary#confidence-interval" { "confidence interval" } ": "
                strong { (count(Comparison::Better)) " better" } ", " (count(Comparison::Similar)) " similar, " strong { (count(Comparison::Worse)) " worse" }
                @let other = readings.len() - count(Comparison::Better) - count(Comparison::Similar) - count(Comparison::Worse);
                @if other > 0 { ", " (other) " not compared (no England value for the period, or no interval)" }
                "."
            }
            p { "The plan sets most targets for Kent and Medway as a whole"
                @if any_own { "; where it sets one for " (a.name) " itself, the status against it is shown" } @else { ", none for " (a.name) " alone, so its values are compared with England's" }
                "." }
            table class="nhsuk-table-responsive" {
                caption class="nhsuk-table__caption" { "Indicators in " (a.name) }
                thead class="nhsuk-table__head" {
                    tr class="nhsuk-table__row" {
                        @for h in headings {
                            th class="nhsuk-table__header" scope="col" { (h) }
                        }
                    }
                }
                tbody class="nhsuk-table__body" {
                    @for r in readings {
                        @if let (Some(t), Some(latest)) = (tracked.get(r.tracked.as_str()), r.values.latest()) {
                            @let own = own_target(t);
                            tr class="nhsuk-table__row" {
                                td class="nhsuk-table__cell assure-cell--wide" {
                                    span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Indicator " }
                                    span { a href={ "/indicators/" (t.indicator.id.get_ref()) } { (t.measure) } br; span class="assure-small" { "Outcome " (t.indicator.outcome.get_ref()) } }
                                }
                                td class="nhsuk-table__cell" {
                                    span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Latest " }
                                    span {
                                        (format::value(t.unit, latest.value))
                                        @if let (Some(l), Some(u)) = (latest.lower, latest.upper) { br; span class="assure-small" { "95% interval " (format::interval(t.unit, l, u)) } }
                                        br; span class="assure-small" { (latest.period) }
                                    }
                                }
                                td class="nhsuk-table__cell" {
                                    span class="nhsuk-table-responsive__heading" aria-hidden="true" { "England " }
                                    span { @if let Some(e) = r.values.england { (format::value(t.unit, e)) } @else { "–" } }
                                }
                                td class="nhsuk-table__cell" {
                                    span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Compared with England " }
                                    span { (comparison_tag(r.values.comparison)) }
                                }
                                @if any_own {
                                td class="nhsuk-table__cell assure-cell--wide" {
                                    span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Against the target " }
                                    span {
                                        @if own {
                                            @if let Some(assessment) = tracking.by_id.get(t.id) {
                                                (status_tag(assessment.status))
                                                p class="nhsuk-body-s nhsuk-u-margin-bottom-0" { (plain::sentence(t, assessment)) }
                                            }
                                        } @else {
                                            span aria-hidden="true" { "–" }
                                            span class="nhsuk-u-visually-hidden" { "The target is set for " (t.geography) "." }
                                        }
                                    }
                                }
                                }
                                td class="nhsuk-table__cell" {
                                    span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Trend " }
                                    span { (charts::sparkline(&r.values.series)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A comparison with England as a tag.
fn comparison_tag(c: Comparison) -> Markup {
    let colour = match c {
        Comparison::Better => "green",
        Comparison::Worse => "red",
        Comparison::Similar => "yellow",
        Comparison::Higher | Comparison::Lower => "blue",
        Comparison::NotCompared => "grey",
    };
    tag(plain::against_england(c), colour)
}

/// What the organisations serving the area lead: their delivering plans and milestones,
/// with the status their leads last reported.
fn delivered_here(plan: &Plan, delivery: &crate::state::Delivery, a: &Area) -> Markup {
    let serving = plan.serving_organisations(a.id.get_ref());
    let ids: BTreeSet<&str> = serving.iter().map(|o| o.id.get_ref().as_str()).collect();
    let top: Vec<&str> = serving
        .iter()
        .filter(|o| o.area.as_ref().is_some_and(|x| x.get_ref() == a.id.get_ref()))
        .map(|o| o.id.get_ref().as_str())
        .collect();
    let wider: Vec<&str> = plan
        .areas_around(a)
        .iter()
        .flat_map(|x| {
            plan.organisations.iter().filter(move |o| o.area.as_ref().is_some_and(|oa| oa.get_ref() == x.id.get_ref()))
        })
        .map(|o| o.id.get_ref().as_str())
        .collect();
    let led = |leads: Vec<&str>| leads.iter().any(|l| ids.contains(l));
    let plans: Vec<&assure_plan::DeliveringPlan> =
        plan.delivering_plans.iter().filter(|p| led(plan.delivering_plan_leads(p.id.get_ref()))).collect();
    let milestones: Vec<_> = delivery
        .milestones(plan)
        .into_iter()
        .filter(|m| led(delivery.leads(plan, ItemKind::Milestone, m.id)))
        .map(|m| {
            let p = delivery.progress(ItemKind::Milestone, m.id, m.due);
            (m, p)
        })
        .collect();
    html! {
        h2 { "What is being delivered in " (a.name) }
        @if top.is_empty() {
            p { "The plan names no organisation serving " (a.name) " alone." }
        } @else {
            p { "Organisations serving " (a.name) ": " (organisation_list(plan, &top)) "." }
        }
        @if !wider.is_empty() {
            p class="nhsuk-body-s" { "Also serving " (a.name) ", across a wider area: " (organisation_list(plan, &wider)) "." }
        }
        @if !plans.is_empty() {
            (table(html! { "Strategies and plans led by organisations serving " (a.name) }, false, &[("Strategy or plan", false), ("In place?", false), ("Latest update", false)], html! {
                @for p in &plans {
                    @let progress = delivery.progress(ItemKind::DeliveringPlan, p.id.get_ref(), "");
                    tr class="nhsuk-table__row" {
                        td class="nhsuk-table__cell" { a href={ "/plans/" (p.id.get_ref()) } { (p.name) } }
                        td class="nhsuk-table__cell" { (p.status.get_ref().label()) }
                        td class="nhsuk-table__cell" { (delivery_tag(progress.status)) }
                    }
                }
            }))
        }
        @if milestones.is_empty() {
            p { "No milestone of the plan is led by an organisation serving " (a.name) " alone." }
        } @else {
            (table(html! { "Milestones led by organisations serving " (a.name) }, false, &[("Milestone", false), ("Expected", false), ("Status", false)], html! {
                @for (m, p) in &milestones {
                    tr class="nhsuk-table__row" {
                        td class="nhsuk-table__cell" { a href={ "/milestones/" (m.id) } { (m.title) } }
                        td class="nhsuk-table__cell" { (p.due) }
                        td class="nhsuk-table__cell" { (delivery_tag(p.status)) (flag_tags(p)) }
                    }
                }
            }))
        }
        @let not_in_place: Vec<&&assure_plan::DeliveringPlan> = plans.iter().filter(|p| *p.status.get_ref() != PlanStatus::InPlace).collect();
        @if !not_in_place.is_empty() {
            h3 { "Plans not yet in place" }
            ul class="nhsuk-list nhsuk-list--bullet" {
                @for p in not_in_place { li { a href={ "/plans/" (p.id.get_ref()) } { (p.name) } " (" (p.status.get_ref().label()) ")" } }
            }
        }
    }
}

/// The place's own priorities with the outcomes written out, and the outcomes none
/// addresses; for an area without a place of its own, those of the places it is in.
fn priorities(plan: &Plan, place: Option<&Place>, area: Option<&Area>, from: &[&Place]) -> Markup {
    let outcome_title =
        |n: u8| plan.outcomes.iter().find(|o| *o.number.get_ref() == n).map_or("", |o| o.title.as_str());
    html! {
        h2 { "Priorities" }
        @if from.is_empty() {
            p { "The plan lists no priorities for this place." }
        }
        @if place.is_none() && !from.is_empty() {
            @if let Some(a) = area { p { "The plan sets priorities for " (a.name) " through the places it belongs to:" } }
        }
        @for p in from {
            @if place.is_none() { h3 { a href={ "/places/" (p.id.get_ref()) } { (p.name) } } }
            @if let Some(note) = &p.note { div class="nhsuk-inset-text" { p { (glossed(note)) } } }
            p { "Led by " a href={ "/organisations/" (p.organisation.get_ref()) } { (plan.organisation_name(p.organisation.get_ref())) } "." }
            @if p.priorities.is_empty() {
                p { "The plan lists no priorities for " (p.name) "." }
            } @else {
                ul class="nhsuk-list" {
                    @for pr in &p.priorities {
                        li class="assure-priority" {
                            strong { (glossed(&pr.title)) }
                            @if !pr.outcomes.is_empty() {
                                br; span class="assure-small" { "Addresses "
                                    @for (k, o) in pr.outcomes.iter().enumerate() {
                                        @if k > 0 { @if k + 1 == pr.outcomes.len() { " and " } @else { ", " } }
                                        a href={ "/outcomes/" (o.get_ref()) } { "outcome " (o.get_ref()) ": " (outcome_title(*o.get_ref())) }
                                    }
                                }
                            }
                        }
                    }
                }
                @let gaps: Vec<&assure_plan::Outcome> = plan.outcomes.iter().filter(|o| covers(p, *o.number.get_ref()) == 0).collect();
                @if place.is_some() {
                    h2 { "Gaps" }
                }
                @if gaps.is_empty() {
                    p { "Every shared outcome is addressed by at least one of these priorities." }
                } @else {
                    p { "No priority of " (p.name) " addresses:" }
                    ul class="nhsuk-list nhsuk-list--bullet" {
                        @for o in gaps { li { a href={ "/outcomes/" (o.number.get_ref()) } { "Outcome " (o.number.get_ref()) ": " (o.title) } } }
                    }
                }
            }
            (source(plan, p.line))
        }
    }
}

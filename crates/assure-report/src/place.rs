//! Place reports: the building blocks filtered to one area — e.g. the six-month update
//! Medway Council's committee asked for: outcomes for Medway, and how the voluntary and
//! community sector is involved.

use assure_plan::delivery::ItemKind;
use assure_plan::observation::Observation;
use assure_plan::{Area, OrganisationKind};
use assure_tracking::Comparison;
use assure_tracking::series::in_area;

use crate::annual::heard_text;
use crate::blocks::{
    Inputs, delivery_cell, flags, indicator_table, leads_text, milestone_counts, milestone_table, status_tone,
};
use crate::document::{Block, Cell, Report, Section, Tone};

/// Why there is no place report.
#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    /// Not an area of the plan.
    #[error("no area or place '{0}' in the plan (see /places and the plan's areas)")]
    Unknown(String),
}

/// The area a place report is about: an area id, or a place id (its area).
pub fn area<'a>(plan: &'a assure_plan::Plan, key: &str) -> Result<&'a Area, PlaceError> {
    let by_place = plan.place(key).and_then(|p| p.area.as_ref()).map(|a| a.get_ref().as_str());
    let id = by_place.unwrap_or(key);
    plan.areas.iter().find(|a| a.id.get_ref() == id).ok_or_else(|| PlaceError::Unknown(key.to_owned()))
}

/// The place report for an area; `observations` are the headline rows of every tracked
/// indicator for the area and England.
pub fn place(inputs: &Inputs<'_>, area: &Area, observations: &[Observation]) -> Report {
    let plan = inputs.plan;
    let id = area.id.get_ref().as_str();
    // The organisations serving the area, with their directorates and services.
    let serving: Vec<&str> = plan.serving_organisations(id).into_iter().map(|o| o.id.get_ref().as_str()).collect();
    let serving_ids: Vec<String> = serving.iter().map(|s| (*s).to_owned()).collect();

    let mut about = vec![Block::Paragraph(format!(
        "What the {} shows for {}: the strategic indicators measured in {}, what the organisations serving {} lead and how it is going, and how the voluntary and community sector is involved.",
        plan.meta.title, area.name, area.name, area.name
    ))];
    if !serving.is_empty() {
        about.push(Block::Paragraph(format!(
            "Organisations serving {}: {}.",
            area.name,
            serving.iter().map(|o| plan.organisation_name(o)).collect::<Vec<_>>().join(", ")
        )));
    }

    // Outcomes for the area: each tracked indicator's latest value here, against England.
    let mut outcomes = Vec::new();
    for o in &plan.outcomes {
        let n = *o.number.get_ref();
        let mut rows = Vec::new();
        for i in plan.indicators.iter().filter(|i| *i.outcome.get_ref() == n) {
            for t in i.tracked() {
                let rows_of: Vec<Observation> =
                    observations.iter().filter(|x| x.key.indicator == t.id).cloned().collect();
                let Some(here) = in_area(&rows_of, id, t.polarity) else { continue };
                let Some(latest) = here.latest() else { continue };
                let unit = t.unit;
                let value = match (latest.lower, latest.upper) {
                    (Some(l), Some(u)) => format!(
                        "{} ({})",
                        assure_tracking::format::value(unit, latest.value),
                        assure_tracking::format::interval(unit, l, u)
                    ),
                    _ => assure_tracking::format::value(unit, latest.value),
                };
                let comparison_tone = match here.comparison {
                    Comparison::Better => Tone::Good,
                    Comparison::Worse => Tone::Bad,
                    Comparison::Similar => Tone::Warning,
                    _ => Tone::Neutral,
                };
                // The status against the target where the target is set for this area.
                let own = t.measurement.is_some_and(|m| m.area.get_ref() == id);
                let status = match inputs.assessments.get(t.id).filter(|_| own) {
                    Some(a) => Cell::tag(a.status.label(), status_tone(a.status)),
                    None => Cell::text(format!("Target set for {}", t.geography)),
                };
                rows.push(vec![
                    Cell::text(t.measure.to_owned()),
                    Cell::text(latest.period.clone()),
                    Cell::text(value),
                    Cell::text(here.england.map(|e| assure_tracking::format::value(unit, e)).unwrap_or_default()),
                    Cell::tag(assure_tracking::plain::against_england(here.comparison), comparison_tone),
                    status,
                ]);
            }
        }
        outcomes.push(Block::Heading(format!("Outcome {n}: {}", o.title)));
        if rows.is_empty() {
            outcomes
                .push(Block::Paragraph(format!("No indicator data is stored for {} under this outcome.", area.name)));
        } else {
            outcomes.push(Block::table(
                format!("Outcome {n} in {}", area.name),
                &[
                    "Indicator",
                    "Period",
                    &format!("{} (95% interval)", area.name),
                    "England",
                    "Compared with England",
                    "Status",
                ],
                rows,
            ));
        }
    }
    outcomes.push(Block::Heading("Across Kent and Medway".into()));
    outcomes.push(indicator_table(
        inputs,
        "Every indicator's status at the level of its target",
        &plan.indicators.iter().collect::<Vec<_>>(),
    ));

    // Place priorities.
    let mut priorities = Vec::new();
    for p in plan.places_covering(area) {
        priorities.push(Block::Heading(p.name.clone()));
        priorities.push(Block::List(
            p.priorities
                .iter()
                .map(|pr| {
                    let outs = pr
                        .outcomes
                        .iter()
                        .map(|o| {
                            let n = *o.get_ref();
                            let title = plan
                                .outcomes
                                .iter()
                                .find(|x| *x.number.get_ref() == n)
                                .map_or("", |x| x.title.as_str());
                            format!("outcome {n}: {title}")
                        })
                        .collect::<Vec<_>>()
                        .join("; ");
                    if outs.is_empty() { pr.title.clone() } else { format!("{} ({outs})", pr.title) }
                })
                .collect(),
        ));
    }
    if priorities.is_empty() {
        priorities.push(Block::Paragraph(format!("The plan lists no place priorities covering {}.", area.name)));
    }

    // Delivery led here.
    let milestones: Vec<_> = inputs
        .delivery
        .milestones(plan)
        .into_iter()
        .filter(|m| plan.led_by_any(&inputs.delivery.leads(plan, ItemKind::Milestone, m.id), &serving_ids))
        .collect();
    let plans: Vec<&str> = plan
        .delivering_plans
        .iter()
        .map(|p| p.id.get_ref().as_str())
        .filter(|p| plan.led_by_any(&plan.delivering_plan_leads(p), &serving_ids))
        .collect();
    let plan_rows = plans
        .iter()
        .map(|p| {
            let pr = inputs.delivery.progress(ItemKind::DeliveringPlan, p, "Ongoing");
            vec![
                Cell::text(plan.delivering_plan_name(p)),
                delivery_cell(pr.status),
                Cell::text(flags(&pr)),
                Cell::text(leads_text(inputs, ItemKind::DeliveringPlan, p)),
            ]
        })
        .collect();
    let delivery = vec![
        milestone_counts(inputs, &format!("Milestones led in {} by status", area.name), &milestones),
        milestone_table(inputs, &format!("Milestones led by organisations serving {}", area.name), &milestones),
        Block::table(
            format!("Strategies and plans led by organisations serving {}", area.name),
            &["Strategy or plan", "Status", "Flags", "Led by"],
            plan_rows,
        ),
    ];

    // The voluntary and community sector.
    let vcse: Vec<_> = plan.organisations.iter().filter(|o| o.kind == OrganisationKind::Vcse).collect();
    let mut sector = vec![Block::Paragraph(format!(
        "The plan names {} voluntary, community and social enterprise organisations. What each leads, in the plan's words:",
        vcse.len()
    ))];
    let mut rows = Vec::new();
    for o in &vcse {
        let leads = assure_plan::query::organisation_leads(plan, o);
        let mut what: Vec<String> =
            leads.outcomes.iter().flat_map(|oc| oc.links.iter().map(|l| l.commitment.to_owned())).collect();
        what.extend(leads.enabler_items.iter().map(|e| format!("{} ({})", e.commitment, e.enabler)));
        what.dedup();
        let here = o.area.as_ref().is_some_and(|a| a.get_ref() == id) || o.name.contains(&area.name);
        rows.push(vec![
            Cell::text(format!("{}{}", o.name, if here { " (serves this area)" } else { "" })),
            Cell::text(if what.is_empty() {
                "Named as a partner; leads no row of the plan".to_owned()
            } else {
                what.join("; ")
            }),
        ]);
    }
    sector.push(Block::table(
        "Voluntary and community sector organisations and what they lead",
        &["Organisation", "Leads"],
        rows,
    ));
    let heard: Vec<String> = plan
        .outcomes
        .iter()
        .flat_map(|o| o.heard.iter().map(heard_text))
        .filter(|h| h.to_lowercase().contains("voluntary") || h.to_lowercase().contains("community"))
        .collect();
    if !heard.is_empty() {
        sector.push(Block::Heading("What residents said about communities and the sector".into()));
        sector.push(Block::List(heard));
    }

    Report {
        title: format!("{}: place report", area.name),
        subtitle: format!(
            "{} · outcomes for {} and how the voluntary and community sector is involved",
            plan.meta.title, area.name
        ),
        generated_at: inputs.generated_at.clone(),
        illustrative: inputs.illustrative,
        sections: vec![
            Section { heading: "About this report".into(), blocks: about },
            Section { heading: format!("Outcomes for {}", area.name), blocks: outcomes },
            Section { heading: "Place priorities".into(), blocks: priorities },
            Section { heading: format!("Delivery led in {}", area.name), blocks: delivery },
            Section { heading: "The voluntary and community sector".into(), blocks: sector },
        ],
    }
}

/// A reporting round closed for a meeting, as a report shows it: its name, when it
/// closed, its return rate, and each item asked about with the status its snapshot kept.
#[derive(Debug, Clone)]
pub struct RoundReturns<'a> {
    /// The round's name ("Medway 6-month update").
    pub name: &'a str,
    /// Its deadline (`YYYY-MM-DD`).
    pub deadline: &'a str,
    /// When it closed (RFC 3339).
    pub closed_at: &'a str,
    /// What it showed when it closed.
    pub snapshot: &'a crate::Snapshot,
    /// Each item asked about: key (`milestone:id`, `plan:id`), title, leads in words,
    /// whether its lead responded, whether late.
    pub items: Vec<(String, String, String, bool, bool)>,
}

/// The section of a place (or annual) report that reads a closed round's snapshot: the
/// statuses the leads reported for the meeting, not whatever they are on the day the
/// report is printed.
pub fn round_section(round: &RoundReturns<'_>) -> Section {
    let responded = round.items.iter().filter(|i| i.3).count();
    let total = round.items.len();
    let rate = (responded * 100).checked_div(total).unwrap_or(100);
    let rows = round
        .items
        .iter()
        .map(|(key, title, leads, done, late)| {
            let status = round.snapshot.items.get(key).and_then(|s| assure_plan::delivery::DeliveryStatus::parse(s));
            let mut ret = if *done { "Responded".to_owned() } else { "No response".to_owned() };
            if *late {
                ret.push_str(" (late)");
            }
            vec![Cell::text(title.clone()), Cell::text(leads.clone()), delivery_cell(status), Cell::text(ret)]
        })
        .collect();
    Section {
        heading: format!("Reporting round: {}", round.name),
        blocks: vec![
            Block::Paragraph(format!(
                "The leads of {total} items were asked for an update by {}; {responded} responded ({rate}%). The statuses below are those kept when the round closed on {}.",
                round.deadline,
                round.closed_at.get(..10).unwrap_or(round.closed_at)
            )),
            Block::Table {
                caption: format!("Returns to {}", round.name),
                headers: vec!["Item".into(), "Led by".into(), "Status at the round".into(), "Return".into()],
                rows,
            },
        ],
    }
}

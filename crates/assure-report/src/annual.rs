//! The annual report of the Integrated Care Partnership, generated from live data: a
//! one-page summary (indicators by status, those off track with why, overdue milestones);
//! the exceptions (indicators off track or at risk, then milestones and plans that need
//! attention); what changed since the previous report; and for each outcome, the
//! indicators with their status, charts and reasons, the milestones by status, and what
//! residents said.

use assure_plan::delivery::ItemKind;
use assure_tracking::delivery::MilestoneRef;
use assure_tracking::{Status, plain};

use crate::blocks::{
    Inputs, Snapshot, counts_across, exceptions, indicator_charts, indicator_exceptions, indicator_table,
    indicators_with, leads_text, milestone_counts_across, milestone_table, status_tone,
};
use crate::document::{Block, Cell, Report, Section};

/// The milestones of an outcome: its delivery examples' and those partners added to
/// plans that deliver its commitments.
pub fn outcome_milestones<'a>(inputs: &Inputs<'a>, n: u8) -> Vec<MilestoneRef<'a>> {
    let plan = inputs.plan;
    inputs
        .delivery
        .milestones(plan)
        .into_iter()
        .filter(|m| match (m.example, m.added) {
            (Some(e), _) => *e.outcome.get_ref() == n,
            (None, Some(a)) => {
                plan.links_to_delivering_plan(&a.delivering_plan).iter().any(|(c, _)| *c.outcome.get_ref() == n)
            }
            (None, None) => false,
        })
        .collect()
}

fn label(status: &str) -> String {
    let s = status.replace('_', " ");
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// What changed between the previous report's snapshot and now.
fn changes(inputs: &Inputs<'_>, previous: Option<&Snapshot>, now: &Snapshot) -> Vec<Block> {
    let Some(before) = previous else {
        return vec![Block::Paragraph(
            "This is the first report generated from this database, so there is nothing to compare with yet. The next report will list what changed since this one.".into(),
        )];
    };
    let mut blocks = vec![Block::Paragraph(format!(
        "Since the previous report, generated {} UTC.",
        before.at.get(..16).unwrap_or(&before.at).replace('T', " ")
    ))];
    let mut rows = Vec::new();
    for (id, status) in &now.indicators {
        let was = before.indicators.get(id).map_or("no_data", String::as_str);
        if was != status {
            let name = inputs
                .plan
                .indicators
                .iter()
                .flat_map(|i| i.tracked())
                .find(|t| t.id == id)
                .map_or(id.clone(), |t| t.measure.to_owned());
            rows.push(vec![
                Cell::text(format!("Indicator: {name}")),
                Cell::text(label(was)),
                Cell::text(label(status)),
            ]);
        }
    }
    for (key, status) in &now.items {
        let was = before.items.get(key).map_or("No update", String::as_str);
        if was != status {
            let (kind, id) = key.split_once(':').unwrap_or(("", key));
            let name = if kind == "plan" {
                format!("Plan: {}", inputs.plan.delivering_plan_name(id))
            } else {
                format!("Milestone: {}", inputs.delivery.milestone(inputs.plan, id).map_or(id, |m| m.title))
            };
            rows.push(vec![Cell::text(name), Cell::text(label(was)), Cell::text(label(status))]);
        }
    }
    if rows.is_empty() {
        blocks.push(Block::Paragraph("No indicator or delivery status has changed.".into()));
    } else {
        blocks.push(Block::table("Statuses that changed", &["Item", "Before", "Now"], rows));
    }
    let since: Vec<String> = inputs
        .delivery
        .updates()
        .iter()
        .filter(|u| u.publication == assure_plan::delivery::Publication::Published && u.at > before.at)
        .map(|u| {
            let title = match u.kind {
                ItemKind::DeliveringPlan => inputs.plan.delivering_plan_name(&u.item).to_owned(),
                ItemKind::Milestone => {
                    inputs.delivery.milestone(inputs.plan, &u.item).map_or(u.item.clone(), |m| m.title.to_owned())
                }
            };
            format!(
                "{title}: {} ({}, {}): {}",
                u.draft.status.label(),
                u.author,
                u.at.get(..10).unwrap_or(&u.at),
                u.draft.narrative
            )
        })
        .collect();
    blocks.push(Block::Heading(format!("Updates published since ({})", since.len())));
    if since.is_empty() {
        blocks.push(Block::Paragraph("None.".into()));
    } else {
        blocks.push(Block::List(since));
    }
    blocks
}

/// How many overdue milestones the summary names; past that it names this many and says
/// how many more the Exceptions list.
pub const OVERDUE_NAMED: usize = 3;

/// The one-page summary a committee member reads first: indicators by status (saying how
/// compound statements count), each indicator off track with why in one line, and the
/// overdue milestones.
fn summary(inputs: &Inputs<'_>, milestones: &[MilestoneRef<'_>]) -> Vec<Block> {
    let plan = inputs.plan;
    let mut blocks = vec![Block::Paragraph(format!(
        "This report shows how the partnership is delivering {}: the strategic indicators against their targets, and the milestones partners have reported on. Statuses are computed from the data, by the rule published on the site under \"How we judge progress\".",
        plan.meta.title
    ))];
    let tracked: Vec<_> = plan.indicators.iter().flat_map(|i| i.tracked()).collect();
    let compound: Vec<_> = plan.indicators.iter().filter(|i| i.parts.len() > 1).collect();
    let parts: usize = compound.iter().map(|i| i.parts.len()).sum();
    let counting = if compound.is_empty() {
        format!("The plan's {} strategic indicators are each counted once.", plan.indicators.len())
    } else {
        format!(
            "The plan's {} strategic indicators are tracked as {}: {} of them are compound statements with {} parts between them, and each part has its own target and is counted on its own.",
            plan.indicators.len(),
            tracked.len(),
            compound.len(),
            parts
        )
    };
    blocks.push(Block::Paragraph(counting));
    let statuses: Vec<Status> =
        tracked.iter().map(|t| inputs.assessments.get(t.id).map_or(Status::NoData, |a| a.status)).collect();
    blocks.push(counts_across(
        "Strategic indicators and parts by status",
        Status::ALL
            .into_iter()
            .map(|s| (Cell::tag(s.label(), status_tone(s)), statuses.iter().filter(|x| **x == s).count()))
            .collect(),
    ));

    blocks.push(Block::Heading("Indicators off track".into()));
    let off_track = indicators_with(inputs, &[Status::OffTrack]);
    if off_track.is_empty() {
        blocks.push(Block::Paragraph("No indicator is off track.".into()));
    } else {
        let rows =
            off_track.iter().map(|(_, t, a)| vec![Cell::text(t.measure), Cell::text(plain::short(t, a))]).collect();
        blocks.push(Block::table("Off track, and why", &["Indicator", "Why"], rows));
    }

    blocks.extend(overdue_milestones(inputs, milestones));
    blocks.push(milestone_counts_across(inputs, "Milestones by status", milestones));
    blocks
}

/// The overdue milestones under their heading: how many, the first [`OVERDUE_NAMED`] by
/// name, and how many more the Exceptions list.
fn overdue_milestones(inputs: &Inputs<'_>, milestones: &[MilestoneRef<'_>]) -> Vec<Block> {
    let overdue: Vec<_> = milestones
        .iter()
        .filter_map(|m| {
            let p = inputs.delivery.progress(ItemKind::Milestone, m.id, m.due);
            p.overdue.then_some((m, p))
        })
        .collect();
    let mut blocks = vec![Block::Heading("Overdue milestones".into())];
    blocks.push(Block::Paragraph(match overdue.len() {
        0 => format!("None of the {} milestones is overdue.", milestones.len()),
        1 => format!(
            "1 of the {} milestones is overdue: its expected date has passed and it is not complete.",
            milestones.len()
        ),
        n => format!(
            "{n} of the {} milestones are overdue: their expected date has passed and they are not complete.",
            milestones.len()
        ),
    }));
    if overdue.is_empty() {
        return blocks;
    }
    let named = overdue.len().min(OVERDUE_NAMED);
    blocks.push(Block::List(
        overdue[..named]
            .iter()
            .map(|(m, p)| {
                let leads = leads_text(inputs, ItemKind::Milestone, m.id);
                let led = if leads.is_empty() { String::new() } else { format!("; led by {leads}") };
                format!("{} (expected {}{led})", m.title, p.due)
            })
            .collect(),
    ));
    if named < overdue.len() {
        blocks.push(Block::Paragraph(format!("And {} more, listed under Exceptions.", overdue.len() - named)));
    }
    blocks
}

/// The annual report, and the snapshot to keep for the next one.
pub fn annual(inputs: &Inputs<'_>, previous: Option<&Snapshot>) -> (Report, Snapshot) {
    let plan = inputs.plan;
    let now = inputs.snapshot();
    let all_milestones = inputs.delivery.milestones(plan);
    let plans: Vec<&str> = plan.delivering_plans.iter().map(|p| p.id.get_ref().as_str()).collect();

    let mut sections = vec![
        Section { heading: "Summary".into(), blocks: summary(inputs, &all_milestones) },
        Section {
            heading: "Exceptions".into(),
            blocks: vec![indicator_exceptions(inputs), exceptions(inputs, &all_milestones, &plans)],
        },
        Section { heading: "Changes since the previous report".into(), blocks: changes(inputs, previous, &now) },
    ];
    for o in &plan.outcomes {
        let n = *o.number.get_ref();
        let mut blocks = vec![Block::Paragraph(o.ambition.clone())];
        let of_outcome: Vec<_> = plan.indicators.iter().filter(|i| *i.outcome.get_ref() == n).collect();
        if !of_outcome.is_empty() {
            blocks.push(Block::Heading("Strategic indicators".into()));
            blocks.push(indicator_table(inputs, &format!("Indicators of outcome {n}"), &of_outcome));
            for i in &of_outcome {
                blocks.extend(indicator_charts(inputs, i));
            }
        }
        let milestones = outcome_milestones(inputs, n);
        if !milestones.is_empty() {
            blocks.push(Block::Heading("Milestones".into()));
            blocks.push(milestone_table(inputs, &format!("Milestones of outcome {n}"), &milestones));
        }
        if !o.heard.is_empty() {
            blocks.push(Block::Heading("What residents told us".into()));
            blocks.push(Block::Paragraph("From the engagement behind the plan:".into()));
            blocks.push(Block::List(o.heard.iter().map(heard_text).collect()));
        }
        sections.push(Section { heading: format!("Outcome {n}: {}", o.title), blocks });
    }
    let report = Report {
        title: "Annual report of the Integrated Care Partnership".into(),
        subtitle: plan.meta.title.clone(),
        generated_at: inputs.generated_at.clone(),
        illustrative: inputs.illustrative,
        sections,
    };
    (report, now)
}

/// What residents said, with its listed points.
pub fn heard_text(h: &assure_plan::Heard) -> String {
    if h.items.is_empty() { h.text.clone() } else { format!("{} {}", h.text, h.items.join("; ")) }
}

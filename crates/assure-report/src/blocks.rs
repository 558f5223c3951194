//! What every report is made of: the live data it reads ([`Inputs`]), and the building
//! blocks (indicator tables and charts, milestone tables, exceptions) the annual report,
//! deep-dive packs and place reports share.

use std::collections::{BTreeMap, HashMap};

use assure_plan::delivery::{DeliveryStatus, ItemKind, Publication};
use assure_plan::{Indicator, Plan, Tracked};
use assure_tracking::delivery::{Delivery, Freshness, MilestoneRef, Progress};
use assure_tracking::{Assessment, Status};
use serde::{Deserialize, Serialize};

use crate::document::{Block, Cell, Tone, standalone_svg};

/// The live data a report is made from.
pub struct Inputs<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// Every tracked indicator's (or part's) assessment, by id.
    pub assessments: &'a HashMap<String, Assessment>,
    /// Whether any indicator data is illustrative.
    pub illustrative: bool,
    /// What partners reported.
    pub delivery: &'a Delivery,
    /// When the report is generated (RFC 3339, UTC).
    pub generated_at: String,
}

/// What a report recorded, so that the next one can say what changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Each tracked indicator's status (`on_track` …).
    pub indicators: BTreeMap<String, String>,
    /// Each milestone's and delivering plan's latest published status (`milestone:id`,
    /// `plan:id`), absent before any update.
    pub items: BTreeMap<String, String>,
}

impl Inputs<'_> {
    /// The snapshot of this report's data.
    pub fn snapshot(&self) -> Snapshot {
        let indicators = self
            .assessments
            .iter()
            .map(|(id, a)| {
                (
                    id.clone(),
                    serde_json::to_value(a.status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
                )
            })
            .collect();
        let mut items = BTreeMap::new();
        for m in self.delivery.milestones(self.plan) {
            if let Some(s) = self.delivery.progress(ItemKind::Milestone, m.id, m.due).status {
                items.insert(format!("milestone:{}", m.id), s.as_str().to_owned());
            }
        }
        for p in &self.plan.delivering_plans {
            if let Some(s) = self.delivery.progress(ItemKind::DeliveringPlan, p.id.get_ref(), "Ongoing").status {
                items.insert(format!("plan:{}", p.id.get_ref()), s.as_str().to_owned());
            }
        }
        Snapshot { at: self.generated_at.clone(), indicators, items }
    }
}

/// The tone of an indicator status.
pub fn status_tone(s: Status) -> Tone {
    match s {
        Status::Achieved => Tone::Good,
        Status::OnTrack => Tone::OnTrack,
        Status::AtRisk => Tone::Warning,
        Status::OffTrack => Tone::Bad,
        Status::NoData => Tone::Neutral,
    }
}

/// The tone of a delivery status (none: no update yet).
pub fn delivery_tone(s: Option<DeliveryStatus>) -> Tone {
    match s {
        Some(DeliveryStatus::Complete) => Tone::Good,
        Some(DeliveryStatus::OnTrack) => Tone::OnTrack,
        Some(DeliveryStatus::AtRisk) => Tone::Warning,
        Some(DeliveryStatus::OffTrack) => Tone::Bad,
        Some(DeliveryStatus::NotStarted | DeliveryStatus::Closed) | None => Tone::Neutral,
    }
}

/// A delivery status as a cell.
pub fn delivery_cell(s: Option<DeliveryStatus>) -> Cell {
    Cell::tag(s.map_or("No update", DeliveryStatus::label), delivery_tone(s))
}

/// Overdue and stale in words ("" when neither).
pub fn flags(p: &Progress) -> String {
    let mut out = Vec::new();
    if p.overdue {
        out.push("Overdue".to_owned());
    }
    if let Freshness::Stale(d) = p.freshness {
        out.push(format!("Stale ({d} days)"));
    }
    out.join(", ")
}

/// How a tracked indicator is named in a table: the statement, and for a part of a
/// compound one, the part's measure after it.
pub fn tracked_name(i: &Indicator, t: &Tracked<'_>) -> String {
    if i.parts.len() > 1 { format!("{} — {}", i.statement, t.measure) } else { i.statement.clone() }
}

/// The latest value in its unit with its period ("9.9% (2025/26)"; "" without data).
pub fn latest_text(t: &Tracked<'_>, a: Option<&Assessment>) -> String {
    a.and_then(Assessment::latest)
        .map(|p| format!("{} ({})", assure_tracking::format::value(t.unit, p.value), p.period))
        .unwrap_or_default()
}

/// An indicator's row: its name, status, latest value and why.
fn indicator_row(i: &Indicator, t: &Tracked<'_>, a: Option<&Assessment>) -> Vec<Cell> {
    let status = a.map_or(Status::NoData, |a| a.status);
    vec![
        Cell::text(tracked_name(i, t)),
        Cell::tag(status.label(), status_tone(status)),
        Cell::text(latest_text(t, a)),
        Cell::text(a.map(|a| a.reason.clone()).unwrap_or_default()),
    ]
}

/// The columns of [`indicator_row`].
const INDICATOR_COLUMNS: [&str; 4] = ["Indicator", "Status", "Latest", "Why"];

/// A table of indicators (each part of a compound one on its own row): status, latest
/// value, why.
pub fn indicator_table(inputs: &Inputs<'_>, caption: &str, indicators: &[&Indicator]) -> Block {
    let rows = indicators
        .iter()
        .flat_map(|i| i.tracked().into_iter().map(move |t| (*i, t)))
        .map(|(i, t)| indicator_row(i, &t, inputs.assessments.get(t.id)))
        .collect();
    Block::table(caption, &INDICATOR_COLUMNS, rows)
}

/// The indicators (and parts) whose status is one of `statuses`, in that order and then
/// in plan order, with their assessment.
pub fn indicators_with<'a>(
    inputs: &Inputs<'a>,
    statuses: &[Status],
) -> Vec<(&'a Indicator, Tracked<'a>, &'a Assessment)> {
    let all: Vec<_> = inputs
        .plan
        .indicators
        .iter()
        .flat_map(|i| i.tracked().into_iter().map(move |t| (i, t)))
        .filter_map(|(i, t)| Some((i, t, inputs.assessments.get(t.id)?)))
        .collect();
    statuses.iter().flat_map(|s| all.iter().filter(move |(_, _, a)| a.status == *s).cloned()).collect()
}

/// Indicators that need attention: off track, then at risk, each with its status, latest
/// value and reason.
pub fn indicator_exceptions(inputs: &Inputs<'_>) -> Block {
    let rows = indicators_with(inputs, &[Status::OffTrack, Status::AtRisk])
        .into_iter()
        .map(|(i, t, a)| indicator_row(i, &t, Some(a)))
        .collect();
    Block::table("Indicators off track or at risk", &INDICATOR_COLUMNS, rows)
}

/// A trend chart for each tracked indicator with data (its ids made from the tracked
/// indicator's id: unique in a report, which shows each indicator once).
pub fn indicator_charts(inputs: &Inputs<'_>, i: &Indicator) -> Vec<Block> {
    i.tracked()
        .iter()
        .filter_map(|t| {
            let a = inputs.assessments.get(t.id).filter(|a| !a.series.is_empty())?;
            let title = if i.parts.len() > 1 { format!("{}: {}", i.measure, t.measure) } else { i.measure.clone() };
            let markup = crate::charts::trend(t.id, &title, t.unit, a).into_string();
            Some(Block::Chart {
                title: format!("{title}: values, trajectory to the target, and England"),
                svg: standalone_svg(&markup)?,
            })
        })
        .collect()
}

/// The organisations that lead an item, by name ("" when none is named).
pub fn leads_text(inputs: &Inputs<'_>, kind: ItemKind, id: &str) -> String {
    let leads = inputs.delivery.leads(inputs.plan, kind, id);
    leads.iter().map(|l| inputs.plan.organisation_name(l)).collect::<Vec<_>>().join(", ")
}

/// A table of milestones: expected date, status, flags, who leads, latest update.
pub fn milestone_table(inputs: &Inputs<'_>, caption: &str, milestones: &[MilestoneRef<'_>]) -> Block {
    let rows = milestones
        .iter()
        .map(|m| {
            let p = inputs.delivery.progress(ItemKind::Milestone, m.id, m.due);
            let latest = inputs
                .delivery
                .history(ItemKind::Milestone, m.id, false)
                .last()
                .map(|u| format!("{} ({})", u.draft.narrative, u.at.get(..10).unwrap_or(&u.at)))
                .unwrap_or_default();
            vec![
                Cell::text(m.title),
                Cell::text(p.due.clone()),
                delivery_cell(p.status),
                Cell::tag(flags(&p), if p.overdue { Tone::Bad } else { Tone::Warning }),
                Cell::text(leads_text(inputs, ItemKind::Milestone, m.id)),
                Cell::text(latest),
            ]
        })
        .collect();
    Block::table(caption, &["Milestone", "Expected", "Status", "Flags", "Led by", "Latest update"], rows)
}

/// Counts of milestones by status, then overdue and stale: each as a tag (the status in
/// its tone) and a number.
fn milestone_tally(inputs: &Inputs<'_>, milestones: &[MilestoneRef<'_>]) -> Vec<(Cell, usize)> {
    let progress: Vec<Progress> =
        milestones.iter().map(|m| inputs.delivery.progress(ItemKind::Milestone, m.id, m.due)).collect();
    let mut tally: Vec<(Cell, usize)> = DeliveryStatus::ALL
        .into_iter()
        .map(Some)
        .chain([None])
        .map(|s| (delivery_cell(s), progress.iter().filter(|p| p.status == s).count()))
        .collect();
    tally.push((Cell::tag("Overdue", Tone::Bad), progress.iter().filter(|p| p.overdue).count()));
    let stale = progress.iter().filter(|p| matches!(p.freshness, Freshness::Stale(_))).count();
    tally.push((Cell::tag("Stale", Tone::Warning), stale));
    tally
}

/// Counts of milestones by status, with overdue and stale: a row for each.
pub fn milestone_counts(inputs: &Inputs<'_>, caption: &str, milestones: &[MilestoneRef<'_>]) -> Block {
    let rows =
        milestone_tally(inputs, milestones).into_iter().map(|(s, n)| vec![s, Cell::text(n.to_string())]).collect();
    Block::table(caption, &["Status", "Milestones"], rows)
}

/// Counts in one row under their labels, each number but 0 in its label's tone: a table
/// that takes two lines of a page.
pub fn counts_across(caption: &str, counts: Vec<(Cell, usize)>) -> Block {
    let headers: Vec<&str> = counts.iter().map(|(label, _)| label.text.as_str()).collect();
    let row = counts
        .iter()
        .map(|(label, n)| if *n == 0 { Cell::text("0") } else { Cell::tag(n.to_string(), label.tone.clone()) })
        .collect();
    Block::table(caption, &headers, vec![row])
}

/// Counts of milestones by status, with overdue and stale, in one row.
pub fn milestone_counts_across(inputs: &Inputs<'_>, caption: &str, milestones: &[MilestoneRef<'_>]) -> Block {
    counts_across(caption, milestone_tally(inputs, milestones))
}

/// Milestones and plans that need attention: overdue, off track, at risk or stale.
pub fn exceptions(inputs: &Inputs<'_>, milestones: &[MilestoneRef<'_>], plans: &[&str]) -> Block {
    let mut rows = Vec::new();
    let mut row = |kind: &str, title: &str, p: &Progress, leads: String| {
        if p.is_exception() {
            rows.push(vec![
                Cell::text(format!("{kind}: {title}")),
                delivery_cell(p.status),
                Cell::text(p.due.clone()),
                Cell::tag(flags(p), Tone::Bad),
                Cell::text(leads),
            ]);
        }
    };
    for m in milestones {
        let p = inputs.delivery.progress(ItemKind::Milestone, m.id, m.due);
        row("Milestone", m.title, &p, leads_text(inputs, ItemKind::Milestone, m.id));
    }
    for id in plans {
        let p = inputs.delivery.progress(ItemKind::DeliveringPlan, id, "Ongoing");
        row("Plan", inputs.plan.delivering_plan_name(id), &p, leads_text(inputs, ItemKind::DeliveringPlan, id));
    }
    Block::table(
        "Milestones and plans overdue, off track, at risk or stale",
        &["Item", "Status", "Expected", "Flags", "Led by"],
        rows,
    )
}

/// The updates of an item in order, as a list (published ones only: reports are public).
pub fn history(inputs: &Inputs<'_>, kind: ItemKind, id: &str) -> Vec<String> {
    inputs
        .delivery
        .history(kind, id, false)
        .iter()
        .filter(|u| u.publication == Publication::Published)
        .map(|u| {
            let moved = u.draft.expected.as_deref().map(|e| format!(" Now expected {e}.")).unwrap_or_default();
            format!(
                "{} — {} by {}: {}.{moved}",
                u.at.get(..10).unwrap_or(&u.at),
                u.draft.status.label(),
                u.author,
                u.draft.narrative.trim_end_matches('.')
            )
        })
        .collect()
}

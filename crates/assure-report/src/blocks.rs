//! What every report is made of: the live data it reads ([`Inputs`]), and the building
//! blocks (indicator tables and charts, milestone tables, exceptions) the annual report,
//! deep-dive packs and place reports share.

use std::collections::{BTreeMap, HashMap};

use assure_plan::delivery::{DeliveryStatus, ItemKind, Publication};
use assure_plan::{Indicator, Plan};
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

/// A table of indicators (each part of a compound one on its own row): status, latest
/// value, why.
pub fn indicator_table(inputs: &Inputs<'_>, caption: &str, indicators: &[&Indicator]) -> Block {
    let mut rows = Vec::new();
    for i in indicators {
        for t in i.tracked() {
            let a = inputs.assessments.get(t.id);
            let name =
                if i.parts.len() > 1 { format!("{} — {}", i.statement, t.measure) } else { i.statement.clone() };
            let status = a.map_or(Status::NoData, |a| a.status);
            let latest = a
                .and_then(Assessment::latest)
                .map(|p| format!("{} ({})", assure_tracking::format::value(t.unit, p.value), p.period))
                .unwrap_or_default();
            rows.push(vec![
                Cell::text(name),
                Cell::tag(status.label(), status_tone(status)),
                Cell::text(latest),
                Cell::text(a.map(|a| a.reason.clone()).unwrap_or_default()),
            ]);
        }
    }
    Block::table(caption, &["Indicator", "Status", "Latest", "Why"], rows)
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

/// Counts of milestones by status, with overdue and stale.
pub fn milestone_counts(inputs: &Inputs<'_>, caption: &str, milestones: &[MilestoneRef<'_>]) -> Block {
    let progress: Vec<Progress> =
        milestones.iter().map(|m| inputs.delivery.progress(ItemKind::Milestone, m.id, m.due)).collect();
    let mut rows: Vec<Vec<Cell>> = DeliveryStatus::ALL
        .into_iter()
        .map(Some)
        .chain([None])
        .map(|s| vec![delivery_cell(s), Cell::text(progress.iter().filter(|p| p.status == s).count().to_string())])
        .collect();
    rows.push(vec![
        Cell::tag("Overdue", Tone::Bad),
        Cell::text(progress.iter().filter(|p| p.overdue).count().to_string()),
    ]);
    let stale = progress.iter().filter(|p| matches!(p.freshness, Freshness::Stale(_))).count();
    rows.push(vec![Cell::tag("Stale", Tone::Warning), Cell::text(stale.to_string())]);
    Block::table(caption, &["Status", "Milestones"], rows)
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
        "Exceptions: overdue, off track, at risk or stale",
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

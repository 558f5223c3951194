//! What there is to report on, and whose it is: every milestone and delivering plan as a
//! [`WorkItem`] with where it stands; a person's own items (what their organisations
//! lead, through their directorates), sorted by what needs attention first; and the
//! [`Scope`]s and [`DeliveryFilter`] that narrow the list (by organisation, place,
//! outcome, status, overdue, stale), which reporting rounds use too.

use assure_plan::Plan;
use assure_plan::delivery::{DeliveryStatus, ItemKind};
use assure_store::Account;
use assure_tracking::delivery::{Delivery, Freshness, Progress, due_date};
use jiff::civil::Date;

/// A milestone or delivering plan, with where it stands.
#[derive(Debug, Clone)]
pub struct WorkItem {
    /// Milestone or delivering plan.
    pub kind: ItemKind,
    /// Its id.
    pub id: String,
    /// What it is called.
    pub title: String,
    /// What it belongs to: the delivery example (or the delivering plan a partner added
    /// the milestone to); empty for a delivering plan.
    pub context: String,
    /// The organisations that lead it (ids).
    pub leads: Vec<String>,
    /// The outcomes it serves.
    pub outcomes: Vec<u8>,
    /// Where it stands today.
    pub progress: Progress,
}

impl WorkItem {
    /// How urgently it needs attention, lowest first: overdue, off track, at risk,
    /// stale, no update yet, then the rest; finished items last.
    pub fn attention(&self) -> u8 {
        let p = &self.progress;
        match (p.status, p.overdue, p.freshness) {
            (Some(s), _, _) if s.is_finished() => 6,
            (_, true, _) => 0,
            (Some(DeliveryStatus::OffTrack), ..) => 1,
            (Some(DeliveryStatus::AtRisk), ..) => 2,
            (_, _, Freshness::Stale(_)) => 3,
            (_, _, Freshness::NoUpdate) => 4,
            _ => 5,
        }
    }

    /// Whether it needs attention (overdue, off track, at risk, stale or never updated).
    pub fn needs_attention(&self) -> bool {
        self.attention() < 5
    }

    /// `milestone:id` or `plan:id`, as snapshots and rounds key items.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.id)
    }
}

/// The outcomes a delivering plan serves: those of the commitments that name it (and of
/// delivery examples about it).
fn plan_outcomes(plan: &Plan, delivering_plan: &str) -> Vec<u8> {
    let mut out: Vec<u8> =
        plan.links_to_delivering_plan(delivering_plan).iter().map(|(c, _)| *c.outcome.get_ref()).collect();
    out.extend(
        plan.delivery_examples
            .iter()
            .filter(|e| e.plans.iter().any(|p| p.get_ref() == delivering_plan))
            .map(|e| *e.outcome.get_ref()),
    );
    out.sort_unstable();
    out.dedup();
    out
}

/// Every milestone (the plan's, then those partners added) and every delivering plan, in
/// plan order, with where each stands on `day`.
pub fn work_items(plan: &Plan, delivery: &Delivery, day: Date) -> Vec<WorkItem> {
    let owned = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
    let milestones = delivery.milestones(plan).into_iter().map(|m| {
        let (context, outcomes) = match (m.example, m.added) {
            (Some(e), _) => (e.title.clone(), vec![*e.outcome.get_ref()]),
            (None, Some(a)) => {
                (plan.delivering_plan_name(&a.delivering_plan).to_owned(), plan_outcomes(plan, &a.delivering_plan))
            }
            (None, None) => (String::new(), Vec::new()),
        };
        WorkItem {
            kind: ItemKind::Milestone,
            id: m.id.to_owned(),
            title: m.title.to_owned(),
            context,
            leads: owned(delivery.leads(plan, ItemKind::Milestone, m.id)),
            outcomes,
            progress: delivery.progress_on(ItemKind::Milestone, m.id, m.due, day),
        }
    });
    let plans = plan.delivering_plans.iter().map(|p| {
        let id = p.id.get_ref();
        WorkItem {
            kind: ItemKind::DeliveringPlan,
            id: id.clone(),
            title: p.name.clone(),
            context: String::new(),
            leads: owned(plan.delivering_plan_leads(id)),
            outcomes: plan_outcomes(plan, id),
            progress: delivery.progress_on(ItemKind::DeliveringPlan, id, "Ongoing", day),
        }
    });
    milestones.chain(plans).collect()
}

/// Items sorted by what needs attention first, then by the date they are expected
/// (undated last), then by title.
pub fn by_attention(items: &mut [WorkItem]) {
    items.sort_by(|a, b| {
        let due = |i: &WorkItem| due_date(&i.progress.due);
        (a.attention(), due(a).is_none(), due(a), &a.title).cmp(&(b.attention(), due(b).is_none(), due(b), &b.title))
    });
}

/// What this person's organisations lead (through their directorates too), as it stands
/// on `day`, sorted by what needs attention first. Empty for someone with no organisation.
pub fn my_work(account: &Account, plan: &Plan, delivery: &Delivery, day: Date) -> Vec<WorkItem> {
    let scope = Scope::Organisations(account.organisations.clone());
    let mut items: Vec<WorkItem> =
        work_items(plan, delivery, day).into_iter().filter(|i| scope.contains(plan, i)).collect();
    by_attention(&mut items);
    items
}

/// Which items something covers: a reporting round, or a filter of the delivery list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything.
    All,
    /// The items serving this outcome.
    Outcome(u8),
    /// The items led by the organisations of this place (by area id: see
    /// [`place_organisations`]).
    Place(String),
    /// The items led by these organisations (ids), or by their directorates.
    Organisations(Vec<String>),
}

impl Scope {
    /// Whether the item is in scope.
    pub fn contains(&self, plan: &Plan, item: &WorkItem) -> bool {
        let leads: Vec<&str> = item.leads.iter().map(String::as_str).collect();
        match self {
            Scope::All => true,
            Scope::Outcome(n) => item.outcomes.contains(n),
            Scope::Place(p) => plan.led_by_any(&leads, &place_organisations(plan, p)),
            Scope::Organisations(orgs) => plan.led_by_any(&leads, orgs),
        }
    }

    /// In words ("Medway", "Outcome 2", "everything").
    pub fn describe(&self, plan: &Plan) -> String {
        match self {
            Scope::All => "Everything in the plan".into(),
            Scope::Outcome(n) => {
                format!("Outcome {n}: {}", plan.outcome(*n).map_or("", |o| o.title.as_str()))
            }
            Scope::Place(a) => format!("What {} leads", plan.area(a).map_or(a.as_str(), |a| a.name.as_str())),
            Scope::Organisations(orgs) => {
                orgs.iter().map(|o| plan.organisation_name(o)).collect::<Vec<_>>().join(", ").to_string()
            }
        }
    }
}

/// The organisations of a place (an area with a page of its own: Medway, an HCP, a
/// district): those whose area it is and the place's own partnership, with their
/// directorates. Empty for an id that is not a place.
pub fn place_organisations(plan: &Plan, area: &str) -> Vec<String> {
    if !plan.place_areas().any(|a| a.id.get_ref() == area) {
        return Vec::new();
    }
    let own = plan.places.iter().filter(|p| p.area.as_ref().is_some_and(|a| a.get_ref() == area));
    let mut out: Vec<String> = own
        .flat_map(|p| plan.organisation_and_descendants(p.organisation.get_ref()))
        .chain(plan.serving_organisations(area))
        .map(|o| o.id.get_ref().clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The filters of the delivery list; every one set narrows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryFilter {
    /// Led by this organisation (or its directorates).
    pub organisation: Option<String>,
    /// Led by the organisations of this place.
    pub place: Option<String>,
    /// Serving this outcome.
    pub outcome: Option<u8>,
    /// With this latest status; `Some(None)` for items with no update yet.
    pub status: Option<Option<DeliveryStatus>>,
    /// Only overdue items.
    pub overdue: bool,
    /// Only stale items.
    pub stale: bool,
}

impl DeliveryFilter {
    /// Whether the item passes every filter set.
    pub fn keeps(&self, plan: &Plan, item: &WorkItem) -> bool {
        let scopes = [
            self.organisation.clone().map(|o| Scope::Organisations(vec![o])),
            self.place.clone().map(Scope::Place),
            self.outcome.map(Scope::Outcome),
        ];
        scopes.iter().flatten().all(|s| s.contains(plan, item))
            && self.status.is_none_or(|s| item.progress.status == s)
            && (!self.overdue || item.progress.overdue)
            && (!self.stale || matches!(item.progress.freshness, Freshness::Stale(_)))
    }
}

//! Questions a programme officer asks of a plan: counts, lookups, what an
//! organisation leads, search, and the gaps in the plan.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::model::*;

/// How many of each thing a plan holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Shared outcomes.
    pub outcomes: usize,
    /// Priorities.
    pub priorities: usize,
    /// Commitments (one per "Strategies / plans in place to deliver" table).
    pub commitments: usize,
    /// Rows of those tables.
    pub delivery_links: usize,
    /// Distinct delivering plans.
    pub delivering_plans: usize,
    /// Organisations in the registry.
    pub organisations: usize,
    /// Indicator statements.
    pub indicators: usize,
    /// Measurable parts of compound indicator statements.
    pub indicator_parts: usize,
    /// Workforce indicator themes still to be developed.
    pub indicator_themes: usize,
    /// Shared delivery examples.
    pub delivery_examples: usize,
    /// Milestones.
    pub milestones: usize,
    /// Enablers.
    pub enablers: usize,
    /// "What we have committed to" rows under the enablers.
    pub enabler_commitments: usize,
    /// Ways of delivering / plans under those commitments.
    pub enabler_items: usize,
    /// Places with a priorities list (All HCPs, 4 HCPs, 12 districts, KALC).
    pub places: usize,
    /// Place priorities.
    pub place_priorities: usize,
    /// Areas.
    pub areas: usize,
    /// System facts.
    pub facts: usize,
}

/// Count everything in a plan.
pub fn stats(plan: &Plan) -> Stats {
    Stats {
        outcomes: plan.outcomes.len(),
        priorities: plan.priorities.len(),
        commitments: plan.commitments.len(),
        delivery_links: plan.commitments.iter().map(|c| c.links.len()).sum(),
        delivering_plans: plan.delivering_plans.len(),
        organisations: plan.organisations.len(),
        indicators: plan.indicators.len(),
        indicator_parts: plan.indicators.iter().map(|i| i.parts.len()).sum(),
        indicator_themes: plan.outcomes.iter().map(|o| o.indicator_theme.len()).sum(),
        delivery_examples: plan.delivery_examples.len(),
        milestones: plan.delivery_examples.iter().map(|e| e.milestones.len()).sum(),
        enablers: plan.enablers.len(),
        enabler_commitments: plan.enablers.iter().map(|e| e.commitments.len()).sum(),
        enabler_items: plan.enablers.iter().flat_map(|e| &e.commitments).map(|c| c.items.len()).sum(),
        places: plan.places.len(),
        place_priorities: plan.places.iter().map(|p| p.priorities.len()).sum(),
        areas: plan.areas.len(),
        facts: plan.facts.len(),
    }
}

impl Plan {
    /// The outcome with this number.
    pub fn outcome(&self, number: u8) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| *o.number.get_ref() == number)
    }

    /// The priority with this id (`1.2`).
    pub fn priority(&self, id: &str) -> Option<&Priority> {
        self.priorities.iter().find(|p| p.id.get_ref() == id)
    }

    /// The commitment with this id.
    pub fn commitment(&self, id: &str) -> Option<&Commitment> {
        self.commitments.iter().find(|c| c.id.get_ref() == id)
    }

    /// The delivering plan with this id.
    pub fn delivering_plan(&self, id: &str) -> Option<&DeliveringPlan> {
        self.delivering_plans.iter().find(|p| p.id.get_ref() == id)
    }

    /// The indicator with this id.
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id.get_ref() == id || i.parts.iter().any(|p| p.id.get_ref() == id))
    }

    /// The delivery example with this id.
    pub fn delivery_example(&self, id: &str) -> Option<&DeliveryExample> {
        self.delivery_examples.iter().find(|e| e.id.get_ref() == id)
    }

    /// A milestone by id, with the delivery example it belongs to.
    pub fn milestone(&self, id: &str) -> Option<(&DeliveryExample, &Milestone)> {
        self.delivery_examples.iter().find_map(|e| e.milestones.iter().find(|m| m.id.get_ref() == id).map(|m| (e, m)))
    }

    /// The place with this id.
    pub fn place(&self, id: &str) -> Option<&Place> {
        self.places.iter().find(|p| p.id.get_ref() == id)
    }

    /// The area with this id.
    pub fn area(&self, id: &str) -> Option<&Area> {
        self.areas.iter().find(|a| a.id.get_ref() == id)
    }

    /// The areas that have a page of their own as a place: the system, the county and
    /// unitary councils, the Health and Care Partnerships and the districts.
    pub fn place_areas(&self) -> impl Iterator<Item = &Area> {
        self.areas.iter().filter(|a| a.kind.is_place())
    }

    /// The areas inside an area: an HCP's members (with how much of each it covers), or
    /// the areas whose parent it is.
    pub fn areas_within<'a>(&'a self, area: &'a Area) -> Vec<(&'a Area, Option<&'a AreaMember>)> {
        if !area.members.is_empty() {
            return area.members.iter().filter_map(|m| Some((self.area(m.area.get_ref())?, Some(m)))).collect();
        }
        self.areas
            .iter()
            .filter(|a| a.parent.as_ref().is_some_and(|p| p.get_ref() == area.id.get_ref()))
            .map(|a| (a, None))
            .collect()
    }

    /// The areas whose parent is `area`, by kind (in [`AreaKind::ALL`]'s order), for the
    /// kinds that are neighbourhoods ([`AreaKind::is_neighbourhood`]): an HCP's PCNs,
    /// Medway's localities, a PCN's practices.
    pub fn neighbourhoods_in<'a>(&'a self, area: &Area) -> Vec<(AreaKind, Vec<&'a Area>)> {
        AreaKind::ALL
            .into_iter()
            .filter(|k| k.is_neighbourhood())
            .map(|k| {
                let children = self
                    .areas
                    .iter()
                    .filter(|a| a.kind == k && a.parent.as_ref().is_some_and(|p| p.get_ref() == area.id.get_ref()))
                    .collect::<Vec<_>>();
                (k, children)
            })
            .filter(|(_, children)| !children.is_empty())
            .collect()
    }

    /// The areas an area lies in, wholly or partly: its parent and the HCPs it is a member of.
    pub fn areas_around<'a>(&'a self, area: &'a Area) -> Vec<&'a Area> {
        let parent = area.parent.as_ref().and_then(|p| self.area(p.get_ref()));
        let partnerships =
            self.areas.iter().filter(|a| a.members.iter().any(|m| m.area.get_ref() == area.id.get_ref()));
        parent.into_iter().chain(partnerships).collect()
    }

    /// The places of the plan whose priorities apply to an area: its own, and those of the
    /// areas it lies in (the partnership a district belongs to).
    pub fn places_covering<'a>(&'a self, area: &'a Area) -> Vec<&'a Place> {
        let around: Vec<&str> = self.areas_around(area).iter().map(|a| a.id.get_ref().as_str()).collect();
        self.places
            .iter()
            .filter(|p| {
                p.area
                    .as_ref()
                    .is_some_and(|a| a.get_ref() == area.id.get_ref() || around.contains(&a.get_ref().as_str()))
            })
            .collect()
    }

    /// The organisations serving an area: those whose area it is, with their directorates
    /// and services.
    pub fn serving_organisations(&self, area: &str) -> Vec<&Organisation> {
        self.organisations
            .iter()
            .filter(|o| o.area.as_ref().is_some_and(|a| a.get_ref() == area))
            .flat_map(|o| self.organisation_and_descendants(o.id.get_ref()))
            .collect()
    }

    /// The organisation with this id, or whose name or alias matches (case-insensitive).
    pub fn organisation(&self, key: &str) -> Option<&Organisation> {
        let k = key.trim().to_lowercase();
        self.organisations.iter().find(|o| o.id.get_ref() == &k).or_else(|| {
            self.organisations
                .iter()
                .find(|o| o.name.to_lowercase() == k || o.aliases.iter().any(|a| a.to_lowercase() == k))
        })
    }

    /// An organisation's name by id (the id itself if unknown).
    pub fn organisation_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.organisations.iter().find(|o| o.id.get_ref() == id).map_or(id, |o| o.name.as_str())
    }

    /// A delivering plan's name by id (the id itself if unknown).
    pub fn delivering_plan_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.delivering_plan(id).map_or(id, |p| p.name.as_str())
    }

    /// The organisation and everything below it (directorates, services, sub-committees), the organisation first.
    pub fn organisation_and_descendants(&self, id: &str) -> Vec<&Organisation> {
        let mut out: Vec<&Organisation> = self.organisations.iter().filter(|o| o.id.get_ref() == id).collect();
        let mut i = 0;
        while i < out.len() {
            let cur = out[i].id.get_ref().clone();
            out.extend(self.organisations.iter().filter(|o| o.parent.as_ref().is_some_and(|p| *p.get_ref() == cur)));
            i += 1;
        }
        out
    }

    /// Every delivery link naming this plan, with its commitment.
    pub fn links_to_delivering_plan(&self, delivering_plan: &str) -> Vec<(&Commitment, &DeliveryLink)> {
        self.commitments
            .iter()
            .flat_map(|c| c.links.iter().map(move |l| (c, l)))
            .filter(|(_, l)| l.plans.iter().any(|p| p.get_ref() == delivering_plan))
            .collect()
    }

    /// The organisations leading a delivering plan: every "led by" of the commitment and
    /// enabler rows that name it, each once, in order of first mention.
    pub fn delivering_plan_leads(&self, delivering_plan: &str) -> Vec<&str> {
        let commitment_leads =
            self.links_to_delivering_plan(delivering_plan).into_iter().flat_map(|(_, l)| l.led_by.iter());
        let enabler_leads = self
            .enablers
            .iter()
            .flat_map(|e| e.commitments.iter())
            .flat_map(|c| c.items.iter())
            .filter(|i| i.plans.iter().any(|p| p.get_ref() == delivering_plan))
            .flat_map(|i| i.led_by.iter());
        let mut out: Vec<&str> = Vec::new();
        for o in commitment_leads.chain(enabler_leads) {
            if !out.contains(&o.get_ref().as_str()) {
                out.push(o.get_ref());
            }
        }
        out
    }

    /// The organisations leading a milestone of a delivery example: the leads of the
    /// delivering plans the example is about (none when it names no plan).
    pub fn milestone_leads(&self, milestone_id: &str) -> Vec<&str> {
        let Some((example, _)) = self.milestone(milestone_id) else { return Vec::new() };
        let mut out: Vec<&str> = Vec::new();
        for p in &example.plans {
            for o in self.delivering_plan_leads(p.get_ref()) {
                if !out.contains(&o) {
                    out.push(o);
                }
            }
        }
        out
    }

    /// Whether one of `organisations`, or one of their directorates, services or
    /// sub-committees, is among `leads`: what an editor for those organisations may update.
    pub fn led_by_any(&self, leads: &[&str], organisations: &[String]) -> bool {
        organisations
            .iter()
            .any(|o| self.organisation_and_descendants(o).iter().any(|d| leads.contains(&d.id.get_ref().as_str())))
    }

    /// The commitments serving a priority.
    pub fn commitments_of_priority(&self, priority_id: &str) -> Vec<&Commitment> {
        self.commitments.iter().filter(|c| c.priorities.iter().any(|p| p.get_ref() == priority_id)).collect()
    }
}

/// One delivery link an organisation leads, and through which of its parts.
#[derive(Debug, Serialize)]
pub struct LedLink<'a> {
    /// The commitment.
    pub commitment_id: &'a str,
    /// Its title.
    pub commitment: &'a str,
    /// Its priorities.
    pub priorities: Vec<&'a str>,
    /// The row.
    pub link: &'a DeliveryLink,
    /// Which of the organisation and its descendants the row names.
    pub through: Vec<&'a str>,
}

/// What an organisation leads within one outcome.
#[derive(Debug, Serialize)]
pub struct OutcomeLeads<'a> {
    /// Outcome number.
    pub outcome: u8,
    /// Outcome title.
    pub title: &'a str,
    /// The rows.
    pub links: Vec<LedLink<'a>>,
}

/// An enabler item an organisation leads.
#[derive(Debug, Serialize)]
pub struct LedEnablerItem<'a> {
    /// The enabler.
    pub enabler: &'a str,
    /// What was committed to.
    pub commitment: &'a str,
    /// The row.
    pub item: &'a EnablerItem,
    /// Which of the organisation and its descendants the row names.
    pub through: Vec<&'a str>,
}

/// Everything an organisation leads, including through its directorates, grouped by outcome.
#[derive(Debug, Serialize)]
pub struct OrganisationLeads<'a> {
    /// The organisation.
    pub organisation: &'a Organisation,
    /// Its parent, if any.
    pub parent: Option<&'a Organisation>,
    /// Its directorates, services and committees, at any depth.
    pub parts: Vec<&'a Organisation>,
    /// Number of delivery links led.
    pub link_count: usize,
    /// Distinct delivering plans led.
    pub plans: Vec<&'a DeliveringPlan>,
    /// By outcome.
    pub outcomes: Vec<OutcomeLeads<'a>>,
    /// Enabler items led.
    pub enabler_items: Vec<LedEnablerItem<'a>>,
    /// Places whose priorities these are.
    pub places: Vec<&'a Place>,
}

/// What an organisation leads (see [`OrganisationLeads`]).
pub fn organisation_leads<'a>(plan: &'a Plan, org: &'a Organisation) -> OrganisationLeads<'a> {
    let family = plan.organisation_and_descendants(org.id.get_ref());
    let ids: HashSet<&str> = family.iter().map(|o| o.id.get_ref().as_str()).collect();
    let through = |refs: &'a [Sp<String>]| -> Vec<&'a str> {
        refs.iter().map(|r| r.get_ref().as_str()).filter(|r| ids.contains(r)).collect()
    };
    let mut outcomes = Vec::new();
    let mut plan_ids = BTreeSet::new();
    let mut link_count = 0;
    for o in &plan.outcomes {
        let n = *o.number.get_ref();
        let mut links = Vec::new();
        for c in plan.commitments.iter().filter(|c| *c.outcome.get_ref() == n) {
            for l in &c.links {
                let t = through(&l.led_by);
                if !t.is_empty() {
                    plan_ids.extend(l.plans.iter().map(|p| p.get_ref().as_str()));
                    links.push(LedLink {
                        commitment_id: c.id.get_ref(),
                        commitment: &c.title,
                        priorities: c.priorities.iter().map(|p| p.get_ref().as_str()).collect(),
                        link: l,
                        through: t,
                    });
                }
            }
        }
        link_count += links.len();
        if !links.is_empty() {
            outcomes.push(OutcomeLeads { outcome: n, title: &o.title, links });
        }
    }
    let mut enabler_items = Vec::new();
    for e in &plan.enablers {
        for c in &e.commitments {
            for item in &c.items {
                let t = through(&item.led_by);
                if !t.is_empty() {
                    plan_ids.extend(item.plans.iter().map(|p| p.get_ref().as_str()));
                    enabler_items.push(LedEnablerItem { enabler: &e.title, commitment: &c.title, item, through: t });
                }
            }
        }
    }
    OrganisationLeads {
        organisation: org,
        parent: org.parent.as_ref().and_then(|p| plan.organisations.iter().find(|o| o.id.get_ref() == p.get_ref())),
        parts: family.into_iter().skip(1).collect(),
        link_count,
        plans: plan_ids.into_iter().filter_map(|id| plan.delivering_plan(id)).collect(),
        outcomes,
        enabler_items,
        places: plan.places.iter().filter(|p| ids.contains(p.organisation.get_ref().as_str())).collect(),
    }
}

/// A search hit: what was found and the text that matched.
#[derive(Debug, Serialize)]
pub struct Hit<'a> {
    /// The item's id.
    pub id: String,
    /// Its title or name.
    pub title: &'a str,
    /// The matching text (the title itself, or the field that matched).
    pub matched: &'a str,
    /// Source line.
    pub line: SourceLine,
}

/// Search results grouped by type.
#[derive(Debug, Default, Serialize)]
pub struct SearchResults<'a> {
    /// Outcomes and priorities.
    pub outcomes: Vec<Hit<'a>>,
    /// Priorities.
    pub priorities: Vec<Hit<'a>>,
    /// Commitments (by title or by a row of their table).
    pub commitments: Vec<Hit<'a>>,
    /// Delivering plans (by name or alias).
    pub delivering_plans: Vec<Hit<'a>>,
    /// Organisations (by name or alias).
    pub organisations: Vec<Hit<'a>>,
    /// Indicators.
    pub indicators: Vec<Hit<'a>>,
    /// Delivery examples (by title, summary or milestone).
    pub delivery_examples: Vec<Hit<'a>>,
    /// Place priorities.
    pub places: Vec<Hit<'a>>,
}

impl SearchResults<'_> {
    /// Total number of hits.
    pub fn len(&self) -> usize {
        self.outcomes.len()
            + self.priorities.len()
            + self.commitments.len()
            + self.delivering_plans.len()
            + self.organisations.len()
            + self.indicators.len()
            + self.delivery_examples.len()
            + self.places.len()
    }

    /// Whether nothing matched.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Case-insensitive search of everything with a title, name or text. Words must all match, in any order.
pub fn search<'a>(plan: &'a Plan, query: &str) -> SearchResults<'a> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let matches = |s: &str| text_matches(&words, s);
    #[allow(clippy::manual_find)] // `find` is not callable on a `dyn Iterator`
    let first = |texts: &mut dyn Iterator<Item = &'a str>| {
        for t in texts {
            if matches(t) {
                return Some(t);
            }
        }
        None
    };
    let mut r = SearchResults::default();
    for o in &plan.outcomes {
        if let Some(m) = first(
            &mut std::iter::once(o.title.as_str())
                .chain([o.ambition.as_str()])
                .chain(o.variant.iter().map(|v| v.title.as_str())),
        ) {
            r.outcomes.push(Hit { id: o.number.get_ref().to_string(), title: &o.title, matched: m, line: o.line });
        }
    }
    for p in &plan.priorities {
        if let Some(m) = first(
            &mut std::iter::once(p.title.as_str())
                .chain([p.description.as_str()])
                .chain(p.variant.iter().map(|v| v.title.as_str())),
        ) {
            r.priorities.push(Hit { id: p.id.get_ref().clone(), title: &p.title, matched: m, line: p.line });
        }
    }
    for c in &plan.commitments {
        if let Some(m) =
            first(&mut std::iter::once(c.title.as_str()).chain(c.links.iter().map(|l| l.plan_text.as_str())))
        {
            r.commitments.push(Hit { id: c.id.get_ref().clone(), title: &c.title, matched: m, line: c.line });
        }
    }
    for p in &plan.delivering_plans {
        if let Some(m) = first(&mut std::iter::once(p.name.as_str()).chain(p.aliases.iter().map(String::as_str))) {
            r.delivering_plans.push(Hit { id: p.id.get_ref().clone(), title: &p.name, matched: m, line: p.line });
        }
    }
    for o in &plan.organisations {
        if let Some(m) = first(&mut std::iter::once(o.name.as_str()).chain(o.aliases.iter().map(String::as_str))) {
            r.organisations.push(Hit { id: o.id.get_ref().clone(), title: &o.name, matched: m, line: o.line });
        }
    }
    for i in &plan.indicators {
        if let Some(m) = first(
            &mut std::iter::once(i.statement.as_str())
                .chain([i.measure.as_str()])
                .chain(i.parts.iter().map(|p| p.measure.as_str())),
        ) {
            r.indicators.push(Hit { id: i.id.get_ref().clone(), title: &i.measure, matched: m, line: i.line });
        }
    }
    for e in &plan.delivery_examples {
        let mut texts = std::iter::once(e.title.as_str())
            .chain(e.summary.iter().map(String::as_str))
            .chain(e.milestones.iter().map(|m| m.text.as_str()));
        if let Some(m) = first(&mut texts) {
            r.delivery_examples.push(Hit { id: e.id.get_ref().clone(), title: &e.title, matched: m, line: e.line });
        }
    }
    for p in &plan.places {
        if matches(&p.name) {
            r.places.push(Hit { id: p.id.get_ref().clone(), title: &p.name, matched: &p.name, line: p.line });
        }
        for pr in &p.priorities {
            if matches(&pr.title) {
                r.places.push(Hit { id: p.id.get_ref().clone(), title: &p.name, matched: &pr.title, line: pr.line });
            }
        }
    }
    // Places by their area's name or code, and by the name of an area they contain
    // ("Swale" finds Swale and the Medway and Swale HCP).
    for a in plan.place_areas() {
        let Some(line) = a.line else { continue };
        let own = [a.name.as_str()].into_iter().chain(a.code.as_ref().map(|c| c.get_ref().as_str()));
        let matched = first(&mut own.into_iter())
            .or_else(|| plan.areas_within(a).into_iter().map(|(inner, _)| inner.name.as_str()).find(|n| matches(n)));
        if let Some(m) = matched
            && !r.places.iter().any(|h| h.id == *a.id.get_ref() && (h.matched == m || h.matched == h.title))
        {
            r.places.push(Hit { id: a.id.get_ref().clone(), title: &a.name, matched: m, line });
        }
    }
    r
}

/// Whether every word occurs in the text, ignoring case.
fn text_matches(words: &[String], text: &str) -> bool {
    let text = text.to_lowercase();
    !words.is_empty() && words.iter().all(|w| text.contains(w.as_str()))
}

/// A delivering plan that is not yet in place, and the commitments relying on it.
#[derive(Debug, Serialize)]
pub struct PlanNotInPlace<'a> {
    /// The plan.
    pub plan: &'a DeliveringPlan,
    /// Commitments linking to it.
    pub commitments: Vec<&'a str>,
}

/// A place and the shared outcomes none of its priorities address.
#[derive(Debug, Serialize)]
pub struct PlaceOutcomeGap<'a> {
    /// The place.
    pub place: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Outcomes not addressed.
    pub outcomes: Vec<u8>,
}

/// A row that names no lead organisation.
#[derive(Debug, Serialize)]
pub struct Unled<'a> {
    /// Where it is (commitment id or enabler title).
    pub under: &'a str,
    /// The row's text.
    pub text: &'a str,
    /// Source line.
    pub line: SourceLine,
}

/// The gaps in a plan.
#[derive(Debug, Serialize)]
pub struct Gaps<'a> {
    /// Commitments with no delivering plan at all.
    pub commitments_without_plans: Vec<&'a Commitment>,
    /// Commitments none of whose plans is in place yet.
    pub commitments_without_plan_in_place: Vec<&'a Commitment>,
    /// Plans in development, to be confirmed or to be developed.
    pub plans_not_in_place: Vec<PlanNotInPlace<'a>>,
    /// Places that list no priorities.
    pub places_without_priorities: Vec<&'a Place>,
    /// Places whose priorities leave some shared outcomes unaddressed.
    pub outcomes_not_addressed_by_place: Vec<PlaceOutcomeGap<'a>>,
    /// Rows with no lead organisation.
    pub without_lead: Vec<Unled<'a>>,
    /// Indicators (or parts) whose baseline value the plan does not state.
    pub indicators_without_baseline_value: Vec<&'a str>,
}

/// Find the gaps in a plan.
pub fn gaps(plan: &Plan) -> Gaps<'_> {
    let status: HashMap<&str, PlanStatus> =
        plan.delivering_plans.iter().map(|p| (p.id.get_ref().as_str(), *p.status.get_ref())).collect();
    let in_place = |id: &Sp<String>| status.get(id.get_ref().as_str()) == Some(&PlanStatus::InPlace);
    let all_outcomes: BTreeSet<u8> = plan.outcomes.iter().map(|o| *o.number.get_ref()).collect();
    let mut without_lead = Vec::new();
    for c in &plan.commitments {
        for l in c.links.iter().filter(|l| l.led_by.is_empty()) {
            without_lead.push(Unled { under: c.id.get_ref(), text: &l.plan_text, line: l.line });
        }
    }
    for e in &plan.enablers {
        for c in &e.commitments {
            for i in c.items.iter().filter(|i| i.led_by.is_empty()) {
                let text = i.text.as_deref().or(i.plan_text.as_deref()).unwrap_or(&c.title);
                without_lead.push(Unled { under: &e.title, text, line: i.line });
            }
        }
    }
    let mut no_baseline = Vec::new();
    for i in &plan.indicators {
        let has = |b: &Option<Baseline>| b.as_ref().is_some_and(|b| b.value.is_some());
        if i.parts.is_empty() {
            if !has(&i.baseline) {
                no_baseline.push(i.id.get_ref().as_str());
            }
        } else {
            no_baseline.extend(i.parts.iter().filter(|p| !has(&p.baseline)).map(|p| p.id.get_ref().as_str()));
        }
    }
    Gaps {
        commitments_without_plans: plan
            .commitments
            .iter()
            .filter(|c| c.links.iter().all(|l| l.plans.is_empty()))
            .collect(),
        commitments_without_plan_in_place: plan
            .commitments
            .iter()
            .filter(|c| {
                c.links.iter().any(|l| !l.plans.is_empty()) && !c.links.iter().flat_map(|l| &l.plans).any(in_place)
            })
            .collect(),
        plans_not_in_place: plan
            .delivering_plans
            .iter()
            .filter(|p| *p.status.get_ref() != PlanStatus::InPlace)
            .map(|p| {
                let mut commitments: Vec<&str> = plan
                    .links_to_delivering_plan(p.id.get_ref())
                    .into_iter()
                    .map(|(c, _)| c.id.get_ref().as_str())
                    .collect();
                commitments.dedup();
                PlanNotInPlace { plan: p, commitments }
            })
            .collect(),
        places_without_priorities: plan.places.iter().filter(|p| p.priorities.is_empty()).collect(),
        outcomes_not_addressed_by_place: plan
            .places
            .iter()
            .filter(|p| p.priorities.iter().any(|pr| !pr.outcomes.is_empty()))
            .filter_map(|p| {
                let covered: BTreeSet<u8> =
                    p.priorities.iter().flat_map(|pr| pr.outcomes.iter().map(|o| *o.get_ref())).collect();
                let missing: Vec<u8> = all_outcomes.difference(&covered).copied().collect();
                (!missing.is_empty()).then_some(PlaceOutcomeGap {
                    place: p.id.get_ref(),
                    name: &p.name,
                    outcomes: missing,
                })
            })
            .collect(),
        without_lead,
        indicators_without_baseline_value: no_baseline,
    }
}

/// An outcome with everything under it.
#[derive(Debug, Serialize)]
pub struct OutcomeDetail<'a> {
    /// The outcome.
    pub outcome: &'a Outcome,
    /// Its priorities, each with its commitments' ids.
    pub priorities: Vec<PriorityDetail<'a>>,
    /// Its indicators.
    pub indicators: Vec<&'a Indicator>,
    /// Its shared delivery examples.
    pub delivery_examples: Vec<&'a DeliveryExample>,
    /// Place priorities mapped to it.
    pub place_priorities: Vec<(&'a str, &'a PlacePriority)>,
}

/// The detail of an outcome.
pub fn outcome_detail<'a>(plan: &'a Plan, outcome: &'a Outcome) -> OutcomeDetail<'a> {
    let n = *outcome.number.get_ref();
    OutcomeDetail {
        outcome,
        priorities: plan
            .priorities
            .iter()
            .filter(|p| *p.outcome.get_ref() == n)
            .map(|p| priority_detail(plan, p))
            .collect(),
        indicators: plan.indicators.iter().filter(|i| *i.outcome.get_ref() == n).collect(),
        delivery_examples: plan.delivery_examples.iter().filter(|e| *e.outcome.get_ref() == n).collect(),
        place_priorities: plan
            .places
            .iter()
            .flat_map(|p| p.priorities.iter().map(move |pr| (p.name.as_str(), pr)))
            .filter(|(_, pr)| pr.outcomes.iter().any(|o| *o.get_ref() == n))
            .collect(),
    }
}

/// A priority with its commitments.
#[derive(Debug, Serialize)]
pub struct PriorityDetail<'a> {
    /// The priority.
    pub priority: &'a Priority,
    /// Its commitments, with their delivery links.
    pub commitments: Vec<&'a Commitment>,
}

/// The detail of a priority.
pub fn priority_detail<'a>(plan: &'a Plan, priority: &'a Priority) -> PriorityDetail<'a> {
    PriorityDetail { priority, commitments: plan.commitments_of_priority(priority.id.get_ref()) }
}

/// Where a delivering plan is used.
#[derive(Debug, Serialize)]
pub struct PlanUse<'a> {
    /// The commitment (or enabler) it serves.
    pub under: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Outcome number (none for enablers).
    pub outcome: Option<u8>,
    /// The row as written.
    pub plan_text: &'a str,
    /// Who leads it there, as written.
    pub led_by_text: &'a str,
    /// Who leads it there.
    pub led_by: &'a [Sp<String>],
    /// Source line of the row.
    pub line: SourceLine,
}

/// A delivering plan with where it is used and who leads it.
#[derive(Debug, Serialize)]
pub struct PlanDetail<'a> {
    /// The plan.
    pub plan: &'a DeliveringPlan,
    /// Organisations leading it anywhere.
    pub led_by: Vec<&'a str>,
    /// Every row that names it.
    pub uses: Vec<PlanUse<'a>>,
    /// Delivery examples about it.
    pub delivery_examples: Vec<&'a str>,
}

/// The detail of a delivering plan.
pub fn plan_detail<'a>(plan: &'a Plan, p: &'a DeliveringPlan) -> PlanDetail<'a> {
    let id = p.id.get_ref();
    let mut uses: Vec<PlanUse<'a>> = plan
        .links_to_delivering_plan(id)
        .into_iter()
        .map(|(c, l)| PlanUse {
            under: c.id.get_ref(),
            title: &c.title,
            outcome: Some(*c.outcome.get_ref()),
            plan_text: &l.plan_text,
            led_by_text: &l.led_by_text,
            led_by: &l.led_by,
            line: l.line,
        })
        .collect();
    for e in &plan.enablers {
        for c in &e.commitments {
            for i in c.items.iter().filter(|i| i.plans.iter().any(|x| x.get_ref() == id)) {
                uses.push(PlanUse {
                    under: e.id.get_ref(),
                    title: &c.title,
                    outcome: None,
                    plan_text: i.plan_text.as_deref().unwrap_or_default(),
                    led_by_text: &i.led_by_text,
                    led_by: &i.led_by,
                    line: i.line,
                });
            }
        }
    }
    let mut led_by: Vec<&str> = Vec::new();
    for u in &uses {
        for o in u.led_by {
            if !led_by.contains(&o.get_ref().as_str()) {
                led_by.push(o.get_ref());
            }
        }
    }
    PlanDetail {
        plan: p,
        led_by,
        uses,
        delivery_examples: plan
            .delivery_examples
            .iter()
            .filter(|e| e.plans.iter().any(|x| x.get_ref() == id))
            .map(|e| e.id.get_ref().as_str())
            .collect(),
    }
}

/// The areas whose chain of parents comes back to themselves (`a` in `b` in `a`), in
/// the order given. A chain that ends at an unknown parent is not a cycle.
pub fn areas_in_cycles(areas: &[Area]) -> Vec<&Area> {
    let by_id: HashMap<&str, &Area> = areas.iter().map(|a| (a.id.get_ref().as_str(), a)).collect();
    areas
        .iter()
        .filter(|start| {
            let mut seen = HashSet::new();
            let mut at = *start;
            while let Some(parent) = at.parent.as_ref().and_then(|p| by_id.get(p.get_ref().as_str())) {
                if parent.id.get_ref() == start.id.get_ref() {
                    return true;
                }
                // A cycle further up that does not pass through `start`.
                if !seen.insert(parent.id.get_ref().as_str()) {
                    return false;
                }
                at = parent;
            }
            false
        })
        .collect()
}

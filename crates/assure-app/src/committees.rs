//! Committees, decisions and actions: the governance bodies that oversee the plan, their
//! meetings and the papers taken to them (reports, deep dives, a round's snapshot), the
//! decisions and actions recorded against a meeting, and each action tracked like a
//! milestone (status, expected date, overdue, history), updated by its owner
//! organisation's editors. Deep dives are proposed from the rounds' snapshots: an
//! indicator off track when each of the last two rounds closed, with no deep dive taken
//! to a meeting in the last twelve months.

use assure_plan::Plan;
use assure_plan::delivery::{DeliveryStatus, FieldProblem, UpdateFields, text_problem};
use assure_report::Snapshot;
use assure_store::{
    Account, ActionUpdate, Body, Meeting, MeetingDecision, NewMeeting, NewMeetingDecision, Paper, PaperKind, Role,
    Round,
};
use assure_tracking::delivery::{Progress, progress_of};
use jiff::civil::Date;

use crate::{App, AppError, require_admin};

/// The longest decision or action text.
pub const MAX_DECISION_CHARS: usize = 2000;

fn rejected(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Rejected(vec![(field, message.into())])
}

/// The top-level indicator a tracked id belongs to (itself, or the indicator of which it
/// is a part): what a deep dive is written about.
pub fn indicator_of(plan: &Plan, tracked: &str) -> Option<String> {
    plan.indicators
        .iter()
        .find(|i| i.id.get_ref() == tracked || i.parts.iter().any(|p| p.id.get_ref() == tracked))
        .map(|i| i.id.get_ref().clone())
}

/// A paper as a form or the command line writes it: `annual`, `place:medway`,
/// `indicator:id`, `commitment:id`, `round:3`; checked against the plan and its rounds.
pub fn parse_paper(plan: &Plan, rounds: &[Round], text: &str) -> Result<Paper, String> {
    let (kind, subject) = text.trim().split_once(':').unwrap_or((text.trim(), ""));
    let subject = subject.trim().to_owned();
    let kind = PaperKind::parse(kind.trim()).ok_or_else(|| {
        format!("'{text}' is not a paper (the annual report, a place report, a deep dive or a round)")
    })?;
    let known = match kind {
        PaperKind::Annual => subject.is_empty(),
        PaperKind::Place => plan.place_areas().any(|a| a.id.get_ref() == &subject),
        PaperKind::Indicator => plan.indicator(&subject).is_some(),
        PaperKind::Commitment => plan.commitment(&subject).is_some(),
        PaperKind::Round => rounds.iter().any(|r| r.id.to_string() == subject),
    };
    if known { Ok(Paper { kind, subject }) } else { Err(format!("'{text}' is not a report, deep dive or round here")) }
}

/// What a paper is, in words ("Place report: Medway", "Deep dive: …").
pub fn describe_paper(plan: &Plan, rounds: &[Round], p: &Paper) -> String {
    match p.kind {
        PaperKind::Annual => "Annual report".into(),
        PaperKind::Place => format!("Place report: {}", plan.area(&p.subject).map_or(p.subject.as_str(), |a| &a.name)),
        PaperKind::Indicator => {
            format!("Deep dive: {}", plan.indicator(&p.subject).map_or(p.subject.as_str(), |i| &i.measure))
        }
        PaperKind::Commitment => {
            format!("Deep dive: {}", plan.commitment(&p.subject).map_or(p.subject.as_str(), |c| &c.title))
        }
        PaperKind::Round => format!(
            "Reporting round snapshot: {}",
            rounds.iter().find(|r| r.id.to_string() == p.subject).map_or(p.subject.as_str(), |r| &r.name)
        ),
    }
}

/// Where a paper can be read on the site.
pub fn paper_href(p: &Paper) -> String {
    match p.kind {
        PaperKind::Annual => "/reports/annual".into(),
        PaperKind::Place => format!("/reports/places/{}", p.subject),
        PaperKind::Indicator => format!("/reports/indicators/{}", p.subject),
        PaperKind::Commitment => format!("/reports/commitments/{}", p.subject),
        PaperKind::Round => format!("/rounds/{}", p.subject),
    }
}

/// What a link of a decision is, in words; `None` when it is not one of the plan's.
pub fn describe_link(plan: &Plan, link: &str) -> Option<(String, String)> {
    let (kind, id) = link.split_once(':')?;
    match kind {
        "outcome" => {
            let o = plan.outcome(id.parse().ok()?)?;
            Some((format!("Outcome {}: {}", o.number.get_ref(), o.title), format!("/outcomes/{id}")))
        }
        "indicator" => Some((format!("Indicator: {}", plan.indicator(id)?.measure), format!("/indicators/{id}"))),
        "commitment" => Some((format!("Commitment: {}", plan.commitment(id)?.title), format!("/commitments/{id}"))),
        _ => None,
    }
}

/// A meeting as an admin records it.
#[derive(Debug, Clone, Default)]
pub struct MeetingFields {
    /// The body's number, as typed.
    pub body: String,
    /// The day (`YYYY-MM-DD`).
    pub held_on: String,
    /// Its title.
    pub title: String,
    /// Papers taken to it, as [`parse_paper`] reads them.
    pub papers: Vec<String>,
}

/// A decision or action as an admin records it.
#[derive(Debug, Clone, Default)]
pub struct MeetingDecisionFields {
    /// What was decided, or is to be done.
    pub text: String,
    /// For an action: the owner organisation (an id or name of the plan's registry).
    pub owner: String,
    /// For an action: when it is due (`YYYY-MM-DD`).
    pub due: String,
    /// What it concerns: `outcome:2`, `indicator:id`, `commitment:id`.
    pub links: Vec<String>,
}

/// An action with where it stands and its history.
#[derive(Debug, Clone)]
pub struct ActionItem {
    /// The action.
    pub action: MeetingDecision,
    /// The meeting it was set at.
    pub meeting: Meeting,
    /// Where it stands: status, expected date, overdue, stale.
    pub progress: Progress,
    /// Its updates, oldest first.
    pub history: Vec<ActionUpdate>,
}

impl ActionItem {
    /// The owner organisation (id).
    pub fn owner(&self) -> &str {
        self.action.owner.as_deref().unwrap_or_default()
    }
}

/// Everything recorded about the plan's committees.
#[derive(Debug, Clone, Default)]
pub struct Committees {
    /// The bodies.
    pub bodies: Vec<Body>,
    /// Their meetings, latest first.
    pub meetings: Vec<Meeting>,
    /// Every decision and action, oldest first.
    pub decisions: Vec<MeetingDecision>,
    /// Every action with where it stands, oldest first.
    pub actions: Vec<ActionItem>,
    /// The plan's reporting rounds (for the papers that are a round's snapshot).
    pub rounds: Vec<Round>,
}

impl Committees {
    /// A body by number.
    pub fn body(&self, id: i64) -> Option<&Body> {
        self.bodies.iter().find(|b| b.id == id)
    }

    /// The next meeting on or after `today` (the earliest).
    pub fn next_meeting(&self, today: Date) -> Option<&Meeting> {
        self.meetings
            .iter()
            .filter(|m| m.held_on.parse::<Date>().is_ok_and(|d| d >= today))
            .min_by(|a, b| (&a.held_on, a.id).cmp(&(&b.held_on, b.id)))
    }

    /// An action by number.
    pub fn action(&self, id: i64) -> Option<&ActionItem> {
        self.actions.iter().find(|a| a.action.id == id)
    }
}

/// The filters of the actions list; every one set narrows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionFilter {
    /// With this latest status; `Some(None)` for actions with no update yet.
    pub status: Option<Option<DeliveryStatus>>,
    /// Only overdue actions.
    pub overdue: bool,
    /// Owned by this organisation (or its directorates).
    pub organisation: Option<String>,
}

impl ActionFilter {
    /// The filters as a link or form gives them (blank is unset): `status` a delivery
    /// status or `none` (no update yet), `overdue` anything but `0` or `false`, and
    /// `organisation` an id or name of the plan's registry. The first wrong one is named.
    pub fn parse(
        plan: &Plan,
        status: Option<&str>,
        overdue: Option<&str>,
        organisation: Option<&str>,
    ) -> Result<ActionFilter, FieldProblem> {
        fn given(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        let status = match given(status) {
            None => None,
            Some("none") => Some(None),
            Some(s) => {
                Some(Some(DeliveryStatus::parse(s).ok_or_else(|| ("status", format!("'{s}' is not a status")))?))
            }
        };
        let organisation = match given(organisation) {
            Some(o) => Some(
                plan.organisation(o)
                    .map(|o| o.id.get_ref().clone())
                    .ok_or_else(|| ("organisation", format!("'{o}' is not an organisation of the plan")))?,
            ),
            None => None,
        };
        let overdue = given(overdue).is_some_and(|v| v != "0" && v != "false");
        Ok(ActionFilter { status, overdue, organisation })
    }

    /// Whether the action passes every filter set.
    pub fn keeps(&self, plan: &Plan, a: &ActionItem) -> bool {
        self.status.is_none_or(|s| a.progress.status == s)
            && (!self.overdue || a.progress.overdue)
            && self.organisation.as_ref().is_none_or(|o| plan.led_by_any(&[a.owner()], std::slice::from_ref(o)))
    }
}

/// Whether this person may update the action: an admin always; an editor of its owner
/// organisation (or of the organisation the owner is a part of); a viewer never.
pub fn may_update_action(account: &Account, plan: &Plan, action: &MeetingDecision) -> bool {
    match (account.role, &action.owner) {
        (Role::Admin, Some(_)) => true,
        (Role::Editor, Some(owner)) => plan.led_by_any(&[owner.as_str()], &account.organisations),
        _ => false,
    }
}

/// An indicator proposed for a deep dive at the next meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// The indicator (top level: what a deep dive is written about).
    pub indicator: String,
    /// The tracked measures off track in both rounds (the indicator or its parts).
    pub measures: Vec<String>,
    /// The two rounds, earlier first, by name.
    pub rounds: (String, String),
}

/// The deep dives to propose on `today`: the indicators off track in the snapshots of
/// both of the last two closed rounds (`rounds`: name, when it closed and its snapshot,
/// in any order) with no deep dive into them taken to a meeting in the twelve months
/// before `today` or planned since (`deep_dives`: indicator and meeting day).
pub fn propose_deep_dives(
    plan: &Plan,
    rounds: &[(String, String, Snapshot)],
    deep_dives: &[(String, Date)],
    today: Date,
) -> Vec<Proposal> {
    let mut closed: Vec<&(String, String, Snapshot)> = rounds.iter().collect();
    closed.sort_by(|a, b| a.1.cmp(&b.1));
    let [.., earlier, latest] = closed.as_slice() else { return Vec::new() };
    let year_ago = today.saturating_sub(jiff::Span::new().years(1));
    let mut out: Vec<Proposal> = Vec::new();
    for (measure, status) in &latest.2.indicators {
        if status != "off_track" || earlier.2.indicators.get(measure).is_none_or(|s| s != "off_track") {
            continue;
        }
        let Some(indicator) = indicator_of(plan, measure) else { continue };
        if deep_dives.iter().any(|(i, day)| *i == indicator && *day > year_ago) {
            continue;
        }
        match out.iter_mut().find(|p| p.indicator == indicator) {
            Some(p) => p.measures.push(measure.clone()),
            None => out.push(Proposal {
                indicator,
                measures: vec![measure.clone()],
                rounds: (earlier.0.clone(), latest.0.clone()),
            }),
        }
    }
    out
}

fn action_items(
    decisions: &[MeetingDecision],
    meetings: &[Meeting],
    updates: &[ActionUpdate],
    today: Date,
    stale_days: u32,
) -> Vec<ActionItem> {
    decisions
        .iter()
        .filter(|d| d.is_action())
        .filter_map(|d| {
            let meeting = meetings.iter().find(|m| m.id == d.meeting_id)?.clone();
            let history: Vec<ActionUpdate> = updates.iter().filter(|u| u.action_id == d.id).cloned().collect();
            let progress = progress_of(
                d.due.as_deref().unwrap_or_default(),
                history.iter().map(|u| (&u.draft, u.at.as_str())),
                today,
                stale_days,
            );
            Some(ActionItem { action: d.clone(), meeting, progress, history })
        })
        .collect()
}

/// The actions this person's organisations own (through their directorates too), what
/// needs attention first: overdue, then by due date.
pub fn my_actions(account: &Account, plan: &Plan, actions: &[ActionItem]) -> Vec<ActionItem> {
    let mut mine: Vec<ActionItem> = actions
        .iter()
        .filter(|a| !account.organisations.is_empty() && plan.led_by_any(&[a.owner()], &account.organisations))
        .cloned()
        .collect();
    mine.sort_by(|a, b| {
        let finished = |x: &ActionItem| x.progress.status.is_some_and(DeliveryStatus::is_finished);
        (finished(a), !a.progress.overdue, &a.progress.due, a.action.id).cmp(&(
            finished(b),
            !b.progress.overdue,
            &b.progress.due,
            b.action.id,
        ))
    });
    mine
}

impl App {
    /// Everything recorded about the plan's committees, with each action as it stands on `today`.
    pub fn committees_on(&self, plan: &Plan, today: Date) -> Result<Committees, AppError> {
        let id = plan.meta.id.get_ref();
        let stale_days = self.store.settings()?.stale_days;
        let meetings = self.store.meetings(id)?;
        let decisions = self.store.meeting_decisions(id)?;
        let updates = self.store.action_updates(id)?;
        let actions = action_items(&decisions, &meetings, &updates, today, stale_days);
        Ok(Committees { bodies: self.store.bodies(id)?, meetings, decisions, actions, rounds: self.store.rounds(id)? })
    }

    /// Everything recorded about the plan's committees, as it stands today.
    pub fn committees(&self, plan: &Plan) -> Result<Committees, AppError> {
        self.committees_on(plan, assure_tracking::delivery::today())
    }

    /// The deep dives to propose for the next meeting, from the closed rounds' snapshots
    /// and the deep dives taken to meetings (see [`propose_deep_dives`]).
    pub fn proposed_deep_dives(&self, plan: &Plan, c: &Committees, today: Date) -> Vec<Proposal> {
        let rounds: Vec<(String, String, Snapshot)> = c
            .rounds
            .iter()
            .filter_map(|r| {
                let snapshot = serde_json::from_str(r.snapshot.as_deref()?).ok()?;
                Some((r.name.clone(), r.closed_at.clone()?, snapshot))
            })
            .collect();
        let deep_dives: Vec<(String, Date)> = c
            .meetings
            .iter()
            .filter_map(|m| Some((m, m.held_on.parse::<Date>().ok()?)))
            .flat_map(|(m, day)| {
                m.papers.iter().filter(|p| p.kind == PaperKind::Indicator).map(move |p| (p.subject.clone(), day))
            })
            .collect();
        propose_deep_dives(plan, &rounds, &deep_dives, today)
    }

    /// Add a governance body (admins), optionally the plan organisation it is.
    pub fn add_body(&self, account: &Account, plan: &Plan, name: &str, organisation: &str) -> Result<Body, AppError> {
        require_admin(account)?;
        let name = checked_name(name)?;
        let organisation = match organisation.trim() {
            "" => None,
            o => Some(
                plan.organisation(o)
                    .map(|o| o.id.get_ref().clone())
                    .ok_or_else(|| rejected("organisation", format!("'{o}' is not an organisation of the plan")))?,
            ),
        };
        Ok(self.store.add_body(plan.meta.id.get_ref(), &name, organisation.as_deref(), &account.username)?)
    }

    /// Rename a governance body (admins).
    pub fn rename_body(&self, account: &Account, plan: &Plan, id: i64, name: &str) -> Result<Body, AppError> {
        require_admin(account)?;
        let name = checked_name(name)?;
        Ok(self.store.rename_body(plan.meta.id.get_ref(), id, &name, &account.username)?)
    }

    /// Record a meeting with the papers taken to it (admins).
    pub fn record_meeting(&self, account: &Account, plan: &Plan, f: &MeetingFields) -> Result<Meeting, AppError> {
        require_admin(account)?;
        let plan_id = plan.meta.id.get_ref();
        let mut problems: Vec<FieldProblem> = Vec::new();
        let bodies = self.store.bodies(plan_id)?;
        let body = f.body.trim().parse::<i64>().ok().filter(|b| bodies.iter().any(|x| x.id == *b));
        if body.is_none() {
            problems.push(("body", "Choose the body that met".into()));
        }
        let held_on = f.held_on.trim();
        if held_on.parse::<Date>().is_err() {
            problems.push(("held_on", format!("'{held_on}' is not a date: write it as 2027-03-12")));
        }
        let title = f.title.trim();
        if title.is_empty() {
            problems.push(("title", "Give the meeting a title, such as 'ICP, March 2027'".into()));
        } else if let Some(p) = text_problem(title, 200, false) {
            problems.push(("title", p));
        }
        let rounds = self.store.rounds(plan_id)?;
        let mut papers = Vec::new();
        for p in f.papers.iter().filter(|p| !p.trim().is_empty()) {
            match parse_paper(plan, &rounds, p) {
                Ok(p) => papers.push(p),
                Err(m) => problems.push(("papers", m)),
            }
        }
        let Some(body_id) = body.filter(|_| problems.is_empty()) else { return Err(AppError::Rejected(problems)) };
        let new = NewMeeting { plan_id, body_id, held_on, title, papers: &papers };
        Ok(self.store.add_meeting(&new, &account.username)?)
    }

    /// Add a paper taken to a meeting (admins).
    pub fn add_paper(&self, account: &Account, plan: &Plan, meeting: i64, paper: &str) -> Result<Meeting, AppError> {
        require_admin(account)?;
        let plan_id = plan.meta.id.get_ref();
        let paper = parse_paper(plan, &self.store.rounds(plan_id)?, paper).map_err(|m| rejected("paper", m))?;
        Ok(self.store.add_paper(plan_id, meeting, &paper, &account.username)?)
    }

    /// Record a decision, or with an owner and a due date an action, against a meeting (admins).
    pub fn record_decision(
        &self,
        account: &Account,
        plan: &Plan,
        meeting: i64,
        f: &MeetingDecisionFields,
    ) -> Result<MeetingDecision, AppError> {
        require_admin(account)?;
        let mut problems: Vec<FieldProblem> = Vec::new();
        let text = f.text.trim();
        if text.is_empty() {
            problems.push(("text", "Say what was decided or is to be done".into()));
        } else if let Some(p) = text_problem(text, MAX_DECISION_CHARS, true) {
            problems.push(("text", p));
        }
        let owner = match f.owner.trim() {
            "" => None,
            o => match plan.organisation(o) {
                Some(o) => Some(o.id.get_ref().clone()),
                None => {
                    problems.push(("owner", format!("'{o}' is not an organisation of the plan")));
                    None
                }
            },
        };
        let due = f.due.trim();
        match (f.owner.trim().is_empty(), due.is_empty()) {
            (true, false) => problems.push(("owner", "An action with a due date needs an owner organisation".into())),
            (false, true) => problems.push(("due", "Say when the action is due, as 2027-03-31".into())),
            (false, false) if due.parse::<Date>().is_err() => {
                problems.push(("due", format!("'{due}' is not a date: write it as 2027-03-31")));
            }
            _ => {}
        }
        let mut links: Vec<String> = Vec::new();
        for l in f.links.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
            if describe_link(plan, l).is_none() {
                problems.push(("links", format!("'{l}' is not an outcome, indicator or commitment of the plan")));
            } else if !links.iter().any(|x| x == l) {
                links.push(l.to_owned());
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Rejected(problems));
        }
        let new = NewMeetingDecision {
            plan_id: plan.meta.id.get_ref(),
            meeting_id: meeting,
            text,
            action: owner.as_deref().map(|o| (o, due)),
            links: &links,
        };
        Ok(self.store.add_meeting_decision(&new, &account.username)?)
    }

    /// The action, and whether it may be updated by this person: 404 for no such action,
    /// 403 for someone who may not update it.
    pub fn require_may_update_action(
        &self,
        account: &Account,
        plan: &Plan,
        id: i64,
    ) -> Result<MeetingDecision, AppError> {
        let d = self.store.meeting_decision(plan.meta.id.get_ref(), id)?;
        if !d.is_action() {
            return Err(AppError::NotFound { what: "action", id: id.to_string() });
        }
        if !may_update_action(account, plan, &d) {
            let owner = d.owner.as_deref().map_or("", |o| plan.organisation_name(o));
            return Err(AppError::Forbidden(match account.role {
                Role::Viewer => "Viewers can read drafts and notes but cannot change anything.".into(),
                _ => format!("Only {owner}, who owns this action, or an admin can update it."),
            }));
        }
        Ok(d)
    }

    /// Record an update of an action (its owner's editors, or admins), checked like a
    /// milestone's update; published at once.
    pub fn update_action(
        &self,
        account: &Account,
        plan: &Plan,
        id: i64,
        fields: &UpdateFields,
    ) -> Result<ActionUpdate, AppError> {
        self.require_may_update_action(account, plan, id)?;
        let draft = fields.draft().map_err(AppError::Rejected)?;
        Ok(self.store.add_action_update(plan.meta.id.get_ref(), id, &draft, &account.username)?)
    }
}

fn checked_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(rejected("name", "Give the body a name"));
    }
    if let Some(p) = text_problem(name, 200, false) {
        return Err(rejected("name", p));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn snapshot(statuses: &[(&str, &str)]) -> Snapshot {
        let indicators: BTreeMap<String, String> =
            statuses.iter().map(|(i, s)| ((*i).to_owned(), (*s).to_owned())).collect();
        Snapshot { at: String::new(), indicators, items: BTreeMap::new() }
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn an_indicator_off_track_in_the_last_two_rounds_is_proposed_unless_a_deep_dive_was_taken_within_a_year() {
        let plan = assure_plan::bundled().unwrap();
        let ids: Vec<String> =
            plan.indicators.iter().filter(|i| i.parts.is_empty()).map(|i| i.id.get_ref().clone()).collect();
        let (a, b, c) = (ids[0].as_str(), ids[1].as_str(), ids[2].as_str());
        // A compound indicator's part counts for its indicator.
        let compound = plan.indicators.iter().find(|i| !i.parts.is_empty()).unwrap();
        let part = compound.parts[0].id.get_ref().as_str();
        let rounds = vec![
            // Given out of order: the latest two by closing time are March and September.
            (
                "ICP September 2026".to_owned(),
                "2026-09-30T10:00:00Z".to_owned(),
                snapshot(&[(a, "off_track"), (b, "off_track"), (c, "off_track"), (part, "off_track")]),
            ),
            (
                "ICP March 2026".to_owned(),
                "2026-03-31T10:00:00Z".to_owned(),
                snapshot(&[(a, "off_track"), (b, "at_risk"), (c, "off_track"), (part, "off_track")]),
            ),
            ("ICP 2025".to_owned(), "2025-09-30T10:00:00Z".to_owned(), snapshot(&[(b, "off_track")])),
        ];
        let today = day("2026-11-01");
        let proposed = propose_deep_dives(&plan, &rounds, &[], today);
        let mut names: Vec<&str> = proposed.iter().map(|p| p.indicator.as_str()).collect();
        names.sort_unstable();
        // b was off track in 2025 and September, but not in March: not two in a row.
        assert_eq!(names, {
            let mut want = vec![a, c, compound.id.get_ref().as_str()];
            want.sort_unstable();
            want
        });
        let p = proposed.iter().find(|p| p.indicator == a).unwrap();
        assert_eq!(p.rounds, ("ICP March 2026".to_owned(), "ICP September 2026".to_owned()));
        // A deep dive into `a` eleven months ago, and one into `c` planned next month:
        // neither is proposed; one thirteen months ago does not count.
        let dives = vec![
            (a.to_owned(), day("2025-12-01")),
            (c.to_owned(), day("2026-12-10")),
            (compound.id.get_ref().clone(), day("2025-10-01")),
        ];
        let names: Vec<String> =
            propose_deep_dives(&plan, &rounds, &dives, today).into_iter().map(|p| p.indicator).collect();
        assert_eq!(names, vec![compound.id.get_ref().clone()]);
        // One closed round is not two.
        assert!(propose_deep_dives(&plan, &rounds[..1], &[], today).is_empty());
        // Off track in the latest and on track before: nothing.
        let turned =
            vec![rounds[0].clone(), ("ICP March 2026".to_owned(), rounds[1].1.clone(), snapshot(&[(a, "on_track")]))];
        assert!(propose_deep_dives(&plan, &turned, &[], today).is_empty());
    }
}

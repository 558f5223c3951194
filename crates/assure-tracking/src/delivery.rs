//! How a milestone or delivering plan stands: its latest published status, the date it
//! is now expected, whether it is **overdue** (that date has passed and it is neither
//! complete nor closed) and whether it is **stale** (no published update for longer than
//! the partnership allows, 90 days unless set otherwise).

use std::collections::HashMap;

use assure_plan::Period;
use assure_plan::delivery::{AddedMilestone, DeliveryStatus, DeliveryUpdate, ItemKind, Publication, UpdateDraft};
use jiff::civil::Date;
use serde::Serialize;

/// Days without a published update after which an item is stale, unless set otherwise
/// (the domain's, with the settings it belongs to).
pub use assure_plan::delivery::DEFAULT_STALE_DAYS;

/// How recent the latest published update is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "days")]
pub enum Freshness {
    /// Nobody has reported on it yet.
    NoUpdate,
    /// Updated this many days ago, within the allowed period.
    Fresh(i64),
    /// Updated this many days ago, longer than allowed.
    Stale(i64),
}

/// Where an item stands today.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    /// The latest published status, if any update is published.
    pub status: Option<DeliveryStatus>,
    /// When it is due now: the latest published new expected date, or the plan's.
    pub due: String,
    /// Whether an update moved the date from the plan's.
    pub due_changed: bool,
    /// The due date has passed and it is neither complete nor closed.
    pub overdue: bool,
    /// How recent the latest published update is.
    pub freshness: Freshness,
}

impl Progress {
    /// Whether it needs attention: overdue, stale, off track or at risk.
    pub fn is_exception(&self) -> bool {
        self.overdue
            || matches!(self.freshness, Freshness::Stale(_))
            || matches!(self.status, Some(DeliveryStatus::OffTrack | DeliveryStatus::AtRisk))
    }

    /// The flags in words ("Overdue", "Stale: last update 120 days ago").
    pub fn flags(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.overdue {
            out.push(format!("Overdue: due {}", self.due));
        }
        match self.freshness {
            Freshness::Stale(days) => out.push(format!("Stale: last update {days} days ago")),
            Freshness::NoUpdate => out.push("No update yet".to_owned()),
            Freshness::Fresh(_) => {}
        }
        out
    }
}

/// Today's date (UTC).
pub fn today() -> Date {
    jiff::tz::Offset::UTC.to_datetime(jiff::Timestamp::now()).date()
}

/// The last day of a period as the plan writes it (`March 2025` → 2025-03-31), or a day
/// (`2025-03-14`, as a committee's action is due); `None` for `Ongoing` or text that is
/// neither.
pub fn due_date(text: &str) -> Option<Date> {
    if let Ok(day) = text.trim().parse::<Date>() {
        return Some(day);
    }
    let (y, m, d) = Period::parse(text).ok()?.end()?;
    Date::new(i16::try_from(y).ok()?, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
}

/// The date of a stored time (RFC 3339, UTC).
fn date_of(at: &str) -> Option<Date> {
    Some(at.parse::<jiff::Timestamp>().ok()?.to_zoned_datetime(jiff::tz::TimeZone::UTC).date())
}

/// Where an item stands on `today`, from the plan's due date and its updates (oldest
/// first; only published ones count).
pub fn progress(planned_due: &str, updates: &[DeliveryUpdate], today: Date, stale_days: u32) -> Progress {
    let published =
        updates.iter().filter(|u| u.publication == Publication::Published).map(|u| (&u.draft, u.at.as_str()));
    progress_of(planned_due, published, today, stale_days)
}

/// Where anything reported on like a milestone stands on `today` (a committee's action
/// too): from its planned due date and its published updates' fields with their times,
/// oldest first.
pub fn progress_of<'a>(
    planned_due: &str,
    published: impl IntoIterator<Item = (&'a UpdateDraft, &'a str)>,
    today: Date,
    stale_days: u32,
) -> Progress {
    let published: Vec<(&UpdateDraft, &str)> = published.into_iter().collect();
    let latest = published.last();
    let moved = published.iter().rev().find_map(|(d, _)| d.expected.as_deref());
    let due = moved.unwrap_or(planned_due).to_owned();
    let status = latest.map(|(d, _)| d.status);
    let finished = status.is_some_and(DeliveryStatus::is_finished);
    let overdue = !finished && due_date(&due).is_some_and(|d| d < today);
    let freshness = match latest.and_then(|(_, at)| date_of(at)) {
        None => Freshness::NoUpdate,
        Some(d) => {
            let days = (today - d).get_days().into();
            if finished || days <= i64::from(stale_days) { Freshness::Fresh(days) } else { Freshness::Stale(days) }
        }
    };
    Progress { status, due_changed: moved.is_some_and(|m| m != planned_due), due, overdue, freshness }
}

/// What partners have reported on delivery, at one revision, with the settings that
/// decide how it is shown.
#[derive(Debug, Default)]
pub struct Delivery {
    /// Every update of the plan's milestones and delivering plans, oldest first.
    updates: Vec<DeliveryUpdate>,
    /// Each item's updates, as places in `updates` (oldest first): a page that shows
    /// where every item stands reads each item's own updates, not all of them per item.
    by_item: HashMap<ItemKind, HashMap<String, Vec<usize>>>,
    /// Milestones partners added to delivering plans.
    pub added: Vec<AddedMilestone>,
    /// Days without a published update after which an item is stale.
    pub stale_days: u32,
    /// Whether editors' updates wait for an admin's approval.
    pub approval_required: bool,
}

/// A milestone wherever it comes from: a delivery example of the plan, or added by a partner.
#[derive(Debug, Clone)]
pub struct MilestoneRef<'a> {
    /// Its id.
    pub id: &'a str,
    /// What is to be done.
    pub title: &'a str,
    /// When, as the plan (or the partner who added it) wrote it.
    pub due: &'a str,
    /// The delivery example it belongs to, for the plan's own milestones.
    pub example: Option<&'a assure_plan::DeliveryExample>,
    /// The milestone a partner added, with its delivering plan.
    pub added: Option<&'a AddedMilestone>,
}

impl Delivery {
    /// Every update (`updates` in any order: they are kept oldest first), the milestones
    /// partners added, and the settings that judge them.
    pub fn new(
        mut updates: Vec<DeliveryUpdate>,
        added: Vec<AddedMilestone>,
        stale_days: u32,
        approval_required: bool,
    ) -> Delivery {
        updates.sort_by_key(|u| u.id);
        let mut by_item: HashMap<ItemKind, HashMap<String, Vec<usize>>> = HashMap::new();
        for (i, u) in updates.iter().enumerate() {
            by_item.entry(u.kind).or_default().entry(u.item.clone()).or_default().push(i);
        }
        Delivery { updates, by_item, added, stale_days, approval_required }
    }

    /// Every update of the plan's milestones and delivering plans, oldest first.
    pub fn updates(&self) -> &[DeliveryUpdate] {
        &self.updates
    }

    /// One item's updates, oldest first (published or not).
    pub fn of(&self, kind: ItemKind, item: &str) -> impl Iterator<Item = &DeliveryUpdate> {
        let places = self.by_item.get(&kind).and_then(|items| items.get(item)).map_or(&[][..], Vec::as_slice);
        places.iter().map(|&i| &self.updates[i])
    }

    /// An item's updates, oldest first: all of them for people signed in, only the
    /// published ones for the public.
    pub fn history(&self, kind: ItemKind, item: &str, signed_in: bool) -> Vec<&DeliveryUpdate> {
        self.of(kind, item).filter(|u| signed_in || u.publication == Publication::Published).collect()
    }

    /// Where an item stands today.
    pub fn progress(&self, kind: ItemKind, item: &str, planned_due: &str) -> Progress {
        self.progress_on(kind, item, planned_due, today())
    }

    /// Where an item stands on `day` (overdue, stale): a reminder sent as at another
    /// time judges the items as they stand then.
    pub fn progress_on(&self, kind: ItemKind, item: &str, planned_due: &str, day: Date) -> Progress {
        let published =
            self.of(kind, item).filter(|u| u.publication == Publication::Published).map(|u| (&u.draft, u.at.as_str()));
        progress_of(planned_due, published, day, self.stale_days)
    }

    /// Every milestone: the plan's (by delivery example) then those partners added.
    pub fn milestones<'a>(&'a self, plan: &'a assure_plan::Plan) -> Vec<MilestoneRef<'a>> {
        let from_plan = plan.delivery_examples.iter().flat_map(|e| {
            e.milestones.iter().map(move |m| MilestoneRef {
                id: m.id.get_ref(),
                title: &m.title,
                due: m.due.get_ref(),
                example: Some(e),
                added: None,
            })
        });
        let added = self.added.iter().map(|m| MilestoneRef {
            id: &m.id,
            title: &m.title,
            due: &m.due,
            example: None,
            added: Some(m),
        });
        from_plan.chain(added).collect()
    }

    /// The organisations leading a milestone (of an example: the leads of its plans; added
    /// by a partner: the leads of its plan) or a delivering plan.
    pub fn leads<'a>(&'a self, plan: &'a assure_plan::Plan, kind: ItemKind, item: &str) -> Vec<&'a str> {
        match kind {
            ItemKind::DeliveringPlan => plan.delivering_plan_leads(item),
            ItemKind::Milestone if plan.milestone(item).is_some() => plan.milestone_leads(item),
            ItemKind::Milestone => self
                .added
                .iter()
                .find(|m| m.id == item)
                .map(|m| plan.delivering_plan_leads(&m.delivering_plan))
                .unwrap_or_default(),
        }
    }

    /// A milestone by id.
    pub fn milestone<'a>(&'a self, plan: &'a assure_plan::Plan, id: &str) -> Option<MilestoneRef<'a>> {
        self.milestones(plan).into_iter().find(|m| m.id == id)
    }
}

#[cfg(test)]
mod tests {
    use assure_plan::delivery::{ItemKind, UpdateDraft};

    use super::*;

    fn update(status: DeliveryStatus, at: &str, expected: Option<&str>, publication: Publication) -> DeliveryUpdate {
        DeliveryUpdate {
            id: 1,
            kind: ItemKind::Milestone,
            item: "m".into(),
            draft: UpdateDraft {
                status,
                narrative: "n".into(),
                evidence: vec![],
                expected: expected.map(str::to_owned),
                expected_reason: expected.map(|_| "r".to_owned()),
                internal_note: None,
            },
            author: "a".into(),
            at: at.into(),
            publication,
            reviewed_by: None,
            reviewed_at: None,
        }
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn overdue_when_the_due_date_has_passed_and_it_is_not_finished() {
        let p = progress("March 2025", &[], day("2025-04-01"), 90);
        assert!(p.overdue);
        assert_eq!(p.freshness, Freshness::NoUpdate);
        assert!(p.is_exception());
        assert_eq!(p.flags(), vec!["Overdue: due March 2025".to_owned(), "No update yet".to_owned()]);
        assert!(!progress("March 2025", &[], day("2025-03-31"), 90).overdue, "due on the last day of the month");
        assert!(!progress("Ongoing", &[], day("2030-01-01"), 90).overdue, "ongoing is never overdue");
        let done = [update(DeliveryStatus::Complete, "2025-03-01T00:00:00Z", None, Publication::Published)];
        let p = progress("March 2025", &done, day("2026-01-01"), 90);
        assert!(!p.overdue && !p.is_exception(), "complete is neither overdue nor stale: {p:?}");
    }

    #[test]
    fn a_new_expected_date_moves_the_due_date() {
        let u =
            [update(DeliveryStatus::AtRisk, "2025-03-01T00:00:00Z", Some("September 2025"), Publication::Published)];
        let p = progress("March 2025", &u, day("2025-05-01"), 90);
        assert_eq!((p.due.as_str(), p.due_changed, p.overdue), ("September 2025", true, false));
        assert_eq!(p.status, Some(DeliveryStatus::AtRisk));
    }

    #[test]
    fn stale_after_the_allowed_days_without_a_published_update() {
        let u = [update(DeliveryStatus::OnTrack, "2025-01-01T10:00:00Z", None, Publication::Published)];
        assert_eq!(progress("2026", &u, day("2025-04-01"), 90).freshness, Freshness::Fresh(90));
        assert_eq!(progress("2026", &u, day("2025-04-02"), 90).freshness, Freshness::Stale(91));
        assert_eq!(progress("2026", &u, day("2025-04-02"), 120).freshness, Freshness::Fresh(91));
    }

    #[test]
    fn only_published_updates_count() {
        let u = [
            update(DeliveryStatus::OnTrack, "2025-01-01T00:00:00Z", None, Publication::Published),
            update(DeliveryStatus::Complete, "2025-02-01T00:00:00Z", Some("2027"), Publication::Pending),
            update(DeliveryStatus::Closed, "2025-02-02T00:00:00Z", None, Publication::Rejected),
        ];
        let p = progress("March 2025", &u, day("2025-06-01"), 90);
        assert_eq!(p.status, Some(DeliveryStatus::OnTrack));
        assert_eq!(p.due, "March 2025");
        assert!(p.overdue);
        assert_eq!(p.freshness, Freshness::Stale(151));
    }

    #[test]
    fn each_items_updates_are_found_oldest_first_and_judge_where_it_stands() {
        let made = |id, kind, item: &str, status, at: &str, publication| DeliveryUpdate {
            id,
            kind,
            item: item.into(),
            ..update(status, at, None, publication)
        };
        use DeliveryStatus::{AtRisk, Complete, OnTrack};
        use Publication::{Pending, Published};
        // Given out of order: kept oldest first.
        let d = Delivery::new(
            vec![
                made(4, ItemKind::Milestone, "m", Complete, "2025-04-01T00:00:00Z", Pending),
                made(1, ItemKind::Milestone, "m", OnTrack, "2025-01-01T00:00:00Z", Published),
                made(3, ItemKind::DeliveringPlan, "m", AtRisk, "2025-03-01T00:00:00Z", Published),
                made(2, ItemKind::Milestone, "n", AtRisk, "2025-02-01T00:00:00Z", Published),
            ],
            vec![],
            90,
            true,
        );
        let ids = |kind, item| d.of(kind, item).map(|u| u.id).collect::<Vec<_>>();
        assert_eq!(d.updates().iter().map(|u| u.id).collect::<Vec<_>>(), [1, 2, 3, 4]);
        assert_eq!(ids(ItemKind::Milestone, "m"), [1, 4]);
        assert_eq!(ids(ItemKind::DeliveringPlan, "m"), [3]);
        assert_eq!(ids(ItemKind::Milestone, "nothing"), Vec::<i64>::new());
        assert_eq!(d.history(ItemKind::Milestone, "m", false).len(), 1, "the public sees the published one");
        assert_eq!(d.history(ItemKind::Milestone, "m", true).len(), 2);
        // The pending completion does not count; the milestone stands as last published.
        assert_eq!(d.progress(ItemKind::Milestone, "m", "March 2030").status, Some(OnTrack));
        assert_eq!(d.progress(ItemKind::DeliveringPlan, "m", "March 2030").status, Some(AtRisk));
    }
}

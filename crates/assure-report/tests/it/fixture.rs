//! The live data every report test reads, built without a database: the bundled plan,
//! assessments of the deterministic illustrative data, and a few hand-made delivery
//! updates; and ways to find a section, a table and its cells in a report.

use std::collections::HashMap;
use std::sync::LazyLock;

use assure_plan::Plan;
use assure_plan::delivery::{DeliveryStatus, DeliveryUpdate, ItemKind, Publication, UpdateDraft};
use assure_plan::observation::Observation;
use assure_report::document::{Block, Cell, Section};
use assure_report::{Inputs, Report};
use assure_tracking::delivery::{DEFAULT_STALE_DAYS, Delivery};
use assure_tracking::{Assessment, PrepareOptions};

/// A milestone of the plan (due June 2024) reported at risk and moved to [`Fixture::moved_to`].
pub const AT_RISK: &str = "family-hubs-m1";
/// A milestone of the plan (due March 2025) reported on track: its date has passed.
pub const OVERDUE: &str = "work-health-strategy-m1";
/// A milestone of the plan (due March 2025) reported complete.
pub const COMPLETE: &str = "better-care-fund-m1";
/// The delivering plan of [`AT_RISK`]'s example, reported off track.
pub const OFF_TRACK_PLAN: &str = "family-hub-programme";

/// The narrative of the at-risk update.
pub const AT_RISK_NARRATIVE: &str = "Two of the four hub buildings need repairs before they can open";
/// The narrative of the overdue milestone's update: markup, quotes and a backslash,
/// which neither the HTML nor the Typst source may read as code.
pub const MARKUP_NARRATIVE: &str = r#"Drafting continues <script>alert("x")</script> with partners \ employers"#;
/// The narrative of an update awaiting approval, which no report may show.
pub const PENDING_NARRATIVE: &str = "Awaiting approval: the strategy is finished";

/// Everything a report is made from.
pub struct Fixture {
    pub plan: Plan,
    pub assessments: HashMap<String, Assessment>,
    pub illustrative: bool,
    /// The prepared illustrative rows: every indicator, area and breakdown.
    pub observations: Vec<Observation>,
    pub delivery: Delivery,
    /// The new expected date of [`AT_RISK`] (March, two years from now).
    pub moved_to: String,
    /// When the previous report was issued: after the older updates, before the recent ones.
    pub previous_at: String,
}

pub static FIXTURE: LazyLock<Fixture> = LazyLock::new(Fixture::new);

/// A stored time `n` days before today (overdue and stale are judged against today).
fn days_ago(n: i64) -> String {
    let day = assure_tracking::delivery::today() - jiff::Span::new().days(n);
    format!("{day}T09:00:00Z")
}

fn update(id: i64, kind: ItemKind, item: &str, status: DeliveryStatus, narrative: &str, at: String) -> DeliveryUpdate {
    DeliveryUpdate {
        id,
        kind,
        item: item.to_owned(),
        draft: UpdateDraft {
            status,
            narrative: narrative.to_owned(),
            evidence: vec![],
            expected: None,
            expected_reason: None,
            internal_note: None,
        },
        author: "alice".to_owned(),
        at,
        publication: Publication::Published,
        reviewed_by: None,
        reviewed_at: None,
    }
}

impl Fixture {
    fn new() -> Fixture {
        let plan = assure_plan::bundled().expect("the bundled plan loads");
        let demo = assure_tracking::demo::generate(&plan);
        let observations = assure_tracking::prepare(&plan, demo, "demo", &PrepareOptions::default())
            .expect("the illustrative data prepares")
            .rows;
        let mut illustrative = false;
        // What the store's `headline_observations` answers: one indicator, no breakdown,
        // the asked areas, in key order.
        let assessed = assure_tracking::status::assess_plan(&plan, |id, areas| {
            let mut rows: Vec<Observation> = observations
                .iter()
                .filter(|o| o.key.indicator == id && o.key.breakdown.is_empty() && areas.contains(&o.key.area.as_str()))
                .cloned()
                .collect();
            rows.sort_by(|a, b| (&a.key.area, &a.key.period).cmp(&(&b.key.area, &b.key.period)));
            illustrative |= rows.iter().any(|o| o.illustrative);
            Ok::<_, std::convert::Infallible>(rows)
        })
        .unwrap_or_else(|e| match e {});
        let assessments = assessed.into_iter().map(|(t, a)| (t.id.to_owned(), a)).collect();

        let moved_to = format!("March {}", assure_tracking::delivery::today().year() + 2);
        // Every other milestone of the plan was completed two months ago, so that only
        // the items made here need attention.
        let mut updates: Vec<DeliveryUpdate> = Vec::new();
        for e in &plan.delivery_examples {
            for m in &e.milestones {
                let id = m.id.get_ref();
                if ![AT_RISK, OVERDUE, COMPLETE].contains(&id.as_str()) {
                    let n = updates.len() as i64 + 1;
                    updates.push(update(n, ItemKind::Milestone, id, DeliveryStatus::Complete, "Done", days_ago(60)));
                }
            }
        }
        let n = updates.len() as i64;
        updates.push(update(
            n + 1,
            ItemKind::Milestone,
            AT_RISK,
            DeliveryStatus::OnTrack,
            "Sites chosen",
            days_ago(40),
        ));
        let mut at_risk =
            update(n + 2, ItemKind::Milestone, AT_RISK, DeliveryStatus::AtRisk, AT_RISK_NARRATIVE, days_ago(5));
        at_risk.draft.expected = Some(moved_to.clone());
        at_risk.draft.expected_reason = Some("Building repairs".to_owned());
        updates.push(at_risk);
        updates.push(update(
            n + 3,
            ItemKind::Milestone,
            OVERDUE,
            DeliveryStatus::OnTrack,
            MARKUP_NARRATIVE,
            days_ago(4),
        ));
        updates.push(update(
            n + 4,
            ItemKind::Milestone,
            COMPLETE,
            DeliveryStatus::Complete,
            "Plan signed off by both councils",
            days_ago(3),
        ));
        updates.push(update(
            n + 5,
            ItemKind::DeliveringPlan,
            OFF_TRACK_PLAN,
            DeliveryStatus::OffTrack,
            "Funding for the second year is not agreed",
            days_ago(2),
        ));
        let mut pending =
            update(n + 6, ItemKind::Milestone, OVERDUE, DeliveryStatus::Complete, PENDING_NARRATIVE, days_ago(1));
        pending.publication = Publication::Pending;
        updates.push(pending);
        let delivery = Delivery::new(updates, vec![], DEFAULT_STALE_DAYS, true);
        Fixture { plan, assessments, illustrative, observations, delivery, moved_to, previous_at: days_ago(30) }
    }

    /// The inputs of a report generated now.
    pub fn inputs(&self) -> Inputs<'_> {
        Inputs {
            plan: &self.plan,
            assessments: &self.assessments,
            illustrative: self.illustrative,
            delivery: &self.delivery,
            generated_at: days_ago(0).replace("T09:", "T12:"),
        }
    }

    /// A milestone's title.
    pub fn milestone_title(&self, id: &str) -> &str {
        &self.plan.milestone(id).expect("a milestone of the plan").1.title
    }
}

/// The headings of a report's sections, in order.
pub fn headings(r: &Report) -> Vec<&str> {
    r.sections.iter().map(|s| s.heading.as_str()).collect()
}

/// The section with this heading.
pub fn section<'a>(r: &'a Report, heading: &str) -> &'a Section {
    r.sections
        .iter()
        .find(|s| s.heading == heading)
        .unwrap_or_else(|| panic!("no section '{heading}' in {:?}", headings(r)))
}

/// A table of a section, by its caption.
pub struct Table<'a> {
    pub headers: &'a [String],
    pub rows: &'a [Vec<Cell>],
}

impl<'a> Table<'a> {
    /// The text of each row's cell under this header.
    pub fn column(&self, header: &str) -> Vec<&'a str> {
        let i = self
            .headers
            .iter()
            .position(|h| h == header)
            .unwrap_or_else(|| panic!("no column '{header}' in {:?}", self.headers));
        self.rows.iter().map(|r| r[i].text.as_str()).collect()
    }

    /// The row whose first cell is this text.
    pub fn row(&self, first: &str) -> &'a [Cell] {
        self.rows.iter().find(|r| r[0].text == first).unwrap_or_else(|| {
            panic!("no row '{first}' in {:?}", self.rows.iter().map(|r| &r[0].text).collect::<Vec<_>>())
        })
    }
}

/// The table with this caption in a section.
pub fn table<'a>(s: &'a Section, caption: &str) -> Table<'a> {
    s.blocks
        .iter()
        .find_map(|b| match b {
            Block::Table { caption: c, headers, rows } if c == caption => Some(Table { headers, rows }),
            _ => None,
        })
        .unwrap_or_else(|| {
            let captions: Vec<&str> = s
                .blocks
                .iter()
                .filter_map(|b| if let Block::Table { caption, .. } = b { Some(caption.as_str()) } else { None })
                .collect();
            panic!("no table '{caption}' in section '{}': {captions:?}", s.heading)
        })
}

/// The items of every list in a section.
pub fn list_items(s: &Section) -> Vec<&str> {
    s.blocks
        .iter()
        .filter_map(|b| if let Block::List(items) = b { Some(items) } else { None })
        .flatten()
        .map(String::as_str)
        .collect()
}

/// The texts of a row.
pub fn texts(row: &[Cell]) -> Vec<&str> {
    row.iter().map(|c| c.text.as_str()).collect()
}

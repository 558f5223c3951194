//! Deep-dive packs: an indicator (its status and reason, how it is measured, by place)
//! and a commitment (its delivering plans and milestones with their histories).

use assure_plan::Commitment;
use assure_report::blocks::status_tone;
use assure_report::deep_dive::{commitment, indicator};
use assure_report::document::{Block, Report, Section};

use crate::fixture::{
    AT_RISK, AT_RISK_NARRATIVE, FIXTURE, OFF_TRACK_PLAN, headings, list_items, section, table, texts,
};

/// A compound indicator: healthy weight and severe obesity in Year 6, two parts.
pub const INDICATOR: &str = "year-6-healthy-weight";
/// A commitment delivered by the off-track Family Hub Programme, among others.
pub const COMMITMENT: &str = "improve-join-up-access-local-support";

fn level3(s: &Section) -> Vec<&str> {
    s.blocks.iter().filter_map(|b| if let Block::Heading(h) = b { Some(h.as_str()) } else { None }).collect()
}

pub fn indicator_report() -> Report {
    let f = &*FIXTURE;
    let i = f.plan.indicator(INDICATOR).expect("an indicator of the plan");
    let ids: Vec<&str> = i.tracked().iter().map(|t| t.id).collect();
    let rows: Vec<_> = f.observations.iter().filter(|o| ids.contains(&o.key.indicator.as_str())).cloned().collect();
    indicator(&f.inputs(), i, &rows)
}

pub fn commitment_report() -> Report {
    let f = &*FIXTURE;
    commitment(&f.inputs(), f.plan.commitment(COMMITMENT).expect("a commitment of the plan"))
}

#[test]
fn an_indicator_has_its_status_measurement_places_commitments_and_milestones() {
    let f = &*FIXTURE;
    let r = indicator_report();
    let i = f.plan.indicator(INDICATOR).unwrap();
    assert_eq!(r.title, i.statement);
    assert_eq!(
        headings(&r),
        [
            "Status and trend",
            "How it is measured",
            "By place",
            "Commitments of the outcome and who delivers them",
            "Milestones",
            "What residents told us"
        ]
    );
    for s in &r.sections {
        assert!(!s.blocks.is_empty(), "section '{}' is empty", s.heading);
    }
    // Measured part by part: each part's definition under its name.
    let measured = section(&r, "How it is measured");
    let parts: Vec<&str> = i.tracked().iter().map(|t| t.measure).collect();
    assert_eq!(level3(measured), parts);
    for t in i.tracked() {
        let definition = &t.measurement.expect("each part says how it is measured").definition;
        assert!(measured.blocks.iter().any(|b| matches!(b, Block::Paragraph(p) if p == definition)), "{}", t.id);
    }
}

#[test]
fn each_part_of_an_indicator_carries_its_status_and_reason() {
    let f = &*FIXTURE;
    let r = indicator_report();
    let i = f.plan.indicator(INDICATOR).unwrap();
    let s = section(&r, "Status and trend");
    let t = table(s, "Status");
    assert_eq!(t.headers, ["Indicator", "Status", "Latest", "Why"]);
    let parts = i.tracked();
    assert_eq!(parts.len(), 2);
    assert_eq!(t.rows.len(), 2, "one row per part");
    for (row, part) in t.rows.iter().zip(&parts) {
        let a = &f.assessments[part.id];
        assert_eq!(row[0].text, format!("{} — {}", i.statement, part.measure));
        assert_eq!((row[1].text.as_str(), &row[1].tone), (a.status.label(), &status_tone(a.status)), "{}", part.id);
        assert_eq!(row[3].text, a.reason, "{}", part.id);
        let latest = a.latest().expect("illustrative data for every part");
        assert!(row[2].text.ends_with(&format!("({})", latest.period)), "{}", row[2].text);
    }
    // The two parts are judged apart, each against its own target: two reasons.
    assert_ne!(t.rows[0][3].text, t.rows[1][3].text);
    let charts = s.blocks.iter().filter(|b| matches!(b, Block::Chart { svg, .. } if svg.starts_with("<svg"))).count();
    assert_eq!(charts, 2, "a trend chart per part");
}

#[test]
fn an_indicator_by_place_lists_every_area_with_data_and_england() {
    let f = &*FIXTURE;
    let r = indicator_report();
    let s = section(&r, "By place");
    let i = f.plan.indicator(INDICATOR).unwrap();
    for part in i.tracked() {
        let (caption, rows) = s
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Table { caption, rows, .. } if caption.starts_with(&format!("{}: by area, ", part.measure)) => {
                    Some((caption, rows))
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("no table by area for {}", part.id));
        let areas: Vec<&str> = rows.iter().map(|r| r[0].text.as_str()).collect();
        assert!(areas.contains(&"Medway") && areas.contains(&"Kent"), "{caption}: {areas:?}");
        assert_eq!(areas.last(), Some(&"England"), "{caption}");
    }
}

fn the_commitment() -> &'static Commitment {
    FIXTURE.plan.commitment(COMMITMENT).unwrap()
}

#[test]
fn a_commitment_has_its_plans_milestones_and_indicators() {
    let r = commitment_report();
    assert_eq!(r.title, the_commitment().title);
    assert_eq!(
        headings(&r),
        [
            "The commitment",
            "Delivering plans and their updates",
            "Milestones and their history",
            "Indicators of the outcome",
            "What residents told us"
        ]
    );
}

#[test]
fn a_commitment_shows_where_each_delivering_plan_stands_with_its_history() {
    let f = &*FIXTURE;
    let r = commitment_report();
    let s = section(&r, "Delivering plans and their updates");
    let plans: Vec<&str> = the_commitment()
        .links
        .iter()
        .flat_map(|l| l.plans.iter().map(|p| f.plan.delivering_plan_name(p.get_ref())))
        .collect();
    assert_eq!(level3(s), plans);
    let hubs = f.plan.delivering_plan_name(OFF_TRACK_PLAN);
    let t = table(s, &format!("Where {hubs} stands"));
    assert_eq!(texts(&t.rows[0]), ["Off track", "", "Kent County Council, Medway Council"]);
    let history = list_items(s);
    assert_eq!(history.len(), 1, "only the Family Hub Programme has an update: {history:?}");
    assert!(
        history[0].ends_with(" — Off track by alice: Funding for the second year is not agreed."),
        "{}",
        history[0]
    );
    let none = s.blocks.iter().filter(|b| matches!(b, Block::Paragraph(p) if p == "No update has been published yet."));
    assert_eq!(none.count(), plans.len() - 1);
}

#[test]
fn a_commitment_shows_its_milestones_with_the_new_date_and_their_history() {
    let f = &*FIXTURE;
    let r = commitment_report();
    let s = section(&r, "Milestones and their history");
    let title = f.milestone_title(AT_RISK);
    let t = table(s, "Milestones of these plans");
    assert_eq!(t.column("Milestone"), [title], "the one milestone of the Family Hub Programme");
    assert_eq!(&texts(t.row(title))[1..3], [f.moved_to.as_str(), "At risk"]);
    assert_eq!(level3(s), [format!("History: {title}")]);
    let history = list_items(s);
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(history[0].ends_with(" — On track by alice: Sites chosen."), "{}", history[0]);
    assert!(
        history[1].ends_with(&format!(" — At risk by alice: {AT_RISK_NARRATIVE}. Now expected {}.", f.moved_to)),
        "{}",
        history[1]
    );
}

#[test]
fn every_commitment_lists_each_of_its_delivering_plans_once() {
    let f = &*FIXTURE;
    let inputs = f.inputs();
    for c in &f.plan.commitments {
        let r = commitment(&inputs, c);
        let s = section(&r, "Delivering plans and their updates");
        let mut named: Vec<&str> =
            c.links.iter().flat_map(|l| l.plans.iter().map(|p| f.plan.delivering_plan_name(p.get_ref()))).collect();
        named.sort_unstable();
        named.dedup();
        let mut shown = level3(s);
        shown.sort_unstable();
        assert_eq!(shown, named, "{}: each plan its links name, once", c.id.get_ref());
    }
}

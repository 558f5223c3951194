//! The place report for Medway: its sections, the outcomes measured there, and only the
//! delivery led by organisations serving Medway.

use std::collections::BTreeSet;

use assure_plan::Plan;
use assure_plan::delivery::ItemKind;
use assure_plan::observation::Observation;
use assure_report::document::{Block, Report};
use assure_report::place::{area, place};

use crate::fixture::{AT_RISK, COMPLETE, FIXTURE, OFF_TRACK_PLAN, OVERDUE, headings, section, table, texts};

/// Whether an organisation serves Medway: it or an organisation above it is Medway's.
fn serves_medway(plan: &Plan, id: &str) -> bool {
    let mut at = plan.organisations.iter().find(|o| o.id.get_ref() == id);
    while let Some(o) = at {
        if o.area.as_ref().is_some_and(|a| a.get_ref() == "medway") {
            return true;
        }
        at = o.parent.as_ref().and_then(|p| plan.organisations.iter().find(|x| x.id.get_ref() == p.get_ref()));
    }
    false
}

/// The headline rows for Medway and England, as the store gives them to the report.
pub fn medway_rows() -> Vec<Observation> {
    let mut rows: Vec<Observation> = FIXTURE
        .observations
        .iter()
        .filter(|o| o.key.breakdown.is_empty() && ["medway", "england"].contains(&o.key.area.as_str()))
        .cloned()
        .collect();
    rows.sort_by(|a, b| {
        (&a.key.indicator, &a.key.area, &a.key.period).cmp(&(&b.key.indicator, &b.key.area, &b.key.period))
    });
    rows
}

pub fn medway_report() -> Report {
    let f = &*FIXTURE;
    let medway = area(&f.plan, "medway").expect("Medway is an area of the plan");
    place(&f.inputs(), medway, &medway_rows())
}

#[test]
fn an_area_is_found_by_its_id_and_an_unknown_one_is_refused() {
    let plan = &FIXTURE.plan;
    assert_eq!(area(plan, "medway").unwrap().name, "Medway");
    let e = area(plan, "atlantis").unwrap_err();
    assert!(e.to_string().contains("'atlantis'"), "{e}");
}

#[test]
fn sections_in_order() {
    let r = medway_report();
    assert_eq!(r.title, "Medway: place report");
    assert_eq!(
        headings(&r),
        [
            "About this report",
            "Outcomes for Medway",
            "Place priorities",
            "Delivery led in Medway",
            "The voluntary and community sector"
        ]
    );
    let priorities: Vec<&str> = section(&r, "Place priorities")
        .blocks
        .iter()
        .filter_map(|b| if let Block::Heading(h) = b { Some(h.as_str()) } else { None })
        .collect();
    assert_eq!(priorities, ["Medway & Swale HCP"], "the places covering Medway, not the rest of Kent");
}

#[test]
fn only_delivery_led_by_organisations_serving_medway() {
    let f = &*FIXTURE;
    let plan = &f.plan;
    let r = medway_report();
    let s = section(&r, "Delivery led in Medway");

    let shown: BTreeSet<&str> =
        table(s, "Milestones led by organisations serving Medway").column("Milestone").into_iter().collect();
    let expected: BTreeSet<&str> = f
        .delivery
        .milestones(plan)
        .into_iter()
        .filter(|m| f.delivery.leads(plan, ItemKind::Milestone, m.id).iter().any(|o| serves_medway(plan, o)))
        .map(|m| m.title)
        .collect();
    assert_eq!(shown, expected);
    assert!(shown.contains(f.milestone_title(AT_RISK)) && shown.contains(f.milestone_title(COMPLETE)));
    assert!(!shown.contains(f.milestone_title(OVERDUE)), "led by KMEP and the ICP, which serve no one area");
    assert!(shown.len() < f.delivery.milestones(plan).len());

    let counts = table(s, "Milestones led in Medway by status");
    assert_eq!(counts.row("At risk")[1].text, "1");
    assert_eq!(counts.row("Overdue")[1].text, "0", "the overdue milestone is not Medway's");
    assert_eq!(counts.row("Complete")[1].text, (shown.len() - 1).to_string());

    let plans = table(s, "Strategies and plans led by organisations serving Medway");
    let names = plans.column("Strategy or plan");
    assert!(!names.is_empty());
    for (name, row) in names.iter().zip(plans.rows) {
        let p = plan.delivering_plans.iter().find(|p| p.name == *name).expect("a delivering plan");
        let leads = plan.delivering_plan_leads(p.id.get_ref());
        assert!(leads.iter().any(|o| serves_medway(plan, o)), "{name} is led by {leads:?}");
        assert!(!row[3].text.is_empty());
    }
    assert!(names.len() < plan.delivering_plans.len());
    let hubs = plans.row(plan.delivering_plan_name(OFF_TRACK_PLAN));
    assert_eq!(texts(hubs), ["Family Hub Programme", "Off track", "", "Kent County Council, Medway Council"]);
}

#[test]
fn outcomes_show_medway_against_england() {
    let f = &*FIXTURE;
    let r = medway_report();
    let s = section(&r, "Outcomes for Medway");
    let rows = medway_rows();
    let mut tables = 0;
    for o in &f.plan.outcomes {
        let n = *o.number.get_ref();
        let tracked: Vec<_> =
            f.plan.indicators.iter().filter(|i| *i.outcome.get_ref() == n).flat_map(|i| i.tracked()).collect();
        let with_data: Vec<_> =
            tracked.iter().filter(|t| rows.iter().any(|x| x.key.indicator == t.id && x.key.area == "medway")).collect();
        if with_data.is_empty() {
            assert!(s.blocks.iter().any(
                |b| matches!(b, Block::Paragraph(p) if p == "No indicator data is stored for Medway under this outcome.")
            ));
            continue;
        }
        tables += 1;
        let t = table(s, &format!("Outcome {n} in Medway"));
        assert_eq!(
            t.headers,
            ["Indicator", "Period", "Medway (95% interval)", "England", "Compared with England", "Status"]
        );
        assert_eq!(t.column("Indicator"), with_data.iter().map(|t| t.measure).collect::<Vec<_>>());
        for (row, tr) in t.rows.iter().zip(&with_data) {
            let latest = rows
                .iter()
                .filter(|x| x.key.indicator == tr.id && x.key.area == "medway" && x.value.is_some())
                .max_by(|a, b| a.key.period.cmp(&b.key.period))
                .expect("a Medway value");
            assert_eq!(row[1].text, latest.key.period, "{}", tr.id);
            assert!(
                row[2].text.starts_with(&assure_tracking::format::value(tr.unit, latest.value.unwrap())),
                "{}: {}",
                tr.id,
                row[2].text
            );
            assert!(!row[3].text.is_empty(), "{}: the illustrative data has England for every period", tr.id);
            // Medway's own comparison with England, and its status only where the target is Medway's.
            assert!(row[4].text.ends_with("England") || row[4].text == "Not compared", "{}: {}", tr.id, row[4].text);
            let own = tr.measurement.is_some_and(|m| m.area.get_ref() == "medway");
            assert_eq!(row[5].text.starts_with("Target set for"), !own, "{}: {}", tr.id, row[5].text);
        }
    }
    assert!(tables >= 3, "{tables}");
    let all = table(s, "Every indicator's status at the level of its target");
    assert_eq!(all.rows.len(), f.assessments.len());
}

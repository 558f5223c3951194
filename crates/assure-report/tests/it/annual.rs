//! The annual report: its sections, the exceptions, what changed since the previous
//! report, and the snapshot it keeps.

use std::collections::BTreeSet;

use assure_report::annual::{OVERDUE_NAMED, annual};
use assure_report::blocks::{status_tone, tracked_name};
use assure_report::document::{Block, Tone};
use assure_tracking::Status;

use crate::fixture::{
    AT_RISK, AT_RISK_NARRATIVE, COMPLETE, FIXTURE, MARKUP_NARRATIVE, OFF_TRACK_PLAN, OVERDUE, PENDING_NARRATIVE,
    headings, list_items, section, table, texts,
};
use crate::pdf_layout::{ADDED, LONG};

#[test]
fn summary_exceptions_changes_then_one_section_per_outcome_in_order() {
    let f = &*FIXTURE;
    let (report, _) = annual(&f.inputs(), None);
    let mut expected =
        vec!["Summary".to_owned(), "Exceptions".to_owned(), "Changes since the previous report".to_owned()];
    expected.extend(f.plan.outcomes.iter().map(|o| format!("Outcome {}: {}", o.number.get_ref(), o.title)));
    assert_eq!(headings(&report), expected);
    assert_eq!(f.plan.outcomes.len(), 6);
    assert!(report.illustrative, "the data is illustrative, and the report must say so");
    assert_eq!(report.subtitle, f.plan.meta.title);
}

#[test]
fn exceptions_are_exactly_the_overdue_off_track_and_at_risk_items() {
    let f = &*FIXTURE;
    let (report, _) = annual(&f.inputs(), None);
    let t = table(section(&report, "Exceptions"), "Milestones and plans overdue, off track, at risk or stale");
    let items: BTreeSet<&str> = t.column("Item").into_iter().collect();
    let at_risk = format!("Milestone: {}", f.milestone_title(AT_RISK));
    let overdue = format!("Milestone: {}", f.milestone_title(OVERDUE));
    let off_track = format!("Plan: {}", f.plan.delivering_plan_name(OFF_TRACK_PLAN));
    assert_eq!(items, BTreeSet::from([at_risk.as_str(), overdue.as_str(), off_track.as_str()]));
    assert!(!items.contains(format!("Milestone: {}", f.milestone_title(COMPLETE)).as_str()));

    let row = t.row(&at_risk);
    assert_eq!(&texts(row)[1..3], ["At risk", f.moved_to.as_str()], "at risk, at its new date, not overdue");
    assert_eq!(row[1].tone, Tone::Warning);
    assert_eq!((texts(row)[3], &row[3].tone), ("", &Tone::Plain), "moved to a later date, so not overdue");
    assert_eq!(texts(row)[4], "Kent County Council, Medway Council");
    // The update awaiting approval (complete) does not count: still on track and overdue.
    let row = t.row(&overdue);
    assert_eq!(&texts(row)[1..4], ["On track", "March 2025", "Overdue"]);
    let row = t.row(&off_track);
    assert_eq!(&texts(row)[1..4], ["Off track", "Ongoing", ""]);
    assert_eq!(row[1].tone, Tone::Bad);
}

#[test]
fn the_summary_counts_indicators_and_milestones_by_status() {
    let f = &*FIXTURE;
    let (report, _) = annual(&f.inputs(), None);
    let summary = section(&report, "Summary");
    let by_status = table(summary, "Strategic indicators and parts by status");
    assert_eq!(by_status.rows.len(), 1, "the counts in one row");
    assert_eq!(by_status.headers, Status::ALL.map(Status::label));
    for (s, cell) in Status::ALL.into_iter().zip(&by_status.rows[0]) {
        let n = f.assessments.values().filter(|a| a.status == s).count();
        let tone = if n == 0 { Tone::Plain } else { status_tone(s) };
        assert_eq!((cell.text.as_str(), &cell.tone), (n.to_string().as_str(), &tone), "{s:?}");
    }
    let milestones = table(summary, "Milestones by status");
    let all = f.delivery.milestones(&f.plan).len();
    assert_eq!(all, 30);
    for (status, n) in [
        ("Complete", all - 2),
        ("At risk", 1),
        ("On track", 1),
        ("Off track", 0),
        ("No update", 0),
        ("Overdue", 1),
        ("Stale", 0),
    ] {
        assert_eq!(milestones.column(status), [n.to_string()], "{status}");
    }
    let overdue = milestones.headers.iter().position(|h| h == "Overdue").expect("an overdue column");
    assert_eq!(milestones.rows[0][overdue].tone, Tone::Bad, "a count in its status's tone");
    let off_track = milestones.headers.iter().position(|h| h == "Off track").expect("an off-track column");
    assert_eq!(milestones.rows[0][off_track].tone, Tone::Plain, "no count, no colour");
}

#[test]
fn each_outcome_shows_its_indicators_with_status_and_reason_and_its_milestones() {
    let f = &*FIXTURE;
    let (report, _) = annual(&f.inputs(), None);
    for o in &f.plan.outcomes {
        let n = *o.number.get_ref();
        let s = section(&report, &format!("Outcome {n}: {}", o.title));
        let tracked: Vec<_> =
            f.plan.indicators.iter().filter(|i| *i.outcome.get_ref() == n).flat_map(|i| i.tracked()).collect();
        if tracked.is_empty() {
            // Outcome 6 (the workforce) has no strategic indicator: no empty table.
            let tables = s
                .blocks
                .iter()
                .filter(|b| matches!(b, Block::Table { caption, .. } if caption.starts_with("Indicators")));
            assert_eq!(tables.count(), 0, "outcome {n}");
        } else {
            let t = table(s, &format!("Indicators of outcome {n}"));
            assert_eq!(t.rows.len(), tracked.len(), "outcome {n}: one row per indicator or part");
            for (row, tr) in t.rows.iter().zip(&tracked) {
                let a = &f.assessments[tr.id];
                assert_eq!(row[1].text, a.status.label(), "{}", tr.id);
                assert_eq!(row[1].tone, status_tone(a.status), "{}", tr.id);
                assert_eq!(row[3].text, a.reason, "{}", tr.id);
            }
        }
        let milestones: Vec<&str> = f
            .plan
            .delivery_examples
            .iter()
            .filter(|e| *e.outcome.get_ref() == n)
            .flat_map(|e| e.milestones.iter().map(|m| m.title.as_str()))
            .collect();
        assert_eq!(table(s, &format!("Milestones of outcome {n}")).column("Milestone"), milestones, "outcome {n}");
    }
    let o1 = &f.plan.outcomes[0];
    let t = table(section(&report, &format!("Outcome 1: {}", o1.title)), "Milestones of outcome 1");
    let row = texts(t.row(f.milestone_title(AT_RISK)));
    assert_eq!(&row[1..5], [f.moved_to.as_str(), "At risk", "", "Kent County Council, Medway Council"]);
    assert!(row[5].starts_with(AT_RISK_NARRATIVE), "the latest published update: {}", row[5]);
}

#[test]
fn changes_since_the_previous_report_are_what_differs_from_its_snapshot() {
    let f = &*FIXTURE;
    let inputs = f.inputs();
    // The previous report saw the at-risk milestone on track, the complete one without
    // an update, and loneliness (now off track) on track; everything else as it is now.
    let mut before = inputs.snapshot();
    before.at = f.previous_at.clone();
    before.items.insert(format!("milestone:{AT_RISK}"), "on_track".to_owned());
    assert!(before.items.remove(&format!("milestone:{COMPLETE}")).is_some());
    assert_eq!(before.indicators.insert("loneliness".to_owned(), "on_track".to_owned()).as_deref(), Some("off_track"));

    let (report, _) = annual(&inputs, Some(&before));
    let s = section(&report, "Changes since the previous report");
    let t = table(s, "Statuses that changed");
    let loneliness = f.plan.indicator("loneliness").expect("an indicator").tracked()[0].measure;
    let rows: Vec<Vec<&str>> = t.rows.iter().map(|r| texts(r)).collect();
    assert_eq!(
        rows,
        [
            vec![format!("Indicator: {loneliness}").as_str(), "On track", "Off track"],
            vec![format!("Milestone: {}", f.milestone_title(COMPLETE)).as_str(), "No update", "Complete"],
            vec![format!("Milestone: {}", f.milestone_title(AT_RISK)).as_str(), "On track", "At risk"],
        ]
    );
    // The updates published after it: not the older ones, not the one awaiting approval.
    let since = list_items(s);
    assert_eq!(since.len(), 4, "{since:#?}");
    assert!(since[0].starts_with(&format!("{}: At risk (alice, ", f.milestone_title(AT_RISK))), "{}", since[0]);
    assert!(since[0].ends_with(AT_RISK_NARRATIVE));
    assert!(since[1].ends_with(MARKUP_NARRATIVE));
    assert!(since[3].starts_with(&format!("{}: Off track", f.plan.delivering_plan_name(OFF_TRACK_PLAN))));
    assert!(!since.iter().any(|u| u.contains(PENDING_NARRATIVE) || u.contains("Sites chosen")));
}

#[test]
fn the_first_report_has_nothing_to_compare_with_and_a_second_identical_one_no_changes() {
    let f = &*FIXTURE;
    let inputs = f.inputs();
    let (report, snapshot) = annual(&inputs, None);
    let s = section(&report, "Changes since the previous report");
    assert!(matches!(&s.blocks[..], [Block::Paragraph(p)] if p.contains("first report")));

    let mut before = snapshot;
    before.at = f.previous_at.clone();
    let (report, _) = annual(&inputs, Some(&before));
    let s = section(&report, "Changes since the previous report");
    assert!(
        s.blocks
            .iter()
            .any(|b| matches!(b, Block::Paragraph(p) if p == "No indicator or delivery status has changed.")),
        "{:?}",
        s.blocks
    );
}

#[test]
fn the_snapshot_keeps_each_published_status() {
    let f = &*FIXTURE;
    let (_, snapshot) = annual(&f.inputs(), None);
    assert_eq!(snapshot.items[&format!("milestone:{AT_RISK}")], "at_risk");
    assert_eq!(snapshot.items[&format!("milestone:{OVERDUE}")], "on_track", "not the update awaiting approval");
    assert_eq!(snapshot.items[&format!("milestone:{COMPLETE}")], "complete");
    assert_eq!(snapshot.items[&format!("plan:{OFF_TRACK_PLAN}")], "off_track");
    assert_eq!(snapshot.items.len(), 31, "30 milestones and the one plan with an update");
    assert_eq!(snapshot.indicators.len(), f.assessments.len());
    assert_eq!(snapshot.indicators["loneliness"], "off_track");
    assert_eq!(snapshot.at, f.inputs().generated_at);
}

/// A tracked indicator: its id, its name in a table, its measure and its assessment.
type Judged = (&'static str, String, &'static str, &'static assure_tracking::Assessment);

/// The tracked indicators with this status, in plan order.
fn with_status(s: Status) -> Vec<Judged> {
    let f = &*FIXTURE;
    f.plan
        .indicators
        .iter()
        .flat_map(|i| {
            i.tracked().into_iter().map(move |t| (t.id, tracked_name(i, &t), t.measure, &f.assessments[t.id]))
        })
        .filter(|(_, _, _, a)| a.status == s)
        .collect()
}

#[test]
fn the_summary_says_how_compound_statements_count_and_why_each_off_track_indicator_is() {
    let f = &*FIXTURE;
    let (report, _) = annual(&f.inputs(), None);
    let summary = section(&report, "Summary");
    let compound: Vec<_> = f.plan.indicators.iter().filter(|i| i.parts.len() > 1).collect();
    let tracked = f.plan.indicators.iter().flat_map(|i| i.tracked()).count();
    let counting = format!(
        "The plan's {} strategic indicators are tracked as {tracked}: {} of them are compound statements with {} parts between them, and each part has its own target and is counted on its own.",
        f.plan.indicators.len(),
        compound.len(),
        compound.iter().map(|i| i.parts.len()).sum::<usize>()
    );
    assert!(summary.blocks.iter().any(|b| matches!(b, Block::Paragraph(p) if *p == counting)), "{counting}");
    assert!(tracked > f.plan.indicators.len() && !compound.is_empty());

    let off_track = with_status(Status::OffTrack);
    assert!(!off_track.is_empty(), "the illustrative data has indicators off track");
    let t = table(summary, "Off track, and why");
    let rows: Vec<Vec<&str>> = t.rows.iter().map(|r| texts(r)).collect();
    // Each off-track indicator with its plain sentence, the one a resident reads on its page.
    let sentences: Vec<String> = f
        .plan
        .indicators
        .iter()
        .flat_map(|i| i.tracked())
        .filter(|t| f.assessments[t.id].status == Status::OffTrack)
        .map(|t| assure_tracking::plain::short(&t, &f.assessments[t.id]))
        .collect();
    let expected: Vec<Vec<&str>> =
        off_track.iter().zip(&sentences).map(|((_, _, measure, _), why)| vec![*measure, why.as_str()]).collect();
    assert_eq!(rows, expected);
    assert!(
        sentences.iter().all(|s| s.starts_with("Behind where it should be") || s.starts_with("Target missed")),
        "{sentences:?}"
    );
}

#[test]
fn the_summary_lists_a_few_overdue_milestones_and_counts_the_rest() {
    let f = &*FIXTURE;
    // One overdue milestone: listed, nothing more to count.
    let (report, _) = annual(&f.inputs(), None);
    let summary = section(&report, "Summary");
    assert!(summary.blocks.iter().any(|b| matches!(b, Block::Paragraph(p) if p == "1 of the 30 milestones is overdue: its expected date has passed and it is not complete.")));
    let listed = list_items(summary);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(
        listed[0].starts_with(&format!("{} (expected March 2025; led by ", f.milestone_title(OVERDUE))),
        "{}",
        listed[0]
    );
    assert!(
        !summary.blocks.iter().any(|b| matches!(b, Block::Paragraph(p) if p.contains("more, listed under Exceptions")))
    );

    // Sixty-one: the first few named, the rest counted and found under Exceptions.
    let inputs = assure_report::Inputs { delivery: &LONG, ..f.inputs() };
    let (report, _) = annual(&inputs, None);
    let summary = section(&report, "Summary");
    let overdue = ADDED + 1;
    assert!(summary.blocks.iter().any(|b| matches!(b, Block::Paragraph(p) if p.starts_with(&format!("{overdue} of the {} milestones are overdue", 30 + ADDED)))));
    assert_eq!(list_items(summary).len(), OVERDUE_NAMED);
    let more = format!("And {} more, listed under Exceptions.", overdue - OVERDUE_NAMED);
    assert!(summary.blocks.iter().any(|b| matches!(b, Block::Paragraph(p) if *p == more)), "{more}");
    let exceptions = table(section(&report, "Exceptions"), "Milestones and plans overdue, off track, at risk or stale");
    let flagged = exceptions.rows.iter().filter(|r| r[3].text.contains("Overdue")).count();
    assert_eq!(flagged, overdue, "every overdue milestone is under Exceptions");
}

#[test]
fn exceptions_list_the_indicators_off_track_then_at_risk_with_status_latest_value_and_reason() {
    let f = &*FIXTURE;
    let (report, _) = annual(&f.inputs(), None);
    let t = table(section(&report, "Exceptions"), "Indicators off track or at risk");
    assert_eq!(t.headers, ["Indicator", "Status", "Latest", "Why"]);
    let expected: Vec<_> = with_status(Status::OffTrack).into_iter().chain(with_status(Status::AtRisk)).collect();
    assert!(expected.iter().any(|(_, _, _, a)| a.status == Status::AtRisk), "the data has indicators at risk");
    assert_eq!(t.rows.len(), expected.len());
    for (row, (id, name, _, a)) in t.rows.iter().zip(&expected) {
        assert_eq!(&row[0].text, name, "{id}");
        assert_eq!((row[1].text.as_str(), &row[1].tone), (a.status.label(), &status_tone(a.status)), "{id}");
        let latest = a.latest().expect("a status from data has a latest value");
        assert!(row[2].text.ends_with(&format!("({})", latest.period)), "{id}: {}", row[2].text);
        assert_eq!(row[3].text, a.reason, "{id}");
    }
}

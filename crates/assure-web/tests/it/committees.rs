//! Committees, decisions and actions over real HTTP: the seeded bodies, an admin records
//! Medway's committee meeting with its paper, decision and action (the committee's own
//! decision, 003_e5198cb00708df4b.txt lines 13–16); the action, past due, shows overdue
//! on the owner's My work; its owner updates it through the form (others are refused);
//! the actions list filters and downloads; the next meeting lists the deep dives proposed
//! from two closed rounds' snapshots.

use assure_store::{AuditFilter, NewRound, Role, Store};

use crate::{account, apps, signed_in};

/// The Medway committee's decision b), as minuted (003_e5198cb00708df4b.txt:16).
const MEDWAY_ACTION: &str = "request an update in 6 months, including outcomes for Medway and details of how the \
                             voluntary and community sector was involved in the Strategy.";

fn form(fields: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
}

fn audited(store: &Store, entity: &str) -> usize {
    store.audit(&AuditFilter { entity: Some(entity.into()), ..Default::default() }).unwrap().len()
}

const PLAN: &str = "kent-and-medway-2024-26";

#[test]
fn a_meeting_its_decision_and_action_are_recorded_and_the_action_is_tracked_by_its_owner() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        account(&store, "admin", Role::Admin, &[]);
        account(&store, "medway", Role::Editor, &["medway-council"]);
        account(&store, "kcc", Role::Editor, &["kcc"]);

        // The plan's bodies are there, public.
        let (status, _, page) = app.get("/committees");
        assert_eq!(status, 200, "{name}");
        for body in [
            "Kent and Medway Integrated Care Partnership (ICP)",
            "Inequalities, Prevention and Population Health Committee (IPPH)",
            "East Kent Health and Care Partnership",
            "Medway Health and Adult Social Care Overview and Scrutiny Committee",
        ] {
            assert!(page.contains(body), "{name}: {body} is listed");
        }
        let medway_committee =
            store.bodies(PLAN).unwrap().into_iter().find(|b| b.name.starts_with("Medway Health and Adult")).unwrap();
        assert_eq!(medway_committee.source.as_deref(), Some("003_e5198cb00708df4b.txt:14"));

        // Only admins record meetings.
        assert_eq!(app.browser().get("/meetings/new").status, 303, "{name}: anonymous people sign in first");
        let mut kcc = signed_in(&app, "kcc");
        assert_eq!(kcc.get("/meetings/new").status, 403, "{name}");
        let meeting = form(&[
            ("body", &medway_committee.id.to_string()),
            ("held_on", "2026-01-15"),
            ("title", "Kent and Medway Integrated Care Strategy"),
            ("papers", "place:medway"),
        ]);
        assert_eq!(kcc.post_form("/meetings", &meeting, true).status, 403, "{name}");

        let mut admin = signed_in(&app, "admin");
        assert_eq!(admin.get("/meetings/new").status, 200, "{name}");
        let bad = form(&[("body", "9999"), ("held_on", "15 Jan"), ("title", "")]);
        let r = admin.post_form("/meetings", &bad, true);
        assert_eq!(r.status, 422, "{name}");
        for field in ["body", "held_on", "title"] {
            assert!(r.body.contains(&format!("href=\"#{field}\"")), "{name}: {field} in the error summary");
        }
        let r = admin.post_form("/meetings", &meeting, true);
        assert_eq!(r.status, 303, "{name}: {}", r.body);
        let meeting_path = r.location.split('?').next().unwrap().to_owned();

        // The decision a) and the action b), as the committee minuted them.
        let decision = form(&[(
            "text",
            "note the Kent and Medway Integrated Care Strategy and recommend its approval to Cabinet.",
        )]);
        let r = admin.post_form(&format!("{meeting_path}/decisions"), &decision, true);
        assert_eq!(r.status, 303, "{name}: {}", r.body);
        // An action needs its owner's due date; a link must be the plan's.
        let r = admin.post_form(
            &format!("{meeting_path}/decisions"),
            &form(&[("text", MEDWAY_ACTION), ("owner", "medway-council"), ("links", "indicator:no-such")]),
            true,
        );
        assert_eq!(r.status, 422, "{name}");
        assert!(r.body.contains("href=\"#due\"") && r.body.contains("href=\"#links\""), "{name}");
        let r = admin.post_form(
            &format!("{meeting_path}/decisions"),
            &form(&[("text", MEDWAY_ACTION), ("owner", "medway-council"), ("due", "2026-07-15"), ("links", "")]),
            true,
        );
        assert_eq!(r.status, 303, "{name}: {}", r.body);
        let action_path = r.location.split('?').next().unwrap().to_owned();
        let action_id: i64 = action_path.trim_start_matches("/actions/").parse().unwrap();
        // A second action, for KCC, due later and linked to outcome 2.
        let r = admin.post_form(
            &format!("{meeting_path}/decisions"),
            &form(&[
                ("text", "Bring the loneliness indicators to the next meeting"),
                ("owner", "kcc"),
                ("due", "2099-01-31"),
                ("links", "outcome:2"),
            ]),
            true,
        );
        assert_eq!(r.status, 303, "{name}");
        assert_eq!(audited(&store, "meeting"), 1, "{name}");
        assert_eq!(audited(&store, "meeting_decision"), 3, "{name}");

        // The meeting page, public: its paper, decision and actions with their status.
        let (status, _, page) = app.get(&meeting_path);
        assert_eq!(status, 200, "{name}");
        assert!(page.contains("href=\"/reports/places/medway\""), "{name}: the place report taken");
        assert!(page.contains("recommend its approval to Cabinet"), "{name}");
        assert!(page.contains(&format!("href=\"{action_path}\"")), "{name}");
        assert!(page.contains(">Overdue<"), "{name}: the Medway action is past due");
        assert!(page.contains("href=\"/outcomes/2\"") || app.get("/actions").2.contains("loneliness"), "{name}");

        // The action is overdue on Medway's My work, with an Update button; not on KCC's.
        let mut medway = signed_in(&app, "medway");
        let work = medway.get("/my-work").body;
        let section = work.split("Committee actions").nth(1).expect("a committee actions section");
        assert!(section.contains(&format!("href=\"{action_path}/update\"")), "{name}: Update button");
        assert!(section.contains(">Overdue<"), "{name}: flagged overdue on My work");
        assert!(!work.contains("loneliness indicators"), "{name}: KCC's action is not Medway's");
        assert!(kcc.get("/my-work").body.contains("loneliness indicators"), "{name}");

        // Overdue filter and CSV.
        let (_, _, overdue) = app.get("/actions?overdue=1");
        assert!(overdue.contains("an update in 6 months"), "{name}: {overdue}");
        assert!(!overdue.contains("loneliness indicators"), "{name}");
        let (status, kind, csv) = app.get("/actions.csv?organisation=medway-council");
        assert_eq!((status, kind.starts_with("text/csv")), (200, true), "{name}");
        assert_eq!(csv.lines().count(), 2, "{name}: header and Medway's action: {csv}");
        assert!(csv.contains(",yes,"), "{name}: overdue in the CSV");

        // Only the owner's editors (and admins) update it.
        assert_eq!(kcc.get(&format!("{action_path}/update")).status, 403, "{name}");
        let update = form(&[
            ("status", "on_track"),
            ("narrative", "The update is on the committee's March agenda."),
            ("expected", "March 2027"),
            ("expected_reason", "The committee's next meeting"),
        ]);
        assert_eq!(kcc.post_form(&format!("{action_path}/update"), &update, true).status, 403, "{name}");
        assert_eq!(medway.get(&format!("{action_path}/update")).status, 200, "{name}");
        let r = medway.post_form(&format!("{action_path}/update"), &form(&[("status", "on_track")]), true);
        assert_eq!(r.status, 422, "{name}: no narrative");
        assert!(r.body.contains("href=\"#narrative\""), "{name}");
        let r = medway.post_form(&format!("{action_path}/update"), &update, true);
        assert_eq!(r.status, 303, "{name}: {}", r.body);
        assert_eq!(r.location, format!("{action_path}?saved=1"), "{name}");
        assert_eq!(audited(&store, "action_update"), 1, "{name}");

        // Its page: the new date, no longer overdue, the history from Medway Council.
        let (_, _, page) = app.get(&action_path);
        assert!(page.contains("March 2027") && page.contains("the meeting said 2026-07-15"), "{name}");
        assert!(page.contains("from Medway Council"), "{name}: the history says the organisation");
        assert!(!page.contains(">Overdue<"), "{name}");
        let (_, _, overdue) = app.get("/actions?overdue=1");
        assert!(!overdue.contains("an update in 6 months"), "{name}");
        let c = assure_app::App::new(store.clone()).committees(&assure_plan::bundled().unwrap()).unwrap();
        assert_eq!(c.action(action_id).unwrap().history.len(), 1, "{name}");

        // Admins rename and add bodies.
        let r = admin.post_form(
            &format!("/committees/bodies/{}", medway_committee.id),
            &form(&[("name", "Medway HASC Overview and Scrutiny Committee")]),
            true,
        );
        assert_eq!(r.status, 303, "{name}");
        let r = admin.post_form(
            "/committees/bodies",
            &form(&[("name", "Medway Health and Wellbeing Board"), ("organisation", "medway-hwb")]),
            true,
        );
        assert_eq!(r.status, 303, "{name}");
        let (_, _, page) = app.get("/committees");
        assert!(page.contains("Medway HASC Overview and Scrutiny Committee"), "{name}: renamed");
        assert!(page.contains("Medway Health and Wellbeing Board"), "{name}: added");
        assert_eq!(audited(&store, "governance_body"), 2, "{name}");
        assert_eq!(kcc.post_form("/committees/bodies", &form(&[("name", "X")]), true).status, 403, "{name}");
    }
}

#[test]
fn the_next_meeting_lists_the_deep_dives_proposed_from_two_closed_rounds() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        let plan = assure_plan::bundled().unwrap();
        let indicator = plan.indicators.iter().find(|i| i.parts.is_empty()).unwrap().id.get_ref().clone();
        let snapshot = format!(r#"{{"at":"x","indicators":{{"{indicator}":"off_track"}},"items":{{}}}}"#);
        for round in ["ICP March 2026", "ICP September 2026"] {
            let new = NewRound { plan_id: PLAN, name: round, deadline: "2026-03-01", scope: "all", items: &[] };
            let r = store.open_round(&new, "test").unwrap();
            store.close_round(PLAN, r.id, &snapshot, "test").unwrap();
        }
        let icp = store.bodies(PLAN).unwrap()[0].id;
        let next = store
            .add_meeting(
                &assure_store::NewMeeting {
                    plan_id: PLAN,
                    body_id: icp,
                    held_on: "2099-03-12",
                    title: "ICP, March 2099",
                    papers: &[],
                },
                "test",
            )
            .unwrap();
        let (_, _, page) = app.get(&format!("/meetings/{}", next.id));
        let proposed = page.split("Proposed deep dives").nth(1).expect("the next meeting lists proposals");
        assert!(proposed.contains(&format!("href=\"/indicators/{indicator}\"")), "{name}: {indicator} proposed");
        assert!(app.get("/committees").2.contains(&format!("href=\"/indicators/{indicator}\"")), "{name}");
        // A deep dive taken to a meeting this year answers it.
        let paper = assure_store::Paper { kind: assure_store::PaperKind::Indicator, subject: indicator.clone() };
        store.add_paper(PLAN, next.id, &paper, "test").unwrap();
        let (_, _, page) = app.get(&format!("/meetings/{}", next.id));
        let proposed = page.split("Proposed deep dives").nth(1).unwrap().split("<h2").next().unwrap();
        assert!(!proposed.contains(&format!("href=\"/indicators/{indicator}\"")), "{name}: taken, no longer proposed");
    }
}

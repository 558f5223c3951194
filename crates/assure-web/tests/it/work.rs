//! My work and the delivery list's filters over real HTTP: an editor lands on My work
//! after signing in and sees exactly what their organisations lead (checked against the
//! plan's own lead queries), what needs attention first, with a count in the header; the
//! delivery list narrows by organisation, place, outcome, status, overdue and stale.

use assure_plan::Plan;
use assure_plan::delivery::ItemKind;
use assure_store::Role;

use crate::{Browser, PASSWORD, TestApp, account, apps};

fn signed_in(app: &TestApp, username: &str) -> (Browser, String) {
    let mut b = app.browser();
    let r = b.sign_in(username, PASSWORD);
    assert_eq!(r.status, 303, "{username} signs in: {}", r.body);
    (b, r.location)
}

/// What the plan says `orgs` lead (with their directorates): `milestone:id` and `plan:id`.
fn led_by(plan: &Plan, orgs: &[&str]) -> Vec<String> {
    let orgs: Vec<String> = orgs.iter().map(|o| (*o).to_owned()).collect();
    let milestones = plan
        .delivery_examples
        .iter()
        .flat_map(|e| &e.milestones)
        .filter(|m| plan.led_by_any(&plan.milestone_leads(m.id.get_ref()), &orgs))
        .map(|m| format!("milestone:{}", m.id.get_ref()));
    let plans = plan
        .delivering_plans
        .iter()
        .filter(|p| plan.led_by_any(&plan.delivering_plan_leads(p.id.get_ref()), &orgs))
        .map(|p| format!("plan:{}", p.id.get_ref()));
    let mut all: Vec<String> = milestones.chain(plans).collect();
    all.sort();
    all
}

/// The items of a page's work table, in order, as `milestone:id` / `plan:id`: the first
/// link of each row.
pub fn items(page: &str) -> Vec<String> {
    let Some(table) = page.split("<tbody class=\"nhsuk-table__body\">").last() else { return Vec::new() };
    let table = table.split("</tbody>").next().unwrap_or_default();
    table
        .split("<tr class=\"nhsuk-table__row\">")
        .skip(1)
        .filter_map(|row| {
            let href = row.split("href=\"").nth(1)?.split('"').next()?;
            let (kind, id) = href.trim_start_matches('/').split_once('/')?;
            Some(format!("{}:{id}", if kind == "plans" { "plan" } else { "milestone" }))
        })
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn an_editor_lands_on_my_work_and_sees_exactly_what_their_organisations_lead() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        let plan = assure_plan::bundled().unwrap();
        account(&store, "medway", Role::Editor, &["medway-council"]);
        account(&store, "kcc", Role::Editor, &["kcc"]);
        account(&store, "viewer", Role::Viewer, &[]);
        for (user, orgs) in [("medway", vec!["medway-council"]), ("kcc", vec!["kcc"])] {
            let (mut b, landed) = signed_in(&app, user);
            assert_eq!(landed, "/my-work", "{name}: {user} lands on My work");
            let page = b.get("/my-work");
            assert_eq!(page.status, 200, "{name}");
            let want = led_by(&plan, &orgs);
            assert!(!want.is_empty(), "{name}: {user} leads something");
            let shown = items(&page.body);
            assert_eq!(sorted(shown.clone()), want, "{name}: {user} sees exactly what they lead");
            // Every row has its Update button, and nothing else is offered to update.
            let buttons = page.body.matches("/update\"").count();
            assert_eq!(buttons, want.len(), "{name}: one Update button per item");
            // What needs attention first: the first row is overdue or needs attention, and
            // the header's count is the number that need it.
            let delivery = assure_app::App::new(store.clone()).delivery(plan.meta.id.get_ref()).unwrap();
            let mine = assure_app::my_work(
                &store.account(user).unwrap().unwrap(),
                &plan,
                &delivery,
                assure_tracking::delivery::today(),
            );
            let attention = mine.iter().filter(|i| i.needs_attention()).count();
            assert!(
                page.body.contains(&format!(
                    "My work ({attention})</span><span class=\"nhsuk-u-visually-hidden\"> need attention"
                )),
                "{name}: {user}'s header counts {attention}"
            );
            assert_eq!(shown, mine.iter().map(|i| i.key()).collect::<Vec<_>>(), "{name}: in order of attention");
            let ranks: Vec<u8> = mine.iter().map(|i| i.attention()).collect();
            assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{name}: sorted by attention: {ranks:?}");
            // The same list as CSV.
            let csv = b.get("/my-work.csv");
            assert_eq!(csv.status, 200);
            assert_eq!(csv.body.lines().count(), want.len() + 1, "{name}: {user}'s CSV has a row per item");
        }
        // A KCC directorate's milestone is on KCC's list: Technology Enhanced Lives.
        let (mut kcc, _) = signed_in(&app, "kcc");
        assert!(items(&kcc.get("/my-work").body).contains(&"milestone:technology-enhanced-lives-m1".to_owned()));
        // A viewer lands where they were going, and anonymous people are sent to sign in.
        let (_, landed) = signed_in(&app, "viewer");
        assert_eq!(landed, "/", "{name}");
        assert_eq!(app.browser().get("/my-work").status, 303, "{name}");
        // An update moves an item out of "needs attention" and the count follows.
        let (mut medway, _) = signed_in(&app, "medway");
        let before = medway.get("/my-work").body;
        let first = items(&before)[0].clone();
        let (kind, id) = first.split_once(':').unwrap();
        let path = if kind == "plan" { format!("/plans/{id}/update") } else { format!("/milestones/{id}/update") };
        let r = medway.post_form(
            &path,
            &[("status", "complete".into()), ("narrative", "Done and evaluated.".into())],
            true,
        );
        assert_eq!(r.status, 303, "{name}: {}", r.body);
        let after = medway.get("/my-work").body;
        assert_eq!(items(&after).last(), Some(&first), "{name}: a complete item goes to the end");
    }
}

#[test]
fn the_delivery_list_filters_by_organisation_place_outcome_status_overdue_and_stale() {
    for app in apps() {
        let name = app.db.name;
        let plan = assure_plan::bundled().unwrap();
        let store = app.db.open();
        let delivery = assure_app::App::new(store.clone()).delivery(plan.meta.id.get_ref()).unwrap();
        let all = assure_app::work_items(&plan, &delivery, assure_tracking::delivery::today());
        // By default, milestones only; `what=all` adds the strategies and plans.
        let (s, _, page) = app.get("/delivery");
        assert_eq!(s, 200);
        let milestones = all.iter().filter(|i| i.kind == ItemKind::Milestone).count();
        assert_eq!(items(&page).len(), milestones, "{name}");
        let (_, _, page) = app.get("/delivery?what=all&organisation=medway-council");
        assert_eq!(sorted(items(&page)), led_by(&plan, &["medway-council"]), "{name}: by organisation");
        // A place: what the organisations of Medway lead.
        let orgs = assure_app::place_organisations(&plan, "medway");
        assert!(orgs.contains(&"medway-council".to_owned()), "{name}: {orgs:?}");
        let (_, _, page) = app.get("/delivery?what=all&place=medway");
        let refs: Vec<&str> = orgs.iter().map(String::as_str).collect();
        assert_eq!(sorted(items(&page)), led_by(&plan, &refs), "{name}: by place");
        // An outcome: the milestones of its delivery examples.
        let (_, _, page) = app.get("/delivery?outcome=1");
        let want: Vec<String> = sorted(
            plan.delivery_examples
                .iter()
                .filter(|e| *e.outcome.get_ref() == 1)
                .flat_map(|e| &e.milestones)
                .map(|m| format!("milestone:{}", m.id.get_ref()))
                .collect(),
        );
        assert_eq!(sorted(items(&page)), want, "{name}: by outcome");
        // Overdue: milestones whose date has passed with no update.
        let overdue: Vec<String> =
            all.iter().filter(|i| i.kind == ItemKind::Milestone && i.progress.overdue).map(|i| i.key()).collect();
        assert!(!overdue.is_empty(), "{name}: the bundled plan has overdue milestones by now");
        let (_, _, page) = app.get("/delivery?overdue=1");
        assert_eq!(sorted(items(&page)), sorted(overdue), "{name}: overdue");
        // Status: none yet has an update; after one, the status filter finds it.
        let (_, _, page) = app.get("/delivery?status=on_track");
        assert!(items(&page).is_empty(), "{name}");
        assert!(page.contains("Nothing matches these filters"), "{name}");
        let draft = assure_store::UpdateDraft {
            status: assure_plan::delivery::DeliveryStatus::OnTrack,
            narrative: "Going well".into(),
            evidence: vec![],
            expected: None,
            expected_reason: None,
            internal_note: None,
        };
        store
            .add_update(
                plan.meta.id.get_ref(),
                ItemKind::Milestone,
                "technology-enhanced-lives-m1",
                &draft,
                assure_store::Publication::Published,
                "t",
            )
            .unwrap();
        let (_, _, page) = app.get("/delivery?status=on_track");
        assert_eq!(items(&page), vec!["milestone:technology-enhanced-lives-m1".to_owned()], "{name}: by status");
        // Stale: nothing has a published update older than the allowed days.
        let (_, _, page) = app.get("/delivery?stale=1&what=all");
        assert!(items(&page).is_empty(), "{name}: nothing is stale yet");
        // Filters are plain links and a GET form, and unknown values are refused by name.
        assert!(page.contains("<form class=\"assure-filters\" method=\"get\" action=\"/delivery\""));
        for (q, field) in [
            ("outcome=9", "outcome"),
            ("place=atlantis", "place"),
            ("status=great", "status"),
            ("organisation=acme", "organisation"),
        ] {
            let (s, _, body) = app.get(&format!("/delivery?{q}"));
            assert_eq!(s, 400, "{name}: {q}");
            assert!(body.contains(field), "{name}: {q} names {field}");
        }
        let (s, kind, csv) = app.get("/delivery.csv?organisation=medway-council&what=all");
        assert_eq!((s, kind.as_str()), (200, "text/csv; charset=utf-8"));
        assert_eq!(csv.lines().count(), led_by(&plan, &["medway-council"]).len() + 1, "{name}");
    }
}

#[test]
fn the_update_form_says_every_problem_inline_and_confirms_what_was_saved() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        account(&store, "kcc", Role::Editor, &["kcc"]);
        let (mut b, _) = signed_in(&app, "kcc");
        let milestone = "technology-enhanced-lives-m1";
        let plan = assure_plan::bundled().unwrap();
        let planned = plan.milestone(milestone).unwrap().1.due.get_ref().clone();
        let path = format!("/milestones/{milestone}/update");
        let form = b.get(&path);
        assert_eq!(form.status, 200, "{name}");
        for needle in [
            "Why the date has changed (required if you give a new date)",
            "<strong>Closed</strong> means it has stopped without being completed",
            "aria-describedby=\"status-hint\"",
            &format!("Expected: <strong>{planned}</strong>"),
        ] {
            assert!(form.body.contains(needle), "{name}: the form lacks {needle:?}");
        }
        // Errors: the summary takes focus; each field's every problem is inline.
        let r = b.post_form(
            &path,
            &[
                ("status", "on_track".into()),
                ("narrative", "Going".into()),
                ("evidence", "not a link\nftp://also.bad".into()),
                ("expected", "March 2030".into()),
            ],
            true,
        );
        assert_eq!(r.status, 422, "{name}");
        assert!(r.body.contains("<title>Error: "), "{name}");
        assert!(r.body.contains("data-module=\"nhsuk-error-summary\""), "{name}");
        assert!(r.body.contains("tabindex=\"-1\" autofocus"), "{name}: focus moves to the summary");
        let inline = r.body.split("id=\"evidence-error\"").nth(1).unwrap().split("</span></span>").next().unwrap();
        assert!(inline.contains("not a link") && r.body.contains("ftp://also.bad"), "{name}: {inline}");
        let evidence_inline = r.body.split("id=\"evidence-error\"").nth(1).unwrap().split("<textarea").next().unwrap();
        assert!(
            evidence_inline.contains("'not a link'") && evidence_inline.contains("'ftp://also.bad'"),
            "{name}: both evidence problems inline: {evidence_inline}"
        );
        assert!(r.body.contains("id=\"expected_reason-error\""), "{name}: the reason is required with a new date");
        assert!(store.updates(plan.meta.id.get_ref(), None).unwrap().is_empty(), "{name}: nothing saved");
        // Success: a banner on the item's page, the head shows the new date, and the public
        // history names the organisation, the person only to people signed in.
        let r = b.post_form(
            &path,
            &[
                ("status", "at_risk".into()),
                ("narrative", "Procurement slipped".into()),
                ("expected", "March 2030".into()),
                ("expected_reason", "The supplier withdrew".into()),
            ],
            true,
        );
        assert_eq!((r.status, r.location.as_str()), (303, &*format!("/milestones/{milestone}?updated=published")));
        let shown = b.get(&r.location).body;
        assert!(shown.contains("Your update has been saved and published."), "{name}");
        assert!(shown.contains(&format!("March 2030 (the plan said {planned})")), "{name}: the head has the new date");
        assert!(shown.contains("from Kent County Council (kcc)"), "{name}: signed in: organisation and person");
        let (_, _, public) = app.get(&format!("/milestones/{milestone}"));
        assert!(public.contains("from Kent County Council"), "{name}: the public sees the organisation");
        assert!(!public.contains("(kcc)") && !public.contains("Your update"), "{name}: and not the person");
        assert!(b.get(&path).body.contains("Expected: <strong>March 2030</strong> (the plan said"), "{name}");
    }
}

#[test]
fn a_medway_round_asks_the_medway_leads_counts_returns_and_closes_into_the_place_report() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        let plan = assure_plan::bundled().unwrap();
        account(&store, "admin", Role::Admin, &[]);
        account(&store, "medway", Role::Editor, &["medway-council"]);
        account(&store, "kcc", Role::Editor, &["kcc"]);
        let (mut admin, _) = signed_in(&app, "admin");
        // The form refuses what it cannot take, naming each field.
        let r = admin.post_form(
            "/rounds",
            &[("name", "".into()), ("deadline", "soon".into()), ("scope", "place:atlantis".into())],
            true,
        );
        assert_eq!(r.status, 422, "{name}");
        for field in ["#name", "#deadline", "#scope"] {
            assert!(r.body.contains(&format!("href=\"{field}\"")), "{name}: {field} in the summary");
        }
        // Editors cannot open rounds.
        let (mut kcc, _) = signed_in(&app, "kcc");
        let r = kcc.post_form(
            "/rounds",
            &[("name", "x".into()), ("deadline", "2099-01-01".into()), ("scope", "all".into())],
            true,
        );
        assert_eq!(r.status, 403, "{name}");
        // Open "Medway 6-month update" for Medway's scope.
        let deadline = "2099-01-31";
        let r = admin.post_form(
            "/rounds",
            &[
                ("name", "Medway 6-month update".into()),
                ("deadline", deadline.into()),
                ("scope", "place:medway".into()),
            ],
            true,
        );
        assert_eq!(r.status, 303, "{name}: {}", r.body);
        let round_path = r.location.split('?').next().unwrap().to_owned();
        let id: i64 = round_path.trim_start_matches("/rounds/").parse().unwrap();
        // It asks exactly about the items the organisations of Medway lead.
        let orgs = assure_app::place_organisations(&plan, "medway");
        let refs: Vec<&str> = orgs.iter().map(String::as_str).collect();
        let want = led_by(&plan, &refs);
        let round = store.round(plan.meta.id.get_ref(), id).unwrap();
        let asked: Vec<String> =
            sorted(round.items.iter().map(|i| format!("{}:{}", i.kind.as_str(), i.item)).collect());
        assert_eq!(asked, want, "{name}: the round asks about the Medway-led items");
        // The Medway editor sees the round on My work, on each of their items it asks about.
        let (mut medway, _) = signed_in(&app, "medway");
        let mine = medway.get("/my-work").body;
        assert!(mine.contains("The reporting round <a href=\"/rounds/"), "{name}");
        let medway_items = led_by(&plan, &["medway-council"]);
        assert_eq!(
            mine.matches("Asked for in Medway 6-month update (by 2099-01-31)").count(),
            medway_items.len(),
            "{name}: each of Medway Council's items is marked with the round"
        );
        // KCC leads none of Medway's items: nothing asked of them on My work, unless shared.
        // Two items answered.
        for key in medway_items.iter().take(2) {
            let (kind, id) = key.split_once(':').unwrap();
            let path = if kind == "plan" { format!("/plans/{id}/update") } else { format!("/milestones/{id}/update") };
            let r = medway.post_form(
                &path,
                &[("status", "on_track".into()), ("narrative", "Reported for the committee".into())],
                true,
            );
            assert_eq!(r.status, 303, "{name}: {}", r.body);
        }
        let page = admin.get(&round_path).body;
        let rate = 2 * 100 / want.len();
        assert!(
            page.contains(&format!("<strong>{rate}%</strong>: 2 of {} items updated; 0 late", want.len())),
            "{name}"
        );
        assert!(page.contains("Medway Council"), "{name}");
        assert_eq!(page.matches(">Responded</strong>").count(), 2, "{name}");
        let mine = medway.get("/my-work").body;
        assert_eq!(
            mine.matches("Asked for in Medway 6-month update").count(),
            medway_items.len() - 2,
            "{name}: answered items are no longer marked"
        );
        // After the deadline the rest are late.
        let app_ = assure_app::App::new(store.clone());
        let delivery = app_.delivery(plan.meta.id.get_ref()).unwrap();
        let after = app_.round_on(&plan, &delivery, id, "2099-02-01".parse().unwrap()).unwrap();
        assert_eq!(after.responded(), 2, "{name}");
        assert_eq!(after.returns.iter().filter(|r| r.late).count(), want.len() - 2, "{name}: the others are late");
        // Closing keeps the snapshot; the Medway place report reads it.
        let r = admin.post_form(&format!("{round_path}/close"), &[], true);
        assert_eq!((r.status, r.location.as_str()), (303, &*format!("{round_path}?closed=1")), "{name}");
        let closed = store.round(plan.meta.id.get_ref(), id).unwrap();
        let snapshot: serde_json::Value = serde_json::from_str(closed.snapshot.as_deref().unwrap()).unwrap();
        assert_eq!(snapshot["items"][&medway_items[0]], "on_track", "{name}: the snapshot keeps the reported status");
        assert!(admin.post_form(&format!("{round_path}/close"), &[], true).status == 422, "{name}: closes once");
        let (s, _, report) = app.get("/reports/places/medway");
        assert_eq!(s, 200, "{name}");
        assert!(report.contains("Reporting round: Medway 6-month update"), "{name}: the place report reads the round");
        assert!(report.contains(&format!("responded ({rate}%)")), "{name}");
        // Every write is audited.
        let audited = store
            .audit(&assure_store::AuditFilter { entity: Some("reporting_round".into()), ..Default::default() })
            .unwrap();
        assert_eq!(audited.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["close", "open"], "{name}");
        // The list of rounds.
        let list = admin.get("/rounds").body;
        assert!(list.contains("Medway 6-month update") && list.contains("Closed"), "{name}");
    }
}

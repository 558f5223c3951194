//! `/admin/data-sources`: an admin adds a Fingertips source (refused with the field when it
//! cannot be fetched), sees its address and its runs with their rows and outcome, fetches
//! it now (from a local server that answers as Fingertips does), and removes it.

use assure_store::Role;
use assure_store::testing::TestDb;

use crate::{TestApp, account, signed_in};

#[path = "../../../assure-app/tests/common/fake_fingertips.rs"]
#[allow(dead_code)] // shared with the use-case tests, which use all of it
mod fake_fingertips;
use fake_fingertips::{Fake, Reply, answer};

fn form(indicator: &str, area_type: &str, every: &str) -> Vec<(&'static str, String)> {
    vec![
        ("indicator", indicator.into()),
        ("area_type", area_type.into()),
        ("parent_area_type", String::new()),
        ("parent_area_code", "e12000008".into()),
        ("every", every.into()),
    ]
}

#[test]
fn an_admin_adds_sees_and_removes_a_fingertips_source() {
    let app = TestApp::start(TestDb::sqlite());
    let store = app.db.open();
    account(&store, "admin", Role::Admin, &[]);
    let mut admin = signed_in(&app, "admin");
    assert!(admin.get("/admin").body.contains("href=\"/admin/data-sources\""));
    let page = admin.get("/admin/data-sources");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("No source yet."), "{}", page.body);

    // Every bad field at once, each linked from the error summary.
    let r = admin.post_form("/admin/data-sources", &form("abc", "0", ""), true);
    assert_eq!(r.status, 422, "{}", r.body);
    for field in ["indicator", "area_type", "every"] {
        assert!(r.body.contains(&format!("href=\"#{field}\"")), "{field}: {}", r.body);
    }
    assert!(r.body.contains("value=\"abc\""), "what was typed is kept");
    // An indicator the plan does not map is refused by the application's rule.
    let r = admin.post_form("/admin/data-sources", &form("90366", "502", "daily"), true);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Fingertips indicator 90366 is not mapped"), "{}", r.body);
    assert!(store.fingertips_sources().unwrap().is_empty());

    let r = admin.post_form("/admin/data-sources", &form("93085", "502", "weekly"), true);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Source 1 added: fetched weekly"), "{}", r.body);
    let sources = store.fingertips_sources().unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].source.parent_area_type_id, 15, "England unless told");
    assert_eq!(sources[0].source.parent_area_code.as_deref(), Some("E12000008"));
    assert_eq!(sources[0].created_by, "admin");
    assert!(r.body.contains(
        "https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids=93085&amp;child_area_type_id=502&amp;parent_area_type_id=15&amp;parent_area_code=E12000008"
    ), "{}", r.body);
    assert!(r.body.contains("Not run yet."));

    // Its runs, as the job records them.
    assert!(store.claim_fingertips_run(1, "2026-W49", "http://x", "jobs@test").unwrap());
    let end = assure_store::RunEnd {
        rows: Some(32),
        import_id: Some(4),
        outcome: "32 row(s): 6 new, 0 replaced, 0 unchanged, 26 skipped",
        failed: false,
    };
    store.finish_fingertips_run(1, "2026-W49", &end).unwrap();
    assert!(store.claim_fingertips_run(1, "2026-W50", "http://x", "jobs@test").unwrap());
    let failed = assure_store::RunEnd {
        rows: None,
        import_id: None,
        outcome: "no answer from http://x within 120 s",
        failed: true,
    };
    store.finish_fingertips_run(1, "2026-W50", &failed).unwrap();
    let page = admin.get("/admin/data-sources").body;
    assert!(page.contains("32 row(s): 6 new"), "{page}");
    assert!(page.contains(">32<"), "{page}");
    assert!(page.contains("Failed</strong> no answer from http://x within 120 s"), "{page}");

    let r = admin.post_form("/admin/data-sources/1/remove", &[], true);
    assert_eq!((r.status, r.location.as_str()), (303, "/admin/data-sources"));
    assert!(store.fingertips_sources().unwrap().is_empty());
    assert_eq!(admin.post_form("/admin/data-sources/1/remove", &[], true).status, 404);
}

#[test]
fn an_admin_fetches_a_source_now_and_sees_what_came_of_it() {
    let fake = Fake::start(Reply::Csv(answer()));
    for db in assure_store::testing::databases() {
        let name = db.name;
        let app = TestApp::start_with_fingertips(db, &fake.base);
        let store = app.db.open();
        account(&store, "admin", Role::Admin, &[]);
        account(&store, "editor", Role::Editor, &["kcc"]);
        let mut admin = signed_in(&app, "admin");
        let r = admin.post_form("/admin/data-sources", &form("93085", "502", "weekly"), true);
        assert_eq!(r.status, 200, "{name}: {}", r.body);
        let id = store.fingertips_sources().unwrap()[0].id;
        assert!(r.body.contains(&format!("action=\"/admin/data-sources/{id}/fetch\"")), "{name}: {}", r.body);

        let r = admin.post_form(&format!("/admin/data-sources/{id}/fetch"), &[], true);
        assert_eq!(r.status, 200, "{name}: {}", r.body);
        assert!(r.body.contains(&format!("Source {id} fetched: 6 row(s), 6 new, 0 replaced")), "{name}: {}", r.body);
        assert!(r.body.contains(">Asked for<"), "{name}: the run is listed as asked for");
        assert_eq!(store.observations("kent-and-medway-2024-26", None).unwrap().len(), 6, "{name}");
        // What is served shows the new data at once.
        let csv = admin.get("/indicators/smoking-at-time-of-delivery/data.csv").body;
        assert_eq!(csv.lines().filter(|l| l.contains("2022/23")).count(), 3, "{name}: {csv}");
        // Fingertips publishes this indicator for Female only, its headline sex: the rows
        // are the headline values, so Kent and Medway are compared on the indicator's page.
        assert!(!csv.contains("sex=Female"), "{name}: {csv}");
        let page = admin.get("/indicators/smoking-at-time-of-delivery").body;
        assert!(page.contains("By area, 2022/23"), "{name}: the fetched areas are on the indicator page");
        // The system's own area has no value: the page says where the values are.
        assert!(
            page.contains("There are values for Kent and Medway in 2022/23: they are compared <a href=\"#smoking-at-time-of-delivery-by-area\">by area</a> below."),
            "{name}: {page}"
        );

        // The site fails: said on the page, recorded, nothing lost.
        fake.set(Reply::Status(503, "Service Unavailable".into()));
        let r = admin.post_form(&format!("/admin/data-sources/{id}/fetch"), &[], true);
        assert_eq!(r.status, 502, "{name}: {}", r.body);
        assert!(r.body.contains("The fetch failed; nothing was written"), "{name}: {}", r.body);
        assert!(r.body.contains("answered HTTP 503: Service Unavailable"), "{name}: {}", r.body);
        assert_eq!(store.observations("kent-and-medway-2024-26", None).unwrap().len(), 6, "{name}");
        fake.set(Reply::Csv(answer()));

        // Not for an editor, nor for a source that is not there.
        let mut editor = signed_in(&app, "editor");
        assert_eq!(editor.post_form(&format!("/admin/data-sources/{id}/fetch"), &[], true).status, 403, "{name}");
        assert_eq!(admin.post_form("/admin/data-sources/999/fetch", &[], true).status, 404, "{name}");
    }
}

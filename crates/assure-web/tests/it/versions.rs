//! Versions of the plan over real HTTP: a draft started on the web, previewed by a
//! viewer and hidden from everyone else, changed, diffed, refused while it has a problem,
//! then published, carrying observations and delivery updates across.

use std::io::Read;

use assure_plan::{Plan, Sp, TargetKind};
use assure_store::{DraftChange, ItemKind, Permission, Role};

use crate::{TestApp, account, apps, signed_in};

const OLD: &str = "kent-and-medway-2024-26";
const NEW: &str = "kent-and-medway-2026-28";
const INDICATOR: &str = "smoking-at-time-of-delivery";
const MILESTONE: &str = "technology-enhanced-lives-m1";

fn save(store: &assure_store::Store, plan: &Plan, entity: &str, id: &str) {
    let change = DraftChange { action: "edit", entity, entity_id: id, before: None, after: None };
    store.save_draft(NEW, plan, "planner", &change).unwrap();
}

/// A page's words: tags as spaces, white space collapsed.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ").replace(" ,", ",")
}

/// The rows of a CSV body, without the header.
fn csv_rows(body: &str) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_reader(body.as_bytes());
    r.records().map(|x| x.unwrap().iter().map(str::to_owned).collect()).collect()
}

fn unzip(bytes: &[u8]) -> Vec<assure_plan::PlanFile> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut text = String::new();
            f.read_to_string(&mut text).unwrap();
            assure_plan::PlanFile { name: f.name().unwrap().to_string(), text }
        })
        .collect()
}

fn start(app: &TestApp) -> assure_store::Store {
    let store = app.db.open();
    account(&store, "admin", Role::Admin, &[]);
    account(&store, "viewer", Role::Viewer, &[]);
    account(&store, "kcc", Role::Editor, &["kcc"]);
    account(&store, "planner", Role::Viewer, &[]);
    store.set_permission("planner", Permission::PlanEditor, true, "test").unwrap();
    store
}

#[test]
fn a_draft_is_started_previewed_diffed_refused_with_a_problem_and_published() {
    for app in apps() {
        let name = app.db.name;
        let store = start(&app);
        app.load_illustrative_data();
        let update = assure_store::UpdateDraft {
            status: assure_plan::delivery::DeliveryStatus::OnTrack,
            narrative: "Going well".into(),
            evidence: vec![],
            expected: None,
            expected_reason: None,
            internal_note: None,
        };
        store
            .add_update(OLD, ItemKind::Milestone, MILESTONE, &update, assure_store::Publication::Published, "kcc")
            .unwrap();

        // Starting: only admins and plan editors; a bad id is an error on its field.
        let mut viewer = signed_in(&app, "viewer");
        let mut planner = signed_in(&app, "planner");
        let fields = |id: &str| vec![("from", OLD.to_owned()), ("id", id.to_owned()), ("title", String::new())];
        assert_eq!(viewer.post_form("/plan-versions", &fields(NEW), true).status, 403, "{name}");
        let r = planner.post_form("/plan-versions", &fields("Not An Id"), true);
        assert_eq!(r.status, 422, "{name}");
        assert!(r.body.contains("id=\"id-error\"") && r.body.contains("lower-case letters"), "{name}: {}", r.body);
        let r = planner.post_form("/plan-versions", &fields(OLD), true);
        assert_eq!(r.status, 422, "{name}");
        assert!(r.body.contains("There is already a version with the id"), "{name}");
        let r = planner.post_form("/plan-versions", &fields(NEW), true);
        assert_eq!(r.status, 303, "{name}: {}", r.body);
        assert_eq!(r.location, format!("/plan-versions/{NEW}?started=1"));

        // Drafts are for people signed in: a viewer previews it, the public gets 404.
        let r = viewer.get(&format!("/plan-versions/{NEW}"));
        assert_eq!(r.status, 200, "{name}");
        assert!(r.body.contains("Draft") && r.body.contains("no problems"), "{name}");
        assert!(!r.body.contains("Edit this draft"), "{name}: a viewer previews, does not edit");
        assert!(planner.get(&format!("/plan-versions/{NEW}")).body.contains(&format!("/plan-versions/{NEW}/edit")));
        let (status, _, _) = app.get(&format!("/plan-versions/{NEW}"));
        assert_eq!(status, 404, "{name}: anonymous");
        let (status, _, _) = app.get(&format!("/plan-versions/{NEW}/files.zip"));
        assert_eq!(status, 404, "{name}: anonymous zip");
        let (status, _, _) = app.get(&format!("/plan-versions/diff?from={OLD}&to={NEW}"));
        assert_eq!(status, 404, "{name}: anonymous diff with a draft");
        let (status, _, list) = app.get("/plan-versions");
        assert_eq!(status, 200, "{name}");
        assert!(list.contains(OLD) && !list.contains(NEW), "{name}: the public sees no draft");
        assert!(viewer.get("/plan-versions").body.contains(NEW), "{name}");

        // Change a target and add a commitment (B's forms do this; here the store does).
        let mut plan = store.draft(NEW).unwrap().unwrap().plan;
        let indicator = plan.indicators.iter_mut().find(|i| i.id.get_ref() == INDICATOR).unwrap();
        let target = indicator.target.as_mut().unwrap();
        assert_eq!(target.value.as_ref().map(|v| *v.get_ref()), Some(6.0));
        target.value = Some(Sp::new(0..0, 5.0));
        save(&store, &plan, "indicator", INDICATOR);
        let mut added = plan.commitments[0].clone();
        added.id = Sp::new(0..0, "virtual-wards-for-children".to_owned());
        added.title = "Virtual wards for children".into();
        plan.commitments.push(added);
        save(&store, &plan, "commitment", "virtual-wards-for-children");

        // The diff lists exactly those changes (the commitment with the two delivery
        // links it was given), grouped by outcome, with counts.
        let diff_path = format!("/plan-versions/diff?from={OLD}&to={NEW}");
        let r = viewer.get(&diff_path);
        assert_eq!(r.status, 200, "{name}");
        let words = text(&r.body);
        assert!(words.contains("3 added 0 removed 1 changed"), "{name}: {words}");
        assert!(words.contains("Outcome 1:"), "{name}: grouped by outcome");
        assert!(words.contains("target.value") && words.contains("virtual-wards-for-children"), "{name}");
        let r = viewer.get(&format!("/plan-versions/diff.csv?from={OLD}&to={NEW}"));
        assert_eq!(r.status, 200, "{name}");
        let rows = csv_rows(&r.body);
        let summary: Vec<(&str, &str, &str, &str, &str, &str)> = rows
            .iter()
            .map(|r| (r[1].as_str(), r[2].as_str(), r[3].as_str(), r[5].as_str(), r[6].as_str(), r[7].as_str()))
            .collect();
        let link = |p: &str| format!("virtual-wards-for-children \u{2192} {p}");
        let (l1, l2) = (
            link("children-young-people-programme-board-will-developing"),
            link("children-young-peoples-plan-2023-25"),
        );
        assert_eq!(
            summary,
            [
                ("Added", "commitment", "virtual-wards-for-children", "", "", ""),
                ("Added", "delivery link", l1.as_str(), "", "", ""),
                ("Added", "delivery link", l2.as_str(), "", "", ""),
                ("Changed", "indicator", INDICATOR, "target.value", "6.0", "5.0"),
            ],
            "{name}"
        );
        assert!(rows.iter().all(|r| r[0].starts_with("Outcome 1: ")), "{name}: {rows:?}");
        let (status, _, xlsx) = viewer.get_bytes(&format!("/plan-versions/diff.xlsx?from={OLD}&to={NEW}"));
        assert_eq!(status, 200, "{name}");
        assert!(xlsx.starts_with(b"PK"), "{name}: a workbook");
        let (status, kind, pdf) = viewer.get_bytes(&format!("/plan-versions/diff.pdf?from={OLD}&to={NEW}"));
        assert_eq!((status, kind.as_str()), (200, "application/pdf"), "{name}");
        assert!(pdf.starts_with(b"%PDF"), "{name}");
        if let Some(words) = assure_web::testing::pdf_text(&pdf).map(|t| assure_web::testing::squeeze(&t)) {
            assert!(words.contains("target.value") && words.contains("virtual-wards-for-children"), "{name}: {words}");
        }

        // The edited draft as files: they check clean and read back to the same bytes.
        let (status, _, zip) = viewer.get_bytes(&format!("/plan-versions/{NEW}/files.zip"));
        assert_eq!(status, 200, "{name}");
        let files = unzip(&zip);
        let loaded = assure_plan::load(&files).unwrap_or_else(|e| panic!("{name}: the draft's files check: {e}"));
        let again = assure_plan::write::to_files(&loaded).unwrap();
        for (a, b) in files.iter().zip(&again) {
            assert_eq!((&a.name, &a.text), (&b.name, &b.text), "{name}: export → check → export");
        }
        assert_eq!(files.len(), again.len());

        // A target whose value is missing: refused, with the problem shown.
        let mut broken = plan.clone();
        let i = broken.indicators.iter_mut().find(|i| i.id.get_ref() == INDICATOR).unwrap();
        i.target.as_mut().unwrap().value = None;
        assert_eq!(*i.target.as_ref().unwrap().kind.get_ref(), TargetKind::AtMost);
        save(&store, &broken, "indicator", INDICATOR);
        let r = planner.get(&format!("/plan-versions/{NEW}/publish"));
        assert_eq!(r.status, 200, "{name}");
        assert!(r.body.contains("cannot be published") && r.body.contains("indicators.toml"), "{name}: {}", r.body);
        let confirm = vec![("confirm", "yes".to_owned())];
        let r = planner.post_form(&format!("/plan-versions/{NEW}/publish"), &confirm, true);
        assert_eq!(r.status, 422, "{name}");
        assert!(r.body.contains("cannot be published") && r.body.contains("needs a value"), "{name}: {}", r.body);
        assert!(store.draft(NEW).unwrap().is_some(), "{name}: still a draft");
        save(&store, &plan, "indicator", INDICATOR);

        // Who may publish: not a viewer or an editor without the permission.
        for who in ["viewer", "kcc"] {
            let mut b = signed_in(&app, who);
            assert_eq!(b.get(&format!("/plan-versions/{NEW}/publish")).status, 403, "{name}: {who}");
            assert_eq!(b.post_form(&format!("/plan-versions/{NEW}/publish"), &confirm, true).status, 403, "{name}");
        }
        // Without the confirmation: asked for it on the field.
        let r = planner.post_form(&format!("/plan-versions/{NEW}/publish"), &[], true);
        assert_eq!(r.status, 422, "{name}");
        assert!(r.body.contains("href=\"#confirm\""), "{name}");

        // Publishing carries observations and updates across.
        store.add_theme(OLD, 1, "Waiting times", "test").unwrap();
        let bodies = store.bodies(OLD).unwrap().len();
        assert!(bodies > 0, "{name}: the bundled governance bodies");
        let before_obs = store.observations(OLD, None).unwrap().len();
        let before_updates = store.updates(OLD, None).unwrap().len();
        assert!(before_obs > 0 && before_updates > 0, "{name}");
        let r = planner.get(&format!("/plan-versions/{NEW}/publish"));
        assert!(text(&r.body).contains("3 added, 0 removed, 1 changed"), "{name}");
        let r = planner.post_form(&format!("/plan-versions/{NEW}/publish"), &confirm, true);
        assert_eq!(r.status, 303, "{name}: {}", r.body);
        assert_eq!(store.observations(NEW, None).unwrap().len(), before_obs, "{name}: every observation carried");
        assert_eq!(store.observations(OLD, None).unwrap().len(), 0, "{name}");
        assert_eq!(store.updates(NEW, None).unwrap().len(), before_updates, "{name}: every update carried");
        assert!(store.draft(NEW).unwrap().is_none(), "{name}: the draft is gone");
        // What belongs to the partnership moves too: its committees, residents' themes.
        assert_eq!(store.bodies(NEW).unwrap().len(), bodies, "{name}: governance bodies carried");
        assert_eq!(store.themes(NEW).unwrap().len(), 1, "{name}: themes carried");

        // The site and the API serve the new version; the old one stays readable.
        let (_, _, api) = app.get("/api/v1/plan");
        assert!(api.contains(NEW), "{name}: {api}");
        let (_, _, indicator) = app.get(&format!("/indicators/{INDICATOR}"));
        assert!(indicator.contains("5"), "{name}");
        let (status, _, old) = app.get(&format!("/plan-versions/{OLD}"));
        assert_eq!(status, 200, "{name}");
        assert!(old.contains("Superseded"), "{name}");
        let (status, _, new) = app.get(&format!("/plan-versions/{NEW}"));
        assert_eq!(status, 200, "{name}: published, so public");
        assert!(new.contains("Published") && new.contains("Virtual wards for children"), "{name}");
        let versions = store.plan_versions().unwrap();
        let states: Vec<(&str, &str)> = versions.iter().map(|v| (v.id.as_str(), v.state.label())).collect();
        assert_eq!(states, [(NEW, "Published"), (OLD, "Superseded")], "{name}");

        // The audit log has the start, each change and the publication.
        let audit = store.audit(&assure_store::AuditFilter::default()).unwrap();
        let of_new: Vec<(&str, &str)> = audit
            .iter()
            .filter(|e| e.plan_id.as_deref() == Some(NEW))
            .map(|e| (e.action.as_str(), e.entity.as_str()))
            .collect();
        for expected in [("create", "draft"), ("edit", "indicator"), ("edit", "commitment"), ("publish", "plan")] {
            assert!(of_new.contains(&expected), "{name}: {expected:?} in {of_new:?}");
        }
        assert!(audit.iter().any(|e| e.action == "supersede" && e.entity_id == OLD), "{name}");
    }
}

#[test]
fn a_zip_of_plan_files_is_compared_and_its_problems_listed_by_file_and_line() {
    for app in apps() {
        let name = app.db.name;
        start(&app);
        let mut viewer = signed_in(&app, "viewer");
        let mut plan = assure_plan::bundled().unwrap();
        plan.meta.title = "Refreshed".into();
        let zip = |files: &[assure_plan::PlanFile]| {
            let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            for f in files {
                w.start_file(format!("plan/{}", f.name), zip::write::SimpleFileOptions::default()).unwrap();
                std::io::Write::write_all(&mut w, f.text.as_bytes()).unwrap();
            }
            w.finish().unwrap().into_inner()
        };
        let files = assure_plan::write::to_files(&plan).unwrap();
        let r = viewer.post_multipart_bytes("/plan-versions/compare", &[("against", OLD)], "plan.zip", &zip(&files));
        assert_eq!(r.status, 200, "{name}: {}", r.body);
        assert!(text(&r.body).contains("0 added 0 removed 1 changed"), "{name}");
        // A broken file: every problem by file and line, nothing stored.
        let mut broken = files.clone();
        let i = broken.iter().position(|f| f.name == "indicators.toml").unwrap();
        broken[i].text = broken[i].text.replacen("polarity = \"lower_is_better\"", "polarity = \"sideways\"", 1);
        let r = viewer.post_multipart_bytes("/plan-versions/compare", &[("against", OLD)], "plan.zip", &zip(&broken));
        assert_eq!(r.status, 422, "{name}");
        assert!(r.body.contains("indicators.toml:"), "{name}: {}", r.body);
        let r = viewer.post_multipart_bytes("/plan-versions/compare", &[("against", OLD)], "plan.zip", b"not a zip");
        assert_eq!(r.status, 422, "{name}");
        assert!(r.body.contains("not a zip file"), "{name}");
    }
}

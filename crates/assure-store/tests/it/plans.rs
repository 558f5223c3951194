//! Plans stored and read back: lossless, byte-identical on export, transactional.

use assure_store::{AuditFilter, ImportPlanRequest, StoreError};

use crate::{bundled, bundled_as, databases};

fn files(plan: &assure_plan::Plan) -> Vec<(String, String)> {
    assure_plan::to_files(plan).unwrap().into_iter().map(|f| (f.name, f.text)).collect()
}

#[test]
fn a_stored_plan_reads_back_equal_and_exports_byte_identical() {
    let plan = bundled();
    for db in databases() {
        let store = db.open();
        store.import_plan(&ImportPlanRequest::new(&plan, "tester")).unwrap();
        let back = store.plan("kent-and-medway-2024-26").unwrap();
        assert_eq!(
            serde_json::to_value(&plan).unwrap(),
            serde_json::to_value(&back).unwrap(),
            "{}: plan read back differs",
            db.name
        );
        assert_eq!(files(&plan), files(&back), "{}: export differs from the plan's own files", db.name);

        // export → import (into a fresh database) → export is byte-identical.
        let exported = assure_plan::to_files(&back).unwrap();
        let reloaded = assure_plan::load(&exported).unwrap();
        let other = crate::TestDb::sqlite();
        let other_store = other.open();
        other_store.import_plan(&ImportPlanRequest::new(&reloaded, "tester")).unwrap();
        assert_eq!(files(&back), files(&other_store.plan("kent-and-medway-2024-26").unwrap()), "{}", db.name);
    }
}

#[test]
fn counts_in_tables_match_the_plan() {
    let plan = bundled();
    for db in databases() {
        let store = db.open();
        store.import_plan(&ImportPlanRequest::new(&plan, "tester")).unwrap();
        let back = store.plan("kent-and-medway-2024-26").unwrap();
        let links: usize = back.commitments.iter().map(|c| c.links.len()).sum();
        assert_eq!(
            (back.outcomes.len(), back.priorities.len(), back.commitments.len(), links),
            (6, 21, 88, 427),
            "{}",
            db.name
        );
        let milestones: usize = back.delivery_examples.iter().map(|e| e.milestones.len()).sum();
        assert_eq!((back.indicators.len(), back.delivery_examples.len(), milestones), (23, 30, 30));
        assert_eq!(
            (back.organisations.len(), back.delivering_plans.len(), back.places.len(), back.areas.len()),
            (118, 257, 18, 21)
        );
    }
}

#[test]
fn a_second_plan_version_sits_beside_the_first_and_the_same_id_needs_replace() {
    for db in databases() {
        let store = db.open();
        store.import_plan(&ImportPlanRequest::new(&bundled(), "ann")).unwrap();
        let mut next = bundled_as("kent-and-medway-2026-28");
        next.meta.title = "Kent and Medway Shared Delivery Plan 2026–2028".into();
        next.commitments.pop();
        store.import_plan(&ImportPlanRequest::new(&next, "ann")).unwrap();
        let ids: Vec<String> = store.plans().unwrap().into_iter().map(|p| p.id).collect();
        assert_eq!(ids.len(), 2, "{}", db.name);
        assert!(ids.contains(&"kent-and-medway-2026-28".to_owned()));

        let err = store.import_plan(&ImportPlanRequest::new(&bundled(), "bob")).unwrap_err();
        assert!(matches!(err, StoreError::PlanExists(ref id) if id == "kent-and-medway-2024-26"), "{err}");

        let mut edited = bundled();
        edited.meta.title = "Edited title".into();
        let report = store.import_plan(&ImportPlanRequest::new(&edited, "bob").replacing()).unwrap();
        assert!(report.replaced);
        assert_eq!(store.plan("kent-and-medway-2024-26").unwrap().meta.title, "Edited title");

        let entries = store
            .audit(&AuditFilter {
                entity_id: Some("kent-and-medway-2024-26".into()),
                values: true,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(entries.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["replace", "import"], "{}", db.name);
        let replace = &entries[0];
        assert_eq!(replace.actor, "bob");
        assert_eq!(replace.before.as_ref().unwrap()["meta"]["title"], bundled().meta.title.as_str());
        assert_eq!(replace.after.as_ref().unwrap()["meta"]["title"], "Edited title");
    }
}

#[test]
fn an_import_that_fails_on_its_last_record_changes_nothing() {
    for db in databases() {
        let store = db.open();
        store.import_plan(&ImportPlanRequest::new(&bundled(), "ann")).unwrap();
        let before = files(&store.plan("kent-and-medway-2024-26").unwrap());
        let audit_before = store.audit(&AuditFilter::default()).unwrap().len();

        // A plan the loader would refuse, given straight to the store: its very last
        // area names a parent that does not exist, which only the database notices, at commit.
        let mut broken = bundled_as("broken-plan");
        broken.areas.last_mut().unwrap().parent = Some(toml::Spanned::new(0..0, "no-such-area".into()));
        let err = store.import_plan(&ImportPlanRequest::new(&broken, "ann")).unwrap_err();
        assert!(err.to_string().to_lowercase().contains("foreign key"), "{}: {err}", db.name);

        // The same, replacing the stored plan: the old one must survive whole.
        let mut broken = bundled();
        broken.areas.last_mut().unwrap().parent = Some(toml::Spanned::new(0..0, "no-such-area".into()));
        assert!(store.import_plan(&ImportPlanRequest::new(&broken, "ann").replacing()).is_err());

        assert_eq!(store.plans().unwrap().len(), 1, "{}", db.name);
        assert_eq!(before, files(&store.plan("kent-and-medway-2024-26").unwrap()), "{}", db.name);
        assert_eq!(audit_before, store.audit(&AuditFilter::default()).unwrap().len(), "{}", db.name);
    }
}

#[test]
fn deleting_a_plan_removes_everything_in_it_and_is_audited() {
    for db in databases() {
        let store = db.open();
        store.import_plan(&ImportPlanRequest::new(&bundled(), "ann")).unwrap();
        store.import_plan(&ImportPlanRequest::new(&bundled_as("other"), "ann")).unwrap();
        store.delete_plan("other", "carol").unwrap();
        assert!(matches!(store.plan("other"), Err(StoreError::NoSuchPlan(_))));
        assert!(matches!(store.delete_plan("other", "carol"), Err(StoreError::NoSuchPlan(_))));
        // The remaining plan is untouched.
        assert_eq!(store.plan("kent-and-medway-2024-26").unwrap().commitments.len(), 88, "{}", db.name);
        let e = &store
            .audit(&AuditFilter { action: Some("delete".into()), values: true, ..Default::default() })
            .unwrap()[0];
        assert_eq!((e.actor.as_str(), e.entity_id.as_str()), ("carol", "other"));
        assert!(e.after.is_none() && e.before.as_ref().unwrap()["commitments"].as_array().unwrap().len() == 88);
    }
}

#[test]
fn two_stores_on_one_database_see_each_others_writes() {
    for db in databases() {
        let a = db.open();
        let b = db.open();
        assert!(b.plans().unwrap().is_empty());
        a.import_plan(&ImportPlanRequest::new(&bundled(), "ann")).unwrap();
        assert_eq!(b.plans().unwrap().len(), 1, "{}", db.name);
        b.delete_plan("kent-and-medway-2024-26", "bob").unwrap();
        assert!(a.plans().unwrap().is_empty(), "{}", db.name);
    }
}

#[test]
fn the_plan_revision_changes_with_every_write_to_the_plan() {
    for db in databases() {
        let store = db.open();
        assert_eq!(store.plan_revision("kent-and-medway-2024-26").unwrap(), None);
        store.import_plan(&ImportPlanRequest::new(&bundled(), "ann")).unwrap();
        let first = store.plan_revision("kent-and-medway-2024-26").unwrap().unwrap();
        store.import_plan(&ImportPlanRequest::new(&bundled_as("other"), "ann")).unwrap();
        assert_eq!(store.plan_revision("kent-and-medway-2024-26").unwrap(), Some(first), "{}", db.name);
        store.import_plan(&ImportPlanRequest::new(&bundled(), "ann").replacing()).unwrap();
        assert!(store.plan_revision("kent-and-medway-2024-26").unwrap().unwrap() > first, "{}", db.name);
    }
}

#[test]
fn partners_delivery_reports_move_the_revision_but_not_the_content_revision() {
    use assure_plan::delivery::DeliveryStatus;
    use assure_store::{ItemKind, Publication, ServedRevision, UpdateDraft};
    const PLAN: &str = "kent-and-medway-2024-26";
    let served =
        |store: &assure_store::Store| -> ServedRevision { store.served_revision(Some(PLAN)).unwrap().unwrap() };
    for db in databases() {
        let store = db.open();
        let plan = bundled();
        store.import_plan(&ImportPlanRequest::new(&plan, "ann")).unwrap();
        let imported = served(&store);
        assert_eq!(imported.revision, imported.content, "{}", db.name);

        let example = plan.delivery_examples.iter().find(|e| !e.milestones.is_empty() && !e.plans.is_empty()).unwrap();
        let (milestone, delivering) = (example.milestones[0].id.get_ref(), example.plans[0].get_ref());
        let draft = UpdateDraft {
            status: DeliveryStatus::AtRisk,
            narrative: "slipping".into(),
            evidence: vec![],
            expected: None,
            expected_reason: None,
            internal_note: None,
        };
        store.add_update(PLAN, ItemKind::Milestone, milestone, &draft, Publication::Published, "kcc").unwrap();
        let updated = served(&store);
        assert!(updated.revision > imported.revision, "{}: a delivery update moves the revision", db.name);
        assert_eq!(updated.content, imported.content, "{}: but not the content revision", db.name);
        store.add_milestone(PLAN, delivering, "Our own step", "March 2027", &|_| false, "kcc").unwrap();
        let added = served(&store);
        assert!(added.revision > updated.revision, "{}: an added milestone moves the revision", db.name);
        assert_eq!(added.content, imported.content, "{}: but not the content revision", db.name);

        // A change to the plan itself (here a replacement) or to a setting moves both.
        store.import_plan(&ImportPlanRequest::new(&plan, "ann").replacing()).unwrap();
        let replaced = served(&store);
        assert!(replaced.content > added.revision, "{}", db.name);
        assert_eq!(replaced.revision, replaced.content, "{}", db.name);
        store.save_settings(&assure_store::Settings { stale_days: 30, ..Default::default() }, "ann").unwrap();
        let set = served(&store);
        assert!(set.content > replaced.content && set.revision == set.content, "{}", db.name);
        assert_eq!(store.served_plan(Some(PLAN)).unwrap(), Some((PLAN.to_owned(), set.revision)), "{}", db.name);
    }
}

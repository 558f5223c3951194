//! No silent data loss: a replacement that would drop observations, delivery updates or
//! added milestones is refused unless allowed; what is dropped (by a replacement or a
//! deletion) is archived whole, and restored byte for byte once its items exist again.

use assure_plan::Plan;
use assure_plan::delivery::DeliveryStatus;
use assure_store::{
    AuditFilter, DataFile, ImportMode, ImportPlanRequest, ItemKind, Observation, ObservationKey, Publication, Store,
    StoreError, UpdateDraft,
};

use crate::{bundled, databases};

const PLAN: &str = "kent-and-medway-2024-26";
/// Indicators of the bundled plan, one to be dropped and one kept.
const GONE: &str = "smoking-at-time-of-delivery";
const KEPT: &str = "year-6-healthy-weight-prevalence";

fn obs(indicator: &str, area: &str, period: &str, value: f64) -> Observation {
    Observation {
        key: ObservationKey {
            indicator: indicator.into(),
            area: area.into(),
            period: period.into(),
            breakdown: String::new(),
        },
        value: Some(value),
        lower: Some(value - 0.1),
        upper: None,
        numerator: Some(3.0),
        denominator: None,
        note: Some("a note".into()),
        source: None,
        illustrative: false,
        line: 0,
    }
}

fn draft(narrative: &str) -> UpdateDraft {
    UpdateDraft {
        status: DeliveryStatus::AtRisk,
        narrative: narrative.into(),
        evidence: vec!["https://example.org/minutes".into()],
        expected: None,
        expected_reason: None,
        internal_note: Some("internal".into()),
    }
}

/// What the partners have recorded: everything restore must bring back.
#[derive(Debug, PartialEq)]
struct Recorded {
    observations: Vec<Observation>,
    updates: Vec<assure_store::DeliveryUpdate>,
    added: Vec<assure_store::AddedMilestone>,
}

fn recorded(store: &Store) -> Recorded {
    Recorded {
        observations: store.observations(PLAN, None).unwrap(),
        updates: store.updates(PLAN, None).unwrap(),
        added: store.added_milestones(PLAN).unwrap(),
    }
}

/// The first delivery example with a milestone and a delivering plan: its id, its first
/// milestone and its first delivering plan.
fn example(plan: &Plan) -> (String, String, String) {
    let e = plan.delivery_examples.iter().find(|e| !e.milestones.is_empty() && !e.plans.is_empty()).unwrap();
    (e.id.get_ref().clone(), e.milestones[0].id.get_ref().clone(), e.plans[0].get_ref().clone())
}

/// The bundled plan with observations of two indicators, updates of a milestone and a
/// delivering plan, and a milestone a partner added to that delivering plan, with its update.
fn store_with_data(store: &Store) {
    let plan = bundled();
    store.import_plan(&ImportPlanRequest::new(&plan, "ann")).unwrap();
    let rows = vec![
        obs(GONE, "E54000032", "2022/23", 10.2),
        obs(GONE, "E54000032", "2023/24", 0.1 + 0.2),
        obs(KEPT, "E10000016", "2023/24", 63.0),
    ];
    let file = DataFile { name: "a.csv".into(), checksum: "x".into(), format: "assure".into(), skipped: 0 };
    store.import_observations(PLAN, &rows, &file, ImportMode::Insert, "ann").unwrap();
    let (_, milestone, delivering) = example(&plan);
    store.add_update(PLAN, ItemKind::Milestone, &milestone, &draft("slipping"), Publication::Published, "kcc").unwrap();
    let pending = draft("awaiting sign-off");
    store.add_update(PLAN, ItemKind::DeliveringPlan, &delivering, &pending, Publication::Pending, "kcc").unwrap();
    let added = store.add_milestone(PLAN, &delivering, "Our own step", "March 2027", &|_| false, "kcc").unwrap();
    store.add_update(PLAN, ItemKind::Milestone, &added.id, &draft("started"), Publication::Published, "kcc").unwrap();
}

/// The bundled plan without the indicator GONE, that delivery example and its first
/// delivering plan (and the references to it).
fn smaller_plan() -> Plan {
    let mut plan = bundled();
    let (example_id, _, delivering) = example(&plan);
    plan.indicators.retain(|i| i.id.get_ref() != GONE);
    plan.delivery_examples.retain(|e| e.id.get_ref() != &example_id);
    plan.delivering_plans.retain(|p| p.id.get_ref() != &delivering);
    for c in &mut plan.commitments {
        for l in &mut c.links {
            l.plans.retain(|p| p.get_ref() != &delivering);
        }
    }
    for e in &mut plan.delivery_examples {
        e.plans.retain(|p| p.get_ref() != &delivering);
    }
    plan.meta.title = "A smaller plan".into();
    plan
}

fn expected_drop() -> assure_store::Dropped {
    let (_, milestone, delivering) = example(&bundled());
    let mut d = assure_store::Dropped::default();
    d.observations.insert(GONE.into(), 2);
    d.updates.insert(format!("milestone:{milestone}"), 1);
    d.updates.insert(format!("plan:{delivering}"), 1);
    d.updates.insert(format!("milestone:{delivering}-added-1"), 1);
    d.added_milestones.insert(delivering, 1);
    d
}

#[test]
fn a_replacement_that_would_drop_data_is_refused_and_writes_nothing() {
    for db in databases() {
        let store = db.open();
        store_with_data(&store);
        let before = recorded(&store);
        let entries = store.audit(&AuditFilter::default()).unwrap().len();

        let err = store.import_plan(&ImportPlanRequest::new(&smaller_plan(), "bob").replacing()).unwrap_err();
        match &err {
            StoreError::WouldDrop { plan, dropped } => {
                assert_eq!(plan, PLAN);
                assert_eq!(dropped, &expected_drop(), "{}", db.name);
            }
            other => panic!("{}: expected WouldDrop, got {other}", db.name),
        }
        let message = err.to_string();
        assert!(message.contains(&format!("2 observation(s) of indicator(s) {GONE} (2)")), "{message}");
        assert!(message.contains("nothing was written") && message.contains("--drop"), "{message}");

        assert_eq!(store.plan(PLAN).unwrap().meta.title, bundled().meta.title, "{}", db.name);
        assert_eq!(recorded(&store), before, "{}", db.name);
        assert_eq!(store.audit(&AuditFilter::default()).unwrap().len(), entries, "{}", db.name);
        assert!(store.archives().unwrap().is_empty());

        // A replacement that drops nothing needs no permission, and keeps everything.
        let mut retitled = bundled();
        retitled.meta.title = "Retitled".into();
        let r = store.import_plan(&ImportPlanRequest::new(&retitled, "bob").replacing()).unwrap();
        assert!(r.archived.is_none() && r.observations_kept == 3, "{}", db.name);
        assert_eq!(recorded(&store), before, "{}", db.name);
    }
}

#[test]
fn dropping_archives_exactly_the_dropped_rows_and_restore_brings_them_back() {
    for db in databases() {
        let store = db.open();
        store_with_data(&store);
        let before = recorded(&store);

        let r = store.import_plan(&ImportPlanRequest::new(&smaller_plan(), "bob").dropping()).unwrap();
        let archived = r.archived.expect("something was archived");
        assert_eq!(archived.dropped, expected_drop(), "{}", db.name);
        assert_eq!((r.observations_kept, r.observations_dropped), (1, 2));
        let after = recorded(&store);
        assert_eq!(
            after.observations,
            before.observations.iter().filter(|o| o.key.indicator == KEPT).cloned().collect::<Vec<_>>()
        );
        assert!(after.updates.is_empty() && after.added.is_empty(), "{}: {after:?}", db.name);

        // The audit entry says what was dropped, and its number is the archive's.
        let entry =
            &store.audit(&AuditFilter { id: Some(archived.id), values: true, ..Default::default() }).unwrap()[0];
        assert_eq!((entry.action.as_str(), entry.entity.as_str(), entry.actor.as_str()), ("drop", "archive", "bob"));
        assert_eq!(entry.before.as_ref().unwrap()["observations"][GONE], 2);
        let listed = store.archives().unwrap();
        assert_eq!((listed.len(), listed[0].id, listed[0].restored_rows), (1, archived.id, 0), "{}", db.name);
        assert_eq!(listed[0].dropped, expected_drop());

        // Nothing can go back while the plan lacks the items; the rows stay archived.
        let early = store.restore_archived(archived.id, "carol").unwrap();
        assert!(early.restored.is_empty(), "{}: {early:?}", db.name);
        assert_eq!(early.remaining, expected_drop());
        assert!(
            early.reasons.iter().any(|r| r.contains(&format!("indicator '{GONE}' is not in plan"))),
            "{:?}",
            early.reasons
        );

        // The old plan again, then the archive: everything as it was, byte for byte.
        store.import_plan(&ImportPlanRequest::new(&bundled(), "carol").replacing()).unwrap();
        let back = store.restore_archived(archived.id, "carol").unwrap();
        assert_eq!(back.restored, expected_drop(), "{}", db.name);
        assert!(back.remaining.is_empty() && back.reasons.is_empty(), "{}: {back:?}", db.name);
        assert_eq!(recorded(&store), before, "{}", db.name);
        assert_eq!(store.archives().unwrap()[0].restored_rows, 6);
        let restore = &store.audit(&AuditFilter { action: Some("restore".into()), ..Default::default() }).unwrap()[0];
        assert_eq!((restore.actor.as_str(), restore.entity_id.as_str()), ("carol", archived.id.to_string().as_str()));

        let again = store.restore_archived(archived.id, "carol").unwrap_err();
        assert!(again.to_string().contains("restored already"), "{again}");
        assert!(matches!(store.restore_archived(archived.id + 1000, "carol"), Err(StoreError::NoSuchArchive(_))));
    }
}

#[test]
fn a_restore_leaves_archived_what_newer_data_replaced_and_says_why() {
    for db in databases() {
        let store = db.open();
        store_with_data(&store);
        let archived =
            store.import_plan(&ImportPlanRequest::new(&smaller_plan(), "bob").dropping()).unwrap().archived.unwrap();
        store.import_plan(&ImportPlanRequest::new(&bundled(), "bob").replacing()).unwrap();
        let newer = vec![obs(GONE, "E54000032", "2022/23", 11.0)];
        let file = DataFile { name: "b.csv".into(), checksum: "y".into(), format: "assure".into(), skipped: 0 };
        store.import_observations(PLAN, &newer, &file, ImportMode::Insert, "bob").unwrap();

        let r = store.restore_archived(archived.id, "bob").unwrap();
        assert_eq!(r.remaining.observations.get(GONE), Some(&1), "{}: {r:?}", db.name);
        assert_eq!(r.restored.observations.get(GONE), Some(&1));
        assert!(r.reasons.iter().any(|w| w.contains("has a value stored now")), "{:?}", r.reasons);
        let stored = store.observations(PLAN, Some(GONE)).unwrap();
        assert_eq!(stored.iter().map(|o| o.value).collect::<Vec<_>>(), [Some(11.0), Some(0.1 + 0.2)], "{}", db.name);
    }
}

#[test]
fn deleting_a_plan_archives_its_data_and_reimporting_it_lets_it_back() {
    for db in databases() {
        let store = db.open();
        store_with_data(&store);
        let before = recorded(&store);
        let archived = store.delete_plan(PLAN, "carol").unwrap().expect("the plan's data was archived");
        assert_eq!(archived.dropped.rows(), 3 + 3 + 1, "{}: {:?}", db.name, archived.dropped);
        assert!(store.observations(PLAN, None).unwrap().is_empty() && store.updates(PLAN, None).unwrap().is_empty());

        let early = store.restore_archived(archived.id, "carol").unwrap();
        assert!(early.restored.is_empty() && early.reasons.iter().any(|r| r.contains("import it again")));

        store.import_plan(&ImportPlanRequest::new(&bundled(), "carol")).unwrap();
        store.restore_archived(archived.id, "carol").unwrap();
        assert_eq!(recorded(&store), before, "{}", db.name);
    }
}

#[test]
fn publishing_a_draft_carries_over_what_survives_and_leaves_the_rest_with_the_old_version() {
    for db in databases() {
        let name = db.name;
        let store = db.open();
        store_with_data(&store);
        let before = recorded(&store);
        let mut plan = smaller_plan();
        plan.meta.id = assure_plan::Sp::new(0..0, "next".to_owned());
        store.create_draft(&plan, Some(PLAN), "ann").unwrap();
        assert_eq!(store.left_behind_by(&plan).unwrap(), expected_drop(), "{name}");
        assert_eq!(store.served_plan(None).unwrap().unwrap().0, PLAN, "{name}: a draft is not served");
        let published = store.publish_draft("next", "ann").unwrap();
        assert_eq!(published.superseded.as_deref(), Some(PLAN), "{name}");
        assert_eq!(published.left_behind, expected_drop(), "{name}");
        assert_eq!(published.carried_over.of("observation"), 1, "{name}");
        // What survives moved; what does not stays, whole, with the old version.
        let kept = store.observations("next", None).unwrap();
        assert_eq!(kept.iter().map(|o| o.key.indicator.as_str()).collect::<Vec<_>>(), [KEPT], "{name}");
        let left = store.observations(PLAN, None).unwrap();
        assert!(left.iter().all(|o| o.key.indicator == GONE) && left.len() == 2, "{name}");
        assert_eq!(store.updates(PLAN, None).unwrap(), before.updates, "{name}: their items are gone");
        assert_eq!(store.added_milestones(PLAN).unwrap(), before.added, "{name}");
        assert_eq!(store.served_plan(None).unwrap().unwrap().0, "next", "{name}");
        let old = serde_json::to_value(store.plan(PLAN).unwrap()).unwrap();
        assert_eq!(old, serde_json::to_value(bundled()).unwrap(), "{name}: the old version is readable");
        assert!(store.draft("next").unwrap().is_none(), "{name}");
        let states: Vec<_> = store.plan_versions().unwrap().into_iter().map(|v| (v.id, v.state)).collect();
        assert_eq!(
            states,
            [
                ("next".to_owned(), assure_store::VersionState::Published),
                (PLAN.to_owned(), assure_store::VersionState::Superseded)
            ],
            "{name}"
        );
        assert!(matches!(store.publish_draft("nope", "ann"), Err(StoreError::NoSuchDraft(_))), "{name}");
    }
}

//! Delivery updates (added, listed, reviewed), milestones partners add, and issued
//! reports.

use assure_store::{AuditFilter, ItemKind, Publication, StoreError, UpdateDraft};

use crate::databases;

const PLAN: &str = "kent-and-medway-2024-26";

fn draft(narrative: &str) -> UpdateDraft {
    UpdateDraft {
        status: assure_plan::delivery::DeliveryStatus::AtRisk,
        narrative: narrative.into(),
        evidence: vec!["https://example.org/minutes".into()],
        expected: Some("March 2026".into()),
        expected_reason: Some("Supplier delay".into()),
        internal_note: None,
    }
}

#[test]
fn updates_are_added_listed_by_item_and_read_one_by_one() {
    for db in databases() {
        let store = db.open();
        let m1 = (ItemKind::Milestone, "m1");
        let a = store.add_update(PLAN, m1.0, m1.1, &draft(" First "), Publication::Published, "ann").unwrap();
        assert_eq!((a.kind, a.item.as_str(), a.draft.narrative.as_str()), (m1.0, "m1", "First"), "{}", db.name);
        assert_eq!((a.author.as_str(), a.publication, a.reviewed_by.as_deref()), ("ann", Publication::Published, None));
        assert_eq!(a.draft.evidence, ["https://example.org/minutes"], "{}", db.name);
        assert_eq!(a.draft.expected.as_deref(), Some("March 2026"), "{}", db.name);
        let b = store.add_update(PLAN, m1.0, m1.1, &draft("Second"), Publication::Pending, "bob").unwrap();
        let p = store.add_update(PLAN, ItemKind::DeliveringPlan, "m1", &draft("A plan"), Publication::Published, "ann");
        let p = p.unwrap();
        store.add_update("other-plan", m1.0, m1.1, &draft("Elsewhere"), Publication::Published, "ann").unwrap();

        assert_eq!(store.updates(PLAN, Some(m1)).unwrap(), [a.clone(), b.clone()], "{}: oldest first", db.name);
        assert_eq!(
            store.updates(PLAN, Some((ItemKind::DeliveringPlan, "m1"))).unwrap(),
            std::slice::from_ref(&p),
            "{}",
            db.name
        );
        assert_eq!(store.updates(PLAN, None).unwrap(), [a.clone(), b.clone(), p], "{}", db.name);
        assert_eq!(store.update(PLAN, b.id).unwrap(), b, "{}", db.name);
        assert!(matches!(store.update("other-plan", b.id), Err(StoreError::NoSuchUpdate(id)) if id == b.id));

        let err = store.add_update(PLAN, m1.0, m1.1, &draft("  "), Publication::Published, "ann").unwrap_err();
        assert!(matches!(err, StoreError::Rejected { field: "narrative", .. }), "{}: {err}", db.name);
        assert_eq!(store.updates(PLAN, Some(m1)).unwrap().len(), 2, "{}: a refused update is not stored", db.name);

        let audit = store.audit(&AuditFilter { plan_id: Some(PLAN.into()), ..Default::default() }).unwrap();
        assert_eq!(audit.len(), 3, "{}", db.name);
        assert!(audit.iter().all(|e| e.entity == "delivery_update" && e.action == "create"), "{}", db.name);
        assert_eq!(audit[2].entity_id, "milestone:m1", "{}", db.name);
    }
}

#[test]
fn a_pending_update_is_approved_or_rejected_once() {
    for db in databases() {
        let store = db.open();
        let add = |p| store.add_update(PLAN, ItemKind::Milestone, "m1", &draft("Draft"), p, "bob").unwrap();
        let (yes, no, published) = (add(Publication::Pending), add(Publication::Pending), add(Publication::Published));

        let approved = store.review_update(PLAN, yes.id, true, "admin").unwrap();
        assert_eq!(approved.publication, Publication::Published, "{}", db.name);
        assert_eq!(approved.reviewed_by.as_deref(), Some("admin"), "{}", db.name);
        assert!(approved.reviewed_at.is_some(), "{}", db.name);
        let rejected = store.review_update(PLAN, no.id, false, "admin").unwrap();
        assert_eq!(rejected.publication, Publication::Rejected, "{}", db.name);
        assert_eq!(store.update(PLAN, no.id).unwrap(), rejected, "{}", db.name);

        for id in [yes.id, no.id, published.id] {
            let err = store.review_update(PLAN, id, true, "admin").unwrap_err();
            assert!(matches!(err, StoreError::Rejected { field: "update", .. }), "{}: {err}", db.name);
        }
        assert!(matches!(store.review_update(PLAN, 9999, true, "admin"), Err(StoreError::NoSuchUpdate(9999))));
        let actions: Vec<String> = store
            .audit(&AuditFilter { actor: Some("admin".into()), ..Default::default() })
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, ["reject", "approve"], "{}", db.name);
    }
}

#[test]
fn added_milestones_get_a_free_id_and_are_checked() {
    for db in databases() {
        let store = db.open();
        let taken = |id: &str| id == "dp-added-1";
        let first = store.add_milestone(PLAN, "dp", " Open the hub ", "March 2026", &taken, "ann").unwrap();
        assert_eq!((first.id.as_str(), first.title.as_str()), ("dp-added-2", "Open the hub"), "{}", db.name);
        let second = store.add_milestone(PLAN, "dp", "Review", "2025/26", &taken, "ann").unwrap();
        assert_eq!(second.id, "dp-added-3", "{}", db.name);
        assert_eq!(store.added_milestones(PLAN).unwrap(), [first, second], "{}", db.name);
        assert!(store.added_milestones("other-plan").unwrap().is_empty(), "{}", db.name);

        for (title, due, field) in [(" ", "2026", "title"), ("Do it", "soon", "due")] {
            let err = store.add_milestone(PLAN, "dp", title, due, &taken, "ann").unwrap_err();
            assert!(matches!(err, StoreError::Rejected { field: f, .. } if f == field), "{}: {err}", db.name);
        }
        assert_eq!(store.added_milestones(PLAN).unwrap().len(), 2, "{}", db.name);
        let audit = store.audit(&AuditFilter { entity: Some("milestone".into()), ..Default::default() }).unwrap();
        assert_eq!(audit.iter().map(|e| e.entity_id.as_str()).collect::<Vec<_>>(), ["dp-added-3", "dp-added-2"]);
    }
}

#[test]
fn the_last_issued_report_of_a_kind_and_subject_is_read_back() {
    for db in databases() {
        let store = db.open();
        assert_eq!(store.last_report(PLAN, "annual", "all").unwrap(), None, "{}", db.name);
        let first = store.record_report(PLAN, "annual", "all", "[1]", "ann").unwrap();
        let place = store.record_report(PLAN, "place", "medway", "[2]", "ann").unwrap();
        let second = store.record_report(PLAN, "annual", "all", "[3]", "bob").unwrap();
        assert!(first <= second, "{}", db.name);
        assert_eq!(store.last_report(PLAN, "annual", "all").unwrap(), Some((second, "[3]".to_owned())));
        assert_eq!(store.last_report(PLAN, "place", "medway").unwrap(), Some((place, "[2]".to_owned())));
        assert_eq!(store.last_report(PLAN, "place", "kent").unwrap(), None, "{}", db.name);
        assert_eq!(store.last_report("other-plan", "annual", "all").unwrap(), None, "{}", db.name);
        let audit = store.audit(&AuditFilter { entity: Some("report".into()), ..Default::default() }).unwrap();
        assert_eq!(audit.len(), 3, "{}", db.name);
        assert_eq!((audit[0].action.as_str(), audit[0].entity_id.as_str()), ("issue", "annual:all"), "{}", db.name);
    }
}

//! Drafts: a whole plan kept as one document while it is edited, every change audited.

use assure_store::{AuditFilter, DraftChange, ImportPlanRequest, Permission, StoreError};

use crate::{bundled, databases};

#[test]
fn a_draft_reads_back_equal_saves_each_change_audited_and_cannot_take_a_used_id() {
    let plan = bundled();
    for db in databases() {
        let store = db.open();
        store.import_plan(&ImportPlanRequest::new(&plan, "tester")).unwrap();
        let mut copy = plan.clone();
        copy.meta.id = assure_plan::Sp::new(0..0, "kent-and-medway-2026-28".to_owned());
        let draft = store.create_draft(&copy, Some("kent-and-medway-2024-26"), "olu").unwrap();
        assert_eq!(draft.based_on.as_deref(), Some("kent-and-medway-2024-26"), "{}", db.name);
        assert_eq!(
            assure_plan::to_files(&draft.plan).unwrap().iter().map(|f| &f.text).collect::<Vec<_>>(),
            assure_plan::to_files(&copy).unwrap().iter().map(|f| &f.text).collect::<Vec<_>>(),
            "{}: a draft reads back as its plan's files",
            db.name
        );
        // Neither a stored plan's id nor another draft's can be taken again.
        for id in ["kent-and-medway-2024-26", "kent-and-medway-2026-28"] {
            let mut again = plan.clone();
            again.meta.id = assure_plan::Sp::new(0..0, id.to_owned());
            assert!(matches!(store.create_draft(&again, None, "olu"), Err(StoreError::PlanExists(_))), "{}", db.name);
        }

        let before = serde_json::to_value(&copy.indicators[0].target).unwrap();
        copy.indicators[0].measure = "changed".into();
        let after = serde_json::json!({"measure": "changed"});
        let change = DraftChange {
            action: "edit",
            entity: "indicator",
            entity_id: copy.indicators[0].id.get_ref(),
            before: Some(before),
            after: Some(after.clone()),
        };
        let saved = store.save_draft("kent-and-medway-2026-28", &copy, "olu", &change).unwrap();
        assert_eq!(saved.plan.indicators[0].measure, "changed", "{}", db.name);
        assert_eq!(saved.updated_by, "olu");
        assert!(matches!(
            store.save_draft("no-such-draft", &copy, "olu", &change),
            Err(StoreError::Corrupt(_) | StoreError::NoSuchDraft(_))
        ));
        let entries = store
            .audit(&AuditFilter {
                plan_id: Some("kent-and-medway-2026-28".into()),
                values: true,
                ..AuditFilter::default()
            })
            .unwrap();
        let actions: Vec<(&str, &str)> = entries.iter().map(|e| (e.action.as_str(), e.entity.as_str())).collect();
        assert_eq!(actions, [("edit", "indicator"), ("create", "draft")], "{}", db.name);
        assert_eq!(entries[0].after.as_ref(), Some(&after), "{}", db.name);
        // The published plan is untouched by the draft.
        assert_eq!(store.plan("kent-and-medway-2024-26").unwrap().indicators[0].measure, plan.indicators[0].measure);

        assert_eq!(store.drafts().unwrap().len(), 1);
        store.delete_draft("kent-and-medway-2026-28", "olu").unwrap();
        assert!(store.draft("kent-and-medway-2026-28").unwrap().is_none(), "{}", db.name);
        assert!(matches!(store.delete_draft("kent-and-medway-2026-28", "olu"), Err(StoreError::NoSuchDraft(_))));
    }
}

#[test]
fn a_plan_editor_permission_is_given_and_taken_away() {
    for db in databases() {
        let store = db.open();
        let fields = assure_store::AccountFields {
            display_name: "Olu".into(),
            role: assure_store::Role::Viewer,
            organisations: vec![],
            disabled: false,
        };
        let olu = store.create_account("olu", "a long enough password", &fields, "admin").unwrap();
        assert!(!store.has_permission(olu.id, Permission::PlanEditor).unwrap());
        store.set_permission("olu", Permission::PlanEditor, true, "admin").unwrap();
        assert!(store.has_permission(olu.id, Permission::PlanEditor).unwrap(), "{}", db.name);
        assert!(!store.has_permission(olu.id, Permission::Moderator).unwrap(), "{}", db.name);
        assert_eq!(store.with_permission(Permission::PlanEditor).unwrap(), ["olu"]);
        store.set_permission("olu", Permission::PlanEditor, false, "admin").unwrap();
        assert!(!store.has_permission(olu.id, Permission::PlanEditor).unwrap(), "{}", db.name);
    }
}

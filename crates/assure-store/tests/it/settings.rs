//! The settings: read whole with defaults, saved whole in one transaction, each changed
//! key audited, an invalid struct refused, an unreadable stored value an error.

use assure_store::{AuditFilter, Settings, StoreError};

use crate::databases;

fn setting_entries(store: &assure_store::Store) -> Vec<(String, serde_json::Value, serde_json::Value)> {
    let filter = AuditFilter { entity: Some("setting".into()), values: true, ..Default::default() };
    let mut entries: Vec<_> = store
        .audit(&filter)
        .unwrap()
        .into_iter()
        .map(|e| {
            assert_eq!(e.action, "set");
            (e.entity_id, e.before.unwrap_or_default(), e.after.unwrap_or_default())
        })
        .collect();
    entries.reverse();
    entries
}

#[test]
fn unset_settings_take_their_defaults() {
    for db in databases() {
        let store = db.open();
        let s = store.settings().unwrap();
        assert_eq!(s, Settings::default(), "{}", db.name);
        assert_eq!((s.stale_days, s.approval_required), (90, false), "{}", db.name);
    }
}

#[test]
fn both_settings_are_saved_in_one_call_and_each_changed_key_is_audited() {
    for db in databases() {
        let store = db.open();
        store.save_settings(&Settings::default(), "admin").unwrap();
        assert!(setting_entries(&store).is_empty(), "{}: saving the defaults changes nothing", db.name);
        store.save_settings(&Settings { stale_days: 60, ..Settings::default() }, "admin").unwrap();
        assert_eq!(setting_entries(&store).len(), 1, "{}: only the key that changed", db.name);
        store.save_settings(&Settings::default(), "admin").unwrap();
        assert_eq!(setting_entries(&store).len(), 2, "{}: back to the default is a change", db.name);
        let both = Settings { stale_days: 60, approval_required: true };
        store.save_settings(&both, "admin").unwrap();
        assert_eq!(store.settings().unwrap(), both, "{}", db.name);
        let entries = setting_entries(&store);
        assert_eq!(
            entries[2..],
            [
                ("stale_days".to_owned(), "90".into(), "60".into()),
                ("approval_required".to_owned(), serde_json::Value::Null, "true".into()),
            ],
            "{}",
            db.name
        );

        // Saving the same again changes nothing; changing one key audits that key alone.
        store.save_settings(&both, "admin").unwrap();
        assert_eq!(setting_entries(&store).len(), 4, "{}", db.name);
        store.save_settings(&Settings { approval_required: false, ..both }, "bob").unwrap();
        let entries = setting_entries(&store);
        assert_eq!(entries.len(), 5, "{}", db.name);
        assert_eq!(entries[4], ("approval_required".to_owned(), "true".into(), "false".into()), "{}", db.name);
        assert_eq!(store.settings().unwrap(), Settings { stale_days: 60, approval_required: false });
        let last = store.audit(&AuditFilter { limit: Some(1), ..Default::default() }).unwrap();
        assert_eq!(last[0].actor, "bob", "{}", db.name);
    }
}

#[test]
fn a_setting_change_changes_the_plan_revision() {
    for db in databases() {
        let store = db.open();
        store.import_plan(&assure_store::ImportPlanRequest::new(&crate::bundled(), "ann")).unwrap();
        let before = store.plan_revision("kent-and-medway-2024-26").unwrap().unwrap();
        store.save_settings(&Settings { stale_days: 30, ..Settings::default() }, "admin").unwrap();
        let after = store.plan_revision("kent-and-medway-2024-26").unwrap().unwrap();
        assert!(after > before, "{}: {before} → {after}", db.name);
    }
}

#[test]
fn invalid_settings_are_refused_and_nothing_is_written() {
    for db in databases() {
        let store = db.open();
        for stale_days in [0, 3651, u32::MAX] {
            let err = store.save_settings(&Settings { stale_days, approval_required: true }, "admin").unwrap_err();
            assert!(
                matches!(err, StoreError::Rejected { field: "stale_days", ref message }
                    if message == "Enter a whole number of days from 1 to 3650"),
                "{}: {err}",
                db.name
            );
        }
        assert_eq!(store.settings().unwrap(), Settings::default(), "{}: approval not saved either", db.name);
        assert!(setting_entries(&store).is_empty(), "{}", db.name);
        for stale_days in [1, 3650] {
            store.save_settings(&Settings { stale_days, approval_required: false }, "admin").unwrap();
            assert_eq!(store.settings().unwrap().stale_days, stale_days, "{}", db.name);
        }
    }
}

#[test]
fn an_unreadable_stored_setting_is_corrupt_and_saving_repairs_it() {
    for db in databases() {
        let store = db.open();
        for (key, value) in [("stale_days", "ninety"), ("stale_days", "0"), ("approval_required", "yes")] {
            db.raw_sql(&format!("DELETE FROM setting; INSERT INTO setting (key, value) VALUES ('{key}', '{value}')"))
                .unwrap();
            let err = store.settings().unwrap_err();
            assert!(
                matches!(err, StoreError::Corrupt(ref m) if m.contains(&format!("'{value}'"))),
                "{}: {key}={value}: {err}",
                db.name
            );
            let fixed = Settings { stale_days: 45, approval_required: true };
            store.save_settings(&fixed, "admin").unwrap();
            assert_eq!(store.settings().unwrap(), fixed, "{}", db.name);
        }
    }
}

//! The audit log: filtered listing, and append-only even to someone with SQL.

use assure_store::{AuditFilter, ImportPlanRequest};

use crate::{bundled, bundled_as, databases};

#[test]
fn the_audit_log_refuses_updates_and_deletes() {
    for db in databases() {
        let store = db.open();
        store.import_plan(&ImportPlanRequest::new(&bundled(), "ann")).unwrap();
        let mut attempts = vec!["UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"];
        if db.name == "postgres" {
            attempts.push("TRUNCATE audit_log");
        }
        for sql in attempts {
            let err = db.raw_sql(sql).unwrap_err();
            assert!(err.contains("append-only"), "{}: {sql}: {err}", db.name);
        }
        assert_eq!(store.audit(&AuditFilter::default()).unwrap()[0].actor, "ann");
    }
}

#[test]
fn the_audit_log_filters_by_who_what_and_when() {
    for db in databases() {
        let store = db.open();
        store.import_plan(&ImportPlanRequest::new(&bundled(), "ann")).unwrap();
        store.import_plan(&ImportPlanRequest::new(&bundled_as("second"), "bob")).unwrap();
        store.delete_plan("second", "bob").unwrap();
        let all = store.audit(&AuditFilter::default()).unwrap();
        assert_eq!(all.len(), 3, "{}", db.name);
        assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
        assert!(all.iter().all(|e| e.before.is_none() && e.after.is_none()), "values only when asked");

        let by_bob = store.audit(&AuditFilter { actor: Some("bob".into()), ..Default::default() }).unwrap();
        assert_eq!(by_bob.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["delete", "import"]);
        let second =
            store.audit(&AuditFilter { plan_id: Some("second".into()), limit: Some(1), ..Default::default() }).unwrap();
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].action, "delete");
        let future = store.audit(&AuditFilter { since: Some("2999-01-01".into()), ..Default::default() }).unwrap();
        assert!(future.is_empty());
        let since = store.audit(&AuditFilter { since: Some(all[2].at.clone()), ..Default::default() }).unwrap();
        assert_eq!(since.len(), 3);
        let one = store.audit(&AuditFilter { id: Some(all[1].id), values: true, ..Default::default() }).unwrap();
        assert_eq!(one[0].after.as_ref().unwrap()["meta"]["id"], "second");
    }
}

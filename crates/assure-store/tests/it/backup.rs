//! Backups: a round trip through `Store::backup` and `restore` keeps plans,
//! observations, accounts (sign-in still works), delivery updates and the audit log;
//! a database that holds anything is not restored into unless forced.

use assure_store::{
    AccountFields, AuditFilter, BackupError, DataFile, ImportMode, ImportPlanRequest, ItemKind, Observation,
    ObservationKey, Publication, Role, Store, UpdateDraft,
};

use crate::{TestDb, bundled, databases};

const PLAN: &str = "kent-and-medway-2024-26";
const PASSWORD: &str = "a long enough password";

fn observations() -> Vec<Observation> {
    (0..500u32)
        .map(|i| Observation {
            key: ObservationKey {
                indicator: "smoking-at-time-of-delivery".into(),
                area: "E54000032".into(),
                period: format!("{}", 1600 + i),
                breakdown: String::new(),
            },
            value: Some(9.0 + f64::from(i) / 1000.0),
            lower: None,
            upper: None,
            numerator: Some(f64::from(i)),
            denominator: None,
            note: (i % 7 == 0).then(|| format!("note {i}")),
            source: Some("test".into()),
            illustrative: false,
            line: u64::from(i) + 2,
        })
        .collect()
}

/// A database with some of everything.
fn filled(store: &Store) {
    store.import_plan(&ImportPlanRequest::new(&bundled(), "ann")).unwrap();
    let file = DataFile { name: "a.csv".into(), checksum: "c".into(), format: "assure".into(), skipped: 0 };
    store.import_observations(PLAN, &observations(), &file, ImportMode::Insert, "ann").unwrap();
    let fields = AccountFields {
        display_name: "Eddie".into(),
        role: Role::Editor,
        organisations: vec!["medway-council".into()],
        disabled: false,
    };
    store.create_account("eddie", PASSWORD, &fields, "ann").unwrap();
    let draft = UpdateDraft {
        status: assure_plan::delivery::DeliveryStatus::OnTrack,
        narrative: "Going well".into(),
        evidence: vec![],
        expected: None,
        expected_reason: None,
        internal_note: None,
    };
    store.add_update(PLAN, ItemKind::Milestone, "m1", &draft, Publication::Published, "eddie").unwrap();
}

/// Everything compared: what each table holds, read through the store, written out.
fn snapshot(store: &Store) -> String {
    let audit = store.audit(&AuditFilter { values: true, ..Default::default() }).unwrap();
    let audit: Vec<_> =
        audit.into_iter().map(|e| (e.id, e.at, e.actor, e.action, e.entity_id, e.before, e.after)).collect();
    let all = (
        store.contents().unwrap(),
        serde_json::to_value(store.plan(PLAN).unwrap()).unwrap(),
        store.observations(PLAN, None).unwrap(),
        store.updates(PLAN, None).unwrap(),
        store.accounts().unwrap().into_iter().map(|a| (a.username, a.role, a.organisations)).collect::<Vec<_>>(),
        audit,
    );
    format!("{all:?}")
}

#[test]
fn a_backup_restores_everything_into_an_empty_database_and_a_full_one_only_when_forced() {
    for db in databases() {
        let store = db.open();
        filled(&store);
        let before = snapshot(&store);
        let contents = store.contents().unwrap();
        assert_eq!((contents.plans, contents.observations, contents.accounts, contents.updates), (1, 500, 1, 1));
        let dir = tempfile::tempdir().unwrap();
        let backup = dir.path().join("assure.backup");
        store.backup(&backup).unwrap();

        // Into a database that holds data: refused, saying what it holds.
        match assure_store::restore(&db.url, &backup, false) {
            Err(e @ BackupError::NotEmpty(there)) => {
                assert_eq!(there, contents, "{}", db.name);
                assert!(e.to_string().contains("1 plan, 500 observations, 1 account, 1 delivery update"), "{e}");
            }
            other => panic!("{}: expected a refusal, got {other:?}", db.name),
        }

        // Into an empty one: a new SQLite file; PostgreSQL's schema dropped and made again.
        drop(store);
        let fresh = TestDb::sqlite();
        let target = if db.name == "sqlite" {
            &fresh
        } else {
            db.raw_sql(
                "DO $$ BEGIN EXECUTE format('DROP SCHEMA %I CASCADE; CREATE SCHEMA %I', current_schema(), \
                 current_schema()); END $$",
            )
            .unwrap();
            &db
        };
        assert!(target.open().contents().unwrap().is_empty(), "{}", db.name);
        let restored = assure_store::restore(&target.url, &backup, false).unwrap();
        assert_eq!(restored, contents, "{}", db.name);
        let store = target.open();
        assert!(snapshot(&store) == before, "{}: everything as it was", db.name);
        let session = store.sign_in("eddie", PASSWORD, "127.0.0.1").unwrap();
        assert!(session.is_ok(), "{}: sign-in works with the restored password hash", db.name);
        // New rows follow the restored ones (sequences restored too).
        let last = store.audit(&AuditFilter::default()).unwrap().iter().map(|e| e.id).max().unwrap();
        store
            .create_account(
                "newer",
                PASSWORD,
                &AccountFields { display_name: "N".into(), role: Role::Viewer, organisations: vec![], disabled: false },
                "ann",
            )
            .unwrap();
        let next = store.audit(&AuditFilter::default()).unwrap().iter().map(|e| e.id).max().unwrap();
        assert!(next > last, "{}: {next} after {last}", db.name);

        // Forced over a database that holds data: replaced whole.
        drop(store);
        let again = assure_store::restore(&target.url, &backup, true).unwrap();
        assert_eq!(again, contents, "{}", db.name);
        assert!(snapshot(&target.open()) == before, "{}: the account added since is gone", db.name);
    }
}

#[test]
fn a_file_that_is_not_a_backup_is_refused_and_nothing_is_touched() {
    for db in databases() {
        let store = db.open();
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.backup");
        std::fs::write(&junk, "not a backup at all, just some text that is long enough to be a header").unwrap();
        let e = assure_store::restore(&db.url, &junk, false).unwrap_err();
        assert!(matches!(e, BackupError::NotABackup { .. }), "{}: {e}", db.name);
        assert!(e.to_string().contains("is not a backup of an Assure database"), "{}: {e}", db.name);
        assert!(store.contents().unwrap().is_empty(), "{}", db.name);
        let missing = assure_store::restore(&db.url, &dir.path().join("missing"), false).unwrap_err();
        assert!(matches!(missing, BackupError::File { .. }), "{}: {missing}", db.name);
    }
}

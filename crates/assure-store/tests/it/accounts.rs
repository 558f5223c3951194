//! Accounts: created once per username, changed by an admin (which ends sessions signed
//! in under the old terms), disabled, and their passwords; and a corrupt stored flag is
//! an error, never an enabled account.

use assure_store::{AccountFields, AuditFilter, Role, StoreError};

use crate::databases;

/// A password long enough to be accepted.
pub const PASSWORD: &str = "correct horse battery";

/// Fields for an account of this role and organisations.
pub fn fields(role: Role, organisations: &[&str]) -> AccountFields {
    AccountFields {
        display_name: "Ann Example".into(),
        role,
        organisations: organisations.iter().map(|o| (*o).to_owned()).collect(),
        disabled: false,
    }
}

#[test]
fn an_account_is_created_once_per_username_and_audited() {
    for db in databases() {
        let store = db.open();
        let a = store.create_account(" Ann ", PASSWORD, &fields(Role::Editor, &["kcc", "kcc"]), "admin").unwrap();
        assert_eq!((a.username.as_str(), a.role, a.disabled), ("ann", Role::Editor, false), "{}", db.name);
        assert_eq!(a.organisations, ["kcc"], "{}: organisations are a set", db.name);
        assert_eq!(store.account("ANN").unwrap(), Some(a.clone()), "{}", db.name);
        assert_eq!(store.accounts().unwrap(), [a], "{}", db.name);

        let err = store.create_account("ann", PASSWORD, &fields(Role::Viewer, &[]), "admin").unwrap_err();
        assert!(
            matches!(err, StoreError::Rejected { field: "username", ref message } if message.contains("already")),
            "{}: {err}",
            db.name
        );
        for (username, password, f, field) in [
            ("Not Valid!", PASSWORD, fields(Role::Viewer, &[]), "username"),
            ("bob", "short", fields(Role::Viewer, &[]), "password"),
            ("bob", PASSWORD, fields(Role::Editor, &[]), "organisations"),
        ] {
            let err = store.create_account(username, password, &f, "admin").unwrap_err();
            assert!(matches!(err, StoreError::Rejected { field: f, .. } if f == field), "{}: {err}", db.name);
        }
        assert_eq!(store.accounts().unwrap().len(), 1, "{}: nothing written for a refused account", db.name);

        let audit = store.audit(&AuditFilter { entity: Some("account".into()), ..Default::default() }).unwrap();
        assert_eq!(audit.len(), 1, "{}", db.name);
        assert_eq!((audit[0].action.as_str(), audit[0].entity_id.as_str()), ("create", "ann"));
    }
}

#[test]
fn changing_role_or_organisations_or_disabling_ends_sessions_and_a_name_change_does_not() {
    for db in databases() {
        let store = db.open();
        store.create_account("ann", PASSWORD, &fields(Role::Editor, &["kcc"]), "admin").unwrap();
        let sign_in = || store.sign_in("ann", PASSWORD, "10.0.0.1").unwrap().expect("signs in").token;

        let token = sign_in();
        let renamed = AccountFields { display_name: "Ann Other".into(), ..fields(Role::Editor, &["kcc"]) };
        assert_eq!(store.update_account("ann", &renamed, "admin").unwrap().display_name, "Ann Other");
        assert!(store.session(&token).unwrap().is_some(), "{}: a new name keeps the session", db.name);

        let before = fields(Role::Editor, &["kcc"]);
        for change in [
            fields(Role::Admin, &["kcc"]),
            fields(Role::Editor, &["kcc", "medway"]),
            AccountFields { disabled: true, ..before.clone() },
        ] {
            store.update_account("ann", &before, "admin").unwrap();
            let token = sign_in();
            let after = store.update_account("ann", &change, "admin").unwrap();
            assert_eq!(
                (after.role, &after.organisations, after.disabled),
                (change.role, &change.organisations, change.disabled),
                "{}",
                db.name
            );
            assert!(store.session(&token).unwrap().is_none(), "{}: {change:?} ends the session", db.name);
        }
        assert_eq!(
            store.sign_in("ann", PASSWORD, "10.0.0.1").unwrap().unwrap_err(),
            assure_store::Refusal::WrongCredentials,
            "{}: a disabled account cannot sign in",
            db.name
        );
        let err = store.update_account("nobody", &fields(Role::Viewer, &[]), "admin").unwrap_err();
        assert!(matches!(err, StoreError::NoSuchAccount(ref u) if u == "nobody"), "{}: {err}", db.name);
    }
}

#[test]
fn a_new_password_works_the_old_one_does_not_and_sessions_end() {
    for db in databases() {
        let store = db.open();
        store.create_account("ann", PASSWORD, &fields(Role::Viewer, &[]), "admin").unwrap();
        assert!(store.check_password("ann", PASSWORD).unwrap(), "{}", db.name);
        assert!(!store.check_password("ann", "not the password").unwrap(), "{}", db.name);
        assert!(!store.check_password("nobody", PASSWORD).unwrap(), "{}", db.name);
        let token = store.sign_in("ann", PASSWORD, "10.0.0.1").unwrap().unwrap().token;

        let err = store.set_password("ann", "short", "ann").unwrap_err();
        assert!(matches!(err, StoreError::Rejected { field: "password", .. }), "{}: {err}", db.name);
        assert!(store.session(&token).unwrap().is_some(), "{}: a refused password changes nothing", db.name);

        store.set_password("ann", "a brand new passphrase", "ann").unwrap();
        assert!(store.check_password("ann", "a brand new passphrase").unwrap(), "{}", db.name);
        assert!(!store.check_password("ann", PASSWORD).unwrap(), "{}", db.name);
        assert!(store.session(&token).unwrap().is_none(), "{}: a new password ends sessions", db.name);
        let audit = store.audit(&AuditFilter { action: Some("set_password".into()), ..Default::default() }).unwrap();
        assert_eq!(audit.len(), 1, "{}", db.name);
        assert!(matches!(store.set_password("nobody", PASSWORD, "x"), Err(StoreError::NoSuchAccount(_))));
    }
}

#[test]
fn an_unreadable_disabled_flag_is_a_corrupt_row_not_an_enabled_account() {
    for db in databases() {
        let store = db.open();
        store.create_account("ann", PASSWORD, &fields(Role::Viewer, &[]), "admin").unwrap();
        // What a hand edit could leave: the flag is neither true nor false (SQLite's
        // strict table takes only an integer, and only 0 or 1 past its CHECK).
        let (edit, found) = match db.name {
            "sqlite" => ("PRAGMA ignore_check_constraints = ON; UPDATE account SET disabled = 2", "the integer 2"),
            _ => (
                "ALTER TABLE account ALTER COLUMN disabled DROP DEFAULT; \
                 ALTER TABLE account ALTER COLUMN disabled TYPE text USING disabled::text; \
                 UPDATE account SET disabled = 'maybe'",
                "the text 'maybe'",
            ),
        };
        db.raw_sql(edit).unwrap();
        for err in [
            store.account("ann").unwrap_err(),
            store.accounts().unwrap_err(),
            store.sign_in("ann", PASSWORD, "10.0.0.1").unwrap_err(),
        ] {
            assert!(
                matches!(err, StoreError::Corrupt(ref m) if m.contains("account.disabled") && m.contains(found)),
                "{}: {err}",
                db.name
            );
        }
    }
}

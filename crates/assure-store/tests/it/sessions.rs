//! Signing in (throttled by username and by client), sessions, and API tokens.

use assure_store::{AuditFilter, MAX_FAILURES_PER_USERNAME, Refusal, Role, StoreError};

use crate::accounts::{PASSWORD, fields};
use crate::databases;

#[test]
fn signing_in_makes_a_session_that_ends_on_sign_out() {
    for db in databases() {
        let store = db.open();
        store.create_account("ann", PASSWORD, &fields(Role::Viewer, &[]), "admin").unwrap();
        let first = store.sign_in(" ANN ", PASSWORD, "10.0.0.1").unwrap().expect("signs in");
        assert_eq!(first.account.username, "ann", "{}", db.name);
        let second = store.sign_in("ann", PASSWORD, "10.0.0.1").unwrap().unwrap();
        assert_ne!(first.token, second.token, "{}: a fresh token every time", db.name);
        assert_ne!(first.token, first.csrf, "{}", db.name);

        let live = store.session(&first.token).unwrap().expect("live session");
        assert_eq!((live.account.username.as_str(), live.csrf.as_str()), ("ann", first.csrf.as_str()), "{}", db.name);
        assert!(store.session("not a token").unwrap().is_none(), "{}", db.name);

        assert!(store.end_session(&first.token).unwrap(), "{}", db.name);
        assert!(!store.end_session(&first.token).unwrap(), "{}: ending twice finds nothing", db.name);
        assert!(store.session(&first.token).unwrap().is_none(), "{}", db.name);
        assert!(store.session(&second.token).unwrap().is_some(), "{}: the other session lives on", db.name);
    }
}

#[test]
fn a_wrong_password_or_unknown_username_is_refused_alike() {
    for db in databases() {
        let store = db.open();
        store.create_account("ann", PASSWORD, &fields(Role::Viewer, &[]), "admin").unwrap();
        for (username, password) in [("ann", "not the password"), ("nobody", PASSWORD), ("ann", "")] {
            let refusal = store.sign_in(username, password, "10.0.0.1").unwrap().unwrap_err();
            assert_eq!(refusal, Refusal::WrongCredentials, "{}: {username}", db.name);
        }
        assert!(store.sign_in("ann", PASSWORD, "10.0.0.1").unwrap().is_ok(), "{}", db.name);
    }
}

#[test]
fn too_many_failures_lock_the_username_even_with_the_right_password_but_not_others() {
    for db in databases() {
        let store = db.open();
        for u in ["ann", "bob"] {
            store.create_account(u, PASSWORD, &fields(Role::Viewer, &[]), "admin").unwrap();
        }
        // Failures below the limit are forgotten on a good sign-in.
        for _ in 0..MAX_FAILURES_PER_USERNAME - 1 {
            store.sign_in("ann", "wrong", "10.0.0.1").unwrap().unwrap_err();
        }
        store.sign_in("ann", PASSWORD, "10.0.0.1").unwrap().expect("under the limit");
        for _ in 0..MAX_FAILURES_PER_USERNAME {
            let r = store.sign_in("ann", "wrong", "10.0.0.2").unwrap().unwrap_err();
            assert_eq!(r, Refusal::WrongCredentials, "{}", db.name);
        }
        let locked = store.sign_in("ann", PASSWORD, "10.0.0.3").unwrap().unwrap_err();
        assert_eq!(locked, Refusal::LockedUsername, "{}: locked, whatever the password", db.name);
        assert!(locked.message().contains("15 minutes"), "{}", locked.message());
        assert!(store.sign_in("bob", PASSWORD, "10.0.0.2").unwrap().is_ok(), "{}: bob is not locked", db.name);
        let unknown = store.sign_in("nobody", "x", "10.0.0.4");
        assert_eq!(unknown.unwrap().unwrap_err(), Refusal::WrongCredentials, "{}", db.name);
    }
}

#[test]
fn an_api_token_acts_as_its_account_until_revoked_or_the_account_is_disabled() {
    for db in databases() {
        let store = db.open();
        store.create_account("ann", PASSWORD, &fields(Role::Editor, &["kcc"]), "admin").unwrap();
        store.create_account("bob", PASSWORD, &fields(Role::Viewer, &[]), "admin").unwrap();
        let err = store.create_token("ann", "  ", "ann").unwrap_err();
        assert!(matches!(err, StoreError::Rejected { field: "name", .. }), "{}: {err}", db.name);
        assert!(matches!(store.create_token("nobody", "x", "ann"), Err(StoreError::NoSuchAccount(_))));

        let (token, secret) = store.create_token("ann", " nightly upload ", "ann").unwrap();
        assert_eq!((token.username.as_str(), token.name.as_str()), ("ann", "nightly upload"), "{}", db.name);
        assert!(secret.starts_with("assure_") && secret.len() == 71, "{secret}");
        assert_eq!(store.token_account(&secret).unwrap().map(|a| a.username).as_deref(), Some("ann"), "{}", db.name);
        assert!(store.token_account("assure_0000").unwrap().is_none(), "{}", db.name);
        let (bobs, bob_secret) = store.create_token("bob", "reports", "bob").unwrap();
        assert_eq!(store.tokens(Some("ann")).unwrap(), std::slice::from_ref(&token), "{}", db.name);
        assert_eq!(store.tokens(None).unwrap().len(), 2, "{}", db.name);

        let revoked = store.revoke_token(token.id, "ann").unwrap();
        assert!(revoked.revoked_at.is_some(), "{}", db.name);
        assert_eq!(store.revoke_token(token.id, "ann").unwrap().revoked_at, revoked.revoked_at, "{}: twice", db.name);
        assert!(store.token_account(&secret).unwrap().is_none(), "{}: a revoked token is refused", db.name);
        assert_eq!(store.tokens(Some("ann")).unwrap()[0].revoked_at, revoked.revoked_at, "{}", db.name);
        assert!(matches!(store.revoke_token(9999, "ann"), Err(StoreError::NoSuchToken(9999))), "{}", db.name);

        assert!(store.token_account(&bob_secret).unwrap().is_some(), "{}", db.name);
        let disabled = assure_store::AccountFields { disabled: true, ..fields(Role::Viewer, &[]) };
        store.update_account("bob", &disabled, "admin").unwrap();
        assert!(store.token_account(&bob_secret).unwrap().is_none(), "{}: a disabled account's token", db.name);
        assert!(
            store.tokens(Some("bob")).unwrap()[0].revoked_at.is_none(),
            "{}: {bobs:?} itself is unchanged",
            db.name
        );

        let audit = store.audit(&AuditFilter { entity: Some("api_token".into()), ..Default::default() }).unwrap();
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["revoke", "create", "create"], "{}: revoking twice is audited once", db.name);
    }
}

#[test]
fn a_sign_in_form_token_is_bound_to_its_nonce_by_the_databases_secret() {
    for db in databases() {
        let (one, two) = (db.open(), db.open());
        let form = one.sign_in_form().unwrap();
        assert_ne!(form.nonce, form.token, "{}", db.name);
        assert!(one.sign_in_form_valid(&form.nonce, &form.token).unwrap(), "{}", db.name);
        // Another process on the same database shares the secret, and sees the same settings.
        assert!(two.sign_in_form_valid(&form.nonce, &form.token).unwrap(), "{}: a second process", db.name);
        let again = two.sign_in_form().unwrap();
        assert!(one.sign_in_form_valid(&again.nonce, &again.token).unwrap(), "{}", db.name);
        assert_eq!(one.settings().unwrap(), assure_store::Settings::default(), "{}", db.name);
        // Forged: a pair the attacker chose, a token for another nonce, a changed nonce.
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let chosen = format!("{now}.attacker");
        for (nonce, token) in [
            (chosen.as_str(), chosen.as_str()),
            ("", ""),
            ("x", "x"),
            (again.nonce.as_str(), form.token.as_str()),
            (&form.nonce[..form.nonce.len() - 1], form.token.as_str()),
            (form.nonce.as_str(), &form.token[..form.token.len() - 1]),
        ] {
            assert!(!one.sign_in_form_valid(nonce, token).unwrap(), "{}: {nonce:?} {token:?}", db.name);
        }
        // Too old, or from the future: the nonce's time is part of what the token signs,
        // so it cannot be changed without the secret either.
        let old = now - assure_store::SIGN_IN_FORM_LIFETIME.as_secs() - 1;
        let stale = form.nonce.replacen(&form.nonce[..form.nonce.find('.').unwrap()], &old.to_string(), 1);
        assert!(!one.sign_in_form_valid(&stale, &form.token).unwrap(), "{}", db.name);
        // A fresh database has its own secret.
        let fresh = assure_store::testing::TestDb::sqlite();
        let other = fresh.open();
        assert!(!other.sign_in_form_valid(&form.nonce, &form.token).unwrap(), "{}: another database", db.name);
    }
}

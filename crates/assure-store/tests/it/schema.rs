//! Migrations: applied once, recorded, and the same tables and columns on both backends.

use assure_store::migrate::MIGRATIONS;

use crate::{TestDb, databases, postgres_available};

#[test]
fn a_new_database_gets_every_migration_once() {
    for db in databases() {
        let (store, first) = assure_store::Store::open(&db.url).unwrap();
        assert!(first.created(), "{}: a new database is created", db.name);
        assert_eq!(first.applied.len(), MIGRATIONS.len(), "{}", db.name);
        let (_, second) = assure_store::Store::open(&db.url).unwrap();
        assert!(second.applied.is_empty() && !second.created(), "{}: nothing applied twice", db.name);
        assert_eq!(second.version, MIGRATIONS.last().unwrap().version, "the latest step (numbers may skip)");
        assert!(store.migrate().unwrap().applied.is_empty());
    }
}

#[test]
fn both_backends_have_the_same_tables_and_columns() {
    let sqlite = TestDb::sqlite().open().schema().unwrap();
    let names: Vec<&str> = sqlite.iter().map(|(t, _)| t.as_str()).collect();
    for expected in
        ["plan", "outcome", "commitment", "delivery_link", "indicator", "milestone", "observation", "audit_log"]
    {
        assert!(names.contains(&expected), "missing table {expected}: {names:?}");
    }
    if !postgres_available() {
        return;
    }
    let pg = TestDb::postgres().open().schema().unwrap();
    assert_eq!(sqlite, pg);
}

#[test]
fn an_edited_migration_is_refused() {
    let db = TestDb::sqlite();
    db.open();
    db.raw_sql("UPDATE schema_migration SET checksum = 'edited' WHERE version = 2").unwrap();
    let err = assure_store::Store::open(&db.url).unwrap_err().to_string();
    assert!(err.contains("migration 2 (observations) differs"), "{err}");
}

#[test]
fn a_database_newer_than_the_binary_is_refused() {
    let db = TestDb::sqlite();
    db.open();
    db.raw_sql("INSERT INTO schema_migration VALUES (99, 'future', 'x', 'now')").unwrap();
    let err = assure_store::Store::open(&db.url).unwrap_err().to_string();
    assert!(err.contains("schema version 99, newer than this assure"), "{err}");
}

#[test]
fn an_sqlite_file_in_a_missing_directory_is_a_clear_error() {
    let url = assure_store::DatabaseUrl::Sqlite("/nonexistent-dir/assure.db".into());
    let err = assure_store::Store::open(&url).unwrap_err().to_string();
    assert!(err.contains("directory /nonexistent-dir does not exist"), "{err}");
}

#[test]
fn an_unreachable_postgres_is_a_clear_error() {
    let url = assure_store::DatabaseUrl::parse("postgres://nobody:secret@127.0.0.1:1/none").unwrap();
    let err = assure_store::Store::open(&url).unwrap_err().to_string();
    assert!(err.starts_with("cannot open database postgres://nobody:***@127.0.0.1:1/none"), "{err}");
    assert!(!err.contains("secret"));
}

#[test]
fn database_urls_parse() {
    use assure_store::DatabaseUrl;
    assert_eq!(DatabaseUrl::parse("x.db").unwrap(), DatabaseUrl::Sqlite("x.db".into()));
    assert_eq!(DatabaseUrl::parse("sqlite:a/b.db").unwrap(), DatabaseUrl::Sqlite("a/b.db".into()));
    assert_eq!(DatabaseUrl::parse("sqlite:///tmp/b.db").unwrap(), DatabaseUrl::Sqlite("/tmp/b.db".into()));
    assert!(matches!(DatabaseUrl::parse("postgresql://h/d").unwrap(), DatabaseUrl::Postgres(_)));
    assert!(DatabaseUrl::parse("mysql://h/d").is_err());
    assert!(DatabaseUrl::parse("sqlite:").is_err());
    // Options after '?' are parsed, not made part of the file name (issue 19, defect 10).
    assert_eq!(DatabaseUrl::parse("sqlite:///tmp/x.db?mode=rwc").unwrap(), DatabaseUrl::Sqlite("/tmp/x.db".into()));
    assert_eq!(DatabaseUrl::parse("sqlite:x.db?mode=rwc").unwrap(), DatabaseUrl::Sqlite("x.db".into()));
    let e = DatabaseUrl::parse("sqlite:///tmp/x.db?mode=ro").unwrap_err().to_string();
    assert!(e.contains("option 'mode=ro' is not supported"), "{e}");
}

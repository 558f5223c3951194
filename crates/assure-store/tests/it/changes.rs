//! `Changes::generation` on SQLite: it moves when another connection commits, whichever
//! thread asks, and stays put while nothing changes.

use crate::TestDb;

/// Longer than the data version is trusted without reading it again ([`SQLITE_FRESH`]):
/// another connection's commit is promised to be seen after that, not sooner.
///
/// [`SQLITE_FRESH`]: assure_store::SQLITE_FRESH
fn past_fresh() {
    std::thread::sleep(assure_store::SQLITE_FRESH * 3);
}

#[test]
fn a_commit_elsewhere_moves_the_generation_on_every_thread() {
    let db = TestDb::sqlite();
    let store = db.open();
    let changes = store.changes();
    let first = changes.generation().expect("SQLite's data version can be read");
    assert_eq!(changes.generation(), Some(first), "nothing changed");

    // Another thread's first question may count a change (it has not read before); after
    // that, both threads agree while nothing changes.
    std::thread::scope(|s| s.spawn(|| changes.generation()).join().unwrap());
    let settled = changes.generation().unwrap();
    let elsewhere = std::thread::scope(|s| s.spawn(|| changes.generation()).join().unwrap());
    assert!(elsewhere.is_some());

    // A commit on a connection that is not the store's (as another process's would be).
    db.raw_sql("CREATE TABLE probe (x INTEGER)").unwrap();
    past_fresh();
    let moved = changes.generation().unwrap();
    assert_ne!(moved, settled, "this thread sees the commit");
    assert_eq!(changes.generation(), Some(moved), "and then nothing more");

    // A thread that read before the commit sees it too.
    let (before, after) = std::thread::scope(|s| {
        s.spawn(|| {
            let before = changes.generation().unwrap();
            db.raw_sql("INSERT INTO probe VALUES (1)").unwrap();
            past_fresh();
            (before, changes.generation().unwrap())
        })
        .join()
        .unwrap()
    });
    assert_ne!(before, after, "the other thread sees the second commit");
    assert_ne!(changes.generation(), Some(moved), "and so does this one");
}

/// On PostgreSQL audit entries are numbered in commit order: a store write that begins
/// while another writer's entry is still uncommitted waits for it, and is numbered after
/// it. Otherwise a server could read the later number as the plan's revision while the
/// earlier change was still uncommitted, and never show that change.
#[test]
fn audit_entries_are_numbered_in_the_order_they_are_committed() {
    use r2d2_postgres::postgres;
    if !crate::postgres_available() {
        return;
    }
    let db = TestDb::postgres();
    let store = db.open();
    let assure_store::DatabaseUrl::Postgres(url) = &db.url else { unreachable!() };
    // Another server's write, in flight: it holds the order (the store's lock, 4242002,
    // in `audit::record_id`) and has its entry numbered, but has not committed.
    let mut other = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let mut in_flight = other.transaction().unwrap();
    in_flight.execute("SELECT pg_advisory_xact_lock(4242002)", &[]).unwrap();
    let row = in_flight
        .query_one(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id) \
             VALUES ('2026-12-04T00:00:00Z', 'other', 'create', 'setting', 'x') RETURNING id",
            &[],
        )
        .unwrap();
    let theirs: i64 = row.get(0);
    let (done, wait) = std::sync::mpsc::channel();
    std::thread::scope(|s| {
        s.spawn(|| {
            let settings = assure_store::Settings { stale_days: 45, ..Default::default() };
            store.save_settings(&settings, "ours").unwrap();
            done.send(()).unwrap();
        });
        assert!(
            wait.recv_timeout(std::time::Duration::from_millis(300)).is_err(),
            "the store's write waits while an earlier-numbered entry is uncommitted"
        );
        in_flight.commit().unwrap();
        wait.recv_timeout(std::time::Duration::from_secs(10)).expect("and is written once it is committed");
    });
    let ours: i64 = other.query_one("SELECT max(id) FROM audit_log WHERE actor = 'ours'", &[]).unwrap().get(0);
    assert!(ours > theirs, "numbered after the entry committed before it: {ours} > {theirs}");
}

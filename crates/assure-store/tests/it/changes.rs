//! `Changes::generation` on SQLite: it moves when another connection commits, whichever
//! thread asks, and stays put while nothing changes.

use crate::TestDb;

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
    let moved = changes.generation().unwrap();
    assert_ne!(moved, settled, "this thread sees the commit");
    assert_eq!(changes.generation(), Some(moved), "and then nothing more");

    // A thread that read before the commit sees it too.
    let (before, after) = std::thread::scope(|s| {
        s.spawn(|| {
            let before = changes.generation().unwrap();
            db.raw_sql("INSERT INTO probe VALUES (1)").unwrap();
            (before, changes.generation().unwrap())
        })
        .join()
        .unwrap()
    });
    assert_ne!(before, after, "the other thread sees the second commit");
    assert_ne!(changes.generation(), Some(moved), "and so does this one");
}

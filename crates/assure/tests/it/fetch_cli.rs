//! `assure data fetch fingertips` and `assure data sources`, run as a person would,
//! against a local server this test starts that answers as Fingertips' "all data" CSV
//! endpoint does, with an error, or not at all; and a source fetched by `assure jobs run`.

use std::time::{Duration, Instant};

use assert_cmd::Command;
use assure_store::testing::TestDb;
use predicates::prelude::*;

#[path = "../../../assure-app/tests/common/fake_fingertips.rs"]
mod fake_fingertips;
use fake_fingertips::{Fake, Reply, answer};

const TARGET: &str =
    "/api/all_data/csv/by_indicator_id?indicator_ids=93085&child_area_type_id=502&parent_area_type_id=15";

fn assure(db: &TestDb) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("assure"));
    c.env_remove("DATABASE_URL").env_remove("ASSURE_FINGERTIPS_URL").env("ASSURE_ACTOR", "tester");
    c.arg("--database").arg(db.arg());
    c
}

fn fetch(db: &TestDb, fake: &Fake, timeout: &str) -> Command {
    let mut c = assure(db);
    c.args(["data", "fetch", "fingertips", "--indicator", "93085", "--area-type", "502", "--timeout", timeout])
        .args(["--base-url", &fake.base]);
    c
}

fn imports(db: &TestDb) -> String {
    let out = assure(db).args(["data", "imports"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn data_fetch_fingertips_imports_the_answer_once() {
    let fake = Fake::start(Reply::Csv(answer()));
    let db = TestDb::sqlite();
    let url = format!("{}{TARGET}", fake.base);
    fetch(&db, &fake, "10").assert().success().stdout(predicate::str::contains(format!(
        "{url}: {} byte(s), 6 row(s) into plan 'kent-and-medway-2024-26': 6 new, 0 replaced, 0 unchanged, 2 skipped",
        answer().len()
    )));
    assert_eq!(fake.requests.lock().unwrap().as_slice(), [TARGET]);
    fetch(&db, &fake, "10").assert().success().stdout(predicate::str::contains(
        "6 row(s) into plan 'kent-and-medway-2024-26': 0 new, 0 replaced, 6 unchanged",
    ));
    let listed = imports(&db);
    assert_eq!(listed.lines().filter(|l| l.contains(&format!(" {url} (fingertips, sha256 "))).count(), 2, "{listed}");
    let data = assure(&db).args(["data", "list", "--indicator", "smoking-at-time-of-delivery"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&data.stdout).lines().count(), 7, "a header and six rows");
}

#[test]
fn data_fetch_fingertips_says_why_nothing_was_written() {
    let db = TestDb::sqlite();
    let fake = Fake::start(Reply::Status(500, "Internal Server Error: upstream timed out".into()));
    let url = format!("{}{TARGET}", fake.base);
    fetch(&db, &fake, "10").assert().failure().stderr(predicate::str::contains(format!(
        "{url} answered HTTP 500: Internal Server Error: upstream timed out; nothing was written"
    )));

    fake.set(Reply::Silent);
    let started = Instant::now();
    fetch(&db, &fake, "1")
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!("no answer from {url} within 1 s; nothing was written")));
    assert!(started.elapsed() < Duration::from_secs(8), "took {:?}", started.elapsed());

    let bad = answer().replacen(",2022/23,12.4,", ",2022/23,twelve,", 1);
    fake.set(Reply::Csv(bad));
    fetch(&db, &fake, "10")
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!("{url}:8:")))
        .stderr(predicate::str::contains("twelve"))
        .stderr(predicate::str::contains(format!("{url}: 1 problem(s); nothing was written")));

    fetch(&db, &fake, "0").assert().failure().stderr(predicate::str::contains("--timeout"));
    assert_eq!(imports(&db), "", "nothing was imported");
}

#[test]
fn a_source_added_on_the_command_line_is_fetched_by_the_jobs() {
    let fake = Fake::start(Reply::Csv(answer()));
    let db = TestDb::sqlite();
    assure(&db)
        .args(["data", "sources", "add", "--indicator", "93085", "--area-type", "502", "--every", "daily"])
        .assert()
        .success()
        .stdout(predicate::str::contains("source 1 added: daily https://fingertips.phe.org.uk/api/all_data/csv/"));
    assure(&db).args(["data", "sources"]).assert().success().stdout(predicate::str::contains("not run yet"));
    assure(&db)
        .args(["jobs", "run", "--now", "2026-12-03T09:00:00Z"])
        .env("ASSURE_FINGERTIPS_URL", &fake.base)
        .assert()
        .stdout(predicate::str::contains("fingertips-refresh (2026-12-03T09): 1 Fingertips source(s) fetched"));
    assert_eq!(fake.requests.lock().unwrap().as_slice(), [TARGET]);
    assure(&db)
        .args(["data", "sources"])
        .env("ASSURE_FINGERTIPS_URL", &fake.base)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("{}{TARGET}", fake.base)))
        .stdout(predicate::str::contains("2026-12-03 started"))
        .stdout(predicate::str::contains("6 row(s): 6 new"));
    assure(&db).args(["data", "sources", "remove", "1"]).assert().success();
    assure(&db).args(["data", "sources"]).assert().success().stdout(predicate::str::contains("no Fingertips source"));
    assure(&db)
        .args(["data", "sources", "remove", "1"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no Fingertips source 1"));
}

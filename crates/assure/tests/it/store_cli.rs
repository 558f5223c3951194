//! The database commands, driven as processes on SQLite and PostgreSQL: first run,
//! import/export round trips, refusals that write nothing, diff, audit, two processes
//! on one database, and a process killed in the middle of an import.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use assert_cmd::Command;
use assure_store::testing::{TestDb, databases};
use predicates::prelude::*;

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("assure")
}

fn assure(db: &TestDb) -> Command {
    let mut c = Command::new(bin());
    c.env_remove("DATABASE_URL").env_remove("ASSURE_PLAN_DIR").env("ASSURE_ACTOR", "tester");
    c.arg("--database").arg(db.arg());
    c
}

fn bundled_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/kent-and-medway-2024-26")
}

/// A copy of the bundled plan directory with `edits` applied to its files, in `parent`.
fn plan_copy(parent: &Path, name: &str, edits: &[(&str, &str, &str)]) -> PathBuf {
    let dir = parent.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(bundled_dir()).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    for (file, from, to) in edits {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from} not in {file}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }
    dir
}

/// The files of a directory, by name, with their bytes.
fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn export(db: &TestDb, dir: &Path, plan: &str) -> Vec<(String, Vec<u8>)> {
    assure(db).args(["export", "--plan", plan]).arg(dir).assert().success();
    read_tree(dir)
}

fn stdout(c: &mut Command) -> String {
    String::from_utf8(c.assert().success().get_output().stdout.clone()).unwrap()
}

#[test]
fn first_run_creates_assure_db_and_loads_the_bundled_plan_once() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        let mut c = Command::new(bin());
        c.current_dir(dir.path()).env_remove("DATABASE_URL").arg("plans");
        c.assert().success()
    };
    run()
        .stderr(predicate::str::contains(
            "created sqlite:assure.db and loaded the bundled plan 'kent-and-medway-2024-26'",
        ))
        .stdout(predicate::str::starts_with("kent-and-medway-2024-26  "));
    assert!(dir.path().join("assure.db").is_file());
    run().stderr(predicate::str::is_empty());
    let mut audit = Command::new(bin());
    audit.current_dir(dir.path()).env_remove("DATABASE_URL").args(["audit", "--json"]);
    let entries: serde_json::Value = serde_json::from_str(&stdout(&mut audit)).unwrap();
    assert_eq!(entries.as_array().unwrap().len(), 1, "the bundled plan is loaded once: {entries}");
}

#[test]
fn export_import_export_is_byte_identical_on_both_backends() {
    for db in databases() {
        let tmp = tempfile::tempdir().unwrap();
        assure(&db)
            .arg("import")
            .arg(bundled_dir())
            .assert()
            .success()
            .stdout(predicate::str::contains("imported plan 'kent-and-medway-2024-26'"));
        let first = export(&db, &tmp.path().join("a"), "kent-and-medway-2024-26");
        assert_eq!(first.len(), 10);

        let other = if db.name == "sqlite" { TestDb::sqlite() } else { TestDb::postgres() };
        assure(&other).arg("import").arg(tmp.path().join("a")).assert().success();
        let second = export(&other, &tmp.path().join("b"), "kent-and-medway-2024-26");
        assert!(first == second, "{}: export → import → export differs", db.name);
        assure(&other).arg("check").arg(tmp.path().join("b")).assert().success();
    }
}

#[test]
fn a_plan_that_breaks_on_its_last_record_writes_nothing() {
    for db in databases() {
        let tmp = tempfile::tempdir().unwrap();
        assure(&db).arg("import").arg(bundled_dir()).assert().success();
        let before = export(&db, &tmp.path().join("before"), "kent-and-medway-2024-26");
        let audit_before = stdout(assure(&db).args(["audit", "--json"]));

        // The last record of the last file is wrong; everything before it is fine.
        let broken = plan_copy(
            tmp.path(),
            "broken",
            &[("plan.toml", "id = \"kent-and-medway-2024-26\"", "id = \"broken-plan\"")],
        );
        let areas = std::fs::read_to_string(broken.join("areas.toml")).unwrap();
        let last_kind = areas.rfind("kind = \"").unwrap();
        let end = last_kind + areas[last_kind..].find('\n').unwrap();
        std::fs::write(broken.join("areas.toml"), format!("{}kind = \"planet\"{}", &areas[..last_kind], &areas[end..]))
            .unwrap();
        assure(&db)
            .arg("import")
            .arg(&broken)
            .assert()
            .failure()
            .stderr(predicate::str::contains("areas.toml:"))
            .stderr(predicate::str::contains("planet"))
            .stderr(predicate::str::contains("nothing was written"));
        assert_eq!(stdout(assure(&db).args(["plans", "--json"])).matches("\"id\"").count(), 1);
        assert!(before == export(&db, &tmp.path().join("after"), "kent-and-medway-2024-26"), "{}", db.name);
        assert_eq!(audit_before, stdout(assure(&db).args(["audit", "--json"])), "{}", db.name);
    }
}

#[test]
fn the_same_plan_twice_needs_replace_and_diff_lists_what_changed() {
    for db in databases() {
        let tmp = tempfile::tempdir().unwrap();
        assure(&db).arg("import").arg(bundled_dir()).assert().success();
        assure(&db).arg("import").arg(bundled_dir()).assert().failure().stderr(predicate::str::contains(
            "plan 'kent-and-medway-2024-26' is already in the database; use --replace",
        ));

        let next = plan_copy(
            tmp.path(),
            "next",
            &[
                ("plan.toml", "id = \"kent-and-medway-2024-26\"", "id = \"kent-and-medway-2026-28\""),
                ("indicators.toml", "value = 6.0\nby = \"2028/29\"", "value = 5.0\nby = \"2028/29\""),
            ],
        );
        assure(&db).arg("import").arg(&next).assert().success();
        let out = stdout(assure(&db).args(["diff", "kent-and-medway-2024-26", "kent-and-medway-2026-28"]));
        assert!(out.contains("smoking-at-time-of-delivery"), "{}: {out}", db.name);
        assert!(out.contains("target.value") || out.contains("target"), "{out}");
        let json: serde_json::Value = serde_json::from_str(&stdout(assure(&db).args([
            "diff",
            "kent-and-medway-2024-26",
            next.to_str().unwrap(),
            "--json",
        ])))
        .unwrap();
        assert_eq!(json["changes"].as_array().unwrap().len(), 1, "one indicator's target: {json}");
        assert_eq!(json["changes"][0]["fields"][0]["after"]["value"], 5.0);
        assure(&db)
            .args(["diff", "kent-and-medway-2024-26", "nope"])
            .assert()
            .failure()
            .stderr(predicate::str::contains("'nope' is neither a plan directory, `bundled`, nor a plan in"));

        assure(&db)
            .arg("import")
            .arg("--replace")
            .arg(&next)
            .assert()
            .success()
            .stdout(predicate::str::contains("replaced"));
        let audit = stdout(assure(&db).args(["audit", "--entity-id", "kent-and-medway-2026-28"]));
        assert_eq!(audit.lines().filter(|l| l.starts_with('#')).count(), 2, "{audit}");
        assert!(audit.contains("tester replace plan 'kent-and-medway-2026-28'"), "{audit}");
    }
}

#[test]
fn data_list_writes_a_stored_formula_as_text_and_a_negative_value_as_a_number() {
    for db in databases() {
        let tmp = tempfile::tempdir().unwrap();
        assure(&db).arg("import").arg("--bundled").assert().success();
        let csv = tmp.path().join("obs.csv");
        std::fs::write(
            &csv,
            "indicator,area,period,value,note,source\n\
             diagnostic-waits,E54000032,2023/24,-3.2,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",@source\n",
        )
        .unwrap();
        assure(&db).args(["data", "import"]).arg(&csv).assert().success();
        let listed = stdout(assure(&db).args(["data", "list", "--indicator", "diagnostic-waits"]));
        assert_eq!(
            listed,
            "indicator,area,period,breakdown,value,lower,upper,numerator,denominator,note,source\n\
             diagnostic-waits,kent-medway-ics,2023/24,,-3.2,,,,,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'@source\n",
            "{}",
            db.name
        );
    }
}

#[test]
fn data_import_list_and_re_import_through_the_cli() {
    for db in databases() {
        let tmp = tempfile::tempdir().unwrap();
        assure(&db).arg("import").arg("--bundled").assert().success();
        let csv = tmp.path().join("obs.csv");
        std::fs::write(
            &csv,
            "indicator,area,period,value,lower,upper,note\n\
             smoking-at-time-of-delivery,E54000032,2022/23,10.2,9.8,10.6,\n\
             smoking-at-time-of-delivery,E54000032,2023/24,9.1,8.7,9.5,provisional\n",
        )
        .unwrap();
        assure(&db).args(["data", "import"]).arg(&csv).assert().success().stdout(predicate::str::contains("2 new"));
        let listed = stdout(assure(&db).args(["data", "list", "--indicator", "smoking-at-time-of-delivery"]));
        assert_eq!(
            listed,
            "indicator,area,period,breakdown,value,lower,upper,numerator,denominator,note,source\n\
             smoking-at-time-of-delivery,kent-medway-ics,2022/23,,10.2,9.8,10.6,,,,\n\
             smoking-at-time-of-delivery,kent-medway-ics,2023/24,,9.1,8.7,9.5,,,provisional,\n"
        );
        // The listed CSV is importable as it stands: importing it again changes nothing.
        let back = tmp.path().join("back.csv");
        std::fs::write(&back, &listed).unwrap();
        assure(&db).args(["data", "import"]).arg(&back).assert().success().stdout(predicate::str::contains(
            "2 row(s) into plan 'kent-and-medway-2024-26': 0 new, 0 replaced, 2 unchanged",
        ));
        assure(&db)
            .args(["data", "import", "--new-only"])
            .arg(&back)
            .assert()
            .failure()
            .stderr(predicate::str::contains("already stored"));
        // A corrected file replaces only what it corrects.
        std::fs::write(&back, listed.replace("9.1,8.7,9.5", "9.2,8.8,9.6")).unwrap();
        assure(&db)
            .args(["data", "import"])
            .arg(&back)
            .assert()
            .success()
            .stdout(predicate::str::contains("0 new, 1 replaced, 1 unchanged"));
        let imports = stdout(assure(&db).args(["data", "imports", "--json"]));
        let imports: serde_json::Value = serde_json::from_str(&imports).unwrap();
        assert_eq!(imports.as_array().unwrap().len(), 3, "{}", db.name);
        assert_eq!(imports[0]["name"], "back.csv");
        assert_eq!(imports[0]["replaced"], 1);
        assert_eq!(imports[0]["actor"], "tester");
        assert_eq!(imports[0]["checksum"].as_str().unwrap().len(), 64);
    }
}

#[test]
fn a_fingertips_file_with_problems_is_refused_whole_and_a_good_one_loads() {
    for db in databases() {
        let tmp = tempfile::tempdir().unwrap();
        assure(&db).arg("import").arg("--bundled").assert().success();
        let header = "Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,\
                      Category Type,Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Count,Denominator,Value note";
        let bad = tmp.path().join("bad.csv");
        std::fs::write(
            &bad,
            format!(
                "{header}\n93085,S,,,E54000032,K&M,ICB,Female,All ages,,,2022/23,,,,1800,20000,\n\
                 93085,S,,,E07000999,X,District,Persons,All ages,,,2022/23,9.0,8.0,10.0,,,\n\
                 93085,S,,,E54000032,K&M,ICB,Persons,All ages,,,2022-23x,9.0,8.0,10.0,,,\n"
            ),
        )
        .unwrap();
        let out = assure(&db).args(["data", "import"]).arg(&bad).assert().failure();
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(err.contains("bad.csv:4:12: Time period: '2022-23x' is not a period"), "{err}");
        assert_eq!(stdout(assure(&db).args(["data", "list"])).lines().count(), 1, "nothing written");
        // Parsed, but an unknown area: also refused, by line.
        std::fs::write(
            &bad,
            format!("{header}\n93085,S,,,E07000999,X,District,Persons,All ages,,,2022/23,9.0,8.0,10.0,,,\n"),
        )
        .unwrap();
        let out = assure(&db).args(["data", "import"]).arg(&bad).assert().failure();
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(err.contains("bad.csv:2: area: unknown area 'E07000999'"), "{err}");
        assure(&db)
            .args(["data", "import", "--skip-unknown-areas"])
            .arg(&bad)
            .assert()
            .success()
            .stdout(predicate::str::contains("0 new, 0 replaced, 0 unchanged, 1 skipped"));
        let good = tmp.path().join("good.csv");
        std::fs::write(
            &good,
            format!("{header}\n93085,S,,,E54000032,K&M,ICB,Persons,All ages,,,2022/23,,,,1800,20000,\n"),
        )
        .unwrap();
        assure(&db)
            .args(["data", "import"])
            .arg(&good)
            .assert()
            .success()
            .stdout(predicate::str::contains("1 computed from counts"));
        let listed = stdout(assure(&db).args(["data", "list"]));
        assert!(listed.contains("smoking-at-time-of-delivery,kent-medway-ics,2022/23,,9,"), "{listed}");
        let status = stdout(assure(&db).args(["status"]));
        assert!(status.contains("Latest 9.0% (8.6–9.4) in 2022/23"), "{status}");
    }
}

#[test]
fn demo_data_is_refused_on_postgres_unless_forced_and_is_marked_illustrative() {
    for db in databases() {
        assure(&db).arg("import").arg("--bundled").assert().success();
        if db.name == "postgres" {
            assure(&db).arg("demo-data").assert().failure().stderr(predicate::str::contains("refusing"));
            assure(&db).args(["demo-data", "--force"]).assert().success();
        } else {
            assure(&db).arg("demo-data").assert().success().stdout(predicate::str::contains("illustrative"));
        }
        let imports = stdout(assure(&db).args(["data", "imports"]));
        assert!(imports.contains("[illustrative]"), "{imports}");
        let status: serde_json::Value = serde_json::from_str(&stdout(assure(&db).args(["status", "--json"]))).unwrap();
        assert_eq!(status.as_array().unwrap().len(), 27);
    }
}

/// Areas of the bundled plan, for generated rows.
const AREAS: [&str; 8] = ["kent-medway-ics", "kent", "medway", "ashford", "canterbury", "dartford", "dover", "swale"];

fn observation_csv(path: &Path, rows: usize) {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(w, "indicator,area,period,breakdown,value,lower,upper,numerator,denominator").unwrap();
    for i in 0..rows {
        writeln!(
            w,
            "smoking-at-time-of-delivery,{},2023/24,b{},9.{},8.{},10.{},{},{}",
            AREAS[i % AREAS.len()],
            i,
            i % 10,
            i % 10,
            i % 10,
            i % 97,
            1000 + i % 89
        )
        .unwrap();
    }
}

fn count_observations(db: &TestDb) -> usize {
    stdout(assure(db).args(["data", "list", "--plan", "kent-and-medway-2024-26"])).lines().count() - 1
}

#[test]
fn two_processes_share_one_database_and_concurrent_imports_do_not_collide() {
    for db in databases() {
        let tmp = tempfile::tempdir().unwrap();
        // A write through one process is read through another.
        assure(&db).arg("import").arg(bundled_dir()).assert().success();
        assert!(stdout(assure(&db).arg("plans")).contains("kent-and-medway-2024-26"));

        // Two processes import different plans at the same moment, while a third imports observations.
        let plans: Vec<PathBuf> = (1..=2)
            .map(|n| {
                plan_copy(
                    tmp.path(),
                    &format!("p{n}"),
                    &[("plan.toml", "id = \"kent-and-medway-2024-26\"", &format!("id = \"concurrent-{n}\""))],
                )
            })
            .collect();
        let csv = tmp.path().join("obs.csv");
        observation_csv(&csv, 20_000);
        let mut children: Vec<std::process::Child> = plans
            .iter()
            .map(|p| {
                std::process::Command::new(bin())
                    .env("ASSURE_ACTOR", "tester")
                    .arg("--database")
                    .arg(db.arg())
                    .arg("import")
                    .arg(p)
                    .stdout(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        children.push(
            std::process::Command::new(bin())
                .arg("--database")
                .arg(db.arg())
                .args(["data", "import", "--plan", "kent-and-medway-2024-26"])
                .arg(&csv)
                .stdout(Stdio::null())
                .spawn()
                .unwrap(),
        );
        for mut c in children {
            assert!(c.wait().unwrap().success(), "{}: a concurrent process failed", db.name);
        }
        let reference = export(&db, &tmp.path().join("ref"), "kent-and-medway-2024-26");
        for n in 1..=2 {
            let got = export(&db, &tmp.path().join(format!("out{n}")), &format!("concurrent-{n}"));
            // Each plan is whole and is its own: only plan.toml (the id) differs from the first.
            let differing: Vec<&str> =
                reference.iter().zip(&got).filter(|(a, b)| a != b).map(|(a, _)| a.0.as_str()).collect();
            assert_eq!(differing, ["plan.toml"], "{}: concurrent-{n}", db.name);
        }
        assert_eq!(count_observations(&db), 20_000, "{}", db.name);
    }
}

#[test]
fn a_process_killed_mid_import_leaves_the_database_consistent_and_importable() {
    for db in databases() {
        let tmp = tempfile::tempdir().unwrap();
        let rows = 300_000;
        let csv = tmp.path().join("big.csv");
        observation_csv(&csv, rows);
        assure(&db).arg("import").arg("--bundled").assert().success();

        // Kill the import while it is writing rows (seen from outside: the write-ahead log
        // growing on SQLite, the table's row-writing lock held on PostgreSQL), not at a
        // guessed time, which a slow or busy machine makes wrong.
        let mut child = std::process::Command::new(bin())
            .arg("--database")
            .arg(db.arg())
            .args(["data", "import", "--plan", "kent-and-medway-2024-26"])
            .arg(&csv)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while !db.observations_being_written() {
            assert!(child.try_wait().unwrap().is_none(), "{}: the import ended before it was seen writing", db.name);
            assert!(start.elapsed() < std::time::Duration::from_secs(300), "{}: no writing seen in 300 s", db.name);
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let killed = child.try_wait().unwrap().is_none();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        eprintln!("{}: killed while writing after {:?}: {killed}", db.name, start.elapsed());
        assert!(killed, "{}: the import finished before the kill", db.name);

        // All or nothing, never a part; and the database still opens, reads and takes the import.
        let stored = count_observations(&db);
        assert_eq!(stored, 0, "{}: rows after the kill", db.name);
        if let (true, assure_store::DatabaseUrl::Sqlite(path)) = (db.name == "sqlite", &db.url)
            && let Ok(out) = std::process::Command::new("sqlite3").arg(path).arg("PRAGMA integrity_check").output()
        {
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
        }
        assure(&db).args(["data", "import", "--plan", "kent-and-medway-2024-26"]).arg(&csv).assert().success();
        assert_eq!(count_observations(&db), rows, "{}", db.name);
        assure(&db).args(["export", "--plan", "kent-and-medway-2024-26"]).arg(tmp.path().join("x")).assert().success();
    }
}

#[test]
fn serve_answers_over_http_and_stops_cleanly_on_sigterm() {
    for db in databases() {
        assure(&db).args(["import", "--bundled"]).assert().success();
        let mut command = std::process::Command::new(bin());
        command.env_remove("DATABASE_URL").arg("--database").arg(db.arg());
        let (mut child, base, mut stderr) = crate::spawn_serve(command, "info");
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let body = agent.get(&format!("{base}/healthz")).call().unwrap().body_mut().read_to_string().unwrap();
        assert!(body.contains("\"status\":\"ok\""), "{}: {body}", db.name);
        for _ in 0..3 {
            let page = agent.get(&format!("{base}/outcomes/3")).call().unwrap().body_mut().read_to_string().unwrap();
            assert!(page.contains("Shared outcome 3"), "{}: {page}", db.name);
        }
        assert_eq!(agent.get(&format!("{base}/nope")).call().unwrap().status().as_u16(), 404);

        std::process::Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
        let status = child.wait().unwrap();
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
        assert!(status.success(), "{}: {status}: {rest}", db.name);
        assert!(!rest.contains("panicked"), "{}: {rest}", db.name);
        assert!(rest.contains("stopped"), "{rest}");
        assert!(
            rest.contains("uri=/healthz") && rest.contains("status=200"),
            "one structured log line per request: {rest}"
        );
    }
}

const SMOKING_CSV: &str = "indicator,area,period,value,lower,upper,note\n\
                           smoking-at-time-of-delivery,E54000032,2022/23,10.2,9.8,10.6,\n\
                           smoking-at-time-of-delivery,E54000032,2023/24,9.1,8.7,9.5,provisional\n";

/// The bundled plan with two observations of smoking-at-time-of-delivery; returns them as listed.
fn bundled_with_data(db: &TestDb, tmp: &Path) -> String {
    assure(db).arg("import").arg("--bundled").assert().success();
    let csv = tmp.join("obs.csv");
    std::fs::write(&csv, SMOKING_CSV).unwrap();
    assure(db).args(["data", "import"]).arg(&csv).assert().success();
    let listed = stdout(assure(db).args(["data", "list"]));
    assert_eq!(listed.lines().count(), 3, "{listed}");
    listed
}

#[test]
fn an_emptied_indicators_file_is_refused_by_check_and_by_import() {
    for db in databases() {
        let tmp = tempfile::tempdir().unwrap();
        let listed = bundled_with_data(&db, tmp.path());
        let dir = plan_copy(tmp.path(), "emptied", &[]);
        std::fs::write(dir.join("indicators.toml"), "").unwrap();
        Command::new(bin())
            .arg("check")
            .arg(&dir)
            .assert()
            .failure()
            .code(1)
            .stderr(predicate::str::contains("indicators.toml:1:1: no [[indicator]] records"))
            .stderr(predicate::str::contains("emptied"));
        assure(&db)
            .arg("import")
            .arg(&dir)
            .args(["--replace", "--drop"])
            .assert()
            .failure()
            .code(1)
            .stderr(predicate::str::contains("indicators.toml:1:1: no [[indicator]] records"))
            .stderr(predicate::str::contains("nothing was written"));
        assert_eq!(stdout(assure(&db).args(["data", "list"])), listed, "{}", db.name);
    }
}

#[test]
fn a_replacement_that_drops_data_needs_drop_and_archive_restore_brings_it_back() {
    for db in databases() {
        let tmp = tempfile::tempdir().unwrap();
        let listed = bundled_with_data(&db, tmp.path());
        let renamed = plan_copy(
            tmp.path(),
            "renamed",
            &[("indicators.toml", "id = \"smoking-at-time-of-delivery\"", "id = \"smoking-in-pregnancy\"")],
        );
        assure(&db)
            .arg("import")
            .arg(&renamed)
            .arg("--replace")
            .assert()
            .failure()
            .code(1)
            .stderr(predicate::str::contains("2 observation(s) of indicator smoking-at-time-of-delivery"))
            .stderr(predicate::str::contains("nothing was written"))
            .stderr(predicate::str::contains("--replace --drop"));
        assert_eq!(stdout(assure(&db).args(["data", "list"])), listed, "{}: nothing written", db.name);
        assert!(stdout(assure(&db).args(["archive"])).starts_with("no archives"));

        let dropped = stdout(assure(&db).arg("import").arg(&renamed).args(["--replace", "--drop"]));
        let archives: serde_json::Value =
            serde_json::from_str(&stdout(assure(&db).args(["archive", "--json"]))).unwrap();
        let id = archives[0]["id"].as_i64().unwrap();
        assert!(dropped.contains(&format!("archived 2 dropped row(s) as archive #{id}")), "{dropped}");
        assert!(dropped.contains(&format!("assure archive restore {id}")), "{dropped}");
        assert_eq!(stdout(assure(&db).args(["data", "list"])).lines().count(), 1, "{}", db.name);
        let list = stdout(assure(&db).args(["archive", "list"]));
        assert!(
            list.contains(&format!("#{id} "))
                && list.contains("2 observation(s) of indicator smoking-at-time-of-delivery"),
            "{list}"
        );

        // Not yet: the plan does not have the indicator.
        let early = stdout(assure(&db).args(["archive", "restore", &id.to_string()]));
        assert!(
            early.contains("restored 0 row(s)")
                && early.contains("indicator 'smoking-at-time-of-delivery' is not in plan"),
            "{early}"
        );

        assure(&db).arg("import").arg(bundled_dir()).arg("--replace").assert().success();
        let back = stdout(assure(&db).args(["archive", "restore", &id.to_string(), "--json"]));
        let back: serde_json::Value = serde_json::from_str(&back).unwrap();
        assert_eq!(back["restored"]["observations"]["smoking-at-time-of-delivery"], 2, "{back}");
        assert_eq!(stdout(assure(&db).args(["data", "list"])), listed, "{}: restored byte for byte", db.name);
        assure(&db)
            .args(["archive", "restore", &id.to_string()])
            .assert()
            .failure()
            .code(1)
            .stderr(predicate::str::contains("restored already"));
    }
}

/// `assure … | head` ends quietly: a reader that closes the pipe early is the end of the
/// output, not an error (issue 19, defect 10), whichever writer (CSV, JSON, text) meets it.
#[test]
fn a_closed_pipe_ends_each_listing_quietly() {
    let db = TestDb::sqlite();
    assure(&db).arg("demo-data").assert().success();
    for args in [&["data", "list"][..], &["status", "--json"], &["audit", "--values", "--json"], &["audit", "--values"]]
    {
        let mut child = std::process::Command::new(bin())
            .env_remove("DATABASE_URL")
            .args(["--database", &db.arg()])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read a little, as `head -c 100` would, then close the pipe.
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 100];
        std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: exit {:?}, stderr: {stderr}", out.status.code());
        assert!(!stderr.contains("Broken pipe") && !stderr.contains("error"), "{args:?}: {stderr}");
    }
}

#[test]
fn backup_and_restore_round_trip_refuse_a_full_database_and_draw_no_progress_into_a_pipe() {
    for db in databases() {
        let tmp = tempfile::tempdir().unwrap();
        assure(&db).arg("import").arg("--bundled").assert().success();
        let csv = tmp.path().join("obs.csv");
        let rows: String = (0..300)
            .map(|i| {
                let year = 1950 + i / 4;
                format!(
                    "smoking-at-time-of-delivery,E54000032,{year}/{:02} Q{},9.{}\n",
                    (year + 1) % 100,
                    1 + i % 4,
                    i % 10
                )
            })
            .collect();
        std::fs::write(&csv, format!("indicator,area,period,value\n{rows}")).unwrap();
        // Not a terminal: the import's progress bar is not drawn, stderr stays empty.
        assure(&db).args(["data", "import"]).arg(&csv).assert().success().stderr("");
        let backup = tmp.path().join("assure.backup");
        assure(&db)
            .arg("backup")
            .arg(&backup)
            .assert()
            .success()
            .stdout(predicate::str::contains("1 plan, 300 observations, 0 accounts, 0 delivery updates"));
        assure(&db).arg("restore").arg(&backup).assert().failure().stderr(predicate::str::contains(
            "the database holds 1 plan, 300 observations, 0 accounts, 0 delivery updates",
        ));
        let fresh = TestDb::sqlite();
        let target =
            if db.name == "sqlite" {
                &fresh
            } else {
                // A PostgreSQL backup goes back into the schema it came from: said, not done.
                let other = TestDb::postgres();
                assure(&other).arg("restore").arg(&backup).assert().failure().stderr(predicate::str::contains(
                    "a PostgreSQL backup is restored into the schema it was taken from",
                ));
                db.raw_sql(
                    "DO $$ BEGIN EXECUTE format('DROP SCHEMA %I CASCADE; CREATE SCHEMA %I', current_schema(), \
                 current_schema()); END $$",
                )
                .unwrap();
                &db
            };
        let before = if db.name == "sqlite" { Some(stdout(assure(&db).args(["data", "list"]))) } else { None };
        assure(target)
            .arg("restore")
            .arg(&backup)
            .assert()
            .success()
            .stdout(predicate::str::contains("1 plan, 300 observations"));
        let listed = stdout(assure(target).args(["data", "list"]));
        assert_eq!(listed.lines().count(), 301, "{}", db.name);
        if let Some(before) = before {
            assert_eq!(listed, before, "{}", db.name);
        }
        assure(target).arg("restore").arg(&backup).arg("--force").assert().success();
        assert_eq!(stdout(assure(target).args(["data", "list"])), listed, "{}", db.name);
    }
}

/// Deaths and populations by age band for two areas (one too small for a life table) in
/// the Fingertips spelling of bands, as `assure data import --life-expectancy` reads them.
fn life_table_csv(tiny_band_deaths: &str) -> String {
    let bands = [
        "<1 yr",
        "1-4 yrs",
        "5-9 yrs",
        "10-14 yrs",
        "15-19 yrs",
        "20-24 yrs",
        "25-29 yrs",
        "30-34 yrs",
        "35-39 yrs",
        "40-44 yrs",
        "45-49 yrs",
        "50-54 yrs",
        "55-59 yrs",
        "60-64 yrs",
        "65-69 yrs",
        "70-74 yrs",
        "75-79 yrs",
        "80-84 yrs",
        "85-89 yrs",
        "90+ yrs",
    ];
    let mut csv = String::from("indicator,area,period,breakdown,numerator,denominator\n");
    for (i, band) in bands.iter().enumerate() {
        let deaths = (3.0 * (0.33 * i as f64).exp()).round();
        csv.push_str(&format!("life-expectancy-at-birth,medway,2021-23,sex=Female; age={band},{deaths},14000\n"));
    }
    for band in bands {
        csv.push_str(&format!(
            "life-expectancy-at-birth,dover,2021-23,sex=Female; age={band},{tiny_band_deaths},150\n"
        ));
    }
    csv
}

#[test]
fn life_expectancy_is_computed_from_deaths_and_populations_by_band_on_import() {
    const INDICATOR: &str = "
[[indicator]]
id = \"life-expectancy-at-birth\"
outcome = 5
line = 0
statement = \"The gap in life expectancy between our most and least deprived areas will narrow.\"
measure = \"Female life expectancy at birth\"
unit = \"years\"
polarity = \"higher_is_better\"
geography = \"Kent and Medway\"
[indicator.target]
kind = \"above_baseline\"
[indicator.measurement]
definition = \"Average years a newborn girl would live at the death rates of the period.\"
method = \"life_expectancy\"
area = \"medway\"
source = \"ONS deaths and mid-year population estimates\"
";
    for db in databases() {
        let tmp = tempfile::tempdir().unwrap();
        let original = std::fs::read_to_string(bundled_dir().join("indicators.toml")).unwrap();
        let dir = plan_copy(tmp.path(), "plan", &[]);
        std::fs::write(dir.join("indicators.toml"), format!("{original}{INDICATOR}")).unwrap();
        assure(&db).arg("check").arg(&dir).assert().success();
        assure(&db).arg("import").arg(&dir).assert().success();

        // A band that is not one of the table's, and a missing count: refused by line, nothing written.
        let bad = tmp.path().join("bad.csv");
        let text = life_table_csv("1").replacen("age=5-9 yrs,", "age=5-8 yrs,", 1).replacen(",14000\n", ",\n", 1);
        std::fs::write(&bad, text).unwrap();
        let out = assure(&db).args(["data", "import", "--life-expectancy"]).arg(&bad).assert().failure();
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(err.contains("bad.csv:2: count:"), "{}: {err}", db.name);
        assert!(err.contains("bad.csv:4: breakdown: '5-8 yrs' is not a band"), "{}: {err}", db.name);
        assert!(err.contains("nothing was written"), "{}: {err}", db.name);
        let listed = stdout(assure(&db).args(["data", "list", "--indicator", "life-expectancy-at-birth"]));
        assert_eq!(listed.lines().count(), 1, "{}: only the header: {listed}", db.name);

        // A good file: one row per life table; Dover's population is too small, so its row
        // says why and has no value.
        let good = tmp.path().join("deaths-by-band.csv");
        std::fs::write(&good, life_table_csv("1")).unwrap();
        let said = stdout(assure(&db).args(["data", "import", "--life-expectancy"]).arg(&good));
        assert!(said.contains("2 life table(s) read; life expectancy for 1, 1 suppressed"), "{}: {said}", db.name);
        assert!(said.contains("2 new"), "{}: {said}", db.name);
        let listed = stdout(assure(&db).args(["data", "list", "--indicator", "life-expectancy-at-birth"]));
        let rows: Vec<Vec<&str>> = listed.lines().skip(1).map(|l| l.split(',').collect()).collect();
        let medway = rows.iter().find(|r| r[1] == "medway").unwrap();
        assert_eq!(medway[3], "sex=Female", "{}", db.name);
        let (value, lower, upper): (f64, f64, f64) =
            (medway[4].parse().unwrap(), medway[5].parse().unwrap(), medway[6].parse().unwrap());
        assert!((60.0..100.0).contains(&value) && lower < value && value < upper, "{}: {medway:?}", db.name);
        let dover = listed.lines().find(|l| l.contains(",dover,")).unwrap();
        assert!(dover.contains(",sex=Female,,,,,,"), "{}: no value: {dover}", db.name);
        assert!(dover.contains("not calculated: total population 3000 is 5,000 or fewer"), "{}: {dover}", db.name);

        // At 65: shorter than at birth; the same file imported again at birth changes nothing.
        let again = stdout(assure(&db).args(["data", "import", "--life-expectancy"]).arg(&good));
        assert!(again.contains("0 new, 0 replaced, 2 unchanged"), "{}: {again}", db.name);
        let out = assure(&db).args(["data", "import", "--life-expectancy=67"]).arg(&good).assert().failure();
        assert!(
            String::from_utf8_lossy(&out.get_output().stderr).contains("not the first age of a band"),
            "{}",
            db.name
        );
    }
}

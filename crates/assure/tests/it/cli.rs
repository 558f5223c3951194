//! The CLI, driven as a process: exit codes, output, and messages on bad input.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn assure() -> Command {
    let mut c = Command::cargo_bin("assure").unwrap();
    c.env_remove("ASSURE_PLAN_DIR");
    c
}

fn bundled_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/kent-and-medway-2024-26")
}

fn broken_copy(file: &str, from: &str, to: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(bundled_dir()).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from} not in {file}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    dir
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = assure().args(args).arg("--json").assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn check_passes_on_the_bundled_plan() {
    assure()
        .arg("check")
        .arg(bundled_dir())
        .assert()
        .success()
        .stdout(predicate::str::contains("ok (6 outcomes, 21 priorities, 88 commitments, 427 delivery links"));
}

#[test]
fn check_lists_every_problem_with_file_line_column_and_fails() {
    let dir = broken_copy("commitments.toml", "led_by = [\"kmep\"]", "led_by = [\"kmepp\"]");
    let text = std::fs::read_to_string(dir.path().join("indicators.toml")).unwrap();
    std::fs::write(dir.path().join("indicators.toml"), text.replacen("by = \"2028/29\"", "by = \"someday\"", 1))
        .unwrap();
    let out = assure().arg("check").arg(dir.path()).assert().failure().code(1).get_output().clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    let re_ok = |l: &str, file: &str, msg: &str| {
        let (loc, message) = l.split_once(": ").unwrap();
        let parts: Vec<&str> = loc.rsplitn(3, ':').collect();
        parts.len() == 3
            && parts[0].parse::<usize>().is_ok()
            && parts[1].parse::<usize>().is_ok()
            && parts[2].ends_with(file)
            && message.contains(msg)
    };
    assert!(lines.iter().any(|l| re_ok(l, "commitments.toml", "unknown organisation 'kmepp'")), "{stderr}");
    assert!(lines.iter().any(|l| re_ok(l, "indicators.toml", "'someday' is not a period")), "{stderr}");
    assert!(lines[2].ends_with("2 problem(s)"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn check_on_a_missing_directory_says_so() {
    assure()
        .args(["check", "/no/such/plan"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("reading plan directory /no/such/plan"));
}

#[test]
fn plan_stats_json_has_the_counts() {
    let v = json(&["plan", "stats"]);
    for (key, n) in [
        ("outcomes", 6),
        ("priorities", 21),
        ("commitments", 88),
        ("delivery_links", 427),
        ("indicators", 23),
        ("delivery_examples", 30),
        ("milestones", 30),
        ("enablers", 3),
        ("place_priorities", 62),
    ] {
        assert_eq!(v[key], n, "{key}");
    }
    for key in ["delivering_plans", "organisations"] {
        assert!(v[key].as_u64().unwrap() > 100, "{key}");
    }
}

#[test]
fn plan_stats_text_is_readable() {
    assure().args(["plan", "stats"]).assert().success().stdout(
        predicate::str::contains("Shared Delivery Plan 2024 - 2026").and(predicate::str::contains("commitments")),
    );
}

#[test]
fn show_outcome_2_lists_its_priorities_indicators_and_examples() {
    assure()
        .args(["plan", "show", "outcome", "2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Shared outcome 2: Tackle the wider determinants to prevent ill health"))
        .stdout(predicate::str::contains("2.4 Address inequalities"))
        .stdout(predicate::str::contains(
            "All NHS organisations and local authorities will make progress towards their net-zero targets.",
        ))
        .stdout(predicate::str::contains("Serious Violence Duty"));
    let v = json(&["plan", "show", "outcome", "2"]);
    assert_eq!(v["priorities"].as_array().unwrap().len(), 4);
    assert_eq!(v["indicators"].as_array().unwrap().len(), 4);
}

#[test]
fn show_each_kind_by_id() {
    for (kind, id, expect) in [
        ("priority", "1.2", "Strive for children and young people to be physically and emotionally healthy"),
        ("commitment", "reduce-loneliness", "Kent Karrier"),
        ("plan", "family-hub-programme", "also written: Family Hubs"),
        ("indicator", "smoking-at-time-of-delivery", "no more than 6% by 2028/29"),
        ("indicator", "reablement-at-home-91-days", "Part reablement-at-home-91-days-medway"),
        ("example", "family-hubs", "Launch Family Hub programme — due June 2024"),
        ("place", "dover", "No priorities are listed"),
        ("place", "hcp-west-kent", "Frailty & complex care (SO 3, 5)"),
        ("organisation", "NHS K&M", "NHS Kent and Medway [nhs-kent-medway]"),
    ] {
        assure().args(["plan", "show", kind, id]).assert().success().stdout(predicate::str::contains(expect));
    }
}

#[test]
fn show_an_unknown_id_fails_with_a_hint() {
    assure()
        .args(["plan", "show", "commitment", "no-such-thing"])
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("no commitment 'no-such-thing' in the plan (try `assure plan search`)"));
    assure()
        .args(["plan", "show", "outcome", "two"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("an outcome is a number"));
    assure()
        .args(["plan", "show", "gizmo", "1"])
        .assert()
        .failure()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'gizmo'"));
}

#[test]
fn search_groups_results_by_type() {
    let out = assure().args(["plan", "search", "Family Hub"]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    for heading in ["Commitments (", "Delivering plans (1)", "Delivery examples ("] {
        assert!(text.contains(heading), "{heading} in:\n{text}");
    }
    let v = json(&["plan", "search", "Family Hub"]);
    assert_eq!(v["delivering_plans"][0]["id"], "family-hub-programme");
    assure()
        .args(["plan", "search", "unicorns"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Nothing in the plan mentions"));
}

#[test]
fn org_show_kcc_includes_directorates_grouped_by_outcome() {
    let out = assure().args(["org", "show", "kcc"]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("includes: KCC – Growth, Environment and Transport (GET) [kcc-get]"), "{text}");
    for n in 1..=6 {
        assert!(text.contains(&format!("\nOutcome {n}: ")), "outcome {n} in:\n{text}");
    }
    assert!(text.contains("(through KCC – Growth, Environment and Transport (GET))"));
    let v = json(&["org", "show", "kcc"]);
    assert_eq!(v["organisation"]["id"], "kcc");
    assert!(v["link_count"].as_u64().unwrap() > 150);
    assure()
        .args(["org", "show", "Acme Ltd"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no organisation 'Acme Ltd'"));
}

#[test]
fn gaps_name_what_is_missing() {
    assure()
        .args(["plan", "gaps"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Places with no listed priorities: 2\n  - Dover\n  - Maidstone"))
        .stdout(predicate::str::contains("Work and Health Strategy (to be developed)"));
    let v = json(&["plan", "gaps"]);
    assert_eq!(v["places_without_priorities"].as_array().unwrap().len(), 2);
}

#[test]
fn queries_read_another_plan_directory_and_refuse_a_broken_one() {
    let dir =
        broken_copy("outcomes.toml", "title = \"Improve health and care services\"", "title = \"Better services\"");
    assure()
        .args(["plan", "show", "outcome", "5", "--plan-dir"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("Shared outcome 5: Better services"));
    let broken = broken_copy("places.toml", "outcomes = [5]", "outcomes = [8]");
    assure().args(["plan", "stats"]).env("ASSURE_PLAN_DIR", broken.path()).assert().failure().stderr(
        predicate::str::contains("unknown outcome 8").and(predicate::str::contains("run `assure check` on it")),
    );
}

#[test]
fn a_closed_pipe_is_not_a_crash() {
    // Reading only the first line of a long listing must not make the process panic.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("assure"))
        .args(["org", "show", "kcc"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn plan_diff_lists_what_changed_between_versions() {
    assure()
        .args(["plan", "diff", "bundled", "bundled"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 added, 0 removed, 0 changed"));
    let newer = broken_copy("indicators.toml", "value = 70.0", "value = 72.0");
    assure()
        .args(["plan", "diff", "bundled"])
        .arg(newer.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("0 added, 0 removed, 1 changed"))
        .stdout(predicate::str::contains("~ indicator good-level-of-development"));
    let out = assure()
        .args(["plan", "diff", "bundled"])
        .arg(newer.path())
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["changes"][0]["fields"][0]["after"]["value"], 72.0);
    assure()
        .args(["plan", "diff", "bundled", "/no/such/dir"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("loading /no/such/dir"));
}

//! `assure stats` against the reference implementation (PHStatsMethods), on thousands of
//! seeded random and edge-case inputs: every value and limit within 1e-9 relative.

use std::path::Path;
use std::process::Command;

#[test]
fn statistics_agree_with_the_reference_implementation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let setup = Command::new(root.join("scripts/reference-venv")).output();
    let python = match setup {
        Ok(out) if out.status.success() => String::from_utf8(out.stdout).unwrap().trim().to_owned(),
        other => {
            let why = match other {
                Ok(out) => String::from_utf8_lossy(&out.stderr).into_owned(),
                Err(e) => e.to_string(),
            };
            assert!(!ci, "CI=true but the reference venv could not be set up: {why}");
            // Written to stderr directly: libtest captures eprintln! from passing tests.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "NOTICE: skipping the cross-check with PHStatsMethods: the venv could not be set up ({why})"
            );
            return;
        }
    };
    let work = tempfile::tempdir().unwrap();
    let out = Command::new(&python)
        .arg(root.join("crates/assure/tests/reference/crosscheck.py"))
        .arg(assert_cmd::cargo::cargo_bin("assure"))
        .arg(work.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}");
    assert!(out.status.success(), "cross-check failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("crosscheck: all within 1e-09 relative"), "{stdout}");
    for method in [
        "proportion: 3009 rows compared",
        "rate: 2971 rows compared",
        "dsr: ",
        "isr ratio: 1999 rows compared",
        "isr ratio (reference file): 1999 rows compared",
        "isr rate: 1999 rows compared",
        "isr rate (reference file): 1999 rows compared",
        "mean: 3001 rows compared",
        "quantile (invert=True): ",
        "quantile (invert=False): ",
        "funnel proportion limits: ",
        "funnel proportion significance: ",
        "funnel ratio isr limits: ",
        "funnel ratio count significance: ",
        "funnel rate crude limits: ",
        "funnel rate crude points: ",
        "funnel rate dsr significance: ",
        "funnel rate dsr points: ",
    ] {
        assert!(stdout.contains(method), "{method} not compared:\n{stdout}");
    }
    let dsr_rows: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("dsr: ").and_then(|r| r.split(" rows compared").next()?.parse().ok()))
        .expect("a count of DSR rows compared");
    assert!(dsr_rows > 3000, "{dsr_rows} DSR groups compared");
}

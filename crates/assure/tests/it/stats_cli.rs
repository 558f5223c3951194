//! `assure stats` as a process: the CSV contract, errors by line and column, nothing written on error.

// Reference values are kept exactly as the reference implementation printed them.
#![allow(clippy::excessive_precision)]

use assert_cmd::Command;
use predicates::prelude::*;

fn assure() -> Command {
    let mut c = Command::cargo_bin("assure").unwrap();
    c.timeout(std::time::Duration::from_secs(60)); // a hang fails the test instead of stalling the suite
    c
}

fn run_stdin(method: &str, input: &str, extra: &[&str]) -> String {
    let out = assure()
        .args(["stats", method, "--input", "-", "--output", "-"])
        .args(extra)
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn dsr_input(groups: &[(&str, [u32; 19])], population: u32) -> String {
    let bands = [
        "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59",
        "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+",
    ];
    let mut s = String::from("id,age_band,numerator,denominator\n");
    for (id, obs) in groups {
        for (b, o) in bands.iter().zip(obs) {
            s.push_str(&format!("{id},{b},{o},{population}\n"));
        }
    }
    s
}

#[test]
fn proportion_writes_value_and_both_intervals() {
    let out = run_stdin("proportion", "id,numerator,denominator\nb,5,100\n", &[]);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("id,value,lower_95,upper_95,lower_99_8,upper_99_8"));
    let row: Vec<f64> = lines.next().unwrap().split(',').skip(1).map(|v| v.parse().unwrap()).collect();
    // Reference values (PHStatsMethods, multiplier 100).
    let expect = [5.0, 2.15436791543679673, 11.17504692319191406, 1.38653207259972011, 16.45885228259643895];
    for (a, b) in row.iter().zip(expect) {
        assert!((a - b).abs() <= 1e-12 * b.abs(), "{a} vs {b}");
    }
}

#[test]
fn rate_uses_exact_limits_for_a_zero_count() {
    let out = run_stdin("rate", "id,numerator,denominator\nz,0,100000\n", &["--confidence", "0.95"]);
    assert_eq!(out.lines().next(), Some("id,value,lower_95,upper_95"));
    let row: Vec<f64> = out.lines().nth(1).unwrap().split(',').skip(1).map(|v| v.parse().unwrap()).collect();
    assert_eq!(row[..2], [0.0, 0.0]);
    assert!((row[2] - 3.6888794541139354).abs() < 1e-12, "{}", row[2]);
}

#[test]
fn columns_are_found_by_name_and_ids_are_kept_as_written() {
    let out = run_stdin(
        "proportion",
        "denominator,note,numerator,id\n10,x,1,\"Ashford, Kent\"\n",
        &["--multiplier", "1", "--confidence", "0.9"],
    );
    assert!(out.starts_with("id,value,lower_90,upper_90\n\"Ashford, Kent\",0.1,"), "{out}");
}

#[test]
fn every_bad_row_is_reported_by_line_and_column_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    let output = dir.path().join("out.csv");
    std::fs::write(&input, "id,numerator,denominator\na,1,10\nb,11,10\nc,1,ten\nd,1,0\ne,-1,5\nf,,5\ng,2,20\n")
        .unwrap();
    let assert = assure()
        .args(["stats", "proportion", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    let name = input.display().to_string();
    for expected in [
        format!("{name}:3: column 'numerator': numerator (11) is greater than denominator (10)"),
        format!("{name}:4: column 'denominator': 'ten' is not a number"),
        format!("{name}:5: column 'denominator': denominator must be greater than zero (got 0)"),
        format!("{name}:6: column 'numerator': numerator is negative (-1)"),
        format!("{name}:7: column 'numerator': is missing"),
        "5 invalid row(s)".to_owned(),
        "nothing was written".to_owned(),
    ] {
        assert!(stderr.contains(&expected), "missing '{expected}' in:\n{stderr}");
    }
    assert!(!output.exists(), "no output file on error");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn a_failed_run_leaves_an_existing_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.csv");
    std::fs::write(&output, "previous results\n").unwrap();
    assure()
        .args(["stats", "rate", "--input", "-", "--output"])
        .arg(&output)
        .write_stdin("id,numerator,denominator\na,1,0\n")
        .assert()
        .failure();
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "previous results\n");
    // And a good run replaces it.
    assure()
        .args(["stats", "rate", "--input", "-", "--output"])
        .arg(&output)
        .write_stdin("id,numerator,denominator\na,1,10\n")
        .assert()
        .success();
    assert!(std::fs::read_to_string(&output).unwrap().starts_with("id,value,"));
}

/// Run `assure stats` with these arguments and input; it must fail saying `message`.
fn refused(args: &[&str], stdin: &str, message: &str) {
    assure().arg("stats").args(args).write_stdin(stdin).assert().failure().stderr(predicate::str::contains(message));
}

#[test]
fn a_missing_column_or_bad_option_is_refused() {
    let ok_input = "id,numerator,denominator\na,1,2\n";
    let stdio = ["--input", "-", "--output", "-"];
    refused(
        &[&["proportion"], &stdio[..]].concat(),
        "id,count,denominator\na,1,2\n",
        "line 1: missing column(s) numerator",
    );
    refused(
        &[&["proportion"], &stdio[..], &["--confidence", "0.95,1.5"]].concat(),
        ok_input,
        "confidence level 1.5 is not between 0 and 1",
    );
    refused(
        &[&["rate"], &stdio[..], &["--multiplier", "0"]].concat(),
        ok_input,
        "--multiplier must be a positive number",
    );
    refused(&["rate", "--input", "/no/such.csv", "--output", "-"], "", "cannot open /no/such.csv");
}

#[test]
fn dsr_writes_one_row_per_id_and_suppresses_small_totals_with_a_note() {
    let out = run_stdin(
        "dsr",
        &dsr_input(&[("big", [3; 19]), ("small", [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1])], 1000),
        &[],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "id,value,lower_95,upper_95,lower_99_8,upper_99_8,note");
    assert!(lines[1].starts_with("big,300.0,"), "{}", lines[1]); // 3 per 1,000 in every band
    assert!(lines[1].ends_with(','), "no note: {}", lines[1]);
    assert_eq!(lines[2], "small,,,,,,total count below 10: directly standardised rate not reported");
    assert_eq!(lines.len(), 3);
}

#[test]
fn dsr_refuses_incomplete_unsorted_and_duplicated_groups() {
    let mut input = dsr_input(&[("a", [5; 19]), ("b", [5; 19])], 100);
    input = input.replacen("a,90+,5,100\n", "", 1); // a lacks 90+
    input.push_str("a,0-4,1,100\n"); // a again, after b
    input.push_str("c,0-4,1,100\nc,0-4,1,100\nc,5-9,1,100\nc,old,1,100\n");
    let assert = assure().args(["stats", "dsr", "--input", "-", "--output", "-"]).write_stdin(input).assert().failure();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    for expected in [
        "-:2: column 'age_band': id 'a' has no row for age band(s) 90+",
        "-:39: column 'id': rows for id 'a' are not together",
        "-:41: column 'age_band': id 'c' has age band 0-4 twice",
        "-:43: column 'age_band': 'old' is not an ESP 2013 age band",
    ] {
        assert!(stderr.contains(expected), "missing '{expected}' in:\n{stderr}");
    }
}

#[test]
fn dsr_bands_without_population_need_permission() {
    let input = dsr_input(&[("a", [5; 19])], 100).replacen("a,90+,5,100", "a,90+,0,0", 1);
    assure()
        .args(["stats", "dsr", "--input", "-", "--output", "-"])
        .write_stdin(input.clone())
        .assert()
        .failure()
        .stderr(predicate::str::contains("id 'a': age band 90+: population is zero"));
    let out = assure()
        .args(["stats", "dsr", "--input", "-", "--output", "-", "--allow-empty-bands"])
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(out).unwrap().lines().nth(1).unwrap().starts_with("a,"));
    let events_without_people = dsr_input(&[("a", [5; 19])], 100).replacen("a,90+,5,100", "a,90+,5,0", 1);
    assure()
        .args(["stats", "dsr", "--input", "-", "--output", "-", "--allow-empty-bands"])
        .write_stdin(events_without_people)
        .assert()
        .failure()
        .stderr(predicate::str::contains("age band 90+: population is zero but 5 events are recorded"));
}

#[test]
fn large_inputs_stream_across_blocks_in_order() {
    // More than one 1 MiB block, with a quoted id holding a newline near a block edge.
    let mut input = String::from("id,numerator,denominator\n");
    for i in 0..120_000 {
        if i == 40_000 {
            input.push_str("\"multi\nline\",1,2\n");
        }
        input.push_str(&format!("row{i},{},{}\n", i % 50, 50 + i % 1000));
    }
    let out = run_stdin("rate", &input, &["--confidence", "0.95"]);
    let ids: Vec<&str> = out.lines().skip(1).filter_map(|l| l.split(',').next()).collect();
    assert_eq!(out.lines().count(), 120_000 + 2 + 1, "header, rows, and the quoted id's two physical lines");
    assert_eq!(ids[0], "row0");
    assert_eq!(ids[40_000], "\"multi");
    assert_eq!(ids.last(), Some(&"row119999"));
}

#[test]
fn a_record_longer_than_a_block_is_not_cut() {
    let long_id = format!("\"{}\n{}\"", "x".repeat(1_500_000), "y".repeat(600_000));
    let input = format!("id,numerator,denominator\na,1,2\n{long_id},3,4\nb,5,6\n");
    let out = run_stdin("proportion", &input, &["--confidence", "0.95", "--multiplier", "1"]);
    let rows: Vec<&str> = out.split('\n').collect();
    assert!(rows[1].starts_with("a,0.5,"));
    assert!(out.contains(&format!("{long_id},0.75,")), "the long quoted id is kept whole");
    assert!(out.trim_end().ends_with(|c: char| c.is_ascii_digit()) && out.contains("\nb,0.8333333333333334,"));
}

#[test]
fn dsr_groups_spanning_blocks_are_stitched_in_order() {
    // 6,000 groups of 19 rows (about 2.5 MB): several blocks, groups cut at block edges.
    let mut input = String::from("id,age_band,numerator,denominator\n");
    let bands = assure_stats::AGE_BANDS;
    let mut expected = Vec::new();
    for g in 0..6000u32 {
        let obs: Vec<f64> = (0..19).map(|b| f64::from((g * 7 + b * 3) % 40)).collect();
        let pop: Vec<f64> = (0..19).map(|b| f64::from(1000 + (g + b) % 5000)).collect();
        for b in 0..19 {
            input.push_str(&format!("area-{g:05},{},{},{}\n", bands[b as usize], obs[b as usize], pop[b as usize]));
        }
        let levels = [assure_stats::ConfidenceLevel::p95()];
        let d = assure_stats::dsr(&obs, &pop, &assure_stats::ESP2013, 100000.0, &levels, false).unwrap();
        expected.push(d.estimate.map(|e| e.value));
    }
    let out = run_stdin("dsr", &input, &["--confidence", "0.95"]);
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 6000);
    for (g, (row, want)) in rows.iter().zip(&expected).enumerate() {
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells[0], format!("area-{g:05}"), "order");
        match want {
            Some(v) => assert_eq!(cells[1].parse::<f64>().unwrap(), *v, "{row}"),
            None => assert_eq!(cells[1], "", "{row}"),
        }
    }
    // An id that comes back after other ids, far from its first rows, is refused.
    input.push_str("area-00001,0-4,1,100\n");
    assure().args(["stats", "dsr", "--input", "-", "--output", "-"]).write_stdin(input).assert().failure().stderr(
        predicate::str::contains(format!(
            "-:{}: column 'id': rows for id 'area-00001' are not together",
            6000 * 19 + 2
        )),
    );
}

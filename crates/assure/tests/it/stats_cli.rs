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

/// The numbers of a CSV row after its id.
fn numbers(line: &str) -> Vec<f64> {
    line.split(',').skip(1).map(|v| v.parse().unwrap()).collect()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn isr_ratio_and_rate_by_hand_with_references_per_row_and_from_a_file() {
    // Expected = 1000 × 10/10000 + 2000 × 20/10000 = 5; observed 3 + 2 = 5: ratio 1.
    // Observed < 10, so the exact Poisson limits of 5 (1.623486, 11.668332 at 95%) over 5.
    let per_row = "id,numerator,denominator,ref_numerator,ref_denominator\na,3,1000,10,10000\na,2,2000,20,10000\n";
    let out = run_stdin("isr", per_row, &["--confidence", "0.95"]);
    assert_eq!(out.lines().next(), Some("id,value,lower_95,upper_95"));
    let row = numbers(out.lines().nth(1).unwrap());
    assert!(
        close(row[0], 1.0, 1e-12) && close(row[1], 1.623486 / 5.0, 1e-6) && close(row[2], 11.668332 / 5.0, 1e-6),
        "{row:?}"
    );
    // The rate: the ratio times the reference crude rate, (10 + 20) / 20000 per 100,000 = 150.
    let out = run_stdin("isr", per_row, &["--confidence", "0.95", "--type", "rate"]);
    let rate = numbers(out.lines().nth(1).unwrap());
    assert!(close(rate[0], 150.0, 1e-12) && close(rate[1], row[1] * 150.0, 1e-12), "{rate:?}");

    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("ref.csv");
    std::fs::write(&reference, "age_band,numerator,denominator\nyoung,10,10000\nold,20,10000\n").unwrap();
    let banded = "id,age_band,numerator,denominator\na,young,3,1000\na,old,2,2000\n";
    let out = run_stdin("isr", banded, &["--confidence", "0.95", "--reference", reference.to_str().unwrap()]);
    assert_eq!(numbers(out.lines().nth(1).unwrap()), row, "the reference file gives the same as per-row references");

    // A band the reference file does not have is an error at its line; nothing is written.
    let input = dir.path().join("in.csv");
    let output = dir.path().join("out.csv");
    std::fs::write(&input, "id,age_band,numerator,denominator\na,young,3,1000\na,middle,2,2000\n").unwrap();
    assure()
        .args(["stats", "isr", "--reference", reference.to_str().unwrap(), "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!(
            "{}:3: column 'age_band': 'middle' is not a band of the reference file",
            input.display()
        )));
    assert!(!output.exists());
    // A bad reference file is reported by its own line and column.
    std::fs::write(&reference, "age_band,numerator,denominator\nyoung,10,10000\nold,x,10000\n").unwrap();
    assure()
        .args(["stats", "isr", "--reference", reference.to_str().unwrap(), "--input", "-", "--output", "-"])
        .write_stdin(banded)
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!(
            "{}:3: column 'numerator': 'x' is not a number",
            reference.display()
        )));
    // No reference events where there is population: the expected count is zero.
    refused(
        &["isr", "--input", "-", "--output", "-"],
        "id,numerator,denominator,ref_numerator,ref_denominator\nz,1,100,0,1000\n",
        "-:2: column 'ref_numerator': id 'z': expected count is zero",
    );
}

#[test]
fn mean_by_hand_and_a_single_value_is_refused() {
    // 1,2,3,4: mean 2.5, s = 1.2909944; t(0.975, 3) = 3.1824463; half width 2.0542603.
    let out = run_stdin("mean", "id,value\nx,1\nx,2\nx,3\nx,4\ny,5\ny,5\n", &["--confidence", "0.95"]);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("id,value,lower_95,upper_95,count,std_dev"));
    let x = numbers(lines.next().unwrap());
    assert!(
        close(x[0], 2.5, 1e-12) && close(x[1], 2.5 - 2.0542603, 1e-7) && close(x[2], 2.5 + 2.0542603, 1e-7),
        "{x:?}"
    );
    assert_eq!(x[3], 4.0);
    assert!(close(x[4], 1.2909944, 1e-7));
    assert_eq!(lines.next(), Some("y,5.0,5.0,5.0,2,0.0"), "no spread: the interval is the mean");
    refused(
        &["mean", "--input", "-", "--output", "-"],
        "id,value\na,1\na,2\nb,3\n",
        "-:4: column 'value': id 'b': a mean's interval needs at least 2 values (got 1)",
    );
}

#[test]
fn quantiles_within_parents_inverted_by_default_and_too_small_groups_noted() {
    let mut input = String::from("id,parent,value\n");
    for v in 1..=10 {
        input.push_str(&format!("a{v},P,{v}\n"));
    }
    input.push_str("b1,Q,1\nb2,Q,\nb3,Q,3\n");
    let out = run_stdin("quantile", &input, &[]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "id,parent,value,quantile,note");
    assert_eq!(lines[1], "a1,P,1,10,", "the lowest value is in decile 10 when inverted");
    assert_eq!(lines[10], "a10,P,10,1,");
    assert!(lines[12].starts_with("b2,Q,,,"), "{}", lines[12]);
    assert!(lines[11].contains("fewer than the 10 quantiles"), "{}", lines[11]);
    let out = run_stdin("quantile", &input, &["--invert", "false", "--quantiles", "5"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[1], "a1,P,1,1,");
    assert_eq!(lines[10], "a10,P,10,5,");
    refused(
        &["quantile", "--input", "-", "--output", "-"],
        "id,parent,value\na,P,1\nb,Q,2\nc,P,3\n",
        "rows for id 'P' are not together",
    );
    refused(
        &["quantile", "--input", "-", "--output", "-"],
        "id,value\na,ten\n",
        "-:2: column 'value': 'ten' is not a number",
    );
}

#[test]
fn compare_labels_each_level_against_the_comparator() {
    let input = "id,lower_95,upper_95,lower_99_8,upper_99_8\nhigh,6,8,5.5,9\nsame,4,6,3,7\nlow,1,3,0.5,5.5\nnone,,,,\n";
    let out = run_stdin("compare", input, &["--comparator", "5"]);
    assert_eq!(
        out,
        "id,comparison_95,comparison_99_8\nhigh,Higher,Higher\nsame,Similar,Similar\nlow,Lower,Similar\nnone,Not compared,Not compared\n"
    );
    let out = run_stdin("compare", input, &["--comparator", "5", "--polarity", "low-is-good", "--confidence", "0.95"]);
    assert_eq!(out, "id,comparison_95\nhigh,Worse\nsame,Similar\nlow,Better\nnone,Not compared\n");
    // The comparator per row, and the output of another method as the input.
    let rates = run_stdin("rate", "id,numerator,denominator\nr,50,1000\n", &[]);
    let with_comparator = rates.replacen('\n', ",comparator\n", 1).trim_end().to_owned() + ",1000\n";
    let out = run_stdin("compare", &with_comparator, &["--polarity", "high-is-good"]);
    assert_eq!(out, "id,comparison_95,comparison_99_8\nr,Better,Better\n");
    refused(&["compare", "--input", "-", "--output", "-"], input, "missing column(s) comparator");
    refused(
        &["compare", "--comparator", "5", "--input", "-", "--output", "-"],
        "id,lower_95,upper_95,lower_99_8,upper_99_8\nx,7,6,1,2\n",
        "-:2: column 'lower_95': lower limit 7 is above the upper limit 6",
    );
}

/// `assure stats funnel PART ARGS` over standard input.
fn funnel_stdin(args: &[&str], input: &str) -> String {
    let out = assure()
        .args(["stats", "funnel"])
        .args(args)
        .args(["--input", "-", "--output", "-"])
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn funnel_limits_points_and_significance_with_errors_by_line() {
    // Average 125 / 850; at a population of 400 the 95% limits hold d (80/400 = 20%)
    // just outside above, and c (5/150) below even the 99.8% limit.
    let input = "id,numerator,denominator\na,10,100\nb,30,200\nc,5,150\nd,80,400\n";
    let limits = funnel_stdin(&["limits"], input);
    let mut lines = limits.lines();
    assert_eq!(lines.next(), Some("population,lower_95,upper_95,lower_99_8,upper_99_8,baseline"));
    let rows: Vec<Vec<f64>> = lines.map(|l| l.split(',').map(|v| v.parse().unwrap()).collect()).collect();
    assert_eq!(rows.len(), 100);
    for r in &rows {
        assert!(close(r[5], 100.0 * 125.0 / 850.0, 1e-12));
        assert!(r[3] <= r[1] && r[1] <= r[5] && r[5] <= r[2] && r[2] <= r[4], "limits nest around the baseline: {r:?}");
    }
    assert!(rows.windows(2).all(|w| w[1][0] > w[0][0] && w[1][2] <= w[0][2]), "the funnel narrows as population grows");
    let significance = funnel_stdin(&["significance"], input);
    assert_eq!(significance, "id,significance\na,Not significant\nb,Not significant\nc,Low (0.001)\nd,High (0.025)\n");

    // Rates: the points, with the population given where there are no events.
    let rates = "id,numerator,rate,denominator\na,10,100,10000\nb,0,0,5000\nc,50,250,20000\n";
    let points = funnel_stdin(&["points", "--statistic", "rate", "--years-of-data", "2"], rates);
    assert_eq!(points, "id,rate_chart,denominator_derived\na,100.0,5000.0\nb,0.0,2500.0\nc,250.0,10000.0\n");
    let dsr = funnel_stdin(&["points", "--statistic", "rate", "--rate-type", "dsr"], rates);
    assert_eq!(dsr.lines().nth(2), Some("b,,"), "no DSR point below 10 events");

    // Errors name the file, line and column; nothing is written.
    refused(
        &["funnel", "significance", "--input", "-", "--output", "-"],
        "id,numerator,denominator\na,10,100\nb,x,200\nc,300,200\n",
        "-:3: column 'numerator': 'x' is not a number",
    );
    refused(
        &["funnel", "limits", "--input", "-", "--output", "-"],
        "id,numerator,denominator\nc,300,200\n",
        "-:2: column 'numerator': numerator (300) is greater than denominator (200)",
    );
    refused(
        &["funnel", "limits", "--statistic", "rate", "--input", "-", "--output", "-"],
        "id,numerator,rate\na,0,0\n",
        "-:2: column 'denominator': is needed where there are no events",
    );
    refused(&["funnel", "points", "--input", "-", "--output", "-"], input, "funnel points are for rates");
    // Significance reads the file twice; a bad row found in the first pass still leaves no output file.
    let dir = tempfile::tempdir().unwrap();
    let (bad, out) = (dir.path().join("bad.csv"), dir.path().join("out.csv"));
    std::fs::write(&bad, "id,numerator,denominator\na,1,2\nb,x,\n").unwrap();
    assure()
        .args(["stats", "funnel", "significance", "--input"])
        .arg(&bad)
        .arg("--output")
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!("{}:3: column 'denominator': is missing", bad.display())))
        .stderr(predicate::str::contains("nothing was written"));
    assert!(!out.exists());
}

const LIFE_TABLE_BANDS: [&str; 20] = [
    "0", "1-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59",
    "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+",
];

/// PHEindicatormethods' example population (`df1` in its tests).
const LE_POPULATION: [u32; 20] = [
    7060, 35059, 46974, 48489, 43219, 38561, 46009, 57208, 61435, 55601, 50209, 56416, 46411, 39820, 37978, 37039,
    33288, 23306, 11936, 11936,
];
const LE_DEATHS: [u32; 20] =
    [17, 9, 4, 8, 20, 15, 24, 33, 50, 71, 100, 163, 263, 304, 536, 872, 1390, 1605, 1936, 1937];

fn life_table_input(id: &str, deaths: &[u32; 20], population: &[u32; 20], first_ages: bool) -> String {
    let ages = [
        "0", "1", "5", "10", "15", "20", "25", "30", "35", "40", "45", "50", "55", "60", "65", "70", "75", "80", "85",
        "90",
    ];
    let mut s = String::new();
    for i in 0..20 {
        let band = if first_ages { ages[i] } else { LIFE_TABLE_BANDS[i] };
        s.push_str(&format!("{id},{band},{},{}\n", deaths[i], population[i]));
    }
    s
}

#[test]
fn life_expectancy_writes_every_band_of_every_id_with_its_limits_or_why_not() {
    let mut input = String::from("id,age_band,deaths,population\n");
    input.push_str(&life_table_input("Kent", &LE_DEATHS, &LE_POPULATION, false));
    // Band labels or first ages, as the package's default `age_contents`.
    input.push_str(&life_table_input("Medway", &LE_DEATHS, &LE_POPULATION, true));
    input.push_str(&life_table_input("Tiny", &[1; 20], &[200; 20], false));
    let out = run_stdin("life-expectancy", &input, &[]);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some(
            "id,age_band,value,lower_95,upper_95,lower_99_8,upper_99_8,standard_error,population_used,deaths_used,note"
        )
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 60);
    // The package's published answers: at birth 80.16960813 (79.88268548 to 80.45653078), at 90+ 6.16210635.
    for (row, (band, value, lower, upper)) in [
        (0, ("0", 80.16960813, 79.88268548, 80.45653078)),
        (19, ("90+", 6.16210635, 5.887683386, 6.436529314)),
        (20, ("0", 80.16960813, 79.88268548, 80.45653078)),
    ] {
        let cells: Vec<&str> = rows[row].split(',').collect();
        assert_eq!(cells[1], band);
        let n = |i: usize| cells[i].parse::<f64>().unwrap();
        // Limits to the package test's 4 decimals (its published ones used z = 1.96).
        assert!(
            (n(2) - value).abs() < 5e-8 && (n(3) - lower).abs() < 5e-5 && (n(4) - upper).abs() < 5e-5,
            "{}",
            rows[row]
        );
        assert!(n(5) < n(3) && n(6) > n(4), "99.8% is wider: {}", rows[row]);
    }
    assert!(rows[0].starts_with("Kent,0,") && rows[0].ends_with(",787954,9357,"), "{}", rows[0]);
    assert!(rows[20].starts_with("Medway,0,"));
    // The note has a comma, so it is quoted as one field.
    assert_eq!(rows[40], "Tiny,0,,,,,,,,,\"life expectancy not calculated: total population 4000 is 5,000 or fewer\"");
    assert!(rows[59].starts_with("Tiny,90+,,"));
}

#[test]
fn life_expectancy_reports_bad_rows_by_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("le.csv"), dir.path().join("out.csv"));
    let mut data = String::from("id,age_band,deaths,population\n");
    data.push_str(&life_table_input("a", &LE_DEATHS, &LE_POPULATION, false));
    data = data.replacen("a,5-9,4,46974", "a,5-9,-4,46974", 1); // line 4
    data = data.replacen("a,10-14,8,48489", "a,10-15,8,48489", 1); // line 5
    data = data.replacen("a,15-19,20,43219", "a,15-19,20,many", 1); // line 6
    data.push_str("a,0,1,100\n"); // line 22: band 0 twice
    std::fs::write(&input, data).unwrap();
    let assert = assure()
        .args(["stats", "life-expectancy", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .assert()
        .failure();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    let name = input.display().to_string();
    for expected in [
        format!("{name}:4: column 'deaths': is negative (-4)"),
        format!("{name}:5: column 'age_band': '10-15' is not a life table age band"),
        format!("{name}:6: column 'population': 'many' is not a number"),
        format!("{name}:22: column 'age_band': id 'a' has age band 0 twice"),
        "nothing was written".to_owned(),
    ] {
        assert!(stderr.contains(&expected), "missing '{expected}' in:\n{stderr}");
    }
    assert!(!output.exists());
    refused(
        &["life-expectancy", "--input", "-", "--output", "-"],
        "id,age_band,deaths\n",
        "missing column(s) population",
    );
}

/// Five equal quintiles with values 1, 2, 2, 3, 5 and standard error 1: SII 4.5 by hand
/// (see the assure-stats tests), limits near 4.5 ± 1.96 √2.5.
fn sii_input() -> String {
    let mut s = String::from("id,quantile,population,value,se\n");
    for (id, values) in [("rising", [1.0, 2.0, 2.0, 3.0, 5.0]), ("falling", [5.0, 3.0, 2.0, 2.0, 1.0])] {
        // Rows of an id in any order.
        for q in [3, 1, 5, 2, 4] {
            s.push_str(&format!("{id},{q},1000,{},1\n", values[q - 1]));
        }
    }
    s
}

#[test]
fn sii_by_hand_with_a_seed_that_fixes_the_limits() {
    let args = ["--quantiles", "5", "--confidence", "0.95", "--rii"];
    let out = run_stdin("sii", &sii_input(), &args);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("id,sii,lower_95,upper_95,rii,rii_lower_95,rii_upper_95,intercept,note"));
    let rising: Vec<&str> = lines.next().unwrap().split(',').collect();
    let falling: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(lines.next(), None);
    let n = |row: &[&str], i: usize| row[i].parse::<f64>().unwrap();
    assert_eq!(rising[0], "rising");
    assert!(close(n(&rising, 1), 4.5, 1e-12) && close(n(&rising, 7), 0.35, 1e-12), "{rising:?}");
    assert!(close(n(&rising, 4), 4.85 / 0.35, 1e-12));
    let spread = 1.959963984540054 * 2.5f64.sqrt();
    assert!((n(&rising, 2) - (4.5 - spread)).abs() < 0.05 && (n(&rising, 3) - (4.5 + spread)).abs() < 0.05);
    assert!(close(n(&falling, 1), -4.5, 1e-12), "{falling:?}");
    assert_eq!(rising[8], "");
    // Same seed, same output; another seed, other limits but the same SII.
    assert_eq!(run_stdin("sii", &sii_input(), &args), out);
    let other = run_stdin("sii", &sii_input(), &[&args[..], &["--seed", "42"]].concat());
    assert_ne!(other, out);
    assert_eq!(other.lines().nth(1).unwrap().split(',').nth(1), Some(rising[1]));
}

#[test]
fn sii_from_limits_with_inverted_polarity_and_a_missing_quantile_noted() {
    let mut input = String::from("id,quantile,population,value,lower_95,upper_95\n");
    for id in ["a", "b"] {
        for q in 1..=5 {
            let v = 0.2 + 0.1 * f64::from(q);
            if id == "a" || q != 4 {
                input.push_str(&format!("{id},{q},500,{v},{},{}\n", v - 0.05, v + 0.05));
            }
        }
    }
    let args = [
        "--quantiles",
        "5",
        "--value-type",
        "proportion",
        "--transform",
        "--multiplier",
        "-100",
        "--repetitions",
        "2000",
        "--confidence",
        "0.95",
    ];
    let out = run_stdin("sii", &input, &args);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "id,sii,lower_95,upper_95,intercept,note");
    let a: Vec<&str> = lines[1].split(',').collect();
    let sii: f64 = a[1].parse().unwrap();
    assert!(sii < 0.0, "higher is better: the gap is negative: {}", lines[1]);
    let (lower, upper): (f64, f64) = (a[2].parse().unwrap(), a[3].parse().unwrap());
    assert!(lower < sii && sii < upper, "{}", lines[1]);
    assert!(a[5].contains("polarity inverted"), "{}", lines[1]);
    assert_eq!(lines[2], "b,,,,,no SII: quantile(s) 4 missing");
}

#[test]
fn sii_refuses_bad_rows_and_options() {
    let stdio = ["--input", "-", "--output", "-", "--quantiles", "5"];
    let input = "id,quantile,population,value,se\na,1,100,1,1\na,6,100,1,1\na,2,0,1,1\na,3,100,1,-1\na,3,100,x,1\n";
    let assert = assure().args(["stats", "sii"]).args(stdio).write_stdin(input).assert().failure();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    for expected in [
        "-:3: column 'quantile': '6' is not a quantile number from 1 to 5",
        "-:4: column 'population': population must be greater than zero",
        "-:5: column 'se': se is negative",
        "-:6: column 'value': 'x' is not a number",
    ] {
        assert!(stderr.contains(expected), "missing '{expected}' in:\n{stderr}");
    }
    let ok = "id,quantile,population,value,se\na,1,100,1,1\n";
    refused(
        &[&["sii"], &stdio[..], &["--transform"]].concat(),
        ok,
        "--transform needs --value-type rate or proportion",
    );
    refused(&[&["sii"], &stdio[..], &["--repetitions", "10"]].concat(), ok, "--repetitions must be at least 1000");
    refused(&["sii", "--input", "-", "--output", "-", "--quantiles", "4"], ok, "between 5 and 100");
    refused(&[&["sii"], &stdio[..]].concat(), "id,quantile,population,value\n", "se, or its 95% limits");
    refused(
        &[&["sii"], &stdio[..], &["--value-type", "rate", "--transform"]].concat(),
        ok,
        "missing column(s) lower_95, upper_95",
    );
}

#[test]
fn sii_groups_computed_in_parallel_come_out_in_input_order() {
    // Groups inside a block are simulated in parallel; their rows keep the input's order.
    let mut input = String::from("id,quantile,population,value,se\n");
    for g in 0..40 {
        for (q, v) in [1.0, 2.0, 2.0, 3.0, 5.0].iter().enumerate() {
            input.push_str(&format!("g{g},{},1000,{},1\n", q + 1, v * f64::from(g + 1)));
        }
    }
    let out = run_stdin("sii", &input, &["--quantiles", "5", "--repetitions", "1000", "--confidence", "0.95"]);
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 40);
    for (g, row) in rows.iter().enumerate() {
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells[0], format!("g{g}"));
        // By hand (values 1, 2, 2, 3, 5 scaled by g + 1): SII 4.5 (g + 1).
        assert!(close(cells[1].parse().unwrap(), 4.5 * (g as f64 + 1.0), 1e-12), "{row}");
    }
}

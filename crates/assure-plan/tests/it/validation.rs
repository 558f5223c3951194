//! `load` on broken copies of the bundled plan: each kind of problem is reported
//! as `file:line:column: message`, all problems in one run, and nothing is returned.

use std::path::Path;

use assure_plan::{Diagnostic, LoadError, PLAN_FILES};

/// A copy of the bundled plan in a temporary directory.
struct Copy {
    dir: tempfile::TempDir,
}

impl Copy {
    fn new() -> Copy {
        let dir = tempfile::tempdir().unwrap();
        for f in assure_plan::bundled_files() {
            let name = Path::new(&f.name).file_name().unwrap();
            std::fs::write(dir.path().join(name), f.text).unwrap();
        }
        Copy { dir }
    }

    fn path(&self, file: &str) -> std::path::PathBuf {
        self.dir.path().join(file)
    }

    /// Replace the first occurrence of `from` (which must exist) in `file`; return its 1-based line.
    fn replace(&self, file: &str, from: &str, to: &str) -> usize {
        let text = std::fs::read_to_string(self.path(file)).unwrap();
        let at = text.find(from).unwrap_or_else(|| panic!("'{from}' not in {file}"));
        let line = text[..at].matches('\n').count() + 1;
        std::fs::write(self.path(file), text.replacen(from, to, 1)).unwrap();
        line
    }

    fn problems(&self) -> Vec<Diagnostic> {
        match assure_plan::load_dir(self.dir.path()) {
            Err(LoadError::Invalid(p)) => p,
            Err(e) => panic!("unexpected error: {e}"),
            Ok(_) => panic!("a broken plan loaded without complaint"),
        }
    }

    /// The single problem reported, which must be in `file` on `line` and mention `needle`.
    fn expect_one(&self, file: &str, line: usize, needle: &str) -> Diagnostic {
        let problems = self.problems();
        assert_eq!(problems.len(), 1, "expected exactly one problem, got:\n{}", lines(&problems));
        let p = problems.into_iter().next().unwrap();
        assert!(p.file.ends_with(file), "{p}");
        assert_eq!(p.line, Some(line), "{p}");
        assert!(p.message.contains(needle), "'{needle}' not in: {p}");
        p
    }
}

fn lines(p: &[Diagnostic]) -> String {
    p.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_bundled_plan_is_valid_and_its_copy_too() {
    assure_plan::bundled().unwrap();
    assure_plan::load_dir(Copy::new().dir.path()).unwrap();
}

#[test]
fn a_syntax_error_names_file_line_and_column() {
    let c = Copy::new();
    let line = c.replace("organisations.toml", "name = \"Kent County Council\"", "name = \"Kent County Council");
    let p = c.expect_one("organisations.toml", line, "");
    assert!(p.column > Some(1));
    assert!(p.to_string().starts_with(&format!("{}:{line}:", c.path("organisations.toml").display())), "{p}");
}

#[test]
fn an_unknown_field_is_refused() {
    let c = Copy::new();
    let line = c.replace("delivering_plans.toml", "status = \"in_place\"", "status = \"in_place\"\ncolour = \"blue\"");
    c.expect_one("delivering_plans.toml", line + 1, "unknown field `colour`");
}

#[test]
fn an_unknown_enum_value_is_refused() {
    let c = Copy::new();
    let line = c.replace("delivering_plans.toml", "status = \"in_place\"", "status = \"nearly\"");
    c.expect_one("delivering_plans.toml", line, "nearly");
}

#[test]
fn a_duplicate_id_is_reported_with_the_first_definition() {
    let c = Copy::new();
    let line = c.replace("organisations.toml", "id = \"ipph\"", "id = \"nhs-kent-medway\"");
    let problems = c.problems();
    let dup = problems
        .iter()
        .find(|p| p.message.contains("duplicate organisation id 'nhs-kent-medway'"))
        .unwrap_or_else(|| panic!("{}", lines(&problems)));
    assert_eq!(dup.line, Some(line));
    assert!(dup.message.contains("first defined on line"), "{dup}");
    // References to the vanished id are reported too, each where it is.
    assert!(problems.iter().any(|p| p.message.contains("unknown organisation 'ipph'")), "{}", lines(&problems));
}

#[test]
fn an_unknown_organisation_is_reported_where_it_is_referenced() {
    let c = Copy::new();
    let line = c.replace("commitments.toml", "led_by = [\"kmep\"]", "led_by = [\"kmepp\"]");
    let p = c.expect_one("commitments.toml", line, "unknown organisation 'kmepp'");
    assert_eq!(p.column, Some("led_by = [".len() + 3), "column of the reference (after indentation): {p}");
}

#[test]
fn an_unknown_priority_outcome_and_plan_are_reported() {
    let c = Copy::new();
    let l1 = c.replace("commitments.toml", "priorities = [\"1.1\"]", "priorities = [\"1.9\"]");
    let l2 = c.replace("indicators.toml", "outcome = 5", "outcome = 9");
    let l3 = c.replace(
        "commitments.toml",
        "plans = [\"kent-medway-economic-framework\"]",
        "plans = [\"kent-medway-economic-frame\"]",
    );
    let problems = c.problems();
    assert_eq!(problems.len(), 3, "all problems in one run:\n{}", lines(&problems));
    let has = |line: usize, needle: &str| problems.iter().any(|p| p.line == Some(line) && p.message.contains(needle));
    assert!(has(l1, "unknown priority '1.9'"), "{}", lines(&problems));
    assert!(has(l2, "unknown outcome 9"), "{}", lines(&problems));
    assert!(has(l3, "unknown delivering plan 'kent-medway-economic-frame'"), "{}", lines(&problems));
}

#[test]
fn a_priority_of_another_outcome_is_refused() {
    let c = Copy::new();
    let line = c.replace("commitments.toml", "priorities = [\"1.1\"]", "priorities = [\"2.1\"]");
    c.expect_one("commitments.toml", line, "belongs to outcome 2");
}

#[test]
fn an_at_most_target_above_its_baseline_is_inconsistent() {
    let c = Copy::new();
    // Smoking at time of delivery: 10.2% -> no more than 6%.
    let line = c.replace("indicators.toml", "kind = \"at_most\"\nvalue = 6.0", "kind = \"at_most\"\nvalue = 12.0");
    c.expect_one("indicators.toml", line, "above its baseline 10.2");
}

#[test]
fn an_at_least_target_below_its_baseline_is_inconsistent() {
    let c = Copy::new();
    let line = c.replace("indicators.toml", "kind = \"at_least\"\nvalue = 70.0", "kind = \"at_least\"\nvalue = 60.0");
    c.expect_one("indicators.toml", line, "below its baseline 65.8");
}

#[test]
fn a_target_against_the_polarity_is_inconsistent() {
    let c = Copy::new();
    c.replace("indicators.toml", "polarity = \"lower_is_better\"", "polarity = \"higher_is_better\"");
    let p = c.problems();
    assert_eq!(p.len(), 1, "{}", lines(&p));
    assert!(p[0].message.contains("contradicts the indicator's polarity (higher is better)"), "{}", p[0]);
}

#[test]
fn a_target_without_its_value_or_with_a_stray_one_is_refused() {
    let c = Copy::new();
    let l1 = c.replace("indicators.toml", "kind = \"at_least\"\nvalue = 70.0\n", "kind = \"at_least\"\n");
    let l2 = c.replace("indicators.toml", "kind = \"below_baseline\"\n", "kind = \"below_baseline\"\nvalue = 3.0\n");
    let l1 = l1 + 1; // the second edit added a line above the first
    let p = c.problems();
    assert_eq!(p.len(), 2, "{}", lines(&p));
    assert!(p.iter().any(|d| d.line == Some(l1) && d.message.contains("needs a value")), "{}", lines(&p));
    assert!(p.iter().any(|d| d.line == Some(l2 + 1) && d.message.contains("takes no value")), "{}", lines(&p));
}

#[test]
fn a_percentage_out_of_range_is_refused() {
    let c = Copy::new();
    let line = c.replace("indicators.toml", "value = 10.2", "value = 102.0");
    let p = c.problems();
    assert!(p.iter().any(|d| d.line == Some(line) && d.message.contains("not a percentage")), "{}", lines(&p));
}

#[test]
fn periods_that_do_not_parse_are_refused() {
    let c = Copy::new();
    let l1 = c.replace("indicators.toml", "by = \"2028/29\"", "by = \"2028/30\"");
    let l2 = c.replace("delivery_examples.toml", "due = \"May 2024\"", "due = \"Mai 2024\"");
    let p = c.problems();
    assert_eq!(p.len(), 2, "{}", lines(&p));
    assert!(p.iter().any(|d| d.file.ends_with("indicators.toml")
        && d.line == Some(l1)
        && d.message.contains("'2028/30' is not a period")));
    assert!(
        p.iter().any(|d| d.file.ends_with("delivery_examples.toml")
            && d.line == Some(l2)
            && d.message.contains("'Mai 2024'"))
    );
}

#[test]
fn a_parent_cycle_is_refused() {
    let c = Copy::new();
    let line = c.replace(
        "organisations.toml",
        "name = \"Kent County Council\"",
        "name = \"Kent County Council\"\nparent = \"kcc-get\"",
    );
    let p = c.problems();
    assert!(p.iter().any(|d| d.line == Some(line + 1) && d.message.contains("own ancestor")), "{}", lines(&p));
}

#[test]
fn a_led_by_cell_with_no_organisation_is_refused() {
    let c = Copy::new();
    let line = c.replace("commitments.toml", "led_by = [\"kmep\"]", "led_by = []");
    let p = c.problems();
    assert_eq!(p.len(), 1, "{}", lines(&p));
    assert!(p[0].message.contains("names no organisation"), "{}", p[0]);
    assert!(p[0].line < Some(line), "points at the commitment the row belongs to");
}

#[test]
fn a_missing_file_and_a_stray_file_are_reported() {
    let c = Copy::new();
    std::fs::remove_file(c.path("areas.toml")).unwrap();
    std::fs::write(c.path("organisation.toml"), "").unwrap();
    let p = c.problems();
    assert!(p.iter().any(|d| d.file == "areas.toml" && d.message.contains("missing")), "{}", lines(&p));
    assert!(
        p.iter().any(|d| d.file.ends_with("organisation.toml") && d.message.contains("unexpected file")),
        "{}",
        lines(&p)
    );
    // References into the missing areas file are not reported a second time.
    assert!(!p.iter().any(|d| d.message.contains("unknown area")), "{}", lines(&p));
}

#[test]
fn problems_in_several_files_are_all_reported_at_once() {
    let c = Copy::new();
    c.replace("places.toml", "outcomes = [5]", "outcomes = [7]");
    c.replace("areas.toml", "code = \"E07000105\"", "code = \"X07000105\"");
    c.replace(
        "enablers.toml",
        "led_by = [\"kent-research-innovation-improvement\", \"kcc\"]",
        "led_by = [\"kent-cc\"]",
    );
    c.replace("outcomes.toml", "id = \"1.2\"", "id = \"2.2\"");
    let p = c.problems();
    let files: std::collections::BTreeSet<&str> =
        p.iter().map(|d| Path::new(&d.file).file_name().unwrap().to_str().unwrap()).collect();
    for f in ["places.toml", "areas.toml", "enablers.toml", "outcomes.toml"] {
        assert!(files.contains(f), "{f} not reported:\n{}", lines(&p));
    }
    assert!(PLAN_FILES.len() == 10);
}

#[test]
fn an_alias_claimed_by_two_organisations_is_refused() {
    let c = Copy::new();
    // Give Medway Council the alias that resolves to Kent County Council.
    c.replace("organisations.toml", "name = \"Medway Council\"", "name = \"Medway Council\"\naliases = [\"KCC\"]");
    let p = c.problems();
    assert_eq!(p.len(), 1, "{}", lines(&p));
    assert!(p[0].message.contains("name or alias 'KCC'") && p[0].message.contains("also used by 'kcc'"), "{}", p[0]);
}

#[test]
fn an_unknown_area_is_reported_where_it_is_referenced() {
    let c = Copy::new();
    let l1 = c.replace("places.toml", "area = \"dover\"", "area = \"dovr\"");
    let l2 = c.replace("areas.toml", "area = \"sevenoaks\"", "area = \"sevenoak\"");
    let p = c.problems();
    assert_eq!(p.len(), 2, "{}", lines(&p));
    assert!(
        p.iter().any(|d| d.file.ends_with("places.toml") && d.line == Some(l1) && d.message == "unknown area 'dovr'")
    );
    assert!(
        p.iter()
            .any(|d| d.file.ends_with("areas.toml") && d.line == Some(l2) && d.message == "unknown area 'sevenoak'")
    );
}

#[test]
fn a_measurement_must_name_a_known_area_and_fit_its_unit() {
    let c = Copy::new();
    let line = c.replace(
        "indicators.toml",
        "method = \"proportion\"\narea = \"kent-medway-ics\"",
        "method = \"mean\"\narea = \"kent-and-medway\"",
    );
    let problems = c.problems();
    assert_eq!(problems.len(), 2, "{}", lines(&problems));
    assert!(
        problems.iter().any(|p| p.line == Some(line + 1) && p.message.contains("unknown area 'kent-and-medway'")),
        "{}",
        lines(&problems)
    );
    assert!(
        problems.iter().any(|p| p.line == Some(line) && p.message.contains("method 'mean' does not fit")),
        "{}",
        lines(&problems)
    );
}

#[test]
fn a_fingertips_id_maps_to_one_indicator_only() {
    let c = Copy::new();
    let line = c.replace("indicators.toml", "fingertips = [93015]", "fingertips = [93085]");
    c.expect_one(
        "indicators.toml",
        line,
        "Fingertips indicator 93085 is already mapped to 'smoking-at-time-of-delivery'",
    );
}

#[test]
fn evidence_milestones_must_exist() {
    let c = Copy::new();
    let line = c.replace(
        "indicators.toml",
        "milestones = [\"carer-support-services-m1\"]",
        "milestones = [\"carer-support-services-m9\"]",
    );
    c.expect_one("indicators.toml", line, "unknown milestone 'carer-support-services-m9'");
}

#[test]
fn only_zero_targets_take_a_tolerance_and_national_targets_need_a_comparator() {
    let c = Copy::new();
    let first = c.replace("indicators.toml", "fingertips = [93015]", "fingertips = [93015]\ntolerance = 1.0");
    let second = c.replace(
        "indicators.toml",
        "method = \"proportion\"\narea = \"kent-medway-ics\"\ncomparator = \"england\"\nsource = \"NHS England Short and Long Term Support (SALT) return, Adult Social Care Outcomes Framework\"",
        "method = \"proportion\"\narea = \"kent-medway-ics\"\nsource = \"NHS England Short and Long Term Support (SALT) return, Adult Social Care Outcomes Framework\"",
    );
    let problems = c.problems();
    assert_eq!(problems.len(), 2, "{}", lines(&problems));
    assert!(
        problems.iter().any(|p| p.message.contains("only a target of kind 'zero' takes a tolerance")),
        "{}",
        lines(&problems)
    );
    assert!(
        problems.iter().any(|p| p.line == Some(second) && p.message.contains("needs a comparator")),
        "{}",
        lines(&problems)
    );
    let _ = first;
}

#[test]
fn an_emptied_file_the_plan_needs_is_refused_at_its_first_line() {
    for (file, table) in [
        ("indicators.toml", "indicator"),
        ("commitments.toml", "commitment"),
        ("delivering_plans.toml", "plan"),
        ("areas.toml", "area"),
    ] {
        let c = Copy::new();
        std::fs::write(c.path(file), "# emptied by mistake\n").unwrap();
        let p = c.expect_one(file, 1, &format!("no [[{table}]] records"));
        assert_eq!(p.column, Some(1));
        assert!(p.message.contains("emptied"), "{p}");
    }
    // Organisations too, without a second report for every reference into the file.
    let c = Copy::new();
    std::fs::write(c.path("organisations.toml"), "").unwrap();
    c.expect_one("organisations.toml", 1, "no [[organisation]] records");
    // Outcomes and priorities share a file; each is needed.
    let c = Copy::new();
    let text = std::fs::read_to_string(c.path("outcomes.toml")).unwrap();
    let outcomes_only: String = text.split("[[priority]]").next().unwrap().to_owned();
    std::fs::write(c.path("outcomes.toml"), outcomes_only).unwrap();
    let p = c.problems();
    assert!(p.iter().any(|d| d.message.contains("no [[priority]] records")), "{}", lines(&p));
}

#[test]
fn optional_files_may_hold_no_records() {
    let c = Copy::new();
    std::fs::write(c.path("enablers.toml"), "").unwrap();
    let plan = assure_plan::load_dir(c.dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert!(plan.enablers.is_empty());
}

#[test]
fn a_plan_id_that_is_not_a_slug_is_refused_at_its_line() {
    for bad in [" kent", "a/b", "x<script>", "Kent"] {
        let c = Copy::new();
        let line = c.replace("plan.toml", "id = \"kent-and-medway-2024-26\"", &format!("id = \"{bad}\""));
        let p = c.expect_one("plan.toml", line, "plan id");
        assert!(p.message.contains("must be lower-case letters, digits, '-' or '.'"), "{bad}: {p}");
    }
}

#[test]
fn a_plan_file_that_is_not_utf8_is_one_problem_at_its_first_bad_byte() {
    let c = Copy::new();
    let text = std::fs::read_to_string(c.path("plan.toml")).unwrap();
    let at = text.find("Shared Delivery Plan 2024 - 2026").unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let column = text[..at].rsplit('\n').next().unwrap().chars().count() + 1;
    let mut bytes = text.into_bytes();
    bytes[at] = 0xE9; // 'é' in Windows-1252
    std::fs::write(c.path("plan.toml"), bytes).unwrap();
    let problems = c.problems();
    assert_eq!(problems.len(), 1, "{}", lines(&problems));
    let p = &problems[0];
    assert!(p.file.ends_with("plan.toml"), "{p}");
    assert_eq!((p.line, p.column), (Some(line), Some(column)), "{p}");
    assert!(p.message.contains("not UTF-8 (byte 0xE9 here)"), "{p}");
    assert_eq!(p.to_string().matches("UTF-8").count(), 2, "said once, with the way out: {p}");
}

#[test]
fn a_control_character_written_as_a_toml_escape_is_refused_where_it_is() {
    let copy = Copy::new();
    let line = copy.replace("indicators.toml", "measure = \"Mothers smoking", "measure = \"Mothers\\u0000 smoking");
    let p = copy.expect_one("indicators.toml", line, "control character U+0000");
    assert_eq!((p.column, p.field.as_deref()), (Some(11), Some("measure")), "{p}");
    // Anywhere in the plan's text, in a nested table or a list as well; a line break or a
    // tab in a text is not a control character to refuse.
    let copy = Copy::new();
    let nested = copy.replace("indicators.toml", "source = \"NHS England", "source = \"\\u001bNHS England");
    let listed = copy.replace("organisations.toml", "aliases = [\"", "aliases = [\"\\u007f");
    copy.replace("outcomes.toml", "title = \"", "title = \"\\t\\n");
    let problems = copy.problems();
    assert_eq!(problems.len(), 2, "{}", lines(&problems));
    let found: Vec<_> = problems.iter().map(|p| (p.file.rsplit('/').next(), p.line, p.field.as_deref())).collect();
    assert!(found.contains(&(Some("indicators.toml"), Some(nested), Some("source"))), "{}", lines(&problems));
    assert!(found.contains(&(Some("organisations.toml"), Some(listed), Some("aliases"))), "{}", lines(&problems));
    assert!(
        problems.iter().any(|p| p.message.contains("U+001B")) && problems.iter().any(|p| p.message.contains("U+007F"))
    );
}

#[test]
fn areas_whose_parents_lead_back_to_themselves_are_each_reported() {
    let c = Copy::new();
    // Kent's parent becomes Ashford, which lies in Kent.
    let kent = c.replace(
        "areas.toml",
        "id = \"kent\"\nname = \"Kent\"\nkind = \"county\"\ncode = \"E10000016\"\nparent = \"kent-medway-ics\"",
        "id = \"kent\"\nname = \"Kent\"\nkind = \"county\"\ncode = \"E10000016\"\nparent = \"ashford\"",
    );
    let problems = c.problems();
    let cycles: Vec<_> = problems.iter().filter(|d| d.message.contains("lies in itself")).collect();
    assert_eq!(cycles.len(), 2, "Kent and Ashford:\n{}", lines(&problems));
    assert!(
        cycles
            .iter()
            .any(|d| d.line == Some(kent) && d.message.contains("area 'kent' lies in itself: its parent 'ashford'")),
        "{}",
        lines(&problems)
    );
}

#[test]
fn ods_codes_are_checked_by_kind_and_for_duplicates() {
    let c = Copy::new();
    c.replace("areas.toml", "ods = \"91Q\"", "ods = \"QKS\"");
    let line = c.replace("areas.toml", "ods = \"Y59\"", "ods = \"y59\"");
    let problems = c.problems();
    assert!(problems.iter().any(|d| d.message.contains("duplicate ODS code 'QKS'")), "{}", lines(&problems));
    assert!(
        problems.iter().any(|d| d.message.contains("'y59' is not an ODS code") && d.line.is_some_and(|l| l < line)),
        "reported at the area's id: {}",
        lines(&problems)
    );
    assert_eq!(problems.len(), 2, "{}", lines(&problems));
}

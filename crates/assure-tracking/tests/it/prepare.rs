//! Fingertips and Assure rows mapped to the plan: ids, areas, breakdowns, values from
//! counts, and every problem by line.

use assure_tracking::{PrepareOptions, TrackingError, prepare};

const HEADER: &str = "Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,\
Category Type,Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Lower CI 99.8 limit,\
Upper CI 99.8 limit,Count,Denominator,Value note,Recent Trend";

fn read(body: &str) -> Vec<assure_plan::observation::Observation> {
    let text = format!("{HEADER}\n{body}");
    assure_plan::fingertips::read_csv(text.as_bytes(), "ft.csv").unwrap_or_else(|p| panic!("{p:?}"))
}

/// The problems of a refused file, rendered as the CLI and the pages show them.
fn invalid(result: Result<assure_tracking::Prepared, TrackingError>) -> Vec<String> {
    match result {
        Err(TrackingError::Invalid(problems)) => problems.iter().map(ToString::to_string).collect(),
        Err(e) => panic!("not a problem with the rows: {e}"),
        Ok(_) => panic!("refused nothing"),
    }
}

#[test]
fn fingertips_rows_are_mapped_and_counts_become_values_with_wilson_intervals() {
    let plan = assure_plan::bundled().unwrap();
    let rows = read(
        "93085,Smoking,E92000001,England,E54000032,NHS Kent and Medway,ICB,Female,All ages,,,2022/23,,,,,,1800,20000,,\n\
         93085,Smoking,,,E92000001,England,England,Female,All ages,,,2022/23,8.8,8.7,8.9,,,52000,590000,,\n\
         93015,Inactive,,,E10000016,Kent,County,Persons,19+ yrs,,,2022/23,22.1,21.0,23.2,,,,,,\n\
         93015,Inactive,,,E10000016,Kent,County,Male,19+ yrs,,,2022/23,20.5,19.0,22.0,,,,,,\n\
         93015,Inactive,,,E10000016,Kent,County,Persons,19+ yrs,Deprivation quintile,Most deprived,2022/23,30.0,27.0,33.0,,,,,,",
    );
    let p = prepare(&plan, rows, "ft.csv", &PrepareOptions::default()).unwrap();
    assert_eq!(p.computed, 1);
    let o = &p.rows[0];
    assert_eq!(
        (o.key.indicator.as_str(), o.key.area.as_str(), o.key.breakdown.as_str()),
        ("smoking-at-time-of-delivery", "kent-medway-ics", ""),
        "Fingertips publishes mothers' smoking as Female: the measurement's headline sex, not a breakdown"
    );
    assert!((o.value.unwrap() - 9.0).abs() < 1e-12);
    // Wilson 95% for 1800/20000, from the statistics engine.
    let w = assure_stats::wilson(1800.0, 20000.0, assure_stats::ConfidenceLevel::p95().z());
    assert!((o.lower.unwrap() - 100.0 * w.lower).abs() < 1e-9 && (o.upper.unwrap() - 100.0 * w.upper).abs() < 1e-9);
    assert_eq!(p.rows[1].key.area, "england");
    assert_eq!(p.rows[1].value, Some(8.8), "a stated value is kept as published");
    // The headline age (19+ yrs for 93015) is not a breakdown; other dimensions are, and so
    // is a sex when the measurement names no headline sex.
    assert_eq!(p.rows[2].key.breakdown, "");
    assert_eq!(p.rows[3].key.breakdown, "sex=Male");
    assert_eq!(p.rows[4].key.breakdown, "Deprivation quintile=Most deprived");
}

#[test]
fn every_problem_is_reported_by_line_and_nothing_is_returned() {
    let plan = assure_plan::bundled().unwrap();
    let rows = read(
        "93085,Smoking,,,E06000099,Nowhere,UA,Persons,All ages,,,2022/23,9.0,8.0,10.0,,,,,,\n\
         99999,Other,,,E54000032,K&M,ICB,Persons,All ages,,,2022/23,9.0,8.0,10.0,,,,,,\n\
         93085,Smoking,,,E54000032,K&M,ICB,Persons,All ages,,,2022/23,109.0,,,,,,,,\n\
         93085,Smoking,,,E54000032,K&M,ICB,Persons,All ages,,,2023/24,9.0,8.0,10.0,,,,,,\n\
         93085,Smoking,,,QKS,K&M,ICB,Persons,All ages,,,2023/24,9.1,8.0,10.0,,,,,,\n\
         93085,Smoking,,,E54000032,K&M,ICB,Persons,All ages,,,2021/22,,,,,,30,20,,",
    );
    let problems = invalid(prepare(&plan, rows, "ft.csv", &PrepareOptions::default()));
    let expect = [
        "ft.csv:2: area: unknown area 'E06000099'",
        "ft.csv:3: Indicator ID: Fingertips indicator 99999 is not mapped",
        "ft.csv:4: value: value 109 is not a percentage (0 to 100)",
        "ft.csv:6: period: repeats line 5",
        "ft.csv:7: numerator: numerator (30) is greater than denominator (20)",
    ];
    assert_eq!(problems.len(), expect.len(), "{problems:#?}");
    for (p, e) in problems.iter().zip(expect) {
        assert!(p.starts_with(e), "{p} should start with {e}");
    }
}

#[test]
fn rows_for_other_areas_and_indicators_can_be_left_out_and_are_counted() {
    let plan = assure_plan::bundled().unwrap();
    let body = "93085,Smoking,,,E06000099,Nowhere,UA,Persons,All ages,,,2022/23,9.0,8.0,10.0,,,,,,\n\
                99999,Other,,,E54000032,K&M,ICB,Persons,All ages,,,2022/23,9.0,8.0,10.0,,,,,,\n\
                93085,Smoking,,,E06000035,Medway,UA,Persons,All ages,,,2022/23,9.0,8.0,10.0,,,,,,";
    let options = PrepareOptions { skip_unknown_areas: true, skip_unmapped: true, ..Default::default() };
    let p = prepare(&plan, read(body), "ft.csv", &options).unwrap();
    assert_eq!((p.rows.len(), p.skipped), (1, 2));
    assert_eq!(p.rows[0].key.area, "medway");
    // An extra mapping brings in an indicator the plan does not map.
    let options = PrepareOptions {
        map: [(99999, "loneliness".to_owned())].into(),
        skip_unknown_areas: true,
        ..Default::default()
    };
    let p = prepare(&plan, read(body), "ft.csv", &options).unwrap();
    assert_eq!(
        p.rows.iter().map(|o| o.key.indicator.as_str()).collect::<Vec<_>>(),
        ["loneliness", "smoking-at-time-of-delivery"]
    );
    let bad = PrepareOptions { map: [(1, "nope".to_owned())].into(), ..Default::default() };
    assert!(prepare(&plan, read(body), "ft.csv", &bad).unwrap_err().to_string().contains("'nope' is not an indicator"));
}

#[test]
fn a_compound_statement_takes_data_for_its_parts() {
    let plan = assure_plan::bundled().unwrap();
    let text = "indicator,area,period,value\nyear-6-healthy-weight,E54000032,2023/24,62.0\n";
    let rows = assure_plan::observation::read_csv(text.as_bytes(), "a.csv").unwrap();
    let problems = invalid(prepare(&plan, rows, "a.csv", &PrepareOptions::default()));
    assert!(problems[0].starts_with("a.csv:2: indicator: 'year-6-healthy-weight' is a compound statement; give data for its parts: year-6-healthy-weight-prevalence, year-6-severe-obesity"), "{problems:?}");
}

#[test]
fn demo_data_is_deterministic_illustrative_and_prepares_cleanly() {
    let plan = assure_plan::bundled().unwrap();
    let a = assure_tracking::demo::generate(&plan);
    let b = assure_tracking::demo::generate(&plan);
    assert_eq!(a, b);
    assert!(a.iter().all(|o| o.illustrative));
    let p = prepare(&plan, a, "demo", &PrepareOptions::default()).unwrap();
    assert!(p.rows.len() > 4000, "{}", p.rows.len());
    // Every indicator measured by a number has data for its own area and for England.
    for t in plan.indicators.iter().flat_map(|i| i.tracked()) {
        if t.target.kind.get_ref().as_str() == "qualitative" {
            continue;
        }
        let area = t.measurement.unwrap().area.get_ref();
        for a in [area.as_str(), "england"] {
            assert!(p.rows.iter().any(|o| o.key.indicator == t.id && o.key.area == a), "{} {a}", t.id);
        }
    }
}

#[test]
fn a_problem_names_the_file_line_and_field_and_no_column_which_rows_do_not_keep() {
    let plan = assure_plan::bundled().unwrap();
    let text = "indicator,area,period,value\n\
                smoking-at-time-of-delivery,E54000032,2023/24,9.1\n\
                smoking-at-time-of-delivery,atlantis,2023/24,9.1\n";
    let rows = assure_plan::observation::read_csv(text.as_bytes(), "a.csv").unwrap();
    let Err(TrackingError::Invalid(problems)) = prepare(&plan, rows, "a.csv", &PrepareOptions::default()) else {
        panic!("the unknown area was accepted")
    };
    assert_eq!(problems.total(), 1, "{problems}");
    let p = &problems.listed()[0];
    assert_eq!((p.file.as_str(), p.line, p.column, p.field.as_deref()), ("a.csv", Some(3), None, Some("area")));
    assert!(p.message.starts_with("unknown area 'atlantis'"), "{p}");

    // Rows made up, not read, have no line: none is shown rather than a line 0.
    let mut demo = assure_tracking::demo::generate(&plan);
    demo.truncate(1);
    demo[0].key.area = "atlantis".into();
    let Err(TrackingError::Invalid(problems)) = prepare(&plan, demo, "demo", &PrepareOptions::default()) else {
        panic!("the unknown area was accepted")
    };
    assert_eq!(problems.listed()[0].line, None);
    assert!(problems.listed()[0].to_string().starts_with("demo: area: unknown area 'atlantis'"), "{problems}");
}

#[test]
fn past_fifty_problems_the_rest_are_counted() {
    let plan = assure_plan::bundled().unwrap();
    let mut text = String::from("indicator,area,period,value\n");
    for _ in 0..70 {
        text.push_str("smoking-at-time-of-delivery,atlantis,2023/24,9.1\n");
    }
    let rows = assure_plan::observation::read_csv(text.as_bytes(), "a.csv").unwrap();
    let Err(TrackingError::Invalid(problems)) = prepare(&plan, rows, "a.csv", &PrepareOptions::default()) else {
        panic!("the unknown areas were accepted")
    };
    assert_eq!((problems.listed().len(), problems.omitted()), (50, 20));
}

#[test]
fn map_targets_outside_the_plan_are_their_own_kind_of_error_in_id_order() {
    let plan = assure_plan::bundled().unwrap();
    let bad = PrepareOptions { map: [(2, "nope".to_owned()), (1, "nah".to_owned())].into(), ..Default::default() };
    match prepare(&plan, Vec::new(), "ft.csv", &bad) {
        Err(e @ TrackingError::UnknownMapTargets(_)) => assert_eq!(
            e.to_string(),
            "--map 1=nah: 'nah' is not an indicator of the plan\n--map 2=nope: 'nope' is not an indicator of the plan"
        ),
        other => panic!("{other:?}"),
    }
}

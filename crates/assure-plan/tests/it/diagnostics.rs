//! Every reader reports its problems as [`Diagnostic`]s with the file, line, column and
//! field, rendered in one form (`file:line:column: field: message`) whatever the source.

use assure_plan::{Diagnostic, Diagnostics, LoadError, fingertips, observation};

fn one(problems: Diagnostics) -> Diagnostic {
    assert_eq!(problems.total(), 1, "{problems}");
    problems.into_iter().next().unwrap()
}

fn at(file: &str, line: usize, column: usize, field: Option<&str>, message: &str) -> Diagnostic {
    Diagnostic {
        file: file.into(),
        line: Some(line),
        column: Some(column),
        field: field.map(str::to_owned),
        message: message.into(),
    }
}

const ASSURE: &str = "indicator,area,period,breakdown,value\n\
                      smoking-at-time-of-delivery,E54000032,2023/24,,9.1\n\
                      smoking-at-time-of-delivery,E54000032,2022/23,,nine\n";

const FINGERTIPS: &str = "Indicator ID,Area Code,Time period,Sex,Value\n\
                          93085,E54000032,2023/24,Persons,9.1\n\
                          93085,E54000032,2022/23,Persons,nine\n";

#[test]
fn a_bad_value_in_assure_csv_is_reported_at_its_line_column_and_field() {
    let p = one(observation::read_csv(ASSURE.as_bytes(), "a.csv").unwrap_err());
    assert_eq!(p, at("a.csv", 3, 5, Some("value"), "'nine' is not a number"));
    assert_eq!(p.to_string(), "a.csv:3:5: value: 'nine' is not a number");
}

#[test]
fn a_bad_value_in_fingertips_csv_is_reported_at_its_line_column_and_field() {
    let p = one(fingertips::read_csv(FINGERTIPS.as_bytes(), "ft.csv").unwrap_err());
    assert_eq!(p, at("ft.csv", 3, 5, Some("Value"), "'nine' is not a number"));
    let bad_period = FINGERTIPS.replace("2022/23", "2022-23x");
    let p = fingertips::read_csv(bad_period.as_bytes(), "ft.csv").unwrap_err();
    assert_eq!((p.listed()[0].line, p.listed()[0].column), (Some(3), Some(3)));
    assert_eq!(p.listed()[0].field.as_deref(), Some("Time period"));
    assert!(p.listed()[0].to_string().starts_with("ft.csv:3:3: Time period: '2022-23x' is not a period"), "{p}");
}

#[test]
fn read_any_reports_either_layout_the_same_way() {
    let p = one(fingertips::read_any(ASSURE.as_bytes(), "a.csv").unwrap_err());
    assert_eq!(p, at("a.csv", 3, 5, Some("value"), "'nine' is not a number"));
    let p = one(fingertips::read_any(FINGERTIPS.as_bytes(), "ft.csv").unwrap_err());
    assert_eq!(p, at("ft.csv", 3, 5, Some("Value"), "'nine' is not a number"));
}

#[test]
fn header_and_record_problems_have_a_place_but_no_field() {
    let text = "indicator,area,period,colour\nx,E54000032,2023/24,red\n";
    let p = one(observation::read_csv(text.as_bytes(), "a.csv").unwrap_err());
    assert_eq!((p.line, p.column, p.field.as_deref()), (Some(1), Some(4), None), "{p}");
    assert!(p.message.starts_with("unknown column 'colour'"), "{p}");
    let short = "indicator,area,period\nx,E54000032,2023/24\ny,E54000032\n";
    let p = one(observation::read_csv(short.as_bytes(), "a.csv").unwrap_err());
    assert_eq!((p.file.as_str(), p.line, p.field.as_deref()), ("a.csv", Some(3), None), "{p}");
}

#[test]
fn past_fifty_problems_the_rest_of_the_file_is_counted_not_listed() {
    let mut text = String::from("indicator,area,period,value\n");
    for _ in 0..60 {
        text.push_str("x,E54000032,2023/24,nine\n");
    }
    let p = observation::read_csv(text.as_bytes(), "a.csv").unwrap_err();
    assert_eq!((p.listed().len(), p.omitted(), p.total()), (Diagnostics::LISTED, 60 - Diagnostics::LISTED, 60));
    assert_eq!(p.listed().last().unwrap().line, Some(Diagnostics::LISTED + 1));
    assert!(p.to_string().ends_with("… and 10 more problem(s)"), "{p}");
}

/// Splits `file:line:column: rest` from the left.
fn location(text: &str) -> (&str, usize, usize, &str) {
    let mut parts = text.splitn(4, ':');
    let file = parts.next().unwrap();
    let line = parts.next().unwrap().parse().unwrap_or_else(|_| panic!("no line in {text}"));
    let column = parts.next().unwrap().parse().unwrap_or_else(|_| panic!("no column in {text}"));
    let rest = parts.next().unwrap().strip_prefix(' ').unwrap_or_else(|| panic!("no space in {text}"));
    (file, line, column, rest)
}

#[test]
fn a_plan_problem_and_an_observation_problem_render_in_one_form() {
    let mut files = assure_plan::bundled_files();
    let f = files.iter_mut().find(|f| f.name.ends_with("/organisations.toml")).unwrap();
    f.text = f.text.replacen("id = \"ipph\"", "id = \"IPPH\"", 1);
    let Err(LoadError::Invalid(plan)) = assure_plan::load(&files) else { panic!("a broken plan loaded") };
    let plan = plan.into_iter().find(|d| d.message.contains("'IPPH' must be lower-case")).expect("the bad id");
    let csv = one(observation::read_csv(ASSURE.as_bytes(), "a.csv").unwrap_err());

    for (d, rest) in
        [(&plan, plan.message.clone()), (&csv, format!("{}: {}", csv.field.as_deref().unwrap(), csv.message))]
    {
        let text = d.to_string();
        let (file, line, column, after) = location(&text);
        assert_eq!((file, Some(line), Some(column), after), (d.file.as_str(), d.line, d.column, rest.as_str()));
    }
    assert!(plan.field.is_none());
    assert!(plan.to_string().ends_with(": organisation id 'IPPH' must be lower-case letters, digits, '-' or '.'"));
}

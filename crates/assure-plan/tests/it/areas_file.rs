//! Areas files read and merged into the bundled plan: every problem by line and field,
//! rows that update an area, and each kind of code checked.

use assure_plan::areas_file::merge_areas_file;
use assure_plan::{AreaKind, Plan};

fn plan() -> Plan {
    assure_plan::bundled().unwrap()
}

fn problems(text: &str) -> Vec<String> {
    match merge_areas_file(&plan(), "f.csv", text.as_bytes()) {
        Ok(_) => panic!("a bad file merged without complaint"),
        Err(p) => p.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_good_file_adds_areas_and_updates_those_the_plan_has() {
    let text = "\u{feff}Code,Name,Kind,Parent,ONS,Aliases\n\
                pcn-x,X PCN,pcn,hcp-west-kent,,X network; The X\n\
                practice-y,Y Surgery,practice,pcn-x,,\n\
                \n\
                dover,Dover District,district,kent,E07000108,\n";
    let m = merge_areas_file(&plan(), "f.csv", text.as_bytes()).unwrap();
    let added: Vec<&str> = m.added.iter().map(|a| a.id.get_ref().as_str()).collect();
    assert_eq!(added, ["pcn-x", "practice-y"]);
    assert_eq!(m.added[0].aliases, ["X network", "The X"]);
    assert_eq!(m.changed.len(), 1);
    assert_eq!(m.changed[0].fields(), [("name", "Dover".to_owned(), "Dover District".to_owned())]);
    let dover = m.plan.area("dover").unwrap();
    assert_eq!((dover.name.as_str(), dover.line.is_some()), ("Dover District", true), "the source line is kept");
    assert_eq!(m.plan.area("practice-y").unwrap().kind, AreaKind::Practice);
    assert_eq!(m.plan.areas.len(), plan().areas.len() + 2);
}

#[test]
fn every_problem_is_reported_by_line_and_field() {
    let p = problems(
        "code,name,kind,parent,ons,ods,valid_from,valid_to\n\
         Bad Code,A,pcn,hcp-west-kent,,,,\n\
         pcn-b,B,pcn,hcp-west-kent,E1234,G12345,2024-02-30,\n\
         practice-c,C,practice,pcn-b,,U12345,2024-04-01,2023-04-01\n\
         pcn-d,D,pcn,pcn-d,,,,\n",
    );
    let expected = [
        "f.csv:2: code: 'Bad Code' is not an area code",
        "f.csv:3: ons: 'E1234' is not an ONS area code",
        "f.csv:3: ods: 'G12345' is not a primary care network's ODS code",
        "f.csv:3: valid_from: '2024-02-30' is not a date",
        "f.csv:4: ods: 'U12345' is not a GP practice's ODS code",
        "f.csv:4: valid_to: 2023-04-01 is before valid_from 2024-04-01",
        "f.csv:5: parent: the area 'pcn-d' cannot lie in itself",
    ];
    for e in expected {
        assert!(p.iter().any(|x| x.starts_with(e)), "{e:?} not in {p:#?}");
    }
    assert_eq!(p.len(), expected.len(), "{p:#?}");
}

#[test]
fn a_header_without_its_columns_or_with_unknown_ones_is_refused_before_the_rows() {
    let p = problems("code,name,knd\npcn-x,X,pcn\n");
    assert!(p.iter().any(|x| x == "f.csv:1: knd: 'knd' is not a column of an areas file (the columns are code, name, kind, parent, ons, ods, aliases, valid_from, valid_to)"), "{p:#?}");
    assert!(p.iter().any(|x| x == "f.csv:1: kind: the header row has no 'kind' column"), "{p:#?}");
    assert!(p.iter().any(|x| x == "f.csv:1: parent: the header row has no 'parent' column"), "{p:#?}");
    assert_eq!(problems(""), ["f.csv: the file is empty: it needs a header row and a row per area"]);
    assert_eq!(problems("code,name,kind,parent\n"), ["f.csv:1: code: the file has a header row but no areas"]);
    let latin1 = merge_areas_file(&plan(), "f.csv", b"code,name,kind,parent\npcn-x,Caf\xe9,pcn,kent\n").unwrap_err();
    assert!(latin1.iter().next().unwrap().message.contains("not UTF-8"), "{latin1:?}");
    let junk = merge_areas_file(&plan(), "f.xlsx", b"PK\x03\x04 not a zip").unwrap_err();
    assert!(junk.iter().next().unwrap().message.contains("not readable as an .xlsx workbook"), "{junk:?}");
}

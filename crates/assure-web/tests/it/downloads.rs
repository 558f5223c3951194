//! The programme office's lists download as CSV and as real spreadsheets, over real HTTP
//! on both databases. Each workbook is read back with calamine: a header row that is the
//! CSV's, one row per CSV row, dates as dates, yes/no as booleans, numbers as numbers —
//! and text that looks like a formula (a partner's milestone called `=HYPERLINK(...)`)
//! is a string in the workbook and quoted in the CSV, never a formula.

use std::io::Cursor;

use assure_app::OpenRound;
use assure_store::Role;
use calamine::{Data, Reader, Xlsx};

use crate::{PASSWORD, TestApp, account, apps};

const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"Click\")";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A workbook's only sheet: its header and rows, and how many cells hold a formula.
struct Workbook {
    header: Vec<String>,
    rows: Vec<Vec<Data>>,
    formulas: usize,
    /// The workbook's styles, where a quote prefix is declared.
    styles: String,
}

fn workbook(bytes: Vec<u8>) -> Workbook {
    let styles = {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes.clone())).expect("an xlsx is a zip");
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").expect("styles"), &mut xml).unwrap();
        xml
    };
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("calamine opens it");
    let names = book.sheet_names();
    assert_eq!(names.len(), 1, "one sheet: {names:?}");
    let range = book.worksheet_range(&names[0]).unwrap();
    let formulas = book.worksheet_formula(&names[0]).unwrap().used_cells().filter(|(_, _, f)| !f.is_empty()).count();
    let mut rows = range.rows();
    let header = rows.next().expect("a header row").iter().map(ToString::to_string).collect();
    Workbook { header, rows: rows.map(<[Data]>::to_vec).collect(), formulas, styles }
}

fn column(book: &Workbook, name: &str) -> usize {
    book.header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}: {:?}", book.header))
}

#[test]
fn every_list_downloads_as_csv_and_as_a_typed_spreadsheet() {
    for app in apps() {
        let TestApp { db, .. } = &app;
        let name = db.name;
        let plan = app.load_illustrative_data();
        let store = db.open();
        account(&store, "medway", Role::Editor, &["medway-council"]);
        account(&store, "ada", Role::Admin, &[]);
        // A partner's milestone whose title a spreadsheet would run.
        let medway_plan = plan
            .delivering_plans
            .iter()
            .find(|p| plan.led_by_any(&plan.delivering_plan_leads(p.id.get_ref()), &["medway-council".into()]))
            .expect("Medway leads a plan");
        store
            .add_milestone(plan.meta.id.get_ref(), medway_plan.id.get_ref(), FORMULA, "March 2027", &|_| false, "test")
            .unwrap();
        // A round, for its returns.
        let app_layer = assure_app::App::new(store.clone());
        let delivery = app_layer.delivery(plan.meta.id.get_ref()).unwrap();
        let round = app_layer
            .open_round(
                &store.account("ada").unwrap().unwrap(),
                &plan,
                &delivery,
                &OpenRound {
                    name: "Medway 6-month update".into(),
                    deadline: "2027-06-30".into(),
                    scope: "place:medway".into(),
                },
            )
            .unwrap();
        let mut b = app.browser();
        assert_eq!(b.sign_in("medway", PASSWORD).status, 303, "{name}");
        // Each list: the page that offers it, and the address of its download.
        let lists = [
            ("/my-work".to_owned(), "/my-work".to_owned()),
            ("/delivery".to_owned(), "/delivery".to_owned()),
            (
                "/delivery?organisation=medway-council&overdue=1".to_owned(),
                "/delivery?organisation=medway-council&overdue=1".to_owned(),
            ),
            ("/progress".to_owned(), "/progress".to_owned()),
            ("/progress?outcome=2".to_owned(), "/progress?outcome=2".to_owned()),
            ("/plans".to_owned(), "/plans".to_owned()),
            (format!("/rounds/{}", round.id), format!("/rounds/{}/returns", round.id)),
        ];
        for (page, list) in &lists {
            let (path, query) = list.split_once('?').map_or((list.as_str(), ""), |(p, q)| (p, q));
            let with =
                |ext: &str| if query.is_empty() { format!("{path}.{ext}") } else { format!("{path}.{ext}?{query}") };
            let csv = b.get(&with("csv"));
            assert_eq!(csv.status, 200, "{name} {list}.csv: {}", csv.body);
            let (status, kind, bytes) = b.get_bytes(&with("xlsx"));
            assert_eq!(status, 200, "{name} {list}.xlsx");
            assert_eq!(kind, XLSX, "{name} {list}.xlsx");
            let book = workbook(bytes);
            let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
            let csv_header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
            let csv_rows = reader.records().count();
            assert_eq!(book.header, csv_header, "{name} {list}: the workbook's header is the CSV's");
            assert_eq!(book.rows.len(), csv_rows, "{name} {list}: a row for each CSV row");
            assert!(csv_rows > 0, "{name} {list}: something to download");
            assert_eq!(book.formulas, 0, "{name} {list}: no formula anywhere");
            // The page links both.
            let shown = b.get(page);
            assert!(
                shown.body.contains(&with("xlsx").replace('&', "&amp;")),
                "{name} {page}: the page links the spreadsheet"
            );
        }
        // Committee actions (none recorded here): the header alone, the same in both.
        let (status, _, bytes) = b.get_bytes("/actions.xlsx");
        assert_eq!(status, 200, "{name}");
        let book = workbook(bytes);
        let csv = b.get("/actions.csv").body;
        assert_eq!(book.header.join(","), csv.lines().next().unwrap_or_default(), "{name}: /actions");
        // Types: my work's expected date is a date where the plan gives one, its flags are
        // booleans, the days since an update a number or empty; the formula is text.
        let (_, _, bytes) = b.get_bytes("/my-work.xlsx");
        let book = workbook(bytes);
        let (title, expected, overdue) = (column(&book, "title"), column(&book, "expected"), column(&book, "overdue"));
        let risky =
            book.rows.iter().find(|r| r[title] == Data::String(FORMULA.into())).expect("the partner's milestone");
        assert!(matches!(risky[expected], Data::DateTime(_)), "{name}: March 2027 is a date: {:?}", risky[expected]);
        assert_eq!(risky[overdue], Data::Bool(false), "{name}");
        assert!(book.rows.iter().any(|r| r[overdue] == Data::Bool(true)), "{name}: some Medway items are overdue");
        assert!(book.styles.contains("quotePrefix=\"1\""), "{name}: formula-like text carries Excel's quote prefix");
        let csv = b.get("/my-work.csv").body;
        assert!(csv.contains("\"'=HYPERLINK("), "{name}: the CSV quotes the formula: {csv}");
        assert!(csv.contains(",2027-03-31,"), "{name}: the CSV writes the date ISO 8601");
        // Progress: values are numbers.
        let (_, _, bytes) = b.get_bytes("/progress.xlsx");
        let book = workbook(bytes);
        let value = column(&book, "value");
        assert!(book.rows.iter().any(|r| matches!(r[value], Data::Float(_))), "{name}: values are numbers");
        assert!(book.rows.iter().all(|r| matches!(r[value], Data::Float(_) | Data::Empty)), "{name}");
        // The round's returns: a row per item asked, each with the round's deadline as a date.
        let (_, _, bytes) = b.get_bytes(&format!("/rounds/{}/returns.xlsx", round.id));
        let book = workbook(bytes);
        let deadline = column(&book, "deadline");
        assert!(book.rows.iter().all(|r| matches!(r[deadline], Data::DateTime(_))), "{name}: deadlines are dates");
        // Signed out, the lists of signed-in pages send people to sign in.
        let mut anonymous = app.browser();
        assert_eq!(anonymous.get("/my-work.xlsx").status, 303, "{name}");
        assert_eq!(anonymous.get(&format!("/rounds/{}/returns.xlsx", round.id)).status, 303, "{name}");
    }
}

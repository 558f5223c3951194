//! The upload form fuzzed over real HTTP on both databases (#19, keep it found): an
//! editor posts `multipart/form-data` bodies built from real files and then broken — the
//! file's bytes spliced and cut, the boundary wrong or missing, the CSRF token absent or
//! wrong, odd file names and part headers. Every answer must be a page with a status the
//! form can give (never a server error), the server must go on answering, and nothing
//! may be stored unless the upload was accepted (then exactly one import is recorded).
//! Cases per database: `PROPTEST_CASES` (default 40); a longer run is
//! `PROPTEST_CASES=5000 cargo test -p assure-web --test it -- fuzz`.

use assure_store::Role;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::{Browser, apps};

const PASSWORD: &str = "a long enough password";
const PLAN: &str = "kent-and-medway-2024-26";
const BOUNDARY: &str = "----fuzz-boundary";

/// Real files in both layouts, each accepted whole as it is.
const SEEDS: [&str; 2] = [
    "indicator,area,period,breakdown,value,lower,upper,numerator,denominator,note,source\n\
     smoking-at-time-of-delivery,kent-medway-ics,2022/23,,10.2,9.8,10.6,1500,14700,\"a note, quoted\",SATOD\n\
     smoking-at-time-of-delivery,medway,2023/24,,8.9,,,,,,\n",
    "Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,\
     Category Type,Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Count,Denominator,Value note\n\
     93085,Smoking status at time of delivery,E92000001,England,E92000001,England,England,Female,All ages,,,2022/23,8.8,8.7,8.9,51000,580000,\n",
];

/// One broken upload.
#[derive(Debug, Clone)]
struct Upload {
    seed: usize,
    /// Where the file's bytes are spliced, and what goes in.
    splice_at: usize,
    inserted: Vec<u8>,
    /// Where the whole body is cut off (beyond its length: not cut).
    cut_at: usize,
    csrf: Csrf,
    file_name: String,
    part_type: String,
    boundary_in_header: bool,
}

#[derive(Debug, Clone, Copy)]
enum Csrf {
    Right,
    Missing,
    Wrong,
}

fn uploads() -> impl Strategy<Value = Upload> {
    (
        0..SEEDS.len(),
        any::<usize>(),
        prop_oneof![Just(Vec::new()), proptest::collection::vec(any::<u8>(), 0..48), Just(b"\r\n--".to_vec())],
        prop_oneof![3 => Just(usize::MAX), 1 => any::<usize>()],
        prop_oneof![4 => Just(Csrf::Right), 1 => Just(Csrf::Missing), 1 => Just(Csrf::Wrong)],
        prop_oneof![Just("data.csv".to_owned()), "\\PC{0,30}", Just("..\\\\..\\\";x.csv".to_owned())],
        prop_oneof![Just("text/csv".to_owned()), Just("application/octet-stream".to_owned()), "[ -~]{0,20}"],
        prop_oneof![5 => Just(true), 1 => Just(false)],
    )
        .prop_map(|(seed, splice_at, inserted, cut_at, csrf, file_name, part_type, boundary_in_header)| Upload {
            seed,
            splice_at,
            inserted,
            cut_at,
            csrf,
            file_name,
            part_type,
            boundary_in_header,
        })
}

impl Upload {
    /// The request's content type and body.
    fn request(&self, token: &str) -> (String, Vec<u8>) {
        let mut file = SEEDS[self.seed].as_bytes().to_vec();
        let at = self.splice_at % (file.len() + 1);
        file.splice(at..at, self.inserted.iter().copied());
        let mut body = Vec::new();
        let csrf = match self.csrf {
            Csrf::Right => Some(token.to_owned()),
            Csrf::Wrong => Some(format!("{token}x")),
            Csrf::Missing => None,
        };
        if let Some(csrf) = csrf {
            body.extend(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n").bytes(),
            );
        }
        let name = self.file_name.replace(['"', '\r', '\n'], "_");
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {}\r\n\r\n",
                self.part_type
            )
            .bytes(),
        );
        body.extend(file);
        body.extend(format!("\r\n--{BOUNDARY}--\r\n").bytes());
        body.truncate(self.cut_at.min(body.len()));
        let kind = if self.boundary_in_header {
            format!("multipart/form-data; boundary={BOUNDARY}")
        } else {
            "multipart/form-data".to_owned()
        };
        (kind, body)
    }
}

#[test]
fn the_upload_form_survives_broken_uploads_and_stores_nothing_it_refuses() {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        let fields = assure_store::AccountFields {
            display_name: "Fuzz Editor".into(),
            role: Role::Editor,
            organisations: vec!["kcc".into()],
            disabled: false,
        };
        store.create_account("fuzzer", PASSWORD, &fields, "tester").unwrap();
        let mut editor: Browser = app.browser();
        assert_eq!(editor.sign_in("fuzzer", PASSWORD).status, 303, "{name}");
        // The runner takes a `Fn`: the client and the count change through cells.
        let editor = std::cell::RefCell::new(editor);
        let accepted = std::cell::Cell::new(0);
        let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
        let result = runner.run(&uploads(), |upload| {
            let imports = store.data_imports(PLAN).unwrap().len();
            let rows = store.observations(PLAN, None).unwrap().len();
            let mut editor = editor.borrow_mut();
            let (kind, body) = upload.request(&editor.csrf);
            let r = editor.post_bytes("/data/upload", &kind, &body);
            let said = format!("{name}: {} {}", r.status, r.body.chars().take(400).collect::<String>());
            prop_assert!([200, 400, 403, 413, 415, 422].contains(&r.status), "{said}");
            prop_assert!(!r.body.is_empty(), "{said}");
            let (imports_now, rows_now) =
                (store.data_imports(PLAN).unwrap().len(), store.observations(PLAN, None).unwrap().len());
            if r.status == 200 {
                accepted.set(accepted.get() + 1);
                prop_assert_eq!(imports_now, imports + 1, "{}", said);
            } else {
                prop_assert_eq!((imports_now, rows_now), (imports, rows), "{}: refused, yet stored", said);
            }
            let health = editor.get("/healthz");
            if health.status != 200 {
                return Err(TestCaseError::fail(format!("{name}: /healthz {} after {said}", health.status)));
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
        // The seeds themselves are accepted, so some cases must have gone all the way.
        assert!(accepted.get() > 0 || cases < 20, "{name}: no upload was accepted in {cases} cases");
    }
}

/// The engagement form's fields as a resident's browser sends them, one accepted whole.
const SAY_FIELDS: [(&str, &str); 13] = [
    ("stamp", ""),
    ("website", ""),
    ("outcome", "2"),
    ("area", "swale"),
    ("commitment", ""),
    ("body", "The bus to the surgery was cancelled again, so I missed my appointment."),
    ("experienced", ""),
    ("name_choice", "pseudonym"),
    ("first_name", ""),
    ("consent_publish", "yes"),
    ("consent_contact", "no"),
    ("email", ""),
    ("age_band", "65 to 74"),
];

/// One broken submission of "Have your say": some fields replaced by arbitrary text
/// (any Unicode, long, or raw bytes that are not UTF-8 or not valid percent-encoding),
/// some dropped or sent twice, and the whole body cut.
#[derive(Debug, Clone)]
struct Say {
    /// For each field: keep it, replace its value, drop it, or send it twice.
    changes: Vec<(usize, Change)>,
    cut_at: usize,
    form_type: bool,
}

#[derive(Debug, Clone)]
enum Change {
    Value(String),
    Raw(Vec<u8>),
    Drop,
    Twice,
}

fn says() -> impl Strategy<Value = Say> {
    let change = prop_oneof![
        3 => "\\PC{0,40}".prop_map(Change::Value),
        1 => "[a-z ]{900,1200}".prop_map(Change::Value),
        1 => proptest::collection::vec(any::<u8>(), 0..24).prop_map(Change::Raw),
        1 => Just(Change::Raw(b"%zz%%%F0%9F".to_vec())),
        1 => Just(Change::Drop),
        1 => Just(Change::Twice),
    ];
    (
        proptest::collection::vec((0..SAY_FIELDS.len(), change), 0..4),
        prop_oneof![4 => Just(usize::MAX), 1 => any::<usize>()],
        prop_oneof![6 => Just(true), 1 => Just(false)],
    )
        .prop_map(|(changes, cut_at, form_type)| Say { changes, cut_at, form_type })
}

impl Say {
    /// The request's content type and body, with the form's own stamp and month.
    fn request(&self, stamp: &str, month: &str) -> (String, Vec<u8>) {
        let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let mut body: Vec<u8> = Vec::new();
        for (i, (name, value)) in SAY_FIELDS.iter().enumerate() {
            let value = match *name {
                "stamp" => stamp,
                "experienced" => month,
                _ => value,
            };
            let mut pairs: Vec<Vec<u8>> = vec![format!("{name}={}", encode(value)).into_bytes()];
            for (_, change) in self.changes.iter().filter(|(f, _)| *f == i) {
                match change {
                    Change::Value(v) => pairs = vec![format!("{name}={}", encode(v)).into_bytes()],
                    Change::Raw(bytes) => pairs = vec![[format!("{name}=").as_bytes(), bytes].concat()],
                    Change::Drop => pairs.clear(),
                    Change::Twice => pairs.extend(pairs.clone()),
                }
            }
            for pair in pairs {
                if !body.is_empty() {
                    body.push(b'&');
                }
                body.extend(pair);
            }
        }
        body.truncate(self.cut_at.min(body.len()));
        let kind = if self.form_type { "application/x-www-form-urlencoded" } else { "text/plain" };
        (kind.to_owned(), body)
    }
}

#[test]
fn the_engagement_form_survives_broken_submissions_and_stores_only_what_it_receipts() {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        let mut resident: Browser = app.browser();
        let page = resident.get("/have-your-say").body;
        let value = |field: &str| {
            page.split(&format!("name=\"{field}\""))
                .nth(1)
                .and_then(|s| s.split("value=\"").nth(1))
                .and_then(|s| s.split('"').next())
                .unwrap_or_default()
                .to_owned()
        };
        let stamp = value("stamp");
        let month = page
            .split("id=\"experienced\"")
            .nth(1)
            .and_then(|s| s.split("<option value=\"").nth(2))
            .and_then(|s| s.split('"').next())
            .unwrap_or_default()
            .to_owned();
        assert!(!stamp.is_empty() && month.len() == 7, "{name}: the form's stamp {stamp:?} and month {month:?}");
        // A real person takes more than a few seconds to write; so does this test.
        std::thread::sleep(assure_app::MIN_FORM_AGE + std::time::Duration::from_millis(200));
        let resident = std::cell::RefCell::new(resident);
        let received = std::cell::Cell::new(0);
        let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
        let result = runner.run(&says(), |say| {
            let before = store.contributions(PLAN, &[]).unwrap().len();
            let mut resident = resident.borrow_mut();
            let (kind, body) = say.request(&stamp, &month);
            let r = resident.post_bytes("/have-your-say", &kind, &body);
            let said = format!("{name}: {} {}", r.status, r.body.chars().take(400).collect::<String>());
            prop_assert!([200, 400, 413, 415, 422, 429].contains(&r.status), "{said}");
            prop_assert!(!r.body.is_empty(), "{said}");
            let after = store.contributions(PLAN, &[]).unwrap().len();
            if r.status == 200 && r.body.contains("assure-receipt") {
                received.set(received.get() + 1);
                prop_assert_eq!(after, before + 1, "{}: a receipt, so one item stored", said);
            } else {
                prop_assert_eq!(after, before, "{}: no receipt, yet stored", said);
            }
            let health = resident.get("/healthz");
            if health.status != 200 {
                return Err(TestCaseError::fail(format!("{name}: /healthz {} after {said}", health.status)));
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
        eprintln!(
            "{name}: {} of {cases} broken submissions were received (the rest refused or rate-limited)",
            received.get()
        );
    }
}

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

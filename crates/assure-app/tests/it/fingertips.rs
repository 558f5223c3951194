//! Data fetched from Fingertips, against a local server this test starts that answers as
//! the "all data" CSV endpoint does (or with an error, or not at all): the fetch imports
//! through the import pipeline (again: nothing changes), an error or a bad row writes
//! nothing, a silent server is given up within the bound; the scheduled sources run once
//! per slot with each run recorded. On SQLite and PostgreSQL.

use std::time::{Duration, Instant};

use assure_app::{App, AppError, FetchError, FetchRequest, FingertipsQuery, FingertipsSettings, Quiet};
use assure_store::testing::{TestDb, databases};
use assure_store::{NewFingertipsSource, Refresh};
use jiff::Timestamp;

#[path = "../common/fake_fingertips.rs"]
mod fake_fingertips;
use fake_fingertips::{Fake, Reply, answer};

const PLAN: &str = "kent-and-medway-2024-26";

fn app(db: &TestDb) -> App {
    let store = db.open();
    store.import_plan(&assure_store::ImportPlanRequest::new(&assure_plan::bundled().unwrap(), "tester")).unwrap();
    App::new(store)
}

fn query() -> FingertipsQuery {
    FingertipsQuery { indicator: 93085, area_type: 502, parent_area_type: 15, parent_area_code: None }
}

fn request(fake: &Fake, timeout: Duration) -> FetchRequest {
    FetchRequest {
        plan_id: PLAN.to_owned(),
        query: query(),
        settings: FingertipsSettings { base_url: fake.base.clone(), timeout },
        map: Default::default(),
        actor: "analyst".to_owned(),
    }
}

const EXPECTED_TARGET: &str =
    "/api/all_data/csv/by_indicator_id?indicator_ids=93085&child_area_type_id=502&parent_area_type_id=15";

/// Nothing was imported: no record of an import, no observation.
fn nothing_written(app: &App, name: &str) {
    assert!(app.store().data_imports(PLAN).unwrap().is_empty(), "{name}");
    assert!(app.store().observations(PLAN, None).unwrap().is_empty(), "{name}");
}

#[test]
fn a_fetch_imports_through_the_pipeline_and_again_changes_nothing() {
    let fake = Fake::start(Reply::Csv(answer()));
    for db in databases() {
        let app = app(&db);
        let first = app.fetch_fingertips(&request(&fake, Duration::from_secs(10)), &Quiet).unwrap();
        assert_eq!(first.url, format!("{}{EXPECTED_TARGET}", fake.base), "{}", db.name);
        assert_eq!(fake.requests.lock().unwrap().last().unwrap(), EXPECTED_TARGET);
        assert_eq!(first.bytes, answer().len() as u64);
        // England, Kent and Medway for two years; Hartlepool left out.
        let counts = (first.imported.import.rows, first.imported.import.inserted, first.imported.skipped);
        assert_eq!(counts, (6, 6, 2), "{}: {}", db.name, first.imported.counts());
        let stored = app.store().observations(PLAN, None).unwrap();
        assert_eq!(stored.len(), 6, "{}", db.name);
        assert!(stored.iter().all(|o| o.key.indicator == "smoking-at-time-of-delivery"), "{stored:?}");

        let again = app.fetch_fingertips(&request(&fake, Duration::from_secs(10)), &Quiet).unwrap();
        let counts = (again.imported.import.inserted, again.imported.import.replaced, again.imported.import.unchanged);
        assert_eq!(counts, (0, 0, 6), "{}: {}", db.name, again.imported.counts());
        assert_eq!(app.store().observations(PLAN, None).unwrap(), stored, "{}", db.name);

        // Each import is recorded under the address it came from.
        let imports = app.store().data_imports(PLAN).unwrap();
        assert_eq!(imports.len(), 2, "{}", db.name);
        assert!(imports.iter().all(|i| i.file.name == first.url && i.file.format == "fingertips"), "{imports:?}");
    }
}

#[test]
fn an_error_answer_is_reported_with_its_status_and_body_and_writes_nothing() {
    let fake = Fake::start(Reply::Status(500, "<html><body>Server Error: the database is busy</body></html>".into()));
    for db in databases() {
        let app = app(&db);
        match app.fetch_fingertips(&request(&fake, Duration::from_secs(10)), &Quiet) {
            Err(AppError::Fetch(e @ FetchError::Status { status: 500, .. })) => {
                let said = e.to_string();
                assert!(said.starts_with(&format!("{}{EXPECTED_TARGET} answered HTTP 500: ", fake.base)), "{said}");
                assert!(said.contains("Server Error: the database is busy"), "{said}");
            }
            other => panic!("{}: {other:?}", db.name),
        }
        nothing_written(&app, db.name);
    }
}

#[test]
fn a_silent_server_is_given_up_within_the_timeout() {
    let fake = Fake::start(Reply::Silent);
    for db in databases() {
        let app = app(&db);
        let started = Instant::now();
        let result = app.fetch_fingertips(&request(&fake, Duration::from_secs(1)), &Quiet);
        let took = started.elapsed();
        match result {
            Err(AppError::Fetch(e @ FetchError::Timeout { seconds: 1, .. })) => {
                assert_eq!(e.to_string(), format!("no answer from {}{EXPECTED_TARGET} within 1 s", fake.base));
            }
            other => panic!("{}: {other:?}", db.name),
        }
        assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(5), "{}: took {took:?}", db.name);
        nothing_written(&app, db.name);
    }
}

#[test]
fn an_answer_with_a_bad_row_writes_nothing() {
    let bad = answer().replacen(
        "Medway,Counties & UAs (from Apr 2023),Female,All ages,,,2022/23,12.4",
        "Medway,Counties & UAs (from Apr 2023),Female,All ages,,,2022/23,twelve",
        1,
    );
    assert_ne!(bad, answer());
    let fake = Fake::start(Reply::Csv(bad));
    for db in databases() {
        let app = app(&db);
        match app.fetch_fingertips(&request(&fake, Duration::from_secs(10)), &Quiet) {
            Err(AppError::InvalidFile { file, problems }) => {
                assert_eq!(file, format!("{}{EXPECTED_TARGET}", fake.base), "{}", db.name);
                let listed: Vec<_> = problems.iter().collect();
                assert_eq!(listed.len(), 1, "{}: {problems}", db.name);
                assert_eq!(listed[0].line, Some(8), "{}: {problems}", db.name);
                assert!(listed[0].to_string().contains("twelve"), "{}: {problems}", db.name);
            }
            other => panic!("{}: {other:?}", db.name),
        }
        nothing_written(&app, db.name);
    }
}

#[test]
fn an_unmapped_indicator_is_refused_before_anything_is_fetched() {
    let fake = Fake::start(Reply::Csv(answer()));
    let db = TestDb::sqlite();
    let app = app(&db);
    let mut unmapped = request(&fake, Duration::from_secs(10));
    unmapped.query.indicator = 90366;
    match app.fetch_fingertips(&unmapped, &Quiet) {
        Err(AppError::Rejected(problems)) => {
            assert_eq!(problems[0].0, "indicator");
            assert!(problems[0].1.contains("--map 90366=INDICATOR"), "{problems:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(fake.requests.lock().unwrap().is_empty());
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[test]
fn scheduled_sources_are_fetched_once_per_slot_and_each_run_is_recorded() {
    let fake = Fake::start(Reply::Csv(answer()));
    for db in databases() {
        let app = app(&db)
            .with_fingertips(FingertipsSettings { base_url: fake.base.clone(), timeout: Duration::from_secs(10) });
        let admin = assure_app::operator("ada");
        let daily = NewFingertipsSource {
            plan_id: PLAN.to_owned(),
            indicator_id: 93085,
            area_type_id: 502,
            parent_area_type_id: 15,
            parent_area_code: None,
            every: Refresh::Daily,
        };
        let added = app.add_fingertips_source(&admin, &daily).unwrap();
        // The same query twice is refused; so is an editor.
        assert!(matches!(app.add_fingertips_source(&admin, &daily), Err(AppError::Rejected(_))), "{}", db.name);
        let mut editor = assure_app::operator("ed");
        editor.role = assure_store::Role::Editor;
        let weekly = NewFingertipsSource {
            parent_area_type_id: 6,
            parent_area_code: Some("E12000008".into()),
            every: Refresh::Weekly,
            ..daily.clone()
        };
        assert!(matches!(app.add_fingertips_source(&editor, &weekly), Err(AppError::Forbidden(_))), "{}", db.name);
        let weekly = app.add_fingertips_source(&admin, &weekly).unwrap();

        let runs = app.run_due_jobs(at("2026-12-03T09:10:00Z")).unwrap();
        let refresh = runs.iter().find(|r| r.name == "fingertips-refresh").unwrap();
        assert_eq!(refresh.outcome, Ok("2 Fingertips source(s) fetched".into()), "{}", db.name);
        assert_eq!(app.store().observations(PLAN, None).unwrap().len(), 6, "{}", db.name);
        let targets = fake.requests.lock().unwrap().clone();
        assert!(
            targets.iter().any(|t| t.ends_with("&parent_area_type_id=6&parent_area_code=E12000008")),
            "{targets:?}"
        );

        // The next hour: the daily and weekly slots are taken, nothing is fetched.
        let before = fake.requests.lock().unwrap().len();
        let runs = app.run_due_jobs(at("2026-12-03T10:10:00Z")).unwrap();
        let refresh = runs.iter().find(|r| r.name == "fingertips-refresh").unwrap();
        assert_eq!(refresh.outcome, Ok("0 Fingertips source(s) fetched".into()), "{}", db.name);
        assert_eq!(fake.requests.lock().unwrap().len(), before, "{}", db.name);

        // The next day, the site fails: the daily source's run is recorded as failed, and
        // so is the job; what was stored stays.
        fake.set(Reply::Status(503, "Service Unavailable".into()));
        let runs = app.run_due_jobs(at("2026-12-04T09:10:00Z")).unwrap();
        let refresh = runs.iter().find(|r| r.name == "fingertips-refresh").unwrap();
        let failed = refresh.outcome.clone().unwrap_err();
        assert!(failed.starts_with("1 of 1 Fingertips source(s) failed: source"), "{failed}");
        assert!(failed.contains("answered HTTP 503: Service Unavailable"), "{failed}");
        assert_eq!(app.store().observations(PLAN, None).unwrap().len(), 6, "{}", db.name);

        let sources = app.fingertips_sources(5).unwrap();
        assert_eq!(sources.len(), 2, "{}", db.name);
        let daily_runs = &sources.iter().find(|s| s.source.id == added.id).unwrap().runs;
        assert_eq!(daily_runs.len(), 2, "{}: {daily_runs:?}", db.name);
        assert_eq!((daily_runs[0].slot.as_str(), daily_runs[0].failed, daily_runs[0].rows), ("2026-12-04", true, None));
        assert_eq!(
            (daily_runs[1].slot.as_str(), daily_runs[1].failed, daily_runs[1].rows),
            ("2026-12-03", false, Some(6))
        );
        assert!(daily_runs[1].outcome.as_deref().unwrap().starts_with("6 row(s): 6 new"), "{daily_runs:?}");
        assert!(daily_runs[1].import_id.is_some() && daily_runs.iter().all(|r| r.finished_at.is_some()));
        let weekly_runs = &sources.iter().find(|s| s.source.id == weekly.id).unwrap().runs;
        assert_eq!(weekly_runs.len(), 1, "{}: the weekly source waits for its next week", db.name);

        // Removed: its runs go with it, and the audit log says who did both.
        app.remove_fingertips_source(&admin, added.id).unwrap();
        assert_eq!(app.fingertips_sources(5).unwrap().len(), 1, "{}", db.name);
        assert!(matches!(
            app.remove_fingertips_source(&admin, added.id),
            Err(AppError::Store(assure_store::StoreError::NoSuchRecord { .. }))
        ));
        let audit = app
            .store()
            .audit(&assure_store::AuditFilter { entity: Some("fingertips_source".into()), ..Default::default() })
            .unwrap();
        assert_eq!(audit.len(), 3, "{}: two added, one removed", db.name);
        fake.set(Reply::Csv(answer()));
    }
}

#[test]
fn an_admin_fetches_a_source_now_and_the_run_is_recorded_beside_the_scheduled_ones() {
    let fake = Fake::start(Reply::Csv(answer()));
    for db in databases() {
        let app = app(&db)
            .with_fingertips(FingertipsSettings { base_url: fake.base.clone(), timeout: Duration::from_secs(10) });
        let admin = assure_app::operator("ada");
        let source = NewFingertipsSource {
            plan_id: PLAN.to_owned(),
            indicator_id: 93085,
            area_type_id: 502,
            parent_area_type_id: 15,
            parent_area_code: None,
            every: Refresh::Weekly,
        };
        let added = app.add_fingertips_source(&admin, &source).unwrap();

        let fetched = app.fetch_fingertips_source_now(&admin, added.id, at("2026-12-03T09:10:00Z")).unwrap().unwrap();
        assert_eq!(fetched.imported.import.rows, 6, "{}", db.name);
        assert_eq!(app.store().observations(PLAN, None).unwrap().len(), 6, "{}", db.name);
        // The import says who asked for it.
        let imports = app.store().data_imports(PLAN).unwrap();
        assert!(imports[0].actor.starts_with("ada (fetch now, source"), "{}: {:?}", db.name, imports[0].actor);

        // The site fails: the run is recorded as failed, the reason returned, nothing lost.
        fake.set(Reply::Status(503, "Service Unavailable".into()));
        let why = app.fetch_fingertips_source_now(&admin, added.id, at("2026-12-03T09:11:00Z")).unwrap().unwrap_err();
        assert!(why.contains("answered HTTP 503: Service Unavailable"), "{why}");
        assert_eq!(app.store().observations(PLAN, None).unwrap().len(), 6, "{}", db.name);

        // Asked-for runs do not take the schedule's slot: the weekly run still happens.
        fake.set(Reply::Csv(answer()));
        let runs = app.run_due_jobs(at("2026-12-03T10:10:00Z")).unwrap();
        let refresh = runs.iter().find(|r| r.name == "fingertips-refresh").unwrap();
        assert_eq!(refresh.outcome, Ok("1 Fingertips source(s) fetched".into()), "{}", db.name);

        let runs = &app.fingertips_sources(5).unwrap()[0].runs;
        let slots: Vec<(&str, bool)> = runs.iter().map(|r| (r.slot.as_str(), r.failed)).collect();
        assert_eq!(
            slots,
            [("2026-W49", false), ("now 2026-12-03T09:11:00Z", true), ("now 2026-12-03T09:10:00Z", false)],
            "{}",
            db.name
        );

        // Only admins, and only sources that exist.
        let mut editor = assure_app::operator("ed");
        editor.role = assure_store::Role::Editor;
        let now = at("2026-12-03T11:00:00Z");
        assert!(matches!(app.fetch_fingertips_source_now(&editor, added.id, now), Err(AppError::Forbidden(_))));
        assert!(matches!(app.fetch_fingertips_source_now(&admin, 999, now), Err(AppError::NotFound { .. })));
    }
}

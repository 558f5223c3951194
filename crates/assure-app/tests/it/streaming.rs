//! Large data files checked as they are written, without being held (`DataSource::Path`): every
//! problem of a file found wherever it is, nothing written; a good file stored exactly as
//! the in-memory pipeline stores it; merges compared in the database. On both backends.

use std::io::Write;

use assure_app::{App, AppError, DataImportRequest, DataSource};
use assure_store::testing::{TestDb, databases};
use assure_store::{DataFile, ImportMode};

const PLAN: &str = "kent-and-medway-2024-26";

/// The bundled plan's mapped Fingertips indicators, its areas (ONS codes) and England.
const AREAS: [&str; 16] = [
    "E54000032",
    "E10000016",
    "E06000035",
    "E07000105",
    "E07000106",
    "E07000107",
    "E07000108",
    "E07000109",
    "E07000110",
    "E07000111",
    "E07000112",
    "E07000113",
    "E07000114",
    "E07000115",
    "E07000116",
    "E92000001",
];

const HEADER: &str = "Indicator ID,Indicator Name,Area Code,Sex,Age,Category Type,Category,Time period,Value,\
                      Lower CI 95.0 limit,Upper CI 95.0 limit,Count,Denominator,Value note\n";

/// Row `i` (0-based; on line `i + 2`) of a Fingertips file of distinct rows: three
/// indicators × 16 areas × 15 periods, then again for each synthetic category group.
/// Two rows in three give counts only (their values and intervals computed).
fn row(i: usize) -> String {
    let area = AREAS[i % AREAS.len()];
    let year = 2010 + (i / AREAS.len()) % 15;
    let indicator = (i / (AREAS.len() * 15)) % 3;
    let group = i / (AREAS.len() * 15 * 3);
    let category = if group == 0 { ",".to_owned() } else { format!("Synthetic group,Group {group}") };
    match indicator {
        0 => {
            let n = 5000 + (i * 131 + year) % 3000;
            let x = n * (8 + (i + year) % 20) / 100;
            format!("93085,Smoking,{area},Persons,All ages,{category},{year}/{:02},,,,{x},{n},\n", (year + 1) % 100)
        }
        1 => {
            let n = 5000 + (i * 17 + year) % 3000;
            let x = n * (20 + (i + year) % 10) / 100;
            format!("93015,Inactive,{area},Persons,19+ yrs,{category},{year},,,,{x},{n},\n")
        }
        _ => {
            let v = 400.0 + ((i * 7 + year) % 90) as f64;
            format!("93764,Alcohol,{area},Persons,All ages,{category},{year},{v},{},{},,,\n", v - 9.5, v + 9.8)
        }
    }
}

/// A file of `rows` rows, with `edit` given the chance to change each line.
fn file(rows: usize, edit: impl Fn(usize, String) -> String) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    let mut out = std::io::BufWriter::new(f.as_file_mut());
    out.write_all(HEADER.as_bytes()).unwrap();
    for i in 0..rows {
        out.write_all(edit(i, row(i)).as_bytes()).unwrap();
    }
    out.flush().unwrap();
    drop(out);
    f
}

fn request(path: &std::path::Path, mode: ImportMode) -> DataImportRequest {
    DataImportRequest {
        plan_id: PLAN.to_owned(),
        source: DataSource::Path { name: "big.csv".to_owned(), path: path.to_owned() },
        map: Default::default(),
        skip_unknown_areas: false,
        skip_unmapped: false,
        mode,
        actor: "analyst".to_owned(),
    }
}

fn app(db: &TestDb) -> App {
    let store = db.open();
    store.import_plan(&assure_store::ImportPlanRequest::new(&assure_plan::bundled().unwrap(), "tester")).unwrap();
    App::new(store)
}

/// Enough rows for problems far apart and several of the store's sorted chunks.
const ROWS: usize = 200_000;
/// Rows written (five imports on each backend): past one of the store's sorted chunks.
const WRITTEN: usize = 70_000;

#[test]
fn problems_at_the_start_and_the_end_of_a_large_file_are_all_reported_and_nothing_is_written() {
    let last = ROWS - 1;
    // Line 3: an unknown area. The last line: the key of line 2 again (a repeated row
    // found through the keys' prints, then looked at again).
    let mapped = file(ROWS, |i, line| match i {
        1 => line.replace("E10000016", "E99999999"),
        i if i == last => row(0),
        _ => line,
    });
    // Problems only at the end, after every earlier row has been handed to the store and
    // written (the file is checked as it is written): an unknown area on the line before
    // the last, and the last line repeating line 2.
    let late = file(ROWS, |i, line| match i {
        i if i == last - 1 => line.replace(AREAS[i % AREAS.len()], "E99999999"),
        i if i == last => row(0),
        _ => line,
    });
    // A file that does not read: a word for a number on line 3 and on the last line.
    let unreadable =
        file(ROWS, |i, line| if i == 1 || i == last { line.replace(",Persons,", ",Persons,x,") } else { line });
    for db in databases() {
        let app = app(&db);
        match app.import_data(&request(mapped.path(), ImportMode::Merge)) {
            Err(AppError::InvalidFile { file, problems }) => {
                assert_eq!(file, "big.csv", "{}", db.name);
                let lines: Vec<_> = problems.iter().map(|p| p.line).collect();
                assert_eq!(lines, [Some(3), Some(ROWS + 1)], "{}: {problems}", db.name);
                let text = problems.to_string();
                assert!(text.contains("unknown area 'E99999999'"), "{}: {text}", db.name);
                assert!(text.contains(&format!("big.csv:{}: period: repeats line 2", ROWS + 1)), "{}: {text}", db.name);
            }
            other => panic!("{}: expected the file refused, got {other:?}", db.name),
        }
        match app.import_data(&request(late.path(), ImportMode::Merge)) {
            Err(AppError::InvalidFile { problems, .. }) => {
                let lines: Vec<_> = problems.iter().map(|p| p.line).collect();
                assert_eq!(lines, [Some(ROWS), Some(ROWS + 1)], "{}: {problems}", db.name);
                let text = problems.to_string();
                assert!(text.contains("unknown area 'E99999999'"), "{}: {text}", db.name);
                assert!(text.contains(&format!("big.csv:{}: period: repeats line 2", ROWS + 1)), "{}: {text}", db.name);
            }
            other => panic!("{}: expected the file refused, got {other:?}", db.name),
        }
        match app.import_data(&request(unreadable.path(), ImportMode::Merge)) {
            Err(AppError::InvalidFile { problems, .. }) => {
                let lines: Vec<_> = problems.iter().map(|p| p.line).collect();
                assert_eq!(lines, [Some(3), Some(ROWS + 1)], "{}: {problems}", db.name);
                assert!(problems.to_string().contains("found record with 15 fields"), "{}: {problems}", db.name);
            }
            other => panic!("{}: expected the file refused, got {other:?}", db.name),
        }
        assert!(app.store().observations(PLAN, None).unwrap().is_empty(), "{}: nothing stored", db.name);
        assert!(app.store().data_imports(PLAN).unwrap().is_empty(), "{}: no import recorded", db.name);
    }
}

#[test]
fn a_large_file_is_stored_as_the_in_memory_pipeline_stores_it_and_merged_in_the_database() {
    let good = file(WRITTEN, |_, line| line);
    let bytes = std::fs::read(good.path()).unwrap();
    for db in databases() {
        // The reference: the file read whole, prepared whole, stored from memory.
        let reference = app(&db);
        let (format, rows) = assure_plan::fingertips::read_any(&bytes, "big.csv").unwrap();
        let plan = reference.store().plan(PLAN).unwrap();
        let prepared = assure_tracking::prepare(&plan, rows, "big.csv", &Default::default()).unwrap();
        let data_file = DataFile {
            name: "big.csv".into(),
            checksum: DataFile::checksum_of(&bytes),
            format: format.into(),
            skipped: 0,
        };
        let expected = reference
            .store()
            .import_observations(PLAN, &prepared.rows, &data_file, ImportMode::Merge, "analyst")
            .unwrap();
        assert_eq!(expected.rows, WRITTEN as u64, "{}", db.name);
        let expected_rows = reference.store().observations(PLAN, None).unwrap();
        drop(reference);

        let db2 = if db.name == "sqlite" { TestDb::sqlite() } else { TestDb::postgres() };
        let app = app(&db2);
        let done = app.import_data(&request(good.path(), ImportMode::Merge)).unwrap();
        assert_eq!(
            (done.import.rows, done.import.inserted, done.import.replaced, done.import.unchanged),
            (expected.rows, expected.inserted, 0, 0),
            "{}",
            db.name
        );
        assert_eq!(done.computed, prepared.computed, "{}", db.name);
        assert!(app.store().observations(PLAN, None).unwrap() == expected_rows, "{}: the same rows", db.name);
        let record = &app.store().data_imports(PLAN).unwrap()[0];
        assert_eq!(record.file.checksum, data_file.checksum, "{}: the checksum of the bytes", db.name);
        assert_eq!(record.file.format, "fingertips", "{}", db.name);

        // The same file again: every row compared in the database, none written.
        let again = app.import_data(&request(good.path(), ImportMode::Merge)).unwrap();
        assert_eq!((again.import.inserted, again.import.replaced, again.import.unchanged), (0, 0, WRITTEN as u64));
        // A correction of three rows and one new row: only they change, the old values audited.
        let corrected = file(WRITTEN + 1, |i, line| match i {
            // Rows of the two indicators given as counts (i / 240 % 3 is 0 or 1).
            10 | 5100 | 60_000 => line.replace(",,,,", ",12.5,12,13,"),
            _ => line,
        });
        let fixed = app.import_data(&request(corrected.path(), ImportMode::Merge)).unwrap();
        assert_eq!(
            (fixed.import.inserted, fixed.import.replaced, fixed.import.unchanged),
            (1, 3, WRITTEN as u64 - 3),
            "{}",
            db.name
        );
        let audit = app.store().audit(&assure_store::AuditFilter { values: true, ..Default::default() }).unwrap();
        let entry = audit.iter().find(|e| e.action == "import").unwrap();
        let replaced = entry.before.as_ref().and_then(|b| b["replaced"].as_array()).map_or(0, Vec::len);
        assert_eq!(replaced, 3, "{}: the replaced rows kept in the audit entry", db.name);
        assert_eq!(app.store().observations(PLAN, None).unwrap().len(), WRITTEN + 1, "{}", db.name);
        // Insert only: a stored row refuses the file, and nothing more is written.
        let refused = app.import_data(&request(corrected.path(), ImportMode::Insert));
        assert!(
            matches!(&refused, Err(AppError::InvalidFile { problems, .. }) if problems.to_string().contains("already stored")),
            "{}: {refused:?}",
            db.name
        );
        assert_eq!(app.store().data_imports(PLAN).unwrap().len(), 3, "{}", db.name);
    }
}

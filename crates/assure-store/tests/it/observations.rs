//! Observations: bulk import with line-numbered errors, insert or replace, audited.

use assure_store::{AuditFilter, DataFile, ImportMode, ImportPlanRequest, Observation, ObservationKey, StoreError};

use crate::{bundled, databases};

const PLAN: &str = "kent-and-medway-2024-26";

fn obs(line: u64, indicator: &str, area: &str, period: &str, value: f64) -> Observation {
    Observation {
        key: ObservationKey {
            indicator: indicator.into(),
            area: area.into(),
            period: period.into(),
            breakdown: String::new(),
        },
        value: Some(value),
        lower: Some(value - 1.0),
        upper: Some(value + 1.0),
        numerator: None,
        denominator: None,
        note: None,
        source: Some("test".into()),
        illustrative: false,
        line,
    }
}

fn file(name: &str) -> DataFile {
    DataFile { name: name.into(), checksum: format!("sha256 of {name}"), format: "assure".into(), skipped: 0 }
}

fn sample() -> Vec<Observation> {
    vec![
        obs(2, "smoking-at-time-of-delivery", "E54000032", "2022/23", 10.2),
        obs(3, "smoking-at-time-of-delivery", "E54000032", "2023/24", 9.1),
        obs(4, "year-6-healthy-weight-prevalence", "E10000016", "2023/24", 63.0),
    ]
}

#[test]
fn observations_are_stored_and_listed_in_key_order() {
    for db in databases() {
        let store = db.open();
        store.import_plan(&ImportPlanRequest::new(&bundled(), "ann")).unwrap();
        let mut rows = sample();
        rows[2].key.breakdown = "sex=female".into();
        rows[2].note = Some("provisional".into());
        let r = store.import_observations(PLAN, &rows, &file("a.csv"), ImportMode::Insert, "ann").unwrap();
        assert_eq!((r.rows, r.inserted, r.replaced), (3, 3, 0));
        let back = store.observations(PLAN, Some("smoking-at-time-of-delivery")).unwrap();
        assert_eq!(back.len(), 2, "{}", db.name);
        assert_eq!(back[1].value, Some(9.1));
        assert_eq!(back[1].lower, Some(8.1));
        let part = store.observations(PLAN, Some("year-6-healthy-weight-prevalence")).unwrap();
        assert_eq!(part[0].key.breakdown, "sex=female");
        assert_eq!(part[0].note.as_deref(), Some("provisional"));
        assert_eq!(store.observations(PLAN, None).unwrap().len(), 3);
    }
}

#[test]
fn bad_rows_are_all_reported_by_line_and_nothing_is_written() {
    for db in databases() {
        let store = db.open();
        store.import_plan(&ImportPlanRequest::new(&bundled(), "ann")).unwrap();
        let mut rows = sample();
        rows.push(obs(5, "no-such-indicator", "E54000032", "2023/24", 1.0));
        rows.push(obs(6, "smoking-at-time-of-delivery", "E54000032", "2023/24", 9.0));
        let err = store.import_observations(PLAN, &rows, &file("b.csv"), ImportMode::Insert, "ann").unwrap_err();
        let StoreError::Observations(problems) = err else { panic!("{}: {err}", db.name) };
        assert!(problems.iter().all(|p| p.file == "b.csv"), "{}: {problems}", db.name);
        let problems: Vec<String> =
            problems.iter().map(|p| format!("line {}: {}", p.line.unwrap_or_default(), p.message)).collect();
        assert_eq!(
            problems,
            [
                format!("line 5: indicator 'no-such-indicator' is not in plan '{PLAN}'"),
                "line 6: repeats line 3 (same indicator, area, period and breakdown)".to_owned(),
            ]
        );
        assert!(store.observations(PLAN, None).unwrap().is_empty());
        assert!(
            store.audit(&AuditFilter { entity: Some("observation".into()), ..Default::default() }).unwrap().is_empty()
        );
        assert!(matches!(
            store.import_observations("nope", &sample(), &file("c.csv"), ImportMode::Insert, "ann"),
            Err(StoreError::NoSuchPlan(_))
        ));
    }
}

#[test]
fn a_refused_row_is_reported_against_the_file_it_came_from() {
    for db in databases() {
        let store = db.open();
        store.import_plan(&assure_store::ImportPlanRequest::new(&bundled(), "ann")).unwrap();
        let mut rows = sample();
        rows.push(obs(7, "no-such-indicator", "E54000032", "2023/24", 1.0));
        let err = store.import_observations(PLAN, &rows, &file("b.csv"), ImportMode::Insert, "ann").unwrap_err();
        let StoreError::Observations(problems) = err else { panic!("{}: {err}", db.name) };
        let p = &problems.listed()[0];
        assert_eq!((p.file.as_str(), p.line, p.field.as_deref()), ("b.csv", Some(7), Some("indicator")), "{}", db.name);
        assert!(p.to_string().starts_with("b.csv:7: indicator: "), "{}: {p}", db.name);
        // A key already stored, found by the database while writing, names the file too.
        store.import_observations(PLAN, &sample(), &file("first.csv"), ImportMode::Insert, "ann").unwrap();
        let err =
            store.import_observations(PLAN, &sample(), &file("again.csv"), ImportMode::Insert, "ann").unwrap_err();
        let StoreError::Observations(problems) = err else { panic!("{}: {err}", db.name) };
        assert!(problems.iter().all(|p| p.file == "again.csv") && !problems.is_empty(), "{}: {problems}", db.name);
    }
}

#[test]
fn a_stored_key_is_refused_on_insert_and_replaced_on_replace_with_the_old_value_audited() {
    for db in databases() {
        let store = db.open();
        store.import_plan(&ImportPlanRequest::new(&bundled(), "ann")).unwrap();
        store.import_observations(PLAN, &sample(), &file("first.csv"), ImportMode::Insert, "ann").unwrap();

        let mut again = vec![obs(2, "smoking-at-time-of-delivery", "E54000032", "2024/25", 8.5)];
        again.push(obs(3, "smoking-at-time-of-delivery", "E54000032", "2023/24", 9.3));
        let err = store.import_observations(PLAN, &again, &file("second.csv"), ImportMode::Insert, "bob").unwrap_err();
        assert!(err.to_string().contains("already stored"), "{}: {err}", db.name);
        assert_eq!(store.observations(PLAN, None).unwrap().len(), 3, "nothing written");

        let r = store.import_observations(PLAN, &again, &file("second.csv"), ImportMode::Replace, "bob").unwrap();
        assert_eq!((r.inserted, r.replaced), (1, 1), "{}", db.name);
        let values: Vec<Option<f64>> =
            store.observations(PLAN, Some("smoking-at-time-of-delivery")).unwrap().iter().map(|o| o.value).collect();
        assert_eq!(values, [Some(10.2), Some(9.3), Some(8.5)]);
        let e = &store
            .audit(&AuditFilter { entity_id: Some("second.csv".into()), values: true, ..Default::default() })
            .unwrap()[0];
        assert_eq!(e.actor, "bob");
        assert_eq!(e.before.as_ref().unwrap()["replaced"][0]["value"], 9.1);
        assert_eq!(e.after.as_ref().unwrap()["replaced"], 1);
    }
}

#[test]
fn replacing_a_plan_keeps_observations_of_indicators_it_still_has() {
    for db in databases() {
        let store = db.open();
        store.import_plan(&ImportPlanRequest::new(&bundled(), "ann")).unwrap();
        store.import_observations(PLAN, &sample(), &file("a.csv"), ImportMode::Insert, "ann").unwrap();
        let mut next = bundled();
        next.indicators.retain(|i| i.id.get_ref() != "year-6-healthy-weight");
        let r = store.import_plan(&ImportPlanRequest::new(&next, "ann").dropping()).unwrap();
        assert_eq!((r.observations_kept, r.observations_dropped), (2, 1), "{}", db.name);
        assert_eq!(store.observations(PLAN, None).unwrap().len(), 2);
        store.delete_plan(PLAN, "ann").unwrap();
        assert!(store.observations(PLAN, None).unwrap().is_empty());
    }
}

#[test]
fn merge_leaves_equal_rows_alone_replaces_changed_ones_and_records_each_import() {
    for db in databases() {
        let store = db.open();
        store.import_plan(&ImportPlanRequest::new(&bundled(), "ann")).unwrap();
        let r = store.import_observations(PLAN, &sample(), &file("a.csv"), ImportMode::Merge, "ann").unwrap();
        assert_eq!((r.inserted, r.replaced, r.unchanged), (3, 0, 0), "{}", db.name);
        let again = store.import_observations(PLAN, &sample(), &file("a.csv"), ImportMode::Merge, "ann").unwrap();
        assert_eq!((again.inserted, again.replaced, again.unchanged), (0, 0, 3), "{}: idempotent", db.name);
        let mut corrected = sample();
        corrected[1].value = Some(9.2);
        corrected[2].illustrative = true;
        let fixed = store.import_observations(PLAN, &corrected, &file("b.csv"), ImportMode::Merge, "bob").unwrap();
        assert_eq!((fixed.inserted, fixed.replaced, fixed.unchanged), (0, 2, 1), "{}", db.name);
        let stored = store.observations(PLAN, None).unwrap();
        assert_eq!(stored.len(), 3);
        assert_eq!(stored.iter().filter(|o| o.illustrative).count(), 1);

        let imports = store.data_imports(PLAN).unwrap();
        assert_eq!(imports.len(), 3, "{}", db.name);
        assert_eq!(imports[0].id, fixed.import_id);
        assert_eq!((imports[0].file.name.as_str(), imports[0].actor.as_str()), ("b.csv", "bob"));
        assert_eq!(imports[0].file.checksum, "sha256 of b.csv");
        assert_eq!((imports[0].rows, imports[0].replaced, imports[0].unchanged), (3, 2, 1));
        assert!(imports[0].illustrative && !imports[1].illustrative);

        let headline =
            store.headline_observations(PLAN, "smoking-at-time-of-delivery", &["E54000032", "england"]).unwrap();
        assert_eq!(headline.iter().map(|o| o.value).collect::<Vec<_>>(), [Some(10.2), Some(9.2)]);
        assert!(store.headline_observations(PLAN, "smoking-at-time-of-delivery", &["kent"]).unwrap().is_empty());
    }
}

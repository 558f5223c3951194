//! The illustrative data as a statistician would read it: one England value per measure
//! and period, breakdowns only where the measure has them, data to the latest complete
//! period, and every status appearing.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use assure_plan::Plan;
use assure_plan::observation::Observation;
use assure_tracking::demo::{YEARS, breakdowns, generate};
use assure_tracking::{PrepareOptions, Status, prepare};

fn prepared(plan: &Plan) -> Vec<Observation> {
    prepare(plan, generate(plan), "demo", &PrepareOptions::default()).unwrap().rows
}

/// Each tracked indicator's measurement definition, by id.
fn definitions(plan: &Plan) -> HashMap<&str, &str> {
    plan.indicators
        .iter()
        .flat_map(|i| i.tracked())
        .filter_map(|t| Some((t.id, t.measurement?.definition.as_str())))
        .collect()
}

#[test]
fn england_has_one_value_per_measure_and_period() {
    let plan = assure_plan::bundled().unwrap();
    let definitions = definitions(&plan);
    let mut values: BTreeMap<(&str, &str), BTreeSet<u64>> = BTreeMap::new();
    let rows = prepared(&plan);
    for o in rows.iter().filter(|o| o.key.area == "england" && o.key.breakdown.is_empty()) {
        let value = o.value.expect("an England value");
        values.entry((definitions[o.key.indicator.as_str()], &o.key.period)).or_default().insert(value.to_bits());
    }
    let twice: Vec<_> = values.iter().filter(|(_, v)| v.len() > 1).map(|(k, v)| (k, v.len())).collect();
    assert!(twice.is_empty(), "England with more than one value for a measure and period: {twice:?}");
    // Reablement is measured for Kent and for Medway: two parts, one measure, one England
    // (and one Kent and one Medway value, whichever part they are read through).
    let of = |part: &str, area: &str| -> Vec<(String, u64)> {
        rows.iter()
            .filter(|o| o.key.indicator == part && o.key.area == area && o.key.breakdown.is_empty())
            .map(|o| (o.key.period.clone(), o.value.unwrap().to_bits()))
            .collect()
    };
    for area in ["england", "kent", "medway"] {
        let kent = of("reablement-at-home-91-days-kent", area);
        assert_eq!(kent.len(), usize::from(YEARS.1 - YEARS.0 + 1), "{area}");
        assert_eq!(kent, of("reablement-at-home-91-days-medway", area), "{area}");
    }
}

#[test]
fn breakdowns_only_where_the_measure_has_them() {
    let plan = assure_plan::bundled().unwrap();
    let rows = prepared(&plan);
    let mut found: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for o in rows.iter().filter(|o| !o.key.breakdown.is_empty()) {
        found.entry(o.key.indicator.as_str()).or_default().insert(o.key.breakdown.as_str());
    }
    let sexes = |id: &str| found.get(id).map_or(0, |b| b.iter().filter(|g| g.starts_with("sex=")).count());
    // Mothers are one sex; a year 6 class is both.
    assert_eq!(sexes("smoking-at-time-of-delivery"), 0, "{:?}", found.get("smoking-at-time-of-delivery"));
    assert_eq!(sexes("year-6-healthy-weight-prevalence"), 2);
    assert!(found["smoking-at-time-of-delivery"].iter().any(|b| b.starts_with("Deprivation")));
    // Values reported whole by their source have no breakdown at all.
    for t in plan.indicators.iter().flat_map(|i| i.tracked()) {
        let Some(m) = t.measurement else { continue };
        let given: BTreeSet<&str> = found.get(t.id).cloned().unwrap_or_default();
        let rule: BTreeSet<&str> = breakdowns(m).into_iter().map(|(g, _)| g).collect();
        if *t.target.kind.get_ref() != assure_plan::TargetKind::Qualitative {
            assert_eq!(given, rule, "{}", t.id);
        }
        if matches!(m.method.get_ref(), assure_plan::Method::Reported | assure_plan::Method::Count) {
            assert!(given.is_empty(), "{}: {given:?}", t.id);
        }
    }
    for id in ["attainment-8-sen-gap", "out-of-area-placements", "criteria-to-reside-21-days"] {
        assert!(!found.contains_key(id), "{id}: {:?}", found.get(id));
    }
}

#[test]
fn the_data_runs_to_the_latest_complete_period_and_every_status_appears() {
    let plan = assure_plan::bundled().unwrap();
    let rows = prepared(&plan);
    let periods: BTreeSet<&str> = rows.iter().map(|o| o.key.period.as_str()).collect();
    assert!(periods.contains("2025/26") && periods.contains("2025"), "{periods:?}");
    assert!(!periods.contains("2026/27") && !periods.contains("2026"), "{periods:?}");
    let assessed = assure_tracking::status::assess_plan(&plan, |id, areas| {
        Ok::<_, std::convert::Infallible>(
            rows.iter()
                .filter(|o| o.key.indicator == id && o.key.breakdown.is_empty() && areas.contains(&o.key.area.as_str()))
                .cloned()
                .collect(),
        )
    })
    .unwrap_or_else(|e| match e {});
    let statuses: BTreeMap<&str, Status> = assessed.iter().map(|(t, a)| (t.id, a.status)).collect();
    for s in [Status::Achieved, Status::OnTrack, Status::AtRisk, Status::OffTrack] {
        assert!(statuses.values().any(|x| *x == s), "no indicator {s:?}: {statuses:#?}");
    }
}

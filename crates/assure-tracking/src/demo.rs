//! Illustrative data: a deterministic, plausible multi-year dataset for every indicator
//! measured by a number and every area of the plan (and England), so that a newcomer
//! sees the product working. Every row is marked illustrative; pages showing it say so.
//!
//! Each indicator starts from its baseline and moves at a pace of its own (ahead of its
//! trajectory, on it, behind it or the wrong way), so that every status appears. Rows
//! for proportions carry counts only: their values and 95% intervals are computed by the
//! statistics engine on import, as for real data. The years run to the latest complete
//! period before the end of 2026 ([`YEARS`]), so that there are values after the plan's
//! publication in 2024 to judge from.
//!
//! **One series per measure.** Parts of a compound statement that measure the same thing
//! (the same Fingertips ids or, without them, the same definition; e.g. reablement in
//! Kent and in Medway) share their values: an area has one value per period whichever
//! part it is read through, and England has one. Each part drives the values of its own
//! area; every other area, England included, follows the measure's first part.
//!
//! **Breakdowns only where the measure has them.** The plan does not say which breakdowns
//! a measure is published with, so [`breakdowns`] derives them from what is measured:
//! - none for a value its source reports whole (method `reported` or `count`: a gap
//!   between groups, a rate from a situation report, a count of placements), which is
//!   not computed from records of individual people;
//! - by sex only where both sexes are in scope: not where the definition's population is
//!   one sex (mothers, maternities, pregnancies, women, men, girls, boys);
//! - by deprivation quintile (all five, a gradient) for every other measure of people.
//!
//! Breakdown rows are written for the areas the measure's parts are for.

use assure_plan::observation::{Observation, ObservationKey};
use assure_plan::{AreaKind, Measurement, Method, Period, Plan, TargetKind, Tracked, Unit};
use assure_stats::{ConfidenceLevel, crude_rate};

use crate::time::{date_time, period_time};

/// The first and last year of the data: the last is the latest complete period before
/// the end of 2026 (calendar year 2025, financial year 2025/26).
pub const YEARS: (u16, u16) = (2016, 2025);

/// A breakdown by sex, each group with how much worse than the whole it is (a share).
const SEX: [(&str, f64); 2] = [("sex=Female", 0.04), ("sex=Male", -0.04)];

/// A breakdown by deprivation quintile, each group with how much worse than the whole it
/// is: a gradient, all five quintiles, so that its slope index of inequality can be read.
const DEPRIVATION: [(&str, f64); 5] = [
    ("Deprivation quintile=1 (most deprived)", 0.18),
    ("Deprivation quintile=2", 0.08),
    ("Deprivation quintile=3", 0.01),
    ("Deprivation quintile=4", -0.06),
    ("Deprivation quintile=5 (least deprived)", -0.14),
];

/// Words in a definition that say its population is of one sex.
const ONE_SEX: &[&str] = &[
    "mother",
    "mothers",
    "maternity",
    "maternities",
    "pregnant",
    "pregnancy",
    "pregnancies",
    "woman",
    "women",
    "man",
    "men",
    "girl",
    "girls",
    "boy",
    "boys",
    "female",
    "females",
    "male",
    "males",
];

/// Where illustrative rows say they come from.
pub const SOURCE: &str = "Illustrative data (assure demo-data), not official statistics";

/// A 64-bit mix of a text (SplitMix64 over FNV-1a), for repeatable variety.
fn hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h = h.wrapping_add(0x9e37_79b9_7f4a_7c15);
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// A number in [0, 1) from a text.
fn unit_random(parts: &[&str]) -> f64 {
    (hash(parts) >> 11) as f64 / (1u64 << 53) as f64
}

/// Rough resident populations (ONS mid-year estimates, rounded), for plausible counts.
fn population(id: &str, kind: AreaKind) -> f64 {
    match id {
        "england" => 57_000_000.0,
        "kent-medway-ics" | "kent-medway-sub-icb" => 1_900_000.0,
        "kent" => 1_590_000.0,
        "medway" => 280_000.0,
        "hcp-dgs" => 270_000.0,
        "hcp-east-kent" => 720_000.0,
        "hcp-medway-swale" => 430_000.0,
        "hcp-west-kent" => 480_000.0,
        _ if kind == AreaKind::District => 130_000.0,
        _ => 200_000.0,
    }
}

/// A plausible starting value where the plan states no baseline.
fn default_baseline(t: &Tracked<'_>) -> f64 {
    match (t.unit, t.id) {
        (_, "attainment-8-sen-pupils") => 33.0,
        (_, "attainment-8-non-sen-pupils") => 50.0,
        (_, "attainment-8-sen-gap") => 17.0,
        (_, "out-of-area-placements") => 18.0,
        (Unit::Percent, _) => 55.0 + 30.0 * unit_random(&[t.id, "base"]),
        (Unit::RatePer100000 | Unit::Rate, _) => 300.0 + 600.0 * unit_random(&[t.id, "base"]),
        (Unit::Count, _) => 1_000.0 + 2_000.0 * unit_random(&[t.id, "base"]),
        (Unit::Years, _) => 78.0 + 5.0 * unit_random(&[t.id, "base"]),
        _ => 10.0 + 10.0 * unit_random(&[t.id, "base"]),
    }
}

/// The breakdowns (each group with how much worse than the whole it is) a measure is
/// given: see the module's documentation for the rule.
pub fn breakdowns(m: &Measurement) -> Vec<(&'static str, f64)> {
    if matches!(m.method.get_ref(), Method::Reported | Method::Count) {
        return Vec::new();
    }
    let lower = m.definition.to_lowercase();
    let one_sex = lower.split(|c: char| !c.is_alphabetic()).any(|w| ONE_SEX.contains(&w));
    let sex: &[(&str, f64)] = if one_sex { &[] } else { &SEX };
    sex.iter().chain(&DEPRIVATION).copied().collect()
}

/// What a measurement measures: its Fingertips ids, or its definition. Parts with the
/// same key share one series.
fn measure_key(m: &Measurement) -> String {
    if m.fingertips.is_empty() {
        m.definition.clone()
    } else {
        m.fingertips.iter().map(|f| f.get_ref().to_string()).collect::<Vec<_>>().join(",")
    }
}

/// The tracked indicators given data, grouped by what they measure, in plan order.
fn measures(plan: &Plan) -> Vec<Vec<(Tracked<'_>, &Measurement)>> {
    let mut groups: Vec<(String, Vec<(Tracked<'_>, &Measurement)>)> = Vec::new();
    for t in plan.indicators.iter().flat_map(|i| i.tracked()) {
        let Some(m) = t.measurement else { continue };
        if *t.target.kind.get_ref() == TargetKind::Qualitative || t.unit == Unit::Qualitative {
            continue;
        }
        let key = measure_key(m);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, parts)) => parts.push((t, m)),
            None => groups.push((key, vec![(t, m)])),
        }
    }
    groups.into_iter().map(|(_, parts)| parts).collect()
}

/// Generate the illustrative dataset for `plan`.
pub fn generate(plan: &Plan) -> Vec<Observation> {
    let published = date_time(&plan.meta.published).unwrap_or(2024.5);
    let mut areas: Vec<(&str, AreaKind)> = plan
        .areas
        .iter()
        .filter(|a| !matches!(a.kind, AreaKind::NhsRegion | AreaKind::SubIcb))
        .map(|a| (a.id.get_ref().as_str(), a.kind))
        .collect();
    areas.push(("england", AreaKind::NhsRegion));
    let mut rows = Vec::new();
    for parts in measures(plan) {
        let Some(&(first, first_m)) = parts.first() else { continue };
        // The measure's own randomness comes from its first part, so that a measure of
        // one part keeps the values it always had.
        let seed = first.id;
        let financial = first.target.by.as_ref().is_some_and(|b| b.get_ref().contains('/'));
        let method = *first_m.method.get_ref();
        let share = 0.004 + 0.03 * unit_random(&[seed, "share"]);
        let groups: Vec<(&str, f64)> = std::iter::once(("", 0.0)).chain(breakdowns(first_m)).collect();
        for &(area, kind) in &areas {
            // The part for this area drives it; any other area follows the first part.
            let own = parts.iter().find(|(_, m)| m.area.get_ref() == area);
            let (t, _) = own.copied().unwrap_or((first, first_m));
            let base = t.baseline.and_then(|b| b.value.as_ref()).map_or_else(|| default_baseline(&t), |v| *v.get_ref());
            let slope = pace(&t, base, published);
            // Areas differ from the whole by up to ±12%; England is a little better or worse.
            let spread = if own.is_some() { 0.0 } else { 0.24 * unit_random(&[seed, area]) - 0.12 };
            let groups = if own.is_some() { &groups[..] } else { &groups[..1] };
            let worse = if t.polarity == assure_plan::Polarity::LowerIsBetter { 1.0 } else { -1.0 };
            for year in YEARS.0..=YEARS.1 {
                let period = if financial { Period::FinancialYear(year) } else { Period::Year(year) }.to_string();
                let Some(time) = period_time(&period) else { continue };
                for &(group, effect) in groups {
                    let noise = (unit_random(&[seed, area, &period, group]) - 0.5) * 0.03;
                    let mut value = (base + slope * (time - published)) * (1.0 + spread + worse * effect + noise);
                    if t.unit == Unit::Percent {
                        value = value.clamp(0.5, 99.5);
                    }
                    value = value.max(0.0);
                    let people = population(area, kind) * share * if group.is_empty() { 1.0 } else { 0.2 };
                    for (part, _) in &parts {
                        rows.push(observation(part.id, area, &period, group, method, t.unit, value, people));
                    }
                }
            }
        }
    }
    rows
}

/// Change per year: the pace the target asks for, times a factor of the indicator's own
/// (ahead, on pace, behind or the wrong way).
fn pace(t: &Tracked<'_>, base: f64, published: f64) -> f64 {
    let factors = [1.6, 1.1, 0.6, -0.5];
    let factor = factors[(hash(&[t.id, "pace"]) % 4) as usize];
    let due = t.target.by.as_ref().and_then(|b| period_time(b.get_ref())).unwrap_or(published + 4.0);
    let years = (due - published).max(1.0);
    let better = if t.polarity == assure_plan::Polarity::LowerIsBetter { -1.0 } else { 1.0 };
    let needed = match (t.target.value.as_ref(), *t.target.kind.get_ref()) {
        (Some(v), _) => (*v.get_ref() - base) / years,
        (None, TargetKind::Zero) => -base / years,
        _ => better * base * 0.01,
    };
    needed * factor
}

#[allow(clippy::too_many_arguments)]
fn observation(
    indicator: &str,
    area: &str,
    period: &str,
    breakdown: &str,
    method: Method,
    unit: Unit,
    value: f64,
    people: f64,
) -> Observation {
    let mut o = Observation {
        key: ObservationKey {
            indicator: indicator.to_owned(),
            area: area.to_owned(),
            period: period.to_owned(),
            breakdown: breakdown.to_owned(),
        },
        value: None,
        lower: None,
        upper: None,
        numerator: None,
        denominator: None,
        note: None,
        source: Some(SOURCE.to_owned()),
        illustrative: true,
        line: 0,
    };
    match (method, unit) {
        (Method::Proportion, _) => {
            let n = people.round().max(20.0);
            o.denominator = Some(n);
            o.numerator = Some((value / 100.0 * n).round());
        }
        (Method::CrudeRate | Method::DirectlyStandardisedRate, _) | (_, Unit::RatePer100000) => {
            let population = (people * 40.0).round().max(1_000.0);
            let events = (value / 100_000.0 * population).round();
            if let Ok(e) = crude_rate(events, population, 100_000.0, &[ConfidenceLevel::p95()]) {
                o.value = Some(e.value);
                o.lower = Some(e.intervals[0].lower);
                o.upper = Some(e.intervals[0].upper);
            }
            o.numerator = Some(events);
            o.denominator = Some(population);
        }
        (Method::Mean, _) => {
            let half = 0.8 + 1.2 * unit_random(&[indicator, area, period, breakdown, "ci"]);
            o.value = Some(value);
            o.lower = Some(value - half);
            o.upper = Some(value + half);
        }
        (Method::Count, _) => o.value = Some(value.round()),
        _ => {
            let half = value.abs() * 0.04;
            o.value = Some(value);
            o.lower = Some(value - half);
            o.upper = Some(value + half);
        }
    }
    o
}

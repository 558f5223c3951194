//! From rows read from a file to observations of the plan: indicator ids mapped
//! (Fingertips ids through each indicator's measurement), areas resolved to the plan's
//! ids, the headline age dropped from Fingertips breakdowns, values and intervals
//! computed from counts where the file gives counts only, and every value checked
//! against its unit. Every problem is a [`Diagnostic`] with the file, line and field
//! (`file:line: field: message`; rows keep no columns); a file with any problem yields
//! none of its rows.

use std::collections::{HashMap, HashSet};

use assure_plan::fingertips::INDICATOR_PREFIX;
use assure_plan::observation::{Observation, ObservationKey};
use assure_plan::{Diagnostic, Diagnostics, Method, Plan, Tracked, Unit};
use assure_stats::{ConfidenceLevel, crude_rate, proportion};

use crate::{AreaIndex, TrackingError};

/// Choices for [`prepare`].
#[derive(Debug, Clone, Default)]
pub struct PrepareOptions {
    /// Fingertips indicator ids mapped to plan indicators, beyond those the plan maps.
    pub map: HashMap<u32, String>,
    /// Leave out rows for areas that are neither the plan's nor England (counted), instead
    /// of refusing the file.
    pub skip_unknown_areas: bool,
    /// Leave out rows of Fingertips indicators not mapped to the plan (counted), instead of
    /// refusing the file.
    pub skip_unmapped: bool,
    /// Mark every row as illustrative.
    pub illustrative: bool,
}

/// Rows ready to store.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// The observations.
    pub rows: Vec<Observation>,
    /// Rows left out on request (unknown areas, unmapped indicators).
    pub skipped: u64,
    /// Rows whose value or interval was computed from their counts.
    pub computed: u64,
}

/// Map, complete and check `rows` read from the file `name` for `plan`: all of them, or
/// a [`TrackingError`] naming every problem (past [`Diagnostics::LISTED`], counted).
pub fn prepare(
    plan: &Plan,
    rows: Vec<Observation>,
    name: &str,
    options: &PrepareOptions,
) -> Result<Prepared, TrackingError> {
    let tracked: HashMap<&str, Tracked<'_>> =
        plan.indicators.iter().flat_map(|i| i.tracked()).map(|t| (t.id, t)).collect();
    let compound: HashMap<&str, Vec<&str>> = plan
        .indicators
        .iter()
        .filter(|i| !i.parts.is_empty())
        .map(|i| (i.id.get_ref().as_str(), i.parts.iter().map(|p| p.id.get_ref().as_str()).collect()))
        .collect();
    let mut fingertips: HashMap<u32, &str> = HashMap::new();
    for t in tracked.values() {
        for id in t.measurement.iter().flat_map(|m| &m.fingertips) {
            fingertips.insert(*id.get_ref(), t.id);
        }
    }
    let mut unknown = Vec::new();
    for (id, target) in &options.map {
        match tracked.get_key_value(target.as_str()) {
            Some((k, _)) => {
                fingertips.insert(*id, k);
            }
            None => unknown.push((*id, target.clone())),
        }
    }
    if !unknown.is_empty() {
        unknown.sort();
        return Err(TrackingError::UnknownMapTargets(unknown));
    }
    let mut problems = Diagnostics::new();
    let areas = AreaIndex::new(plan);
    let level = [ConfidenceLevel::p95()];
    let mut out = Prepared::default();
    let mut seen: HashMap<ObservationKey, u64> = HashMap::new();
    for mut o in rows {
        let at = |field: &str, message: String| Diagnostic::new(name, message).on_line(o.line).in_field(field);
        // Indicator.
        let t = if let Some(ft) = o.key.indicator.strip_prefix(INDICATOR_PREFIX) {
            match ft.parse::<u32>().ok().and_then(|n| fingertips.get(&n)) {
                Some(id) => tracked[id],
                None if options.skip_unmapped => {
                    out.skipped += 1;
                    continue;
                }
                None => {
                    problems.push(at(
                        "Indicator ID",
                        format!(
                            "Fingertips indicator {ft} is not mapped to an indicator of the plan \
                             (add it to the indicator's measurement, pass --map {ft}=INDICATOR, \
                             or --skip-unmapped to leave such rows out)"
                        ),
                    ));
                    continue;
                }
            }
        } else {
            match tracked.get(o.key.indicator.as_str()) {
                Some(t) => *t,
                None => {
                    let message = match compound.get(o.key.indicator.as_str()) {
                        Some(parts) => format!(
                            "'{}' is a compound statement; give data for its parts: {}",
                            o.key.indicator,
                            parts.join(", ")
                        ),
                        None => {
                            format!("'{}' is not an indicator of plan '{}'", o.key.indicator, plan.meta.id.get_ref())
                        }
                    };
                    problems.push(at("indicator", message));
                    continue;
                }
            }
        };
        // Area.
        let Some(area) = areas.resolve(&o.key.area) else {
            if options.skip_unknown_areas {
                out.skipped += 1;
            } else {
                problems.push(at(
                    "area",
                    format!(
                        "unknown area '{}' (expected an area of the plan or England, by id, ONS or ODS code, \
                         or name; --skip-unknown-areas leaves such rows out)",
                        o.key.area
                    ),
                ));
            }
            continue;
        };
        o.key.indicator = t.id.to_owned();
        o.key.area = area.to_owned();
        o.key.breakdown = headline_breakdown(&o.key.breakdown, t.measurement.and_then(|m| m.age.as_deref()));
        o.illustrative |= options.illustrative;
        // Values from counts.
        let method = t.measurement.map(|m| *m.method.get_ref());
        if let (Some(x), Some(n)) = (o.numerator, o.denominator)
            && (o.value.is_none() || o.lower.is_none() || o.upper.is_none())
        {
            let estimate = match method {
                Some(Method::Proportion) => Some(proportion(x, n, 100.0, &level)),
                Some(Method::CrudeRate) => Some(crude_rate(x, n, 100_000.0, &level)),
                _ => None,
            };
            match estimate {
                Some(Ok(e)) => {
                    o.value = o.value.or(Some(e.value));
                    if o.lower.is_none() && o.upper.is_none() {
                        o.lower = Some(e.intervals[0].lower);
                        o.upper = Some(e.intervals[0].upper);
                    }
                    out.computed += 1;
                }
                Some(Err(e)) => {
                    problems.push(at("numerator", e.to_string()));
                    continue;
                }
                None => {}
            }
        }
        if let Some(message) = out_of_range(t.unit, &o) {
            problems.push(at("value", message));
            continue;
        }
        if let Some(first) = seen.insert(o.key.clone(), o.line) {
            problems.push(at(
                "period",
                format!(
                    "repeats line {first}: indicator '{}', area '{}', period '{}'{} twice",
                    o.key.indicator,
                    o.key.area,
                    o.key.period,
                    if o.key.breakdown.is_empty() {
                        String::new()
                    } else {
                        format!(", breakdown '{}'", o.key.breakdown)
                    }
                ),
            ));
            continue;
        }
        out.rows.push(o);
    }
    problems.or_ok(out).map_err(TrackingError::Invalid)
}

/// A Fingertips breakdown without the indicator's headline age (`All ages` when the
/// measurement names none), so that the headline value has an empty breakdown.
fn headline_breakdown(breakdown: &str, age: Option<&str>) -> String {
    if breakdown.is_empty() {
        return String::new();
    }
    let headline = format!("age={}", age.unwrap_or("All ages"));
    breakdown.split("; ").filter(|part| !part.eq_ignore_ascii_case(&headline)).collect::<Vec<_>>().join("; ")
}

fn out_of_range(unit: Unit, o: &Observation) -> Option<String> {
    let values = [("value", o.value), ("lower limit", o.lower), ("upper limit", o.upper)];
    for (what, v) in values {
        let Some(v) = v else { continue };
        match unit {
            Unit::Percent if !(0.0..=100.0).contains(&v) => {
                return Some(format!("{what} {v} is not a percentage (0 to 100)"));
            }
            Unit::RatePer100000 | Unit::Rate | Unit::Count if v < 0.0 => {
                return Some(format!("{what} {v} is negative, which a {} cannot be", unit_name(unit)));
            }
            _ => {}
        }
    }
    if let (Some(n), Some(d)) = (o.numerator, o.denominator)
        && (n < 0.0 || d < 0.0)
    {
        return Some("numerator and denominator cannot be negative".to_owned());
    }
    None
}

fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Count => "count",
        _ => "rate",
    }
}

/// The ids of the plan's tracked indicators (indicators without parts, and parts).
pub fn tracked_ids(plan: &Plan) -> HashSet<&str> {
    plan.indicators.iter().flat_map(|i| i.tracked()).map(|t| t.id).collect()
}

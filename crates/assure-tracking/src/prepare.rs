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
    let mut preparer = Preparer::new(plan, name, options)?;
    let mut problems = Diagnostics::new();
    let mut out = Prepared::default();
    let mut seen: HashMap<ObservationKey, u64> = HashMap::new();
    for o in rows {
        let Some(o) = preparer.row(o, &mut problems) else { continue };
        if let Some(first) = seen.insert(o.key.clone(), o.line) {
            problems.push(repeated(name, &o, first));
            continue;
        }
        out.rows.push(o);
    }
    out.skipped = preparer.skipped;
    out.computed = preparer.computed;
    problems.or_ok(out).map_err(TrackingError::Invalid)
}

/// The problem of a row whose key an earlier row (on line `first`) has.
pub fn repeated(name: &str, o: &Observation, first: u64) -> Diagnostic {
    Diagnostic::new(
        name,
        format!(
            "repeats line {first}: indicator '{}', area '{}', period '{}'{} twice",
            o.key.indicator,
            o.key.area,
            o.key.period,
            if o.key.breakdown.is_empty() { String::new() } else { format!(", breakdown '{}'", o.key.breakdown) }
        ),
    )
    .on_line(o.line)
    .in_field("period")
}

/// Maps rows to the plan one at a time ([`prepare`] without the check for repeated keys,
/// which needs every row: see [`KeyPrints`] for it in small memory).
pub struct Preparer<'p> {
    plan: &'p Plan,
    name: String,
    tracked: HashMap<&'p str, Tracked<'p>>,
    compound: HashMap<&'p str, Vec<&'p str>>,
    fingertips: HashMap<u32, &'p str>,
    areas: AreaIndex,
    level: [ConfidenceLevel; 1],
    skip_unknown_areas: bool,
    skip_unmapped: bool,
    illustrative: bool,
    /// Rows left out on request so far.
    pub skipped: u64,
    /// Rows whose value or interval was computed from their counts so far.
    pub computed: u64,
}

impl<'p> Preparer<'p> {
    /// A preparer of rows read from the file `name` for `plan`; the mapping's unknown
    /// targets if it names indicators the plan does not track.
    pub fn new(plan: &'p Plan, name: &str, options: &PrepareOptions) -> Result<Preparer<'p>, TrackingError> {
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
        Ok(Preparer {
            plan,
            name: name.to_owned(),
            tracked,
            compound,
            fingertips,
            areas: AreaIndex::new(plan),
            level: [ConfidenceLevel::p95()],
            skip_unknown_areas: options.skip_unknown_areas,
            skip_unmapped: options.skip_unmapped,
            illustrative: options.illustrative,
            skipped: 0,
            computed: 0,
        })
    }

    /// One row mapped, completed and checked; `None` when it has a problem (pushed to
    /// `problems`) or is left out on request (counted in [`Preparer::skipped`]).
    pub fn row(&mut self, mut o: Observation, problems: &mut Diagnostics) -> Option<Observation> {
        let name = self.name.as_str();
        let at = |field: &str, message: String| Diagnostic::new(name, message).on_line(o.line).in_field(field);
        // Indicator.
        let t = if let Some(ft) = o.key.indicator.strip_prefix(INDICATOR_PREFIX) {
            match ft.parse::<u32>().ok().and_then(|n| self.fingertips.get(&n)) {
                Some(id) => self.tracked[id],
                None if self.skip_unmapped => {
                    self.skipped += 1;
                    return None;
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
                    return None;
                }
            }
        } else {
            match self.tracked.get(o.key.indicator.as_str()) {
                Some(t) => *t,
                None => {
                    let message = match self.compound.get(o.key.indicator.as_str()) {
                        Some(parts) => format!(
                            "'{}' is a compound statement; give data for its parts: {}",
                            o.key.indicator,
                            parts.join(", ")
                        ),
                        None => format!(
                            "'{}' is not an indicator of plan '{}'",
                            o.key.indicator,
                            self.plan.meta.id.get_ref()
                        ),
                    };
                    problems.push(at("indicator", message));
                    return None;
                }
            }
        };
        // Area.
        let Some(area) = self.areas.resolve(&o.key.area) else {
            if self.skip_unknown_areas {
                self.skipped += 1;
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
            return None;
        };
        if o.key.indicator != t.id {
            o.key.indicator = t.id.to_owned();
        }
        if o.key.area != area {
            o.key.area = area.to_owned();
        }
        if !o.key.breakdown.is_empty() {
            o.key.breakdown = headline_breakdown(&o.key.breakdown, t.measurement);
        }
        o.illustrative |= self.illustrative;
        // Values from counts.
        let method = t.measurement.map(|m| *m.method.get_ref());
        if let (Some(x), Some(n)) = (o.numerator, o.denominator)
            && (o.value.is_none() || o.lower.is_none() || o.upper.is_none())
        {
            let estimate = match method {
                Some(Method::Proportion) => Some(proportion(x, n, 100.0, &self.level)),
                Some(Method::CrudeRate) => Some(crude_rate(x, n, 100_000.0, &self.level)),
                _ => None,
            };
            match estimate {
                Some(Ok(e)) => {
                    o.value = o.value.or(Some(e.value));
                    if o.lower.is_none() && o.upper.is_none() {
                        o.lower = Some(e.intervals[0].lower);
                        o.upper = Some(e.intervals[0].upper);
                    }
                    self.computed += 1;
                }
                Some(Err(e)) => {
                    let line = o.line;
                    problems.push(Diagnostic::new(name, e.to_string()).on_line(line).in_field("numerator"));
                    return None;
                }
                None => {}
            }
        }
        if let Some(message) = out_of_range(t.unit, &o) {
            problems.push(Diagnostic::new(name, message).on_line(o.line).in_field("value"));
            return None;
        }
        Some(o)
    }
}

/// Repeated keys found in small memory: a 64-bit print of each key (8 bytes a row: 80 MB
/// for ten million rows) instead of the keys themselves. Prints that occur twice name
/// the keys that may repeat (two different keys share a print about once in 10^12 pairs,
/// so there are almost never more than the true repeats); a second look at only those
/// rows, with [`Repeats`], tells true repeats by their keys and lines.
#[derive(Debug, Default)]
pub struct KeyPrints {
    prints: Vec<u64>,
}

impl KeyPrints {
    /// The print of a key.
    pub fn print(key: &ObservationKey) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        key.hash(&mut h);
        h.finish()
    }

    /// Note a row's key.
    pub fn push(&mut self, key: &ObservationKey) {
        self.prints.push(Self::print(key));
    }

    /// The prints seen more than once: none when no key repeats.
    pub fn repeated(mut self) -> HashSet<u64> {
        self.prints.sort_unstable();
        self.prints.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect()
    }
}

/// The second look of [`KeyPrints`]: the keys whose print was seen twice, with the line
/// each was last seen on; every true repeat becomes the same problem [`prepare`] reports.
#[derive(Debug)]
pub struct Repeats {
    suspects: HashSet<u64>,
    first: HashMap<ObservationKey, u64>,
    name: String,
}

impl Repeats {
    /// Look for repeats among rows whose key has one of `suspects`' prints, in the file `name`.
    pub fn new(suspects: HashSet<u64>, name: &str) -> Repeats {
        Repeats { suspects, first: HashMap::new(), name: name.to_owned() }
    }

    /// Check a prepared row, in file order.
    pub fn check(&mut self, o: &Observation, problems: &mut Diagnostics) {
        if !self.suspects.contains(&KeyPrints::print(&o.key)) {
            return;
        }
        // As in `prepare`, a key's third row names its second.
        if let Some(before) = self.first.insert(o.key.clone(), o.line) {
            problems.push(repeated(&self.name, o, before));
        }
    }
}

/// A Fingertips breakdown without the indicator's headline age (`All ages` when the
/// measurement names none) and headline sex (where it names one: `Persons` is never in a
/// breakdown), so that the headline value has an empty breakdown.
fn headline_breakdown(breakdown: &str, measurement: Option<&assure_plan::Measurement>) -> String {
    if breakdown.is_empty() {
        return String::new();
    }
    let age = format!("age={}", measurement.and_then(|m| m.age.as_deref()).unwrap_or("All ages"));
    let sex = measurement.and_then(|m| m.sex.as_deref()).map(|s| format!("sex={s}"));
    breakdown
        .split("; ")
        .filter(|part| !part.eq_ignore_ascii_case(&age) && !sex.as_ref().is_some_and(|s| part.eq_ignore_ascii_case(s)))
        .collect::<Vec<_>>()
        .join("; ")
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

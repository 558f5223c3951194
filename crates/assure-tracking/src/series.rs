//! Observations arranged for charts and tables: each area's latest value against
//! England's, and each group of a breakdown over time with the gap between groups.

use std::collections::BTreeMap;

use assure_plan::Polarity;
use assure_plan::observation::Observation;
use assure_stats::{Comparison, compare};
use serde::Serialize;

use crate::status::{Point, points};
use crate::time::period_time;

/// One area's value for a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaValue {
    /// The area's id.
    pub area: String,
    /// The value.
    pub point: Point,
    /// Against England's value for the same period.
    #[serde(serialize_with = "crate::status::display")]
    pub comparison: Comparison,
}

/// Every area's value (no breakdown) for the latest period that has a value for an area
/// other than England, with England's value for it.
pub fn latest_by_area(
    observations: &[Observation],
    polarity: Polarity,
) -> Option<(String, Option<f64>, Vec<AreaValue>)> {
    let headline = |o: &&Observation| o.key.breakdown.is_empty() && o.value.is_some();
    let period = observations
        .iter()
        .filter(headline)
        .filter(|o| o.key.area != "england")
        .filter_map(|o| Some((period_time(&o.key.period)?, o.key.period.as_str())))
        .max_by(|a, b| a.0.total_cmp(&b.0))?
        .1
        .to_owned();
    let in_period: Vec<&Observation> =
        observations.iter().filter(headline).filter(|o| o.key.period == period).collect();
    let england = in_period.iter().find(|o| o.key.area == "england").and_then(|o| o.value);
    let mut values: Vec<AreaValue> = in_period
        .iter()
        .filter(|o| o.key.area != "england")
        .filter_map(|o| {
            let point = points(std::slice::from_ref(*o)).pop()?;
            let comparison = compare(point.interval(), england, crate::status::stats_polarity(polarity));
            Some(AreaValue { area: o.key.area.clone(), point, comparison })
        })
        .collect();
    values.sort_by(|a, b| a.area.cmp(&b.area));
    Some((period, england, values))
}

/// One area's values of a measure over time, its latest against England's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InArea {
    /// The area's values (no breakdown), in time order.
    pub series: Vec<Point>,
    /// England's value for the latest period, where there is one.
    pub england: Option<f64>,
    /// The latest value against England's, by its 95% interval.
    #[serde(serialize_with = "crate::status::display")]
    pub comparison: Comparison,
}

impl InArea {
    /// The latest value.
    pub fn latest(&self) -> Option<&Point> {
        self.series.last()
    }
}

/// An area's values of a measure (headline rows only) and its latest against England's;
/// `None` when the area has no value.
pub fn in_area(observations: &[Observation], area: &str, polarity: Polarity) -> Option<InArea> {
    let headline = |o: &&Observation| o.key.breakdown.is_empty();
    let own: Vec<Observation> = observations.iter().filter(headline).filter(|o| o.key.area == area).cloned().collect();
    let series = points(&own);
    let latest = series.last()?;
    let england = observations
        .iter()
        .filter(headline)
        .find(|o| o.key.area == "england" && o.key.period == latest.period)
        .and_then(|o| o.value);
    let comparison = compare(latest.interval(), england, crate::status::stats_polarity(polarity));
    Some(InArea { series, england, comparison })
}

/// One group of a breakdown (`sex=Female`) over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// The group's label (`Female`).
    pub label: String,
    /// Its values in time order.
    pub series: Vec<Point>,
}

/// A breakdown dimension (`sex`, `age`, a deprivation category) with its groups, and the
/// gap between its highest and lowest group in each period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    /// The dimension.
    pub dimension: String,
    /// Its groups, in label order.
    pub groups: Vec<Group>,
    /// Per period: the gap between the highest and the lowest group, and their labels.
    pub gaps: Vec<Gap>,
}

/// The gap between groups in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    /// The period.
    pub period: String,
    /// Highest minus lowest.
    pub gap: f64,
    /// The highest group.
    pub highest: String,
    /// The lowest group.
    pub lowest: String,
}

/// The breakdowns of one area's observations (single-dimension breakdowns only).
pub fn breakdowns(observations: &[Observation], area: &str) -> Vec<Breakdown> {
    let mut by_dimension: BTreeMap<&str, BTreeMap<&str, Vec<Observation>>> = BTreeMap::new();
    for o in observations.iter().filter(|o| o.key.area == area && !o.key.breakdown.contains("; ")) {
        if let Some((dimension, group)) = o.key.breakdown.split_once('=') {
            by_dimension.entry(dimension).or_default().entry(group).or_default().push(o.clone());
        }
    }
    by_dimension
        .into_iter()
        .map(|(dimension, groups)| {
            let groups: Vec<Group> = groups
                .into_iter()
                .map(|(label, obs)| Group { label: label.to_owned(), series: points(&obs) })
                .collect();
            let mut periods: BTreeMap<(u64, &str), Vec<(&str, f64)>> = BTreeMap::new();
            for g in &groups {
                for p in &g.series {
                    periods.entry((p.time.to_bits(), p.period.as_str())).or_default().push((&g.label, p.value));
                }
            }
            let gaps = periods
                .into_iter()
                .filter(|(_, v)| v.len() >= 2)
                .map(|((_, period), v)| {
                    let hi = v.iter().max_by(|a, b| a.1.total_cmp(&b.1)).copied().unwrap_or_default();
                    let lo = v.iter().min_by(|a, b| a.1.total_cmp(&b.1)).copied().unwrap_or_default();
                    Gap {
                        period: period.to_owned(),
                        gap: hi.1 - lo.1,
                        highest: hi.0.to_owned(),
                        lowest: lo.0.to_owned(),
                    }
                })
                .collect();
            Breakdown { dimension: dimension.to_owned(), groups, gaps }
        })
        .collect()
}

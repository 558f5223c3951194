//! An assessment in one sentence a resident understands ("Getting worse and behind: …"),
//! led by what it means and then the numbers, in their unit. The precise reason
//! ([`Assessment::reason`]) stays beside it for whoever wants the statistics.

use assure_plan::{Polarity, TargetKind, Tracked};
use assure_stats::Comparison;

use crate::format;
use crate::status::{Assessment, Status};

/// Which way the latest value moved from the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// In the better direction (by the indicator's polarity).
    Better,
    /// In the worse direction.
    Worse,
    /// Up, for a measure where neither way is better.
    Up,
    /// Down, for a measure where neither way is better.
    Down,
    /// The same value.
    Unchanged,
}

/// How the latest value moved from the previous one, when there are two.
pub fn direction(polarity: Polarity, a: &Assessment) -> Option<Direction> {
    let [.., previous, latest] = a.series.as_slice() else { return None };
    let (up, down) = match polarity {
        Polarity::HigherIsBetter => (Direction::Better, Direction::Worse),
        Polarity::LowerIsBetter => (Direction::Worse, Direction::Better),
        Polarity::NoJudgement => (Direction::Up, Direction::Down),
    };
    Some(match latest.value.total_cmp(&previous.value) {
        std::cmp::Ordering::Greater => up,
        std::cmp::Ordering::Less => down,
        std::cmp::Ordering::Equal => Direction::Unchanged,
    })
}

/// What the status means, with the direction of travel: "Behind where it should be and
/// getting worse".
pub fn headline(polarity: Polarity, a: &Assessment) -> String {
    let due_passed = a.target_time.zip(a.latest()).is_some_and(|(due, latest)| latest.time >= due - 1e-9);
    let (status, good) = match a.status {
        Status::Achieved => ("Target met", true),
        Status::OnTrack => ("On track", true),
        Status::AtRisk => ("A little behind where it should be", false),
        Status::OffTrack if due_passed => ("Target missed", false),
        Status::OffTrack => ("Behind where it should be", false),
        Status::NoData => return "No data yet".to_owned(),
    };
    match (direction(polarity, a), good) {
        (Some(Direction::Better), true) => format!("{status} and getting better"),
        (Some(Direction::Better), false) => format!("{status}, though getting better"),
        (Some(Direction::Worse), true) => format!("{status}, though the latest value is worse than the one before"),
        (Some(Direction::Worse), false) => format!("{status} and getting worse"),
        _ => status.to_owned(),
    }
}

/// The measure as it reads inside a sentence: "mothers smoking at time of delivery"
/// (a leading capital kept for names and initials such as "NHS").
pub fn in_sentence(measure: &str) -> String {
    let mut chars = measure.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().collect::<String>() + &measure[first.len_utf8()..]
        }
        _ => measure.to_owned(),
    }
}

/// The assessment in one plain sentence: what it means, the latest value with its unit and
/// period, and where it should be now on the way to the target.
pub fn sentence(t: &Tracked<'_>, a: &Assessment) -> String {
    words(t, a, Naming::Measure)
}

/// A shorter sentence for a row that already names the indicator and its target: "Behind
/// where it should be and getting worse: 9.9% in 2024/25; about 9.5% expected by now."
pub fn short(t: &Tracked<'_>, a: &Assessment) -> String {
    words(t, a, Naming::Nothing)
}

/// Whether a sentence names what it is about.
#[derive(Clone, Copy, PartialEq)]
enum Naming {
    Measure,
    Nothing,
}

fn words(t: &Tracked<'_>, a: &Assessment, naming: Naming) -> String {
    let unit = t.unit;
    let show = |v: f64| format::value(unit, v);
    let measure = in_sentence(t.measure);
    let place = if t.geography.is_empty() { String::new() } else { format!(" in {}", t.geography) };
    // "mothers smoking at time of delivery was 9.9% in Kent and Medway", or "9.9%".
    let was = |value: String| match naming {
        Naming::Measure => format!("{measure} was {value}{place}"),
        Naming::Nothing => value,
    };
    let kind = *t.target.kind.get_ref();
    if kind == TargetKind::Qualitative {
        return "Judged from the progress of its milestones and the evidence for them, rather than from a number."
            .to_owned();
    }
    let Some(latest) = a.latest() else {
        return format!("No data yet: nothing has been recorded for {measure}{place}.");
    };
    let by = t.target.by.as_ref().map(|b| format!(" by {}", b.get_ref())).unwrap_or_default();
    if a.status == Status::NoData {
        let why = match kind {
            TargetKind::National => "there is no England value for the same period to compare it with",
            _ => "there is no value after the baseline yet to judge progress from",
        };
        return format!("Not yet judged: {} in {}, but {why}.", was(show(latest.value)), latest.period);
    }
    let head = headline(t.polarity, a);
    let value = |v: f64, other: Option<f64>| match other {
        Some(o) => format::distinct(unit, v, o).0,
        None => show(v),
    };
    let now = format!("{head}: {} in {}", was(value(latest.value, a.expected.or(a.goal))), latest.period);
    let aim = match (kind, a.goal) {
        (TargetKind::AtMost | TargetKind::LessThan | TargetKind::AtLeast | TargetKind::MoreThan, Some(goal)) => {
            let goal_text = match kind {
                TargetKind::AtMost => format!("{} or less", show(goal)),
                TargetKind::LessThan => format!("below {}", show(goal)),
                TargetKind::AtLeast => format!("{} or more", show(goal)),
                _ => format!("above {}", show(goal)),
            };
            match (a.status, a.expected) {
                (Status::Achieved, _) => format!("the target is {goal_text}{by}"),
                (_, Some(expected)) if naming == Naming::Nothing => {
                    format!("about {} expected by now", format::distinct(unit, expected, latest.value).0)
                }
                (_, Some(expected)) => format!(
                    "to reach {goal_text}{by} it should now be about {}",
                    format::distinct(unit, expected, latest.value).0
                ),
                _ => format!("the target of {goal_text}{by} was not met in time"),
            }
        }
        (TargetKind::Maintain | TargetKind::SimilarToBaseline, Some(keep)) => {
            format!("the aim is to keep it at about {}{by}", show(keep))
        }
        (TargetKind::BelowBaseline | TargetKind::AboveBaseline, Some(base)) => {
            let side = if kind == TargetKind::BelowBaseline { "below" } else { "above" };
            let when = a.baseline.as_ref().map(|b| format!(" ({})", b.label)).unwrap_or_default();
            format!("the aim is to get it {side} {}{when}{by}", show(base))
        }
        (TargetKind::National, Some(goal)) => {
            let england = a.comparator.iter().find(|c| c.period == latest.period).map(|c| c.value);
            match england {
                Some(e) if (e - goal).abs() > 1e-9 => {
                    format!("the aim is {}{by}, against England's {}", show(goal), show(e))
                }
                _ => format!("the aim is to match England's {}{by}", show(goal)),
            }
        }
        (TargetKind::Zero, Some(tolerance)) => format!("the aim is {} or fewer", show(tolerance)),
        _ => String::new(),
    };
    if aim.is_empty() { format!("{now}.") } else { format!("{now}; {aim}.") }
}

/// A value against England's in words: "better than England (significantly)".
pub fn against_england(comparison: Comparison) -> &'static str {
    match comparison {
        Comparison::Better => "Better than England",
        Comparison::Similar => "Similar to England",
        Comparison::Worse => "Worse than England",
        Comparison::Higher => "Higher than England",
        Comparison::Lower => "Lower than England",
        Comparison::NotCompared => "Not compared",
    }
}

#[cfg(test)]
mod tests {
    use super::in_sentence;

    #[test]
    fn measures_read_inside_a_sentence() {
        assert_eq!(in_sentence("Mothers smoking at time of delivery"), "mothers smoking at time of delivery");
        assert_eq!(in_sentence("NHS organisations"), "NHS organisations");
        assert_eq!(in_sentence(""), "");
    }
}

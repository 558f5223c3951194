//! Assigning values to quantiles (deciles, quintiles) within a group.

/// Quantiles assigned to a group's values, or why none were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantiles {
    /// One per input value, in input order; `None` for all when the group is too small.
    pub assigned: Vec<Option<u32>>,
    /// Set when no quantiles could be assigned.
    pub warning: Option<String>,
}

/// Assign each of `values` (one group) to one of `q` quantiles.
///
/// Ranks ties at their minimum rank. `inverted` ranks descending, so quantile 1 holds the
/// highest values (deprivation scores: decile 1 is the most deprived). With `N` values:
/// `quantile = ⌊(q + 1) − ⌈((N + 1) − rank) / (N / q)⌉⌋`, and 0 becomes 1.
/// Non-finite values get no quantile and do not count towards `N`.
pub fn quantiles(values: &[f64], q: u32, inverted: bool) -> Quantiles {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let n = finite.len();
    if q == 0 || n < q as usize {
        return Quantiles {
            assigned: vec![None; values.len()],
            warning: Some(format!("{n} value(s) in the group: fewer than the {q} quantiles asked for, none assigned")),
        };
    }
    let mut sorted = finite.clone();
    sorted.sort_by(|a, b| if inverted { b.total_cmp(a) } else { a.total_cmp(b) });
    let rank = |v: f64| -> f64 {
        // Minimum rank: 1 + the number of values strictly before v in the ranking order.
        let before = sorted.partition_point(|&s| if inverted { s > v } else { s < v });
        (before + 1) as f64
    };
    let (nf, qf) = (n as f64, f64::from(q));
    let assigned = values
        .iter()
        .map(|&v| {
            v.is_finite().then(|| {
                let k = ((qf + 1.0) - (((nf + 1.0) - rank(v)) / (nf / qf)).ceil()).floor();
                (k.max(1.0)) as u32
            })
        })
        .collect();
    Quantiles { assigned, warning: None }
}

//! Numbers as people read them, in the indicator's unit: `8.9%`, `418.7 per 100,000`,
//! `46.1`, `1,204`.

use assure_plan::Unit;

/// A value with its unit.
pub fn value(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Percent => format!("{}%", number(v, 1)),
        Unit::RatePer100000 => format!("{} per 100,000", number(v, 1)),
        Unit::Count => number(v, 0),
        _ => number(v, 1),
    }
}

/// An interval with its unit's digits and no unit: `8.3–9.5`.
pub fn interval(unit: Unit, lower: f64, upper: f64) -> String {
    let digits = if unit == Unit::Count { 0 } else { 1 };
    format!("{}–{}", number(lower, digits), number(upper, digits))
}

/// A number rounded to `digits` decimals with thousands separated by commas.
pub fn number(v: f64, digits: usize) -> String {
    let text = format!("{:.*}", digits, v.abs());
    let (whole, fraction) = text.split_once('.').map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') { "−" } else { "" };
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_unit() {
        assert_eq!(value(Unit::Percent, 8.94), "8.9%");
        assert_eq!(value(Unit::RatePer100000, 1418.66), "1,418.7 per 100,000");
        assert_eq!(value(Unit::Count, 1204.0), "1,204");
        assert_eq!(value(Unit::Score, -5.04), "−5.0");
        assert_eq!(number(-0.01, 1), "0.0");
        assert_eq!(interval(Unit::Percent, 8.26, 9.54), "8.3–9.5");
    }
}

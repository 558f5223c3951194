//! Numbers as people read them, in the indicator's unit: `8.9%`, `418.7 per 100,000`,
//! `46.1`, `1,204`.

use assure_plan::Unit;

/// A value with its unit.
pub fn value(unit: Unit, v: f64) -> String {
    value_to(unit, v, digits(unit))
}

/// The decimals a unit is written with.
fn digits(unit: Unit) -> usize {
    if unit == Unit::Count { 0 } else { 1 }
}

/// A value with its unit, to `digits` decimals.
fn value_to(unit: Unit, v: f64, digits: usize) -> String {
    match unit {
        Unit::Percent => format!("{}%", number(v, digits)),
        Unit::RatePer100000 => format!("{} per 100,000", number(v, digits)),
        Unit::Years => format!("{} years", number(v, digits)),
        _ => number(v, digits),
    }
}

/// Two values written with enough decimals to tell them apart (at most three more than the
/// unit's usual), so that "9.5%, expected 9.5%" never reads as a contradiction.
pub fn distinct(unit: Unit, a: f64, b: f64) -> (String, String) {
    let usual = digits(unit);
    let mut shown = (value(unit, a), value(unit, b));
    for extra in 1..=3 {
        if shown.0 != shown.1 || a == b {
            break;
        }
        shown = (value_to(unit, a, usual + extra), value_to(unit, b, usual + extra));
    }
    shown
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

/// Names as a person lists them: `Kent`, `Kent and Medway`, `Ashford, Dover and Swale`.
pub fn and_list<S: AsRef<str>>(names: &[S]) -> String {
    match names {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [rest @ .., last] => {
            format!("{} and {}", rest.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", "), last.as_ref())
        }
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

    #[test]
    fn names_are_listed_with_and() {
        assert_eq!(and_list::<&str>(&[]), "");
        assert_eq!(and_list(&["Kent"]), "Kent");
        assert_eq!(and_list(&["Kent", "Medway"]), "Kent and Medway");
        assert_eq!(and_list(&["Ashford", "Dover", "Swale"]), "Ashford, Dover and Swale");
    }

    #[test]
    fn distinct_values_are_told_apart() {
        assert_eq!(distinct(Unit::Percent, 9.52, 9.48), ("9.52%".to_owned(), "9.48%".to_owned()));
        assert_eq!(distinct(Unit::Percent, 9.9, 9.5), ("9.9%".to_owned(), "9.5%".to_owned()));
        assert_eq!(distinct(Unit::Count, 1204.4, 1203.6), ("1,204.4".to_owned(), "1,203.6".to_owned()));
        // Equal values stay at the usual digits; nearly equal ones stop at three more.
        assert_eq!(distinct(Unit::Percent, 9.5, 9.5), ("9.5%".to_owned(), "9.5%".to_owned()));
        assert_eq!(distinct(Unit::Percent, 9.50001, 9.5), ("9.5000%".to_owned(), "9.5000%".to_owned()));
    }
}

//! Periods on a time axis: a period is placed at its last day, as a fractional year, so
//! that a value for `2023/24` sits at the end of March 2024 and a target "by 2028" at
//! the end of 2028.

use assure_plan::Period;

/// A (year, month, day) as a fractional year.
pub fn year_fraction((y, m, d): (u16, u8, u8)) -> f64 {
    const BEFORE: [u16; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let day_of_year = f64::from(BEFORE[usize::from(m.clamp(1, 12) - 1)] + u16::from(d));
    f64::from(y) + day_of_year / 365.0
}

/// The time of a period (its last day); `None` for `Ongoing` or text that is not a period.
pub fn period_time(text: &str) -> Option<f64> {
    Period::parse(text).ok()?.end().map(year_fraction)
}

/// The time of a date written `YYYY-MM-DD`.
pub fn date_time(text: &str) -> Option<f64> {
    let mut parts = text.splitn(3, '-').map(|p| p.parse::<u16>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(d))) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    (1..=12).contains(&m).then(|| year_fraction((y, m as u8, d.min(31) as u8)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_sit_at_their_last_day() {
        assert_eq!(period_time("2028"), Some(2029.0));
        assert!((period_time("2023/24").unwrap() - (2024.0 + 90.0 / 365.0)).abs() < 1e-12);
        assert_eq!(period_time("Ongoing"), None);
        assert_eq!(period_time("soon"), None);
        assert!((date_time("2024-06-12").unwrap() - (2024.0 + 163.0 / 365.0)).abs() < 1e-12);
        assert_eq!(date_time("2024-13-01"), None);
    }
}

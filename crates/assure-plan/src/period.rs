//! Typed time periods as the plan and public-health data write them.

use std::fmt;

/// A period: financial year `2023/24`, calendar year `2024`, rolling years `2020-22`,
/// a quarter `2024/25 Q1`, a month `March 2025`, or `Ongoing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// Calendar year.
    Year(u16),
    /// Financial year starting 1 April of the given year.
    FinancialYear(u16),
    /// Quarter `q` (1–4) of the financial year starting in the given year.
    FinancialQuarter(u16, u8),
    /// Several calendar years, inclusive.
    Rolling(u16, u16),
    /// A calendar month (year, month 1–12).
    Month(u16, u8),
    /// No end date.
    Ongoing,
}

/// Why a period did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Not written as a period.
    #[error("'{0}' is not a period (expected e.g. 2028, 2028/29, 2020-22, 2024/25 Q1, March 2025 or Ongoing)")]
    NotAPeriod(String),
    /// Written as a period, but outside the years any plan or data set of ours can mean.
    #[error(
        "'{0}' is not a plausible period: years run from {first} to {last}, and a rolling period spans at most {span} years",
        first = YEARS.start(),
        last = YEARS.end(),
        span = MAX_ROLLING_YEARS
    )]
    Implausible(String),
}

/// The years a period may fall in: a typo such as `0000`, `9999` or `2010-00` (which
/// would read as 2010 to 2100) is refused rather than stored.
pub const YEARS: std::ops::RangeInclusive<u16> = 1900..=2100;

/// The longest rolling period (`2016-20` is five years).
pub const MAX_ROLLING_YEARS: u16 = 10;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn year(s: &str) -> Option<u16> {
    (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// The year a two-digit suffix stands for, given the year before it (`2028/29` → 2029).
fn next_year_suffix(start: u16, suffix: &str) -> Option<u16> {
    if suffix.len() != 2 || !suffix.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let two: u16 = suffix.parse().ok()?;
    let end = start - start % 100 + two;
    Some(if end < start { end + 100 } else { end })
}

impl Period {
    /// Parse a period. Surrounding white space is ignored; month names are case-insensitive.
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let period = Period::parse_form(text)?;
        let years = match period {
            Period::Year(y) | Period::FinancialYear(y) | Period::FinancialQuarter(y, _) | Period::Month(y, _) => {
                (y, period.end().map_or(y, |e| e.0))
            }
            Period::Rolling(a, b) => (a, b),
            Period::Ongoing => return Ok(period),
        };
        let rolling_too_long = matches!(period, Period::Rolling(a, b) if b - a + 1 > MAX_ROLLING_YEARS);
        if !YEARS.contains(&years.0) || !YEARS.contains(&years.1) || rolling_too_long {
            return Err(PeriodError::Implausible(text.trim().to_owned()));
        }
        Ok(period)
    }

    /// Parse the written form, without judging whether the years are plausible.
    fn parse_form(text: &str) -> Result<Period, PeriodError> {
        let err = || PeriodError::NotAPeriod(text.to_owned());
        let t = text.trim();
        if t.eq_ignore_ascii_case("ongoing") {
            return Ok(Period::Ongoing);
        }
        if let Some(y) = year(t) {
            return Ok(Period::Year(y));
        }
        if let Some((fy, q)) = t.split_once(' ') {
            if let Some(m) = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(fy)) {
                let y = year(q).ok_or_else(err)?;
                return Ok(Period::Month(y, m as u8 + 1));
            }
            let q = q.strip_prefix('Q').ok_or_else(err)?;
            let q: u8 = q.parse().map_err(|_| err())?;
            if !(1..=4).contains(&q) {
                return Err(err());
            }
            return match Period::parse_form(fy)? {
                Period::FinancialYear(y) => Ok(Period::FinancialQuarter(y, q)),
                _ => Err(err()),
            };
        }
        if let Some((a, b)) = t.split_once('/') {
            let start = year(a).ok_or_else(err)?;
            return match next_year_suffix(start, b) {
                Some(end) if end == start + 1 => Ok(Period::FinancialYear(start)),
                _ => Err(err()),
            };
        }
        if let Some((a, b)) = t.split_once('-') {
            let start = year(a).ok_or_else(err)?;
            let end = year(b).or_else(|| next_year_suffix(start, b)).ok_or_else(err)?;
            return if end > start { Ok(Period::Rolling(start, end)) } else { Err(err()) };
        }
        Err(err())
    }

    /// The last day of the period as (year, month, day); `None` for `Ongoing`.
    pub fn end(&self) -> Option<(u16, u8, u8)> {
        fn last_day(y: u16, m: u8) -> u8 {
            match m {
                4 | 6 | 9 | 11 => 30,
                2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
                2 => 28,
                _ => 31,
            }
        }
        match *self {
            Period::Year(y) | Period::Rolling(_, y) => Some((y, 12, 31)),
            Period::FinancialYear(y) => Some((y + 1, 3, 31)),
            Period::FinancialQuarter(y, q) => {
                let (yy, m) = match q {
                    1 => (y, 6),
                    2 => (y, 9),
                    3 => (y, 12),
                    _ => (y + 1, 3),
                };
                Some((yy, m, last_day(yy, m)))
            }
            Period::Month(y, m) => Some((y, m, last_day(y, m))),
            Period::Ongoing => None,
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Year(y) => write!(f, "{y}"),
            Period::FinancialYear(y) => write!(f, "{y}/{:02}", (y + 1) % 100),
            Period::FinancialQuarter(y, q) => write!(f, "{y}/{:02} Q{q}", (y + 1) % 100),
            Period::Rolling(a, b) => write!(f, "{a}-{:02}", b % 100),
            Period::Month(y, m) => write!(f, "{} {y}", MONTHS[usize::from(m - 1)]),
            Period::Ongoing => f.write_str("Ongoing"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_the_plan_uses() {
        let cases = [
            ("2028", Period::Year(2028), (2028, 12, 31)),
            ("2028/29", Period::FinancialYear(2028), (2029, 3, 31)),
            ("2099/00", Period::FinancialYear(2099), (2100, 3, 31)),
            ("2020-22", Period::Rolling(2020, 2022), (2022, 12, 31)),
            ("2020-2022", Period::Rolling(2020, 2022), (2022, 12, 31)),
            ("2024/25 Q4", Period::FinancialQuarter(2024, 4), (2025, 3, 31)),
            ("2024/25 Q1", Period::FinancialQuarter(2024, 1), (2024, 6, 30)),
            ("March 2025", Period::Month(2025, 3), (2025, 3, 31)),
            ("february 2024", Period::Month(2024, 2), (2024, 2, 29)),
        ];
        for (text, period, end) in cases {
            assert_eq!(Period::parse(text), Ok(period), "{text}");
            assert_eq!(period.end(), Some(end), "{text}");
        }
        assert_eq!(Period::parse("Ongoing"), Ok(Period::Ongoing));
        assert_eq!(Period::Ongoing.end(), None);
    }

    #[test]
    fn displays_in_the_canonical_form() {
        for text in ["2028", "2028/29", "2020-22", "2024/25 Q3", "March 2025", "Ongoing"] {
            assert_eq!(Period::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn refuses_implausible_years_and_says_why() {
        for text in ["0000", "9999", "9998/99", "2010-00", "1899", "2101", "1800/01 Q1", "March 0001", "2000-2020"] {
            match Period::parse(text) {
                Err(e @ PeriodError::Implausible(_)) => {
                    assert!(e.to_string().contains("years run from 1900 to 2100"), "{text}: {e}")
                }
                other => panic!("{text:?} should be refused as implausible, got {other:?}"),
            }
        }
        for text in ["1900", "2100", "2099/00", "2011-20", "2024/25 Q4"] {
            assert!(Period::parse(text).is_ok(), "{text:?} is plausible");
        }
    }

    #[test]
    fn refuses_what_is_not_a_period() {
        for text in
            ["", "28", "2028/30", "2028/2", "2022-2020", "Smarch 2025", "2024/25 Q5", "2024 Q1", "By 2028", "2028/29x"]
        {
            assert!(Period::parse(text).is_err(), "{text:?} should not parse");
        }
    }
}

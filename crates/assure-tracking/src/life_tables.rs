//! Life expectancy from deaths and populations by age band, as data is imported: rows
//! that give, for an indicator, area and period (and any other breakdown, such as sex),
//! the deaths (numerator, Fingertips' `Count`) and population (denominator) of each of the
//! 20 bands of an abridged life table (the band in the breakdown: `age=85-89 yrs`) become
//! one row per life table with its life expectancy and 95% interval (Chiang II, Silcocks;
//! [`assure_stats::life_expectancy`]). A table the method's rules suppress becomes a row
//! without a value whose note says why, so the gap is visible rather than silently absent.

use std::collections::BTreeMap;

use assure_plan::observation::{Observation, ObservationKey};
use assure_plan::{Diagnostic, Diagnostics};
use assure_stats::{BandDeaths, ConfidenceLevel, LIFE_TABLE_BANDS, LifeExpectancy};

/// The band of an `age=` breakdown, in any of the spellings files use (`0`, `<1 yr`,
/// `1-4 yrs`, `90+ yrs`, `85 to 89`); its index in [`LIFE_TABLE_BANDS`].
pub fn band_index(age: &str) -> Option<usize> {
    let a = age.trim().to_lowercase();
    let a = a.trim_end_matches("years").trim_end_matches("yrs").trim_end_matches("yr").trim();
    let a = a.replace(" to ", "-").replace(' ', "");
    let a = match a.as_str() {
        "<1" | "under1" | "0-0" => "0".to_owned(),
        "90andover" | "90+" => "90+".to_owned(),
        _ => a,
    };
    LIFE_TABLE_BANDS.iter().position(|b| *b == a)
}

/// The breakdown without its age part, and the age part's value.
fn split_age(breakdown: &str) -> (String, Option<&str>) {
    let mut age = None;
    let rest: Vec<&str> = breakdown
        .split("; ")
        .filter(|part| match part.strip_prefix("age=") {
            Some(a) => {
                age = Some(a);
                false
            }
            None => true,
        })
        .collect();
    (rest.join("; "), age)
}

/// One life table being gathered: the line of each band's row.
struct Table {
    bands: [Option<(BandDeaths, u64)>; 20],
    first_line: u64,
    source: Option<String>,
}

/// What [`life_tables`] made of the rows.
#[derive(Debug, Clone)]
pub struct LifeTables {
    /// One row per life table, with its life expectancy (or a note saying why not).
    pub rows: Vec<Observation>,
    /// How many tables were suppressed by the method's rules.
    pub suppressed: u64,
}

/// Life expectancy at the start of band `at` (0: at birth; see [`band_index`]) from rows
/// of deaths and population by band; `file` names the file in problems. A row without
/// deaths or population, an age that is not a band of the table, or a band given twice
/// for the same table is a problem on its line, and then there are no rows.
pub fn life_tables(
    rows: impl IntoIterator<Item = Observation>,
    file: &str,
    at: usize,
) -> Result<LifeTables, Diagnostics> {
    let mut problems = Diagnostics::new();
    let mut tables: BTreeMap<ObservationKey, Table> = BTreeMap::new();
    for o in rows {
        let problem = |field: &str, message: String| Diagnostic::new(file, message).on_line(o.line).in_field(field);
        let (rest, age) = split_age(&o.key.breakdown);
        let Some(age) = age else {
            problems.push(problem(
                "breakdown",
                "no age band: each row of a life table gives one band's deaths and population (age=0, age=1-4 … age=90+)".into(),
            ));
            continue;
        };
        let Some(band) = band_index(age) else {
            problems.push(problem(
                "breakdown",
                format!("'{age}' is not a band of the life table (0, 1-4, 5-9 … 85-89, 90+)"),
            ));
            continue;
        };
        let (Some(deaths), Some(population)) = (o.numerator, o.denominator) else {
            problems.push(problem(
                "count",
                "a life table row needs its deaths (count / numerator) and population (denominator)".into(),
            ));
            continue;
        };
        let key = ObservationKey { breakdown: rest, ..o.key.clone() };
        let table = tables.entry(key).or_insert_with(|| Table { bands: [None; 20], first_line: o.line, source: None });
        if let Some((_, line)) = table.bands[band] {
            problems.push(problem(
                "breakdown",
                format!("age band {} is given twice (also on line {line})", LIFE_TABLE_BANDS[band]),
            ));
            continue;
        }
        table.bands[band] = Some((BandDeaths { deaths, population }, o.line));
        table.source = table.source.take().or(o.source.clone());
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = LifeTables { rows: Vec::with_capacity(tables.len()), suppressed: 0 };
    let levels = [ConfidenceLevel::p95()];
    for (key, table) in tables {
        let bands: Vec<Option<BandDeaths>> = table.bands.iter().map(|b| b.map(|(d, _)| d)).collect();
        let result = assure_stats::life_expectancy(&bands, &levels).map_err(|e| {
            Diagnostics::from(
                Diagnostic::new(file, format!("life table of {} {} {}: {e}", key.indicator, key.area, key.period))
                    .on_line(table.first_line),
            )
        })?;
        let mut row = Observation {
            key,
            value: None,
            lower: None,
            upper: None,
            numerator: None,
            denominator: None,
            note: None,
            source: table.source,
            illustrative: false,
            line: table.first_line,
        };
        let from = if at == 0 {
            "at birth".to_owned()
        } else {
            format!("at age {}", LIFE_TABLE_BANDS[at].trim_end_matches('+').split('-').next().unwrap_or_default())
        };
        match result {
            LifeExpectancy::Table(table) => {
                let e = &table[at];
                row.value = e.value;
                if let Some(i) = e.intervals.first() {
                    row.lower = Some(i.lower);
                    row.upper = Some(i.upper);
                }
                row.note = Some(match &e.note {
                    Some(n) => format!("Life expectancy {from} not given: {n}"),
                    None => {
                        format!("Life expectancy {from}: Chiang II life table of 20 age bands, Silcocks 95% interval")
                    }
                });
                if e.value.is_none() {
                    out.suppressed += 1;
                }
            }
            LifeExpectancy::Suppressed(why) => {
                row.note = Some(format!("Life expectancy {from} not calculated: {why}"));
                out.suppressed += 1;
            }
        }
        out.rows.push(row);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band_rows(area: &str, deaths: impl Fn(usize) -> f64, population: f64) -> Vec<Observation> {
        LIFE_TABLE_BANDS
            .iter()
            .enumerate()
            .map(|(i, b)| Observation {
                key: ObservationKey {
                    indicator: "life-expectancy".into(),
                    area: area.into(),
                    period: "2021 - 23".into(),
                    breakdown: format!("sex=Female; age={b} yrs"),
                },
                value: None,
                lower: None,
                upper: None,
                numerator: Some(deaths(i)),
                denominator: Some(population),
                note: None,
                source: None,
                illustrative: false,
                line: i as u64 + 2,
            })
            .collect()
    }

    /// Deaths rising with age, as a real population's do.
    fn gompertz(i: usize) -> f64 {
        (2.0 * (0.35 * i as f64).exp()).round()
    }

    #[test]
    fn a_table_of_bands_gives_one_row_with_its_interval() {
        let t = life_tables(band_rows("medway", gompertz, 10_000.0), "le.csv", 0).unwrap();
        assert_eq!(t.rows.len(), 1);
        let r = &t.rows[0];
        assert_eq!(r.key.breakdown, "sex=Female", "the age is the table's, not the row's");
        let (v, l, u) = (r.value.unwrap(), r.lower.unwrap(), r.upper.unwrap());
        assert!((40.0..110.0).contains(&v), "{v}");
        assert!(l < v && v < u, "{l} {v} {u}");
        // At 65 the expectation is shorter than at birth.
        let at65 =
            life_tables(band_rows("medway", gompertz, 10_000.0), "le.csv", band_index("65-69").unwrap()).unwrap();
        assert!(at65.rows[0].value.unwrap() < v);
    }

    #[test]
    fn a_suppressed_table_is_a_row_that_says_why() {
        let t = life_tables(band_rows("tiny", |_| 1.0, 200.0), "le.csv", 0).unwrap();
        assert_eq!(t.suppressed, 1);
        assert_eq!(t.rows[0].value, None);
        assert!(t.rows[0].note.as_deref().unwrap().contains("5,000 or fewer"), "{:?}", t.rows[0].note);
    }

    #[test]
    fn bad_rows_are_named_by_line() {
        let mut rows = band_rows("medway", gompertz, 10_000.0);
        rows[3].key.breakdown = "sex=Female; age=3-7 yrs".into();
        rows[5].numerator = None;
        let mut again = rows[7].clone();
        again.line = 99;
        rows.push(again);
        let problems = life_tables(rows, "le.csv", 0).unwrap_err().to_string();
        assert!(problems.contains("le.csv:5: breakdown: '3-7 yrs' is not a band"), "{problems}");
        assert!(problems.contains("le.csv:7: count:"), "{problems}");
        assert!(
            problems.contains("le.csv:99: breakdown: age band 30-34 is given twice (also on line 9)"),
            "{problems}"
        );
    }

    #[test]
    fn bands_are_read_in_the_spellings_files_use() {
        for (age, band) in [("<1 yr", "0"), ("0", "0"), ("1-4 yrs", "1-4"), ("85 to 89", "85-89"), ("90+ yrs", "90+")] {
            assert_eq!(band_index(age).map(|i| LIFE_TABLE_BANDS[i]), Some(band), "{age}");
        }
        assert_eq!(band_index("16+ yrs"), None);
    }
}

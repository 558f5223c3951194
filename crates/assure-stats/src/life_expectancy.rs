//! Life expectancy from an abridged life table (Chiang II) with Silcocks et al.'s
//! confidence intervals, as PHEindicatormethods' `phe_life_expectancy` and PHE's Life
//! Expectancy Calculator.
//!
//! The table has 20 bands: 0, 1–4, 5–9, …, 85–89 and 90+. For band `i` starting at age
//! `xᵢ` and `nᵢ` years wide, with deaths `Dᵢ` and population (person-years) `Pᵢ`:
//!
//! - `Mᵢ = Dᵢ / Pᵢ`; the fraction of the band lived by those who die in it is `aᵢ` = 0.1
//!   in the first year of life and 0.5 elsewhere;
//! - `qᵢ = nᵢMᵢ / (1 + nᵢMᵢ(1 − aᵢ))` (1 if `Dᵢ > Pᵢ / (nᵢaᵢ)`); in 90+, `q = 1`;
//! - survivors `l₀ = 100,000`, `lᵢ₊₁ = lᵢ(1 − qᵢ)`, deaths `dᵢ = lᵢ − lᵢ₊₁`;
//! - years lived `Lᵢ = nᵢ(lᵢ₊₁ + aᵢdᵢ)`, and in 90+ `L = l / M` (Silcocks: the mean
//!   length of survival of those reaching the last band is `1 / M`);
//! - `Tᵢ = Σⱼ≥ᵢ Lⱼ` and life expectancy `eᵢ = Tᵢ / lᵢ`.
//!
//! Its variance (Chiang, with Silcocks et al.'s term for the last band) is
//! `Var(eᵢ) = Σⱼ≥ᵢ Wⱼ / lᵢ²` with `Wⱼ = lⱼ² ((1 − aⱼ)nⱼ + eⱼ₊₁)² Var(qⱼ)`,
//! `Var(qⱼ) = qⱼ²(1 − qⱼ) / Dⱼ` (0 where no one dies), and for 90+ `W = (l / 2)² · 4 / (D M²)`
//! (= `l² Var(1/M)`). Limits are `eᵢ ± z·√Var(eᵢ)`.
//!
//! The package's rules: no life expectancy for a population of 5,000 or fewer, or with a
//! band missing or without population, or with more deaths than population in a band, or
//! no deaths in 90+ (its mean survival `1/M` is infinite). Zero deaths in any other band
//! are fine. A value whose 95% interval is wider than 20 years is suppressed (its limits
//! are still given).

use crate::level::Z_95;
use crate::{ConfidenceLevel, Interval, StatsError, non_negative};

/// The 20 bands of the abridged life table, youngest first.
pub const LIFE_TABLE_BANDS: [&str; 20] = [
    "0", "1-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59",
    "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+",
];

/// The age each band starts at.
const START_AGE: [f64; 20] = [
    0.0, 1.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0, 65.0, 70.0, 75.0, 80.0, 85.0, 90.0,
];

/// Populations of this size or smaller are too small for a robust life expectancy (Toson & Baker 2003).
pub const MIN_LIFE_TABLE_POPULATION: f64 = 5000.0;

/// A value is suppressed when its 95% interval is wider than this many years.
const MAX_INTERVAL_YEARS: f64 = 20.0;

/// One band's deaths and population (person-years).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandDeaths {
    /// Deaths in the band.
    pub deaths: f64,
    /// Population (person-years) in the band.
    pub population: f64,
}

/// Life expectancy at the start of one band.
#[derive(Debug, Clone, PartialEq)]
pub struct LifeExpectancyAt {
    /// The band, e.g. `"65-69"`.
    pub band: &'static str,
    /// Years of life expected at the band's first age; `None` when suppressed (see `note`).
    pub value: Option<f64>,
    /// Intervals in the order of the levels asked for; empty when none can be given.
    pub intervals: Vec<Interval>,
    /// Standard error of the value (Silcocks et al.).
    pub standard_error: f64,
    /// Population of this band and every older band (what the value rests on).
    pub population_used: f64,
    /// Deaths in this band and every older band.
    pub deaths_used: f64,
    /// Why the value or its intervals are not given, when they are not.
    pub note: Option<BandNote>,
}

/// Why one band's life expectancy is not reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BandNote {
    /// The 95% interval is wider than 20 years.
    #[error("95% confidence interval wider than 20 years: value suppressed")]
    WideInterval,
    /// The life table has nobody left at this age (a younger band's deaths exceed what the
    /// table can hold), so there is nothing to expect.
    #[error("no survivors to this age in the life table")]
    NoSurvivors,
}

/// Why no life expectancy is computed for a population.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LifeTableSuppressed {
    /// A band has no row.
    #[error("age band {band} is missing")]
    MissingBand {
        /// The band.
        band: &'static str,
    },
    /// A band's population is zero.
    #[error("age band {band} has no population")]
    ZeroPopulation {
        /// The band.
        band: &'static str,
    },
    /// More deaths than population in a band.
    #[error("age band {band} has more deaths ({deaths}) than population ({population})")]
    DeathsAbovePopulation {
        /// The band.
        band: &'static str,
        /// Its deaths.
        deaths: f64,
        /// Its population.
        population: f64,
    },
    /// Total population too small.
    #[error("total population {0} is 5,000 or fewer")]
    SmallPopulation(f64),
    /// No deaths in 90+, so the last band's mean survival is infinite.
    #[error("no deaths in age band 90+")]
    NoDeathsInLastBand,
}

/// A population's life table result: life expectancy at every band, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum LifeExpectancy {
    /// Life expectancy at the start of each of the 20 bands, youngest first.
    Table(Vec<LifeExpectancyAt>),
    /// Not computed, and why.
    Suppressed(LifeTableSuppressed),
}

/// Life expectancy at every band of an abridged life table (see the module documentation).
///
/// `bands` has one entry per band of [`LIFE_TABLE_BANDS`], in that order; `None` is a
/// band with no data. Negative or non-finite numbers are an error naming the field; the
/// package's suppression rules give [`LifeExpectancy::Suppressed`].
pub fn life_expectancy(bands: &[Option<BandDeaths>], levels: &[ConfidenceLevel]) -> Result<LifeExpectancy, StatsError> {
    const N: usize = LIFE_TABLE_BANDS.len();
    if bands.len() != N {
        return Err(StatsError::WrongBandCount { expected: N, got: bands.len() });
    }
    let mut deaths = [0.0; N];
    let mut population = [0.0; N];
    for (i, b) in bands.iter().enumerate() {
        if let Some(b) = b {
            deaths[i] = non_negative(b.deaths, "deaths")?;
            population[i] = non_negative(b.population, "population")?;
        }
    }
    let suppressed = |s| Ok(LifeExpectancy::Suppressed(s));
    if let Some(i) = bands.iter().position(Option::is_none) {
        return suppressed(LifeTableSuppressed::MissingBand { band: LIFE_TABLE_BANDS[i] });
    }
    if let Some(i) = population.iter().position(|&p| p == 0.0) {
        return suppressed(LifeTableSuppressed::ZeroPopulation { band: LIFE_TABLE_BANDS[i] });
    }
    if let Some(i) = (0..N).find(|&i| deaths[i] > population[i]) {
        let (band, deaths, population) = (LIFE_TABLE_BANDS[i], deaths[i], population[i]);
        return suppressed(LifeTableSuppressed::DeathsAbovePopulation { band, deaths, population });
    }
    let total: f64 = population.iter().sum();
    if total <= MIN_LIFE_TABLE_POPULATION {
        return suppressed(LifeTableSuppressed::SmallPopulation(total));
    }
    if deaths[N - 1] == 0.0 {
        return suppressed(LifeTableSuppressed::NoDeathsInLastBand);
    }

    // The table, band by band.
    let mut m = [0.0; N];
    let mut width = [0.0; N];
    let mut a = [0.5; N];
    let mut q = [0.0; N];
    let mut l = [0.0; N + 1];
    a[0] = 0.1;
    l[0] = 100_000.0;
    for i in 0..N {
        m[i] = deaths[i] / population[i];
        width[i] = if i + 1 < N { START_AGE[i + 1] - START_AGE[i] } else { 2.0 / m[i] };
        q[i] = if deaths[i] <= population[i] / width[i] / a[i] {
            m[i] * width[i] / (1.0 + m[i] * width[i] * (1.0 - a[i]))
        } else {
            1.0
        };
        l[i + 1] = if i + 1 < N { l[i] * (1.0 - q[i]) } else { 0.0 };
    }
    let mut years = [0.0; N];
    for i in 0..N {
        let died = l[i] - l[i + 1];
        years[i] = if i + 1 < N { width[i] * (l[i + 1] + a[i] * died) } else { l[i] / m[i] };
    }
    // Person-years to come and life expectancy, from the oldest band down.
    let mut e = [0.0; N + 1];
    let mut to_come = 0.0;
    for i in (0..N).rev() {
        to_come += years[i];
        e[i] = if l[i] == 0.0 { 0.0 } else { to_come / l[i] };
    }
    // The variance's terms, summed from the oldest band down.
    let mut out = Vec::with_capacity(N);
    let mut weighted = 0.0;
    let (mut population_used, mut deaths_used) = (0.0, 0.0);
    for i in (0..N).rev() {
        let var_q = if i + 1 == N {
            4.0 / (deaths[i] * m[i] * m[i])
        } else if l[i] - l[i + 1] == 0.0 {
            0.0
        } else {
            q[i] * q[i] * (1.0 - q[i]) / deaths[i]
        };
        weighted += if i + 1 == N {
            (l[i] / 2.0).powi(2) * var_q
        } else {
            var_q * l[i] * l[i] * ((1.0 - a[i]) * width[i] + e[i + 1]).powi(2)
        };
        population_used += population[i];
        deaths_used += deaths[i];
        let band = LIFE_TABLE_BANDS[i];
        let at = if l[i] == 0.0 {
            LifeExpectancyAt {
                band,
                value: None,
                intervals: Vec::new(),
                standard_error: f64::NAN,
                population_used,
                deaths_used,
                note: Some(BandNote::NoSurvivors),
            }
        } else {
            let se = (weighted / (l[i] * l[i])).sqrt();
            let wide = 2.0 * Z_95 * se > MAX_INTERVAL_YEARS;
            LifeExpectancyAt {
                band,
                value: (!wide).then_some(e[i]),
                intervals: levels
                    .iter()
                    .map(|lv| Interval { lower: e[i] - lv.z() * se, upper: e[i] + lv.z() * se })
                    .collect(),
                standard_error: se,
                population_used,
                deaths_used,
                note: wide.then_some(BandNote::WideInterval),
            }
        };
        out.push(at);
    }
    out.reverse();
    Ok(LifeExpectancy::Table(out))
}

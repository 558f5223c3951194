//! Fuzz targets run as ordinary tests on the stable toolchain, for a bounded time: the
//! plan loader, the observation and Fingertips CSV readers and the period parser, fed raw
//! bytes and mutations of real inputs (the bundled plan's files; well-formed CSV in both
//! layouts). Each must return, never panic, and every problem a reader reports must name
//! its file and line. The number of cases per target is `PROPTEST_CASES` (by default a
//! few dozen, a few seconds in all); a longer run is `PROPTEST_CASES=20000 cargo test
//! -p assure-plan --test it -- fuzz`.

use assure_plan::{Diagnostic, LoadError, Period, PlanFile, fingertips, observation};
use proptest::prelude::*;

/// `PROPTEST_CASES`, or `default` cases.
fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Bytes a mutation inserts: what delimits, quotes, escapes or breaks these formats.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"'",
    b",",
    b"\n",
    b"\r\n",
    b"=",
    b"[[",
    b"]",
    b"{",
    b"\\u0000",
    b"\\",
    b"\0",
    b"\xff",
    b"\xef\xbb\xbf",
    b"#",
    b"9999",
    b"-1",
    b"1e308",
    b"NaN",
    b"2022/23",
    b"\t",
    b"\xe2\x80\xa8",
];

/// One edit: where (a fraction of the length), what kind, and a byte or token to use.
fn edits() -> impl Strategy<Value = Vec<(u32, u8, u8)>> {
    proptest::collection::vec((any::<u32>(), any::<u8>(), any::<u8>()), 1..8)
}

/// `seed` with `edits` applied: a byte replaced, inserted or deleted, a token inserted,
/// a span repeated, or the rest cut off.
fn mutate(seed: &[u8], edits: &[(u32, u8, u8)]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for &(at, kind, byte) in edits {
        let at = (at as usize) % (bytes.len() + 1);
        match kind % 6 {
            0 if at < bytes.len() => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            2 if at < bytes.len() => {
                bytes.remove(at);
            }
            3 => {
                let token = TOKENS[usize::from(byte) % TOKENS.len()];
                bytes.splice(at..at, token.iter().copied());
            }
            4 => {
                let end = (at + usize::from(byte)).min(bytes.len());
                let span = bytes[at..end].to_vec();
                bytes.splice(at..at, span);
            }
            5 if usize::from(byte) % 8 == 0 => bytes.truncate(at),
            _ => {}
        }
    }
    bytes
}

/// Every problem names its file and line.
fn located<'a>(problems: impl IntoIterator<Item = &'a Diagnostic>, file: &str) -> Result<(), TestCaseError> {
    for p in problems {
        prop_assert!(p.file.ends_with(file) && p.line.is_some(), "a problem without its file and line: {p}");
    }
    Ok(())
}

fn load_plan(files: &[PlanFile], changed: &str) -> Result<(), TestCaseError> {
    match assure_plan::load(files) {
        Ok(_) => Ok(()),
        Err(LoadError::Invalid(problems)) => {
            prop_assert!(!problems.is_empty(), "refused without a problem");
            // A changed file can make references from the others dangle: every problem
            // is located, in whichever file it is.
            for p in &problems {
                prop_assert!(p.line.is_some() && !p.file.is_empty(), "{changed}: a problem without a line: {p}");
            }
            Ok(())
        }
        Err(e) => Err(TestCaseError::fail(format!("{changed}: in memory, no I/O error is possible: {e}"))),
    }
}

const ASSURE_CSV: &str = "indicator,area,period,breakdown,value,lower,upper,numerator,denominator,note,source\n\
smoking-at-time-of-delivery,E54000032,2022/23,,10.2,9.8,10.6,1500,14700,\"a note, quoted\",SATOD\n\
smoking-at-time-of-delivery,E06000035,2023/24,sex:female,8.9,,,,,,\n";

const FINGERTIPS_CSV: &str = "Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,\
Category Type,Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Count,Denominator,Value note\n\
93085,Smoking status at time of delivery,E92000001,England,E54000032,Kent and Medway,ICB,Female,All ages,,,2022/23,10.2,9.8,10.6,1500,14700,\n\
93085,Smoking status at time of delivery,E92000001,England,E92000001,England,England,Female,All ages,,,2022/23,8.8,8.7,8.9,51000,580000,\n";

proptest! {
    #![proptest_config(cases(32))]

    #[test]
    fn the_plan_loader_survives_mutated_plan_files(file in 0usize..11, edits in edits()) {
        let mut files = assure_plan::bundled_files();
        let file = file % files.len();
        let mutated = mutate(files[file].text.as_bytes(), &edits);
        files[file].text = String::from_utf8_lossy(&mutated).into_owned();
        let changed = files[file].name.clone();
        load_plan(&files, &changed)?;
    }

    #[test]
    fn the_plan_loader_survives_a_file_of_random_text(file in 0usize..11, text in "\\PC{0,400}") {
        let mut files = assure_plan::bundled_files();
        let file = file % files.len();
        files[file].text = text;
        let changed = files[file].name.clone();
        load_plan(&files, &changed)?;
    }
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn the_data_readers_survive_mutated_files(assure in any::<bool>(), edits in edits()) {
        let seed = if assure { ASSURE_CSV } else { FINGERTIPS_CSV };
        let bytes = mutate(seed.as_bytes(), &edits);
        if let Err(problems) = fingertips::read_any(&bytes, "data.csv") {
            prop_assert!(problems.total() > 0);
            located(problems.iter(), "data.csv")?;
        }
        if let Err(problems) = observation::read_csv(bytes.as_slice(), "data.csv") {
            located(problems.iter(), "data.csv")?;
        }
        if let Err(problems) = fingertips::read_csv(bytes.as_slice(), "data.csv") {
            located(problems.iter(), "data.csv")?;
        }
    }

    #[test]
    fn the_data_readers_survive_raw_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Err(problems) = fingertips::read_any(&bytes, "data.csv") {
            located(problems.iter(), "data.csv")?;
        }
    }

    #[test]
    fn the_period_parser_survives_any_text(text in "\\PC{0,24}|[0-9/ QMqm-]{0,12}|(19|20|21)[0-9]{2}(/[0-9]{2})?") {
        match Period::parse(&text) {
            Ok(p) => prop_assert_eq!(Period::parse(&p.to_string()).map(|q| q.to_string()).ok(), Some(p.to_string())),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}

//! Cells that are safe to open in a spreadsheet: every CSV Assure writes passes each
//! cell through [`neutralise`], so that a stored note such as `=HYPERLINK(...)` is shown
//! as text, never run as a formula (OWASP's "CSV injection").

use std::borrow::Cow;

/// The cell as written: text that a spreadsheet would read as a formula (it starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, which spreadsheets
/// take to mean "text"; a plain number (`-3.2`, `+1e5`) is left as it is, so that it
/// stays a number. Everything else is unchanged.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !plain_number(cell) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

/// Digits with a sign, a decimal point and an exponent at most: what a spreadsheet reads
/// as a number and nothing else (`-inf` and `-nan` parse as `f64` but are not this).
fn plain_number(cell: &str) -> bool {
    cell.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && cell.bytes().any(|b| b.is_ascii_digit())
        && cell.parse::<f64>().is_ok_and(f64::is_finite)
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formulae_are_text_and_numbers_stay_numbers() {
        let cases = [
            ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
            ("=1+2", "'=1+2"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("-", "'-"),
            ("--5", "'--5"),
            ("-inf", "'-inf"),
            ("-NaN", "'-NaN"),
            ("-1e", "'-1e"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-3.2", "-3.2"),
            ("+4", "+4"),
            ("-1e-5", "-1e-5"),
            ("12.5", "12.5"),
            ("", ""),
            ("Kent", "Kent"),
            ("a=b", "a=b"),
            (" =1", " =1"),
            ("'=1", "'=1"),
            ("2024/25", "2024/25"),
        ];
        for (cell, written) in cases {
            assert_eq!(neutralise(cell), written, "{cell:?}");
        }
    }
}

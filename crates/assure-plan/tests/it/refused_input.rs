//! Input that reads as data but must be refused, and say why (issue 19, defect 9):
//! implausible periods, a column given twice, a file with no rows, another encoding.

use assure_plan::fingertips;

const FT_HEADER: &str = "Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,\
Category Type,Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Count,Denominator,Value note";

fn problems(bytes: &[u8]) -> String {
    fingertips::read_any(bytes, "f.csv").map(|_| ()).unwrap_err().to_string()
}

#[test]
fn implausible_periods_are_refused_with_the_reason() {
    for period in ["0000", "9999", "9998/99", "2010-00"] {
        let csv = format!("indicator,area,period,value\nsmoking-at-time-of-delivery,E54000032,{period},9.1\n");
        let p = problems(csv.as_bytes());
        assert!(p.starts_with("f.csv:2:3:"), "{period}: {p}");
        assert!(p.contains("not a plausible period") && p.contains("1900 to 2100"), "{period}: {p}");
    }
}

#[test]
fn a_fingertips_column_given_twice_is_refused_not_silently_read_from_the_first() {
    let header = format!("{FT_HEADER},Value");
    let csv = format!("{header}\n93085,x,,,E54000032,K&M,ICB,Female,All ages,,,2022/23,10.2,,,,,,12.0\n");
    let p = problems(csv.as_bytes());
    assert!(p.contains("column 'Value' appears twice (columns 13 and 19)"), "{p}");
    assert!(p.starts_with("f.csv:1:19:"), "{p}");
}

#[test]
fn a_file_with_a_header_and_no_rows_is_refused() {
    for csv in ["indicator,area,period,value\n".to_owned(), format!("{FT_HEADER}\n")] {
        let p = problems(csv.as_bytes());
        assert!(p.contains("has a header but no rows"), "{p}");
        assert!(p.starts_with("f.csv:2:"), "{p}");
    }
}

#[test]
fn another_encoding_is_named_instead_of_read_as_garbled_columns() {
    let text = "indicator,area,period,value\nsmoking-at-time-of-delivery,E54000032,2023/24,9.1\n";
    let utf16le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let utf16be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let p = problems(&utf16le);
    assert!(p.contains("UTF-16 (little-endian)") && p.contains("not UTF-8"), "{p}");
    assert_eq!(p.lines().count(), 1, "one problem, not one per garbled column: {p}");
    assert!(problems(&utf16be).contains("UTF-16 (big-endian)"));
    // UTF-8, with or without a byte-order mark, reads.
    assert!(fingertips::read_any(text.as_bytes(), "f.csv").is_ok());
    let bom: Vec<u8> = [0xEF, 0xBB, 0xBF].iter().copied().chain(text.bytes()).collect();
    assert!(fingertips::read_any(&bom, "f.csv").is_ok());
}

/// Text is validated the same way whichever database stores it (issue 19, defect 7):
/// no control characters, bounded lengths, and a bad cell quoted only in part.
#[test]
fn control_characters_and_oversized_cells_are_refused_with_a_bounded_message() {
    let nul = "indicator,area,period,value,note\nsmoking-at-time-of-delivery,E54000032,2023/24,9.1,a\u{0}b\n";
    let p = problems(nul.as_bytes());
    assert!(p.starts_with("f.csv:2:5: note:") && p.contains("control character U+0000"), "{p}");

    let huge = "x".repeat(1_000_000);
    let csv =
        format!("indicator,area,period,breakdown,value\nsmoking-at-time-of-delivery,E54000032,2023/24,{huge},9.1\n");
    let p = problems(csv.as_bytes());
    assert!(p.contains("breakdown: is 1000000 characters long; this column takes at most 200"), "{p}");
    assert!(p.len() < 300, "the message quotes no more than a bounded excerpt ({} bytes)", p.len());

    // A note may run to 2,000 characters, over several lines.
    let note = format!("line one\n{}", "y".repeat(1990));
    let csv =
        format!("indicator,area,period,value,note\nsmoking-at-time-of-delivery,E54000032,2023/24,9.1,\"{note}\"\n");
    assert!(fingertips::read_any(csv.as_bytes(), "f.csv").is_ok());
}

#[test]
fn an_update_with_a_control_character_or_too_long_is_refused_by_field() {
    use assure_plan::delivery::UpdateFields;
    let fields = |narrative: &str, evidence: Vec<String>| UpdateFields {
        status: "on_track".into(),
        narrative: narrative.into(),
        evidence,
        ..Default::default()
    };
    let refused = |f: UpdateFields| {
        f.draft().unwrap_err().into_iter().map(|(field, m)| format!("{field}: {m}")).collect::<Vec<_>>()
    };
    let p = refused(fields("Going well\u{0}", vec![]));
    assert!(p.iter().any(|m| m.starts_with("narrative: Remove the control character U+0000")), "{p:?}");
    let p = refused(fields(&"z".repeat(5001), vec![]));
    assert!(p.iter().any(|m| m.contains("at most 5000 characters (it has 5001)")), "{p:?}");
    let p = refused(fields("ok", (0..21).map(|i| format!("https://example.org/{i}")).collect()));
    assert!(p.iter().any(|m| m == "evidence: Give at most 20 links"), "{p:?}");
    assert!(fields("Two lines\nof narrative\twith a tab", vec![]).draft().is_ok());
}

//! The HTML of a report: the text of the data escaped, nothing awaiting approval shown.

use assure_report::annual::annual;
use assure_report::html::render;

use crate::fixture::{FIXTURE, MARKUP_NARRATIVE, PENDING_NARRATIVE};

#[test]
fn text_is_escaped_and_the_document_has_no_script() {
    let f = &*FIXTURE;
    let inputs = f.inputs();
    let mut before = inputs.snapshot();
    before.at = f.previous_at.clone();
    let (report, _) = annual(&inputs, Some(&before));
    let html = render(&report);
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..40]);
    // The narrative is in the milestone table and in the updates published since.
    let escaped = r#"Drafting continues &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; with partners \ employers"#;
    assert!(MARKUP_NARRATIVE.contains("<script>"));
    assert_eq!(html.matches(escaped).count(), 2, "the narrative, escaped, twice");
    assert!(!html.contains("<script"), "a report has no script, and data never becomes one");
    assert!(!html.contains(PENDING_NARRATIVE), "an update awaiting approval is not public");
    assert!(html.contains("Illustrative data, not official statistics"));
    assert!(!html.contains("\"></span>"), "a tag with nothing in it (no flags is an empty cell)");
    // Every section is a landmark with its heading, listed in the contents.
    for (i, s) in report.sections.iter().enumerate() {
        let heading = s.heading.replace('&', "&amp;");
        assert!(html.contains(&format!("<h2 id=\"s{i}\">{heading}</h2>")), "{heading}");
        assert!(html.contains(&format!("<a href=\"#s{i}\">{heading}</a>")), "{heading}");
    }
}

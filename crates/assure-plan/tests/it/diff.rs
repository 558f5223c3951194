//! Diffs between two versions of a plan.

use assure_plan::diff::{ChangeKind, diff};

fn bundled_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in assure_plan::bundled_files() {
        let name = std::path::Path::new(&f.name).file_name().unwrap();
        std::fs::write(dir.path().join(name), f.text).unwrap();
    }
    dir
}

fn edit(dir: &tempfile::TempDir, file: &str, from: &str, to: &str) {
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from} not in {file}");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn a_plan_does_not_differ_from_itself_even_renumbered() {
    let a = assure_plan::bundled().unwrap();
    let dir = bundled_copy();
    // A new edition of the document moves every line; that alone is no change.
    for file in assure_plan::PLAN_FILES {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let shifted: String = text
            .lines()
            .map(|l| match l.trim_start().strip_prefix("line = ") {
                Some(n) => l.replace(&format!("line = {n}"), &format!("line = {}", n.parse::<u32>().unwrap() + 1000)),
                None => l.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(&path, shifted).unwrap();
    }
    let b = assure_plan::load_dir(dir.path()).unwrap();
    assert_eq!(diff(&a, &b).changes, vec![]);
}

#[test]
fn added_removed_and_changed_items_are_reported_field_by_field() {
    let a = assure_plan::bundled().unwrap();
    let dir = bundled_copy();
    edit(
        &dir,
        "indicators.toml",
        "kind = \"at_most\"\nvalue = 6.0\nby = \"2028/29\"",
        "kind = \"at_most\"\nvalue = 5.0\nby = \"2030/31\"",
    );
    edit(&dir, "delivering_plans.toml", "name = \"Sports Strategy\"", "name = \"Medway Sports Strategy\"");
    edit(
        &dir,
        "commitments.toml",
        "  [[commitment.link]]\n  line = 216\n",
        "  [[commitment.link]]\n  line = 216\n  # moved\n",
    );
    // Remove the second row of the self-harm table (two rows there name the same strategy).
    let path = dir.path().join("commitments.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("  [[commitment.link]]\n  line = 1047\n").expect("row 1047");
    let end = start + text[start..].find("\n\n").unwrap() + 2;
    std::fs::write(&path, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let b = assure_plan::load_dir(dir.path()).unwrap();
    let d = diff(&a, &b);
    let find = |item: &str, id: &str| d.changes.iter().find(|c| c.item == item && c.id == id);
    let target = find("indicator", "smoking-at-time-of-delivery").expect("target change");
    assert_eq!(target.kind, ChangeKind::Changed);
    assert_eq!(target.fields.len(), 1);
    assert_eq!(target.fields[0].field, "target");
    assert_eq!(target.fields[0].after["value"], 5.0);
    let renamed = find("delivering plan", "sports-strategy").expect("renamed plan");
    assert_eq!(renamed.fields[0].field, "name");
    let removed = find("delivery link", "reduce-self-harm-suicide → km-suicide-prevention-strategy #2")
        .expect("the repeated row");
    assert_eq!(removed.kind, ChangeKind::Removed);
    assert_eq!(d.counts(), (0, 1, 2), "{:#?}", d.changes);
}

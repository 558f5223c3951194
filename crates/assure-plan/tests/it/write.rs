//! Writing a plan as files and reading it back loses nothing.

use assure_plan::{bundled, load, to_files, write_dir};

#[test]
fn written_files_load_back_to_the_same_plan_and_write_the_same_bytes() {
    let plan = bundled().expect("bundled plan loads");
    let files = to_files(&plan).expect("plan writes");
    let names: Vec<_> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, assure_plan::PLAN_FILES);
    let again = load(&files).unwrap_or_else(|e| panic!("written plan does not load:\n{e}"));
    assert_eq!(serde_json::to_value(&plan).unwrap(), serde_json::to_value(&again).unwrap());
    assert!(assure_plan::diff::diff(&plan, &again).changes.is_empty());
    let files_again = to_files(&again).unwrap();
    for (a, b) in files.iter().zip(&files_again) {
        assert_eq!(a.text, b.text, "{} differs on the second write", a.name);
    }
}

#[test]
fn write_dir_creates_the_directory_and_check_accepts_it() {
    let plan = bundled().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("nested/plan");
    write_dir(&plan, &target).unwrap();
    let loaded = assure_plan::load_dir(&target).unwrap();
    assert_eq!(loaded.commitments.len(), plan.commitments.len());
    assert_eq!(loaded.meta.id.get_ref(), "kent-and-medway-2024-26");
}

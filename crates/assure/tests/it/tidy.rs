//! House rules that can be checked: module docs, no debugging leftovers, crate boundaries.

use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "target" && n != "node_modules") {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_rust_file_starts_with_a_module_doc_and_has_no_leftovers() {
    let mut files = Vec::new();
    rust_files(&workspace_root().join("crates"), &mut files);
    assert!(files.len() > 5);
    // Built from pieces so that this file does not trip its own check.
    let banned = [concat!("dbg", "!("), concat!("todo", "!("), concat!("#[", "ignore"), concat!("unimplemented", "!(")];
    let mut problems = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        if !text.starts_with("//!") {
            problems.push(format!("{}: does not start with a //! doc line", f.display()));
        }
        for b in banned {
            if text.contains(b) {
                problems.push(format!("{}: contains {b}", f.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn crate_boundaries_hold() {
    let meta = cargo_metadata::MetadataCommand::new()
        .manifest_path(workspace_root().join("Cargo.toml"))
        .no_deps()
        .exec()
        .unwrap();
    // Which normal dependencies each workspace crate may not have.
    let forbidden: &[(&str, &[&str])] = &[
        // The domain knows no SQL, HTTP, async runtime or command line.
        (
            "assure-plan",
            &["sqlx", "rusqlite", "postgres", "tokio-postgres", "diesel", "axum", "hyper", "tokio", "clap", "anyhow"],
        ),
        // Tracking is pure domain logic over the plan and the statistics: no storage, HTTP or runtime.
        (
            "assure-tracking",
            &["assure-store", "assure-web", "sqlx", "rusqlite", "postgres", "axum", "hyper", "tokio", "clap", "anyhow"],
        ),
        // Reports are built and typeset from data handed in: no storage, HTTP or runtime.
        (
            "assure-report",
            &["assure-store", "assure-web", "sqlx", "rusqlite", "postgres", "axum", "hyper", "tokio", "clap", "anyhow"],
        ),
        // Statistics are pure: no I/O stacks and nothing else from the workspace.
        ("assure-stats", &["assure-plan", "assure-store", "assure-web", "sqlx", "axum", "tokio"]),
        // Only the store knows SQL; it knows no HTTP.
        ("assure-web", &["sqlx", "rusqlite", "postgres", "tokio-postgres", "diesel", "r2d2_sqlite", "r2d2_postgres"]),
        // The binary reaches the database only through assure-store, and HTTP only through assure-web.
        (
            "assure",
            &[
                "sqlx",
                "rusqlite",
                "postgres",
                "tokio-postgres",
                "diesel",
                "r2d2_sqlite",
                "r2d2_postgres",
                "axum",
                "hyper",
            ],
        ),
        ("assure-store", &["axum", "hyper", "clap"]),
    ];
    let mut seen = 0;
    for pkg in &meta.packages {
        if let Some((_, banned)) = forbidden.iter().find(|(n, _)| *n == pkg.name.as_str()) {
            seen += 1;
            for dep in pkg.dependencies.iter().filter(|d| d.kind == cargo_metadata::DependencyKind::Normal) {
                assert!(!banned.contains(&dep.name.as_str()), "{} must not depend on {}", pkg.name, dep.name);
            }
        }
    }
    assert!(seen >= 7, "every crate of the workspace was not checked");
    // The statistics crate is pure: it may use exactly these.
    let stats =
        meta.packages.iter().find(|p| p.name.as_str() == "assure-stats").expect("assure-stats is in the workspace");
    for dep in stats.dependencies.iter().filter(|d| d.kind == cargo_metadata::DependencyKind::Normal) {
        assert!(
            ["statrs", "thiserror"].contains(&dep.name.as_str()),
            "assure-stats must stay pure; it depends on {}",
            dep.name
        );
    }
    // Library crates use thiserror for their errors; only the binary uses anyhow.
    for pkg in meta.packages.iter().filter(|p| p.name.as_str() != "assure") {
        assert!(
            !pkg.dependencies.iter().any(|d| d.name == "anyhow" && d.kind == cargo_metadata::DependencyKind::Normal),
            "{} uses anyhow",
            pkg.name
        );
    }
}

#[test]
fn only_the_store_contains_sql() {
    let mut files = Vec::new();
    rust_files(&workspace_root().join("crates"), &mut files);
    for f in files {
        let rel = f.strip_prefix(workspace_root()).unwrap().to_string_lossy().replace('\\', "/");
        if rel.starts_with("crates/assure-store/") || !rel.contains("/src/") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for sql in ["CREATE TABLE", "INSERT INTO", "SELECT ", "DELETE FROM", "UPDATE "] {
            assert!(!text.contains(sql), "{rel} contains SQL ({sql:?}); SQL belongs in assure-store");
        }
    }
}

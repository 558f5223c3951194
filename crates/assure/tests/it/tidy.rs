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
            ["statrs", "thiserror", "rand"].contains(&dep.name.as_str()),
            "assure-stats must stay pure; it depends on {}",
            dep.name
        );
        // rand only for a seeded generator (the SII's simulation): never the OS's entropy.
        if dep.name == "rand" {
            assert!(!dep.uses_default_features, "assure-stats uses rand without its default (OS-seeded) features");
            assert!(!dep.features.iter().any(|f| f.contains("sys_rng") || f.contains("thread_rng")));
        }
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

/// The layers of `assure-web`, bottom to top; a module may import only from layers below
/// it (and its own). `routes/*` and `api/*` are both on top, as siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum WebLayer {
    Error,
    State,
    Access,
    Components,
    Routes,
    Api,
}

/// The layer of a file of `crates/assure-web/src` (by its path there), `None` for the
/// files that assemble the layers (lib.rs, middleware, assets, test support).
fn web_layer(rel: &str) -> Option<WebLayer> {
    match rel {
        "error.rs" => Some(WebLayer::Error),
        "state.rs" => Some(WebLayer::State),
        "access.rs" => Some(WebLayer::Access),
        _ if rel.starts_with("components/") => Some(WebLayer::Components),
        _ if rel.starts_with("routes/") => Some(WebLayer::Routes),
        _ if rel.starts_with("api/") => Some(WebLayer::Api),
        _ => None,
    }
}

/// The layer a `crate::NAME` path reaches (names re-exported at the crate root count as
/// the module that defines them); `None` for what is not one of the layers.
fn layer_of_crate_item(name: &str) -> Option<WebLayer> {
    match name {
        "error" | "WebError" => Some(WebLayer::Error),
        "state" | "AppState" => Some(WebLayer::State),
        "access" => Some(WebLayer::Access),
        "components" => Some(WebLayer::Components),
        "routes" => Some(WebLayer::Routes),
        "api" | "openapi" => Some(WebLayer::Api),
        _ => None,
    }
}

/// Every path in `text` (`a::b::c`, with `{…}` groups expanded), with its line number.
/// Line comments are skipped.
fn rust_paths(text: &str) -> Vec<(usize, Vec<String>)> {
    #[derive(PartialEq)]
    enum Tok {
        Ident(String),
        Colons,
        Open,
        Close,
        Comma,
        Star,
        Other,
    }
    let mut toks = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.find("//").map_or(line, |i| &line[..i]);
        let chars: Vec<char> = code.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_alphanumeric() || c == '_' {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                toks.push((n + 1, Tok::Ident(chars[start..i].iter().collect())));
                continue;
            }
            let t = match c {
                ':' if chars.get(i + 1) == Some(&':') => {
                    i += 1;
                    Tok::Colons
                }
                '{' => Tok::Open,
                '}' => Tok::Close,
                ',' => Tok::Comma,
                '*' => Tok::Star,
                c if c.is_whitespace() => {
                    i += 1;
                    continue;
                }
                _ => Tok::Other,
            };
            toks.push((n + 1, t));
            i += 1;
        }
    }
    // A path starts at an identifier not preceded by `::`.
    fn path(toks: &[(usize, Tok)], mut i: usize, prefix: Vec<String>, out: &mut Vec<(usize, Vec<String>)>) -> usize {
        let line = toks.get(i).map_or(0, |t| t.0);
        let mut segs = prefix;
        loop {
            match toks.get(i).map(|t| &t.1) {
                Some(Tok::Ident(s)) => segs.push(s.clone()),
                Some(Tok::Star) => segs.push("*".into()),
                Some(Tok::Open) => {
                    // A group: each item a path with this prefix.
                    i += 1;
                    while i < toks.len() && toks[i].1 != Tok::Close {
                        if toks[i].1 == Tok::Comma {
                            i += 1;
                            continue;
                        }
                        if toks[i].1 == Tok::Ident("as".into()) {
                            // `self as x`: the alias is not a path.
                            i += 2;
                            continue;
                        }
                        i = path(toks, i, segs.clone(), out);
                    }
                    return i + 1;
                }
                _ => break,
            }
            i += 1;
            if toks.get(i).map(|t| &t.1) != Some(&Tok::Colons) {
                break;
            }
            i += 1;
        }
        out.push((line, segs));
        i
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let after_colons = i > 0 && toks[i - 1].1 == Tok::Colons;
        if matches!(toks[i].1, Tok::Ident(_)) && !after_colons {
            let mut found = Vec::new();
            let next = path(&toks, i, Vec::new(), &mut found);
            out.extend(found.into_iter().filter(|(_, p)| p.len() > 1));
            i = next.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Where a file of `crates/assure-web/src` (`rel`, its path there) imports against the
/// layering: error → state → access → components → routes/* and api/*, siblings that
/// never import each other; a route module never reaches another route module.
fn layering_violations(rel: &str, text: &str, route_modules: &[String]) -> Vec<String> {
    let Some(layer) = web_layer(rel) else { return Vec::new() };
    let route_module = rel.strip_prefix("routes/").and_then(|m| m.strip_suffix(".rs")).filter(|m| *m != "mod");
    // Paths inside a file's own test module (`mod tests { use super::* }`) are its own.
    let tests_from = text.lines().position(|l| l.trim_start().starts_with("mod tests")).map_or(usize::MAX, |n| n + 1);
    let mut problems = Vec::new();
    for (line, segs) in rust_paths(text) {
        let shown = segs.join("::");
        let mut refuse = |why: &str| problems.push(format!("crates/assure-web/src/{rel}:{line}: {shown}: {why}"));
        match segs[0].as_str() {
            "crate" => {
                let Some(to) = layer_of_crate_item(&segs[1]) else { continue };
                let allowed = match layer {
                    WebLayer::Error => false,
                    WebLayer::State => to == WebLayer::Error,
                    WebLayer::Access => to <= WebLayer::State,
                    WebLayer::Components => to <= WebLayer::Components,
                    WebLayer::Routes => {
                        to <= WebLayer::Components || (route_module.is_none() && to == WebLayer::Routes)
                    }
                    WebLayer::Api => to <= WebLayer::Components || to == WebLayer::Api,
                };
                if !allowed && to != layer {
                    refuse(&format!("{layer:?} may not import {to:?}"));
                } else if !allowed {
                    refuse("a route module may not import another route module");
                }
            }
            "super" if route_module.is_some() && line < tests_from => {
                refuse("a route module may not import from routes/mod.rs or another route module")
            }
            "api" if layer == WebLayer::Routes => refuse("routes may not import the API"),
            "routes" if layer == WebLayer::Api => refuse("the API may not import routes"),
            first if route_module.is_some_and(|m| m != first) && route_modules.iter().any(|m| m == first) => {
                refuse("a route module may not import another route module")
            }
            _ => {}
        }
    }
    problems
}

#[test]
fn web_modules_import_only_downward() {
    let src = workspace_root().join("crates/assure-web/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let rel = |f: &Path| f.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
    let route_modules: Vec<String> = files
        .iter()
        .filter_map(|f| rel(f).strip_prefix("routes/").and_then(|m| m.strip_suffix(".rs")).map(str::to_owned))
        .filter(|m| m != "mod")
        .collect();
    assert!(route_modules.len() > 10, "the route modules were not found: {route_modules:?}");
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    for f in &files {
        let rel = rel(f);
        if let Some(layer) = web_layer(&rel) {
            checked.push(layer);
        }
        problems.extend(layering_violations(&rel, &std::fs::read_to_string(f).unwrap(), &route_modules));
    }
    for layer in
        [WebLayer::Error, WebLayer::State, WebLayer::Access, WebLayer::Components, WebLayer::Routes, WebLayer::Api]
    {
        assert!(checked.contains(&layer), "no file of the {layer:?} layer was found");
    }
    assert!(problems.is_empty(), "assure-web imports against its layers:\n{}", problems.join("\n"));
}

#[test]
fn the_layering_check_finds_each_kind_of_upward_import() {
    let routes = vec!["updates".to_owned(), "plans".to_owned()];
    let refused = |rel: &str, text: &str| !layering_violations(rel, text, &routes).is_empty();
    // Each forbidden import is found, however it is written.
    assert!(refused("routes/plans.rs", "use crate::api::ApiError;"));
    assert!(refused("routes/plans.rs", "use crate::{AppState, api::types::Page};"));
    assert!(refused("routes/plans.rs", "let x = api::routes();"));
    assert!(refused("api/handlers.rs", "use crate::routes::updates::draft;"));
    assert!(refused("api/handlers.rs", "use crate::{\n    AppState,\n    routes::{draft, record_update},\n};"));
    assert!(refused("routes/plans.rs", "use super::updates::delivery_tag;"));
    assert!(refused("routes/plans.rs", "use super::{crumb, page};"));
    assert!(refused("routes/plans.rs", "use crate::routes::updates::item_href;"));
    assert!(refused("routes/plans.rs", "    (updates::item_href(kind, id))"));
    assert!(refused("components/links.rs", "use crate::routes::reports;"));
    assert!(refused("components/links.rs", "use crate::api::ErrorResponse;"));
    assert!(refused("access.rs", "use crate::components::page;"));
    assert!(refused("access.rs", "let body = crate::api::ApiError::bad(f, d);"));
    assert!(refused("error.rs", "use crate::access::Signed;"));
    assert!(refused("error.rs", "use crate::components::page;"));
    assert!(refused("state.rs", "use crate::access::current;"));
    assert!(refused("state.rs", "use crate::routes;"));
    let errors = layering_violations("routes/plans.rs", "use crate::api::X;\n\nuse super::page;", &routes);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("crates/assure-web/src/routes/plans.rs:1: crate::api::X"), "{errors:?}");
    assert!(errors[1].starts_with("crates/assure-web/src/routes/plans.rs:3: super::page"), "{errors:?}");
    // What the layers allow is not refused.
    assert!(!refused("routes/plans.rs", "use crate::components::{crumb, page};\nuse crate::{AppState, WebError};"));
    assert!(!refused("routes/mod.rs", "Router::new().route(\"/plans\", get(plans::list_plans))"));
    assert!(!refused("components/delivery.rs", "use super::{organisation_list, tag};\nuse crate::access;"));
    assert!(!refused("access.rs", "use crate::{AppState, WebError};\nmod tests {\n    use super::client_address;\n}"));
    assert!(!refused("api/handlers.rs", "use super::types::*;\nuse crate::access::Signed;"));
    assert!(!refused("state.rs", "use crate::error::WebError;"));
    assert!(!refused("routes/plans.rs", "// see crate::api for the JSON\nuse assure_app::AppError;"));
}

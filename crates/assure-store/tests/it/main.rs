//! The store's test suite, run against every database: an SQLite file, and PostgreSQL
//! (a fresh schema per test). See `assure_store::testing`.

mod accounts;
mod archive;
mod audit;
mod backup;
mod changes;
mod drafts;
mod observations;
mod plans;
mod schema;
mod sessions;
mod settings;
mod updates;

pub use assure_store::testing::{TestDb, databases, postgres_available};

/// The bundled plan.
pub fn bundled() -> assure_plan::Plan {
    assure_plan::bundled().expect("bundled plan loads")
}

/// The bundled plan under another id (a second plan version).
pub fn bundled_as(id: &str) -> assure_plan::Plan {
    let mut p = bundled();
    p.meta.id = toml::Spanned::new(0..0, id.to_owned());
    p
}

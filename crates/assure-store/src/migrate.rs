//! Schema migrations, one SQL file per step and backend, embedded in the binary.
//!
//! Applied in one transaction under a lock (PostgreSQL advisory lock, SQLite's write
//! lock), so two processes starting together on one database apply each step once.
//! A released migration is never edited: each applied step's checksum is recorded and
//! checked at every start.

use crate::StoreError;
use crate::sql::{BackendKind, Tx, Value};

/// One step of the schema.
pub struct Migration {
    /// Its number, from 1, in order.
    pub version: i64,
    /// Its name (the file name without number and extension).
    pub name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

macro_rules! migrations {
    ($(($number:literal, $version:literal, $name:literal)),* $(,)?) => {
        &[$(Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $number, "_", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $number, "_", $name, ".sql")),
        }),*]
    };
}

/// Every migration, in order.
pub const MIGRATIONS: &[Migration] = migrations![
    ("0001", 1, "plans"),
    ("0002", 2, "observations"),
    ("0003", 3, "audit"),
    ("0004", 4, "tracking"),
    ("0005", 5, "workflow"),
    ("0006", 6, "reports"),
    ("0007", 7, "archive"),
    ("0008", 8, "jobs"),
    ("0009", 9, "voice"),
    ("0010", 10, "cycle"),
    ("0011", 11, "reminders"),
    ("0012", 12, "committees"),
    ("0013", 13, "plan_versions"),
    ("0014", 14, "area_aliases"),
    ("0015", 15, "fingertips_sources"),
    ("0016", 16, "plan_content_revision"),
];

impl Migration {
    /// The SQL of this step for one backend.
    pub fn sql(&self, backend: BackendKind) -> &'static str {
        match backend {
            BackendKind::Sqlite => self.sqlite,
            BackendKind::Postgres => self.postgres,
        }
    }
}

/// What a run of the migrations did.
#[derive(Debug, Clone, Default)]
pub struct MigrationReport {
    /// Steps applied by this run, by version and name.
    pub applied: Vec<(i64, &'static str)>,
    /// The schema version after the run.
    pub version: i64,
}

impl MigrationReport {
    /// Whether this run created the schema from nothing (a new database).
    pub fn created(&self) -> bool {
        self.applied.first().is_some_and(|(v, _)| *v == 1)
    }
}

/// FNV-1a, 64 bits: enough to notice that a released migration was edited.
fn checksum(sql: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in sql.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

pub(crate) fn run(tx: &mut Tx<'_>) -> Result<MigrationReport, StoreError> {
    let backend = tx.kind();
    if backend == BackendKind::Postgres {
        // Serialise concurrent starts; released at the end of the transaction.
        tx.query("SELECT pg_advisory_xact_lock(4242001)", &[])?;
    }
    tx.batch(
        "CREATE TABLE IF NOT EXISTS schema_migration (
            version    BIGINT NOT NULL PRIMARY KEY,
            name       TEXT NOT NULL,
            checksum   TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )",
    )?;
    let applied =
        tx.rows("schema_migration", "SELECT version, name, checksum FROM schema_migration ORDER BY version", &[])?;
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    let mut report = MigrationReport::default();
    for row in &applied {
        let version = row.int(0)?;
        let Some(m) = MIGRATIONS.iter().find(|m| m.version == version) else {
            return Err(StoreError::Migration(format!(
                "the database is at schema version {version}, newer than this assure (which knows up to {known}); \
                 use a newer assure"
            )));
        };
        if row.text(2)? != checksum(m.sql(backend)) {
            return Err(StoreError::Migration(format!(
                "migration {version} ({}) differs from the one applied to this database; released migrations \
                 must not be edited",
                m.name
            )));
        }
        report.version = version;
    }
    let current = report.version;
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        tx.batch(m.sql(backend))
            .map_err(|e| StoreError::Migration(format!("migration {} ({}) failed: {e}", m.version, m.name)))?;
        tx.execute(
            "INSERT INTO schema_migration (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
            &[Value::Int(m.version), m.name.into(), checksum(m.sql(backend)).into(), crate::now().into()],
        )?;
        report.applied.push((m.version, m.name));
        report.version = m.version;
    }
    Ok(report)
}

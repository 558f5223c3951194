//! Test support, for this crate's tests and the binary's (feature `testing`): a fresh
//! database per test on every backend available. PostgreSQL is at `DATABASE_URL` or
//! 127.0.0.1:5432; when it cannot be reached the tests say so loudly and run on SQLite
//! alone, except under `CI=true`, where that is a failure.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::{DatabaseUrl, Store};
use r2d2_postgres::postgres;

/// The PostgreSQL server the tests use.
pub fn postgres_url() -> String {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Whether PostgreSQL is reachable; if not, say so, and fail under CI.
pub fn postgres_available() -> bool {
    static WARNED: std::sync::Once = std::sync::Once::new();
    match postgres::Client::connect(&postgres_url(), postgres::NoTls) {
        Ok(_) => true,
        Err(e) => {
            let message = format!(
                "PostgreSQL at {} is not reachable ({e}); the PostgreSQL half of the store tests is SKIPPED",
                postgres_url()
            );
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{message}, and CI=true requires it");
            }
            WARNED.call_once(|| {
                use std::io::Write;
                let _ = writeln!(std::io::stderr(), "\n*** WARNING: {message} ***\n");
            });
            false
        }
    }
}

/// A database for one test, removed when dropped.
pub struct TestDb {
    /// Where it is.
    pub url: DatabaseUrl,
    /// `sqlite` or `postgres`, for messages.
    pub name: &'static str,
    _dir: Option<tempfile::TempDir>,
    schema: Option<String>,
}

impl TestDb {
    /// A new SQLite file in a temporary directory.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        TestDb { url: DatabaseUrl::Sqlite(dir.path().join("assure.db")), name: "sqlite", _dir: Some(dir), schema: None }
    }

    /// A new, empty PostgreSQL schema.
    pub fn postgres() -> TestDb {
        static N: AtomicU32 = AtomicU32::new(0);
        let schema = format!("assure_test_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        let mut client = postgres::Client::connect(&postgres_url(), postgres::NoTls).unwrap();
        client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")).unwrap();
        let sep = if postgres_url().contains('?') { '&' } else { '?' };
        let url = format!("{}{sep}options=-c%20search_path%3D{schema}", postgres_url());
        TestDb { url: DatabaseUrl::Postgres(url), name: "postgres", _dir: None, schema: Some(schema) }
    }

    /// The database as `--database` takes it.
    pub fn arg(&self) -> String {
        match &self.url {
            DatabaseUrl::Sqlite(p) => format!("sqlite:{}", p.display()),
            DatabaseUrl::Postgres(u) => u.clone(),
        }
    }

    /// Open it as a store (applying migrations).
    pub fn open(&self) -> Store {
        Store::open(&self.url).unwrap_or_else(|e| panic!("{}: {e}", self.name)).0
    }

    /// Run raw SQL on the database, bypassing the store (to prove what the store forbids).
    pub fn raw_sql(&self, sql: &str) -> Result<(), String> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let c = r2d2_sqlite::rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
                c.execute_batch(sql).map_err(|e| e.to_string())
            }
            DatabaseUrl::Postgres(url) => {
                let mut c = postgres::Client::connect(url, postgres::NoTls).map_err(|e| e.to_string())?;
                c.batch_execute(sql).map_err(|e| e.as_db_error().map_or(e.to_string(), |d| d.message().to_owned()))
            }
        }
    }
}

impl TestDb {
    /// The tables (of every table in the schema, the audit log included) with a row in
    /// which any column, read as text, contains `needle`: to prove that something is
    /// stored nowhere.
    pub fn tables_containing(&self, needle: &str) -> Vec<String> {
        let tables = self.open().schema().unwrap();
        let pattern = format!("%{}%", needle.replace('\'', "''"));
        let mut found = Vec::new();
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let c = r2d2_sqlite::rusqlite::Connection::open(path).unwrap();
                for (table, columns) in &tables {
                    let any = columns
                        .iter()
                        .map(|col| format!("CAST(\"{col}\" AS TEXT) LIKE '{pattern}'"))
                        .collect::<Vec<_>>();
                    let sql = format!("SELECT COUNT(*) FROM \"{table}\" WHERE {}", any.join(" OR "));
                    let n: i64 = c.query_row(&sql, [], |r| r.get(0)).unwrap();
                    if n > 0 {
                        found.push(table.clone());
                    }
                }
            }
            DatabaseUrl::Postgres(url) => {
                let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
                for (table, _) in &tables {
                    let sql = format!("SELECT COUNT(*) FROM \"{table}\" t WHERE t::text LIKE '{pattern}'");
                    let n: i64 = c.query_one(&sql, &[]).unwrap().get(0);
                    if n > 0 {
                        found.push(table.clone());
                    }
                }
            }
        }
        found
    }

    /// Whether another process is writing observation rows into this database right now:
    /// on SQLite, the write-ahead log has grown past 1 MB (rows are going in); on
    /// PostgreSQL, a transaction holds the row-writing lock on this schema's `observation`.
    pub fn observations_being_written(&self) -> bool {
        match (&self.url, &self.schema) {
            (DatabaseUrl::Sqlite(path), _) => {
                let mut wal = path.clone().into_os_string();
                wal.push("-wal");
                std::fs::metadata(wal).is_ok_and(|m| m.len() > 1 << 20)
            }
            (DatabaseUrl::Postgres(_), Some(schema)) => {
                let Ok(mut c) = postgres::Client::connect(&postgres_url(), postgres::NoTls) else { return false };
                c.query_one(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation \
                     JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE n.nspname = $1 AND c.relname = 'observation' AND l.mode = 'RowExclusiveLock' AND l.granted",
                    &[schema],
                )
                .is_ok_and(|r| r.get::<_, i64>(0) > 0)
            }
            (DatabaseUrl::Postgres(_), None) => false,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(schema) = &self.schema
            && let Ok(mut c) = postgres::Client::connect(&postgres_url(), postgres::NoTls)
        {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// One fresh database per backend available.
pub fn databases() -> Vec<TestDb> {
    let mut dbs = vec![TestDb::sqlite()];
    if postgres_available() {
        dbs.push(TestDb::postgres());
    }
    dbs
}

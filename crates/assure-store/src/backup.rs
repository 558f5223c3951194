//! Backups: a whole database to one file and back, with everything in it (plans,
//! observations, accounts and their passwords' hashes, updates, the audit log).
//!
//! SQLite through its online backup API: a consistent copy page by page while other
//! connections go on reading and writing; the backup is itself an SQLite database.
//! PostgreSQL through `pg_dump --format=custom` of the database's current schema, and
//! `pg_restore` into the schema of that name (normally `public`) of another or the same
//! database: both must be on
//! `PATH` (Debian: `postgresql-client`, of the server's major version or newer), and
//! are asked for by name when they are not.
//!
//! A restore goes into an empty database: one that holds anything Assure keeps is
//! refused, saying what it holds, unless forced; then it is replaced whole.

use std::fmt;
use std::path::Path;
use std::process::Command;

use serde::Serialize;

use crate::sql::Pool;
use crate::{DatabaseUrl, Store, StoreError};

/// What a database holds, counted: to say what a restore would replace, and to compare
/// a restored database with the one backed up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Contents {
    /// Plans.
    pub plans: u64,
    /// Observations of indicators.
    pub observations: u64,
    /// Accounts.
    pub accounts: u64,
    /// Delivery updates.
    pub updates: u64,
    /// Entries in the audit log.
    pub audit_entries: u64,
}

/// The tables counted, in the order of [`Contents`]' fields.
const COUNTED: [&str; 5] = ["plan", "observation", "account", "delivery_update", "audit_log"];

impl Contents {
    /// Whether it holds nothing Assure keeps.
    pub fn is_empty(&self) -> bool {
        *self == Contents::default()
    }
}

/// "1 plan, 5,400 observations, 2 accounts, 0 delivery updates, 14 audit entries".
impl fmt::Display for Contents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "{}, {}, {}, {}, {}",
            plural(self.plans, "plan", "plans"),
            plural(self.observations, "observation", "observations"),
            plural(self.accounts, "account", "accounts"),
            plural(self.updates, "delivery update", "delivery updates"),
            plural(self.audit_entries, "audit entry", "audit entries")
        )
    }
}

/// Why a backup or restore was not made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database to restore into holds data, and the restore was not forced.
    #[error("the database holds {0}; a restore replaces everything in it: pass --force to do so")]
    NotEmpty(Contents),
    /// The file to restore is not a backup of an Assure database.
    #[error("{path} is not a backup of an Assure database: {reason}")]
    NotABackup {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A PostgreSQL backup is of another schema than the one the database works in.
    #[error(
        "the backup holds schema '{dumped}', and this database works in schema '{schema}': a PostgreSQL \
         backup is restored into the schema it was taken from (set search_path to '{dumped}')"
    )]
    OtherSchema {
        /// The backup's schema.
        dumped: String,
        /// The database's current schema.
        schema: String,
    },
    /// A PostgreSQL tool is not on PATH.
    #[error(
        "{tool} is not on PATH: backups of PostgreSQL are made with pg_dump and restored with pg_restore \
         (Debian: apt-get install postgresql-client, of the server's major version or newer)"
    )]
    MissingTool {
        /// `pg_dump` or `pg_restore`.
        tool: &'static str,
    },
    /// A PostgreSQL tool failed.
    #[error("{tool} failed: {message}")]
    Tool {
        /// `pg_dump` or `pg_restore`.
        tool: &'static str,
        /// What it said.
        message: String,
    },
    /// The file could not be written or read.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<r2d2_sqlite::rusqlite::Error> for BackupError {
    fn from(e: r2d2_sqlite::rusqlite::Error) -> BackupError {
        BackupError::Store(e.into())
    }
}

/// Backups of the whole database.
impl Store {
    /// What the database holds.
    pub fn contents(&self) -> Result<Contents, StoreError> {
        self.pool.read(|tx| {
            let mut counts = [0u64; COUNTED.len()];
            for (count, table) in counts.iter_mut().zip(COUNTED) {
                let rows = tx.rows(table, &format!("SELECT COUNT(*) FROM {table}"), &[])?;
                *count = rows.first().map(|r| r.count(0)).transpose()?.unwrap_or(0);
            }
            let [plans, observations, accounts, updates, audit_entries] = counts;
            Ok(Contents { plans, observations, accounts, updates, audit_entries })
        })
    }

    /// PostgreSQL's current schema (where the tables are); empty on SQLite.
    fn current_schema(&self) -> Result<String, StoreError> {
        match &self.pool {
            Pool::Sqlite { .. } => Ok(String::new()),
            Pool::Postgres { pool, .. } => {
                let mut conn = pool.get()?;
                Ok(conn.query_one("SELECT current_schema()", &[])?.get(0))
            }
        }
    }

    /// Write the whole database to the file `out` (replaced if it exists), while others
    /// go on using it (see the module).
    pub fn backup(&self, out: &Path) -> Result<(), BackupError> {
        let shown = out.display().to_string();
        let file_error = |e: std::io::Error| BackupError::File { path: shown.clone(), message: e.to_string() };
        match &self.pool {
            Pool::Sqlite { pool, .. } => {
                // The backup API writes into an existing database's pages: start from nothing.
                match std::fs::remove_file(out) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(file_error(e)),
                    _ => {}
                }
                let conn = pool.get().map_err(StoreError::from)?;
                conn.backup(rusqlite::MAIN_DB, out, None::<fn(rusqlite::backup::Progress)>)?;
                Ok(())
            }
            Pool::Postgres { .. } => {
                let schema = self.current_schema()?;
                let url = self.connect.as_deref().unwrap_or_default();
                run(pg_tool("pg_dump", url)
                    .args(["--format=custom", "--no-owner", "--no-privileges", "--schema"])
                    .arg(&schema)
                    .arg("--file")
                    .arg(out))
                .map_err(|e| with_tool(e, "pg_dump"))
            }
        }
    }
}

/// Restore the backup `from` into the database at `url` (see the module): refused with
/// [`BackupError::NotEmpty`] when it holds anything, unless `force`. Returns what the
/// restored database holds, its schema brought up to date.
pub fn restore(url: &DatabaseUrl, from: &Path, force: bool) -> Result<Contents, BackupError> {
    let shown = from.display().to_string();
    if let Err(e) = std::fs::metadata(from) {
        return Err(BackupError::File { path: shown, message: e.to_string() });
    }
    let not_a_backup = |reason: String| BackupError::NotABackup { path: shown.clone(), reason };
    if let DatabaseUrl::Sqlite(_) = url {
        // Said before anything is touched: an SQLite backup is an Assure SQLite database.
        let source = rusqlite::Connection::open_with_flags(from, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let migrations: Result<i64, _> = source.query_row("SELECT COUNT(*) FROM schema_migration", [], |r| r.get(0));
        match migrations {
            Ok(n) if n > 0 => {}
            Ok(_) => return Err(not_a_backup("it has no migrations applied".to_owned())),
            Err(e) => return Err(not_a_backup(e.to_string())),
        }
    }
    // Opening creates (or brings up to date) the schema a restore then replaces.
    let store = Store::open(url)?.0;
    let there = store.contents()?;
    if !there.is_empty() && !force {
        return Err(BackupError::NotEmpty(there));
    }
    match url {
        DatabaseUrl::Sqlite(path) => {
            drop(store);
            let mut target = rusqlite::Connection::open(path)?;
            target.busy_timeout(std::time::Duration::from_secs(30))?;
            target.restore(rusqlite::MAIN_DB, from, None::<fn(rusqlite::backup::Progress)>)?;
        }
        DatabaseUrl::Postgres(u) => {
            // The dump's schema entry is left out: the schema exists (the store made its
            // tables in it), and may be `public`, which is not the dump's to drop.
            let listing = output(Command::new("pg_restore").arg("--list").arg(from)).map_err(|e| match e {
                BackupError::Tool { message, .. } => not_a_backup(message),
                e => with_tool(e, "pg_restore"),
            })?;
            // Entries read `ID; OID OID TYPE SCHEMA NAME OWNER`: pg_restore puts each object
            // in the schema it was dumped from, which must be the one `url` works in.
            let dumped = listing.lines().find_map(|l| {
                let words: Vec<&str> = l.split_whitespace().collect();
                (words.get(3) == Some(&"TABLE")).then(|| words.get(4).map(|s| (*s).to_owned())).flatten()
            });
            let Some(dumped) = dumped else {
                return Err(not_a_backup("it holds no tables".to_owned()));
            };
            let schema = store.current_schema()?;
            if dumped != schema {
                return Err(BackupError::OtherSchema { dumped, schema });
            }
            drop(store);
            let entries: String =
                listing.lines().filter(|l| !l.contains(" SCHEMA ")).map(|l| format!("{l}\n")).collect();
            let list = tempfile::NamedTempFile::new()
                .and_then(|mut f| std::io::Write::write_all(&mut f, entries.as_bytes()).map(|()| f))
                .map_err(|e| BackupError::File { path: "a temporary file".to_owned(), message: e.to_string() })?;
            run(pg_tool("pg_restore", u)
                .args(["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"])
                .args(["--exit-on-error", "--use-list"])
                .arg(list.path())
                .arg(from))
            .map_err(|e| with_tool(e, "pg_restore"))?;
        }
    }
    Ok(Store::open(url)?.0.contents()?)
}

/// A PostgreSQL tool connecting to `url`: the password, if the URL has one, goes in the
/// tool's environment (`PGPASSWORD`), not on its command line, where any user could read it.
fn pg_tool(tool: &str, url: &str) -> Command {
    let mut command = Command::new(tool);
    let password =
        url.parse::<r2d2_postgres::postgres::Config>().ok().and_then(|c| c.get_password().map(<[u8]>::to_vec));
    match (password, url.split_once("://")) {
        (Some(password), Some((scheme, rest))) => {
            // `user:password@host…` → `user@host…`.
            let (authority, tail) = rest.split_once('@').unwrap_or(("", rest));
            let user = authority.split_once(':').map_or(authority, |(user, _)| user);
            command.env("PGPASSWORD", String::from_utf8_lossy(&password).as_ref());
            command.arg("--dbname").arg(format!("{scheme}://{user}@{tail}"));
        }
        _ => {
            command.arg("--dbname").arg(url);
        }
    }
    command
}

/// A tool's failure named by the tool.
fn with_tool(e: BackupError, tool: &'static str) -> BackupError {
    match e {
        BackupError::MissingTool { .. } => BackupError::MissingTool { tool },
        BackupError::Tool { message, .. } => BackupError::Tool { tool, message },
        e => e,
    }
}

/// Run a tool; its standard error is the message if it fails.
fn run(command: &mut Command) -> Result<(), BackupError> {
    output(command).map(|_| ())
}

/// Run a tool and keep its standard output.
fn output(command: &mut Command) -> Result<String, BackupError> {
    let out = command.output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => BackupError::MissingTool { tool: "" },
        _ => BackupError::Tool { tool: "", message: e.to_string() },
    })?;
    if !out.status.success() {
        let message = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        return Err(BackupError::Tool { tool: "", message: format!("{message} ({})", out.status) });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

//! Storage for Assure: plans, observations, accounts, delivery updates, settings,
//! issued reports and the audit log, on SQLite (the embedded default) or PostgreSQL,
//! behind one API ([`Store`]).
//!
//! This is the only crate that contains SQL. Migrations live in `migrations/<backend>/`
//! and are embedded ([`migrate::MIGRATIONS`]); every change is one transaction and
//! writes one audit entry in that same transaction, so the log never disagrees with the
//! data. Nothing is cached in the process: two processes on one database see each
//! other's writes at once. [`Store::changes`] tells a server when the data may have
//! changed without asking the database (module `changes`).
//!
//! `Store`'s operations are written in the module of their concern, each an
//! `impl Store` block beside the SQL it runs: `plans`, `observations`, `accounts`,
//! `sessions` (sign-in, sessions, API tokens), `settings`, `updates`, `reports` and
//! `audit`. Rows are read through `sql::Row`, whose typed getters fail with
//! [`StoreError::Corrupt`] instead of guessing a default.

mod accounts;
mod archive;
mod audit;
mod backup;
mod changes;
mod committees;
mod disk;
mod drafts;
mod fingertips;
mod jobs;
pub mod migrate;
mod observations;
mod plans;
mod reminders;
mod reports;
mod rounds;
mod sessions;
mod settings;
mod sql;
#[cfg(feature = "testing")]
pub mod testing;
mod updates;
mod versions;
mod voice;

use std::fmt;
use std::path::{Path, PathBuf};

use assure_plan::Diagnostics;

pub use accounts::{
    Account, AccountFields, MIN_PASSWORD_CHARS, Permission, Role, password_problem, random_password, username_problem,
};
pub use archive::{Archive, Archived, Dropped, Restored};
pub use assure_plan::delivery::{
    AddedMilestone, DeliveryUpdate, ItemKind, Publication, Settings, UpdateDraft, UpdateFields,
};
pub use assure_plan::observation::{Observation, ObservationKey};
pub use audit::{AuditEntry, AuditFilter};
pub use backup::{BackupError, Contents, restore};
pub use changes::{CHANNEL, Changes, SILENCE, SQLITE_FRESH, Watching};
pub use committees::{ActionUpdate, Body, Meeting, MeetingDecision, NewMeeting, NewMeetingDecision, Paper, PaperKind};
pub use drafts::{Draft, DraftChange};
pub use fingertips::{FingertipsRun, FingertipsSource, NewFingertipsSource, Refresh, RunEnd};
pub use jobs::JobRecord;
pub use migrate::MigrationReport;
pub use observations::{Checksum, DataFile, DataImport, ImportMode, ObservationImport};
pub use plans::{ImportPlanRequest, PlanImport, ServedRevision, StoredPlan};
pub use reminders::{ReminderChoices, ReminderKey};
pub use rounds::{NewRound, Round, RoundItem};
pub use sessions::{
    ApiToken, LOCKOUT_WINDOW, MAX_FAILURES_PER_CLIENT, MAX_FAILURES_PER_USERNAME, Refusal, SESSION_LIFETIME,
    SIGN_IN_FORM_LIFETIME, Session, SignInForm,
};
pub use sql::BackendKind;
pub use updates::ChangedUpdates;
pub use versions::{CarriedOver, PlanVersion, Published, VersionState};
pub use voice::{
    Channel, Contribution, ContributionState, Decision, DecisionRequest, NewContribution, NewResponse, Purged,
    Response, ResponseScope, ResponseStatus, Theme, receipt_hash,
};

use sql::Pool;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or reached.
    #[error("cannot open database {url}: {message}")]
    Open {
        /// The database, password hidden.
        url: String,
        /// Why.
        message: String,
    },
    /// The database URL is not one Assure understands.
    #[error("{0}")]
    Url(String),
    /// The schema could not be brought up to date.
    #[error("{0}")]
    Migration(String),
    /// A plan with this id is already stored.
    #[error("plan '{0}' is already in the database; use --replace to replace it")]
    PlanExists(String),
    /// Replacing a plan would drop rows that belong to what it no longer has; nothing
    /// was written.
    #[error(
        "replacing plan '{plan}' would drop {dropped}; nothing was written. Use --drop to drop them \
         (they are archived, and `assure archive restore` puts them back)"
    )]
    WouldDrop {
        /// The plan.
        plan: String,
        /// What would be dropped.
        dropped: Dropped,
    },
    /// No archive with this number.
    #[error("no archive {0}")]
    NoSuchArchive(i64),
    /// No plan with this id is stored.
    #[error("no plan '{0}' in the database")]
    NoSuchPlan(String),
    /// No draft with this id.
    #[error("no draft '{0}'")]
    NoSuchDraft(String),
    /// Observations that cannot be stored, each problem with the file's name and the line.
    #[error("{0}")]
    Observations(Diagnostics),
    /// A value that cannot be accepted, with the field it is in and why.
    #[error("{field}: {message}")]
    Rejected {
        /// The field (as a form or the command line names it).
        field: &'static str,
        /// What is wrong, in words for the person who typed it.
        message: String,
    },
    /// No account with this username.
    #[error("no account '{0}'")]
    NoSuchAccount(String),
    /// No API token with this number.
    #[error("no API token {0}")]
    NoSuchToken(i64),
    /// No delivery update with this number.
    #[error("no delivery update {0}")]
    NoSuchUpdate(i64),
    /// No contribution with this number.
    #[error("there is no contribution {0}")]
    NoSuchContribution(i64),
    /// No reporting round with this number.
    #[error("no reporting round {0}")]
    NoSuchRound(i64),
    /// No governance body, meeting, decision or action with this number.
    #[error("there is no {what} {id}")]
    NoSuchRecord {
        /// What was asked for ("meeting", "action" …).
        what: &'static str,
        /// Its number.
        id: i64,
    },
    /// Stored rows that do not make a valid item (the database was edited by hand).
    #[error("stored data cannot be read back: {0}")]
    Corrupt(String),
    /// SQLite said no.
    #[error("SQLite: {0}")]
    Sqlite(#[from] r2d2_sqlite::rusqlite::Error),
    /// PostgreSQL said no.
    #[error("PostgreSQL: {}", sql::pg_message(.0))]
    Postgres(#[from] r2d2_postgres::postgres::Error),
    /// A file of the SQLite database cannot be written (a read-only disk, an immutable
    /// file): writes wait until it can; so do reads when it is the `-shm`.
    #[error("the database cannot be written: {path}: {reason}")]
    ReadOnly {
        /// The file, or the directory a missing file would be created in.
        path: String,
        /// What the system said.
        reason: String,
    },
    /// No connection could be had from the pool in time.
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2_postgres::r2d2::Error),
}

impl StoreError {
    /// Whether the database could not be reached or is refusing work for now (no
    /// connection in time, busy or locked, read-only, the server gone): worth trying
    /// again later, unlike a refusal or a fault.
    pub fn is_unavailable(&self) -> bool {
        use r2d2_sqlite::rusqlite::ErrorCode;
        match self {
            StoreError::Open { .. } | StoreError::Pool(_) | StoreError::ReadOnly { .. } => true,
            StoreError::Sqlite(e) => matches!(
                e.sqlite_error_code(),
                Some(
                    ErrorCode::DatabaseBusy
                        | ErrorCode::DatabaseLocked
                        | ErrorCode::CannotOpen
                        | ErrorCode::ReadOnly
                        | ErrorCode::SystemIoFailure
                        | ErrorCode::DiskFull
                )
            ),
            StoreError::Postgres(e) => {
                e.is_closed()
                    || match e.code() {
                        // Connection exceptions, insufficient resources, operator intervention.
                        Some(code) => ["08", "53", "57"].iter().any(|class| code.code().starts_with(class)),
                        None => e.as_db_error().is_none(),
                    }
            }
            _ => false,
        }
    }
}

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite file (created on first use).
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (`postgres://user@host:port/db?options`).
    Postgres(String),
}

impl DatabaseUrl {
    /// The default: `assure.db` in the working directory.
    pub fn default_sqlite() -> DatabaseUrl {
        DatabaseUrl::Sqlite(PathBuf::from("assure.db"))
    }

    /// Read `postgres://…`, `postgresql://…`, `sqlite:PATH`, `sqlite://PATH` or a plain file path.
    pub fn parse(s: &str) -> Result<DatabaseUrl, StoreError> {
        let s = s.trim();
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(s.to_owned()));
        }
        let url = s.strip_prefix("sqlite://").or_else(|| s.strip_prefix("sqlite:"));
        let path = url.unwrap_or(s);
        // A URL may carry options after '?'; a plain path is taken as it is.
        let path = match (url, path.split_once('?')) {
            (Some(_), Some((path, query))) => {
                for option in query.split('&').filter(|o| !o.is_empty()) {
                    // The store opens read-write and creates the file: `mode=rwc` says just that.
                    if option != "mode=rwc" {
                        return Err(StoreError::Url(format!(
                            "database '{s}': option '{option}' is not supported (only mode=rwc, which is what Assure does)"
                        )));
                    }
                }
                path
            }
            _ => path,
        };
        if path.is_empty() {
            return Err(StoreError::Url(format!("database '{s}': no file name")));
        }
        if path.contains("://") {
            return Err(StoreError::Url(format!("database '{s}': only sqlite:PATH and postgres://… are supported")));
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
    }
}

impl fmt::Display for DatabaseUrl {
    /// The URL with any password replaced by `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(p) => write!(f, "sqlite:{}", p.display()),
            DatabaseUrl::Postgres(u) => {
                let shown = match (u.find("://"), u.find('@')) {
                    (Some(s), Some(at)) if at > s => {
                        let userinfo = &u[s + 3..at];
                        match userinfo.find(':') {
                            Some(c) => format!("{}{}:***{}", &u[..s + 3], &userinfo[..c], &u[at..]),
                            None => u.clone(),
                        }
                    }
                    _ => u.clone(),
                };
                f.write_str(&shown)
            }
        }
    }
}

/// The store: a pool of connections to one database.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    url: String,
    /// PostgreSQL's connection string as given (with any password), for `pg_dump`.
    connect: Option<String>,
}

/// The time now, RFC 3339 in UTC with milliseconds: how the store writes times.
pub(crate) fn now() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

/// The time now as the store writes it (RFC 3339, UTC, milliseconds).
pub fn now_rfc3339() -> String {
    now()
}

impl Store {
    /// Open the database (an SQLite file is created if missing) and bring its schema up
    /// to date. The report says what was applied, and whether the database is new.
    pub fn open(url: &DatabaseUrl) -> Result<(Store, MigrationReport), StoreError> {
        let shown = url.to_string();
        let pool = match url {
            DatabaseUrl::Sqlite(path) => {
                check_parent(path, &shown)?;
                Pool::sqlite(path)?
            }
            DatabaseUrl::Postgres(u) => Pool::postgres(u, &shown)?,
        };
        let connect = match url {
            DatabaseUrl::Postgres(u) => Some(u.clone()),
            DatabaseUrl::Sqlite(_) => None,
        };
        let store = Store { pool, url: shown, connect };
        let report = store.migrate()?;
        Ok((store, report))
    }

    /// The database, for messages (password hidden).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether writes can be made now: for SQLite, whether the database, its `-wal` and
    /// `-shm` (or the directory a missing one goes in) can be written
    /// ([`StoreError::ReadOnly`] naming the first that cannot); PostgreSQL says so itself
    /// when a write is tried.
    pub fn writable(&self) -> Result<(), StoreError> {
        self.pool.writable()
    }

    /// Which database this is.
    pub fn backend(&self) -> BackendKind {
        self.pool.kind()
    }

    /// Apply any migrations not yet applied.
    pub fn migrate(&self) -> Result<MigrationReport, StoreError> {
        self.pool.write(migrate::run)
    }

    /// Every table and its columns, sorted (for comparing the two backends' schemas).
    pub fn schema(&self) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        let rows = self.pool.read(|tx| match tx.kind() {
            BackendKind::Sqlite => tx.rows(
                "sqlite_schema",
                "SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
                &[],
            ),
            BackendKind::Postgres => tx.rows(
                "information_schema.columns",
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema()",
                &[],
            ),
        })?;
        let mut tables: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for r in rows {
            tables.entry(r.text(0)?).or_default().push(r.text(1)?);
        }
        Ok(tables
            .into_iter()
            .map(|(t, mut c)| {
                c.sort();
                (t, c)
            })
            .collect())
    }
}

fn check_parent(path: &Path, shown: &str) -> Result<(), StoreError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => Err(StoreError::Open {
            url: shown.to_owned(),
            message: format!("directory {} does not exist", dir.display()),
        }),
        _ => Ok(()),
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("url", &self.url).finish()
    }
}

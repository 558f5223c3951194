//! Storage for Assure: plans, observations and the audit log, on SQLite (the embedded
//! default) or PostgreSQL, behind one API ([`Store`]).
//!
//! This is the only crate that contains SQL. Migrations live in `migrations/<backend>/`
//! and are embedded ([`migrate::MIGRATIONS`]); every change is one transaction and
//! writes one audit entry in that same transaction, so the log never disagrees with the
//! data. Nothing is cached in the process: two processes on one database see each
//! other's writes at once.

mod accounts;
mod archive;
mod audit;
pub mod migrate;
mod observations;
mod plans;
mod sql;
#[cfg(feature = "testing")]
pub mod testing;
mod updates;

use std::fmt;
use std::path::{Path, PathBuf};

use assure_plan::Plan;
use serde::Serialize;

pub use accounts::{
    Account, AccountFields, ApiToken, LOCKOUT_WINDOW, MAX_FAILURES_PER_CLIENT, MAX_FAILURES_PER_USERNAME,
    MIN_PASSWORD_CHARS, Refusal, Role, SESSION_LIFETIME, Session, password_problem, random_password, username_problem,
};
pub use archive::{Archive, Archived, Dropped, Restored};
pub use assure_plan::delivery::{AddedMilestone, DeliveryUpdate, ItemKind, Publication, UpdateDraft, UpdateFields};
pub use assure_plan::observation::{Observation, ObservationKey};
pub use audit::{AuditEntry, AuditFilter};
pub use migrate::MigrationReport;
pub use observations::{DataFile, DataImport, ImportMode, ObservationImport};
pub use plans::ImportPlanRequest;
pub use sql::BackendKind;

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
    /// Observations that cannot be stored, each with its line.
    #[error("{}", .0.join("\n"))]
    Observations(Vec<String>),
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
    /// Stored rows that do not make a valid item (the database was edited by hand).
    #[error("stored data cannot be read back: {0}")]
    Corrupt(String),
    /// SQLite said no.
    #[error("SQLite: {0}")]
    Sqlite(#[from] r2d2_sqlite::rusqlite::Error),
    /// PostgreSQL said no.
    #[error("PostgreSQL: {}", sql::pg_message(.0))]
    Postgres(#[from] r2d2_postgres::postgres::Error),
    /// No connection could be had from the pool in time.
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2_postgres::r2d2::Error),
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
        let path = s.strip_prefix("sqlite://").or_else(|| s.strip_prefix("sqlite:")).unwrap_or(s);
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

/// A plan as stored: its identity and when it was imported, by whom.
#[derive(Debug, Clone, Serialize)]
pub struct StoredPlan {
    /// The plan's id, e.g. `kent-and-medway-2024-26`.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The period it covers.
    pub period: String,
    /// When it was imported (RFC 3339, UTC).
    pub imported_at: String,
    /// Who imported it.
    pub imported_by: String,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct PlanImport {
    /// The plan's id.
    pub plan: String,
    /// Whether it replaced a stored plan of the same id.
    pub replaced: bool,
    /// Observations kept across a replacement (their indicator is still in the plan).
    pub observations_kept: u64,
    /// Observations dropped by a replacement (their indicator is no longer in the plan).
    pub observations_dropped: u64,
    /// What the replacement dropped, archived, if anything.
    pub archived: Option<Archived>,
}

/// The setting: days without a published update after which an item is stale.
pub const SETTING_STALE_DAYS: &str = "stale_days";
/// The setting: whether editors' updates wait for an admin's approval (`true`/`false`).
pub const SETTING_APPROVAL_REQUIRED: &str = "approval_required";

/// The store: a pool of connections to one database.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    url: String,
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
        let store = Store { pool, url: shown };
        let report = store.migrate()?;
        Ok((store, report))
    }

    /// The database, for messages (password hidden).
    pub fn url(&self) -> &str {
        &self.url
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
            BackendKind::Sqlite => tx.query(
                "SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
                &[],
            ),
            BackendKind::Postgres => tx.query(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema()",
                &[],
            ),
        })?;
        let mut tables: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for r in rows {
            if let (Some(t), Some(c)) = (r[0].as_str(), r[1].as_str()) {
                tables.entry(t.to_owned()).or_default().push(c.to_owned());
            }
        }
        Ok(tables
            .into_iter()
            .map(|(t, mut c)| {
                c.sort();
                (t, c)
            })
            .collect())
    }

    /// Store a validated plan in one transaction. A plan with the same id is an error
    /// unless `replace`, which swaps it whole, keeping the observations, delivery updates
    /// and added milestones of what is still in the plan; a replacement that would drop
    /// any is [`StoreError::WouldDrop`] (nothing written) unless `drop`, which archives
    /// them ([`Store::restore_archived`] puts them back). The audit entry records the plan
    /// before and after.
    pub fn import_plan(&self, request: &ImportPlanRequest<'_>) -> Result<PlanImport, StoreError> {
        self.pool.write(|tx| plans::import(tx, request))
    }

    /// Delete a plan and everything in it, recording it whole in the audit log; its
    /// observations, delivery updates and added milestones are archived (returned: what,
    /// and the archive's number), to be restored after the plan is imported again.
    pub fn delete_plan(&self, id: &str, actor: &str) -> Result<Option<Archived>, StoreError> {
        self.pool.write(|tx| plans::delete(tx, id, actor))
    }

    /// A stored plan, whole.
    pub fn plan(&self, id: &str) -> Result<Plan, StoreError> {
        self.pool.read(|tx| plans::read_plan(tx, id))?.ok_or_else(|| StoreError::NoSuchPlan(id.to_owned()))
    }

    /// A number that changes whenever anything in the plan changes (the plan's latest
    /// audit entry: every write makes one), or `None` if there is no such plan. Cheap
    /// enough to ask on every request, so that a cached plan is never stale, even when
    /// another process made the change.
    pub fn plan_revision(&self, id: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.served_plan(Some(id))?.map(|(_, revision)| revision))
    }

    /// The plan a reader is shown — `id`, or else the most recently imported — with its
    /// revision (see [`Store::plan_revision`]), in one query; `None` if there is none.
    pub fn served_plan(&self, id: Option<&str>) -> Result<Option<(String, i64)>, StoreError> {
        // Settings (how long before an item is stale, whether updates need approval)
        // change what pages show, so their latest change counts too.
        const REVISION: &str = "SELECT p.id, (SELECT max(a.id) FROM audit_log a WHERE a.plan_id = p.id), \
                                (SELECT max(s.id) FROM audit_log s WHERE s.entity = 'setting') FROM plan p";
        // Without parameters, so that PostgreSQL answers in one round trip: a plan id is
        // a slug (checked here), safe to write into the statement as a literal.
        let rows = match id {
            Some(id) if id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.') => {
                self.pool.query_once(&format!("{REVISION} WHERE p.id = '{id}'"), &[])?
            }
            Some(_) => return Ok(None),
            None => self.pool.query_once(&format!("{REVISION} ORDER BY p.imported_at DESC, p.id LIMIT 1"), &[])?,
        };
        Ok(rows.into_iter().next().and_then(|r| {
            let number = |v: &sql::Value| v.as_i64().or_else(|| v.as_str()?.parse().ok()).unwrap_or_default();
            Some((r[0].as_str()?.to_owned(), number(&r[1]).max(number(&r[2]))))
        }))
    }

    /// The stored plans, oldest import first.
    pub fn plans(&self) -> Result<Vec<StoredPlan>, StoreError> {
        let rows = self.pool.read(|tx| {
            tx.query("SELECT id, title, period, imported_at, imported_by FROM plan ORDER BY imported_at, id", &[])
        })?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let s = |i: usize| r[i].as_str().unwrap_or_default().to_owned();
                StoredPlan { id: s(0), title: s(1), period: s(2), imported_at: s(3), imported_by: s(4) }
            })
            .collect())
    }

    /// Store observations for a plan's indicators in one transaction (see [`ImportMode`]).
    /// Nothing is written if any row is wrong; every wrong row is reported by its line.
    pub fn import_observations(
        &self,
        plan_id: &str,
        rows: &[Observation],
        file: &DataFile,
        mode: ImportMode,
        actor: &str,
    ) -> Result<ObservationImport, StoreError> {
        self.pool.write(|tx| observations::import(tx, plan_id, rows, file, mode, actor))
    }

    /// A plan's observations, for one indicator or all, in key order.
    pub fn observations(&self, plan_id: &str, indicator: Option<&str>) -> Result<Vec<Observation>, StoreError> {
        self.pool.read(|tx| observations::list(tx, plan_id, indicator))
    }

    /// One indicator's observations for everyone (no breakdown) in the given areas, in key order.
    pub fn headline_observations(
        &self,
        plan_id: &str,
        indicator: &str,
        areas: &[&str],
    ) -> Result<Vec<Observation>, StoreError> {
        self.pool.read(|tx| observations::headline(tx, plan_id, indicator, areas))
    }

    /// The data imports of a plan, newest first.
    pub fn data_imports(&self, plan_id: &str) -> Result<Vec<DataImport>, StoreError> {
        self.pool.read(|tx| observations::imports(tx, plan_id))
    }

    // ---- People and permissions (see `accounts`) ----

    /// Create an account with this password (checked: at least [`MIN_PASSWORD_CHARS`]).
    pub fn create_account(
        &self,
        username: &str,
        password: &str,
        fields: &AccountFields,
        actor: &str,
    ) -> Result<Account, StoreError> {
        self.pool.write(|tx| accounts::create(tx, username, password, fields, actor))
    }

    /// Change an account's name, role, organisations or whether it is disabled. A change
    /// of role or organisations, or disabling, ends its sessions.
    pub fn update_account(&self, username: &str, fields: &AccountFields, actor: &str) -> Result<Account, StoreError> {
        self.pool.write(|tx| accounts::update(tx, username, fields, actor))
    }

    /// Set a new password; every session of the account ends.
    pub fn set_password(&self, username: &str, password: &str, actor: &str) -> Result<(), StoreError> {
        self.pool.write(|tx| accounts::set_password(tx, username, password, actor))
    }

    /// Whether this is the account's password (for changing it while signed in).
    pub fn check_password(&self, username: &str, password: &str) -> Result<bool, StoreError> {
        self.pool.read(|tx| accounts::check_password(tx, username, password))
    }

    /// An account by username.
    pub fn account(&self, username: &str) -> Result<Option<Account>, StoreError> {
        self.pool.read(|tx| accounts::account(tx, username))
    }

    /// Every account, by username.
    pub fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        self.pool.read(accounts::accounts)
    }

    /// Sign in from `client` (an address): a new session, or why not. Failures are
    /// counted in the database; too many for the username or the client lock them for
    /// [`LOCKOUT_WINDOW`], whether or not the account exists.
    pub fn sign_in(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> Result<Result<Session, Refusal>, StoreError> {
        self.pool.write(|tx| accounts::sign_in(tx, username, password, client))
    }

    /// The live session for a cookie's token.
    pub fn session(&self, token: &str) -> Result<Option<Session>, StoreError> {
        self.pool.read(|tx| accounts::session(tx, token))
    }

    /// End a session (sign out); whether there was one.
    pub fn end_session(&self, token: &str) -> Result<bool, StoreError> {
        self.pool.write(|tx| accounts::end_session(tx, token))
    }

    /// Create an API token for an account: the record, and the secret (shown once).
    pub fn create_token(&self, username: &str, name: &str, actor: &str) -> Result<(ApiToken, String), StoreError> {
        self.pool.write(|tx| accounts::create_token(tx, username, name, actor))
    }

    /// API tokens, of one account or all.
    pub fn tokens(&self, username: Option<&str>) -> Result<Vec<ApiToken>, StoreError> {
        self.pool.read(|tx| accounts::tokens(tx, username))
    }

    /// Revoke an API token (revoking twice is harmless).
    pub fn revoke_token(&self, id: i64, actor: &str) -> Result<ApiToken, StoreError> {
        self.pool.write(|tx| accounts::revoke_token(tx, id, actor))
    }

    /// The enabled account behind an unrevoked API token.
    pub fn token_account(&self, secret: &str) -> Result<Option<Account>, StoreError> {
        self.pool.read(|tx| accounts::token_account(tx, secret))
    }

    /// A setting's value, if set.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.pool.read(|tx| accounts::setting(tx, key))
    }

    /// Set a setting (audited).
    pub fn set_setting(&self, key: &str, value: &str, actor: &str) -> Result<(), StoreError> {
        self.pool.write(|tx| accounts::set_setting(tx, key, value, actor))
    }

    // ---- Delivery updates (see `updates`) ----

    /// Record an update of a milestone or delivering plan of a plan.
    pub fn add_update(
        &self,
        plan_id: &str,
        kind: ItemKind,
        item: &str,
        draft: &UpdateDraft,
        publication: Publication,
        author: &str,
    ) -> Result<DeliveryUpdate, StoreError> {
        self.pool.write(|tx| updates::add(tx, plan_id, kind, item, draft, publication, author))
    }

    /// A plan's updates, of one item or all, oldest first (published or not: the
    /// caller decides who sees what).
    pub fn updates(&self, plan_id: &str, item: Option<(ItemKind, &str)>) -> Result<Vec<DeliveryUpdate>, StoreError> {
        self.pool.read(|tx| updates::list(tx, plan_id, item))
    }

    /// One update.
    pub fn update(&self, plan_id: &str, id: i64) -> Result<DeliveryUpdate, StoreError> {
        self.pool.read(|tx| updates::one(tx, plan_id, id))
    }

    /// Approve (publish) or reject an update awaiting approval.
    pub fn review_update(
        &self,
        plan_id: &str,
        id: i64,
        approve: bool,
        reviewer: &str,
    ) -> Result<DeliveryUpdate, StoreError> {
        self.pool.write(|tx| updates::review(tx, plan_id, id, approve, reviewer))
    }

    /// Add a milestone to a delivering plan; `taken` says which ids the plan already uses.
    pub fn add_milestone(
        &self,
        plan_id: &str,
        delivering_plan: &str,
        title: &str,
        due: &str,
        taken: &dyn Fn(&str) -> bool,
        actor: &str,
    ) -> Result<AddedMilestone, StoreError> {
        self.pool.write(|tx| updates::add_milestone(tx, plan_id, delivering_plan, title, due, taken, actor))
    }

    /// The milestones partners added to a plan's delivering plans.
    pub fn added_milestones(&self, plan_id: &str) -> Result<Vec<AddedMilestone>, StoreError> {
        self.pool.read(|tx| updates::added_milestones(tx, plan_id))
    }

    /// Record a report as issued (`kind`: annual, place; `subject`: what it is about),
    /// with the JSON snapshot of what it showed; returns when.
    pub fn record_report(
        &self,
        plan_id: &str,
        kind: &str,
        subject: &str,
        snapshot: &str,
        actor: &str,
    ) -> Result<String, StoreError> {
        self.pool.write(|tx| updates::record_report(tx, plan_id, kind, subject, snapshot, actor))
    }

    /// The latest issued report of a kind and subject: when, and its snapshot.
    pub fn last_report(
        &self,
        plan_id: &str,
        kind: &str,
        subject: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        self.pool.read(|tx| updates::last_report(tx, plan_id, kind, subject))
    }

    /// Audit entries matching the filter, newest first.
    pub fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        self.pool.read(|tx| audit::list(tx, filter))
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

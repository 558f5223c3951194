//! The two databases behind one small interface: connection pools, transactions, and a
//! [`Value`] that both drivers bind and read.
//!
//! Every statement in this crate is written once, with `$1, $2, …` placeholders in
//! ascending order of first use: PostgreSQL reads them as positions, and SQLite numbers
//! named parameters in order of first appearance, so the same text binds the same way.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use bytes::{BufMut, BytesMut};
use r2d2_postgres::postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use r2d2_postgres::postgres::{self, NoTls};
use r2d2_postgres::{PostgresConnectionManager, r2d2};
use r2d2_sqlite::SqliteConnectionManager;
use r2d2_sqlite::rusqlite::{self, types::ToSqlOutput, types::ValueRef};

use crate::StoreError;
use crate::disk::SqliteFiles;

/// A value bound to or read from a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// An integer (SQLite INTEGER, PostgreSQL BIGINT).
    Int(i64),
    /// A float (SQLite REAL, PostgreSQL DOUBLE PRECISION).
    Real(f64),
    /// Text; also JSON (SQLite TEXT, PostgreSQL JSONB).
    Text(String),
    /// A boolean (SQLite INTEGER 0/1, PostgreSQL BOOLEAN).
    Bool(bool),
}

impl Value {
    /// Text or NULL.
    pub fn text(s: Option<&str>) -> Value {
        s.map_or(Value::Null, |s| Value::Text(s.to_owned()))
    }

    /// A float or NULL.
    pub fn real(f: Option<f64>) -> Value {
        f.map_or(Value::Null, Value::Real)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*b))),
        })
    }
}

fn from_sqlite(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) | ValueRef::Blob(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
    }
}

type BoxError = Box<dyn StdError + Sync + Send>;

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                _ => i.to_string().to_sql(ty, out),
            },
            Value::Real(f) => match *ty {
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ => f.to_sql(ty, out),
            },
            Value::Text(s) => match *ty {
                Type::JSONB => {
                    out.put_u8(1);
                    out.put_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                Type::JSON => {
                    out.put_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                _ => s.as_str().to_sql(ty, out),
            },
            Value::Bool(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Value, BoxError> {
        Ok(match *ty {
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Value::Int(i16::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
            Type::BOOL => Value::Bool(bool::from_sql(ty, raw)?),
            Type::JSONB => Value::Text(std::str::from_utf8(raw.get(1..).unwrap_or_default())?.to_owned()),
            Type::JSON => Value::Text(std::str::from_utf8(raw)?.to_owned()),
            _ => Value::Text(String::from_sql(ty, raw)?),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Value, BoxError> {
        Ok(Value::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// An SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A pool of connections to one database.
#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite { pool: r2d2::Pool<SqliteManager>, files: Arc<SqliteFiles>, path: std::path::PathBuf },
    Postgres { pool: r2d2::Pool<PostgresConnectionManager<NoTls>>, config: Arc<postgres::Config> },
}

/// SQLite connections that know their database's files: a connection is not opened while
/// the `-shm` cannot be written, and one closed then does not checkpoint (closing the
/// last connection checkpoints, which writes the `-shm`, which would end the process).
pub(crate) struct SqliteManager {
    inner: SqliteConnectionManager,
    files: Arc<SqliteFiles>,
}

/// A pooled SQLite connection (see [`SqliteManager`]).
pub(crate) struct SqliteConnection {
    conn: rusqlite::Connection,
    files: Arc<SqliteFiles>,
}

impl std::ops::Deref for SqliteConnection {
    type Target = rusqlite::Connection;
    fn deref(&self) -> &rusqlite::Connection {
        &self.conn
    }
}

impl std::ops::DerefMut for SqliteConnection {
    fn deref_mut(&mut self) -> &mut rusqlite::Connection {
        &mut self.conn
    }
}

impl Drop for SqliteConnection {
    fn drop(&mut self) {
        if self.files.shm_unwritable().is_some() {
            // Leave the WAL for the next process to checkpoint; a failure here leaves
            // nothing worse than the checkpoint it would have tried.
            let _ = self.conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true);
        }
    }
}

impl r2d2::ManageConnection for SqliteManager {
    type Connection = SqliteConnection;
    type Error = rusqlite::Error;

    fn connect(&self) -> Result<SqliteConnection, rusqlite::Error> {
        if let Some(u) = self.files.shm_unwritable() {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
                Some(u.to_error().to_string()),
            ));
        }
        Ok(SqliteConnection { conn: self.inner.connect()?, files: self.files.clone() })
    }

    fn is_valid(&self, conn: &mut SqliteConnection) -> Result<(), rusqlite::Error> {
        self.inner.is_valid(&mut conn.conn)
    }

    fn has_broken(&self, conn: &mut SqliteConnection) -> bool {
        self.inner.has_broken(&mut conn.conn)
    }
}

/// How long a request waits for a connection from the pool before the store answers
/// that the database is unavailable (a web request then gets 503 with `Retry-After`
/// within this bound, instead of hanging while the database is down).
pub(crate) const POOL_TIMEOUT: Duration = Duration::from_secs(3);

/// How long opening a new PostgreSQL connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

impl Pool {
    pub(crate) fn sqlite(path: &std::path::Path) -> Result<Pool, StoreError> {
        let manager = SqliteConnectionManager::file(path).with_init(|c| {
            // WAL lets readers work beside a writer; the busy timeout makes a second
            // process wait for the write lock instead of failing at once.
            c.execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000;",
            )
        });
        let files = Arc::new(SqliteFiles::new(path));
        let open_error = |message: String| StoreError::Open { url: path.display().to_string(), message };
        // Say at once, by name, what cannot be written: SQLite would fail to create its
        // -wal and the pool would retry until its timeout.
        if let Some(u) = files.unwritable() {
            return Err(open_error(format!(
                "{} cannot be written ({}); SQLite writes the database and creates its -wal and -shm files beside it",
                u.path.display(),
                u.error
            )));
        }
        let manager = SqliteManager { inner: manager, files: files.clone() };
        // Connect once directly, so that any other failure is reported now, with SQLite's
        // reason, instead of after the pool's timeout.
        drop(r2d2::ManageConnection::connect(&manager).map_err(|e| open_error(e.to_string()))?);
        let pool = r2d2::Pool::builder()
            .max_size(4)
            .min_idle(Some(0))
            .connection_timeout(Duration::from_secs(30))
            .build(manager)
            .map_err(|e| open_error(e.to_string()))?;
        Ok(Pool::Sqlite { pool, files, path: path.to_owned() })
    }

    pub(crate) fn postgres(url: &str, shown: &str) -> Result<Pool, StoreError> {
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e: postgres::Error| StoreError::Open { url: shown.to_owned(), message: e.to_string() })?;
        // A server that does not answer is given a short while, not the default forever.
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let manager = PostgresConnectionManager::new(config.clone(), NoTls);
        let pool = r2d2::Pool::builder()
            .max_size(8)
            .min_idle(Some(0))
            .connection_timeout(POOL_TIMEOUT)
            .build(manager)
            .map_err(|e| StoreError::Open { url: shown.to_owned(), message: e.to_string() })?;
        // r2d2 hides the reason behind a timeout: connect once directly to report it.
        if let Err(e) = pool.get() {
            let message = match url.parse::<postgres::Config>().map(|c| c.connect(NoTls)) {
                Ok(Err(e)) => pg_message(&e),
                _ => e.to_string(),
            };
            return Err(StoreError::Open { url: shown.to_owned(), message });
        }
        Ok(Pool::Postgres { pool, config: Arc::new(config) })
    }

    pub(crate) fn kind(&self) -> BackendKind {
        match self {
            Pool::Sqlite { .. } => BackendKind::Sqlite,
            Pool::Postgres { .. } => BackendKind::Postgres,
        }
    }

    /// Whether a write transaction could be started (see [`crate::Store::writable`]).
    pub(crate) fn writable(&self) -> Result<(), StoreError> {
        match self {
            Pool::Sqlite { files, .. } => files.unwritable().map_or(Ok(()), |u| Err(u.to_error())),
            Pool::Postgres { .. } => Ok(()),
        }
    }

    /// Run `f` in a transaction that takes the write lock at once and commits if `f` succeeds.
    /// Every write ends by telling [`crate::changes`], committed or not (one that failed
    /// to commit may still have committed).
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let written = self.write_once(f);
        crate::changes::wrote();
        written
    }

    fn write_once<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        match self {
            Pool::Sqlite { pool, files, .. } => {
                if let Some(u) = files.unwritable() {
                    return Err(u.to_error());
                }
                let mut conn = pool.get()?;
                let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let mut tx = Tx::Sqlite(tx);
                let value = f(&mut tx)?;
                tx.commit()?;
                Ok(value)
            }
            Pool::Postgres { pool, .. } => {
                let mut conn = pool.get()?;
                let tx = conn.transaction()?;
                let mut tx = Tx::Postgres { tx, statements: HashMap::new() };
                let value = f(&mut tx)?;
                tx.commit()?;
                Ok(value)
            }
        }
    }

    /// Run one read-only statement outside any transaction (a single statement needs
    /// none): for the small query asked on every web request.
    pub(crate) fn query_once(&self, table: &'static str, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let rows = match self {
            Pool::Sqlite { pool, files, .. } => {
                let conn = sqlite_reader(pool, files)?;
                let mut stmt = conn.prepare_cached(sql)?;
                sqlite_rows(&mut stmt, params)?
            }
            Pool::Postgres { pool, .. } if params.is_empty() => {
                // The simple protocol: one round trip, no statement to prepare; every
                // value comes back as text.
                let mut conn = pool.get()?;
                let mut columns: Arc<[String]> = Arc::new([]);
                let mut values = Vec::new();
                for m in conn.simple_query(sql)? {
                    if let postgres::SimpleQueryMessage::Row(r) = m {
                        if columns.is_empty() {
                            columns = r.columns().iter().map(|c| c.name().to_owned()).collect();
                        }
                        values.push((0..r.len()).map(|i| Value::text(r.get(i))).collect());
                    }
                }
                (columns, values)
            }
            Pool::Postgres { pool, .. } => {
                let mut conn = pool.get()?;
                let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
                pg_rows(&conn.query(sql, &params)?)?
            }
        };
        Ok(to_rows(table, rows))
    }

    /// Run `f` in a read-only transaction that sees one consistent snapshot.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        match self {
            Pool::Sqlite { pool, files, .. } => {
                let mut conn = sqlite_reader(pool, files)?;
                let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?;
                f(&mut Tx::Sqlite(tx))
            }
            Pool::Postgres { pool, .. } => {
                let mut conn = pool.get()?;
                let tx = conn
                    .build_transaction()
                    .isolation_level(postgres::IsolationLevel::RepeatableRead)
                    .read_only(true)
                    .start()?;
                f(&mut Tx::Postgres { tx, statements: HashMap::new() })
            }
        }
    }
}

/// A connection to read with: refused while the `-shm` cannot be written (a read would
/// write to its mapping and end the process); a read-only database, `-wal` or directory
/// still reads.
fn sqlite_reader(
    pool: &r2d2::Pool<SqliteManager>,
    files: &SqliteFiles,
) -> Result<r2d2::PooledConnection<SqliteManager>, StoreError> {
    if let Some(u) = files.shm_unwritable() {
        return Err(u.to_error());
    }
    Ok(pool.get()?)
}

/// An open transaction on either database. Dropped without [`Tx::commit`], it rolls back.
pub(crate) enum Tx<'c> {
    Sqlite(rusqlite::Transaction<'c>),
    Postgres { tx: postgres::Transaction<'c>, statements: HashMap<String, postgres::Statement> },
}

impl<'c> Tx<'c> {
    pub(crate) fn kind(&self) -> BackendKind {
        match self {
            Tx::Sqlite(_) => BackendKind::Sqlite,
            Tx::Postgres { .. } => BackendKind::Postgres,
        }
    }

    fn pg_statement(
        tx: &mut postgres::Transaction<'_>,
        statements: &mut HashMap<String, postgres::Statement>,
        sql: &str,
    ) -> Result<postgres::Statement, StoreError> {
        if let Some(s) = statements.get(sql) {
            return Ok(s.clone());
        }
        let s = tx.prepare(sql)?;
        statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }

    /// Execute one statement; returns the number of rows changed.
    pub(crate) fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        match self {
            Tx::Sqlite(tx) => {
                let mut stmt = tx.prepare_cached(sql)?;
                Ok(stmt.execute(rusqlite::params_from_iter(params))? as u64)
            }
            Tx::Postgres { tx, statements } => {
                let stmt = Self::pg_statement(tx, statements, sql)?;
                let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
                Ok(tx.execute(&stmt, &params)?)
            }
        }
    }

    /// Run a query; every row as values in column order (for the plan's tables, which
    /// are mapped generically, see `plans`).
    pub(crate) fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, StoreError> {
        Ok(self.select(sql, params)?.1)
    }

    /// Run a query; every row for reading with typed getters (see [`Row`]). `table`
    /// names what the rows are, for the message if one cannot be read.
    pub(crate) fn rows(&mut self, table: &'static str, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        Ok(to_rows(table, self.select(sql, params)?))
    }

    fn select(&mut self, sql: &str, params: &[Value]) -> Result<Rows, StoreError> {
        match self {
            Tx::Sqlite(tx) => sqlite_rows(&mut tx.prepare_cached(sql)?, params),
            Tx::Postgres { tx, statements } => {
                let stmt = Self::pg_statement(tx, statements, sql)?;
                let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
                pg_rows(&tx.query(&stmt, &params)?)
            }
        }
    }

    /// Run several statements without parameters (a migration).
    pub(crate) fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.execute_batch(sql)?,
            Tx::Postgres { tx, .. } => tx.batch_execute(sql)?,
        }
        Ok(())
    }

    /// The PostgreSQL transaction, for its bulk paths (COPY).
    pub(crate) fn postgres(&mut self) -> Option<&mut postgres::Transaction<'c>> {
        match self {
            Tx::Postgres { tx, .. } => Some(tx),
            Tx::Sqlite(_) => None,
        }
    }

    pub(crate) fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.commit()?,
            Tx::Postgres { tx, .. } => tx.commit()?,
        }
        Ok(())
    }
}

/// Rows as read: the names of their columns, and each row's values in column order.
type Rows = (Arc<[String]>, Vec<Vec<Value>>);

fn sqlite_rows(stmt: &mut rusqlite::CachedStatement<'_>, params: &[Value]) -> Result<Rows, StoreError> {
    let n = stmt.column_count();
    let columns: Arc<[String]> = stmt.column_names().into_iter().map(str::to_owned).collect();
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push((0..n).map(|i| row.get_ref(i).map(from_sqlite)).collect::<Result<_, _>>()?);
    }
    Ok((columns, out))
}

fn pg_rows(rows: &[postgres::Row]) -> Result<Rows, StoreError> {
    let columns: Arc<[String]> =
        rows.first().map(|r| r.columns().iter().map(|c| c.name().to_owned()).collect()).unwrap_or_default();
    let values = rows
        .iter()
        .map(|r| (0..r.len()).map(|i| r.try_get::<_, Value>(i).map_err(Into::into)).collect())
        .collect::<Result<_, StoreError>>()?;
    Ok((columns, values))
}

/// The id a statement's `RETURNING id` gave back.
pub(crate) fn returned_id(rows: &[Row], what: &str) -> Result<i64, StoreError> {
    rows.first().ok_or_else(|| StoreError::Corrupt(format!("no id for a new {what}")))?.int(0)
}

fn to_rows(table: &'static str, (columns, values): Rows) -> Vec<Row> {
    values.into_iter().map(|values| Row { table, columns: columns.clone(), values }).collect()
}

/// One row read back, read column by column with a getter for the type the column
/// holds. A value of another type (a hand-edited database, a broken migration) is
/// [`StoreError::Corrupt`] naming the table, the column and what was found: never a
/// default that would pass for data (an unreadable `disabled` flag is not "enabled").
#[derive(Debug, Clone)]
pub(crate) struct Row {
    table: &'static str,
    columns: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    fn value(&self, i: usize) -> &Value {
        self.values.get(i).unwrap_or(&Value::Null)
    }

    /// The error for column `i`, which should have held `expected`.
    pub(crate) fn corrupt(&self, i: usize, expected: &str) -> StoreError {
        let column = self.columns.get(i).map_or_else(|| format!("#{}", i + 1), String::clone);
        let found = match self.values.get(i) {
            None => "no such column".to_owned(),
            Some(Value::Null) => "NULL".to_owned(),
            Some(Value::Int(n)) => format!("the integer {n}"),
            Some(Value::Real(f)) => format!("the number {f}"),
            Some(Value::Bool(b)) => format!("the boolean {b}"),
            Some(Value::Text(t)) if t.chars().count() > 60 => {
                format!("the text '{}…'", t.chars().take(60).collect::<String>())
            }
            Some(Value::Text(t)) => format!("the text '{t}'"),
        };
        StoreError::Corrupt(format!("{}.{column}: expected {expected}, found {found}", self.table))
    }

    /// Text (NULL is corrupt).
    pub(crate) fn text(&self, i: usize) -> Result<String, StoreError> {
        self.opt_text(i)?.ok_or_else(|| self.corrupt(i, "text"))
    }

    /// Text or NULL.
    pub(crate) fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.value(i) {
            Value::Null => Ok(None),
            Value::Text(t) => Ok(Some(t.clone())),
            _ => Err(self.corrupt(i, "text")),
        }
    }

    /// An integer (NULL is corrupt).
    pub(crate) fn int(&self, i: usize) -> Result<i64, StoreError> {
        self.opt_int(i)?.ok_or_else(|| self.corrupt(i, "an integer"))
    }

    /// An integer or NULL. Text that is an integer counts: PostgreSQL's simple protocol
    /// sends every value as text.
    pub(crate) fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.value(i) {
            Value::Null => Ok(None),
            Value::Int(n) => Ok(Some(*n)),
            Value::Text(t) => t.parse().map(Some).map_err(|_| self.corrupt(i, "an integer")),
            _ => Err(self.corrupt(i, "an integer")),
        }
    }

    /// A count: an integer that is not negative.
    pub(crate) fn count(&self, i: usize) -> Result<u64, StoreError> {
        u64::try_from(self.int(i)?).map_err(|_| self.corrupt(i, "a count (0 or more)"))
    }

    /// A boolean: PostgreSQL's BOOLEAN, or SQLite's 0 or 1.
    pub(crate) fn bool(&self, i: usize) -> Result<bool, StoreError> {
        match self.value(i) {
            Value::Bool(b) => Ok(*b),
            Value::Int(0) => Ok(false),
            Value::Int(1) => Ok(true),
            _ => Err(self.corrupt(i, "true or false")),
        }
    }

    /// A number (an integer column's value counts) or NULL.
    pub(crate) fn opt_float(&self, i: usize) -> Result<Option<f64>, StoreError> {
        match self.value(i) {
            Value::Null => Ok(None),
            Value::Real(f) => Ok(Some(*f)),
            Value::Int(n) => Ok(Some(*n as f64)),
            _ => Err(self.corrupt(i, "a number")),
        }
    }

    /// Text that `parse` accepts (a role, a status …), described as `expected` if not.
    pub(crate) fn parsed<T>(
        &self,
        i: usize,
        expected: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, StoreError> {
        self.opt_text(i)?.as_deref().and_then(parse).ok_or_else(|| self.corrupt(i, expected))
    }

    /// JSON text, deserialised (NULL is corrupt).
    pub(crate) fn json<T: serde::de::DeserializeOwned>(&self, i: usize) -> Result<T, StoreError> {
        self.opt_json(i)?.ok_or_else(|| self.corrupt(i, "JSON"))
    }

    /// JSON text, deserialised, or NULL.
    pub(crate) fn opt_json<T: serde::de::DeserializeOwned>(&self, i: usize) -> Result<Option<T>, StoreError> {
        self.opt_text(i)?
            .map(|t| serde_json::from_str(&t).map_err(|e| self.corrupt(i, &format!("JSON ({e})"))))
            .transpose()
    }
}

/// A PostgreSQL error with the server's own message and detail, when it sent one.
pub(crate) fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut m = db.message().to_owned();
            if let Some(d) = db.detail() {
                m.push_str(" (");
                m.push_str(d);
                m.push(')');
            }
            m
        }
        None => match e.source() {
            Some(s) => format!("{e}: {s}"),
            None => e.to_string(),
        },
    }
}

//! The audit log: who changed what, when, with the values before and after.
//!
//! Entries are written only by [`record`], inside the transaction of the change they
//! describe; on PostgreSQL each also notifies [`crate::changes::CHANNEL`] (with its
//! plan's id), delivered to listening servers when the change commits. There is no function that updates or deletes one, and the schema's
//! triggers refuse it in SQL too.

use serde::Serialize;
use serde_json::Value as Json;

use crate::sql::{Tx, Value};
use crate::{Store, StoreError};

/// One entry of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    /// Its number, increasing.
    pub id: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What was done: `import`, `replace`, `delete`, `update` …
    pub action: String,
    /// The kind of thing changed: `plan`, `observation` …
    pub entity: String,
    /// Which one (a plan id; for observations, the file they came from).
    pub entity_id: String,
    /// The plan it belongs to.
    pub plan_id: Option<String>,
    /// The value before, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Json>,
    /// The value after, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Json>,
}

/// Which entries to list. Every field set narrows the list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this kind of thing.
    pub entity: Option<String>,
    /// Only this thing.
    pub entity_id: Option<String>,
    /// Only this person.
    pub actor: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only changes to this plan.
    pub plan_id: Option<String>,
    /// Only at or after this time (RFC 3339, or a date `YYYY-MM-DD`).
    pub since: Option<String>,
    /// Only this entry.
    pub id: Option<i64>,
    /// At most this many (newest first).
    pub limit: Option<u32>,
    /// Include the before and after values (they can be large: a whole plan).
    pub values: bool,
}

pub(crate) struct NewEntry<'a> {
    pub(crate) at: &'a str,
    pub(crate) actor: &'a str,
    pub(crate) action: &'a str,
    pub(crate) entity: &'a str,
    pub(crate) entity_id: &'a str,
    pub(crate) plan_id: Option<&'a str>,
    pub(crate) before: Option<&'a str>,
    pub(crate) after: Option<&'a str>,
}

/// The PostgreSQL advisory lock that numbers audit entries in commit order (migrations
/// take 4242001).
const AUDIT_ORDER_LOCK: i64 = 4242002;

pub(crate) fn record(tx: &mut Tx<'_>, e: &NewEntry<'_>) -> Result<(), StoreError> {
    record_id(tx, e).map(|_| ())
}

/// Record an entry and return its number (for rows that refer to it: an archive).
pub(crate) fn record_id(tx: &mut Tx<'_>, e: &NewEntry<'_>) -> Result<i64, StoreError> {
    if tx.kind() == crate::BackendKind::Postgres {
        // Entries are numbered in the order they are committed: PostgreSQL hands out a
        // sequence's numbers as rows are inserted, so two writers could otherwise commit
        // 101 before 100, and a server that read 101 as the plan's revision would never
        // see 100's change (nor read it when bringing its delivery up to date from 101).
        // Held from here to the commit (SQLite has one writer at a time anyway).
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[Value::Int(AUDIT_ORDER_LOCK)])?;
    }
    let rows = tx.rows(
        "audit_log",
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, plan_id, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        &[
            e.at.into(),
            e.actor.into(),
            e.action.into(),
            e.entity.into(),
            e.entity_id.into(),
            Value::text(e.plan_id),
            Value::text(e.before),
            Value::text(e.after),
        ],
    )?;
    // Servers listening are told, on commit, that what they show may have changed.
    if tx.kind() == crate::BackendKind::Postgres {
        tx.execute(
            "SELECT pg_notify($1, $2)",
            &[crate::changes::CHANNEL.into(), e.plan_id.unwrap_or_default().into()],
        )?;
    }
    crate::sql::returned_id(&rows, "audit entry")
}

/// The audit log, read.
impl Store {
    /// Audit entries matching the filter, newest first.
    pub fn audit(&self, f: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let values = if f.values { "before, after" } else { "NULL, NULL" };
        let mut sql =
            format!("SELECT id, at, actor, action, entity, entity_id, plan_id, {values} FROM audit_log WHERE 1 = 1");
        let mut params: Vec<Value> = Vec::new();
        let mut add = |column: &str, op: &str, v: Value| {
            params.push(v);
            sql.push_str(&format!(" AND {column} {op} ${}", params.len()));
        };
        for (column, v) in [
            ("entity", &f.entity),
            ("entity_id", &f.entity_id),
            ("actor", &f.actor),
            ("action", &f.action),
            ("plan_id", &f.plan_id),
        ] {
            if let Some(v) = v {
                add(column, "=", v.as_str().into());
            }
        }
        if let Some(since) = &f.since {
            add("at", ">=", since.as_str().into());
        }
        if let Some(id) = f.id {
            add("id", "=", Value::Int(id));
        }
        sql.push_str(" ORDER BY id DESC");
        if let Some(limit) = f.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let rows = self.pool.read(|tx| tx.rows("audit_log", &sql, &params))?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.int(0)?,
                    at: r.text(1)?,
                    actor: r.text(2)?,
                    action: r.text(3)?,
                    entity: r.text(4)?,
                    entity_id: r.text(5)?,
                    plan_id: r.opt_text(6)?,
                    before: r.opt_json(7)?,
                    after: r.opt_json(8)?,
                })
            })
            .collect()
    }
}

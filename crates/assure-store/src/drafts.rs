//! Draft versions of the plan, edited on the web before they are published.
//!
//! A draft is the whole plan as one JSON document in `plan_draft`, under its own id (the
//! 2026 refresh of `kent-and-medway-2024-26` might be `kent-and-medway-2026-28`). It is not
//! in the plan's tables, so it may hold problems while it is edited; the application
//! checks it as `assure check` does and publishes it only when it has none. Every change
//! is audited against the draft's id, with the item before and after.

use assure_plan::Plan;
use serde::Serialize;
use serde_json::Value as Json;

use crate::audit::{self, NewEntry};
use crate::sql::{Row, Tx, Value};
use crate::{Store, StoreError, now};

/// A draft version of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    /// Its plan id (the same as `plan.meta.id`).
    pub id: String,
    /// The version it was started from, if any.
    pub based_on: Option<String>,
    /// The plan as it is now in the draft.
    pub plan: Plan,
    /// When it was started (RFC 3339, UTC).
    pub created_at: String,
    /// Who started it.
    pub created_by: String,
    /// When it last changed.
    pub updated_at: String,
    /// Who changed it last.
    pub updated_by: String,
}

/// One change to a draft, as the audit log records it: what kind of item, which one,
/// and its value before and after (`None` where it did not exist).
#[derive(Debug, Clone)]
pub struct DraftChange<'a> {
    /// What was done: `edit`, `add`, `remove`, `move`, `rename`, `merge` …
    pub action: &'a str,
    /// The kind of item: `outcome`, `commitment`, `delivery link`, `organisation` …
    pub entity: &'a str,
    /// Which one (its id, or a key such as `c1.2 → p4`).
    pub entity_id: &'a str,
    /// The item before the change.
    pub before: Option<Json>,
    /// The item after the change.
    pub after: Option<Json>,
}

const COLUMNS: &str = "id, based_on, plan, created_at, created_by, updated_at, updated_by";

fn read(row: &Row) -> Result<Draft, StoreError> {
    Ok(Draft {
        id: row.text(0)?,
        based_on: row.opt_text(1)?,
        // Through TOML, as the plan's tables are read: identifiers are spanned values.
        plan: crate::plans::from_json("plan_draft", row.json(2)?)?,
        created_at: row.text(3)?,
        created_by: row.text(4)?,
        updated_at: row.text(5)?,
        updated_by: row.text(6)?,
    })
}

fn read_draft(tx: &mut Tx<'_>, id: &str) -> Result<Option<Draft>, StoreError> {
    let rows = tx.rows("plan_draft", &format!("SELECT {COLUMNS} FROM plan_draft WHERE id = $1"), &[id.into()])?;
    rows.first().map(read).transpose()
}

fn json_text<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Drafts: starting, reading, saving and discarding them.
impl Store {
    /// Start a draft holding `plan` (its id is the draft's), noting the version it is
    /// based on. An id already used by a stored plan or another draft is
    /// [`StoreError::PlanExists`].
    pub fn create_draft(&self, plan: &Plan, based_on: Option<&str>, actor: &str) -> Result<Draft, StoreError> {
        let id = plan.meta.id.get_ref().clone();
        let body = json_text(plan)?;
        self.pool.write(|tx| {
            let taken = tx.rows(
                "plan",
                "SELECT (SELECT COUNT(*) FROM plan WHERE id = $1) + (SELECT COUNT(*) FROM plan_draft WHERE id = $1)",
                &[id.as_str().into()],
            )?;
            if taken.first().map(|r| r.count(0)).transpose()?.unwrap_or(0) > 0 {
                return Err(StoreError::PlanExists(id.clone()));
            }
            let at = now();
            tx.execute(
                &format!("INSERT INTO plan_draft ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $4, $5)"),
                &[id.as_str().into(), Value::text(based_on), body.as_str().into(), at.as_str().into(), actor.into()],
            )?;
            let after = serde_json::json!({ "based_on": based_on, "title": plan.meta.title }).to_string();
            audit::record(
                tx,
                &NewEntry {
                    at: &at,
                    actor,
                    action: "create",
                    entity: "draft",
                    entity_id: &id,
                    plan_id: Some(&id),
                    before: None,
                    after: Some(&after),
                },
            )?;
            read_draft(tx, &id)?.ok_or_else(|| StoreError::NoSuchDraft(id.clone()))
        })
    }

    /// A draft, if there is one with this id.
    pub fn draft(&self, id: &str) -> Result<Option<Draft>, StoreError> {
        self.pool.read(|tx| read_draft(tx, id))
    }

    /// Every draft, most recently changed first.
    pub fn drafts(&self) -> Result<Vec<Draft>, StoreError> {
        let rows = self.pool.read(|tx| {
            tx.rows("plan_draft", &format!("SELECT {COLUMNS} FROM plan_draft ORDER BY updated_at DESC, id"), &[])
        })?;
        rows.iter().map(read).collect()
    }

    /// Save the draft's plan after one change, recorded in the audit log with the item
    /// before and after. The plan keeps the draft's id.
    pub fn save_draft(
        &self,
        id: &str,
        plan: &Plan,
        actor: &str,
        change: &DraftChange<'_>,
    ) -> Result<Draft, StoreError> {
        if plan.meta.id.get_ref() != id {
            return Err(StoreError::Corrupt(format!(
                "draft {id}: the plan's id is {}; a draft keeps its id",
                plan.meta.id.get_ref()
            )));
        }
        let body = json_text(plan)?;
        let before = change.before.as_ref().map(json_text).transpose()?;
        let after = change.after.as_ref().map(json_text).transpose()?;
        self.pool.write(|tx| {
            let at = now();
            let changed = tx.execute(
                // SQLite numbers `$n` parameters in order of appearance: keep them in order.
                "UPDATE plan_draft SET plan = $1, updated_at = $2, updated_by = $3 WHERE id = $4",
                &[body.as_str().into(), at.as_str().into(), actor.into(), id.into()],
            )?;
            if changed == 0 {
                return Err(StoreError::NoSuchDraft(id.to_owned()));
            }
            audit::record(
                tx,
                &NewEntry {
                    at: &at,
                    actor,
                    action: change.action,
                    entity: change.entity,
                    entity_id: change.entity_id,
                    plan_id: Some(id),
                    before: before.as_deref(),
                    after: after.as_deref(),
                },
            )?;
            read_draft(tx, id)?.ok_or_else(|| StoreError::NoSuchDraft(id.to_owned()))
        })
    }

    /// Discard a draft, keeping it whole in the audit log.
    pub fn delete_draft(&self, id: &str, actor: &str) -> Result<(), StoreError> {
        self.pool.write(|tx| {
            let draft = read_draft(tx, id)?.ok_or_else(|| StoreError::NoSuchDraft(id.to_owned()))?;
            tx.execute("DELETE FROM plan_draft WHERE id = $1", &[id.into()])?;
            let before = json_text(&draft.plan)?;
            audit::record(
                tx,
                &NewEntry {
                    at: &now(),
                    actor,
                    action: "delete",
                    entity: "draft",
                    entity_id: id,
                    plan_id: Some(id),
                    before: Some(&before),
                    after: None,
                },
            )
        })
    }
}

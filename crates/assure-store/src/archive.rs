//! What a change drops, kept whole so that it can be put back: the observations of
//! indicators a replacing plan no longer has, the delivery updates and partners'
//! milestones of items it no longer has, and all of them when a plan is deleted.
//!
//! A change that drops rows copies each one, column by column, into `archived_row`, in
//! its own transaction, under an audit entry (action `drop`, entity `archive`) that
//! says what was dropped and whose number is the archive's. [`Store::restore_archived`]
//! puts rows back where their indicator or item exists again (after the plan that had
//! them is imported again), and says what still cannot go back.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;

use assure_plan::Plan;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::audit::{self, NewEntry};
use crate::sql::{BackendKind, Tx, Value};
use crate::{Store, StoreError, now, observations};

/// Rows counted by what they belong to: what a change dropped, or what a restore put back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    /// Observations, by indicator (or indicator part) id.
    #[serde(default)]
    pub observations: BTreeMap<String, u64>,
    /// Delivery updates, by item: `milestone:ID` or `plan:ID` (a delivering plan).
    #[serde(default)]
    pub updates: BTreeMap<String, u64>,
    /// Milestones partners added, by the delivering plan they were added to.
    #[serde(default)]
    pub added_milestones: BTreeMap<String, u64>,
}

impl Dropped {
    /// Whether there is nothing.
    pub fn is_empty(&self) -> bool {
        self.rows() == 0
    }

    /// How many rows in all.
    pub fn rows(&self) -> u64 {
        [&self.observations, &self.updates, &self.added_milestones].iter().flat_map(|m| m.values()).sum()
    }

    /// How many observations.
    pub fn observation_rows(&self) -> u64 {
        self.observations.values().sum()
    }

    fn add(&mut self, source: &Source, item: &str, n: u64) {
        let map = match source.table {
            "observation" => &mut self.observations,
            "delivery_update" => &mut self.updates,
            _ => &mut self.added_milestones,
        };
        *map.entry(item.to_owned()).or_default() += n;
    }
}

impl fmt::Display for Dropped {
    /// `300 observation(s) of indicator(s) a (200), b (100); 2 delivery update(s) of milestone:m (2)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        for (map, what, of) in [
            (&self.observations, "observation(s)", "indicator(s)"),
            (&self.updates, "delivery update(s)", "item(s)"),
            (&self.added_milestones, "added milestone(s)", "delivering plan(s)"),
        ] {
            if map.is_empty() {
                continue;
            }
            let items: Vec<String> = map.iter().map(|(item, n)| format!("{item} ({n})")).collect();
            parts.push(format!("{} {what} of {of} {}", map.values().sum::<u64>(), items.join(", ")));
        }
        if parts.is_empty() { f.write_str("nothing") } else { f.write_str(&parts.join("; ")) }
    }
}

/// Rows a change dropped and archived.
#[derive(Debug, Clone, Serialize)]
pub struct Archived {
    /// The archive's number (that of the audit entry that says what was dropped), for
    /// [`Store::restore_archived`].
    pub id: i64,
    /// What was dropped.
    pub dropped: Dropped,
}

/// A change's archive: what it dropped, and how much of that has been put back.
#[derive(Debug, Clone, Serialize)]
pub struct Archive {
    /// Its number: the number of the audit entry that dropped the rows.
    pub id: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who made the change.
    pub actor: String,
    /// The plan the rows belonged to.
    pub plan: String,
    /// What was dropped.
    pub dropped: Dropped,
    /// How many of its rows have been restored.
    pub restored_rows: u64,
}

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    /// The archive.
    pub archive: i64,
    /// The plan the rows went back to.
    pub plan: String,
    /// What went back.
    pub restored: Dropped,
    /// What is still archived, because it cannot go back yet.
    pub remaining: Dropped,
    /// Why the remaining rows cannot go back, one sentence per reason and item.
    pub reasons: Vec<String>,
}

/// A table whose rows can be dropped: its columns (all of them, so that a row goes
/// back whole) and how its rows are grouped by what they belong to.
struct Source {
    table: &'static str,
    columns: &'static [&'static str],
}

const OBSERVATION: Source = Source {
    table: "observation",
    columns: &[
        "plan_id",
        "indicator_id",
        "area",
        "period",
        "breakdown",
        "value",
        "lower",
        "upper",
        "numerator",
        "denominator",
        "note",
        "source",
        "illustrative",
        "import_id",
    ],
};

const UPDATE: Source = Source {
    table: "delivery_update",
    columns: &[
        "id",
        "plan_id",
        "item_kind",
        "item_id",
        "status",
        "narrative",
        "evidence",
        "expected",
        "expected_reason",
        "internal_note",
        "publication",
        "author",
        "at",
        "reviewed_by",
        "reviewed_at",
    ],
};

const ADDED_MILESTONE: Source = Source {
    table: "added_milestone",
    columns: &["plan_id", "id", "delivering_plan", "title", "due", "created_by", "created_at"],
};

/// In the order they go back: a milestone before its updates.
const SOURCES: [&Source; 3] = [&ADDED_MILESTONE, &UPDATE, &OBSERVATION];

/// The condition (after `plan_id = $1`) that selects the rows of one item.
fn item_filter(source: &Source, item: &str) -> (&'static str, Vec<Value>) {
    match source.table {
        "observation" => ("indicator_id = $2", vec![item.into()]),
        "delivery_update" => {
            let (kind, id) = item.split_once(':').unwrap_or(("", item));
            ("item_kind = $2 AND item_id = $3", vec![kind.into(), id.into()])
        }
        _ => ("delivering_plan = $2", vec![item.into()]),
    }
}

/// What a plan has that stored rows may belong to.
pub(crate) struct Kept {
    indicators: HashSet<String>,
    delivering_plans: HashSet<String>,
    milestones: HashSet<String>,
}

impl Kept {
    /// The indicators (and parts), delivering plans and milestones of a plan.
    pub(crate) fn of(plan: &Plan) -> Kept {
        let mut indicators = HashSet::new();
        for i in &plan.indicators {
            indicators.insert(i.id.get_ref().clone());
            indicators.extend(i.parts.iter().map(|p| p.id.get_ref().clone()));
        }
        Kept {
            indicators,
            delivering_plans: plan.delivering_plans.iter().map(|p| p.id.get_ref().clone()).collect(),
            milestones: plan
                .delivery_examples
                .iter()
                .flat_map(|e| e.milestones.iter().map(|m| m.id.get_ref().clone()))
                .collect(),
        }
    }
}

/// What would be dropped from a stored plan's rows if only `kept` remained (everything,
/// when `kept` is `None`: the plan is being deleted).
pub(crate) fn would_drop(tx: &mut Tx<'_>, plan_id: &str, kept: Option<&Kept>) -> Result<Dropped, StoreError> {
    let mut dropped = Dropped::default();
    let p = [Value::from(plan_id)];
    for r in tx.rows(
        "observation",
        "SELECT indicator_id, count(*) FROM observation WHERE plan_id = $1 GROUP BY indicator_id",
        &p,
    )? {
        let indicator = r.text(0)?;
        if !kept.is_some_and(|k| k.indicators.contains(&indicator)) {
            dropped.add(&OBSERVATION, &indicator, r.count(1)?);
        }
    }
    let mut milestones = kept.map(|k| k.milestones.clone()).unwrap_or_default();
    for r in tx.rows("added_milestone", "SELECT delivering_plan, id FROM added_milestone WHERE plan_id = $1", &p)? {
        let (plan, id) = (r.text(0)?, r.text(1)?);
        if kept.is_some_and(|k| k.delivering_plans.contains(&plan)) {
            milestones.insert(id);
        } else {
            dropped.add(&ADDED_MILESTONE, &plan, 1);
        }
    }
    for r in tx.rows(
        "delivery_update",
        "SELECT item_kind, item_id, count(*) FROM delivery_update WHERE plan_id = $1 GROUP BY item_kind, item_id",
        &p,
    )? {
        let (kind, item) = (r.text(0)?, r.text(1)?);
        let stays = match kind.as_str() {
            "plan" => kept.is_some_and(|k| k.delivering_plans.contains(&item)),
            _ => kept.is_some() && milestones.contains(&item),
        };
        if !stays {
            dropped.add(&UPDATE, &format!("{kind}:{item}"), r.count(2)?);
        }
    }
    Ok(dropped)
}

/// Move the dropped rows into the archive, under an audit entry saying what was
/// dropped. The caller owns the transaction.
pub(crate) fn archive(tx: &mut Tx<'_>, plan_id: &str, dropped: Dropped, actor: &str) -> Result<Archived, StoreError> {
    let summary = serde_json::to_string(&dropped).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let id = audit::record_id(
        tx,
        &NewEntry {
            at: &now(),
            actor,
            action: "drop",
            entity: "archive",
            entity_id: plan_id,
            plan_id: Some(plan_id),
            before: Some(&summary),
            after: None,
        },
    )?;
    for (source, items) in [
        (&OBSERVATION, &dropped.observations),
        (&UPDATE, &dropped.updates),
        (&ADDED_MILESTONE, &dropped.added_milestones),
    ] {
        for item in items.keys() {
            let (filter, extra) = item_filter(source, item);
            let mut params = vec![Value::from(plan_id)];
            params.extend(extra);
            let rows = tx.query(
                &format!(
                    "SELECT {} FROM {} WHERE plan_id = $1 AND {filter} ORDER BY {}",
                    source.columns.join(", "),
                    source.table,
                    source.columns.join(", ")
                ),
                &params,
            )?;
            for row in rows {
                let data: Map<String, Json> =
                    source.columns.iter().zip(row).map(|(c, v)| ((*c).to_owned(), to_json(v))).collect();
                tx.execute(
                    "INSERT INTO archived_row (audit_id, plan_id, from_table, item, data) VALUES ($1, $2, $3, $4, $5)",
                    &[
                        Value::Int(id),
                        plan_id.into(),
                        source.table.into(),
                        item.as_str().into(),
                        Json::Object(data).to_string().into(),
                    ],
                )?;
            }
            tx.execute(&format!("DELETE FROM {} WHERE plan_id = $1 AND {filter}", source.table), &params)?;
        }
    }
    Ok(Archived { id, dropped })
}

fn to_json(v: Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Int(i) => Json::from(i),
        // A float goes to JSON as its shortest round-trip decimal, and comes back equal.
        Value::Real(f) => serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number),
        Value::Text(s) => Json::String(s),
        Value::Bool(b) => Json::Bool(b),
    }
}

fn from_json(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() => Value::Int(i),
            _ => Value::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}

fn ids(tx: &mut Tx<'_>, table: &'static str, sql: &str, plan_id: &str) -> Result<HashSet<String>, StoreError> {
    tx.rows(table, sql, &[plan_id.into()])?.iter().map(|r| r.text(0)).collect()
}

/// Why an archived row cannot go back now, or `None` if it can.
struct Present {
    plan: bool,
    indicators: HashSet<String>,
    delivering_plans: HashSet<String>,
    /// The plan's milestones and those partners added (restored ones included).
    milestones: HashSet<String>,
    added: HashSet<String>,
    updates: HashSet<i64>,
    /// Observation keys stored now, of the indicators asked about so far.
    observations: BTreeMap<String, HashSet<(String, String, String)>>,
}

impl Present {
    fn read(tx: &mut Tx<'_>, plan_id: &str) -> Result<Present, StoreError> {
        let plan = !tx.query("SELECT id FROM plan WHERE id = $1", &[plan_id.into()])?.is_empty();
        let added = ids(tx, "added_milestone", "SELECT id FROM added_milestone WHERE plan_id = $1", plan_id)?;
        let mut milestones = ids(tx, "milestone", "SELECT id FROM milestone WHERE plan_id = $1", plan_id)?;
        milestones.extend(added.iter().cloned());
        Ok(Present {
            plan,
            indicators: observations::indicator_ids(tx, plan_id)?,
            delivering_plans: ids(tx, "delivering_plan", "SELECT id FROM delivering_plan WHERE plan_id = $1", plan_id)?,
            milestones,
            added,
            updates: tx
                .rows("delivery_update", "SELECT id FROM delivery_update WHERE plan_id = $1", &[plan_id.into()])?
                .iter()
                .map(|r| r.int(0))
                .collect::<Result<_, _>>()?,
            observations: BTreeMap::new(),
        })
    }

    fn refusal(
        &mut self,
        tx: &mut Tx<'_>,
        plan_id: &str,
        source: &Source,
        data: &Map<String, Json>,
    ) -> Result<Option<String>, StoreError> {
        let s = |k: &str| data.get(k).and_then(Json::as_str).unwrap_or_default().to_owned();
        if !self.plan {
            return Ok(Some(format!("plan '{plan_id}' is not in the database; import it again first")));
        }
        Ok(match source.table {
            "observation" => {
                let indicator = s("indicator_id");
                if !self.indicators.contains(&indicator) {
                    return Ok(Some(format!("indicator '{indicator}' is not in plan '{plan_id}'")));
                }
                if !self.observations.contains_key(&indicator) {
                    let keys = tx
                        .rows(
                            "observation",
                            "SELECT area, period, breakdown FROM observation WHERE plan_id = $1 AND indicator_id = $2",
                            &[plan_id.into(), indicator.as_str().into()],
                        )?
                        .iter()
                        .map(|r| Ok((r.text(0)?, r.text(1)?, r.text(2)?)))
                        .collect::<Result<_, StoreError>>()?;
                    self.observations.insert(indicator.clone(), keys);
                }
                let keys = self.observations.entry(indicator.clone()).or_default();
                let key = (s("area"), s("period"), s("breakdown"));
                if keys.contains(&key) {
                    Some(format!("indicator '{indicator}' has a value stored now for the same area and period"))
                } else {
                    keys.insert(key);
                    None
                }
            }
            "delivery_update" => {
                let (kind, item) = (s("item_kind"), s("item_id"));
                let there = match kind.as_str() {
                    "plan" => self.delivering_plans.contains(&item),
                    _ => self.milestones.contains(&item),
                };
                let id = data.get("id").and_then(Json::as_i64).unwrap_or_default();
                if !there {
                    Some(format!("{kind} '{item}' is not in plan '{plan_id}'"))
                } else if !self.updates.insert(id) {
                    Some(format!("delivery update {id} is stored already"))
                } else {
                    None
                }
            }
            _ => {
                let (plan, id) = (s("delivering_plan"), s("id"));
                if !self.delivering_plans.contains(&plan) {
                    Some(format!("delivering plan '{plan}' is not in plan '{plan_id}'"))
                } else if self.added.contains(&id) {
                    Some(format!("milestone '{id}' is stored already"))
                } else {
                    self.added.insert(id.clone());
                    self.milestones.insert(id);
                    None
                }
            }
        })
    }
}

fn restore(tx: &mut Tx<'_>, archive: i64, actor: &str) -> Result<Restored, StoreError> {
    let rows = tx.rows(
        "archived_row",
        "SELECT id, plan_id, from_table, item, data, restored_by FROM archived_row WHERE audit_id = $1 ORDER BY id",
        &[Value::Int(archive)],
    )?;
    let plan_id = rows.first().ok_or(StoreError::NoSuchArchive(archive))?.text(1)?;
    let mut present = Present::read(tx, &plan_id)?;
    let mut result = Restored {
        archive,
        plan: plan_id.clone(),
        restored: Dropped::default(),
        remaining: Dropped::default(),
        reasons: Vec::new(),
    };
    let mut reasons = BTreeSet::new();
    let mut put_back = Vec::new();
    for s in SOURCES {
        for r in &rows {
            if r.text(2)? != s.table || r.opt_int(5)?.is_some() {
                continue;
            }
            let (row_id, item) = (r.int(0)?, r.text(3)?);
            let item = item.as_str();
            let data = match serde_json::from_str::<Json>(&r.text(4)?) {
                Ok(Json::Object(o)) => o,
                _ => return Err(StoreError::Corrupt(format!("archived row {row_id} is not a JSON object"))),
            };
            if let Some(why) = present.refusal(tx, &plan_id, s, &data)? {
                result.remaining.add(s, item, 1);
                reasons.insert(why);
                continue;
            }
            let values: Vec<Value> = s.columns.iter().map(|c| data.get(*c).map_or(Value::Null, from_json)).collect();
            let placeholders: Vec<String> = (1..=values.len()).map(|i| format!("${i}")).collect();
            // An update goes back under its own number (PostgreSQL numbers them itself otherwise).
            let overriding = if s.table == "delivery_update" && tx.kind() == BackendKind::Postgres {
                " OVERRIDING SYSTEM VALUE"
            } else {
                ""
            };
            tx.execute(
                &format!(
                    "INSERT INTO {} ({}){overriding} VALUES ({})",
                    s.table,
                    s.columns.join(", "),
                    placeholders.join(", ")
                ),
                &values,
            )?;
            result.restored.add(s, item, 1);
            put_back.push(Value::Int(row_id));
        }
    }
    result.reasons = reasons.into_iter().collect();
    if put_back.is_empty() {
        if result.remaining.is_empty() {
            return Err(StoreError::Rejected {
                field: "archive",
                message: format!("archive {archive} has been restored already"),
            });
        }
        return Ok(result);
    }
    let after = serde_json::json!({ "restored": result.restored, "remaining": result.remaining }).to_string();
    let entry = audit::record_id(
        tx,
        &NewEntry {
            at: &now(),
            actor,
            action: "restore",
            entity: "archive",
            entity_id: &archive.to_string(),
            plan_id: Some(&plan_id),
            before: None,
            after: Some(&after),
        },
    )?;
    for id in put_back {
        tx.execute("UPDATE archived_row SET restored_by = $1 WHERE id = $2", &[Value::Int(entry), id])?;
    }
    Ok(result)
}

impl Store {
    /// The archives of dropped rows, newest first.
    pub fn archives(&self) -> Result<Vec<Archive>, StoreError> {
        let rows = self.pool.read(|tx| {
            tx.rows(
                "audit_log",
                "SELECT a.id, a.at, a.actor, a.plan_id, a.before, \
                 (SELECT count(*) FROM archived_row r WHERE r.audit_id = a.id AND r.restored_by IS NOT NULL) \
                 FROM audit_log a WHERE a.action = 'drop' AND a.entity = 'archive' ORDER BY a.id DESC",
                &[],
            )
        })?;
        rows.into_iter()
            .map(|r| {
                let id = r.int(0)?;
                Ok(Archive {
                    id,
                    at: r.text(1)?,
                    actor: r.text(2)?,
                    plan: r.text(3)?,
                    dropped: serde_json::from_str(&r.text(4)?)
                        .map_err(|e| StoreError::Corrupt(format!("archive {id}: {e}")))?,
                    restored_rows: r.count(5)?,
                })
            })
            .collect()
    }

    /// Put an archive's rows back (`archive`: its number, that of the audit entry that
    /// dropped them) where their indicator or item exists again, e.g. after the plan that
    /// had them is imported again; rows that cannot go back yet stay archived and are
    /// listed with the reason. One transaction, audited (action `restore`).
    pub fn restore_archived(&self, archive: i64, actor: &str) -> Result<Restored, StoreError> {
        self.pool.write(|tx| restore(tx, archive, actor))
    }
}

//! Observations in bulk: validated against the plan, written in one transaction by
//! each database's fast path (a prepared statement on SQLite, binary COPY on PostgreSQL).

use std::collections::{HashMap, HashSet};

use assure_plan::observation::{Observation, ObservationKey};
use r2d2_postgres::postgres::binary_copy::BinaryCopyInWriter;
use r2d2_postgres::postgres::types::{ToSql, Type};
use serde::Serialize;

use crate::StoreError;
use crate::audit::{self, NewEntry};
use crate::sql::{BackendKind, Tx, Value};

/// What to do with a row whose key is already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportMode {
    /// Refuse the whole file: nothing is overwritten by accident.
    #[default]
    Insert,
    /// Replace the stored row; the audit entry keeps the old values.
    Replace,
}

/// What an observation import did.
#[derive(Debug, Clone, Serialize)]
pub struct ObservationImport {
    /// Rows read.
    pub rows: u64,
    /// Rows that were new.
    pub inserted: u64,
    /// Rows that replaced a stored one.
    pub replaced: u64,
}

const COLUMNS: &str =
    "plan_id, indicator_id, area, period, breakdown, value, lower, upper, numerator, denominator, note, source";

fn row_values(plan_id: &str, o: &Observation) -> [Value; 12] {
    [
        plan_id.into(),
        o.key.indicator.as_str().into(),
        o.key.area.as_str().into(),
        o.key.period.as_str().into(),
        o.key.breakdown.as_str().into(),
        Value::real(o.value),
        Value::real(o.lower),
        Value::real(o.upper),
        Value::real(o.numerator),
        Value::real(o.denominator),
        Value::text(o.note.as_deref()),
        Value::text(o.source.as_deref()),
    ]
}

fn from_row(r: Vec<Value>) -> Observation {
    let s = |i: usize| r[i].as_str().unwrap_or_default().to_owned();
    let f = |i: usize| r[i].as_f64();
    Observation {
        key: ObservationKey { indicator: s(0), area: s(1), period: s(2), breakdown: s(3) },
        value: f(4),
        lower: f(5),
        upper: f(6),
        numerator: f(7),
        denominator: f(8),
        note: r[9].as_str().map(str::to_owned),
        source: r[10].as_str().map(str::to_owned),
        line: 0,
    }
}

/// The ids of a plan's indicators and indicator parts.
pub(crate) fn indicator_ids(tx: &mut Tx<'_>, plan_id: &str) -> Result<HashSet<String>, StoreError> {
    let rows = tx.query("SELECT id FROM indicator WHERE plan_id = $1", &[plan_id.into()])?;
    Ok(rows.into_iter().filter_map(|r| r[0].as_str().map(str::to_owned)).collect())
}

pub(crate) fn list(tx: &mut Tx<'_>, plan_id: &str, indicator: Option<&str>) -> Result<Vec<Observation>, StoreError> {
    let select = "SELECT indicator_id, area, period, breakdown, value, lower, upper, numerator, denominator, note, source \
                  FROM observation WHERE plan_id = $1";
    let rows = match indicator {
        Some(i) => tx.query(
            &format!("{select} AND indicator_id = $2 ORDER BY indicator_id, area, period, breakdown"),
            &[plan_id.into(), i.into()],
        )?,
        None => tx.query(&format!("{select} ORDER BY indicator_id, area, period, breakdown"), &[plan_id.into()])?,
    };
    Ok(rows.into_iter().map(from_row).collect())
}

/// Delete every observation of a plan (with the plan: there is no cascading foreign key).
pub(crate) fn delete_all(tx: &mut Tx<'_>, plan_id: &str) -> Result<u64, StoreError> {
    tx.execute("DELETE FROM observation WHERE plan_id = $1", &[plan_id.into()])
}

/// Insert rows known to be new and valid.
pub(crate) fn insert_rows(tx: &mut Tx<'_>, plan_id: &str, rows: &[Observation]) -> Result<(), StoreError> {
    if let Some(pg) = tx.postgres() {
        return copy_in(pg, "observation", plan_id, rows);
    }
    let sql = format!("INSERT INTO observation ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
    for o in rows {
        tx.execute(&sql, &row_values(plan_id, o)).map_err(|e| conflict(e, o))?;
    }
    Ok(())
}

fn conflict(e: StoreError, o: &Observation) -> StoreError {
    let message = e.to_string();
    if message.contains("UNIQUE constraint failed") {
        StoreError::Observations(vec![format!(
            "line {}: an observation for indicator '{}', area '{}', period '{}'{} is already stored; \
             use --replace to replace stored values",
            o.line,
            o.key.indicator,
            o.key.area,
            o.key.period,
            if o.key.breakdown.is_empty() { String::new() } else { format!(", breakdown '{}'", o.key.breakdown) }
        )])
    } else {
        e
    }
}

fn copy_in(
    pg: &mut r2d2_postgres::postgres::Transaction<'_>,
    table: &str,
    plan_id: &str,
    rows: &[Observation],
) -> Result<(), StoreError> {
    let sink = pg.copy_in(&format!("COPY {table} ({COLUMNS}) FROM STDIN (FORMAT binary)"))?;
    let types = [
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::FLOAT8,
        Type::FLOAT8,
        Type::FLOAT8,
        Type::FLOAT8,
        Type::FLOAT8,
        Type::TEXT,
        Type::TEXT,
    ];
    let mut writer = BinaryCopyInWriter::new(sink, &types);
    for o in rows {
        let values = row_values(plan_id, o);
        let refs: [&(dyn ToSql + Sync); 12] = std::array::from_fn(|i| &values[i] as _);
        writer.write(&refs)?;
    }
    writer.finish().map_err(|e| {
        let m = crate::sql::pg_message(&e);
        if m.contains("duplicate key") {
            StoreError::Observations(vec![format!(
                "an observation is already stored: {m}; use --replace to replace stored values"
            )])
        } else {
            StoreError::from(e)
        }
    })?;
    Ok(())
}

pub(crate) fn import(
    tx: &mut Tx<'_>,
    plan_id: &str,
    rows: &[Observation],
    source: &str,
    mode: ImportMode,
    actor: &str,
) -> Result<ObservationImport, StoreError> {
    // Hold the plan row until commit, so that the plan cannot be deleted or replaced
    // between checking the indicators and writing the rows (SQLite's write transaction
    // already excludes every other writer).
    let lock = match tx.kind() {
        BackendKind::Sqlite => "SELECT 1 FROM plan WHERE id = $1",
        BackendKind::Postgres => "SELECT 1 FROM plan WHERE id = $1 FOR SHARE",
    };
    if tx.query(lock, &[plan_id.into()])?.is_empty() {
        return Err(StoreError::NoSuchPlan(plan_id.to_owned()));
    }
    let known = indicator_ids(tx, plan_id)?;
    let mut problems = Vec::new();
    let mut seen: HashMap<&ObservationKey, u64> = HashMap::with_capacity(rows.len());
    for o in rows {
        if !known.contains(&o.key.indicator) {
            problems.push(format!("line {}: indicator '{}' is not in plan '{plan_id}'", o.line, o.key.indicator));
        }
        if let Some(first) = seen.insert(&o.key, o.line) {
            problems
                .push(format!("line {}: repeats line {first} (same indicator, area, period and breakdown)", o.line));
        }
        if problems.len() >= 50 {
            problems.push("… stopped after 50 problems".to_owned());
            break;
        }
    }
    if !problems.is_empty() {
        return Err(StoreError::Observations(problems));
    }
    drop(seen);

    let mut replaced_rows = Vec::new();
    match mode {
        ImportMode::Insert => insert_rows(tx, plan_id, rows)?,
        ImportMode::Replace => {
            let indicators: HashSet<&str> = rows.iter().map(|o| o.key.indicator.as_str()).collect();
            let mut stored: HashMap<ObservationKey, Observation> = HashMap::new();
            for i in indicators {
                for o in list(tx, plan_id, Some(i))? {
                    stored.insert(o.key.clone(), o);
                }
            }
            let (old, new): (Vec<&Observation>, Vec<&Observation>) =
                rows.iter().partition(|o| stored.contains_key(&o.key));
            for o in &old {
                tx.execute(
                    "DELETE FROM observation WHERE plan_id = $1 AND indicator_id = $2 AND area = $3 AND period = $4 \
                     AND breakdown = $5",
                    &row_values(plan_id, o)[..5],
                )?;
                replaced_rows.extend(stored.remove(&o.key));
            }
            let all: Vec<Observation> = old.into_iter().chain(new).cloned().collect();
            insert_rows(tx, plan_id, &all)?;
        }
    }

    let result = ObservationImport {
        rows: rows.len() as u64,
        inserted: (rows.len() - replaced_rows.len()) as u64,
        replaced: replaced_rows.len() as u64,
    };
    let mut indicators: Vec<&str> = rows.iter().map(|o| o.key.indicator.as_str()).collect();
    indicators.sort_unstable();
    indicators.dedup();
    let after = serde_json::json!({
        "source": source,
        "rows": result.rows,
        "inserted": result.inserted,
        "replaced": result.replaced,
        "indicators": indicators,
    })
    .to_string();
    let before = if replaced_rows.is_empty() {
        None
    } else {
        Some(serde_json::json!({ "replaced": replaced_rows }).to_string())
    };
    audit::record(
        tx,
        &NewEntry {
            at: &crate::now(),
            actor,
            action: "import",
            entity: "observation",
            entity_id: source,
            plan_id: Some(plan_id),
            before: before.as_deref(),
            after: Some(&after),
        },
    )?;
    Ok(result)
}

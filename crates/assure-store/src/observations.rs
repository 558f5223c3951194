//! Observations in bulk: validated against the plan, written in one transaction by
//! each database's fast path (a prepared statement on SQLite, binary COPY on PostgreSQL).

use std::collections::{HashMap, HashSet};

use assure_plan::observation::{Observation, ObservationKey};
use assure_plan::{Diagnostic, Diagnostics};
use r2d2_postgres::postgres::binary_copy::BinaryCopyInWriter;
use r2d2_postgres::postgres::types::{ToSql, Type};
use serde::Serialize;

use crate::audit::{self, NewEntry};
use crate::sql::{BackendKind, Row, Tx, Value, returned_id};
use crate::{Store, StoreError};

/// What to do with a row whose key is already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportMode {
    /// Refuse the whole file: nothing is overwritten by accident.
    #[default]
    Insert,
    /// Replace the stored row; the audit entry keeps the old values.
    Replace,
    /// Re-import: rows equal to the stored ones are left alone, changed ones replaced
    /// (the audit entry keeps the old values) and new ones added, so that importing the
    /// same file twice changes nothing and a corrected file changes only what it corrects.
    Merge,
}

/// The file an import comes from, as recorded in the `data_import` table.
#[derive(Debug, Clone, Serialize)]
pub struct DataFile {
    /// Its name.
    pub name: String,
    /// SHA-256 of its bytes, in hex.
    pub checksum: String,
    /// Its layout (`assure`, `fingertips`, `demo`).
    pub format: String,
    /// Rows of the file that were not for this plan's areas and were left out on request.
    pub skipped: u64,
}

impl DataFile {
    /// The SHA-256 of a file's bytes, in hex, as recorded.
    pub fn checksum_of(bytes: &[u8]) -> String {
        use sha2::Digest;
        sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// What an observation import did.
#[derive(Debug, Clone, Serialize)]
pub struct ObservationImport {
    /// The import's id in the `data_import` table.
    pub import_id: i64,
    /// Rows read.
    pub rows: u64,
    /// Rows that were new.
    pub inserted: u64,
    /// Rows that replaced a stored one.
    pub replaced: u64,
    /// Rows equal to the stored ones (only with [`ImportMode::Merge`]).
    pub unchanged: u64,
}

/// One recorded import.
#[derive(Debug, Clone, Serialize)]
pub struct DataImport {
    /// Its id.
    pub id: i64,
    /// The plan.
    pub plan_id: String,
    /// When (RFC 3339).
    pub at: String,
    /// Who ran it.
    pub actor: String,
    /// The file, its checksum, layout and skipped rows.
    #[serde(flatten)]
    pub file: DataFile,
    /// Rows read.
    pub rows: u64,
    /// Rows added.
    pub inserted: u64,
    /// Rows replaced.
    pub replaced: u64,
    /// Rows left as they were.
    pub unchanged: u64,
    /// Whether it was illustrative data.
    pub illustrative: bool,
}

const COLUMNS: &str = "plan_id, indicator_id, area, period, breakdown, value, lower, upper, numerator, denominator, \
                       note, source, illustrative, import_id";

fn row_values(plan_id: &str, o: &Observation, import_id: Option<i64>) -> [Value; 14] {
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
        Value::Bool(o.illustrative),
        import_id.map_or(Value::Null, Value::Int),
    ]
}

/// The columns [`from_row`] reads, in its order.
const READ_COLUMNS: &str =
    "indicator_id, area, period, breakdown, value, lower, upper, numerator, denominator, note, source, illustrative";

fn from_row(r: &Row) -> Result<Observation, StoreError> {
    Ok(Observation {
        key: ObservationKey { indicator: r.text(0)?, area: r.text(1)?, period: r.text(2)?, breakdown: r.text(3)? },
        value: r.opt_float(4)?,
        lower: r.opt_float(5)?,
        upper: r.opt_float(6)?,
        numerator: r.opt_float(7)?,
        denominator: r.opt_float(8)?,
        note: r.opt_text(9)?,
        source: r.opt_text(10)?,
        illustrative: r.bool(11)?,
        line: 0,
    })
}

/// The ids of a plan's indicators and indicator parts.
pub(crate) fn indicator_ids(tx: &mut Tx<'_>, plan_id: &str) -> Result<HashSet<String>, StoreError> {
    let rows = tx.rows("indicator", "SELECT id FROM indicator WHERE plan_id = $1", &[plan_id.into()])?;
    rows.iter().map(|r| r.text(0)).collect()
}

pub(crate) fn list(tx: &mut Tx<'_>, plan_id: &str, indicator: Option<&str>) -> Result<Vec<Observation>, StoreError> {
    let select = format!("SELECT {READ_COLUMNS} FROM observation WHERE plan_id = $1");
    let rows = match indicator {
        Some(i) => tx.rows(
            "observation",
            &format!("{select} AND indicator_id = $2 ORDER BY indicator_id, area, period, breakdown"),
            &[plan_id.into(), i.into()],
        )?,
        None => tx.rows(
            "observation",
            &format!("{select} ORDER BY indicator_id, area, period, breakdown"),
            &[plan_id.into()],
        )?,
    };
    rows.iter().map(from_row).collect()
}

/// Insert rows known to be new and valid; a row found stored after all is reported
/// against `file`, the name of what the rows come from.
pub(crate) fn insert_rows(
    tx: &mut Tx<'_>,
    plan_id: &str,
    mut rows: Vec<&Observation>,
    import_id: Option<i64>,
    file: &str,
) -> Result<(), StoreError> {
    // In key order, the primary key's B-tree grows at its end instead of splitting pages
    // all over (measured on SQLite: 1M Fingertips rows in arbitrary order wrote several
    // times the pages).
    rows.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    let rows = rows.as_slice();
    if let Some(pg) = tx.postgres() {
        return copy_in(pg, "observation", plan_id, rows, import_id, file);
    }
    let sql = format!(
        "INSERT INTO observation ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    );
    for o in rows {
        tx.execute(&sql, &row_values(plan_id, o, import_id)).map_err(|e| conflict(e, o, file))?;
    }
    Ok(())
}

fn conflict(e: StoreError, o: &Observation, file: &str) -> StoreError {
    let message = e.to_string();
    if message.contains("UNIQUE constraint failed") {
        let message = format!(
            "an observation for indicator '{}', area '{}', period '{}'{} is already stored; \
             use --replace to replace stored values",
            o.key.indicator,
            o.key.area,
            o.key.period,
            if o.key.breakdown.is_empty() { String::new() } else { format!(", breakdown '{}'", o.key.breakdown) }
        );
        StoreError::Observations(Diagnostic::new(file, message).on_line(o.line).into())
    } else {
        e
    }
}

fn copy_in(
    pg: &mut r2d2_postgres::postgres::Transaction<'_>,
    table: &str,
    plan_id: &str,
    rows: &[&Observation],
    import_id: Option<i64>,
    file: &str,
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
        Type::BOOL,
        Type::INT8,
    ];
    let mut writer = BinaryCopyInWriter::new(sink, &types);
    for o in rows {
        let values = row_values(plan_id, o, import_id);
        let refs: [&(dyn ToSql + Sync); 14] = std::array::from_fn(|i| &values[i] as _);
        writer.write(&refs)?;
    }
    writer.finish().map_err(|e| {
        let m = crate::sql::pg_message(&e);
        if m.contains("duplicate key") {
            // COPY names the key, not the row: no line.
            let message = format!("an observation is already stored: {m}; use --replace to replace stored values");
            StoreError::Observations(Diagnostic::new(file, message).into())
        } else {
            StoreError::from(e)
        }
    })?;
    Ok(())
}

fn same_values(a: &Observation, b: &Observation) -> bool {
    a.value == b.value
        && a.lower == b.lower
        && a.upper == b.upper
        && a.numerator == b.numerator
        && a.denominator == b.denominator
        && a.note == b.note
        && a.source == b.source
        && a.illustrative == b.illustrative
}

/// Indicator data: importing observations, and reading them back.
impl Store {
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
        self.pool.write(|tx| {
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
            let mut problems = Diagnostics::new();
            let mut seen: HashMap<&ObservationKey, u64> = HashMap::with_capacity(rows.len());
            for o in rows {
                let at = |message: String| Diagnostic::new(file.name.as_str(), message).on_line(o.line);
                if !known.contains(&o.key.indicator) {
                    problems.push(
                        at(format!("indicator '{}' is not in plan '{plan_id}'", o.key.indicator)).in_field("indicator"),
                    );
                }
                if let Some(first) = seen.insert(&o.key, o.line) {
                    problems.push(at(format!("repeats line {first} (same indicator, area, period and breakdown)")));
                }
            }
            if !problems.is_empty() {
                return Err(StoreError::Observations(problems));
            }
            drop(seen);

            let illustrative = rows.iter().any(|o| o.illustrative);
            let import_rows = tx.rows(
                "data_import",
                    "INSERT INTO data_import (plan_id, at, actor, file_name, checksum, format, rows_read, inserted, replaced, \
                     unchanged, skipped, illustrative) VALUES ($1, $2, $3, $4, $5, $6, 0, 0, 0, 0, $7, $8) RETURNING id",
                    &[
                        plan_id.into(),
                        crate::now().as_str().into(),
                        actor.into(),
                        file.name.as_str().into(),
                        file.checksum.as_str().into(),
                        file.format.as_str().into(),
                        Value::Int(file.skipped as i64),
                        Value::Bool(illustrative),
                    ],
                )?;
            let import_id = returned_id(&import_rows, "data import")?;

            let mut replaced_rows = Vec::new();
            let mut unchanged = 0u64;
            match mode {
                ImportMode::Insert => insert_rows(tx, plan_id, rows.iter().collect(), Some(import_id), &file.name)?,
                ImportMode::Replace | ImportMode::Merge => {
                    let indicators: HashSet<&str> = rows.iter().map(|o| o.key.indicator.as_str()).collect();
                    let mut stored: HashMap<ObservationKey, Observation> = HashMap::new();
                    for i in indicators {
                        for o in list(tx, plan_id, Some(i))? {
                            stored.insert(o.key.clone(), o);
                        }
                    }
                    let mut write = Vec::with_capacity(rows.len());
                    for o in rows {
                        match stored.remove(&o.key) {
                            None => write.push(o),
                            Some(old) if mode == ImportMode::Merge && same_values(&old, o) => unchanged += 1,
                            Some(old) => {
                                tx.execute(
                                    "DELETE FROM observation WHERE plan_id = $1 AND indicator_id = $2 AND area = $3 \
                                     AND period = $4 AND breakdown = $5",
                                    &row_values(plan_id, o, None)[..5],
                                )?;
                                replaced_rows.push(old);
                                write.push(o);
                            }
                        }
                    }
                    insert_rows(tx, plan_id, write, Some(import_id), &file.name)?;
                }
            }

            let result = ObservationImport {
                import_id,
                rows: rows.len() as u64,
                inserted: rows.len() as u64 - replaced_rows.len() as u64 - unchanged,
                replaced: replaced_rows.len() as u64,
                unchanged,
            };
            tx.execute(
                "UPDATE data_import SET rows_read = $1, inserted = $2, replaced = $3, unchanged = $4 WHERE id = $5",
                &[
                    Value::Int(result.rows as i64),
                    Value::Int(result.inserted as i64),
                    Value::Int(result.replaced as i64),
                    Value::Int(result.unchanged as i64),
                    Value::Int(import_id),
                ],
            )?;
            let mut indicators: Vec<&str> = rows.iter().map(|o| o.key.indicator.as_str()).collect();
            indicators.sort_unstable();
            indicators.dedup();
            let after = serde_json::json!({
                "import_id": import_id,
                "file": file,
                "illustrative": illustrative,
                "rows": result.rows,
                "inserted": result.inserted,
                "replaced": result.replaced,
                "unchanged": result.unchanged,
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
                    entity_id: &file.name,
                    plan_id: Some(plan_id),
                    before: before.as_deref(),
                    after: Some(&after),
                },
            )?;
            Ok(result)
        })
    }

    /// A plan's observations, for one indicator or all, in key order.
    pub fn observations(&self, plan_id: &str, indicator: Option<&str>) -> Result<Vec<Observation>, StoreError> {
        self.pool.read(|tx| list(tx, plan_id, indicator))
    }

    /// One indicator's observations for everyone (no breakdown) in the given areas, in key order.
    pub fn headline_observations(
        &self,
        plan_id: &str,
        indicator: &str,
        areas: &[&str],
    ) -> Result<Vec<Observation>, StoreError> {
        self.pool.read(|tx| {
            if areas.is_empty() {
                return Ok(Vec::new());
            }
            let placeholders: Vec<String> = (0..areas.len()).map(|i| format!("${}", i + 3)).collect();
            let sql = format!(
                "SELECT {READ_COLUMNS} FROM observation WHERE plan_id = $1 AND indicator_id = $2 AND area IN ({}) \
                 AND breakdown = '' ORDER BY area, period",
                placeholders.join(", ")
            );
            let mut params: Vec<Value> = vec![plan_id.into(), indicator.into()];
            params.extend(areas.iter().map(|a| Value::from(*a)));
            tx.rows("observation", &sql, &params)?.iter().map(from_row).collect()
        })
    }

    /// The data imports of a plan, newest first.
    pub fn data_imports(&self, plan_id: &str) -> Result<Vec<DataImport>, StoreError> {
        let rows = self.pool.read(|tx| {
            tx.rows(
                "data_import",
                "SELECT id, plan_id, at, actor, file_name, checksum, format, skipped, rows_read, inserted, replaced, \
                 unchanged, illustrative FROM data_import WHERE plan_id = $1 ORDER BY id DESC",
                &[plan_id.into()],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(DataImport {
                    id: r.int(0)?,
                    plan_id: r.text(1)?,
                    at: r.text(2)?,
                    actor: r.text(3)?,
                    file: DataFile { name: r.text(4)?, checksum: r.text(5)?, format: r.text(6)?, skipped: r.count(7)? },
                    rows: r.count(8)?,
                    inserted: r.count(9)?,
                    replaced: r.count(10)?,
                    unchanged: r.count(11)?,
                    illustrative: r.bool(12)?,
                })
            })
            .collect()
    }
}

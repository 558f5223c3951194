//! Observations in bulk: validated against the plan, written in one transaction by
//! each database's fast path (a prepared statement on SQLite, binary COPY on PostgreSQL).

use std::collections::{BTreeSet, HashMap, HashSet};

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

/// The checksum of a file read in pieces: the same as [`DataFile::checksum_of`] its bytes.
#[derive(Debug, Clone, Default)]
pub struct Checksum(sha2::Sha256);

impl Checksum {
    /// The next bytes of the file.
    pub fn update(&mut self, bytes: &[u8]) {
        use sha2::Digest;
        self.0.update(bytes);
    }

    /// The SHA-256 of every byte given, in hex.
    pub fn hex(self) -> String {
        use sha2::Digest;
        self.0.finalize().iter().map(|b| format!("{b:02x}")).collect()
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

/// Rows written between sorts: in key order, the primary key's B-tree grows where the
/// last row went instead of splitting pages all over (measured on SQLite: 1M Fingertips
/// rows in file order wrote several times the pages); a chunk is a bounded buffer
/// (about 20 MB), so a file of any size is written in the same memory.
const CHUNK: usize = 65_536;

/// The columns of the table an import is staged in before it is compared with what is
/// stored (merge, replace): the observation's, without plan and import.
const STAGED_COLUMNS: &str =
    "indicator_id, area, period, breakdown, value, lower, upper, numerator, denominator, note, source, illustrative";

/// Where a stream of rows goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// Straight into `observation`.
    Observation,
    /// Into the temporary `observation_import` (see [`STAGED_COLUMNS`]).
    Staged,
}

/// What a stream of rows held, counted as it was written.
#[derive(Default)]
struct Tally {
    rows: u64,
    illustrative: bool,
    indicators: BTreeSet<String>,
    problems: Diagnostics,
}

/// Write `rows` to `target`, in sorted chunks: a prepared INSERT on SQLite, one binary
/// COPY on PostgreSQL (fed while the rows are still being read). A row of an indicator
/// not in `known` is reported and not written; a source's own problems stop it.
#[allow(clippy::too_many_arguments)]
fn write_stream(
    tx: &mut Tx<'_>,
    target: Target,
    plan_id: &str,
    import_id: i64,
    file: &str,
    known: &HashSet<String>,
    rows: &mut dyn Iterator<Item = Result<Observation, Diagnostics>>,
    tally: &mut Tally,
) -> Result<(), StoreError> {
    let (table, columns, range) = match target {
        Target::Observation => ("observation", COLUMNS, 0..14),
        Target::Staged => ("observation_import", STAGED_COLUMNS, 1..13),
    };
    let mut chunk: Vec<Observation> = Vec::with_capacity(CHUNK);
    let mut next_chunk = |tally: &mut Tally, chunk: &mut Vec<Observation>| -> Result<bool, StoreError> {
        chunk.clear();
        for row in &mut *rows {
            let o = row.map_err(StoreError::Observations)?;
            tally.rows += 1;
            if !known.contains(&o.key.indicator) {
                tally.problems.push(
                    Diagnostic::new(file, format!("indicator '{}' is not in plan '{plan_id}'", o.key.indicator))
                        .on_line(o.line)
                        .in_field("indicator"),
                );
                continue;
            }
            tally.illustrative |= o.illustrative;
            if !tally.indicators.contains(&o.key.indicator) {
                tally.indicators.insert(o.key.indicator.clone());
            }
            chunk.push(o);
            if chunk.len() == CHUNK {
                break;
            }
        }
        chunk.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        Ok(!chunk.is_empty())
    };
    if let Some(pg) = tx.postgres() {
        let sink = pg.copy_in(&format!("COPY {table} ({columns}) FROM STDIN (FORMAT binary)"))?;
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
        let mut writer = BinaryCopyInWriter::new(sink, &types[range.clone()]);
        while next_chunk(tally, &mut chunk)? {
            for o in &chunk {
                let values = row_values(plan_id, o, Some(import_id));
                let refs: Vec<&(dyn ToSql + Sync)> = values[range.clone()].iter().map(|v| v as _).collect();
                writer.write(&refs)?;
            }
        }
        writer.finish().map_err(|e| {
            let m = crate::sql::pg_message(&e);
            if m.contains("duplicate key") {
                // COPY names the key, not the row: no line.
                let message = match target {
                    Target::Observation => {
                        format!("an observation is already stored: {m}; use --replace to replace stored values")
                    }
                    Target::Staged => format!("a row repeats an earlier one: {m}"),
                };
                StoreError::Observations(Diagnostic::new(file, message).into())
            } else {
                StoreError::from(e)
            }
        })?;
        return Ok(());
    }
    let placeholders: Vec<String> = (1..=range.len()).map(|i| format!("${i}")).collect();
    let sql = format!("INSERT INTO {table} ({columns}) VALUES ({})", placeholders.join(", "));
    while next_chunk(tally, &mut chunk)? {
        for o in &chunk {
            let values = row_values(plan_id, o, Some(import_id));
            tx.execute(&sql, &values[range.clone()]).map_err(|e| conflict(e, o, file, target))?;
        }
    }
    Ok(())
}

fn conflict(e: StoreError, o: &Observation, file: &str, target: Target) -> StoreError {
    let message = e.to_string();
    if !message.contains("UNIQUE constraint failed") {
        return e;
    }
    let key = format!(
        "indicator '{}', area '{}', period '{}'{}",
        o.key.indicator,
        o.key.area,
        o.key.period,
        if o.key.breakdown.is_empty() { String::new() } else { format!(", breakdown '{}'", o.key.breakdown) }
    );
    let message = match target {
        Target::Observation => {
            format!("an observation for {key} is already stored; use --replace to replace stored values")
        }
        Target::Staged => format!("repeats an earlier row: {key}"),
    };
    StoreError::Observations(Diagnostic::new(file, message).on_line(o.line).into())
}

/// The rows of a stream compared with those stored (see [`ImportMode`]) through the
/// temporary `observation_import`, in SQL, so that neither side is held in memory:
/// returns the stored rows replaced (for the audit entry) and how many were unchanged.
fn merge_staged(
    tx: &mut Tx<'_>,
    plan_id: &str,
    import_id: i64,
    mode: ImportMode,
) -> Result<(Vec<Observation>, u64), StoreError> {
    // `s` is the staged row (the table's own name where a DELETE names it), `o` the stored.
    let same_key = |s: &str| {
        format!(
            "o.plan_id = $1 AND o.indicator_id = {s}.indicator_id AND o.area = {s}.area \
             AND o.period = {s}.period AND o.breakdown = {s}.breakdown"
        )
    };
    let mut unchanged = 0;
    if mode == ImportMode::Merge {
        let s = "observation_import";
        let same_values: Vec<String> = ["value", "lower", "upper", "numerator", "denominator", "note", "source"]
            .iter()
            .map(|c| format!("o.{c} IS NOT DISTINCT FROM {s}.{c}"))
            .collect();
        unchanged = tx.execute(
            &format!(
                "DELETE FROM observation_import WHERE EXISTS (SELECT 1 FROM observation o WHERE {} AND {} \
                 AND o.illustrative = {s}.illustrative)",
                same_key(s),
                same_values.join(" AND ")
            ),
            &[plan_id.into()],
        )?;
    }
    let columns: Vec<String> = READ_COLUMNS.split(", ").map(|c| format!("o.{c}")).collect();
    let replaced = tx
        .rows(
            "observation",
            &format!(
                "SELECT {} FROM observation o JOIN observation_import s ON {} \
                 ORDER BY o.indicator_id, o.area, o.period, o.breakdown",
                columns.join(", "),
                same_key("s")
            ),
            &[plan_id.into()],
        )?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>, _>>()?;
    if !replaced.is_empty() {
        tx.execute(
            "DELETE FROM observation WHERE plan_id = $1 AND EXISTS (SELECT 1 FROM observation_import s \
             WHERE s.indicator_id = observation.indicator_id AND s.area = observation.area \
             AND s.period = observation.period AND s.breakdown = observation.breakdown)",
            &[plan_id.into()],
        )?;
    }
    tx.execute(
        &format!(
            "INSERT INTO observation ({COLUMNS}) SELECT CAST($1 AS TEXT), {STAGED_COLUMNS}, CAST($2 AS BIGINT) \
             FROM observation_import ORDER BY indicator_id, area, period, breakdown"
        ),
        &[plan_id.into(), Value::Int(import_id)],
    )?;
    tx.execute("DROP TABLE observation_import", &[])?;
    Ok((replaced, unchanged))
}

/// Hold the plan row until commit, so that the plan cannot be deleted or replaced
/// between checking the indicators and writing the rows (SQLite's write transaction
/// already excludes every other writer); the ids of its indicators.
fn lock_plan(tx: &mut Tx<'_>, plan_id: &str) -> Result<HashSet<String>, StoreError> {
    let lock = match tx.kind() {
        BackendKind::Sqlite => "SELECT 1 FROM plan WHERE id = $1",
        BackendKind::Postgres => "SELECT 1 FROM plan WHERE id = $1 FOR SHARE",
    };
    if tx.query(lock, &[plan_id.into()])?.is_empty() {
        return Err(StoreError::NoSuchPlan(plan_id.to_owned()));
    }
    indicator_ids(tx, plan_id)
}

/// The import itself: its record, the rows (straight into `observation` when nothing of
/// the plan's is stored or only new rows are allowed, else staged and compared in SQL),
/// the counts and the audit entry. `read` tells, once the rows are all read, what the
/// file was (its checksum, layout and rows skipped); before, the record has its name.
#[allow(clippy::too_many_arguments)]
fn write_import(
    tx: &mut Tx<'_>,
    plan_id: &str,
    name: &str,
    mode: ImportMode,
    actor: &str,
    known: &HashSet<String>,
    rows: &mut dyn Iterator<Item = Result<Observation, Diagnostics>>,
    read: impl FnOnce() -> Result<DataFile, Diagnostics>,
) -> Result<ObservationImport, StoreError> {
    let import_rows = tx.rows(
        "data_import",
        "INSERT INTO data_import (plan_id, at, actor, file_name, checksum, format, rows_read, inserted, replaced, \
         unchanged, skipped, illustrative) VALUES ($1, $2, $3, $4, $5, $6, 0, 0, 0, 0, $7, $8) RETURNING id",
        &[
            plan_id.into(),
            crate::now().as_str().into(),
            actor.into(),
            name.into(),
            "".into(),
            "".into(),
            Value::Int(0),
            Value::Bool(false),
        ],
    )?;
    let import_id = returned_id(&import_rows, "data import")?;

    let nothing_stored =
        tx.query("SELECT 1 FROM observation WHERE plan_id = $1 LIMIT 1", &[plan_id.into()])?.is_empty();
    let mut tally = Tally::default();
    let (replaced_rows, unchanged) = if mode == ImportMode::Insert || nothing_stored {
        write_stream(tx, Target::Observation, plan_id, import_id, name, known, rows, &mut tally)?;
        (Vec::new(), 0)
    } else {
        let (real, boolean, temporary) = match tx.kind() {
            BackendKind::Sqlite => ("REAL", "INTEGER", ""),
            BackendKind::Postgres => ("DOUBLE PRECISION", "BOOLEAN", " ON COMMIT DROP"),
        };
        tx.batch(&format!(
            "CREATE TEMPORARY TABLE observation_import (indicator_id TEXT NOT NULL, area TEXT NOT NULL, \
             period TEXT NOT NULL, breakdown TEXT NOT NULL, value {real}, lower {real}, upper {real}, \
             numerator {real}, denominator {real}, note TEXT, source TEXT, illustrative {boolean} NOT NULL, \
             PRIMARY KEY (indicator_id, area, period, breakdown)){temporary}"
        ))?;
        write_stream(tx, Target::Staged, plan_id, import_id, name, known, rows, &mut tally)?;
        if tally.problems.is_empty() { merge_staged(tx, plan_id, import_id, mode)? } else { (Vec::new(), 0) }
    };
    if !tally.problems.is_empty() {
        return Err(StoreError::Observations(tally.problems));
    }
    let file = read().map_err(StoreError::Observations)?;

    let result = ObservationImport {
        import_id,
        rows: tally.rows,
        inserted: tally.rows - replaced_rows.len() as u64 - unchanged,
        replaced: replaced_rows.len() as u64,
        unchanged,
    };
    tx.execute(
        "UPDATE data_import SET rows_read = $1, inserted = $2, replaced = $3, unchanged = $4, illustrative = $5, \
         checksum = $6, format = $7, skipped = $8 WHERE id = $9",
        &[
            Value::Int(result.rows as i64),
            Value::Int(result.inserted as i64),
            Value::Int(result.replaced as i64),
            Value::Int(result.unchanged as i64),
            Value::Bool(tally.illustrative),
            file.checksum.as_str().into(),
            file.format.as_str().into(),
            Value::Int(file.skipped as i64),
            Value::Int(import_id),
        ],
    )?;
    let after = serde_json::json!({
        "import_id": import_id,
        "file": file,
        "illustrative": tally.illustrative,
        "rows": result.rows,
        "inserted": result.inserted,
        "replaced": result.replaced,
        "unchanged": result.unchanged,
        "indicators": tally.indicators,
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
            let known = lock_plan(tx, plan_id)?;
            // The rows are in memory already: every problem of every row, before writing.
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
            let rows = &mut rows.iter().cloned().map(Ok);
            write_import(tx, plan_id, &file.name, mode, actor, &known, rows, || Ok(file.clone()))
        })
    }

    /// Store observations as they are read, in one transaction (see [`ImportMode`]), in
    /// memory that does not grow with their number: for a file too large to hold, written
    /// while it is still being read and checked. A key twice stops the import (the
    /// reader finds which rows; see `assure_tracking::KeyPrints`); a row of an indicator
    /// not in the plan is reported by its line. An `Err` from `rows` (a row was wrong, or
    /// the file could not be read) stops the import with its problems, as does an `Err`
    /// from `read`, asked once the rows are all read for what the file was (`name`, the
    /// file as messages name it, is known before). Nothing is written unless every row is.
    pub fn import_observation_rows(
        &self,
        plan_id: &str,
        name: &str,
        mode: ImportMode,
        actor: &str,
        rows: impl IntoIterator<Item = Result<Observation, Diagnostics>>,
        read: impl FnOnce() -> Result<DataFile, Diagnostics>,
    ) -> Result<ObservationImport, StoreError> {
        let mut rows = rows.into_iter();
        self.pool.write(|tx| {
            let known = lock_plan(tx, plan_id)?;
            write_import(tx, plan_id, name, mode, actor, &known, &mut rows, read)
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

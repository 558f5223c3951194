//! The partnership's settings ([`Settings`]), one row per key in `setting`, read and
//! saved whole.
//!
//! Saving writes every changed key in one transaction and audits each (entity
//! `setting`): the web site's revision counts those entries, so a change is shown at
//! once, even when another process made it.

use assure_plan::delivery::{STALE_DAYS_RANGE, Settings};

use crate::audit::{self, NewEntry};
use crate::sql::{Row, Tx};
use crate::{Store, StoreError, now};

/// The key of [`Settings::stale_days`].
const STALE_DAYS: &str = "stale_days";
/// The key of [`Settings::approval_required`] (`true` or `false`).
const APPROVAL_REQUIRED: &str = "approval_required";

/// The stored value of each key that is set.
fn stored(tx: &mut Tx<'_>) -> Result<Vec<(String, Row)>, StoreError> {
    tx.rows("setting", "SELECT key, value FROM setting ORDER BY key", &[])?
        .into_iter()
        .map(|r| Ok((r.text(0)?, r)))
        .collect()
}

fn read(tx: &mut Tx<'_>) -> Result<Settings, StoreError> {
    let mut settings = Settings::default();
    for (key, row) in stored(tx)? {
        match key.as_str() {
            STALE_DAYS => {
                let (from, to) = (STALE_DAYS_RANGE.start(), STALE_DAYS_RANGE.end());
                let expected = format!("a whole number of days from {from} to {to}");
                settings.stale_days =
                    row.parsed(1, &expected, |v| v.parse().ok().filter(|d| STALE_DAYS_RANGE.contains(d)))?;
            }
            APPROVAL_REQUIRED => {
                settings.approval_required = row.parsed(1, "true or false", |v| match v {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                })?;
            }
            // A key this version does not know (written by a newer one) is left alone.
            _ => {}
        }
    }
    Ok(settings)
}

/// The settings, as one struct.
impl Store {
    /// The settings: each key not set takes its default; a stored value that cannot be
    /// read is [`StoreError::Corrupt`], never the default.
    pub fn settings(&self) -> Result<Settings, StoreError> {
        self.pool.read(read)
    }

    /// Save the settings in one transaction, writing and auditing each key whose value
    /// changes (a key not set counts as its default). Settings with a problem ([`Settings::problems`]) are refused with
    /// [`StoreError::Rejected`] naming the field, and nothing is written.
    pub fn save_settings(&self, settings: &Settings, actor: &str) -> Result<(), StoreError> {
        if let Some((field, message)) = settings.problems().into_iter().next() {
            return Err(StoreError::Rejected { field, message });
        }
        let values = |s: &Settings| {
            [(STALE_DAYS, s.stale_days.to_string()), (APPROVAL_REQUIRED, s.approval_required.to_string())]
        };
        let (values, defaults) = (values(settings), values(&Settings::default()));
        self.pool.write(|tx| {
            // The stored text, not the parsed value: saving repairs a value that cannot be read.
            let before = stored(tx)?;
            let at = now();
            for ((key, value), (_, default)) in values.iter().zip(&defaults) {
                let old = match before.iter().find(|(k, _)| k == key) {
                    Some((_, row)) => row.opt_text(1)?,
                    None => None,
                };
                // A key not set has its default: saving that is no change.
                if old.as_deref().unwrap_or(default) == value {
                    continue;
                }
                tx.execute("DELETE FROM setting WHERE key = $1", &[(*key).into()])?;
                tx.execute(
                    "INSERT INTO setting (key, value) VALUES ($1, $2)",
                    &[(*key).into(), value.as_str().into()],
                )?;
                let json = |v: &str| serde_json::Value::from(v).to_string();
                audit::record(
                    tx,
                    &NewEntry {
                        at: &at,
                        actor,
                        action: "set",
                        entity: "setting",
                        entity_id: key,
                        plan_id: None,
                        before: old.as_deref().map(json).as_deref(),
                        after: Some(&json(value)),
                    },
                )?;
            }
            Ok(())
        })
    }
}

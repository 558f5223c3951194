//! Reports as issued: when each kind of report was generated for a subject, by whom,
//! with the snapshot of what it showed (so the next one can say what changed since).

use crate::audit::{self, NewEntry};
use crate::{Store, StoreError, now};

/// Issued reports.
impl Store {
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
        self.pool.write(|tx| {
            let at = now();
            tx.execute(
                "INSERT INTO report_run (plan_id, kind, subject, generated_at, generated_by, snapshot) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[plan_id.into(), kind.into(), subject.into(), at.as_str().into(), actor.into(), snapshot.into()],
            )?;
            audit::record(
                tx,
                &NewEntry {
                    at: &at,
                    actor,
                    action: "issue",
                    entity: "report",
                    entity_id: &format!("{kind}:{subject}"),
                    plan_id: Some(plan_id),
                    before: None,
                    after: None,
                },
            )?;
            Ok(at)
        })
    }

    /// The latest issued report of a kind and subject: when, and its snapshot.
    pub fn last_report(
        &self,
        plan_id: &str,
        kind: &str,
        subject: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        let rows = self.pool.read(|tx| {
            tx.rows(
                "report_run",
                "SELECT generated_at, snapshot FROM report_run WHERE plan_id = $1 AND kind = $2 AND subject = $3 \
                 ORDER BY id DESC LIMIT 1",
                &[plan_id.into(), kind.into(), subject.into()],
            )
        })?;
        rows.first().map(|r| Ok((r.text(0)?, r.text(1)?))).transpose()
    }
}

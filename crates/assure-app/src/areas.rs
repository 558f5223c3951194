//! Geography from files: the primary care networks, GP practices and localities an ICS
//! keeps in a spreadsheet, imported into a draft of the plan.
//!
//! Areas go into a draft only, never straight into the published plan: what the public
//! sees changes when the draft is published, after its check and its diff. The file is
//! read and merged by [`assure_plan::areas_file`] (every problem by line; nothing saved
//! on any), and the draft is saved with one audited change holding the areas added and
//! changed, before and after.

use assure_plan::areas_file::{AreaChange, merge_areas_file};
use assure_plan::{Area, Diagnostic};
use assure_store::{Account, DraftChange};
use serde::Serialize;

use crate::{App, AppError, check_plan};

/// An areas file to import into a draft.
#[derive(Debug, Clone, Copy)]
pub struct AreasImport<'a> {
    /// The draft's id.
    pub draft: &'a str,
    /// The file's name (it names the problems, and the audit entry).
    pub file_name: &'a str,
    /// The file: CSV, or an `.xlsx` workbook (its first sheet).
    pub bytes: &'a [u8],
}

/// What an import of areas did to the draft.
#[derive(Debug, Clone, Serialize)]
pub struct AreasImported {
    /// The draft.
    pub draft: String,
    /// The file's name.
    pub file: String,
    /// Areas new to the draft, in the file's order.
    pub added: Vec<Area>,
    /// Areas of the draft the file changed.
    pub changed: Vec<AreaChange>,
    /// Rows that matched an area of the draft exactly.
    pub unchanged: usize,
    /// What `assure check` says of the draft now (problems block publishing; the file's
    /// own areas have none, or nothing would have been saved).
    pub problems: Vec<Diagnostic>,
}

impl AreasImported {
    /// "3 added, 1 changed, 40 unchanged".
    pub fn counts(&self) -> String {
        format!("{} added, {} changed, {} unchanged", self.added.len(), self.changed.len(), self.unchanged)
    }
}

impl App {
    /// Import an areas file into a draft, for a person: plan editors only (see
    /// [`crate::may_edit_plan`]).
    pub fn import_areas(&self, account: &Account, import: &AreasImport<'_>) -> Result<AreasImported, AppError> {
        self.require_plan_editor(account)?;
        self.import_areas_as(&account.username, import)
    }

    /// Import an areas file into a draft as `actor`, who holds the database itself (the
    /// command line, like `assure import`). A stored (published) plan is refused: areas go
    /// into a draft, which is published after its check.
    pub fn import_areas_as(&self, actor: &str, import: &AreasImport<'_>) -> Result<AreasImported, AppError> {
        let Some(draft) = self.store.draft(import.draft)? else {
            let message = if self.store.plans()?.iter().any(|p| p.id == import.draft) {
                format!(
                    "'{}' is a stored plan, not a draft: areas are imported into a draft of it, which is published after its check",
                    import.draft
                )
            } else {
                format!("There is no draft '{}'", import.draft)
            };
            return Err(AppError::Rejected(vec![("plan", message)]));
        };
        let merge = merge_areas_file(&draft.plan, import.file_name, import.bytes)
            .map_err(|problems| AppError::InvalidFile { file: import.file_name.to_owned(), problems })?;
        if !merge.added.is_empty() || !merge.changed.is_empty() {
            let before = serde_json::to_value(merge.changed.iter().map(|c| &c.before).collect::<Vec<_>>())
                .map_err(|e| AppError::Store(assure_store::StoreError::Corrupt(e.to_string())))?;
            let after = serde_json::to_value(
                merge.added.iter().chain(merge.changed.iter().map(|c| &c.after)).collect::<Vec<_>>(),
            )
            .map_err(|e| AppError::Store(assure_store::StoreError::Corrupt(e.to_string())))?;
            let change = DraftChange {
                action: "import",
                entity: "area",
                entity_id: import.file_name,
                before: Some(before),
                after: Some(after),
            };
            self.store.save_draft(import.draft, &merge.plan, actor, &change)?;
        }
        Ok(AreasImported {
            draft: import.draft.to_owned(),
            file: import.file_name.to_owned(),
            problems: check_plan(&merge.plan),
            added: merge.added,
            changed: merge.changed,
            unchanged: merge.unchanged,
        })
    }
}

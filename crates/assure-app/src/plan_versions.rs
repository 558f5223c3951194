//! Versions of the plan: drafts started from a stored version and edited on the web, and
//! what `assure check` says of them.
//!
//! A draft is checked exactly as a plan directory is: it is written as its files
//! ([`assure_plan::write::to_files`]) and those files are loaded ([`assure_plan::load`]),
//! so the web editor and the files are two ways into one model and one validation.

use assure_plan::{Diagnostic, LoadError, Plan};
use assure_store::{Account, Draft, Permission, Role};

use crate::{App, AppError};

/// Whether the account may start, edit and publish drafts: an admin, or an account with
/// the plan-editor permission.
pub fn may_edit_plan(app: &App, account: &Account) -> Result<bool, AppError> {
    Ok(account.role == Role::Admin || app.store.has_permission(account.id, Permission::PlanEditor)?)
}

/// What `assure check` would report of the plan, every problem (none: it may be published).
pub fn check_plan(plan: &Plan) -> Vec<Diagnostic> {
    let files = match assure_plan::write::to_files(plan) {
        Ok(files) => files,
        Err(e) => return vec![Diagnostic::new(e.file, e.source.to_string())],
    };
    match assure_plan::load(&files) {
        Ok(_) => Vec::new(),
        Err(LoadError::Invalid(problems)) => problems,
        Err(e @ LoadError::Io { .. }) => vec![Diagnostic::new("plan", e.to_string())],
    }
}

/// Why a plan id cannot be a new version's, if it cannot: the ids of stored plans are
/// lower-case slugs (`kent-and-medway-2026-28`).
pub fn plan_id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        Some("Enter an id for the new version, such as kent-and-medway-2026-28".into())
    } else if id.len() > 64 {
        Some("The id must be 64 characters or fewer".into())
    } else if !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        || !id.starts_with(|c: char| c.is_ascii_alphanumeric())
    {
        Some("The id can only have lower-case letters, digits, hyphens and full stops, and starts with a letter or digit".into())
    } else {
        None
    }
}

impl App {
    /// Refused unless the account may edit the plan (see [`may_edit_plan`]).
    pub fn require_plan_editor(&self, account: &Account) -> Result<(), AppError> {
        if may_edit_plan(self, account)? {
            Ok(())
        } else {
            Err(AppError::Forbidden("Only admins and plan editors can change the plan.".into()))
        }
    }

    /// Start a draft as a copy of `from` (a stored plan, or another draft) under the new
    /// id, optionally with a new title.
    pub fn start_draft(
        &self,
        account: &Account,
        from: &str,
        new_id: &str,
        title: Option<&str>,
    ) -> Result<Draft, AppError> {
        self.require_plan_editor(account)?;
        if let Some(problem) = plan_id_problem(new_id) {
            return Err(AppError::Rejected(vec![("id", problem)]));
        }
        let mut plan = match self.store.draft(from)? {
            Some(draft) => draft.plan,
            None => self.store.plan(from)?,
        };
        plan.meta.id = assure_plan::Sp::new(0..0, new_id.to_owned());
        if let Some(title) = title.map(str::trim).filter(|t| !t.is_empty()) {
            title.clone_into(&mut plan.meta.title);
        }
        match self.store.create_draft(&plan, Some(from), &account.username) {
            Err(assure_store::StoreError::PlanExists(id)) => Err(AppError::Rejected(vec![(
                "id",
                format!("There is already a version with the id {id}: choose another"),
            )])),
            other => Ok(other?),
        }
    }

    /// Give `username` the plan-editor permission, or take it away (admins only).
    pub fn set_plan_editor(&self, admin: &Account, username: &str, on: bool) -> Result<(), AppError> {
        crate::require_admin(admin)?;
        let account = self
            .store
            .account(username)?
            .ok_or_else(|| AppError::NotFound { what: "account", id: username.to_owned() })?;
        if self.store.has_permission(account.id, Permission::PlanEditor)? != on {
            self.store.set_permission(username, Permission::PlanEditor, on, &admin.username)?;
        }
        Ok(())
    }
}

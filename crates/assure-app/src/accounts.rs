//! People: the organisations an account works for, as a person names them.

use assure_plan::Plan;
use assure_store::{Account, Permission};

use crate::{App, AppError};

/// The ids of the organisations named (by id, name or alias, as on the organisations
/// page), in order; or the first name that is no organisation of the plan. Both the
/// admin page and `assure user` resolve names here, and word the refusal their way.
pub fn organisation_ids<'a>(plan: &Plan, keys: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, String> {
    keys.into_iter()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| plan.organisation(k).map(|o| o.id.get_ref().clone()).ok_or_else(|| k.to_owned()))
        .collect()
}

impl App {
    /// An admin gives `username` a permission (moderator, plan editor), or takes it away;
    /// nothing is changed (or audited) when the account already is as asked.
    pub fn set_permission(
        &self,
        admin: &Account,
        username: &str,
        permission: Permission,
        on: bool,
    ) -> Result<(), AppError> {
        crate::require_admin(admin)?;
        let account = self
            .store
            .account(username)?
            .ok_or_else(|| AppError::NotFound { what: "account", id: username.to_owned() })?;
        if self.store.has_permission(account.id, permission)? != on {
            self.store.set_permission(username, permission, on, &admin.username)?;
        }
        Ok(())
    }
}

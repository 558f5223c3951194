//! Delivery updates: who may report on a milestone or delivering plan, recording an
//! update (published at once, or awaiting approval), reviewing it, and milestones added
//! by partners. The web form, the JSON API and the command line all come through here.

use assure_plan::Plan;
use assure_plan::delivery::{AddedMilestone, DeliveryUpdate, ItemKind, Publication, UpdateFields};
use assure_store::{Account, Role};
use assure_tracking::delivery::Delivery;

use crate::{App, AppError};

/// Whether this person may update the milestone or delivering plan: an admin always; an
/// editor when one of their organisations (or one of its directorates) leads it; a
/// viewer never.
pub fn may_update(account: &Account, plan: &Plan, delivery: &Delivery, kind: ItemKind, item: &str) -> bool {
    match account.role {
        Role::Admin => true,
        Role::Viewer => false,
        Role::Editor => plan.led_by_any(&delivery.leads(plan, kind, item), &account.organisations),
    }
}

/// Why this person may not update the item, in words for them.
pub fn refusal(account: &Account, plan: &Plan, kind: ItemKind) -> String {
    match account.role {
        Role::Viewer => "Viewers can read drafts and notes but cannot change anything.".into(),
        _ => format!(
            "You can update only what your organisations lead. This {} is not led by {}.",
            what(kind),
            account.organisations.iter().map(|o| plan.organisation_name(o)).collect::<Vec<_>>().join(" or ")
        ),
    }
}

/// The item kind in words.
fn what(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Milestone => "milestone",
        ItemKind::DeliveringPlan => "strategy or plan",
    }
}

/// The item exists in the plan (or among the milestones partners added), or 404.
pub fn require_item(plan: &Plan, delivery: &Delivery, kind: ItemKind, item: &str) -> Result<(), AppError> {
    let exists = match kind {
        ItemKind::Milestone => delivery.milestone(plan, item).is_some(),
        ItemKind::DeliveringPlan => plan.delivering_plan(item).is_some(),
    };
    if exists { Ok(()) } else { Err(AppError::NotFound { what: what(kind), id: item.to_owned() }) }
}

/// The item exists and this person may update it (checked before a form is shown, and
/// again when it is sent).
pub fn require_may_update(
    account: &Account,
    plan: &Plan,
    delivery: &Delivery,
    kind: ItemKind,
    item: &str,
) -> Result<(), AppError> {
    require_item(plan, delivery, kind, item)?;
    if may_update(account, plan, delivery, kind, item) {
        Ok(())
    } else {
        Err(AppError::Forbidden(refusal(account, plan, kind)))
    }
}

impl App {
    /// Record an update of a milestone or delivering plan by someone allowed to make it:
    /// published at once, or awaiting approval when approval is on and they are not an
    /// admin. Refused, with every problem by field, when the fields are wrong.
    pub fn record_update(
        &self,
        account: &Account,
        plan: &Plan,
        delivery: &Delivery,
        kind: ItemKind,
        item: &str,
        fields: &UpdateFields,
    ) -> Result<DeliveryUpdate, AppError> {
        require_may_update(account, plan, delivery, kind, item)?;
        let draft = fields.draft().map_err(AppError::Rejected)?;
        let publication = if delivery.approval_required && account.role != Role::Admin {
            Publication::Pending
        } else {
            Publication::Published
        };
        Ok(self.store.add_update(plan.meta.id.get_ref(), kind, item, &draft, publication, &account.username)?)
    }

    /// Approve (publish) or reject an update awaiting approval (admins only).
    pub fn review_update(
        &self,
        account: &Account,
        plan_id: &str,
        update: i64,
        approve: bool,
    ) -> Result<DeliveryUpdate, AppError> {
        require_admin(account)?;
        Ok(self.store.review_update(plan_id, update, approve, &account.username)?)
    }

    /// Add a milestone to a delivering plan the person may update.
    pub fn add_milestone(
        &self,
        account: &Account,
        plan: &Plan,
        delivery: &Delivery,
        delivering_plan: &str,
        title: &str,
        due: &str,
    ) -> Result<AddedMilestone, AppError> {
        require_may_update(account, plan, delivery, ItemKind::DeliveringPlan, delivering_plan)?;
        let taken = |m: &str| plan.milestone(m).is_some();
        Ok(self.store.add_milestone(plan.meta.id.get_ref(), delivering_plan, title, due, &taken, &account.username)?)
    }
}

/// Only admins.
pub fn require_admin(account: &Account) -> Result<(), AppError> {
    if account.role == Role::Admin { Ok(()) } else { Err(AppError::Forbidden("Only an admin can do this.".into())) }
}

//! People: the organisations an account works for, as a person names them.

use assure_plan::Plan;

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

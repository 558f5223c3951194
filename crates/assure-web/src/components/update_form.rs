//! The update form: status, what has happened, evidence, a new expected date with its
//! reason, an internal note. One form for every thing reported on like a milestone (a
//! milestone, a delivering plan, a committee's action).

use assure_plan::delivery::{DeliveryStatus, UpdateFields};
use maud::{Markup, html};

use super::{FieldError, crumb, csrf_field, error_summary, form_title, hinted_choices, input, page, textarea};
use crate::access::{Signed, SignedForm};

/// The form's fields as typed (evidence as the one text area it is typed in).
#[derive(Debug, Clone, Default)]
pub struct UpdateForm {
    /// The status's data name.
    pub status: String,
    /// What has happened.
    pub narrative: String,
    /// Evidence links, one per line.
    pub evidence: String,
    /// A new expected date.
    pub expected: String,
    /// Why the date changed.
    pub expected_reason: String,
    /// A note for partners.
    pub internal_note: String,
}

impl UpdateForm {
    /// The fields of a posted update form.
    pub fn posted(form: &SignedForm) -> UpdateForm {
        UpdateForm {
            status: form.get("status").to_owned(),
            narrative: form.get("narrative").to_owned(),
            evidence: form.get("evidence").to_owned(),
            expected: form.get("expected").to_owned(),
            expected_reason: form.get("expected_reason").to_owned(),
            internal_note: form.get("internal_note").to_owned(),
        }
    }

    /// The fields as the application checks them.
    pub fn fields(&self) -> UpdateFields {
        UpdateFields {
            status: self.status.clone(),
            narrative: self.narrative.clone(),
            evidence: self.evidence.lines().map(str::to_owned).collect(),
            expected: self.expected.clone(),
            expected_reason: self.expected_reason.clone(),
            internal_note: self.internal_note.clone(),
        }
    }
}

/// What a form is about: what it is called ("milestone", "action"), its title and page,
/// and when it is expected now and was planned.
pub struct UpdateSubject {
    /// The kind in words: "milestone", "strategy or plan", "action".
    pub what: &'static str,
    /// Its title.
    pub title: String,
    /// Its page; the form posts to `{back}/update`.
    pub back: String,
    /// Expected now, and as first planned.
    pub due: Option<(String, String)>,
    /// Who set the first date, in words: "the plan", "the meeting".
    pub planned_by: &'static str,
}

fn status_options() -> Vec<(String, String)> {
    DeliveryStatus::ALL.into_iter().map(|s| (s.as_str().to_owned(), s.label().to_owned())).collect()
}

/// The update form page.
pub fn update_page(
    signed: &Signed,
    it: &UpdateSubject,
    f: &UpdateForm,
    errors: &[FieldError],
    approval: bool,
    crumbs: &[(String, String)],
) -> Markup {
    let (title, back, what) = (&it.title, &it.back, it.what);
    let status_hint = html! {
        strong { "Complete" } " means it has been done. " strong { "Closed" } " means it has stopped without being completed (no longer needed, replaced or merged into other work): say why in the update. Either way it is no longer reported as overdue."
    };
    let mut trail: Vec<(String, String)> = crumbs.to_vec();
    trail.push(crumb(title, back));
    page(
        &form_title(&format!("Update: {title}"), errors),
        &trail,
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                (error_summary(errors))
                span class="nhsuk-caption-l" { "Give an update" }
                h1 { (title) }
                @if let Some((now, planned)) = &it.due {
                    p { "Expected: " strong { (now) } @if now != planned { " (" (it.planned_by) " said " (planned) ")" } "." }
                }
                @if approval { div class="nhsuk-inset-text" { p { "Updates wait for an admin's approval before the public sees them." } } }
                form method="post" action={ (back) "/update" } novalidate {
                    (csrf_field(signed))
                    (hinted_choices("radio", "status", (&format!("How is the {what} going?"), Some(status_hint)), &status_options(), std::slice::from_ref(&f.status), errors))
                    (textarea("narrative", "What has happened since the last update", Some("Published as written."), &f.narrative, errors))
                    (textarea("evidence", "Evidence (optional)", Some("Web addresses of papers, minutes or dashboards, one per line."), &f.evidence, errors))
                    (input("expected", "text", "New expected date (optional)", Some("Only if the date has changed: a month ('March 2026'), a year ('2026') or a financial year ('2025/26')."), &f.expected, errors))
                    (textarea("expected_reason", "Why the date has changed (required if you give a new date)", Some("Published with the new date."), &f.expected_reason, errors))
                    (textarea("internal_note", "Internal note (optional)", Some("Seen only by people signed in, never by the public."), &f.internal_note, errors))
                    button class="nhsuk-button" type="submit" { "Submit update" }
                }
            } }
        },
    )
}

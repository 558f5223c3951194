//! Form helpers in the GOV.UK pattern: the error summary, labelled inputs, textareas,
//! radios and checkboxes with inline errors, and the CSRF field every form carries.

use maud::{Markup, html};

use crate::access::Signed;

/// A problem with one field of a form: the field's name (its input's id) and the message.
pub use crate::error::FieldError;

/// The GOV.UK error summary at the top of a form, linking to each field in error.
pub fn error_summary(errors: &[FieldError]) -> Markup {
    html! {
        @if !errors.is_empty() {
            // Focused when the page loads (autofocus without JavaScript; the frontend's
            // error summary module with it), so that a screen reader starts here.
            div class="nhsuk-error-summary" data-module="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" autofocus {
                h2 class="nhsuk-error-summary__title" id="error-summary-title" { "There is a problem" }
                div class="nhsuk-error-summary__body" {
                    ul class="nhsuk-list nhsuk-error-summary__list" {
                        @for (field, message) in errors {
                            li { a href={ "#" (field) } { (message) } }
                        }
                    }
                }
            }
        }
    }
}

/// The title of a page with a form: prefixed "Error: " when the form has problems.
pub fn form_title(title: &str, errors: &[FieldError]) -> String {
    if errors.is_empty() { title.to_owned() } else { format!("Error: {title}") }
}

fn field_error<'a>(errors: &'a [FieldError], name: &str) -> Option<&'a str> {
    errors.iter().find(|(f, _)| *f == name).map(|(_, m)| m.as_str())
}

/// Every problem of a field, inline under its label (one line each).
fn field_messages(errors: &[FieldError], name: &str) -> Markup {
    html! {
        @if field_error(errors, name).is_some() {
            span class="nhsuk-error-message" id={ (name) "-error" } {
                @for (i, (_, m)) in errors.iter().filter(|(f, _)| *f == name).enumerate() {
                    @if i > 0 { br; }
                    span class="nhsuk-u-visually-hidden" { "Error: " } (m)
                }
            }
        }
    }
}

/// The hidden field every form of a session carries: the CSRF token of the person the
/// page is drawn for. It takes them rather than reading who is asking from the request,
/// so that a form cannot be drawn without its token. (Someone signed in with an API
/// token has no session and so no token: a form drawn for them is refused when posted,
/// as [`SignedForm`](crate::access::SignedForm) accepts only a session's token.)
pub fn csrf_field(signed: &Signed) -> Markup {
    html! { input type="hidden" name="csrf" value=(signed.csrf.as_deref().unwrap_or_default()); }
}

/// A form group: label, hint, inline error, and the control.
fn form_group(name: &str, label: &str, hint: Option<&str>, errors: &[FieldError], control: Markup) -> Markup {
    let error = field_error(errors, name).is_some();
    html! {
        div class={ "nhsuk-form-group" @if error { " nhsuk-form-group--error" } } {
            label class="nhsuk-label" for=(name) { (label) }
            @if let Some(h) = hint { div class="nhsuk-hint" id={ (name) "-hint" } { (h) } }
            (field_messages(errors, name))
            (control)
        }
    }
}

fn described_by(name: &str, hint: Option<&str>, errors: &[FieldError]) -> Option<String> {
    let mut ids = Vec::new();
    if hint.is_some() {
        ids.push(format!("{name}-hint"));
    }
    if field_error(errors, name).is_some() {
        ids.push(format!("{name}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A text input (`kind`: text, password, url …) with its label, hint and inline error.
pub fn input(name: &str, kind: &str, label: &str, hint: Option<&str>, value: &str, errors: &[FieldError]) -> Markup {
    let error = field_error(errors, name).is_some();
    let autocomplete = match (name, kind) {
        ("username", _) => "username",
        ("password", _) | ("current_password", _) => "current-password",
        ("new_password", _) => "new-password",
        (_, "email") => "email",
        _ => "off",
    };
    form_group(
        name,
        label,
        hint,
        errors,
        html! {
            input class={ "nhsuk-input" @if error { " nhsuk-input--error" } } id=(name) name=(name) type=(kind) value=(value)
                autocomplete=(autocomplete) aria-describedby=[described_by(name, hint, errors)];
        },
    )
}

/// A textarea with its label, hint and inline error.
pub fn textarea(name: &str, label: &str, hint: Option<&str>, value: &str, errors: &[FieldError]) -> Markup {
    let error = field_error(errors, name).is_some();
    form_group(
        name,
        label,
        hint,
        errors,
        html! {
            textarea class={ "nhsuk-textarea" @if error { " nhsuk-textarea--error" } } id=(name) name=(name) rows="5"
                aria-describedby=[described_by(name, hint, errors)] { (value) }
        },
    )
}

/// Radios or checkboxes in a fieldset: (value, label) options, those `checked` ticked.
pub fn choices(
    kind: &str,
    name: &str,
    legend: &str,
    options: &[(String, String)],
    checked: &[String],
    errors: &[FieldError],
) -> Markup {
    hinted_choices(kind, name, (legend, None), options, checked, errors)
}

/// The same, with a hint under the legend (`(legend, hint)`).
pub fn hinted_choices(
    kind: &str,
    name: &str,
    (legend, hint): (&str, Option<Markup>),
    options: &[(String, String)],
    checked: &[String],
    errors: &[FieldError],
) -> Markup {
    let error = field_error(errors, name);
    let described: Vec<String> =
        [hint.as_ref().map(|_| format!("{name}-hint")), error.map(|_| format!("{name}-error"))]
            .into_iter()
            .flatten()
            .collect();
    let class = if kind == "radio" { "nhsuk-radios" } else { "nhsuk-checkboxes" };
    html! {
        div class={ "nhsuk-form-group" @if error.is_some() { " nhsuk-form-group--error" } } {
            fieldset class="nhsuk-fieldset" aria-describedby=[(!described.is_empty()).then(|| described.join(" "))] {
                legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { (legend) }
                @if let Some(h) = hint { div class="nhsuk-hint" id={ (name) "-hint" } { (h) } }
                (field_messages(errors, name))
                div class=(class) {
                    @for (i, (value, label)) in options.iter().enumerate() {
                        @let id = if i == 0 { name.to_owned() } else { format!("{name}-{i}") };
                        div class={ (class) "__item" } {
                            input class={ (class) "__input" } id=(id) name=(name) type=(kind) value=(value) checked[checked.contains(value)];
                            label class={ "nhsuk-label " (class) "__label" } for=(id) { (label) }
                        }
                    }
                }
            }
        }
    }
}

/// A select with its label, hint and inline error: (value, label) options, `chosen` selected.
/// `id` tells apart several selects posting the same field name.
pub fn select_field(
    (name, id): (&str, &str),
    label: &str,
    hint: Option<&str>,
    options: &[(String, String)],
    chosen: &str,
    errors: &[FieldError],
) -> Markup {
    let error = field_error(errors, name).is_some() && id == name;
    let described = if id == name { described_by(name, hint, errors) } else { hint.map(|_| format!("{id}-hint")) };
    html! {
        div class={ "nhsuk-form-group" @if error { " nhsuk-form-group--error" } } {
            label class="nhsuk-label" for=(id) { (label) }
            @if let Some(h) = hint { div class="nhsuk-hint" id={ (id) "-hint" } { (h) } }
            @if id == name { (field_messages(errors, name)) }
            select class={ "nhsuk-select" @if error { " nhsuk-select--error" } } id=(id) name=(name) aria-describedby=[described] {
                @for (value, text) in options {
                    option value=(value) selected[value == chosen] { (text) }
                }
            }
        }
    }
}

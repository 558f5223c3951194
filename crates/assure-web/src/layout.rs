//! The page shell: NHS.UK header with search, breadcrumbs, main content, footer.

use maud::{DOCTYPE, Markup, PreEscaped, html};

/// The service name in the header and in every title.
pub const SERVICE: &str = "Assure: Kent and Medway Shared Delivery Plan";

/// A whole page. `crumbs` are the links above the heading, from Home down to the
/// parent of this page (Home is added).
pub fn page(title: &str, crumbs: &[(String, String)], body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – " (SERVICE) }
                link rel="stylesheet" href="/assets/nhsuk-frontend.min.css";
                link rel="stylesheet" href="/assets/assure.css";
                link rel="icon" href="/assets/images/favicon.ico" sizes="48x48";
                link rel="icon" href="/assets/images/favicon.svg" type="image/svg+xml";
                script type="module" src="/assets/init.js" {}
            }
            body {
                a class="nhsuk-skip-link" href="#maincontent" { "Skip to main content" }
                header class="nhsuk-header" role="banner" {
                    div class="nhsuk-header__container nhsuk-width-container" {
                        div class="nhsuk-header__service" {
                            a class="nhsuk-header__service-name" href="/" { (SERVICE) }
                        }
                        (account_links())
                        search class="nhsuk-header__search" {
                            form class="nhsuk-header__search-form" id="search" action="/search" method="get" novalidate {
                                div class="nhsuk-form-group" {
                                    label class="nhsuk-label nhsuk-u-visually-hidden" for="search-field" { "Search the plan" }
                                    div class="nhsuk-input-wrapper" {
                                        input class="nhsuk-input" id="search-field" name="q" type="search" autocomplete="off" placeholder="Search";
                                        button class="nhsuk-button nhsuk-button--icon nhsuk-button--small" type="submit" aria-label="Search" {
                                            (PreEscaped(SEARCH_ICON))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                div class="nhsuk-width-container" {
                    @if !crumbs.is_empty() || title != "Home" {
                        nav class="nhsuk-breadcrumb" aria-label="Breadcrumb" {
                            ol class="nhsuk-breadcrumb__list" {
                                li class="nhsuk-breadcrumb__list-item" { a class="nhsuk-breadcrumb__link" href="/" { "Home" } }
                                @for (label, href) in crumbs {
                                    li class="nhsuk-breadcrumb__list-item" { a class="nhsuk-breadcrumb__link" href=(href) { (label) } }
                                }
                            }
                            // On narrow screens the frontend shows only this link to the parent.
                            @let (parent, parent_href) = crumbs.last().map_or(("Home", "/"), |(l, h)| (l.as_str(), h.as_str()));
                            a class="nhsuk-back-link" href=(parent_href) {
                                span class="nhsuk-u-visually-hidden" { "Back to " } (parent)
                            }
                        }
                    }
                    main class="nhsuk-main-wrapper" id="maincontent" role="main" {
                        (body)
                    }
                }
                footer class="nhsuk-footer" role="contentinfo" {
                    div class="nhsuk-width-container" {
                        div class="nhsuk-footer__meta" {
                            h2 class="nhsuk-u-visually-hidden" { "Support links" }
                            ul class="nhsuk-footer__list" {
                                li class="nhsuk-footer__list-item" { a class="nhsuk-footer__list-item-link" href="/search" { "Search the plan" } }
                                li class="nhsuk-footer__list-item" { a class="nhsuk-footer__list-item-link" href="/delivery" { "Milestones and delivery" } }
                                li class="nhsuk-footer__list-item" { a class="nhsuk-footer__list-item-link" href="/reports" { "Reports" } }
                            }
                            p class="nhsuk-body-s" { "Kent and Medway Integrated Care Partnership. Published with Assure." }
                        }
                    }
                }
            }
        }
    }
}

/// The account links in the header: who is signed in and "Sign out", or "Sign in".
fn account_links() -> Markup {
    let signed = crate::access::current().filter(|s| s.csrf.is_some());
    html! {
        nav class="nhsuk-header__account" aria-label="Account" {
            ul class="nhsuk-header__account-list" {
                @if let Some(s) = signed {
                    li class="nhsuk-header__account-item" {
                        a class="nhsuk-header__account-link" href="/account" { (s.account.display_name) " (" (s.account.role.label()) ")" }
                    }
                    @if s.account.role == assure_store::Role::Admin {
                        li class="nhsuk-header__account-item" { a class="nhsuk-header__account-link" href="/admin" { "Admin" } }
                    }
                    li class="nhsuk-header__account-item" {
                        form class="nhsuk-header__account-form" action="/sign-out" method="post" {
                            input type="hidden" name="csrf" value=(s.csrf.unwrap_or_default());
                            button class="nhsuk-header__account-button" type="submit" { "Sign out" }
                        }
                    }
                } @else {
                    li class="nhsuk-header__account-item" { a class="nhsuk-header__account-link" href="/sign-in" { "Sign in" } }
                }
            }
        }
    }
}

/// A problem with one field of a form: the field's name (its input's id) and the message.
pub type FieldError = (&'static str, String);

/// The GOV.UK error summary at the top of a form, linking to each field in error.
pub fn error_summary(errors: &[FieldError]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" {
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

/// The hidden field every form of a session carries.
pub fn csrf_field() -> Markup {
    let token = crate::access::current().and_then(|s| s.csrf).unwrap_or_default();
    html! { input type="hidden" name="csrf" value=(token); }
}

/// A form group: label, hint, inline error, and the control.
fn form_group(name: &str, label: &str, hint: Option<&str>, errors: &[FieldError], control: Markup) -> Markup {
    let error = field_error(errors, name);
    html! {
        div class={ "nhsuk-form-group" @if error.is_some() { " nhsuk-form-group--error" } } {
            label class="nhsuk-label" for=(name) { (label) }
            @if let Some(h) = hint { div class="nhsuk-hint" id={ (name) "-hint" } { (h) } }
            @if let Some(e) = error {
                span class="nhsuk-error-message" id={ (name) "-error" } { span class="nhsuk-u-visually-hidden" { "Error: " } (e) }
            }
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
    let error = field_error(errors, name);
    let class = if kind == "radio" { "nhsuk-radios" } else { "nhsuk-checkboxes" };
    html! {
        div class={ "nhsuk-form-group" @if error.is_some() { " nhsuk-form-group--error" } } {
            fieldset class="nhsuk-fieldset" aria-describedby=[error.map(|_| format!("{name}-error"))] {
                legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { (legend) }
                @if let Some(e) = error {
                    span class="nhsuk-error-message" id={ (name) "-error" } { span class="nhsuk-u-visually-hidden" { "Error: " } (e) }
                }
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

/// A green banner saying something was done.
pub fn success_banner(message: &str) -> Markup {
    html! {
        div class="nhsuk-notification-banner nhsuk-notification-banner--success" role="alert" aria-labelledby="success-title" {
            div class="nhsuk-notification-banner__header" {
                h2 class="nhsuk-notification-banner__title" id="success-title" { "Success" }
            }
            div class="nhsuk-notification-banner__content" {
                p class="nhsuk-notification-banner__heading" { (message) }
            }
        }
    }
}

const SEARCH_ICON: &str = r#"<svg class="nhsuk-icon nhsuk-icon--search" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16" focusable="false" aria-hidden="true"><path d="m20.7 18.9-4.1-4.1a7 7 0 1 0-1.4 1.4l4 4.1a1 1 0 0 0 1.5 0c.4-.4.4-1 0-1.4ZM6 10.6a5 5 0 1 1 10 0 5 5 0 0 1-10 0Z"/></svg>"#;

/// "Source: line N of the plan", shown under every item so a reader can check it; a link
/// to that line in the published text when the plan's source document is bundled.
pub fn source(plan: &assure_plan::Plan, line: u32) -> Markup {
    html! {
        p class="assure-source" {
            "Source: "
            @if assure_plan::bundled_source(&plan.meta.source).is_some() {
                a href={ "/source#L" (line) } { "the Shared Delivery Plan, line " (line) }
            } @else {
                "the Shared Delivery Plan, line " (line)
            }
            "."
        }
    }
}

/// An NHS.UK tag, e.g. a plan's status.
pub fn tag(text: &str, colour: &str) -> Markup {
    html! { strong class={ "nhsuk-tag nhsuk-tag--" (colour) } { (text) } }
}

/// An NHS.UK table: its caption (visually hidden when a heading already says it), the
/// column headers (`true` for numeric, right-aligned columns) and the body rows.
pub fn table(caption: Markup, caption_hidden: bool, headers: &[(&str, bool)], rows: Markup) -> Markup {
    html! {
        table class="nhsuk-table" {
            caption class={ "nhsuk-table__caption" @if caption_hidden { " nhsuk-u-visually-hidden" } } { (caption) }
            thead class="nhsuk-table__head" {
                tr class="nhsuk-table__row" {
                    @for (label, numeric) in headers {
                        th class={ "nhsuk-table__header" @if *numeric { " nhsuk-table__header--numeric" } } scope="col" { (label) }
                    }
                }
            }
            tbody class="nhsuk-table__body" { (rows) }
        }
    }
}

/// A status as an NHS.UK tag.
pub fn status_tag(status: assure_tracking::Status) -> Markup {
    use assure_tracking::Status;
    let colour = match status {
        Status::Achieved => "green",
        Status::OnTrack => "blue",
        Status::AtRisk => "yellow",
        Status::OffTrack => "red",
        Status::NoData => "grey",
    };
    tag(status.label(), colour)
}

/// The banner on every page that shows illustrative data.
pub fn illustrative_banner(shown: bool) -> Markup {
    html! {
        @if shown {
            div class="assure-illustrative" role="note" {
                "Illustrative data, not official statistics. "
                span class="nhsuk-body-s" { "The values on this page were generated by " code { "assure demo-data" } " to show how the product works." }
            }
        }
    }
}

/// A failure as an accessible page: what is wrong, and where to go from here. Failures
/// that are ours show a reference that is in the log.
impl axum::response::IntoResponse for crate::WebError {
    fn into_response(self) -> axum::response::Response {
        use crate::WebError;
        let status = self.status();
        if let WebError::SignIn(path) = &self {
            let next = path.replace('%', "%25").replace('&', "%26").replace('=', "%3D").replace('+', "%2B");
            let location = format!("/sign-in?next={next}");
            return (status, [(axum::http::header::LOCATION, location)]).into_response();
        }
        let reference = self.log();
        let (title, message) = match &self {
            WebError::SignIn(_) => ("Sign in", self.to_string()),
            WebError::Forbidden(m) => ("You cannot do this", m.clone()),
            WebError::NotFound(m) => ("Page not found", m.clone()),
            WebError::BadRequest { .. } | WebError::Invalid(_) => {
                ("There is a problem with the request", self.to_string())
            }
            WebError::NoPlan => ("No plan to show", self.to_string()),
            WebError::Unavailable(_) => (
                "Sorry, the service is unavailable",
                "The database cannot be reached at the moment. Try again in a few seconds.".to_owned(),
            ),
            WebError::Internal(_) => ("Sorry, there is a problem with the service", "Try again later.".to_owned()),
        };
        let body = page(
            title,
            &[],
            html! {
                h1 { (title) }
                p { (message) }
                @if let Some(r) = &reference { p class="nhsuk-body-s" { "If you report this, quote the reference " strong { (r) } "." } }
                p { a href="/" { "Go to the home page" } " or " a href="/search" { "search the plan" } "." }
            },
        );
        let mut response = (status, body).into_response();
        self.decorate(&mut response);
        response
    }
}

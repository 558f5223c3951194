//! The page shell: NHS.UK header with search, breadcrumbs, main content, footer; the
//! banners pages show; and the HTML error page every failure of a page answers with.

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
                    nav class="nhsuk-header__navigation" aria-label="Menu" {
                        div class="nhsuk-header__navigation-container nhsuk-width-container" {
                            ul class="nhsuk-header__navigation-list" {
                                @for (label, href) in MENU {
                                    li class="nhsuk-header__navigation-item" {
                                        a class="nhsuk-header__navigation-link" href=(href) aria-current=[(title == label).then_some("page")] { (label) }
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
                                li class="nhsuk-footer__list-item" { a class="nhsuk-footer__list-item-link" href="/plan-versions" { "Versions of the plan" } }
                            }
                            p class="nhsuk-body-s" { "Kent and Medway Integrated Care Partnership. Published with Assure." }
                        }
                    }
                }
            }
        }
    }
}

/// The header's menu: what a visitor comes for, each a page title and its address.
const MENU: [(&str, &str); 7] = [
    ("Progress", "/progress"),
    ("Places", "/places"),
    ("Indicators", "/indicators"),
    ("Milestones and delivery", "/delivery"),
    ("Reports", "/reports"),
    ("Glossary", "/glossary"),
    ("Have your say", "/have-your-say"),
];

/// The account links in the header: who is signed in and "Sign out", or "Sign in".
fn account_links() -> Markup {
    let signed = crate::access::current().filter(|s| s.csrf.is_some());
    html! {
        nav class="nhsuk-header__account" aria-label="Account" {
            ul class="nhsuk-header__account-list" {
                @if let Some(s) = signed {
                    @if s.account.role != assure_store::Role::Viewer {
                        li class="nhsuk-header__account-item" {
                            a class="nhsuk-header__account-link" href="/my-work" {
                                // The link is a flex box with a gap: the visible words are one
                                // item, or the count's closing bracket stands apart.
                                span {
                                    "My work"
                                    @if let Some(n) = s.attention { " (" (n) ")" }
                                }
                                @if s.attention.is_some() { span class="nhsuk-u-visually-hidden" { " need attention" } }
                            }
                        }
                    }
                    li class="nhsuk-header__account-item" {
                        a class="nhsuk-header__account-link" href="/plan-versions" { "Plan versions" }
                    }
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

const SEARCH_ICON: &str = r#"<svg class="nhsuk-icon nhsuk-icon--search" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16" focusable="false" aria-hidden="true"><path d="m20.7 18.9-4.1-4.1a7 7 0 1 0-1.4 1.4l4 4.1a1 1 0 0 0 1.5 0c.4-.4.4-1 0-1.4ZM6 10.6a5 5 0 1 1 10 0 5 5 0 0 1-10 0Z"/></svg>"#;

/// Where a page that needs someone signed in sends them: the sign-in form, told to come
/// back to `path` when that is a path on this site ([`crate::access::local_path`]).
fn sign_in_location(path: &str) -> String {
    let next = crate::access::local_path(path);
    if next == "/" {
        return "/sign-in".to_owned();
    }
    // As a query value: everything but unreserved characters and `/` percent-encoded.
    let mut location = "/sign-in?next=".to_owned();
    for b in next.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            location.push(char::from(b));
        } else {
            location.push_str(&format!("%{b:02X}"));
        }
    }
    location
}

/// A failure as an accessible page: what is wrong, and where to go from here. Failures
/// that are ours show a reference that is in the log.
impl axum::response::IntoResponse for crate::WebError {
    fn into_response(self) -> axum::response::Response {
        use crate::WebError;
        let status = self.status();
        if let WebError::SignIn(path) = &self {
            let location = sign_in_location(path);
            return (status, [(axum::http::header::LOCATION, location)]).into_response();
        }
        let reference = self.log();
        let (title, message) = match &self {
            WebError::SignIn(_) => ("Sign in", self.to_string()),
            WebError::Forbidden(m) => ("You cannot do this", m.clone()),
            WebError::NotFound(m) => ("Page not found", m.clone()),
            WebError::TooLarge(m) => ("The file is too large", m.clone()),
            WebError::TooMany(_) => ("Too many submissions", self.to_string()),
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

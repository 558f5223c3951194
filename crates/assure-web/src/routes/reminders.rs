//! Stopping reminder digests without signing in: the signed link in every digest. GET
//! shows what it stops and a button; POST (the button, or a mail client's RFC 8058
//! one-click `List-Unsubscribe=One-Click`) stops it. The signature is the authority, so
//! the form carries no session token.

use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use crate::access;
use crate::components::page;
use crate::{AppState, WebError};

fn not_valid() -> WebError {
    WebError::NotFound(
        "This link to stop emails is not valid. Copy the whole link from the email, or sign in and choose which emails you get on your account page.".into(),
    )
}

/// What the link stops, and the button that stops it.
pub async fn show_unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> Result<Markup, WebError> {
    let t = token.clone();
    let (account, list) = state.blocking(move |s| Ok(s.app().unsubscribe_target(&t)?)).await?.ok_or_else(not_valid)?;
    let title = "Stop these emails";
    Ok(page(
        title,
        &[],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                h1 { (title) }
                p { "Stop " (list.label()) " for " strong { (account.display_name) } "?" }
                p { "You can turn them back on after signing in, on your account page." }
                form method="post" action={ "/unsubscribe/" (token) } {
                    button class="nhsuk-button" type="submit" { "Stop these emails" }
                }
            } }
        },
    ))
}

/// Stop the digest the link names.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: Request,
) -> Result<Response, WebError> {
    // The body is either empty (the button) or `List-Unsubscribe=One-Click`; neither matters.
    let _ = access::read_form(request).await;
    let (account, list) = match state.blocking(move |s| Ok(s.app().unsubscribe(&token)?)).await {
        Err(WebError::NotFound(_)) => return Err(not_valid()),
        other => other?,
    };
    let title = "You will get no more of these emails";
    Ok(page(
        title,
        &[],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                div class="nhsuk-panel" {
                    h1 class="nhsuk-panel__title" { (title) }
                    div class="nhsuk-panel__body" { (account.display_name) " will no longer get " (list.label()) "." }
                }
                p { "To turn them back on, sign in and choose which emails you get on " a href="/account#reminders" { "your account page" } "." }
            } }
        },
    )
    .into_response())
}

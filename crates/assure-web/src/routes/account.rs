//! Signing in and out, and your own account: password and API tokens.

use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use crate::access::{self, SESSION_COOKIE, SIGN_IN_COOKIE, Signed, SignedForm};
use crate::components::page;
use crate::components::{FieldError, choices, csrf_field, error_summary, form_title, input, success_banner, table};
use crate::{AppState, WebError};

fn sign_in_page(token: &str, username: &str, next: &str, errors: &[FieldError]) -> Markup {
    page(
        &form_title("Sign in", errors),
        &[],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                (error_summary(errors))
                h1 { "Sign in" }
                p { "Partners sign in to report on what they deliver. Everything published can be read without signing in." }
                form method="post" action="/sign-in" novalidate {
                    input type="hidden" name="csrf" value=(token);
                    input type="hidden" name="next" value=(next);
                    (input("username", "text", "Username", None, username, errors))
                    (input("password", "password", "Password", None, "", errors))
                    button class="nhsuk-button" type="submit" { "Sign in" }
                }
                p { "Forgotten your password? Ask an admin of the partnership to reset it." }
            } }
        },
    )
}

/// A fresh sign-in form's pair (there is no session yet to hold a token): the nonce
/// goes in a cookie, and the token the database's secret binds to it in the form.
async fn sign_in_form(state: &AppState) -> Result<(String, String), WebError> {
    let form = state.blocking(|s| Ok(s.store().sign_in_form()?)).await?;
    Ok((access::set_cookie(SIGN_IN_COOKIE, Some(&form.nonce), cookie::SameSite::Strict), form.token))
}

/// The sign-in form.
pub async fn show_sign_in(
    State(state): State<AppState>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let next = access::local_path(q.iter().find(|(k, _)| k == "next").map_or("", |(_, v)| v.as_str()));
    let (cookie, token) = sign_in_form(&state).await?;
    Ok(([(header::SET_COOKIE, cookie)], sign_in_page(&token, "", &next, &[])).into_response())
}

pub async fn sign_in(State(state): State<AppState>, request: Request) -> Result<Response, WebError> {
    let client = access::client(&request, state.trusted_proxies());
    let nonce = access::cookie(request.headers(), SIGN_IN_COOKIE);
    let fields = access::read_form(request).await?;
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str()).to_owned();
    let next = access::local_path(&get("next"));
    let (username, password) = (get("username").trim().to_lowercase(), get("password"));
    let (nonce, posted) = (nonce.unwrap_or_default(), get("csrf"));
    if !state.blocking(move |s| Ok(s.store().sign_in_form_valid(&nonce, &posted)?)).await? {
        return Err(WebError::Forbidden(
            "This form has expired or did not come from this site. Go back, reload the page and try again.".into(),
        ));
    }
    let mut errors: Vec<FieldError> = Vec::new();
    if username.is_empty() {
        errors.push(("username", "Enter your username".into()));
    }
    if password.is_empty() {
        errors.push(("password", "Enter your password".into()));
    }
    if errors.is_empty() {
        // The way back is checked before a session exists, so that no answer but this
        // redirect ever carries a new session cookie.
        let location =
            header::HeaderValue::from_str(&next).map_err(|_| WebError::Internal(format!("bad next {next:?}")))?;
        let (u, p) = (username.clone(), password.clone());
        match state.blocking(move |s| Ok(s.store().sign_in(&u, &p, &client)?)).await? {
            Ok(session) => {
                // Someone who reports lands on their work unless they were on their way elsewhere.
                let location = if next == "/" && session.account.role != assure_store::Role::Viewer {
                    header::HeaderValue::from_static("/my-work")
                } else {
                    location
                };
                let cookie = access::set_cookie(SESSION_COOKIE, Some(&session.token), cookie::SameSite::Lax);
                let clear = access::set_cookie(SIGN_IN_COOKIE, None, cookie::SameSite::Strict);
                let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
                response.headers_mut().append(header::SET_COOKIE, cookie.parse().map_err(|_| internal_cookie())?);
                response.headers_mut().append(header::SET_COOKIE, clear.parse().map_err(|_| internal_cookie())?);
                return Ok(response);
            }
            Err(refusal) => errors.push(("username", refusal.message())),
        }
    }
    let (cookie, token) = sign_in_form(&state).await?;
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        [(header::SET_COOKIE, cookie)],
        sign_in_page(&token, &username, &next, &errors),
    )
        .into_response())
}

fn internal_cookie() -> WebError {
    WebError::Internal("a cookie could not be written".into())
}

/// Sign out: the session ends in the database, so the cookie is worthless from now on.
pub async fn sign_out(State(state): State<AppState>, form: SignedForm) -> Result<Response, WebError> {
    if let Some(token) = form.signed.session.clone() {
        state.blocking(move |s| Ok(s.store().end_session(&token)?)).await?;
    }
    let clear = access::set_cookie(SESSION_COOKIE, None, cookie::SameSite::Lax);
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/")).into_response())
}

fn signed(headers: &axum::http::Extensions, path: &str) -> Result<Signed, WebError> {
    access::require_signed_in(headers.get::<Signed>().cloned(), path)
}

fn account_page(
    plan: &assure_plan::Plan,
    s: &Signed,
    tokens: &[assure_store::ApiToken],
    errors: &[FieldError],
    done: Option<&str>,
    new_token: Option<&str>,
) -> Markup {
    let a = &s.account;
    page(
        &form_title("Your account", errors),
        &[],
        html! {
            (error_summary(errors))
            @if let Some(d) = done { (success_banner(d)) }
            h1 { "Your account" }
            dl class="nhsuk-summary-list" {
                div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Name" } dd class="nhsuk-summary-list__value" { (a.display_name) } }
                div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Username" } dd class="nhsuk-summary-list__value" { (a.username) } }
                div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Role" } dd class="nhsuk-summary-list__value" { (a.role.label()) } }
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Organisations" }
                    dd class="nhsuk-summary-list__value" {
                        @if a.organisations.is_empty() { "None" }
                        @for (i, o) in a.organisations.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href={ "/organisations/" (o) } { (plan.organisation_name(o)) }
                        }
                    }
                }
            }
            p { a href="/delivery" { "Milestones and delivery updates" } " · " a href="/audit" { "Audit log" } }
            h2 id="reminders" { "Email and reminders" }
            p { "Assure emails you a digest of what your organisations lead: when a reporting round opens, " (assure_app::DAYS_BEFORE_DEADLINE) " days before its deadline and each week while it is late, and a weekly digest of your overdue and stale items. Every digest has a link that stops it." }
            form method="post" action="/account/reminders" novalidate {
                (csrf_field(s))
                (input("email", "email", "Email address", Some("Where reminders go. Leave it empty to get no email."), a.email.as_deref().unwrap_or(""), errors))
                @let ticked: Vec<String> = [("rounds", a.round_reminders), ("weekly", a.weekly_digest)].iter().filter(|(_, on)| *on).map(|(k, _)| (*k).to_owned()).collect();
                (choices("checkbox", "digests", "Which emails", &[
                    ("rounds".into(), "Reminders of reporting rounds".into()),
                    ("weekly".into(), "The weekly digest of my overdue and stale items".into()),
                ], &ticked, errors))
                button class="nhsuk-button" type="submit" { "Save email choices" }
            }
            h2 { "Change your password" }
            form method="post" action="/account/password" novalidate {
                (csrf_field(s))
                (input("current_password", "password", "Current password", None, "", errors))
                (input("new_password", "password", "New password", Some(&format!("At least {} characters. A few unrelated words make a good one.", assure_store::MIN_PASSWORD_CHARS)), "", errors))
                button class="nhsuk-button" type="submit" { "Change password" }
            }
            h2 id="tokens" { "API tokens" }
            p { "A token lets a script use the API as you, with your permissions: send it as " code { "Authorization: Bearer <token>" } "." }
            @if let Some(t) = new_token {
                div class="nhsuk-inset-text" {
                    p { "Your new token (copy it now: it will not be shown again):" }
                    p { code class="assure-token" { (t) } }
                }
            }
            @if !tokens.is_empty() {
                (table(html! { "Your API tokens" }, true, &[("Name", false), ("Created", false), ("State", false), ("", false)], html! {
                    @for t in tokens {
                        tr class="nhsuk-table__row" {
                            td class="nhsuk-table__cell" { (t.name) }
                            td class="nhsuk-table__cell" { (t.created_at.get(..10).unwrap_or(&t.created_at)) }
                            td class="nhsuk-table__cell" { @if let Some(r) = &t.revoked_at { "Revoked " (r.get(..10).unwrap_or(r)) } @else { "Active" } }
                            td class="nhsuk-table__cell" {
                                @if t.revoked_at.is_none() {
                                    form method="post" action={ "/account/tokens/" (t.id) "/revoke" } {
                                        (csrf_field(s))
                                        button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit" { "Revoke" span class="nhsuk-u-visually-hidden" { " " (t.name) } }
                                    }
                                }
                            }
                        }
                    }
                }))
            }
            form method="post" action="/account/tokens" novalidate {
                (csrf_field(s))
                (input("name", "text", "What the new token is for", Some("For example: nightly data load"), "", errors))
                button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Create a token" }
            }
        },
    )
}

async fn render_account(
    state: &AppState,
    s: Signed,
    errors: Vec<FieldError>,
    done: Option<&str>,
    new_token: Option<String>,
) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let username = s.account.username.clone();
    let tokens = state.blocking(move |st| Ok(st.store().tokens(Some(&username))?)).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, account_page(&plan, &s, &tokens, &errors, done, new_token.as_deref())).into_response())
}

pub async fn show_account(State(state): State<AppState>, request: Request) -> Result<Response, WebError> {
    let s = signed(request.extensions(), "/account")?;
    render_account(&state, s, vec![], None, None).await
}

pub async fn change_password(State(state): State<AppState>, form: SignedForm) -> Result<Response, WebError> {
    let s = form.signed.clone();
    let (current, new) = (form.get("current_password").to_owned(), form.get("new_password").to_owned());
    let username = s.account.username.clone();
    let ok = state
        .blocking({
            let (u, c) = (username.clone(), current.clone());
            move |st| Ok(st.store().check_password(&u, &c)?)
        })
        .await?;
    let mut errors: Vec<FieldError> = Vec::new();
    if !ok {
        errors.push(("current_password", "Your current password is not right".into()));
    }
    if let Some(p) = assure_store::password_problem(&new) {
        errors.push(("new_password", p));
    }
    if !errors.is_empty() {
        return render_account(&state, s, errors, None, None).await;
    }
    // Every session ends with the change (a thief's too); this browser gets a new one.
    let session = state
        .blocking(move |st| {
            st.store().set_password(&username, &new, &username)?;
            Ok(st.store().sign_in(&username, &new, "password change")?)
        })
        .await?;
    let mut response = Redirect::to("/account").into_response();
    if let Ok(session) = session {
        let cookie = access::set_cookie(SESSION_COOKIE, Some(&session.token), cookie::SameSite::Lax);
        response.headers_mut().insert(header::SET_COOKIE, cookie.parse().map_err(|_| internal_cookie())?);
    }
    Ok(response)
}

/// Your email address and which digests you get.
pub async fn set_reminders(State(state): State<AppState>, form: SignedForm) -> Result<Response, WebError> {
    let mut s = form.signed.clone();
    let ticked = |v: &str| form.fields.iter().any(|(k, x)| k == "digests" && x == v);
    let choices = assure_store::ReminderChoices {
        email: Some(form.get("email").to_owned()),
        round_reminders: ticked("rounds"),
        weekly_digest: ticked("weekly"),
    };
    let (account, c) = (s.account.clone(), choices.clone());
    match state.blocking(move |st| Ok(st.app().set_reminder_choices(&account, &c, &account.username)?)).await {
        Ok(account) => {
            s.account = account;
            render_account(&state, s, vec![], Some("Your email choices have been saved"), None).await
        }
        Err(WebError::Invalid(problems)) => {
            s.account.email = choices.email;
            s.account.round_reminders = choices.round_reminders;
            s.account.weekly_digest = choices.weekly_digest;
            render_account(&state, s, problems, None, None).await
        }
        Err(e) => Err(e),
    }
}

pub async fn create_token(State(state): State<AppState>, form: SignedForm) -> Result<Response, WebError> {
    let s = form.signed.clone();
    let name = form.get("name").to_owned();
    if name.is_empty() {
        return render_account(&state, s, vec![("name", "Say what the token is for".into())], None, None).await;
    }
    let username = s.account.username.clone();
    let (_, secret) = state.blocking(move |st| Ok(st.store().create_token(&username, &name, &username)?)).await?;
    render_account(&state, s, vec![], Some("Token created"), Some(secret)).await
}

pub async fn revoke_token(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<i64>,
    form: SignedForm,
) -> Result<Response, WebError> {
    let s = form.signed.clone();
    let username = s.account.username.clone();
    let admin = s.account.role == assure_store::Role::Admin;
    state
        .blocking(move |st| {
            let token = st.store().tokens(None)?.into_iter().find(|t| t.id == id);
            match token {
                Some(t) if t.username == username || admin => Ok(st.store().revoke_token(id, &username)?),
                _ => Err(WebError::NotFound(format!("You have no API token {id}."))),
            }
        })
        .await?;
    render_account(&state, s, vec![], Some("Token revoked"), None).await
}

//! Residents' voice: "Have your say" (the public form, its receipt, withdrawal and
//! appeal, the privacy notice), "Report this", community listening by partners, the
//! moderation queue and decisions, themes, responses ("You said, we did") and the CSV
//! of what is published. Every form works without JavaScript; public forms carry a
//! signed stamp and a honeypot instead of a CAPTCHA.

use std::time::SystemTime;

use assure_app::{
    AGE_BANDS, AppError, Confirmation, DecisionFields, HELP, ListeningFields, MAX_WORDS, REASON_CODES, ResponseFields,
    Said, SayFields, SayRequest, VOICE_FIELDS, month_label, recent_months, say_areas,
};
use assure_plan::Plan;
use assure_store::{ContributionState, ResponseStatus};
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use crate::access::{self, Signed, SignedForm};
use crate::components::{
    FieldError, choices, crumb, csrf_field, error_summary, form_title, input, page, success_banner, table, tag,
    textarea,
};
use crate::{AppState, WebError};

type Fields = Vec<(String, String)>;

fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

fn all(fields: &Fields, name: &str) -> Vec<String> {
    fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).collect()
}

fn say_crumb() -> (String, String) {
    crumb("Have your say", "/have-your-say")
}

/// A select with its label, hint and inline error, in the GOV.UK pattern.
fn select(
    name: &str,
    label: &str,
    hint: Option<&str>,
    options: &[(String, String)],
    value: &str,
    errors: &[FieldError],
) -> Markup {
    let error = errors.iter().find(|(f, _)| *f == name).map(|(_, m)| m);
    let described = [hint.map(|_| format!("{name}-hint")), error.map(|_| format!("{name}-error"))]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    html! {
        div class={ "nhsuk-form-group" @if error.is_some() { " nhsuk-form-group--error" } } {
            label class="nhsuk-label" for=(name) { (label) }
            @if let Some(h) = hint { div class="nhsuk-hint" id={ (name) "-hint" } { (h) } }
            @if let Some(e) = error { span class="nhsuk-error-message" id={ (name) "-error" } { span class="nhsuk-u-visually-hidden" { "Error: " } (e) } }
            select class={ "nhsuk-select" @if error.is_some() { " nhsuk-select--error" } } id=(name) name=(name) aria-describedby=[(!described.is_empty()).then_some(described)] {
                @for (v, l) in options { option value=(v) selected[v == value] { (l) } }
            }
        }
    }
}

fn outcome_options(plan: &Plan) -> Vec<(String, String)> {
    let mut o = vec![(String::new(), "Select an outcome".to_owned())];
    o.extend(
        plan.outcomes.iter().map(|x| (x.number.get_ref().to_string(), format!("{}: {}", x.number.get_ref(), x.title))),
    );
    o
}

fn area_options(plan: &Plan) -> Vec<(String, String)> {
    let mut o = vec![(String::new(), "Select where you live".to_owned())];
    o.extend(say_areas(plan).into_iter().map(|(id, name)| (id.to_owned(), name.to_owned())));
    o.push(("none".into(), "Prefer not to say".into()));
    o
}

fn commitment_options(plan: &Plan) -> Vec<(String, String)> {
    let mut o = vec![(String::new(), "None in particular".to_owned())];
    o.extend(
        plan.commitments
            .iter()
            .map(|c| (c.id.get_ref().clone(), format!("Outcome {}: {}", c.outcome.get_ref(), c.title))),
    );
    o
}

fn month_options(now: SystemTime) -> Vec<(String, String)> {
    let mut o = vec![(String::new(), "Select a month".to_owned())];
    o.extend(recent_months(now).into_iter().map(|m| (m.clone(), month_label(&m))));
    o
}

fn say_page(plan: &Plan, stamp: &str, f: &SayFields, errors: &[FieldError]) -> Markup {
    let yes = |b: bool| if b { vec!["yes".to_owned()] } else { Vec::new() };
    page(
        &form_title("Have your say", errors),
        &[],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                (error_summary(errors))
                h1 { "Have your say" }
                p class="nhsuk-lede-text" { "Tell the partners of the Kent and Medway Shared Delivery Plan about your experience of health and care, so that what they do can change." }
                div class="nhsuk-inset-text" {
                    p { "A moderator reads everything before it is published. Do not include names, email addresses, phone numbers, web addresses or NHS numbers: we cannot accept them. Read our " a href="/have-your-say/privacy" { "privacy notice" } "." }
                }
                form method="post" action="/have-your-say" novalidate {
                    input type="hidden" name="stamp" value=(stamp);
                    div class="assure-honeypot" aria-hidden="true" {
                        label for="website" { "Leave this empty" }
                        input type="text" id="website" name="website" tabindex="-1" autocomplete="off" value="";
                    }
                    (select("outcome", "What is your experience about?", Some("The shared outcomes of the plan."), &outcome_options(plan), &f.outcome, errors))
                    (select("area", "Where do you live?", Some("Your district, or Medway. We do not ask for your postcode."), &area_options(plan), &f.area, errors))
                    (select("commitment", "Is it about one of the plan's commitments? (optional)", None, &commitment_options(plan), &f.commitment, errors))
                    (textarea("body", "What happened?", Some(&format!("At most {MAX_WORDS} words. Do not include anyone's name or contact details.")), &f.body, errors))
                    (select("experienced", "When did this happen?", None, &month_options(SystemTime::now()), &f.experienced, errors))
                    (choices("radio", "name_choice", "How should your name appear if this is published?", &[
                        ("pseudonym".into(), "A made-up name (such as Kestrel 482)".into()),
                        ("first_name".into(), "My first name".into()),
                    ], std::slice::from_ref(&f.name_choice), errors))
                    (input("first_name", "text", "Your first name (if you chose it)", None, &f.first_name, errors))
                    (choices("checkbox", "consent_publish", "Publishing", &[("yes".into(), "I agree that what I wrote may be published, after moderation".into())], &yes(f.consent_publish), errors))
                    (choices("checkbox", "consent_health", "Health information", &[("yes".into(), "I agree that partners may use any health information I included".into())], &yes(f.consent_health), errors))
                    (choices("checkbox", "consent_contact", "Contact", &[("yes".into(), "You may contact me about this (we will tell you the moderator's decision)".into())], &yes(f.consent_contact), errors))
                    (input("email", "email", "Your email address (only if you agreed to be contacted)", Some("Kept apart from what you wrote, seen only by moderators, never published, deleted after 24 months."), &f.email, errors))
                    (select("age_band", "Your age (optional)", Some("Never published; used only for counts."), &{
                        let mut o = vec![(String::new(), "Select an age band".to_owned())];
                        o.extend(AGE_BANDS.iter().map(|a| ((*a).to_owned(), (*a).to_owned())));
                        o
                    }, &f.age_band, errors))
                    button class="nhsuk-button" type="submit" { "Send" }
                }
                p { a href="/have-your-say/receipt" { "Check or withdraw something you sent" } }
            } }
        },
    )
}

/// The form, prefilled with an outcome or place from the page that linked to it.
pub async fn show_say(State(state): State<AppState>, Query(q): Query<Fields>) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let stamp = state.blocking(|s| Ok(s.app().say_form_stamp()?)).await?;
    let f = SayFields {
        outcome: field(&q, "outcome").to_owned(),
        area: field(&q, "area").to_owned(),
        name_choice: "pseudonym".into(),
        ..SayFields::default()
    };
    let mut response = say_page(&plan, &stamp, &f, &[]).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(response)
}

fn thank_you(receipt: Option<&str>, safeguarding: bool, emailed: bool) -> Markup {
    page(
        "Thank you for having your say",
        &[say_crumb()],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                h1 { "Thank you for having your say" }
                @if safeguarding {
                    div class="nhsuk-warning-callout" {
                        h2 class="nhsuk-warning-callout__label" { span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "Getting help" } }
                        p { "What you wrote suggests that you or someone else may need help. It will not be published; our safeguarding lead will read it." }
                        ul { @for (when, what) in HELP { li { (when) ", " strong { (what) } "." } } }
                    }
                } @else if emailed {
                    (check_your_email())
                } @else {
                    p { "A moderator will read what you wrote before anything is published." }
                }
                @if let Some(code) = receipt {
                    div class="nhsuk-panel" {
                        h2 { "Your receipt code" }
                        p class="assure-receipt" { strong { (code) } }
                        p { "Keep it private. With it you can " a href="/have-your-say/receipt" { "see what happened to what you wrote, or withdraw it" } ". We cannot show it to you again." }
                    }
                }
            } }
        },
    )
}

/// What an author is told while their item waits for them to confirm it by email.
fn check_your_email() -> Markup {
    let days = assure_app::UNCONFIRMED_KEPT.as_secs() / 86400;
    html! {
        div class="nhsuk-inset-text" {
            h2 class="nhsuk-heading-m" { "Check your email" }
            p { "We have sent you a link. Open it and press 'Confirm' to send what you wrote to our moderators." }
            p { "If it is not confirmed within " (days) " days, what you wrote is deleted." }
        }
    }
}

/// A submission: thank you (with the receipt), the form with its errors, or 429.
pub async fn submit_say(State(state): State<AppState>, request: Request) -> Result<Response, WebError> {
    let client = access::client(&request, state.trusted_proxies());
    let fields = access::read_form(request).await?;
    let plan = state.plan().await?;
    let f = SayFields {
        outcome: field(&fields, "outcome").to_owned(),
        area: field(&fields, "area").to_owned(),
        commitment: field(&fields, "commitment").to_owned(),
        body: field(&fields, "body").to_owned(),
        experienced: field(&fields, "experienced").to_owned(),
        name_choice: field(&fields, "name_choice").to_owned(),
        first_name: field(&fields, "first_name").to_owned(),
        consent_publish: field(&fields, "consent_publish") == "yes",
        consent_contact: field(&fields, "consent_contact") == "yes",
        consent_health: field(&fields, "consent_health") == "yes",
        email: field(&fields, "email").to_owned(),
        age_band: field(&fields, "age_band").to_owned(),
    };
    let request = SayRequest {
        fields: f.clone(),
        stamp: field(&fields, "stamp").to_owned(),
        honeypot: field(&fields, "website").to_owned(),
        client,
    };
    let p = plan.clone();
    match state.blocking(move |s| Ok(s.app().say(&p, &request, SystemTime::now()))).await? {
        Ok(Said::Received { id, receipt, safeguarding, confirmation }) => {
            if let Confirmation::Failed(e) = &confirmation {
                tracing::warn!(item = id, error = %e, "the confirmation email could not be sent; the item went to the moderators");
            }
            let emailed = confirmation == Confirmation::Emailed;
            Ok(thank_you(Some(&receipt), safeguarding, emailed).into_response())
        }
        Ok(Said::Ignored) => Ok(thank_you(None, false, false).into_response()),
        Err(AppError::Rejected(errors)) => {
            let stamp = field(&fields, "stamp").to_owned();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, say_page(&plan, &stamp, &f, &errors)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn receipt_form(errors: &[FieldError]) -> Markup {
    page(
        &form_title("Check something you sent", errors),
        &[say_crumb()],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                (error_summary(errors))
                h1 { "Check something you sent" }
                form method="post" action="/have-your-say/receipt" novalidate {
                    (input("code", "text", "Your receipt code", Some("For example, ABCD-EFGH-JKMN"), "", errors))
                    button class="nhsuk-button" type="submit" { "Check" }
                }
            } }
        },
    )
}

/// The form asking for a receipt code (the code is posted, never put in a URL).
pub async fn show_receipt_form() -> Markup {
    receipt_form(&[])
}

/// A changed text the author sent that was refused, and why.
type Change = (String, Vec<FieldError>);

fn receipt_page(
    plan: &Plan,
    c: &assure_store::Contribution,
    decisions: &[assure_store::Decision],
    code: &str,
    note: Option<&str>,
    change: Option<&Change>,
) -> Markup {
    let errors = change.map_or(&[][..], |(_, e)| e.as_slice());
    html! {
        (page(&form_title("What happened to what you sent", errors), &[say_crumb()], html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                (error_summary(errors))
                @if let Some(n) = note { (success_banner(n)) }
                h1 { "What happened to what you sent" }
                @if c.state == ContributionState::Unconfirmed { (check_your_email()) }
                dl class="nhsuk-summary-list" {
                    div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "State" } dd class="nhsuk-summary-list__value" { (c.state.label()) } }
                    div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "About" } dd class="nhsuk-summary-list__value" { "Outcome " (c.outcome) @if let Some(o) = plan.outcome(c.outcome) { ": " (o.title) } } }
                    div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Sent" } dd class="nhsuk-summary-list__value" { (c.created_at.get(..10).unwrap_or_default()) } }
                    @if let Some(d) = decisions.last() {
                        div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Moderator's note" } dd class="nhsuk-summary-list__value" { (d.public_note) } }
                    }
                }
                @if c.state != ContributionState::Withdrawn {
                    h2 { "What you wrote" }
                    blockquote { p { (c.body) } }
                    @if c.state.is_public() { p { a href={ "/contributions/" (c.id) } { "See it published" } } }
                    @if c.state == ContributionState::ChangesRequested {
                        h2 { "Change what you wrote" }
                        p { "A moderator asked you to change it (their note is above). What you send replaces what you wrote, and goes back to the moderators." }
                        form method="post" action="/have-your-say/resubmit" novalidate {
                            input type="hidden" name="code" value=(code);
                            (textarea("body", "What happened?", Some(&format!("At most {MAX_WORDS} words. Do not include anyone's name or contact details.")), change.map_or(c.body.as_str(), |(t, _)| t.as_str()), errors))
                            button class="nhsuk-button" type="submit" { "Send the changed text" }
                        }
                    }
                    @if matches!(c.state, ContributionState::Hidden | ContributionState::Rejected) && !c.appealed {
                        h2 { "Appeal" }
                        form method="post" action="/have-your-say/appeal" novalidate {
                            input type="hidden" name="code" value=(code);
                            (textarea("reason", "Why should it be published?", Some("You can appeal once."), "", &[]))
                            button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Appeal" }
                        }
                    }
                    h2 { "Withdraw it" }
                    p { "Withdrawing deletes what you wrote and your contact details. It cannot be undone." }
                    form method="post" action="/have-your-say/withdraw" novalidate {
                        input type="hidden" name="code" value=(code);
                        button class="nhsuk-button nhsuk-button--warning" type="submit" { "Withdraw and delete" }
                    }
                }
            } }
        }))
    }
}

async fn receipt_answer(
    state: &AppState,
    code: String,
    note: Option<&str>,
    change: Option<Change>,
) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let c2 = code.clone();
    let found = state
        .blocking(move |s| {
            let c = s.app().receipt(&c2)?;
            let d = match &c {
                Some(c) => s.store().decisions(c.id)?,
                None => Vec::new(),
            };
            Ok(c.map(|c| (c, d)))
        })
        .await?;
    match found {
        Some((c, d)) => {
            let status = if change.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
            let mut r = (status, receipt_page(&plan, &c, &d, &code, note, change.as_ref())).into_response();
            r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            Ok(r)
        }
        None => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            receipt_form(&[("code", "There is nothing with this receipt code: check it and try again".into())]),
        )
            .into_response()),
    }
}

pub async fn show_receipt(State(state): State<AppState>, request: Request) -> Result<Response, WebError> {
    let fields = access::read_form(request).await?;
    receipt_answer(&state, field(&fields, "code").trim().to_owned(), None, None).await
}

pub async fn withdraw(State(state): State<AppState>, request: Request) -> Result<Response, WebError> {
    let fields = access::read_form(request).await?;
    let code = field(&fields, "code").trim().to_owned();
    let c = code.clone();
    state.blocking(move |s| Ok(s.app().withdraw(&c)?)).await?;
    receipt_answer(&state, code, Some("What you wrote has been withdrawn and deleted."), None).await
}

pub async fn appeal(State(state): State<AppState>, request: Request) -> Result<Response, WebError> {
    let fields = access::read_form(request).await?;
    let code = field(&fields, "code").trim().to_owned();
    let (c, reason) = (code.clone(), field(&fields, "reason").to_owned());
    state.blocking(move |s| Ok(s.app().appeal(&c, &reason)?)).await?;
    receipt_answer(&state, code, Some("Your appeal has been sent to the moderators."), None).await
}

/// The author sends a changed text after a moderator asked for changes.
pub async fn resubmit(State(state): State<AppState>, request: Request) -> Result<Response, WebError> {
    let fields = access::read_form(request).await?;
    let code = field(&fields, "code").trim().to_owned();
    let (c, body) = (code.clone(), field(&fields, "body").to_owned());
    match state.blocking(move |s| Ok(s.app().resubmit(&c, &body))).await? {
        Ok(_) => {
            receipt_answer(&state, code, Some("Thank you: your changed text has gone back to the moderators."), None)
                .await
        }
        Err(AppError::Rejected(errors)) => {
            receipt_answer(&state, code, None, Some((field(&fields, "body").to_owned(), errors))).await
        }
        Err(e) => Err(e.into()),
    }
}

fn confirm_page(token: &str, c: &assure_store::Contribution, done: bool) -> Markup {
    page(
        "Confirm what you sent",
        &[say_crumb()],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                @if done { (success_banner("Thank you: what you sent is confirmed.")) }
                h1 { "Confirm what you sent" }
                @match c.state {
                    ContributionState::Unconfirmed => {
                        p { "You sent us something about outcome " (c.outcome) " on " (c.created_at.get(..10).unwrap_or_default()) ". Confirm it to send it to our moderators, who read everything before it is published." }
                        form method="post" action={ "/have-your-say/confirm/" (token) } novalidate {
                            button class="nhsuk-button" type="submit" { "Confirm" }
                        }
                        p { "If you did not write to us, do nothing: it will be deleted." }
                    }
                    ContributionState::Withdrawn => { p { "This was withdrawn: there is nothing to confirm." } }
                    _ => {
                        @if !done { p { "This has been confirmed already." } }
                        p { "A moderator will read it before anything is published. With your receipt code you can " a href="/have-your-say/receipt" { "see what happened to it, or withdraw it" } "." }
                    }
                }
            } }
        },
    )
}

fn no_such_confirmation() -> WebError {
    let days = assure_app::UNCONFIRMED_KEPT.as_secs() / 86400;
    WebError::NotFound(format!(
        "This confirmation link is not one we sent, or what it was for was deleted because it was not confirmed within \
         {days} days. You can have your say again."
    ))
}

fn no_store(markup: Markup) -> Response {
    let mut r = markup.into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    r
}

/// The page a confirmation link opens: it asks for a press of "Confirm" and changes
/// nothing itself, so that a mail scanner following the link confirms nothing.
pub async fn show_confirm(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, WebError> {
    let t = token.clone();
    let found = state.blocking(move |s| Ok(s.app().confirmation(&t)?)).await?;
    let c = found.ok_or_else(no_such_confirmation)?;
    Ok(no_store(confirm_page(&token, &c, false)))
}

/// "Confirm" pressed: the item goes to the moderators (once).
pub async fn confirm(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, WebError> {
    let t = token.clone();
    let found = state.blocking(move |s| Ok(s.app().confirm(&t)?)).await?;
    let (c, done) = found.ok_or_else(no_such_confirmation)?;
    Ok(no_store(confirm_page(&token, &c, done)))
}

/// A published item on its own page.
pub async fn show_contribution(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let plan_id = plan.meta.id.get_ref().clone();
    let voice = state.blocking(move |s| Ok(s.app().public_voice(&plan_id)?)).await?;
    let c = voice
        .contributions
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| WebError::NotFound(format!("There is no published item {id}.")))?;
    let responses = voice.responses_on("contribution", &id.to_string());
    Ok(page(
        &format!("What a resident said about outcome {}", c.outcome),
        &[say_crumb()],
        html! {
            h1 { "What a resident said about outcome " (c.outcome) }
            (crate::components::contribution_card(&plan, &voice, c))
            p { a href={ "/outcomes/" (c.outcome) "#residents" } { "More about outcome " (c.outcome) } }
            @for r in responses { (crate::components::response_card(&plan, &voice, r)) }
        },
    ))
}

fn report_page(id: i64, errors: &[FieldError], done: bool) -> Markup {
    page(
        &form_title("Report this item", errors),
        &[say_crumb()],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                (error_summary(errors))
                h1 { "Report this item" }
                @if done {
                    p { "Thank you. A moderator will look at it." }
                } @else {
                    p { "Tell us if it breaks our rules: personal information, offensive words, or something that is not true about a named person." }
                    form method="post" action={ "/contributions/" (id) "/report" } novalidate {
                        (textarea("reason", "What is wrong with it?", None, "", errors))
                        button class="nhsuk-button" type="submit" { "Report" }
                    }
                }
            } }
        },
    )
}

pub async fn show_report(Path(id): Path<i64>) -> Markup {
    report_page(id, &[], false)
}

/// A report from the public: the third distinct reporter hides the item.
pub async fn report(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    request: Request,
) -> Result<Response, WebError> {
    let client = access::client(&request, state.trusted_proxies());
    let fields = access::read_form(request).await?;
    let reason = field(&fields, "reason").trim().to_owned();
    if reason.is_empty() {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            report_page(id, &[("reason", "Say what is wrong with it".into())], false),
        )
            .into_response());
    }
    state.blocking(move |s| Ok(s.app().report_contribution(id, &client, &reason)?)).await?;
    Ok(report_page(id, &[], true).into_response())
}

/// The privacy notice.
pub async fn show_privacy() -> Markup {
    page(
        "Privacy notice: Have your say",
        &[say_crumb()],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                h1 { "Privacy notice: Have your say" }
                h2 { "What we keep" }
                ul {
                    li { "What you wrote, what it is about, the district you chose (or none), the month it happened, and the name you chose to appear under." }
                    li { "Your separate choices: to publish, to be contacted, and to let partners use health information you included." }
                    li { "Your age band, if you gave it: only ever counted, never shown." }
                    li { "Your email address, only if you agreed to be contacted: kept in a separate place that only moderators can read, never published, and deleted after 24 months." }
                    li { "Your receipt code, only in a form that cannot be turned back into the code." }
                }
                h2 { "What we publish" }
                p { "Only what a moderator has approved, under the name you chose, with the district you chose. Counts of fewer than 5 are never shown as a number. We never publish an email address, postcode, age band or receipt code, on the web site, in reports, in the API or in downloads." }
                h2 { "How long we keep it" }
                ul {
                    li { "Anything not confirmed within 7 days is deleted." }
                    li { "Contact details are deleted after 24 months." }
                    li { "You can withdraw what you wrote at any time with your receipt code: the text and your contact details are deleted." }
                }
                h2 { "Moderation" }
                p { "A moderator reads everything before it is published. They can publish it, publish it with some words removed (the removed words are not kept anywhere), ask for changes, keep it for partners only, or not publish it, and they always give a reason. If what you wrote suggests someone may be at risk, it is never published and our safeguarding lead reads it." }
                p { a href="/have-your-say" { "Have your say" } }
            } }
        },
    )
}

/// The published items as CSV: the public fields only.
pub async fn published_csv(State(state): State<AppState>) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let plan_id = plan.meta.id.get_ref().clone();
    let voice = state.blocking(move |s| Ok(s.app().public_voice(&plan_id)?)).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let out = (|| -> Result<Vec<u8>, csv::Error> {
        w.write_record([
            "id",
            "outcome",
            "area",
            "commitment",
            "month",
            "name",
            "channel",
            "redacted",
            "themes",
            "text",
            "published_at",
        ])?;
        for c in &voice.contributions {
            w.write_record([
                c.id.to_string(),
                c.outcome.to_string(),
                c.area.clone().unwrap_or_default(),
                c.commitment.clone().unwrap_or_default(),
                c.experienced.clone(),
                c.display_name.clone(),
                c.channel.as_str().to_owned(),
                c.redacted.to_string(),
                c.themes.join(";"),
                c.text.clone(),
                c.published_at.clone().unwrap_or_default(),
            ])?;
        }
        w.flush()?;
        Ok(w.into_inner().map_err(|e| e.into_error())?)
    })()
    .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], out).into_response())
}

// ---- Signed in: listening, moderation, themes, responses ----

fn signed(request: &Request) -> Result<Signed, WebError> {
    access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())
}

fn listening_page(s: &Signed, plan: &Plan, f: &Fields, errors: &[FieldError], done: Option<usize>) -> Markup {
    let channels = vec![
        ("listening_event".to_owned(), "A listening event".to_owned()),
        ("paper".to_owned(), "On paper".to_owned()),
        ("assisted".to_owned(), "Helping someone to say it".to_owned()),
    ];
    page(
        &form_title("Record what residents said", errors),
        &[say_crumb()],
        html! {
            (error_summary(errors))
            @if let Some(n) = done { (success_banner(&format!("{n} voices recorded. They wait for a moderator."))) }
            h1 { "Record what residents said" }
            p { "For partners who listen at events or collect paper forms: record several voices at once. Each is moderated before it is published. Do not record names or contact details." }
            form method="post" action="/listening" novalidate {
                (csrf_field(s))
                (choices("radio", "channel", "How did you hear them?", &channels, &all(f, "channel"), errors))
                (input("event", "text", "The event (optional)", Some("For example, Sittingbourne community café, 12 November."), field(f, "event"), errors))
                (select("experienced", "When?", None, &month_options(SystemTime::now()), field(f, "experienced"), errors))
                @for (k, (o, a, t)) in VOICE_FIELDS.iter().enumerate() {
                    fieldset class="nhsuk-fieldset" {
                        legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m" { "Voice " (k + 1) }
                        (select(o, "About", None, &outcome_options(plan), field(f, o), errors))
                        (select(a, "Where they live", None, &area_options(plan), field(f, a), errors))
                        (textarea(t, "What they said", None, field(f, t), errors))
                        @let p = format!("publish-{}", k + 1);
                        (choices("checkbox", leak(&p), "Publishing", &[("yes".into(), "They agreed that it may be published".into())], &all(f, &p), errors))
                    }
                }
                button class="nhsuk-button" type="submit" { "Record these voices" }
            }
        },
    )
}

/// Field names of the listening form's consent boxes (fixed, so `'static`).
fn leak(name: &str) -> &'static str {
    match name {
        "publish-1" => "publish-1",
        "publish-2" => "publish-2",
        "publish-3" => "publish-3",
        "publish-4" => "publish-4",
        _ => "publish-5",
    }
}

pub async fn show_listening(State(state): State<AppState>, request: Request) -> Result<Response, WebError> {
    let s = signed(&request)?;
    let plan = state.plan().await?;
    Ok(listening_page(&s, &plan, &Vec::new(), &[], None).into_response())
}

pub async fn record_listening(State(state): State<AppState>, form: SignedForm) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let f = ListeningFields {
        channel: form.get("channel").to_owned(),
        event: form.get("event").to_owned(),
        experienced: form.get("experienced").to_owned(),
        voices: VOICE_FIELDS
            .iter()
            .enumerate()
            .map(|(k, (o, a, t))| {
                (
                    form.get(o).to_owned(),
                    form.get(a).to_owned(),
                    form.get(t).to_owned(),
                    form.get(&format!("publish-{}", k + 1)) == "yes",
                )
            })
            .collect(),
    };
    let (account, p) = (form.signed.account.clone(), plan.clone());
    match state.blocking(move |s| Ok(s.app().record_listening(&account, &p, &f, SystemTime::now()))).await? {
        Ok(ids) => Ok(listening_page(&form.signed, &plan, &Vec::new(), &[], Some(ids.len())).into_response()),
        Err(AppError::Rejected(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, listening_page(&form.signed, &plan, &form.fields, &errors, None))
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn age(created: &str) -> String {
    let Ok(t) = humantime::parse_rfc3339_weak(created) else { return created.to_owned() };
    let secs = SystemTime::now().duration_since(t).map_or(0, |d| d.as_secs());
    match secs {
        s if s < 3600 => format!("{} minutes", s / 60),
        s if s < 2 * 86400 => format!("{} hours", s / 3600),
        s => format!("{} days", s / 86400),
    }
}

pub async fn show_queue(State(state): State<AppState>, request: Request) -> Result<Response, WebError> {
    let s = signed(&request)?;
    let plan = state.plan().await?;
    let (account, plan_id) = (s.account.clone(), plan.meta.id.get_ref().clone());
    let queue = state.blocking(move |st| Ok(st.app().moderation_queue(&account, &plan_id)?)).await?;
    Ok(page(
        "Moderation",
        &[],
        html! {
            h1 { "Moderation" }
            p { "What residents said, waiting for a decision, oldest first. Nothing is public until you publish it." }
            p { a href="/listening" { "Record voices from a listening event" } " · " a href="/responses/new" { "Publish a response" } " · " a href="/admin/themes" { "Themes" } }
            @if queue.is_empty() { p { "Nothing is waiting." } } @else {
                (table(html! { "Waiting for a decision" }, false, &[("Item", false), ("State", false), ("About", false), ("Waiting", false)], html! {
                    @for c in &queue {
                        tr class="nhsuk-table__row" {
                            td class="nhsuk-table__cell" { a href={ "/moderation/" (c.id) } { "Item " (c.id) } }
                            td class="nhsuk-table__cell" {
                                @if c.state == ContributionState::Safeguarding { (tag("Safeguarding", "red")) } @else { (c.state.label()) }
                                @if let Some(h) = &c.hold_reason { " (" (h) ")" }
                            }
                            td class="nhsuk-table__cell" { "Outcome " (c.outcome) @if let Some(a) = c.area.as_deref().and_then(|a| plan.area(a)) { ", " (a.name) } }
                            td class="nhsuk-table__cell" { (age(&c.created_at)) }
                        }
                    }
                }))
            }
        },
    )
    .into_response())
}

fn decision_page(
    s: &Signed,
    plan: &Plan,
    themes: &[assure_store::Theme],
    c: &assure_store::Contribution,
    email: Option<&str>,
    f: &DecisionFields,
    errors: &[FieldError],
) -> Markup {
    let decisions: Vec<(String, String)> = [
        ContributionState::Published,
        ContributionState::PublishedRedacted,
        ContributionState::ChangesRequested,
        ContributionState::Private,
        ContributionState::Rejected,
        ContributionState::Safeguarding,
    ]
    .iter()
    .map(|d| (d.as_str().to_owned(), d.label().to_owned()))
    .collect();
    let mut reasons = vec![(String::new(), "Select a reason".to_owned())];
    reasons.extend(REASON_CODES.iter().map(|(c, l)| ((*c).to_owned(), (*l).to_owned())));
    let theme_options: Vec<(String, String)> =
        themes.iter().filter(|t| t.outcome == c.outcome).map(|t| (t.id.clone(), t.label.clone())).collect();
    let checked = if f.themes.is_empty() { c.themes.clone() } else { f.themes.clone() };
    page(
        &form_title(&format!("Item {}", c.id), errors),
        &[crumb("Moderation", "/moderation")],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                (error_summary(errors))
                h1 { "Item " (c.id) }
                dl class="nhsuk-summary-list" {
                    div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "State" } dd class="nhsuk-summary-list__value" { (c.state.label()) @if let Some(h) = &c.hold_reason { " (" (h) ")" } } }
                    div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "About" } dd class="nhsuk-summary-list__value" { "Outcome " (c.outcome) @if let Some(a) = c.area.as_deref().and_then(|a| plan.area(a)) { ", " (a.name) } } }
                    div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Consents" } dd class="nhsuk-summary-list__value" {
                        "Publish: " (if c.consent_publish { "yes" } else { "no" }) "; contact: " (if c.consent_contact { "yes" } else { "no" }) "; health information: " (if c.consent_health { "yes" } else { "no" })
                    } }
                    div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "How" } dd class="nhsuk-summary-list__value" { (c.channel.label()) @if let Some(e) = &c.event { ", " (e) } @if let Some(r) = &c.recorded_by { ", recorded by " (r) } } }
                    @if let Some(e) = email {
                        div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Contact (never published)" } dd class="nhsuk-summary-list__value" { (e) } }
                    }
                }
                h2 { "What they wrote" }
                blockquote { p { (c.body) } }
                form method="post" action={ "/moderation/" (c.id) } novalidate {
                    (csrf_field(s))
                    (choices("radio", "decision", "Decision", &decisions, std::slice::from_ref(&f.decision), errors))
                    (select("reason_code", "Reason", None, &reasons, &f.reason_code, errors))
                    (textarea("public_note", "Note for the author and the public", None, &f.public_note, errors))
                    (textarea("redacted", "The text with words removed (only to publish with redactions)", Some("What you enter replaces what they wrote; the removed words are not kept anywhere."), &f.redacted, errors))
                    @if !theme_options.is_empty() {
                        (choices("checkbox", "themes", "Themes", &theme_options, &checked, errors))
                    }
                    button class="nhsuk-button" type="submit" { "Save decision" }
                }
            } }
        },
    )
}

pub async fn show_item(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    request: Request,
) -> Result<Response, WebError> {
    let s = signed(&request)?;
    let plan = state.plan().await?;
    let (account, plan_id) = (s.account.clone(), plan.meta.id.get_ref().clone());
    let (c, email, themes) = state
        .blocking(move |st| {
            let (c, e) = st.app().moderation_item(&account, id)?;
            Ok((c, e, st.store().themes(&plan_id)?))
        })
        .await?;
    Ok(decision_page(&s, &plan, &themes, &c, email.as_deref(), &DecisionFields::default(), &[]).into_response())
}

pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: SignedForm,
) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let f = DecisionFields {
        decision: form.get("decision").to_owned(),
        reason_code: form.get("reason_code").to_owned(),
        public_note: form.get("public_note").to_owned(),
        redacted: form.get("redacted").to_owned(),
        themes: all(&form.fields, "themes"),
    };
    let (account, p, f2) = (form.signed.account.clone(), plan.clone(), f.clone());
    match state.blocking(move |s| Ok(s.app().moderate(&account, &p, id, &f2))).await? {
        Ok(_) => Ok(Redirect::to("/moderation").into_response()),
        Err(AppError::Rejected(errors)) => {
            let (account, plan_id) = (form.signed.account.clone(), plan.meta.id.get_ref().clone());
            let (c, email, themes) = state
                .blocking(move |st| {
                    let (c, e) = st.app().moderation_item(&account, id)?;
                    Ok((c, e, st.store().themes(&plan_id)?))
                })
                .await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                decision_page(&form.signed, &plan, &themes, &c, email.as_deref(), &f, &errors),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn themes_page(s: &Signed, plan: &Plan, themes: &[assure_store::Theme], errors: &[FieldError]) -> Markup {
    page(
        &form_title("Themes", errors),
        &[crumb("Moderation", "/moderation")],
        html! {
            (error_summary(errors))
            h1 { "Themes" }
            p { "Each outcome's themes: moderators confirm them on each item, and the outcome and place pages count items by theme." }
            @for o in &plan.outcomes {
                h2 class="nhsuk-heading-s" { "Outcome " (o.number.get_ref()) ": " (o.title) }
                @let mine: Vec<_> = themes.iter().filter(|t| t.outcome == *o.number.get_ref()).collect();
                @if mine.is_empty() { p { "No themes yet." } } @else {
                    ul class="nhsuk-list nhsuk-list--bullet" { @for t in mine { li { (t.label) } } }
                }
            }
            h2 { "Add a theme" }
            form method="post" action="/admin/themes" novalidate {
                (csrf_field(s))
                (select("outcome", "Outcome", None, &outcome_options(plan), "", errors))
                (input("label", "text", "Theme", Some("For example, Loneliness and isolation."), "", errors))
                button class="nhsuk-button" type="submit" { "Add theme" }
            }
        },
    )
}

pub async fn show_themes(State(state): State<AppState>, request: Request) -> Result<Response, WebError> {
    let s = signed(&request)?;
    access::require_admin(&s)?;
    let plan = state.plan().await?;
    let plan_id = plan.meta.id.get_ref().clone();
    let themes = state.blocking(move |st| Ok(st.store().themes(&plan_id)?)).await?;
    Ok(themes_page(&s, &plan, &themes, &[]).into_response())
}

pub async fn add_theme(State(state): State<AppState>, form: SignedForm) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let (account, p, o, l) =
        (form.signed.account.clone(), plan.clone(), form.get("outcome").to_owned(), form.get("label").to_owned());
    match state.blocking(move |s| Ok(s.app().add_theme(&account, &p, &o, &l))).await? {
        Ok(_) => Ok(Redirect::to("/admin/themes").into_response()),
        Err(AppError::Rejected(errors)) => {
            let plan_id = plan.meta.id.get_ref().clone();
            let themes = state.blocking(move |st| Ok(st.store().themes(&plan_id)?)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, themes_page(&form.signed, &plan, &themes, &errors)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn response_page(s: &Signed, plan: &Plan, themes: &[assure_store::Theme], f: &Fields, errors: &[FieldError]) -> Markup {
    let mut about = vec![(String::new(), "Select what it is about".to_owned())];
    about.extend(
        themes.iter().map(|t| (format!("theme:{}", t.id), format!("Theme of outcome {}: {}", t.outcome, t.label))),
    );
    about.extend(
        plan.outcomes.iter().map(|o| {
            (format!("outcome:{}", o.number.get_ref()), format!("Outcome {}: {}", o.number.get_ref(), o.title))
        }),
    );
    about.extend(plan.place_areas().map(|a| (format!("place:{}", a.id.get_ref()), format!("Place: {}", a.name))));
    let statuses: Vec<(String, String)> =
        ResponseStatus::ALL.iter().map(|r| (r.as_str().to_owned(), r.label().to_owned())).collect();
    let mut orgs = vec![(String::new(), "Select an organisation".to_owned())];
    let own: Vec<&String> = s.account.organisations.iter().collect();
    orgs.extend(
        plan.organisations
            .iter()
            .filter(|o| own.is_empty() || own.contains(&o.id.get_ref()))
            .map(|o| (o.id.get_ref().clone(), o.name.clone())),
    );
    let mut milestones = vec![(String::new(), "None".to_owned())];
    milestones.extend(
        plan.delivery_examples.iter().flat_map(|e| {
            e.milestones.iter().map(move |m| (m.id.get_ref().clone(), format!("{}: {}", e.title, m.title)))
        }),
    );
    let mut plans = vec![(String::new(), "None".to_owned())];
    plans.extend(plan.delivering_plans.iter().map(|p| (p.id.get_ref().clone(), p.name.clone())));
    page(
        &form_title("Publish a response", errors),
        &[crumb("Moderation", "/moderation")],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                (error_summary(errors))
                h1 { "Publish a response" }
                p { "Close the loop: say what residents told you and what you did, or will do. Responses are public at once." }
                form method="post" action="/responses" novalidate {
                    (csrf_field(s))
                    (select("about", "What is it about?", None, &about, field(f, "about"), errors))
                    (select("organisation", "Responding for", None, &orgs, field(f, "organisation"), errors))
                    (textarea("you_said", "You said", None, field(f, "you_said"), errors))
                    (textarea("we_did", "We did (or will do)", None, field(f, "we_did"), errors))
                    (choices("radio", "status", "Status", &statuses, &all(f, "status"), errors))
                    (textarea("reason", "Reason (for 'not taking forward'), or to whom it was referred", None, field(f, "reason"), errors))
                    (select("milestones", "Linked milestone", Some("A change made must be linked to a milestone or a strategy or plan."), &milestones, field(f, "milestones"), errors))
                    (select("plans", "Linked strategy or plan", None, &plans, field(f, "plans"), errors))
                    (input("contributions", "text", "Linked published items (optional)", Some("Their numbers, separated by commas."), field(f, "contributions"), errors))
                    button class="nhsuk-button" type="submit" { "Publish response" }
                }
            } }
        },
    )
}

pub async fn show_response_form(State(state): State<AppState>, request: Request) -> Result<Response, WebError> {
    let s = signed(&request)?;
    let plan = state.plan().await?;
    let plan_id = plan.meta.id.get_ref().clone();
    let themes = state.blocking(move |st| Ok(st.store().themes(&plan_id)?)).await?;
    Ok(response_page(&s, &plan, &themes, &Vec::new(), &[]).into_response())
}

pub async fn add_response(State(state): State<AppState>, form: SignedForm) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    let split = |v: &str| v.split(',').map(|x| x.trim().to_owned()).filter(|x| !x.is_empty()).collect::<Vec<_>>();
    let f = ResponseFields {
        about: form.get("about").to_owned(),
        you_said: form.get("you_said").to_owned(),
        we_did: form.get("we_did").to_owned(),
        status: form.get("status").to_owned(),
        reason: form.get("reason").to_owned(),
        organisation: form.get("organisation").to_owned(),
        milestones: all(&form.fields, "milestones"),
        plans: all(&form.fields, "plans"),
        commitments: all(&form.fields, "commitments"),
        contributions: split(form.get("contributions")),
    };
    let (account, p, d) = (form.signed.account.clone(), plan.clone(), delivery.clone());
    match state.blocking(move |s| Ok(s.app().respond(&account, &p, &d, &f))).await? {
        Ok(r) => {
            let to = match r.scope {
                assure_store::ResponseScope::Place => format!("/places/{}#residents", r.scope_id),
                assure_store::ResponseScope::Outcome => format!("/outcomes/{}#residents", r.scope_id),
                assure_store::ResponseScope::Theme => {
                    format!("/outcomes/{}#residents", r.scope_id.split('-').next().unwrap_or("1"))
                }
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(AppError::Rejected(errors)) => {
            let plan_id = plan.meta.id.get_ref().clone();
            let themes = state.blocking(move |st| Ok(st.store().themes(&plan_id)?)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, response_page(&form.signed, &plan, &themes, &form.fields, &errors))
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

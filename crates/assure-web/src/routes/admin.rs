//! For admins: accounts, settings, and updates awaiting approval.

use assure_store::{AccountFields, Permission, Role, Settings};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use crate::access::{self, Signed, SignedForm};
use crate::components::{
    FieldError, choices, csrf_field, error_summary, form_title, input, success_banner, table, textarea,
};
use crate::components::{crumb, page};
use crate::{AppState, WebError};

fn admin(request: &Request) -> Result<Signed, WebError> {
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    access::require_admin(&s)?;
    Ok(s)
}

fn admin_crumb() -> (String, String) {
    crumb("Admin", "/admin")
}

pub async fn show_admin(State(state): State<AppState>, request: Request) -> Result<Markup, WebError> {
    admin(&request)?;
    let delivery = state.delivery().await?;
    let pending = delivery.updates().iter().filter(|u| u.publication == assure_store::Publication::Pending).count();
    Ok(page(
        "Admin",
        &[],
        html! {
            h1 { "Admin" }
            ul class="nhsuk-list" {
                li { a href="/admin/users" { "Accounts" } }
                li { a href="/plan-versions" { "Versions of the plan (drafts, diff, publishing)" } }
                li { a href="/admin/approvals" { "Updates awaiting approval (" (pending) ")" } }
                li { a href="/admin/settings" { "Settings" } }
                li { a href="/data/upload" { "Upload indicator data" } }
                li { a href="/admin/data-sources" { "Data from Fingertips (sources fetched on a schedule)" } }
                li { a href="/audit" { "Audit log" } }
                li { a href="/reports" { "Reports (issue the annual report)" } }
            }
        },
    ))
}

/// Organisation ids from a textarea: one per line (or comma), id, name or alias; every
/// unknown one is an error.
fn organisations(plan: &assure_plan::Plan, text: &str) -> Result<Vec<String>, String> {
    assure_app::organisation_ids(plan, text.split(['\n', ',']))
        .map_err(|key| format!("'{key}' is not an organisation of the plan (use its id or name, as on /organisations)"))
}

fn role_options() -> Vec<(String, String)> {
    vec![
        ("admin".into(), "Admin: everything, including accounts, settings and approvals".into()),
        ("editor".into(), "Editor: updates what their organisations (and their directorates) lead".into()),
        ("viewer".into(), "Viewer: reads drafts and internal notes; changes nothing".into()),
    ]
}

struct AccountForm {
    username: String,
    display_name: String,
    role: String,
    organisations: String,
    disabled: bool,
    /// The moderator permission (residents' voice), beside the role.
    moderator: bool,
    /// The plan-editor permission: starts, edits and publishes drafts of the plan.
    plan_editor: bool,
}

fn account_fields(plan: &assure_plan::Plan, f: &AccountForm, errors: &mut Vec<FieldError>) -> Option<AccountFields> {
    let role = Role::parse(&f.role);
    if role.is_none() {
        errors.push(("role", "Choose a role".into()));
    }
    let organisations = organisations(plan, &f.organisations).unwrap_or_else(|e| {
        errors.push(("organisations", e));
        Vec::new()
    });
    // Without a role, check the rest as for a viewer (who needs no organisation).
    let fields = AccountFields {
        display_name: f.display_name.clone(),
        role: role.unwrap_or(Role::Viewer),
        organisations,
        disabled: f.disabled,
    };
    for (field, message) in fields.problems() {
        if !errors.iter().any(|(f, _)| *f == field) {
            errors.push((field, message));
        }
    }
    Some(fields).filter(|_| role.is_some() && errors.is_empty())
}

fn account_form(signed: &Signed, action: &str, f: &AccountForm, new: bool, errors: &[FieldError]) -> Markup {
    html! {
        form method="post" action=(action) novalidate {
            (csrf_field(signed))
            @if new { (input("username", "text", "Username", Some("Lower-case letters, digits, '.', '-', '_' or '@', e.g. an email address"), &f.username, errors)) }
            (input("display_name", "text", "Name", None, &f.display_name, errors))
            (choices("radio", "role", "Role", &role_options(), std::slice::from_ref(&f.role), errors))
            (textarea("organisations", "Organisations", Some("One per line: the id or the name as on the organisations page, e.g. medway-council. An editor may update what these organisations and their directorates lead."), &f.organisations, errors))
            div class="nhsuk-form-group" {
                fieldset class="nhsuk-fieldset" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Permissions" }
                    div class="nhsuk-checkboxes" {
                        @for (name, checked, label) in [
                            ("moderator", f.moderator, "Moderator: reviews what residents say on Have your say before anything is published (an editor without it never moderates, so never what is said about their own organisation)"),
                            ("plan_editor", f.plan_editor, "Plan editor: starts, edits and publishes draft versions of the plan"),
                        ] {
                            div class="nhsuk-checkboxes__item" {
                                input class="nhsuk-checkboxes__input" id=(name) name=(name) type="checkbox" value="yes" checked[checked];
                                label class="nhsuk-label nhsuk-checkboxes__label" for=(name) { (label) }
                            }
                        }
                    }
                }
            }
            @if !new {
                (choices("checkbox", "disabled", "Access", &[("yes".into(), "Disabled: cannot sign in; sessions and API tokens stop working".into())], &[if f.disabled { "yes".into() } else { String::new() }], errors))
            }
            button class="nhsuk-button" type="submit" { @if new { "Create account" } @else { "Save changes" } }
        }
    }
}

fn users_page(
    signed: &Signed,
    accounts: &Accounts,
    f: &AccountForm,
    errors: &[FieldError],
    done: Option<Markup>,
) -> Markup {
    page(
        &form_title("Accounts", errors),
        &[admin_crumb()],
        html! {
            (error_summary(errors))
            @if let Some(d) = done { (d) }
            h1 { "Accounts" }
            (table(html! { "Accounts" }, true, &[("Username", false), ("Name", false), ("Role", false), ("Organisations", false), ("Access", false)], html! {
                @for a in &accounts.0 {
                    tr class="nhsuk-table__row" {
                        td class="nhsuk-table__cell" { a href={ "/admin/users/" (a.username) } { (a.username) } }
                        td class="nhsuk-table__cell" { (a.display_name) }
                        td class="nhsuk-table__cell" { (a.role.label()) @if accounts.1.contains(&a.username) { ", moderator" } @if accounts.2.contains(&a.username) { ", plan editor" } }
                        td class="nhsuk-table__cell" { (a.organisations.join(", ")) }
                        td class="nhsuk-table__cell" { @if a.disabled { "Disabled" } @else { "Enabled" } }
                    }
                }
            }))
            h2 { "Add an account" }
            p { "A password is made for the new account and shown once, here: give it to the person, who can change it under Your account." }
            (account_form(signed, "/admin/users", f, true, errors))
        },
    )
}

/// Every account, and the usernames of those with the moderator and the plan-editor permission.
type Accounts = (Vec<assure_store::Account>, Vec<String>, Vec<String>);

async fn accounts(state: &AppState) -> Result<Accounts, WebError> {
    state
        .blocking(|s| {
            Ok((
                s.store().accounts()?,
                s.store().with_permission(assure_store::Permission::Moderator)?,
                s.store().with_permission(assure_store::Permission::PlanEditor)?,
            ))
        })
        .await
}

/// Give or take away a permission, as the form asked (the rule that only admins may is
/// the application's).
async fn set_permission(
    state: &AppState,
    admin: &Signed,
    username: &str,
    permission: Permission,
    on: bool,
) -> Result<(), WebError> {
    let (admin, username) = (admin.account.clone(), username.to_owned());
    state.blocking(move |s| Ok(s.app().set_permission(&admin, &username, permission, on)?)).await
}

fn empty_form() -> AccountForm {
    AccountForm {
        username: String::new(),
        display_name: String::new(),
        role: String::new(),
        organisations: String::new(),
        disabled: false,
        moderator: false,
        plan_editor: false,
    }
}

pub async fn list_users(State(state): State<AppState>, request: Request) -> Result<Markup, WebError> {
    let signed = admin(&request)?;
    Ok(users_page(&signed, &accounts(&state).await?, &empty_form(), &[], None))
}

fn form_of(form: &SignedForm, username: &str) -> AccountForm {
    AccountForm {
        username: username.to_owned(),
        display_name: form.get("display_name").to_owned(),
        role: form.get("role").to_owned(),
        organisations: form.get("organisations").to_owned(),
        disabled: form.get("disabled") == "yes",
        moderator: form.get("moderator") == "yes",
        plan_editor: form.get("plan_editor") == "yes",
    }
}

pub async fn create_user(State(state): State<AppState>, form: SignedForm) -> Result<Response, WebError> {
    access::require_admin(&form.signed)?;
    let plan = state.plan().await?;
    let f = form_of(&form, &form.get("username").to_lowercase());
    let mut errors = Vec::new();
    if let Some(p) = assure_store::username_problem(&f.username) {
        errors.push(("username", p));
    }
    let fields = account_fields(&plan, &f, &mut errors);
    if let (Some(fields), true) = (fields, errors.is_empty()) {
        let password = assure_store::random_password();
        let (u, p, actor) = (f.username.clone(), password.clone(), form.signed.account.username.clone());
        match state.blocking(move |s| Ok(s.store().create_account(&u, &p, &fields, &actor)?)).await {
            Ok(a) => {
                if f.moderator {
                    set_permission(&state, &form.signed, &a.username, Permission::Moderator, true).await?;
                }
                if f.plan_editor {
                    set_permission(&state, &form.signed, &a.username, Permission::PlanEditor, true).await?;
                }
                let done = html! {
                    (success_banner(&format!("Account '{}' created", a.username)))
                    div class="nhsuk-inset-text" {
                        p { "The password for " strong { (a.username) } " is shown once: " code class="assure-token" { (password) } }
                    }
                };
                return Ok(
                    users_page(&form.signed, &accounts(&state).await?, &empty_form(), &[], Some(done)).into_response()
                );
            }
            Err(WebError::Invalid(problems)) => errors.extend(problems),
            Err(e) => return Err(e),
        }
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, users_page(&form.signed, &accounts(&state).await?, &f, &errors, None))
        .into_response())
}

fn user_page(
    signed: &Signed,
    a: &assure_store::Account,
    f: &AccountForm,
    errors: &[FieldError],
    done: Option<Markup>,
) -> Markup {
    page(
        &form_title(&format!("Account {}", a.username), errors),
        &[admin_crumb(), crumb("Accounts", "/admin/users")],
        html! {
            (error_summary(errors))
            @if let Some(d) = done { (d) }
            span class="nhsuk-caption-l" { "Account" }
            h1 { (a.username) }
            (account_form(signed, &format!("/admin/users/{}", a.username), f, false, errors))
            h2 { "Reset the password" }
            p { "A new password is made and shown once; the person's sessions end." }
            form method="post" action={ "/admin/users/" (a.username) "/reset-password" } {
                (csrf_field(signed))
                button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Reset password" }
            }
        },
    )
}

fn form_from_account(a: &assure_store::Account, (moderator, plan_editor): (bool, bool)) -> AccountForm {
    AccountForm {
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        role: a.role.as_str().to_owned(),
        organisations: a.organisations.join("\n"),
        disabled: a.disabled,
        moderator,
        plan_editor,
    }
}

/// The account, and whether it has the moderator and the plan-editor permission.
async fn find_account(state: &AppState, username: String) -> Result<(assure_store::Account, (bool, bool)), WebError> {
    let shown = username.clone();
    state
        .blocking(move |s| match s.store().account(&username)? {
            Some(a) => {
                let moderator = s.store().has_permission(a.id, assure_store::Permission::Moderator)?;
                let plan_editor = s.store().has_permission(a.id, assure_store::Permission::PlanEditor)?;
                Ok(Some((a, (moderator, plan_editor))))
            }
            None => Ok(None),
        })
        .await?
        .ok_or_else(|| WebError::NotFound(format!("There is no account '{shown}'.")))
}

pub async fn show_user(
    State(state): State<AppState>,
    Path(username): Path<String>,
    request: Request,
) -> Result<Markup, WebError> {
    let signed = admin(&request)?;
    let (a, moderator) = find_account(&state, username).await?;
    Ok(user_page(&signed, &a, &form_from_account(&a, moderator), &[], None))
}

pub async fn update_user(
    State(state): State<AppState>,
    Path(username): Path<String>,
    form: SignedForm,
) -> Result<Response, WebError> {
    access::require_admin(&form.signed)?;
    let plan = state.plan().await?;
    let (a, _) = find_account(&state, username).await?;
    let f = form_of(&form, &a.username);
    let mut errors = Vec::new();
    let fields = account_fields(&plan, &f, &mut errors);
    if a.username == form.signed.account.username
        && (f.disabled || fields.as_ref().is_some_and(|x| x.role != Role::Admin))
    {
        errors.push(("role", "You cannot take away your own admin access: ask another admin".into()));
    }
    match fields {
        Some(fields) if errors.is_empty() => {
            let (u, actor) = (a.username.clone(), form.signed.account.username.clone());
            match state.blocking(move |s| Ok(s.store().update_account(&u, &fields, &actor)?)).await {
                Ok(a) => {
                    set_permission(&state, &form.signed, &a.username, Permission::Moderator, f.moderator).await?;
                    set_permission(&state, &form.signed, &a.username, Permission::PlanEditor, f.plan_editor).await?;
                    let done = success_banner("Changes saved");
                    Ok(user_page(
                        &form.signed,
                        &a,
                        &form_from_account(&a, (f.moderator, f.plan_editor)),
                        &[],
                        Some(done),
                    )
                    .into_response())
                }
                Err(WebError::Invalid(problems)) => {
                    Ok((StatusCode::UNPROCESSABLE_ENTITY, user_page(&form.signed, &a, &f, &problems, None))
                        .into_response())
                }
                Err(e) => Err(e),
            }
        }
        _ => Ok((StatusCode::UNPROCESSABLE_ENTITY, user_page(&form.signed, &a, &f, &errors, None)).into_response()),
    }
}

pub async fn reset_password(
    State(state): State<AppState>,
    Path(username): Path<String>,
    form: SignedForm,
) -> Result<Response, WebError> {
    access::require_admin(&form.signed)?;
    let (a, moderator) = find_account(&state, username).await?;
    let password = assure_store::random_password();
    let (u, p, actor) = (a.username.clone(), password.clone(), form.signed.account.username.clone());
    state.blocking(move |s| Ok(s.store().set_password(&u, &p, &actor)?)).await?;
    let done = html! {
        (success_banner("Password reset"))
        div class="nhsuk-inset-text" { p { "The new password for " strong { (a.username) } " is shown once: " code class="assure-token" { (password) } } }
    };
    Ok(user_page(&form.signed, &a, &form_from_account(&a, moderator), &[], Some(done)).into_response())
}

fn settings_page(signed: &Signed, stale_days: &str, approval: bool, errors: &[FieldError], done: bool) -> Markup {
    page(
        &form_title("Settings", errors),
        &[admin_crumb()],
        html! {
            (error_summary(errors))
            @if done { (success_banner("Settings saved")) }
            h1 { "Settings" }
            form method="post" action="/admin/settings" novalidate {
                (csrf_field(signed))
                (input("stale_days", "text", "Days without an update before an item is stale", Some("A milestone or plan with no published update for longer than this is shown as stale. Usually 90."), stale_days, errors))
                (choices("checkbox", "approval_required", "Approval", &[("yes".into(), "Editors' updates wait for an admin's approval before the public sees them".into())], &[if approval { "yes".into() } else { String::new() }], errors))
                button class="nhsuk-button" type="submit" { "Save settings" }
            }
        },
    )
}

pub async fn show_settings(State(state): State<AppState>, request: Request) -> Result<Markup, WebError> {
    let signed = admin(&request)?;
    let d = state.delivery().await?;
    Ok(settings_page(&signed, &d.stale_days.to_string(), d.approval_required, &[], false))
}

pub async fn save_settings(State(state): State<AppState>, form: SignedForm) -> Result<Response, WebError> {
    access::require_admin(&form.signed)?;
    let stale = form.get("stale_days").to_owned();
    let approval = form.get("approval_required") == "yes";
    let settings = stale.parse::<u32>().ok().map(|stale_days| Settings { stale_days, approval_required: approval });
    let errors = settings.map_or_else(|| vec![Settings::stale_days_problem()], |s| s.problems());
    let Some(settings) = settings.filter(|_| errors.is_empty()) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, settings_page(&form.signed, &stale, approval, &errors, false))
            .into_response());
    };
    let actor = form.signed.account.username.clone();
    state.blocking(move |s| Ok(s.store().save_settings(&settings, &actor)?)).await?;
    Ok(settings_page(&form.signed, &settings.stale_days.to_string(), approval, &[], true).into_response())
}

pub async fn list_approvals(State(state): State<AppState>, request: Request) -> Result<Markup, WebError> {
    let signed = admin(&request)?;
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    let pending: Vec<_> =
        delivery.updates().iter().filter(|u| u.publication == assure_store::Publication::Pending).collect();
    Ok(page(
        "Updates awaiting approval",
        &[admin_crumb()],
        html! {
            h1 { "Updates awaiting approval" }
            @if pending.is_empty() { p { "No update is waiting." } }
            @for u in pending {
                div class="nhsuk-card" { div class="nhsuk-card__content" {
                    h2 class="nhsuk-card__heading nhsuk-heading-m" {
                        a href=(crate::components::item_href(u.kind, &u.item)) { (crate::components::item_title(&plan, &delivery, u.kind, &u.item)) }
                    }
                    (crate::components::update_summary(u, true, &u.author))
                    form method="post" action={ "/admin/approvals/" (u.id) } {
                        (csrf_field(&signed))
                        div class="nhsuk-button-group" {
                            button class="nhsuk-button" type="submit" name="decision" value="approve" { "Approve and publish" }
                            button class="nhsuk-button nhsuk-button--secondary" type="submit" name="decision" value="reject" { "Reject" }
                        }
                    }
                } }
            }
        },
    ))
}

pub async fn review(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: SignedForm,
) -> Result<Response, WebError> {
    access::require_admin(&form.signed)?;
    let approve = match form.get("decision") {
        "approve" => true,
        "reject" => false,
        other => {
            return Err(WebError::BadRequest {
                field: "decision".into(),
                detail: format!("'{other}' is not approve or reject"),
            });
        }
    };
    let plan = state.plan().await?;
    let (plan_id, account) = (plan.meta.id.get_ref().clone(), form.signed.account.clone());
    state.blocking(move |s| Ok(s.app().review_update(&account, &plan_id, id, approve)?)).await.map_err(
        |e| match e {
            // Reviewing an update that is no longer waiting is a request that cannot be made.
            WebError::Invalid(problems) => WebError::BadRequest {
                field: "update".into(),
                detail: problems.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join("; "),
            },
            e => e,
        },
    )?;
    Ok(Redirect::to("/admin/approvals").into_response())
}

//! The pages, one module per resource; URLs are stable and readable
//! (`/outcomes/2`, `/organisations/kcc`).

mod account;
mod admin;
mod areas;
mod audit;
mod commitments;
mod committees;
mod data_sources;
mod enablers;
mod examples;
mod glossary;
mod health;
mod home;
mod indicators;
mod milestones;
mod organisations;
mod outcomes;
mod places;
mod plan_edit;
mod plan_versions;
mod plans;
mod progress;
mod reminders;
mod reports;
mod rounds;
mod search;
mod source;
mod updates;
mod upload;
mod voice;
mod work;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// Every page, by URL.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show_home))
        .route("/healthz", get(health::show_health))
        .route("/outcomes/{number}", get(outcomes::show_outcome))
        .route("/priorities/{id}", get(outcomes::show_priority))
        .route("/commitments/{id}", get(commitments::show_commitment))
        .route("/plans", get(plans::list_plans))
        .route("/plans.csv", get(plans::register_csv))
        .route("/plans.xlsx", get(plans::register_xlsx))
        .route("/plans/{id}", get(plans::show_plan))
        .route("/organisations", get(organisations::list_organisations))
        .route("/organisations/{id}", get(organisations::show_organisation))
        .route("/indicators", get(indicators::list_indicators))
        .route("/indicators/{id}", get(indicators::show_indicator))
        .route("/indicators/{id}/data.csv", get(indicators::indicator_csv))
        .route("/how-we-judge-progress", get(progress::show_rule))
        .route("/progress", get(progress::show_progress))
        .route("/progress.csv", get(progress::progress_csv))
        .route("/progress.xlsx", get(progress::progress_xlsx))
        .route("/glossary", get(glossary::show_glossary))
        .route("/examples/{id}", get(examples::show_example))
        .route("/milestones/{id}", get(milestones::show_milestone))
        .route("/enablers", get(enablers::list_enablers))
        .route("/enablers/{id}", get(enablers::show_enabler))
        .route("/source", get(source::show_source))
        .route("/places", get(places::list_places))
        .route("/places/{id}", get(places::show_place))
        .route("/search", get(search::search))
        .route("/delivery", get(updates::list_delivery))
        .route("/delivery.csv", get(updates::delivery_csv))
        .route("/delivery.xlsx", get(updates::delivery_xlsx))
        .route("/my-work", get(work::show_my_work))
        .route("/my-work.csv", get(work::my_work_csv))
        .route("/my-work.xlsx", get(work::my_work_xlsx))
        .route("/rounds", get(rounds::list_rounds).post(rounds::open_round))
        .route("/rounds/new", get(rounds::show_new_round))
        .route("/rounds/{id}", get(rounds::show_round))
        .route("/rounds/{id}/close", post(rounds::close_round))
        .route("/rounds/{id}/returns.csv", get(rounds::returns_csv))
        .route("/rounds/{id}/returns.xlsx", get(rounds::returns_xlsx))
        .route("/committees", get(committees::list_committees))
        .route("/committees/bodies", post(committees::add_body))
        .route("/committees/bodies/{id}", get(committees::show_body).post(committees::rename_body))
        .route("/meetings", post(committees::record_meeting))
        .route("/meetings/new", get(committees::show_new_meeting))
        .route("/meetings/{id}", get(committees::show_meeting))
        .route("/meetings/{id}/papers", post(committees::add_paper))
        .route("/meetings/{id}/decisions", post(committees::record_decision))
        .route("/actions", get(committees::list_actions))
        .route("/actions.csv", get(committees::actions_csv))
        .route("/actions.xlsx", get(committees::actions_xlsx))
        .route("/actions/{id}", get(committees::show_action))
        .route("/actions/{id}/update", get(committees::show_action_form).post(committees::update_action))
        .route("/milestones/{id}/update", get(updates::show_milestone_form).post(updates::submit_milestone))
        .route("/plans/{id}/update", get(updates::show_plan_form).post(updates::submit_plan))
        .route("/plans/{id}/milestones/new", get(updates::show_new_milestone))
        .route("/plans/{id}/milestones", post(updates::add_milestone))
        .route("/sign-in", get(account::show_sign_in).post(account::sign_in))
        .route("/sign-out", post(account::sign_out))
        .route("/account", get(account::show_account))
        .route("/account/password", post(account::change_password))
        .route("/account/reminders", post(account::set_reminders))
        .route("/unsubscribe/{token}", get(reminders::show_unsubscribe).post(reminders::unsubscribe))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/admin", get(admin::show_admin))
        .route("/admin/users", get(admin::list_users).post(admin::create_user))
        .route("/admin/users/{username}", get(admin::show_user).post(admin::update_user))
        .route("/admin/users/{username}/reset-password", post(admin::reset_password))
        .route("/admin/settings", get(admin::show_settings).post(admin::save_settings))
        .route("/admin/approvals", get(admin::list_approvals))
        .route("/admin/data-sources", get(data_sources::list_data_sources).post(data_sources::add_data_source))
        .route("/admin/data-sources/{id}/remove", post(data_sources::remove_data_source))
        .route("/admin/data-sources/{id}/fetch", post(data_sources::fetch_data_source_now))
        .route("/admin/approvals/{id}", post(admin::review))
        .route(
            "/data/upload",
            get(upload::show_upload)
                .post(upload::upload)
                .layer(axum::extract::DefaultBodyLimit::max(crate::components::MAX_UPLOAD_BYTES)),
        )
        .route(
            "/plan-versions/{id}/areas",
            get(areas::show_areas_upload)
                .post(areas::upload_areas)
                .layer(axum::extract::DefaultBodyLimit::max(crate::components::MAX_UPLOAD_BYTES)),
        )
        .route("/plan-versions/{id}/areas/template.csv", get(areas::areas_template))
        .route("/have-your-say", get(voice::show_say).post(voice::submit_say))
        .route("/have-your-say/receipt", get(voice::show_receipt_form).post(voice::show_receipt))
        .route("/have-your-say/withdraw", post(voice::withdraw))
        .route("/have-your-say/appeal", post(voice::appeal))
        .route("/have-your-say/resubmit", post(voice::resubmit))
        .route("/have-your-say/privacy", get(voice::show_privacy))
        .route("/have-your-say/confirm/{token}", get(voice::show_confirm).post(voice::confirm))
        .route("/have-your-say/published.csv", get(voice::published_csv))
        .route("/contributions/{id}", get(voice::show_contribution))
        .route("/contributions/{id}/report", get(voice::show_report).post(voice::report))
        .route("/listening", get(voice::show_listening).post(voice::record_listening))
        .route("/moderation", get(voice::show_queue))
        .route("/moderation/{id}", get(voice::show_item).post(voice::decide))
        .route("/admin/themes", get(voice::show_themes).post(voice::add_theme))
        .route("/responses/new", get(voice::show_response_form))
        .route("/responses", post(voice::add_response))
        .route("/plan-versions", get(plan_versions::list_versions).post(plan_versions::start_draft))
        .route("/plan-versions/diff", get(plan_versions::show_diff))
        .route("/plan-versions/diff.csv", get(plan_versions::diff_csv))
        .route("/plan-versions/diff.xlsx", get(plan_versions::diff_xlsx))
        .route("/plan-versions/diff.pdf", get(plan_versions::diff_pdf))
        .route(
            "/plan-versions/compare",
            post(plan_versions::compare_upload)
                .layer(axum::extract::DefaultBodyLimit::max(plan_versions::MAX_ZIP_BYTES)),
        )
        .route("/plan-versions/{id}", get(plan_versions::show_version))
        .route("/plan-versions/{id}/files.zip", get(plan_versions::version_files))
        .route("/plan-versions/{id}/publish", get(plan_versions::show_publish).post(plan_versions::publish))
        .route("/plan-versions/{id}/edit", get(plan_edit::show_editor))
        .route("/plan-versions/{id}/edit/{kind}/{item}", get(plan_edit::show_item).post(plan_edit::save_item))
        .route(
            "/plan-versions/{id}/edit/{kind}/{item}/{action}",
            get(plan_edit::show_item_action).post(plan_edit::item_action),
        )
        .route("/plan-versions/{id}/edit/{kind}/{item}/links/{number}/{action}", post(plan_edit::link_action))
        .route("/plan-versions/{id}/add/{kind}", get(plan_edit::show_new_item).post(plan_edit::add_item))
        .route("/audit", get(audit::show_audit))
        .route("/reports", get(reports::list_reports))
        .route("/reports/annual", get(reports::annual))
        .route("/reports/annual/issue", post(reports::issue_annual))
        .route("/reports/places/{area}", get(reports::place))
        .route("/reports/indicators/{id}", get(reports::indicator))
        .route("/reports/commitments/{id}", get(reports::commitment))
}

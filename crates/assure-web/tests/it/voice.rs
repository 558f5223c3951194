//! Residents' voice over real HTTP, forms without JavaScript, on SQLite and PostgreSQL:
//! a resident in Swale says something about loneliness, a moderator publishes it with a
//! redaction, KCC responds "change planned" linked to a milestone, and the Swale page,
//! the outcome 2 page, the milestone page, the annual report and the API show it while
//! nothing private leaks; robots, floods and contact details are refused with nothing
//! stored; safeguarding is held and never public; reports hide, appeals return.

use std::time::Duration;

use assure_store::Role;

use crate::{Browser, Reply, TestApp, account, apps, signed_in};

const EMAIL: &str = "pat.resident.test@example.net";
const REMOVED: &str = "Pemberton";
const MILESTONE: &str = "move-together-active-kent-medway-strategy-m1";

/// The value of the first input or option named `name` in a page.
fn value_of(body: &str, name: &str) -> String {
    body.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

/// The newest month a form's `experienced` list offers.
fn newest_month(body: &str) -> String {
    let month = body
        .split("id=\"experienced\"")
        .nth(1)
        .and_then(|s| s.split("<option value=\"").nth(2))
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(month.len(), 7, "a month like 2026-11: {month}");
    month
}

/// The form's stamp, and the newest month it offers.
fn form(b: &mut Browser) -> (String, String) {
    let page = b.get("/have-your-say");
    assert_eq!(page.status, 200);
    (value_of(&page.body, "stamp"), newest_month(&page.body))
}

fn say(b: &mut Browser, stamp: &str, month: &str, area: &str, body: &str) -> Reply {
    let fields: Vec<(&str, String)> = vec![
        ("stamp", stamp.to_owned()),
        ("website", String::new()),
        ("outcome", "2".into()),
        ("area", area.into()),
        ("commitment", String::new()),
        ("body", body.into()),
        ("experienced", month.into()),
        ("name_choice", "pseudonym".into()),
        ("first_name", String::new()),
        ("consent_publish", "yes".into()),
        ("consent_contact", "yes".into()),
        ("email", EMAIL.into()),
        ("age_band", "65 to 74".into()),
    ];
    b.post_form("/have-your-say", &fields, false)
}

fn receipt_in(body: &str) -> String {
    body.split("class=\"assure-receipt\"><strong>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_default()
        .to_owned()
}

fn contributions(app: &TestApp) -> usize {
    app.db.open().contributions("kent-and-medway-2024-26", &[]).unwrap().len()
}

#[test]
fn a_resident_in_swale_is_heard_moderated_with_a_redaction_answered_and_nothing_private_leaks() {
    for app in apps() {
        let db = app.db.name;
        let store = app.db.open();
        account(&store, "moderator", Role::Viewer, &[]);
        store.set_permission("moderator", assure_store::Permission::Moderator, true, "test").unwrap();
        account(&store, "kcc", Role::Editor, &["kcc"]);
        account(&store, "admin", Role::Admin, &[]);

        // The resident, on a phone without JavaScript: the form, then a few seconds' thought.
        let mut resident = app.browser();
        let (stamp, month) = form(&mut resident);
        std::thread::sleep(Duration::from_millis(3100));
        let words = format!(
            "Since my husband died I have felt very lonely. Mrs {REMOVED} next door is the only one who calls. \
             The walking group at the library helped me get out again."
        );
        let sent = say(&mut resident, &stamp, &month, "swale", &words);
        assert_eq!(sent.status, 200, "{db}: {}", sent.body);
        let receipt = receipt_in(&sent.body);
        assert_eq!(receipt.len(), 14, "{db}: a receipt code is shown: {}", sent.body);

        // Not public before moderation.
        assert!(!app.get("/places/swale").2.contains("walking group"), "{db}");
        let checked = resident.post_form("/have-your-say/receipt", &[("code", receipt.clone())], false);
        assert!(checked.body.contains("Waiting for a moderator"), "{db}: {}", checked.body);

        // An admin adds the theme; the moderator publishes with the neighbour's name removed.
        let mut admin = signed_in(&app, "admin");
        let r = admin.post_form(
            "/admin/themes",
            &[("outcome", "2".into()), ("label", "Loneliness and isolation".into())],
            true,
        );
        assert_eq!(r.status, 303, "{db}: {}", r.body);
        let mut moderator = signed_in(&app, "moderator");
        let queue = moderator.get("/moderation");
        assert!(queue.body.contains("Item 1"), "{db}: {}", queue.body);
        let item = moderator.get("/moderation/1");
        assert!(item.body.contains(EMAIL), "{db}: the moderator sees the contact");
        let redacted = words.replace(&format!("Mrs {REMOVED}"), "[a neighbour]");
        let decision = [
            ("decision", "published_redacted".to_owned()),
            ("reason_code", "personal-information".to_owned()),
            ("public_note", "We removed a neighbour's name.".to_owned()),
            ("redacted", redacted.clone()),
            ("themes", "2-loneliness-and-isolation".to_owned()),
        ];
        // A KCC editor without the permission may not moderate.
        let mut kcc = signed_in(&app, "kcc");
        assert_eq!(kcc.get("/moderation").status, 403, "{db}");
        assert_eq!(kcc.post_form("/moderation/1", &decision, true).status, 403, "{db}");
        let r = moderator.post_form("/moderation/1", &decision, true);
        assert_eq!(r.status, 303, "{db}: {}", r.body);

        // KCC responds "change planned", linked to a milestone and to the item.
        let response = [
            ("about", "place:swale".to_owned()),
            ("organisation", "kcc".to_owned()),
            ("you_said", "Older residents in Swale feel lonely after a bereavement.".to_owned()),
            ("we_did", "We will add walking groups for the recently bereaved to Move Together.".to_owned()),
            ("status", "change_made".to_owned()),
            ("reason", String::new()),
            ("milestones", String::new()),
            ("plans", String::new()),
            ("contributions", "1".to_owned()),
        ];
        let refused = kcc.post_form("/responses", &response, true);
        assert_eq!(refused.status, 422, "{db}: change made needs a milestone or plan");
        assert!(refused.body.contains("must be linked to a milestone"), "{db}");
        let mut response = response.to_vec();
        response[4].1 = "change_planned".into();
        response[6].1 = MILESTONE.into();
        let r = kcc.post_form("/responses", &response, true);
        assert_eq!(r.status, 303, "{db}: {}", r.body);
        assert_eq!(r.location, "/places/swale#residents");

        // Shown where decisions are made.
        for path in ["/places/swale", "/outcomes/2", "/places/kent"] {
            let (status, _, page) = app.get(path);
            assert_eq!(status, 200, "{db} {path}");
            assert!(page.contains("[a neighbour]"), "{db} {path}: the redacted text is shown");
            assert!(page.contains("Loneliness and isolation"), "{db} {path}");
            assert!(page.contains("fewer than 5"), "{db} {path}: a count of 1 is not shown as a number");
        }
        let (_, _, swale) = app.get("/places/swale");
        assert!(swale.contains("Change planned") && swale.contains("walking groups for the recently bereaved"), "{db}");
        let (_, _, milestone) = app.get(&format!("/milestones/{MILESTONE}"));
        assert!(milestone.contains("Change planned"), "{db}: the milestone page shows the response");
        let (status, _, api) = app.get("/api/v1/contributions");
        assert_eq!(status, 200, "{db}: {api}");
        assert!(api.contains("[a neighbour]"), "{db}: {api}");
        let (_, _, api) = app.get("/api/v1/responses");
        assert!(api.contains("change_planned") && api.contains(MILESTONE), "{db}: {api}");
        let (_, _, csv) = app.get("/have-your-say/published.csv");
        assert!(csv.contains("[a neighbour]"), "{db}");
        let (_, _, annual) = app.get("/reports/annual");
        assert!(annual.contains("What residents told us") && annual.contains("[a neighbour]"), "{db}");
        assert!(annual.contains("Change planned"), "{db}");
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let pdf = agent
            .get(&format!("{}/reports/annual?format=pdf", app.base))
            .call()
            .unwrap()
            .body_mut()
            .read_to_vec()
            .unwrap();
        if let Some(text) = assure_web::testing::pdf_text(&pdf) {
            let text = assure_web::testing::squeeze(&text);
            assert!(text.contains("Whatresidentstoldus"), "{db}: the PDF has the section");
            assert!(text.contains("[aneighbour]"), "{db}: the PDF quotes the published text");
            assert!(!text.contains(REMOVED), "{db}");
        }

        // Nothing private leaks: no email, age band or receipt in any public output.
        let (_, _, api_contributions) = app.get("/api/v1/contributions");
        let (_, _, themes) = app.get("/api/v1/themes");
        for (what, out) in [
            ("swale", app.get("/places/swale").2),
            ("outcome", app.get("/outcomes/2").2),
            ("api", api_contributions),
            ("themes", themes),
            ("csv", csv.clone()),
            ("annual", annual.clone()),
            ("item", app.get("/contributions/1").2),
        ] {
            for secret in [EMAIL, "65 to 74", receipt.as_str(), REMOVED] {
                assert!(!out.contains(secret), "{db}: {what} shows {secret}");
            }
        }

        // The removed words are nowhere in the database, the audit log included.
        assert_eq!(app.db.tables_containing(REMOVED), Vec::<String>::new(), "{db}");
        assert!(app.db.tables_containing("[a neighbour]").contains(&"contribution".to_owned()), "{db}");
        let audit = store
            .audit(&assure_store::AuditFilter {
                entity: Some("contribution".into()),
                values: true,
                ..Default::default()
            })
            .unwrap();
        assert!(
            audit.iter().any(|e| e.action == "moderate" && e.actor == "moderator"),
            "{db}: who and when are recorded"
        );
        assert_eq!(contributions(&app), 1, "{db}");

        // The author withdraws: the text goes, and so does the public item.
        let r = resident.post_form("/have-your-say/withdraw", &[("code", receipt.clone())], false);
        assert!(r.body.contains("withdrawn"), "{db}: {}", r.body);
        assert!(!app.get("/places/swale").2.contains("[a neighbour]"), "{db}");
        assert_eq!(app.db.tables_containing("walking group at the library"), Vec::<String>::new(), "{db}");
        assert_eq!(app.db.tables_containing(EMAIL), Vec::<String>::new(), "{db}: the contact went too");
    }
}

#[test]
fn robots_floods_and_contact_details_are_refused_with_nothing_stored() {
    for app in apps() {
        let db = app.db.name;
        let mut b = app.browser();
        let (stamp, month) = form(&mut b);

        // Too fast (under 3 seconds): success shown, nothing stored.
        let r = say(&mut b, &stamp, &month, "swale", "The bus to the surgery was cancelled again.");
        assert_eq!(r.status, 200, "{db}");
        assert!(r.body.contains("Thank you") && !r.body.contains("assure-receipt"), "{db}");
        assert_eq!(contributions(&app), 0, "{db}: a 1-second submission stores nothing");
        std::thread::sleep(Duration::from_millis(3100));

        // The honeypot filled: success shown, nothing stored.
        let mut fields: Vec<(&str, String)> = vec![
            ("stamp", stamp.clone()),
            ("website", "http://spam.example".into()),
            ("outcome", "2".into()),
            ("area", "swale".into()),
            ("body", "Buy now".into()),
            ("experienced", month.clone()),
            ("name_choice", "pseudonym".into()),
            ("consent_publish", "yes".into()),
        ];
        let r = b.post_form("/have-your-say", &fields, false);
        assert_eq!((r.status, contributions(&app)), (200, 0), "{db}: the honeypot");
        // A forged stamp: the same.
        fields[0].1 = "1700000000.deadbeef".into();
        fields[1].1 = String::new();
        let r = b.post_form("/have-your-say", &fields, false);
        assert_eq!((r.status, contributions(&app)), (200, 0), "{db}: a forged stamp");

        // Each refused pattern: the error summary, 422, nothing stored.
        for (text, message) in [
            ("Email me on jo@example.com about it", "email address"),
            ("See https://example.org/complaint for details", "web address"),
            ("Ring me on 01795 123456 after six", "phone number"),
            ("My NHS number is 943 476 5919", "NHS number"),
        ] {
            let r = say(&mut b, &stamp, &month, "swale", text);
            assert_eq!(r.status, 422, "{db}: {text}");
            assert!(r.body.contains("There is a problem") && r.body.contains(message), "{db}: {text}");
            assert!(r.body.contains("href=\"#body\""), "{db}: the summary links to the field");
            assert_eq!(contributions(&app), 0, "{db}: {text} stored nothing");
        }
        let r = say(&mut b, &stamp, &month, "", "");
        assert_eq!(r.status, 422, "{db}");
        assert!(r.body.contains("Enter what you experienced") && r.body.contains("Select where you live"), "{db}");

        // Safeguarding: held, the resident shown where to get help, never public.
        let r = say(&mut b, &stamp, &month, "medway", "Some nights I want to die, nobody visits.");
        assert_eq!(r.status, 200, "{db}");
        assert!(r.body.contains("Samaritans") && r.body.contains("116 123"), "{db}: where to get help");
        let held = app.db.open().contributions("kent-and-medway-2024-26", &[]).unwrap();
        assert_eq!(held[0].state, assure_store::ContributionState::Safeguarding, "{db}");
        assert!(!app.get("/places/medway").2.contains("nobody visits"), "{db}");
        assert!(!app.get("/api/v1/contributions").2.contains("nobody visits"), "{db}");

        // The same text twice in a day is held for the moderator.
        say(&mut b, &stamp, &month, "swale", "The pharmacy closed early.");
        say(&mut b, &stamp, &month, "swale", "The pharmacy closed early.");
        let all = app.db.open().contributions("kent-and-medway-2024-26", &[]).unwrap();
        assert_eq!(all.last().unwrap().hold_reason.as_deref(), Some("duplicate"), "{db}");

        // The per-email limit (3 a day) and the per-address limit (5 an hour): 429.
        let r = say(&mut b, &stamp, &month, "swale", "A fourth thing from the same email.");
        assert_eq!(r.status, 429, "{db}: the email's 4th in a day");
        let no_email: Vec<(&str, String)> = vec![
            ("stamp", stamp.clone()),
            ("outcome", "2".into()),
            ("area", "swale".into()),
            ("body", "Another thing, no email.".into()),
            ("experienced", month.clone()),
            ("name_choice", "pseudonym".into()),
            ("consent_publish", "yes".into()),
        ];
        for n in [4, 5] {
            let r = b.post_form("/have-your-say", &no_email, false);
            assert!(r.status == 200 && r.body.contains("assure-receipt"), "{db}: the address's {n}th: {}", r.body);
        }
        let r = b.post_form("/have-your-say", &no_email, false);
        assert_eq!(r.status, 429, "{db}: the address's 6th in an hour");
        assert!(r.retry_after.as_deref().is_some_and(|s| s.parse::<u64>().is_ok_and(|n| n > 0 && n <= 3600)), "{db}");
        assert_eq!(contributions(&app), 5, "{db}");

        // None of it is public: no public count includes unmoderated items.
        let (_, _, page) = app.get("/outcomes/2");
        assert!(page.contains("Nothing has been published here yet"), "{db}");
    }
}

#[test]
fn three_reports_hide_an_item_and_its_author_may_appeal_once() {
    for app in apps() {
        let db = app.db.name;
        let store = app.db.open();
        account(&store, "admin", Role::Admin, &[]);
        let mut b = app.browser();
        let (stamp, month) = form(&mut b);
        std::thread::sleep(Duration::from_millis(3100));
        let r = say(&mut b, &stamp, &month, "medway", "The new clinic in Chatham is good.");
        let receipt = receipt_in(&r.body);
        let mut admin = signed_in(&app, "admin");
        let publish = [
            ("decision", "published".to_owned()),
            ("reason_code", "meets-guidelines".to_owned()),
            ("public_note", "Thank you.".to_owned()),
        ];
        assert_eq!(admin.post_form("/moderation/1", &publish, true).status, 303, "{db}");
        assert!(app.get("/places/medway").2.contains("new clinic in Chatham"), "{db}");
        // Reporters are told apart by the address the server sees (kept as an HMAC):
        // one address reporting three times counts once.
        for _ in 0..3 {
            let mut someone = app.browser();
            assert_eq!(
                someone.post_form("/contributions/1/report", &[("reason", "I disagree".into())], false).status,
                200
            );
        }
        assert_eq!(store.report_count(1).unwrap(), 1, "{db}: one address reports once");
        assert!(app.get("/places/medway").2.contains("new clinic in Chatham"), "{db}: not hidden by one reporter");
        store.report_contribution(1, "second", "r", 3).unwrap();
        let (_, hidden) = store.report_contribution(1, "third", "r", 3).unwrap();
        assert!(hidden, "{db}");
        assert!(!app.get("/places/medway").2.contains("new clinic in Chatham"), "{db}: hidden until reviewed");
        // The author appeals, once.
        let r =
            b.post_form("/have-your-say/appeal", &[("code", receipt.clone()), ("reason", "It is true.".into())], false);
        assert!(r.body.contains("appeal has been sent"), "{db}: {}", r.body);
        assert!(admin.get("/moderation").body.contains("appeal"), "{db}");
        let r = b.post_form("/have-your-say/appeal", &[("code", receipt), ("reason", "Again.".into())], false);
        assert_eq!(r.status, 422, "{db}: only once");
    }
}

#[test]
fn partners_record_several_voices_from_a_listening_event() {
    for app in apps() {
        let db = app.db.name;
        let store = app.db.open();
        account(&store, "vcse", Role::Editor, &["kent-volunteer-partnership"]);
        let mut b = signed_in(&app, "vcse");
        let page = b.get("/listening");
        assert_eq!(page.status, 200, "{db}");
        let month = newest_month(&page.body);
        let fields = [
            ("channel", "listening_event".to_owned()),
            ("event", "Sittingbourne community café".to_owned()),
            ("experienced", month),
            ("outcome-1", "2".to_owned()),
            ("area-1", "swale".to_owned()),
            ("text-1", "Nobody told us about the warm spaces.".to_owned()),
            ("publish-1", "yes".to_owned()),
            ("outcome-2", "3".to_owned()),
            ("area-2", "none".to_owned()),
            ("text-2", "The GP receptionist was kind.".to_owned()),
            ("outcome-3", String::new()),
            ("area-3", String::new()),
            ("text-3", String::new()),
        ];
        let r = b.post_form("/listening", &fields, true);
        assert_eq!(r.status, 200, "{db}: {}", r.body);
        assert!(r.body.contains("2 voices recorded"), "{db}");
        let all = store.contributions("kent-and-medway-2024-26", &[]).unwrap();
        assert_eq!(all.len(), 2, "{db}");
        assert!(all.iter().all(|c| c.channel == assure_store::Channel::ListeningEvent && c.recorded_by.as_deref() == Some("vcse")), "{db}");
        assert!(!all[1].consent_publish, "{db}: consent is recorded per voice");
        // Without a session or its token: refused.
        assert_eq!(app.browser().post_form("/listening", &fields, false).status, 303, "{db}");
    }
}

/// An item waiting for a moderator, about outcome 2 in Swale.
fn waiting(body: &str) -> assure_store::NewContribution {
    assure_store::NewContribution {
        outcome: 2,
        area: Some("swale".into()),
        commitment: None,
        body: body.into(),
        experienced: "2026-11".into(),
        display_name: "Heron 301".into(),
        first_name: false,
        consent_publish: true,
        consent_contact: false,
        consent_health: false,
        age_band: None,
        channel: assure_store::Channel::Web,
        state: assure_store::ContributionState::Pending,
        hold_reason: None,
        recorded_by: None,
        event: None,
        receipt: None,
        email: None,
    }
}

/// The section of an indicator page that counts the themes raised on its outcome.
fn themes_raised(app: &TestApp, indicator: &str) -> String {
    let (status, _, page) = app.get(&format!("/indicators/{indicator}"));
    assert_eq!(status, 200, "{page}");
    let section = page.split("id=\"themes-raised\"").nth(1).expect("the section is on the page");
    section.split("</section>").next().unwrap().to_owned()
}

#[test]
fn an_indicator_page_counts_the_themes_raised_on_its_outcome_from_published_items_only() {
    for app in apps() {
        let db = app.db.name;
        let store = app.db.open();
        account(&store, "admin", Role::Admin, &[]);
        let mut admin = signed_in(&app, "admin");
        let theme = [("outcome", "2".to_owned()), ("label", "Loneliness and isolation".to_owned())];
        assert_eq!(admin.post_form("/admin/themes", &theme, true).status, 303, "{db}");
        let items: Vec<_> = (1..=7).map(|k| waiting(&format!("Item number {k} about feeling alone."))).collect();
        store.add_contributions("kent-and-medway-2024-26", &items, &[], "test").unwrap();

        // Nothing published yet: said so, with the way to have one's say.
        let section = themes_raised(&app, "loneliness");
        assert!(section.contains("Nothing about outcome 2 has been published yet"), "{db}: {section}");

        let publish = |admin: &mut Browser, id: i64, themed: bool| {
            let mut decision = vec![
                ("decision", "published".to_owned()),
                ("reason_code", "meets-guidelines".to_owned()),
                ("public_note", "Thank you.".to_owned()),
            ];
            if themed {
                decision.push(("themes", "2-loneliness-and-isolation".to_owned()));
            }
            assert_eq!(admin.post_form(&format!("/moderation/{id}"), &decision, true).status, 303, "{db}");
        };
        for id in 1..=4 {
            publish(&mut admin, id, true);
        }
        publish(&mut admin, 5, false);
        let cell = |n: &str| format!("nhsuk-table__cell--numeric\">{n}</td>");
        let section = themes_raised(&app, "loneliness");
        assert!(section.contains("Loneliness and isolation"), "{db}: {section}");
        assert!(section.contains(&cell("fewer than 5")) && !section.contains(&cell("4")), "{db}: 4 is not shown");
        assert!(section.contains("Not yet themed"), "{db}: {section}");
        assert!(section.contains("href=\"/outcomes/2#residents\""), "{db}: a link to what they said");

        // The fifth with the theme is counted; the two still waiting are not.
        publish(&mut admin, 6, true);
        let section = themes_raised(&app, "loneliness");
        assert!(section.contains(&format!("Loneliness and isolation</td><td class=\"nhsuk-table__cell {}", cell("5"))));
        assert!(!section.contains(&cell("6")) && !section.contains(&cell("7")), "{db}: {section}");

        // Another outcome's indicator counts only its own outcome.
        let section = themes_raised(&app, "smoking-at-time-of-delivery");
        assert!(section.contains("Nothing about outcome 1 has been published yet"), "{db}: {section}");
    }
}

#[test]
fn an_admin_grants_and_takes_away_the_moderator_permission_on_the_accounts_page() {
    for app in apps() {
        let db = app.db.name;
        let store = app.db.open();
        account(&store, "admin", Role::Admin, &[]);
        account(&store, "kcc", Role::Editor, &["kcc"]);
        let mut admin = signed_in(&app, "admin");
        let mut kcc = signed_in(&app, "kcc");
        assert_eq!(kcc.get("/moderation").status, 403, "{db}: an editor does not moderate");

        let page = admin.get("/admin/users/kcc");
        assert!(page.body.contains("name=\"moderator\""), "{db}: the permission is on the account's page");
        let edit = |moderator: bool| {
            let mut f = vec![
                ("display_name", "KCC editor".to_owned()),
                ("role", "editor".to_owned()),
                ("organisations", "kcc".to_owned()),
            ];
            if moderator {
                f.push(("moderator", "yes".to_owned()));
            }
            f
        };
        let r = admin.post_form("/admin/users/kcc", &edit(true), true);
        assert!(r.status == 200 && r.body.contains("Changes saved"), "{db}: {}", r.body);
        assert_eq!(kcc.get("/moderation").status, 200, "{db}: now a moderator");
        assert!(admin.get("/admin/users").body.contains("Editor, moderator"), "{db}: listed");
        // Not an admin: the accounts pages are closed, so the permission cannot be taken.
        assert_eq!(kcc.post_form("/admin/users/kcc", &edit(true), true).status, 403, "{db}");
        // Saving again changes nothing, and records nothing.
        admin.post_form("/admin/users/kcc", &edit(true), true);
        let granted = store
            .audit(&assure_store::AuditFilter { entity: Some("account".into()), ..Default::default() })
            .unwrap()
            .iter()
            .filter(|e| e.action == "permission" && e.actor == "admin")
            .count();
        assert_eq!(granted, 1, "{db}: one grant, by the admin");

        let r = admin.post_form("/admin/users/kcc", &edit(false), true);
        assert_eq!(r.status, 200, "{db}");
        assert_eq!(kcc.get("/moderation").status, 403, "{db}: taken away");

        // A new account may be made a moderator at once.
        let new = [
            ("username", "sam@swale.gov.uk".to_owned()),
            ("display_name", "Sam".to_owned()),
            ("role", "viewer".to_owned()),
            ("organisations", String::new()),
            ("moderator", "yes".to_owned()),
        ];
        let r = admin.post_form("/admin/users", &new, true);
        assert_eq!(r.status, 200, "{db}: {}", r.body);
        let sam = store.account("sam@swale.gov.uk").unwrap().unwrap();
        assert!(store.has_permission(sam.id, assure_store::Permission::Moderator).unwrap(), "{db}");
    }
}

#[test]
fn asked_for_changes_the_author_changes_the_text_with_the_receipt_code_and_it_goes_back_to_the_moderators() {
    for app in apps() {
        let db = app.db.name;
        let store = app.db.open();
        account(&store, "admin", Role::Admin, &[]);
        let mut b = app.browser();
        let (stamp, month) = form(&mut b);
        std::thread::sleep(Duration::from_millis(3100));
        let r = say(&mut b, &stamp, &month, "swale", "The Quenington clinic was bad.");
        let receipt = receipt_in(&r.body);
        let mut admin = signed_in(&app, "admin");
        let ask = [
            ("decision", "changes_requested".to_owned()),
            ("reason_code", "needs-detail".to_owned()),
            ("public_note", "Please say what happened, and when.".to_owned()),
        ];
        assert_eq!(admin.post_form("/moderation/1", &ask, true).status, 303, "{db}");
        assert!(!admin.get("/moderation").body.contains("Item 1"), "{db}: not waiting for a moderator now");

        // The receipt shows the note and a form holding what they wrote.
        let page = b.post_form("/have-your-say/receipt", &[("code", receipt.clone())], false);
        assert!(page.body.contains("Please say what happened, and when."), "{db}: {}", page.body);
        assert!(page.body.contains("action=\"/have-your-say/resubmit\"") && page.body.contains("Quenington"), "{db}");

        // A changed text is checked as the form checks it: refused, nothing changed.
        let change = |text: &str| [("code", receipt.clone()), ("body", text.to_owned())];
        let r = b.post_form("/have-your-say/resubmit", &change("Ring me on 01795 123456 about it"), false);
        assert_eq!(r.status, 422, "{db}");
        assert!(r.body.contains("There is a problem") && r.body.contains("phone number"), "{db}: {}", r.body);
        assert!(r.body.contains("01795 123456"), "{db}: what they typed is kept in the form");
        assert_eq!(store.contribution(1).unwrap().body, "The Quenington clinic was bad.", "{db}");

        // Accepted: the new text replaces the old, which is kept nowhere, and it waits again.
        let better = "In March the clinic in Sittingbourne cancelled my appointment twice without telling me.";
        let r = b.post_form("/have-your-say/resubmit", &change(better), false);
        assert_eq!(r.status, 200, "{db}: {}", r.body);
        assert!(r.body.contains("gone back to the moderators") && r.body.contains("Waiting for a moderator"), "{db}");
        assert!(admin.get("/moderation").body.contains("Item 1"), "{db}: in the queue again");
        assert_eq!(app.db.tables_containing("Quenington"), Vec::<String>::new(), "{db}: the old words are gone");
        let audit = store
            .audit(&assure_store::AuditFilter {
                entity: Some("contribution".into()),
                values: true,
                ..Default::default()
            })
            .unwrap();
        assert!(audit.iter().any(|e| e.action == "resubmit" && e.actor == "author"), "{db}");

        // Only once asked: waiting again, it cannot be changed.
        let r = b.post_form("/have-your-say/resubmit", &change("Something else."), false);
        assert_eq!(r.status, 422, "{db}");
        assert_eq!(store.contribution(1).unwrap().body, better, "{db}");
    }
}

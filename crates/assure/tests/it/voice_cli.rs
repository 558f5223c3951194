//! Residents' voice beyond the web: retention from the command line with an injected
//! clock (unconfirmed items after 7 days, contact details after 24 months, also as the
//! daily job), and the email a safeguarding hold and a moderator's decision send,
//! delivered to a real SMTP server.

use std::time::Duration;

use assure_app::{App, Confirmation, DecisionFields, Mailer, Said, SayFields, SayRequest};
use assure_store::testing::databases;
use assure_store::{Channel, ContributionState, NewContribution};

use crate::mailbox::Mailbox;

const PLAN: &str = "kent-and-medway-2024-26";

fn item(state: ContributionState, email: Option<&str>) -> NewContribution {
    NewContribution {
        outcome: 2,
        area: Some("swale".into()),
        commitment: None,
        body: "The bus to the surgery stopped running.".into(),
        experienced: "2026-11".into(),
        display_name: "Heron 301".into(),
        first_name: false,
        consent_publish: true,
        consent_contact: email.is_some(),
        consent_health: false,
        age_band: None,
        channel: Channel::Web,
        state,
        hold_reason: None,
        recorded_by: None,
        event: None,
        receipt: None,
        email: email.map(str::to_owned),
    }
}

fn at(days: i64) -> String {
    (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * days)).to_string()
}

#[test]
fn retention_deletes_unconfirmed_items_after_a_week_and_contacts_after_two_years() {
    for db in databases() {
        let assure = || {
            let mut c = assert_cmd::Command::cargo_bin("assure").unwrap();
            c.env_remove("DATABASE_URL").env_remove("ASSURE_SMTP_URL").arg("--database").arg(db.arg());
            c
        };
        assure().args(["import", "--bundled"]).assert().success();
        let store = db.open();
        let items = [
            item(ContributionState::Unconfirmed, Some("keep.out@example.net")),
            item(ContributionState::Pending, Some("two.years@example.net")),
        ];
        store.add_contributions(PLAN, &items, &[], "test").unwrap();
        let count = || store.contributions(PLAN, &[]).unwrap().len();

        let said = assure().args(["engagement", "purge", "--now", &at(6)]).assert().success();
        assert!(String::from_utf8_lossy(&said.get_output().stdout).contains("deleted 0 unconfirmed"), "{}", db.name);
        assert_eq!(count(), 2, "{}: six days on, nothing is deleted", db.name);

        let said = assure().args(["engagement", "purge", "--now", &at(8)]).assert().success();
        assert!(String::from_utf8_lossy(&said.get_output().stdout).contains("deleted 1 unconfirmed"), "{}", db.name);
        assert_eq!(count(), 1, "{}: eight days on, the unconfirmed item is gone", db.name);
        assert!(db.tables_containing("keep.out@example.net").is_empty(), "{}: its contact went with it", db.name);
        assert_eq!(store.contribution_contact(2).unwrap().as_deref(), Some("two.years@example.net"));

        // The daily job does the same, 25 months on: the contact goes, the item stays.
        let run = assure().args(["jobs", "run", "--now", &at(25 * 31)]).assert().success();
        let said = String::from_utf8_lossy(&run.get_output().stdout).into_owned();
        assert!(said.contains("engagement-purge") && said.contains("1 contact detail"), "{}: {said}", db.name);
        assert_eq!(store.contribution_contact(2).unwrap(), None, "{}", db.name);
        assert_eq!(count(), 1, "{}", db.name);
        assert!(db.tables_containing("two.years@example.net").is_empty(), "{}", db.name);
    }
}

#[test]
fn the_safeguarding_lead_and_the_author_are_emailed() {
    let Some(mailbox) = Mailbox::start() else { return };
    let db = &databases()[0];
    let store = db.open();
    store.import_plan(&assure_store::ImportPlanRequest::new(&assure_plan::bundled().unwrap(), "t")).unwrap();
    let plan = assure_plan::bundled().unwrap();
    let app = App::new(store.clone())
        .with_mailer(Mailer::from_url(&mailbox.url(), assure_app::DEFAULT_SENDER).unwrap())
        .with_public_url("https://assure.example.org")
        .with_safeguarding_lead("safeguarding.lead@example.org");
    let stamp = app.say_form_stamp().unwrap();
    std::thread::sleep(Duration::from_millis(3100));
    let month = assure_app::recent_months(std::time::SystemTime::now())[0].clone();
    let fields = |body: &str| SayFields {
        outcome: "2".into(),
        area: "swale".into(),
        body: body.into(),
        experienced: month.clone(),
        name_choice: "pseudonym".into(),
        consent_publish: true,
        consent_contact: true,
        email: "author@example.net".into(),
        ..SayFields::default()
    };
    let say = |body: &str| {
        let request = SayRequest {
            fields: fields(body),
            stamp: stamp.clone(),
            honeypot: String::new(),
            client: "192.0.2.1".into(),
        };
        app.say(&plan, &request, std::time::SystemTime::now()).unwrap()
    };
    let Said::Received { id: held, safeguarding: true, .. } = say("I want to die some nights.") else { panic!("held") };
    let got = mailbox.messages(1);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].to, "safeguarding.lead@example.org");
    assert!(got[0].body.contains(&format!("https://assure.example.org/moderation/{held}")), "{}", got[0].body);
    assert!(!got[0].body.contains("want to die"), "the words do not travel by email");

    let Said::Received { id, safeguarding: false, confirmation: Confirmation::Emailed, .. } =
        say("The library's walking group helped me.")
    else {
        panic!("with a relay and an email, the author confirms first")
    };
    // The author is asked to confirm (the safeguarding hold above was not: it never waits).
    let got = mailbox.messages(2);
    assert_eq!(got.len(), 2, "{got:?}");
    // (The maildir's order within a second is not the order of sending: find by subject.)
    let ask = got.iter().find(|m| m.subject == "Have your say: confirm what you sent").unwrap();
    assert_eq!(ask.to, "author@example.net");
    let token = ask.body.split("/have-your-say/confirm/").nth(1).unwrap().split_whitespace().next().unwrap();
    assert_eq!(
        app.confirm(token).unwrap().map(|(c, moved)| (c.state, moved)),
        Some((ContributionState::Pending, true))
    );
    let admin = assure_store::Account {
        id: 0,
        username: "admin".into(),
        display_name: "Admin".into(),
        role: assure_store::Role::Admin,
        organisations: vec![],
        disabled: false,
        email: None,
        round_reminders: true,
        weekly_digest: true,
        created_at: String::new(),
        updated_at: String::new(),
    };
    let decision = DecisionFields {
        decision: "published".into(),
        reason_code: "meets-guidelines".into(),
        public_note: "Thank you for telling us.".into(),
        ..DecisionFields::default()
    };
    app.moderate(&admin, &plan, id, &decision).unwrap();
    let got = mailbox.messages(3);
    assert_eq!(got.len(), 3, "{got:?}");
    let told = got.iter().find(|m| m.subject == "Have your say: published").unwrap();
    assert_eq!(told.to, "author@example.net");
    assert!(told.body.contains("Published") && told.body.contains("Thank you for telling us."), "{}", told.body);
    assert!(told.body.contains("https://assure.example.org/have-your-say/receipt"), "{}", told.body);
}

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("assure")
}

/// `assure --database DB` with no relay from the environment.
fn assure_on(db: &str) -> std::process::Command {
    let mut c = std::process::Command::new(bin());
    c.env_remove("DATABASE_URL").env_remove("ASSURE_SMTP_URL").arg("--database").arg(db);
    c
}

fn run(c: &mut std::process::Command) -> String {
    let out = c.output().unwrap();
    assert!(out.status.success(), "{c:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The public form's fields for a resident in Swale; `email` empty: not to be contacted.
fn say_fields(stamp: &str, month: &str, body: &str, email: &str) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("stamp", stamp.to_owned()),
        ("website", String::new()),
        ("outcome", "2".to_owned()),
        ("area", "swale".to_owned()),
        ("body", body.to_owned()),
        ("experienced", month.to_owned()),
        ("name_choice", "pseudonym".to_owned()),
        ("consent_publish", "yes".to_owned()),
    ];
    if !email.is_empty() {
        fields.extend([("consent_contact", "yes".to_owned()), ("email", email.to_owned())]);
    }
    fields
}

/// The messages to `to`, once there is one (waiting up to 10 s for delivery).
fn messages_to(mailbox: &Mailbox, to: &str) -> Vec<crate::mailbox::Received> {
    let started = std::time::Instant::now();
    loop {
        let got: Vec<_> = mailbox.received().into_iter().filter(|m| m.to == to).collect();
        if !got.is_empty() || started.elapsed() > Duration::from_secs(10) {
            return got;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn with_smtp_a_resident_confirms_by_email_before_moderators_see_it_and_unconfirmed_items_are_purged() {
    use assure_web::testing::Browser;
    let Some(mailbox) = Mailbox::start() else { return };
    for db in databases() {
        let name = db.name;
        let url = db.arg();
        run(assure_on(&url).args(["import", "--bundled"]));
        crate::add_admin(assure_on(&url));
        let mut command = assure_on(&url);
        command.args(["--smtp-url", &mailbox.url(), "--public-url", "https://assure.example.org"]);
        let (_server, base, _stderr) = crate::spawn_serve(command, "warn");

        // Three residents on one form: two leave an email, one does not.
        let mut resident = Browser::new(&base);
        let page = resident.get("/have-your-say");
        let stamp = page.body.split("name=\"stamp\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let month = assure_app::recent_months(std::time::SystemTime::now())[0].clone();
        std::thread::sleep(Duration::from_millis(3100));
        let (pat, sam) = (format!("pat.{name}@example.net"), format!("sam.{name}@example.net"));
        let confirmed_text = "The bus from Faversham to the surgery stopped running.";
        let forgotten_text = "Nobody answered the phone at the Sheerness surgery.";
        let sent = resident.post_form("/have-your-say", &say_fields(&stamp, &month, confirmed_text, &pat), false);
        assert_eq!(sent.status, 200, "{name}: {}", sent.body);
        assert!(sent.body.contains("Check your email"), "{name}: {}", sent.body);
        let receipt =
            sent.body.split("class=\"assure-receipt\"><strong>").nth(1).unwrap().split('<').next().unwrap().to_owned();
        let sent = resident.post_form("/have-your-say", &say_fields(&stamp, &month, forgotten_text, &sam), false);
        assert!(sent.body.contains("Check your email"), "{name}");
        let sent = resident.post_form(
            "/have-your-say",
            &say_fields(&stamp, &month, "The pharmacy in Minster closed early.", ""),
            false,
        );
        assert!(sent.status == 200 && !sent.body.contains("Check your email"), "{name}: no email, no confirmation");

        // Unconfirmed items are in no queue: the moderators see only the third, and
        // cannot decide on the others.
        let mut admin = Browser::new(&base);
        assert_eq!(admin.sign_in(crate::ADMIN.0, crate::ADMIN.1).status, 303, "{name}");
        let queue = admin.get("/moderation").body;
        assert!(queue.contains("Item 3") && !queue.contains("Item 1") && !queue.contains("Item 2"), "{name}: {queue}");
        let publish = [
            ("decision", "published".to_owned()),
            ("reason_code", "meets-guidelines".to_owned()),
            ("public_note", "Thank you.".to_owned()),
        ];
        let refused = admin.post_form("/moderation/1", &publish, true);
        assert_eq!(refused.status, 422, "{name}: {}", refused.body);
        assert!(refused.body.contains("has not confirmed it by email"), "{name}");
        assert_eq!(admin.post_form("/moderation/3", &publish, true).status, 303, "{name}");

        // … and in no public count: one item is published, and only it is counted.
        let mut public = Browser::new(&base);
        let api: serde_json::Value = serde_json::from_str(&public.get("/api/v1/contributions").body).unwrap();
        assert_eq!(api.as_array().map(Vec::len), Some(1), "{name}: {api}");
        assert_eq!(public.get("/have-your-say/published.csv").body.lines().count(), 2, "{name}: a header and one row");
        for path in ["/outcomes/2", "/places/swale", "/reports/annual", "/api/v1/contributions"] {
            let body = public.get(path).body;
            assert!(!body.contains("Faversham") && !body.contains("Sheerness"), "{name} {path}");
        }
        let checked = resident.post_form("/have-your-say/receipt", &[("code", receipt.clone())], false);
        assert!(checked.body.contains("Check your email"), "{name}: the receipt says so while unconfirmed");

        // The email: to the author, with a link and none of their words.
        let to_pat = messages_to(&mailbox, &pat);
        assert_eq!(to_pat.len(), 1, "{name}: {to_pat:?}");
        assert_eq!(to_pat[0].subject, "Have your say: confirm what you sent");
        assert!(!to_pat[0].body.contains("Faversham"), "{name}: the words do not travel by email");
        let link = to_pat[0]
            .body
            .split_whitespace()
            .find(|w| w.starts_with("https://assure.example.org/have-your-say/confirm/"))
            .unwrap()
            .to_owned();
        let path = link.trim_start_matches("https://assure.example.org").to_owned();

        // Following the link changes nothing (a mail scanner does just that) …
        let page = public.get(&path);
        assert_eq!(page.status, 200, "{name}: {}", page.body);
        assert!(page.body.contains(&format!("action=\"{path}\"")) && page.body.contains("Confirm"), "{name}");
        assert!(!admin.get("/moderation").body.contains("Item 1"), "{name}: still unconfirmed");
        // … a forged or altered link finds nothing …
        let token = path.rsplit('/').next().unwrap();
        let (_, mac) = token.split_once('.').unwrap();
        for forged in ["/have-your-say/confirm/1.deadbeef".to_owned(), format!("/have-your-say/confirm/2.{mac}")] {
            assert_eq!(public.get(&forged).status, 404, "{name}: {forged}");
            assert_eq!(public.post_form(&forged, &[], false).status, 404, "{name}: {forged}");
        }
        // … pressing "Confirm" sends it to the moderators, once.
        let done = public.post_form(&path, &[], false);
        assert_eq!(done.status, 200, "{name}: {}", done.body);
        assert!(done.body.contains("is confirmed"), "{name}: {}", done.body);
        assert!(admin.get("/moderation").body.contains("Item 1"), "{name}: now in the queue");
        let again = public.post_form(&path, &[], false);
        assert!(again.status == 200 && again.body.contains("confirmed already"), "{name}: {}", again.body);
        let audit = run(assure_on(&url).args(["audit", "--entity", "contribution"]));
        assert_eq!(audit.matches("author confirm contribution '1'").count(), 1, "{name}: {audit}");
        let checked = resident.post_form("/have-your-say/receipt", &[("code", receipt)], false);
        assert!(checked.body.contains("Waiting for a moderator"), "{name}");

        // The one never confirmed is deleted after 7 days, with its email; the rest stay.
        let said = run(assure_on(&url).args(["engagement", "purge", "--now", &at(6)]));
        assert!(said.contains("deleted 0 unconfirmed"), "{name}: {said}");
        let said = run(assure_on(&url).args(["engagement", "purge", "--now", &at(8)]));
        assert!(said.contains("deleted 1 unconfirmed"), "{name}: {said}");
        let left: Vec<i64> = db.open().contributions(PLAN, &[]).unwrap().iter().map(|c| c.id).collect();
        assert_eq!(left, vec![1, 3], "{name}");
        assert!(db.tables_containing("Sheerness").is_empty() && db.tables_containing(&sam).is_empty(), "{name}");
        let link_to_sam = messages_to(&mailbox, &sam).remove(0).body;
        let path = link_to_sam.split_whitespace().find(|w| w.contains("/have-your-say/confirm/")).unwrap();
        assert_eq!(public.get(path.trim_start_matches("https://assure.example.org")).status, 404, "{name}: gone");
    }
}

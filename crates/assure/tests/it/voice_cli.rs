//! Residents' voice beyond the web: retention from the command line with an injected
//! clock (unconfirmed items after 7 days, contact details after 24 months, also as the
//! daily job), and the email a safeguarding hold and a moderator's decision send,
//! delivered to a real SMTP server.

use std::time::Duration;

use assure_app::{App, DecisionFields, Mailer, Said, SayFields, SayRequest};
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

    let Said::Received { id, safeguarding: false, .. } = say("The library's walking group helped me.") else {
        panic!()
    };
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
    let got = mailbox.messages(2);
    assert_eq!(got.len(), 2, "{got:?}");
    let told = &got[1];
    assert_eq!(told.to, "author@example.net");
    assert!(told.body.contains("Published") && told.body.contains("Thank you for telling us."), "{}", told.body);
    assert!(told.body.contains("https://assure.example.org/have-your-say/receipt"), "{}", told.body);
}

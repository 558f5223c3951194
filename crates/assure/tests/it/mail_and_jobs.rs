//! Email through a real SMTP server, and the scheduled jobs from the command line.

use assure_app::{App, AppError, Email, Mailer};
use assure_store::testing::databases;

use crate::mailbox::Mailbox;

#[test]
fn email_reaches_a_real_smtp_server_decoded_with_its_unsubscribe_link() {
    let Some(mailbox) = Mailbox::start() else { return };
    let db = &databases()[0];
    let app = App::new(db.open())
        .with_mailer(Mailer::from_url(&mailbox.url(), "Kent and Medway ICP <assure@example.org>").unwrap())
        .with_public_url("https://assure.example.org/");
    assert!(app.mail_configured());
    assert_eq!(app.public_url(), "https://assure.example.org");
    let text = "Dear Medway editor,\n\nThree items are due — including the Café Hub (£5k).\n".repeat(3);
    let email = Email {
        to: "editor@medway.example".into(),
        subject: "Medway 6-month update: 3 items due".into(),
        text: text.clone(),
        unsubscribe: Some("https://assure.example.org/unsubscribe/abc".into()),
    };
    assert!(app.send_email(&email).unwrap());
    let got = mailbox.messages(1);
    assert_eq!(got.len(), 1, "{got:?}");
    let m = &got[0];
    assert_eq!(m.to, "editor@medway.example");
    assert_eq!(m.from, "Kent and Medway ICP <assure@example.org>");
    assert_eq!(m.subject, "Medway 6-month update: 3 items due");
    assert_eq!(m.body.replace("\r\n", "\n").trim_end(), text.trim_end());
    assert_eq!(m.header("List-Unsubscribe"), Some("<https://assure.example.org/unsubscribe/abc>"));
    assert_eq!(m.header("List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));

    // Without a relay nothing is sent, and the caller is told.
    assert!(!App::new(db.open()).send_email(&email).unwrap());
}

#[test]
fn a_relay_that_cannot_be_reached_is_an_error_naming_it() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let db = &databases()[0];
    let app = App::new(db.open())
        .with_mailer(Mailer::from_url(&format!("smtp://127.0.0.1:{port}"), assure_app::DEFAULT_SENDER).unwrap());
    let email = Email { to: "a@example.org".into(), subject: "s".into(), text: "t".into(), unsubscribe: None };
    let e = app.send_email(&email).unwrap_err();
    assert!(matches!(e, AppError::Mail(_)), "{e:?}");
    assert!(e.to_string().starts_with(&format!("sending through smtp://127.0.0.1:{port} failed")), "{e}");
}

#[test]
fn jobs_run_from_the_command_line_and_bad_settings_are_named() {
    for db in databases() {
        let assure = || {
            let mut c = assert_cmd::Command::cargo_bin("assure").unwrap();
            c.env_remove("DATABASE_URL").env_remove("ASSURE_SMTP_URL").arg("--database").arg(db.arg());
            c
        };
        assure().args(["import", "--bundled"]).assert().success();
        let run = assure().args(["jobs", "run", "--now", "2026-12-03T09:00:00Z"]).assert().success();
        let said = String::from_utf8_lossy(&run.get_output().stdout).into_owned();
        // Every scheduled job runs in its first slot, and says what it did.
        for job in assure_app::JOBS {
            assert!(said.contains(&format!("{} (", job.name)), "{}: {said}", db.name);
        }
        if assure_app::JOBS.is_empty() {
            assert_eq!(said, "no job was due\n");
        }
        // The same slot again: nothing is due.
        assure().args(["jobs", "run", "--now", "2026-12-03T09:00:30Z"]).assert().success().stdout("no job was due\n");
        let listed = assure().args(["jobs", "list", "--json"]).assert().success();
        let runs: serde_json::Value = serde_json::from_slice(&listed.get_output().stdout).unwrap();
        assert_eq!(runs.as_array().unwrap().len(), assure_app::JOBS.len(), "{}", db.name);

        assure()
            .args(["jobs", "run", "--now", "yesterday"])
            .assert()
            .code(2)
            .stderr(predicates::str::contains("invalid value 'yesterday' for '--now <TIME>'"));
        assure()
            .args(["--smtp-url", "http://mail.example", "jobs", "run"])
            .assert()
            .failure()
            .stderr(predicates::str::contains("ASSURE_SMTP_URL 'http://mail.example'"));
        assure()
            .args(["--smtp-url", "smtp://127.0.0.1:1", "--mail-from", "nobody", "jobs", "run"])
            .assert()
            .failure()
            .stderr(predicates::str::contains("ASSURE_MAIL_FROM 'nobody' is not an email address"));
    }
}

//! Reminders by email, end to end: a Medway round opened, each editor emailed once with
//! exactly their items through a real SMTP server, the unsubscribe link followed over
//! HTTP, the reminders before the deadline and while late at injected times, the weekly
//! digest, `--dry-run`, and two runners on one database sending each digest once.

use std::collections::BTreeSet;

use assure_app::{App, OpenRound, my_work};
use assure_store::testing::{TestDb, databases};
use jiff::civil::Date;

use crate::mailbox::{Mailbox, Received};

/// The editors the tests make: (username, organisation, email address or none).
const EDITORS: [(&str, &str, Option<&str>); 4] = [
    ("ann", "medway-council", Some("ann@medway.example")),
    ("ben", "medway-public-health", Some("ben@medway.example")),
    ("dan", "medway-council", None),
    ("kim", "kcc", Some("kim@kent.example")),
];

fn assure(db: &TestDb) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("assure").unwrap();
    c.env_remove("DATABASE_URL").env_remove("ASSURE_SMTP_URL").env_remove("ASSURE_PUBLIC_URL");
    c.arg("--database").arg(db.arg());
    c
}

fn stdout(c: &mut assert_cmd::Command) -> String {
    String::from_utf8(c.assert().success().get_output().stdout.clone()).unwrap()
}

/// The bundled plan, an admin, the editors with their addresses; the plan's id.
fn people(db: &TestDb) -> String {
    assure(db).args(["import", "--bundled"]).assert().success();
    let mut admin = std::process::Command::new(assert_cmd::cargo::cargo_bin("assure"));
    admin.env_remove("DATABASE_URL").arg("--database").arg(db.arg());
    crate::add_admin(admin);
    for (user, org, email) in EDITORS {
        assure(db).args(["user", "add", user, "--role", "editor", "--org", org]).assert().success();
        if let Some(e) = email {
            let said = stdout(assure(db).args(["user", "email", user, e]));
            assert_eq!(said, format!("{user}: email {e}, round reminders on, weekly digest on\n"));
        }
    }
    assure(db)
        .args(["user", "email", "ann", "not an address"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("Enter an email address in the correct format"));
    db.open().plans().unwrap()[0].id.clone()
}

/// Open a round of Medway's scope with this deadline; its id.
fn open_medway_round(db: &TestDb, plan_id: &str, deadline: Date) -> i64 {
    let store = db.open();
    let app = App::new(store.clone());
    let plan = store.plan(plan_id).unwrap();
    let delivery = app.delivery(plan_id).unwrap();
    let admin = store.account(crate::ADMIN.0).unwrap().unwrap();
    let request = OpenRound {
        name: "Medway 6-month update".into(),
        deadline: deadline.to_string(),
        scope: "place:medway".into(),
    };
    app.open_round(&admin, &plan, &delivery, &request).unwrap().id
}

/// The update links a digest lists, as item keys (`milestone:id`, `plan:id`).
fn listed(body: &str) -> BTreeSet<String> {
    body.lines()
        .filter_map(|l| l.trim().strip_prefix("Update it: "))
        .map(|url| {
            let path = url.split_once("://").map_or(url, |(_, rest)| rest.split_once('/').map_or("", |(_, p)| p));
            let mut parts = path.split('/');
            match (parts.next(), parts.next()) {
                (Some("milestones"), Some(id)) => format!("milestone:{id}"),
                (Some("plans"), Some(id)) => format!("plan:{id}"),
                _ => panic!("not an update link: {url}"),
            }
        })
        .collect()
}

/// The round's unanswered items each editor's organisations lead.
fn asked(db: &TestDb, plan_id: &str, round: i64, user: &str) -> BTreeSet<String> {
    let store = db.open();
    let app = App::new(store.clone());
    let plan = store.plan(plan_id).unwrap();
    let delivery = app.delivery(plan_id).unwrap();
    let account = store.account(user).unwrap().unwrap();
    let r = app.round(&plan, &delivery, round).unwrap();
    r.returns
        .iter()
        .filter(|x| x.responded.is_none())
        .filter(|x| {
            let leads: Vec<&str> = x.item.leads.iter().map(String::as_str).collect();
            plan.led_by_any(&leads, &account.organisations)
        })
        .map(|x| format!("{}:{}", x.item.kind.as_str(), x.item.item))
        .collect()
}

fn to(messages: &[Received], address: &str) -> Vec<Received> {
    messages.iter().filter(|m| m.to == address).cloned().collect()
}

/// Each editor with an address got, among `new`, one weekly digest listing exactly their
/// items overdue or stale on `day`, or none when they have none.
fn each_digest_lists(
    new: &[Received],
    store: &assure_store::Store,
    plan: &assure_plan::Plan,
    delivery: &assure_tracking::delivery::Delivery,
    day: Date,
    context: &str,
) {
    for (user, _, email) in EDITORS.iter().filter(|e| e.2.is_some()) {
        let account = store.account(user).unwrap().unwrap();
        let want: BTreeSet<String> = my_work(&account, plan, delivery, day)
            .into_iter()
            .filter(|i| {
                i.progress.overdue || matches!(i.progress.freshness, assure_tracking::delivery::Freshness::Stale(_))
            })
            .map(|i| i.key())
            .collect();
        let mine = to(new, email.unwrap());
        if want.is_empty() {
            assert!(mine.is_empty(), "{user} on {day}: {context}");
            continue;
        }
        assert_eq!(mine.len(), 1, "{user} on {day}: {context}");
        assert!(mine[0].subject.starts_with("Your weekly digest"), "{}", mine[0].subject);
        assert_eq!(listed(&mine[0].body), want, "{user} on {day}: {context}");
        assert!(mine[0].header("List-Unsubscribe").unwrap().contains(&format!("/unsubscribe/weekly.{user}.")));
    }
}

fn at(d: Date, hour: i8) -> String {
    format!("{d}T{hour:02}:00:00Z")
}

#[test]
fn a_medway_round_reminds_each_editor_once_and_the_unsubscribe_link_works() {
    let Some(mailbox) = Mailbox::start() else { return };
    let mut seen = 0;
    for db in databases() {
        let plan_id = people(&db);
        let today = assure_tracking::delivery::today();
        let deadline = today.checked_add(jiff::Span::new().days(40)).unwrap();
        let round = open_medway_round(&db, &plan_id, deadline);

        let mut serve = std::process::Command::new(assert_cmd::cargo::cargo_bin("assure"));
        serve.env_remove("DATABASE_URL").env_remove("ASSURE_SMTP_URL").arg("--database").arg(db.arg());
        let (_server, base, _stderr) = crate::spawn_serve(serve, "warn");
        let remind = |now: &str, only: &str| {
            let mut c = assure(&db);
            c.args(["--smtp-url", &mailbox.url(), "--public-url", &base, "remind", "--only", only, "--now", now]);
            c
        };
        let now = at(today, 12);

        // A dry run says who would get what, sends nothing and records nothing.
        let dry = stdout(remind(&now, "rounds").arg("--dry-run"));
        for (user, _, email) in EDITORS {
            let items = asked(&db, &plan_id, round, user);
            let line = format!(
                "would send round-open \"Medway 6-month update\" to {} ({user}): {} item(s)",
                email.unwrap_or("NO EMAIL ADDRESS"),
                items.len()
            );
            assert_eq!(dry.contains(&line), !items.is_empty(), "{}: {line}\n{dry}", db.name);
        }
        assert!(!asked(&db, &plan_id, round, "ann").is_empty() && !asked(&db, &plan_id, round, "ben").is_empty());
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_eq!(mailbox.received().len(), seen, "{}: a dry run sends nothing", db.name);
        assert_eq!(db.open().reminders_sent().unwrap(), 0);

        // The round opens: each Medway editor with an address gets one email, listing
        // exactly the items their organisations lead.
        let said = stdout(&mut remind(&now, "rounds"));
        let with_items: Vec<(&str, &str)> = EDITORS
            .iter()
            .filter(|e| !asked(&db, &plan_id, round, e.0).is_empty())
            .filter_map(|e| e.2.map(|a| (e.0, a)))
            .collect();
        let n = with_items.len();
        assert!(said.contains(&format!("{n} reminder(s) sent")) && said.contains("no email address (dan)"), "{said}");
        let got = mailbox.messages(seen + n);
        let new = &got[seen..];
        assert_eq!(new.len(), n, "{}: {new:?}", db.name);
        seen += n;
        for (user, email) in with_items {
            let mine = to(new, email);
            assert_eq!(mine.len(), 1, "{}: one email to {user}", db.name);
            let m = &mine[0];
            let items = asked(&db, &plan_id, round, user);
            assert_eq!(
                m.subject,
                format!(
                    "Medway 6-month update: {} item(s) to update by {}",
                    items.len(),
                    deadline.strftime("%-d %B %Y")
                )
            );
            assert_eq!(listed(&m.body), items, "{}: {user}'s items", db.name);
            assert!(m.body.contains(&format!("{base}/rounds/{round}")), "{}", m.body);
            let link = m.header("List-Unsubscribe").unwrap().trim().trim_matches(['<', '>']).to_owned();
            assert!(link.starts_with(&format!("{base}/unsubscribe/rounds.{user}.")), "{link}");
            assert!(m.body.contains(&link), "the link is in the text too");
            assert_eq!(m.header("List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
        }
        // Again in the same hour: nothing more.
        assert!(stdout(&mut remind(&now, "rounds")).contains("0 reminder(s) sent"));

        // Ann follows her link: a page with a button, no sign-in; then the one-click POST.
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let m = to(&got, "ann@medway.example").pop().unwrap();
        let link = m.header("List-Unsubscribe").unwrap().trim().trim_matches(['<', '>']).to_owned();
        let mut page = agent.get(&link).call().unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let body = page.body_mut().read_to_string().unwrap();
        assert!(body.contains("Stop these emails") && body.contains("reminders of reporting rounds"), "{body}");
        // The signature's last character changed (to another one: a link ending in '0'
        // forged with '0' would be the link itself).
        let last = if link.ends_with('0') { '1' } else { '0' };
        let forged = format!("{}{last}", &link[..link.len() - 1]);
        assert_eq!(agent.get(&forged).call().unwrap().status().as_u16(), 404, "a forged link does nothing");
        let mut done = agent
            .post(&link)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send("List-Unsubscribe=One-Click")
            .unwrap();
        assert_eq!(done.status().as_u16(), 200);
        assert!(done.body_mut().read_to_string().unwrap().contains("will no longer get reminders of reporting rounds"));
        let ann = db.open().account("ann").unwrap().unwrap();
        assert!(!ann.round_reminders && ann.weekly_digest, "{ann:?}");

        // Three days before the deadline: Ben is reminded, Ann no longer.
        let warn = deadline.checked_sub(jiff::Span::new().days(3)).unwrap();
        let said = stdout(&mut remind(&at(warn, 9), "rounds"));
        assert!(said.contains("sent round-due to ben@medway.example"), "{said}");
        assert!(
            !said.contains("ann@medway.example") && said.contains(&format!("{} reminder(s) sent", n - 1)),
            "{said}"
        );
        let got = mailbox.messages(seen + n - 1);
        assert_eq!(got.len(), seen + n - 1);
        assert!(
            got[seen].subject.ends_with(&format!("due by {}", deadline.strftime("%-d %B %Y"))),
            "{}",
            got[seen].subject
        );
        seen += n - 1;
        assert!(
            stdout(&mut remind(&at(warn, 10), "rounds")).contains("0 reminder(s) sent"),
            "once before the deadline"
        );

        // Late: once in the week after the deadline, and once the week after.
        let late = deadline.checked_add(jiff::Span::new().days(1)).unwrap();
        assert!(stdout(&mut remind(&at(late, 9), "rounds")).contains("sent round-late to ben@medway.example"));
        assert!(stdout(&mut remind(&at(late, 10), "rounds")).contains("0 reminder(s) sent"));
        let week_later = late.checked_add(jiff::Span::new().days(7)).unwrap();
        assert!(stdout(&mut remind(&at(week_later, 9), "rounds")).contains("sent round-late to ben@medway.example"));
        let got = mailbox.messages(seen + 2 * (n - 1));
        assert_eq!(got.len(), seen + 2 * (n - 1), "{}", db.name);
        assert!(got[seen..].iter().all(|m| m.subject.ends_with("item(s) late") && m.to != "ann@medway.example"));
        seen = got.len();

        // The weekly digest: each Medway editor's overdue and stale items (Ann still gets it).
        let said = stdout(&mut remind(&now, "weekly"));
        let got = mailbox.messages(seen + said.matches("sent weekly").count());
        let new = &got[seen..];
        let store = db.open();
        let plan = store.plan(&plan_id).unwrap();
        let delivery = App::new(store.clone()).delivery(&plan_id).unwrap();
        each_digest_lists(new, &store, &plan, &delivery, today, &format!("{}: {said}", db.name));
        assert!(!to(new, "ann@medway.example").is_empty(), "Medway Council has overdue milestones: {said}");
        seen = got.len();
        assert!(stdout(&mut remind(&now, "weekly")).contains("0 reminder(s) sent"), "once a week");

        // One of Medway Council's milestones reported on track today, now expected in March
        // 2090: in no digest this week. Sent as at 2 June 2091, the digest judges the items
        // as they will stand then, and lists it, overdue and stale.
        let app = App::new(store.clone());
        let ann = store.account("ann").unwrap().unwrap();
        let item = my_work(&ann, &plan, &delivery, today)
            .into_iter()
            .find(|i| i.kind == assure_plan::delivery::ItemKind::Milestone)
            .expect("Medway Council leads a milestone");
        let fields = assure_plan::delivery::UpdateFields {
            status: "on_track".into(),
            narrative: "Agreed with the partners; the work starts in the spring.".into(),
            evidence: vec![],
            expected: "March 2090".into(),
            expected_reason: "The partners agreed a later start".into(),
            internal_note: String::new(),
        };
        let admin = store.account(crate::ADMIN.0).unwrap().unwrap();
        app.record_update(&admin, &plan, &delivery, item.kind, &item.id, &fields).unwrap();
        let delivery = app.delivery(&plan_id).unwrap();
        let needing = |day: Date| {
            my_work(&ann, &plan, &delivery, day)
                .into_iter()
                .filter(|i| {
                    i.progress.overdue || matches!(i.progress.freshness, assure_tracking::delivery::Freshness::Stale(_))
                })
                .any(|i| i.id == item.id)
        };
        assert!(!needing(today) && needing(Date::constant(2091, 6, 2)), "{}: {}", db.name, item.id);
        let later = Date::constant(2091, 6, 2);
        let said = stdout(&mut remind(&at(later, 9), "weekly"));
        let got = mailbox.messages(seen + said.matches("sent weekly").count());
        each_digest_lists(&got[seen..], &store, &plan, &delivery, later, &format!("{}: {said}", db.name));
        let ann_later = to(&got[seen..], "ann@medway.example");
        assert!(listed(&ann_later[0].body).contains(&item.key()), "{}: {} in Ann's 2091 digest", db.name, item.id);
        seen = got.len();
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_eq!(mailbox.received().len(), seen);
    }
}

#[test]
fn two_runners_on_one_database_send_each_digest_once() {
    let Some(mailbox) = Mailbox::start() else { return };
    // PostgreSQL when it is there (servers share one); SQLite otherwise.
    let db = databases().pop().unwrap();
    let plan_id = people(&db);
    let today = assure_tracking::delivery::today();
    let round = open_medway_round(&db, &plan_id, today.checked_add(jiff::Span::new().days(30)).unwrap());
    let now = at(today, 8);
    let runs: Vec<std::thread::JoinHandle<String>> = (0..2)
        .map(|_| {
            let mut c = assure(&db);
            c.args(["--smtp-url", &mailbox.url(), "jobs", "run", "--now", &now]);
            std::thread::spawn(move || String::from_utf8(c.assert().success().get_output().stdout.clone()).unwrap())
        })
        .collect();
    let said: Vec<String> = runs.into_iter().map(|t| t.join().unwrap()).collect();
    let both = said.join("\n");
    // Each job ran in one of the two.
    for job in ["round-reminders", "weekly-digest"] {
        assert_eq!(both.matches(&format!("{job} (")).count(), 1, "{}: {both}", db.name);
    }
    // Two `assure remind` at once on a round just opened: each reminder is claimed, and
    // sent, by one of them.
    let store = db.open();
    let app = App::new(store.clone());
    let plan = store.plan(&plan_id).unwrap();
    let delivery = app.delivery(&plan_id).unwrap();
    let admin = store.account(crate::ADMIN.0).unwrap().unwrap();
    let request = OpenRound {
        name: "KCC update".into(),
        deadline: today.checked_add(jiff::Span::new().days(30)).unwrap().to_string(),
        scope: "organisations:kcc".into(),
    };
    let kcc = app.open_round(&admin, &plan, &delivery, &request).unwrap().id;
    let runs: Vec<std::thread::JoinHandle<String>> = (0..2)
        .map(|_| {
            let mut c = assure(&db);
            c.args(["--smtp-url", &mailbox.url(), "remind", "--only", "rounds", "--now", &at(today, 9)]);
            std::thread::spawn(move || String::from_utf8(c.assert().success().get_output().stdout.clone()).unwrap())
        })
        .collect();
    let again = runs.into_iter().map(|t| t.join().unwrap()).collect::<Vec<_>>().join("\n");
    let mut asked_kcc = 0;
    for (user, _, email) in EDITORS.iter().filter(|e| e.2.is_some()) {
        let once = usize::from(!asked(&db, &plan_id, kcc, user).is_empty());
        asked_kcc += once;
        let sent = again.matches(&format!("sent round-open to {}", email.unwrap())).count();
        assert_eq!(sent, once, "{}: {user} once if asked: {again}\n{both}", db.name);
    }
    assert!(asked_kcc > 0 && again.matches("sent ").count() == asked_kcc, "{again}");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let got = mailbox.received();
    let medway: Vec<&str> =
        got.iter().filter(|m| m.subject.starts_with("Medway 6-month update")).map(|m| m.to.as_str()).collect();
    let want = EDITORS.iter().filter(|e| e.2.is_some() && !asked(&db, &plan_id, round, e.0).is_empty()).count();
    assert_eq!(medway.len(), want, "{}: each asked once: {medway:?} {both}", db.name);
    assert_eq!(got.iter().filter(|m| m.subject.starts_with("KCC update")).count(), asked_kcc, "{}", db.name);
    let weekly: Vec<&str> =
        got.iter().filter(|m| m.subject.starts_with("Your weekly digest")).map(|m| m.to.as_str()).collect();
    let unique: BTreeSet<&str> = weekly.iter().copied().collect();
    assert_eq!(weekly.len(), unique.len(), "{}: each weekly digest once: {weekly:?}", db.name);
    assert_eq!(db.open().reminders_sent().unwrap(), got.len() as u64);
}

#[test]
fn a_round_opened_on_the_web_emails_its_leads_at_once() {
    let Some(mailbox) = Mailbox::start() else { return };
    // One database is enough: what is tested is the web handler, over the same store.
    let db = databases().into_iter().next().unwrap();
    let plan_id = people(&db);
    let mut serve = std::process::Command::new(assert_cmd::cargo::cargo_bin("assure"));
    serve.env_remove("DATABASE_URL").env_remove("ASSURE_SMTP_URL").args([
        "--database",
        &db.arg(),
        "--smtp-url",
        &mailbox.url(),
    ]);
    let (_server, base, _stderr) = crate::spawn_serve(serve, "warn");
    let mut admin = assure_web::testing::Browser::new(&base);
    assert_eq!(admin.sign_in(crate::ADMIN.0, crate::ADMIN.1).status, 303);
    let deadline = assure_tracking::delivery::today().checked_add(jiff::Span::new().days(40)).unwrap();
    let opened = admin.post_form(
        "/rounds",
        &[
            ("name", "Medway 6-month update".into()),
            ("deadline", deadline.to_string()),
            ("scope", "place:medway".into()),
        ],
        true,
    );
    assert_eq!(opened.status, 303, "{}", opened.body);
    let round: i64 = opened.location.trim_start_matches("/rounds/").split('?').next().unwrap().parse().unwrap();
    // Each editor asked who has an address gets the opening digest without waiting for
    // the hourly job (the server's own first run of the jobs may add weekly digests).
    let expected: BTreeSet<&str> =
        EDITORS.iter().filter(|e| !asked(&db, &plan_id, round, e.0).is_empty()).filter_map(|e| e.2).collect();
    assert!(expected.len() >= 2, "{expected:?}");
    let started = std::time::Instant::now();
    let opening = loop {
        let got: Vec<Received> =
            mailbox.received().into_iter().filter(|m| m.subject.starts_with("Medway 6-month update:")).collect();
        if got.len() >= expected.len() || started.elapsed() > std::time::Duration::from_secs(20) {
            break got;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let to: BTreeSet<&str> = opening.iter().map(|m| m.to.as_str()).collect();
    assert_eq!(to, expected, "one opening digest each, at once");
    assert_eq!(opening.len(), expected.len(), "{opening:?}");
    // The job, run now, sends none of them again.
    let said = stdout(assure(&db).args(["--smtp-url", &mailbox.url(), "remind", "--only", "rounds"]));
    assert!(said.contains("0 reminder(s) sent"), "{said}");
}

//! Reminders by email: a digest to each editor when a reporting round opens (the items in
//! scope they lead, the deadline and a link to each item's update form), a few days
//! before its deadline, once a week while they are late, and a weekly digest of their
//! overdue and stale items. Each is claimed in the store before it is sent, so it goes
//! once across several servers; each carries a signed link that stops that kind without
//! signing in. Run by the jobs `round-reminders` (hourly) and `weekly-digest` (weekly),
//! and by `assure remind`.

use assure_plan::Plan;
use assure_plan::delivery::ItemKind;
use assure_store::{Account, ReminderChoices, ReminderKey, Role, Round};
use assure_tracking::delivery::{Delivery, Freshness};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::jobs::Schedule;
use crate::work::{WorkItem, my_work, work_items};
use crate::{App, AppError, Email};

/// How many days before a round's deadline the reminder goes.
pub const DAYS_BEFORE_DEADLINE: i64 = 3;

/// The kinds of reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderKind {
    /// A round has opened.
    RoundOpen,
    /// A round's deadline is near.
    RoundDue,
    /// A round's deadline has passed (once a week while it is open).
    RoundLate,
    /// The weekly digest of overdue and stale items.
    Weekly,
}

impl ReminderKind {
    /// The name the store and the command line use.
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::RoundOpen => "round-open",
            ReminderKind::RoundDue => "round-due",
            ReminderKind::RoundLate => "round-late",
            ReminderKind::Weekly => "weekly",
        }
    }

    /// Which digests a person stops with this kind's link.
    pub fn list(self) -> DigestList {
        if self == ReminderKind::Weekly { DigestList::Weekly } else { DigestList::Rounds }
    }
}

/// The digests a person can choose or stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestList {
    /// Reminders of reporting rounds.
    Rounds,
    /// The weekly digest.
    Weekly,
}

impl DigestList {
    /// The name in unsubscribe links.
    pub fn as_str(self) -> &'static str {
        match self {
            DigestList::Rounds => "rounds",
            DigestList::Weekly => "weekly",
        }
    }

    /// Read a name.
    pub fn parse(s: &str) -> Option<DigestList> {
        [DigestList::Rounds, DigestList::Weekly].into_iter().find(|l| l.as_str() == s)
    }

    /// In words for people ("reminders of reporting rounds").
    pub fn label(self) -> &'static str {
        match self {
            DigestList::Rounds => "reminders of reporting rounds",
            DigestList::Weekly => "the weekly digest of your overdue and stale items",
        }
    }
}

/// One reminder due to one person.
#[derive(Debug, Clone)]
pub struct Reminder {
    /// Who it goes to.
    pub account: Account,
    /// What kind.
    pub kind: ReminderKind,
    /// The round it is about (none for the weekly digest).
    pub round: Option<Round>,
    /// What it is claimed as.
    pub key: ReminderKey,
    /// The items it lists.
    pub items: Vec<WorkItem>,
    /// The message (`to` empty when the person has no email address).
    pub email: Email,
}

/// The reminders due at a time.
#[derive(Debug, Clone, Default)]
pub struct DueReminders {
    /// To send.
    pub due: Vec<Reminder>,
    /// Due to people with no email address (nothing can be sent to them).
    pub without_address: Vec<Reminder>,
}

/// What a sending did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SentReminders {
    /// Sent: (kind, recipient, items).
    pub sent: Vec<(ReminderKind, String, usize)>,
    /// Already claimed by another server or an earlier run.
    pub skipped: usize,
    /// Not sent: the recipient and why.
    pub failed: Vec<(String, String)>,
    /// Due to people with no email address.
    pub without_address: Vec<String>,
}

impl std::fmt::Display for SentReminders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} reminder(s) sent", self.sent.len())?;
        if self.skipped > 0 {
            write!(f, ", {} already sent", self.skipped)?;
        }
        if !self.without_address.is_empty() {
            write!(
                f,
                ", {} to people with no email address ({})",
                self.without_address.len(),
                self.without_address.join(", ")
            )?;
        }
        if !self.failed.is_empty() {
            let why: Vec<String> = self.failed.iter().map(|(to, why)| format!("{to}: {why}")).collect();
            write!(f, ", {} failed ({})", self.failed.len(), why.join("; "))?;
        }
        Ok(())
    }
}

/// Which reminders to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Round reminders (open, before the deadline, late).
    Rounds,
    /// The weekly digest.
    Weekly,
    /// Both.
    All,
}

/// What an editor is reminded about: an account that can sign in, reports, and works
/// for an organisation.
fn reminded(a: &Account) -> bool {
    !a.disabled && a.role != Role::Viewer && !a.organisations.is_empty()
}

fn date_of(now: Timestamp) -> Date {
    now.to_zoned_datetime(TimeZone::UTC).date()
}

/// A date in words: `31 January 2027`.
fn long_date(d: Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

/// The update form of an item.
fn update_path(item: &WorkItem) -> String {
    match item.kind {
        ItemKind::Milestone => format!("/milestones/{}/update", item.id),
        ItemKind::DeliveringPlan => format!("/plans/{}/update", item.id),
    }
}

/// Which kind of round reminder is due now, and its slot, if any.
fn round_kind(round: &Round, now: Timestamp) -> Option<(ReminderKind, String)> {
    let deadline: Date = round.deadline.parse().ok()?;
    let today = date_of(now);
    let opened: Option<Date> = round.opened_at.get(..10).and_then(|d| d.parse().ok());
    let warn_from = deadline.checked_sub(jiff::Span::new().days(DAYS_BEFORE_DEADLINE)).ok()?;
    if today > deadline {
        Some((ReminderKind::RoundLate, Schedule::Weekly.slot(now)))
    } else if today >= warn_from && opened.is_some_and(|o| o < warn_from) {
        Some((ReminderKind::RoundDue, "due".into()))
    } else {
        Some((ReminderKind::RoundOpen, "opened".into()))
    }
}

impl App {
    /// The link that stops `list` for this person, signed so that it works without
    /// signing in: `{public_url}/unsubscribe/{list}.{username}.{signature}`.
    pub fn unsubscribe_link(&self, username: &str, list: DigestList) -> Result<String, AppError> {
        let value = format!("{}.{username}", list.as_str());
        let signature = self.store.sign("unsubscribe", &value)?;
        Ok(format!("{}/unsubscribe/{value}.{signature}", self.public_url))
    }

    /// The person and digest an unsubscribe token stands for, if this database signed it.
    pub fn unsubscribe_target(&self, token: &str) -> Result<Option<(Account, DigestList)>, AppError> {
        let Some((value, signature)) = token.rsplit_once('.') else { return Ok(None) };
        let Some((list, username)) = value.split_once('.') else { return Ok(None) };
        let Some(list) = DigestList::parse(list) else { return Ok(None) };
        if !self.store.signature_valid("unsubscribe", value, signature)? {
            return Ok(None);
        }
        Ok(self.store.account(username)?.map(|a| (a, list)))
    }

    /// Stop a digest for the person a signed token names (no sign-in needed): the
    /// account as it now is, or `NotFound` for a token this database did not sign.
    pub fn unsubscribe(&self, token: &str) -> Result<(Account, DigestList), AppError> {
        let (account, list) = self
            .unsubscribe_target(token)?
            .ok_or_else(|| AppError::NotFound { what: "unsubscribe link", id: "this link".into() })?;
        let mut choices = ReminderChoices::of(&account);
        match list {
            DigestList::Rounds => choices.round_reminders = false,
            DigestList::Weekly => choices.weekly_digest = false,
        }
        let account = self.store.set_reminder_choices(&account.username, &choices, "unsubscribe link")?;
        Ok((account, list))
    }

    /// Set an account's email address and digest choices (checked: an address mail can
    /// go to), as `actor` (the person themselves on their account page).
    pub fn set_reminder_choices(
        &self,
        account: &Account,
        choices: &ReminderChoices,
        actor: &str,
    ) -> Result<Account, AppError> {
        let email = choices.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
        if let Some(e) = email
            && (e.parse::<lettre::Address>().is_err() || e.len() > 254)
        {
            return Err(AppError::Rejected(vec![(
                "email",
                "Enter an email address in the correct format, like name@example.org".into(),
            )]));
        }
        let choices = ReminderChoices { email: email.map(str::to_owned), ..choices.clone() };
        Ok(self.store.set_reminder_choices(&account.username, &choices, actor)?)
    }

    /// Every reminder due at `now` and not yet sent, for every plan's open rounds (and
    /// the weekly digest of the plan shown by default), to people who have not stopped them.
    pub fn due_reminders(&self, now: Timestamp, which: Which) -> Result<DueReminders, AppError> {
        let accounts: Vec<Account> = self.store.accounts()?.into_iter().filter(reminded).collect();
        let mut all = Vec::new();
        if which != Which::Weekly {
            for stored in self.store.plans()? {
                let plan = self.store.plan(&stored.id)?;
                let delivery = self.delivery(&stored.id)?;
                for round in self.store.rounds(&stored.id)?.into_iter().filter(|r| r.closed_at.is_none()) {
                    let people = accounts.iter().filter(|a| a.round_reminders);
                    all.extend(self.round_reminders(&plan, &delivery, &round, people, now)?);
                }
            }
        }
        if which != Which::Rounds
            && let Some((plan_id, _)) = self.store.served_plan(None)?
        {
            let plan = self.store.plan(&plan_id)?;
            let delivery = self.delivery(&plan_id)?;
            for account in accounts.iter().filter(|a| a.weekly_digest) {
                all.extend(self.weekly_digest(&plan, &delivery, account, now)?);
            }
        }
        let mut out = DueReminders::default();
        for r in all {
            if self.store.reminder_claimed(&r.key)? {
                continue;
            }
            if r.email.to.is_empty() { out.without_address.push(r) } else { out.due.push(r) }
        }
        Ok(out)
    }

    fn round_reminders<'a>(
        &self,
        plan: &Plan,
        delivery: &Delivery,
        round: &Round,
        people: impl Iterator<Item = &'a Account>,
        now: Timestamp,
    ) -> Result<Vec<Reminder>, AppError> {
        let Some((kind, slot)) = round_kind(round, now) else { return Ok(Vec::new()) };
        let returns = self.round_on(plan, delivery, round.id, date_of(now))?;
        let items = work_items(plan, delivery, date_of(now));
        let deadline = round.deadline.parse::<Date>().map(long_date).unwrap_or_else(|_| round.deadline.clone());
        let mut out = Vec::new();
        for account in people {
            let mine: Vec<WorkItem> = returns
                .returns
                .iter()
                .filter(|r| r.responded.is_none())
                .filter(|r| {
                    let leads: Vec<&str> = r.item.leads.iter().map(String::as_str).collect();
                    plan.led_by_any(&leads, &account.organisations)
                })
                .filter_map(|r| items.iter().find(|i| i.kind == r.item.kind && i.id == r.item.item).cloned())
                .collect();
            if mine.is_empty() {
                continue;
            }
            let (subject, opening) = match kind {
                ReminderKind::RoundOpen => (
                    format!("{}: {} item(s) to update by {deadline}", round.name, mine.len()),
                    format!(
                        "The reporting round \"{}\" has opened. Please give an update on each item below, which your organisation leads, by {deadline}.",
                        round.name
                    ),
                ),
                ReminderKind::RoundDue => (
                    format!("{}: {} item(s) due by {deadline}", round.name, mine.len()),
                    format!(
                        "The reporting round \"{}\" closes for returns on {deadline}. These items your organisation leads have no update yet.",
                        round.name
                    ),
                ),
                _ => (
                    format!("{}: {} item(s) late", round.name, mine.len()),
                    format!(
                        "The deadline of the reporting round \"{}\" was {deadline}. These items your organisation leads still have no update.",
                        round.name
                    ),
                ),
            };
            let key =
                ReminderKey { account_id: account.id, kind: kind.as_str(), round_id: round.id, slot: slot.clone() };
            out.push(self.reminder(account, kind, Some(round.clone()), key, mine, subject, &opening)?);
        }
        Ok(out)
    }

    fn weekly_digest(
        &self,
        plan: &Plan,
        delivery: &Delivery,
        account: &Account,
        now: Timestamp,
    ) -> Result<Option<Reminder>, AppError> {
        let mine: Vec<WorkItem> = my_work(account, plan, delivery, date_of(now))
            .into_iter()
            .filter(|i| i.progress.overdue || matches!(i.progress.freshness, Freshness::Stale(_)))
            .collect();
        if mine.is_empty() {
            return Ok(None);
        }
        let subject = format!("Your weekly digest: {} item(s) overdue or stale", mine.len());
        let opening = "These items your organisation leads are overdue or have had no update for a while. An update keeps the plan's public record honest.";
        let key = ReminderKey {
            account_id: account.id,
            kind: ReminderKind::Weekly.as_str(),
            round_id: 0,
            slot: Schedule::Weekly.slot(now),
        };
        Ok(Some(self.reminder(account, ReminderKind::Weekly, None, key, mine, subject, opening)?))
    }

    #[allow(clippy::too_many_arguments)]
    fn reminder(
        &self,
        account: &Account,
        kind: ReminderKind,
        round: Option<Round>,
        key: ReminderKey,
        items: Vec<WorkItem>,
        subject: String,
        opening: &str,
    ) -> Result<Reminder, AppError> {
        let base = &self.public_url;
        let unsubscribe = self.unsubscribe_link(&account.username, kind.list())?;
        let mut text = format!("Dear {},\n\n{opening}\n\n", account.display_name);
        for item in &items {
            text.push_str(&format!("- {}", item.title));
            if !item.context.is_empty() {
                text.push_str(&format!(" ({})", item.context));
            }
            let status = item.progress.status.map_or("No update yet", |s| s.label());
            text.push_str(&format!("\n  {status}; expected {}", item.progress.due));
            for flag in item.progress.flags().iter().filter(|f| !f.starts_with("No update")) {
                text.push_str(&format!("; {flag}"));
            }
            text.push_str(&format!("\n  Update it: {base}{}\n\n", update_path(item)));
        }
        text.push_str(&format!("Everything your organisation leads: {base}/my-work\n"));
        if let Some(r) = &round {
            text.push_str(&format!("The round and who has responded: {base}/rounds/{}\n", r.id));
        }
        text.push_str(&format!(
            "\nYou get this email because you lead these items in Assure.\nStop {}: {unsubscribe}\nChoose which emails you get: {base}/account#reminders\n",
            kind.list().label()
        ));
        let email =
            Email { to: account.email.clone().unwrap_or_default(), subject, text, unsubscribe: Some(unsubscribe) };
        Ok(Reminder { account: account.clone(), kind, round, key, items, email })
    }

    /// Send every reminder due at `now` that no server has sent yet: each claimed first,
    /// then sent; one that fails gives up its claim (a later run tries again). Without a
    /// relay nothing is claimed or sent.
    pub fn send_reminders(&self, now: Timestamp, which: Which, by: &str) -> Result<SentReminders, AppError> {
        let due = self.due_reminders(now, which)?;
        let mut without: Vec<String> = due.without_address.iter().map(|r| r.account.username.clone()).collect();
        without.sort();
        without.dedup();
        let mut out = SentReminders { without_address: without, ..SentReminders::default() };
        if !self.mail_configured() {
            return Ok(out);
        }
        for r in due.due {
            if !self.store.claim_reminder(&r.key, &r.email.to, r.items.len(), by)? {
                out.skipped += 1;
                continue;
            }
            match self.send_email(&r.email) {
                Ok(_) => {
                    self.store.finish_reminder(&r.key, true)?;
                    out.sent.push((r.kind, r.email.to.clone(), r.items.len()));
                }
                Err(e) => {
                    self.store.finish_reminder(&r.key, false)?;
                    out.failed.push((r.email.to.clone(), e.to_string()));
                }
            }
        }
        Ok(out)
    }
}

fn job(app: &App, now: Timestamp, which: Which, name: &str) -> Result<String, AppError> {
    if !app.mail_configured() {
        return Ok("mail is not configured (ASSURE_SMTP_URL): nothing sent".into());
    }
    let sent = app.send_reminders(now, which, &format!("job {name}"))?;
    if sent.failed.is_empty() { Ok(sent.to_string()) } else { Err(AppError::NotSent(sent.to_string())) }
}

/// The job `round-reminders`: round reminders due this hour.
pub(crate) fn rounds_job(app: &App, now: Timestamp) -> Result<String, AppError> {
    job(app, now, Which::Rounds, "round-reminders")
}

/// The job `weekly-digest`: this week's digests.
pub(crate) fn weekly_job(app: &App, now: Timestamp) -> Result<String, AppError> {
    job(app, now, Which::Weekly, "weekly-digest")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(opened: &str, deadline: &str) -> Round {
        Round {
            id: 1,
            plan_id: "p".into(),
            name: "r".into(),
            deadline: deadline.into(),
            scope: "all".into(),
            opened_by: "a".into(),
            opened_at: opened.into(),
            closed_by: None,
            closed_at: None,
            snapshot: None,
            items: Vec::new(),
        }
    }

    #[test]
    fn the_round_reminder_due_follows_the_deadline() {
        let r = round("2027-01-04T09:00:00Z", "2027-01-31");
        let at = |t: &str| round_kind(&r, t.parse().unwrap()).map(|(k, s)| (k.as_str(), s));
        assert_eq!(at("2027-01-04T10:00:00Z"), Some(("round-open", "opened".into())));
        assert_eq!(at("2027-01-27T10:00:00Z"), Some(("round-open", "opened".into())));
        assert_eq!(at("2027-01-28T00:00:00Z"), Some(("round-due", "due".into())));
        assert_eq!(at("2027-01-31T23:00:00Z"), Some(("round-due", "due".into())));
        assert_eq!(at("2027-02-01T00:00:00Z"), Some(("round-late", "2027-W05".into())));
        assert_eq!(at("2027-02-08T00:00:00Z"), Some(("round-late", "2027-W06".into())));
        // Opened inside the last days: the opening email is the only one before the deadline.
        let late_opened = round("2027-01-30T09:00:00Z", "2027-01-31");
        assert_eq!(
            round_kind(&late_opened, "2027-01-30T10:00:00Z".parse().unwrap()).unwrap().0,
            ReminderKind::RoundOpen
        );
    }
}

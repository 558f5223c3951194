//! Residents' voice: what residents say about the plan ("Have your say"), what partners
//! hear at listening events or on paper, moderation before anything is public, the
//! public's reports and authors' appeals, themes, and partners' responses ("You said,
//! we did"). The web form, the moderators' pages, the API and the command line all
//! come through here; what the public may see is [`PublicContribution`], which has no
//! field for contact details, age band or receipt code.

use std::time::{Duration, SystemTime};

use assure_plan::Plan;
use assure_store::{
    Account, Channel, Contribution, ContributionState, DecisionRequest, NewContribution, NewResponse, Permission,
    Purged, Response, ResponseScope, ResponseStatus, Role, Theme,
};
use serde::Serialize;

use crate::{App, AppError};

/// A form drawn less than this long ago is a robot's: refused quietly.
pub const MIN_FORM_AGE: Duration = Duration::from_secs(3);
/// A form drawn longer ago than this is refused quietly too.
pub const MAX_FORM_AGE: Duration = Duration::from_secs(4 * 3600);
/// At most this many submissions from one address in [`ADDRESS_WINDOW`].
pub const ADDRESS_LIMIT: u64 = 5;
/// See [`ADDRESS_LIMIT`].
pub const ADDRESS_WINDOW: Duration = Duration::from_secs(3600);
/// At most this many submissions with one email in [`EMAIL_WINDOW`].
pub const EMAIL_LIMIT: u64 = 3;
/// See [`EMAIL_LIMIT`].
pub const EMAIL_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// The same text again within this long is held.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// Distinct reports from the public that hide a published item until reviewed.
pub const HIDE_AFTER_REPORTS: u64 = 3;
/// The most words a contribution may have.
pub const MAX_WORDS: usize = 1000;
/// Unconfirmed contributions are deleted after this long.
pub const UNCONFIRMED_KEPT: Duration = Duration::from_secs(7 * 24 * 3600);
/// Contact details are deleted after this long (24 months).
pub const CONTACT_KEPT: Duration = Duration::from_secs(730 * 24 * 3600);

/// The age bands a resident may choose from (never shown in public).
pub const AGE_BANDS: [&str; 7] =
    ["Under 18", "18 to 24", "25 to 44", "45 to 64", "65 to 74", "75 or over", "Prefer not to say"];

/// Why a moderator decided: a code, and what it means.
pub const REASON_CODES: [(&str, &str); 8] = [
    ("meets-guidelines", "Meets our guidelines"),
    ("personal-information", "Holds personal information about someone"),
    ("names-staff", "Names or identifies a member of staff"),
    ("offensive", "Offensive, abusive or discriminatory"),
    ("off-topic", "Not about health and care in Kent and Medway"),
    ("needs-detail", "Needs more detail to be understood"),
    ("duplicate", "Repeats an item already received"),
    ("safeguarding", "A safeguarding concern"),
];

/// Where the resident is told to get help when what they wrote suggests they or
/// someone else may be at risk.
pub const HELP: [(&str, &str); 3] = [
    ("If you or someone else is in immediate danger", "call 999"),
    ("For urgent help with your mental or physical health", "call NHS 111 (choose option 2 for mental health)"),
    ("To talk to someone at any time", "call Samaritans free on 116 123"),
];

/// Words that put an item on safeguarding hold (matched in lower case).
const SAFEGUARDING_TERMS: [&str; 16] = [
    "suicide",
    "suicidal",
    "kill myself",
    "end my life",
    "want to die",
    "self-harm",
    "self harm",
    "hurt myself",
    "harming myself",
    "overdose",
    "abused",
    "abusing me",
    "hits me",
    "not safe at home",
    "neglected",
    "being abused",
];

/// The form a resident fills in, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SayFields {
    /// The outcome's number.
    pub outcome: String,
    /// An area id, or `none` (prefer not to say).
    pub area: String,
    /// A commitment id, or empty.
    pub commitment: String,
    /// What they experienced.
    pub body: String,
    /// When (`YYYY-MM`).
    pub experienced: String,
    /// `pseudonym` or `first_name`.
    pub name_choice: String,
    /// Their first name, when chosen.
    pub first_name: String,
    /// `yes` when ticked.
    pub consent_publish: bool,
    /// See `consent_publish`.
    pub consent_contact: bool,
    /// See `consent_publish`.
    pub consent_health: bool,
    /// Their email, when they agree to be contacted.
    pub email: String,
    /// An age band, or empty.
    pub age_band: String,
}

/// A submission from the public web form.
#[derive(Debug, Clone, Default)]
pub struct SayRequest {
    /// The fields.
    pub fields: SayFields,
    /// The signed stamp the form was drawn with.
    pub stamp: String,
    /// The field people cannot see; robots fill it in.
    pub honeypot: String,
    /// The address it came from (for the rate limit; kept only as an HMAC, for a day).
    pub client: String,
}

/// What became of a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said {
    /// Received: its number, the receipt code to give the author, and whether it is held
    /// for safeguarding (the author is then shown where to get help).
    Received {
        /// Its number.
        id: i64,
        /// The private receipt code (shown once).
        receipt: String,
        /// Held for the safeguarding lead.
        safeguarding: bool,
        /// Whether it waits for its author to confirm by email.
        confirmation: Confirmation,
    },
    /// A robot's (honeypot filled, form too fast or too old): nothing stored, but the
    /// answer looks like success.
    Ignored,
}

/// Whether a submission waits for its author to confirm it by email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmation {
    /// No: no relay is configured, no email was given, or it is held for safeguarding
    /// (which never waits); it went straight to the moderators.
    NotAsked,
    /// Yes: a link was emailed; until it is followed the item is in no queue and no
    /// count, and after [`UNCONFIRMED_KEPT`] it is deleted.
    Emailed,
    /// The email could not be sent (the relay's error): rather than lose the item, it
    /// went to the moderators, who remain the last filter.
    Failed(String),
}

/// A contribution as the public may see it: no contact detail, age band or receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicContribution {
    /// Its number.
    pub id: i64,
    /// The outcome.
    pub outcome: u8,
    /// The area, if they said.
    pub area: Option<String>,
    /// The commitment, if chosen.
    pub commitment: Option<String>,
    /// What they said (with any redactions).
    pub text: String,
    /// The month it happened (`YYYY-MM`).
    pub experienced: String,
    /// How they appear.
    pub display_name: String,
    /// How it reached us.
    pub channel: Channel,
    /// Whether a moderator removed words.
    pub redacted: bool,
    /// When it was published.
    pub published_at: Option<String>,
    /// Its confirmed themes.
    pub themes: Vec<String>,
}

impl PublicContribution {
    fn of(c: &Contribution) -> PublicContribution {
        PublicContribution {
            id: c.id,
            outcome: c.outcome,
            area: c.area.clone(),
            commitment: c.commitment.clone(),
            text: c.body.clone(),
            experienced: c.experienced.clone(),
            display_name: c.display_name.clone(),
            channel: c.channel,
            redacted: c.state == ContributionState::PublishedRedacted,
            published_at: c.published_at.clone(),
            themes: c.themes.clone(),
        }
    }
}

/// Everything public about residents' voice in a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PublicVoice {
    /// Published contributions, newest first.
    pub contributions: Vec<PublicContribution>,
    /// Every theme.
    pub themes: Vec<Theme>,
    /// Every response, newest first.
    pub responses: Vec<Response>,
}

/// A count as the public sees it: counts of 1 to 4 are "fewer than 5", so that nobody
/// can be picked out.
pub fn shown_count(n: usize) -> String {
    if (1..5).contains(&n) { "fewer than 5".to_owned() } else { n.to_string() }
}

impl PublicVoice {
    /// Those about an outcome.
    pub fn about_outcome(&self, n: u8) -> Vec<&PublicContribution> {
        self.contributions.iter().filter(|c| c.outcome == n).collect()
    }

    /// Those from an area (or its districts, for a county or HCP: `areas`).
    pub fn in_areas(&self, areas: &[&str]) -> Vec<&PublicContribution> {
        self.contributions.iter().filter(|c| c.area.as_deref().is_some_and(|a| areas.contains(&a))).collect()
    }

    /// Responses about an outcome: on it, on one of its themes, or linked to an item
    /// about it.
    pub fn responses_on_outcome(&self, n: u8) -> Vec<&Response> {
        let here: Vec<String> = self.about_outcome(n).iter().map(|c| c.id.to_string()).collect();
        self.responses
            .iter()
            .filter(|r| {
                let scoped = match r.scope {
                    ResponseScope::Outcome => r.scope_id == n.to_string(),
                    ResponseScope::Theme => self.themes.iter().any(|t| t.id == r.scope_id && t.outcome == n),
                    ResponseScope::Place => false,
                };
                scoped || r.links.iter().any(|(k, id)| k == "contribution" && here.contains(id))
            })
            .collect()
    }

    /// Responses about a place (any of `areas`), or linked to a contribution from it.
    pub fn responses_in_areas(&self, areas: &[&str]) -> Vec<&Response> {
        let here: Vec<String> = self.in_areas(areas).iter().map(|c| c.id.to_string()).collect();
        self.responses
            .iter()
            .filter(|r| {
                (r.scope == ResponseScope::Place && areas.contains(&r.scope_id.as_str()))
                    || r.links.iter().any(|(k, id)| k == "contribution" && here.contains(id))
            })
            .collect()
    }

    /// Responses linked to a milestone.
    pub fn responses_on(&self, kind: &str, id: &str) -> Vec<&Response> {
        self.responses.iter().filter(|r| r.links.iter().any(|(k, i)| k == kind && i == id)).collect()
    }

    /// A theme's name.
    pub fn theme_label(&self, id: &str) -> String {
        self.themes.iter().find(|t| t.id == id).map_or_else(|| id.to_owned(), |t| t.label.clone())
    }

    /// Counts by theme of these contributions, by the theme's name ("Not yet themed" for
    /// those with none confirmed); an item with two themes counts in each.
    pub fn theme_counts(&self, items: &[&PublicContribution]) -> Vec<(String, usize)> {
        let mut by_theme: std::collections::BTreeMap<String, usize> = Default::default();
        for c in items {
            if c.themes.is_empty() {
                *by_theme.entry("Not yet themed".to_owned()).or_default() += 1;
            }
            for t in &c.themes {
                *by_theme.entry(self.theme_label(t)).or_default() += 1;
            }
        }
        by_theme.into_iter().collect()
    }

    /// Counts by month (newest first) and theme (`None`: no theme confirmed yet) of
    /// these contributions.
    pub fn monthly_counts(items: &[&PublicContribution]) -> Vec<(String, Option<String>, usize)> {
        let mut counts: std::collections::BTreeMap<(String, Option<String>), usize> = Default::default();
        for c in items {
            if c.themes.is_empty() {
                *counts.entry((c.experienced.clone(), None)).or_default() += 1;
            }
            for t in &c.themes {
                *counts.entry((c.experienced.clone(), Some(t.clone()))).or_default() += 1;
            }
        }
        let mut out: Vec<_> = counts.into_iter().map(|((m, t), n)| (m, t, n)).collect();
        out.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        out
    }
}

/// A month as people write it: `2026-11` → "November 2026".
pub fn month_label(ym: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    match ym.split_once('-').and_then(|(y, m)| Some((y, m.parse::<usize>().ok()?))) {
        Some((y, m @ 1..=12)) => format!("{} {y}", MONTHS[m - 1]),
        _ => ym.to_owned(),
    }
}

/// The months a resident may choose from: this one and the 23 before, newest first
/// (`YYYY-MM`).
pub fn recent_months(now: SystemTime) -> Vec<String> {
    let today = humantime::format_rfc3339(now).to_string();
    let (y, m) = (today[0..4].parse::<i32>().unwrap_or(2026), today[5..7].parse::<i32>().unwrap_or(1));
    (0..24)
        .map(|k| {
            let total = y * 12 + (m - 1) - k;
            format!("{:04}-{:02}", total / 12, total % 12 + 1)
        })
        .collect()
}

/// The areas a resident may say they live in: districts and unitary areas.
pub fn say_areas(plan: &Plan) -> Vec<(&str, &str)> {
    plan.areas
        .iter()
        .filter(|a| matches!(a.kind, assure_plan::AreaKind::District | assure_plan::AreaKind::Unitary))
        .map(|a| (a.id.get_ref().as_str(), a.name.as_str()))
        .collect()
}

/// The problems in a text that would be published: contact details and NHS numbers are
/// refused (with the field and why), so nothing holding them is stored.
pub fn text_problems(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    let lower = text.to_lowercase();
    let email = words.iter().any(|w| {
        w.split_once('@').is_some_and(|(a, b)| {
            !a.trim_matches(|c: char| !c.is_alphanumeric()).is_empty() && b.contains('.') && b.len() > 2
        })
    });
    if email {
        problems.push("Remove the email address: we never publish contact details".to_owned());
    }
    const TLDS: [&str; 9] = [".com", ".co.uk", ".org", ".net", ".uk", ".io", ".info", ".gov", ".nhs"];
    let url = lower.contains("http://")
        || lower.contains("https://")
        || lower.contains("www.")
        || words.iter().any(|w| {
            let w = w.to_lowercase();
            let w = w.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '/');
            !w.contains('@') && TLDS.iter().any(|t| w.ends_with(t) || w.contains(&format!("{t}/")))
        });
    if url {
        problems.push("Remove the web address: we do not publish links".to_owned());
    }
    let (phone, nhs) = number_runs(text);
    if phone {
        problems.push("Remove the phone number: we never publish contact details".to_owned());
    }
    if nhs {
        problems.push("Remove the NHS number (10 digits): we never publish it".to_owned());
    }
    problems
}

/// Whether the text holds a phone number (10 or more digits, or 9 or more starting with
/// 0 or +) and whether it holds something like an NHS number (10 digits, not starting
/// with 0), with digits allowed to be separated by single spaces, dashes or dots.
fn number_runs(text: &str) -> (bool, bool) {
    let (mut phone, mut nhs) = (false, false);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let plus = chars[i] == '+';
            let mut digits = String::new();
            let mut j = if plus { i + 1 } else { i };
            while j < chars.len() {
                if chars[j].is_ascii_digit() {
                    digits.push(chars[j]);
                    j += 1;
                } else if matches!(chars[j], ' ' | '-' | '.' | '(' | ')')
                    && chars.get(j + 1).is_some_and(|c| c.is_ascii_digit() || *c == '(')
                {
                    j += 1;
                } else {
                    break;
                }
            }
            let n = digits.len();
            if n == 10 && !digits.starts_with('0') && !plus {
                nhs = true;
            } else if n >= 10 || (n >= 9 && (plus || digits.starts_with('0'))) {
                phone = true;
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    (phone, nhs)
}

/// Whether the text suggests that someone may be at risk.
pub fn safeguarding_concern(text: &str) -> bool {
    let lower = text.to_lowercase();
    SAFEGUARDING_TERMS.iter().any(|t| lower.contains(t))
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The operating system's generator does not fail on the platforms we run on; a
    // receipt code must never be predictable, so this is where we stop if it did.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    bytes
}

/// A receipt code: 12 characters from an unambiguous alphabet, in three groups.
fn receipt_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let bytes = random_bytes::<12>();
    let chars: Vec<char> = bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// A pseudonym: a Kentish bird or tree and a number ("Kestrel 482").
fn pseudonym() -> String {
    const NAMES: [&str; 16] = [
        "Kestrel", "Oak", "Heron", "Hawthorn", "Curlew", "Ash", "Skylark", "Hazel", "Plover", "Willow", "Avocet",
        "Rowan", "Wren", "Alder", "Lapwing", "Beech",
    ];
    let b = random_bytes::<3>();
    format!("{} {}", NAMES[usize::from(b[0]) % NAMES.len()], 100 + (usize::from(b[1]) * 256 + usize::from(b[2])) % 900)
}

fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// What is wrong with the text of a contribution: empty, too long, or holding contact
/// details or an NHS number.
fn body_problems(body: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let words = body.split_whitespace().count();
    if body.is_empty() {
        problems.push("Enter what you experienced".into());
    } else if words > MAX_WORDS {
        problems.push(format!("Write at most {MAX_WORDS} words (you wrote {words})"));
    }
    problems.extend(text_problems(body));
    problems
}

/// Check the form: every problem by field, or the contribution to store (its state and
/// hold decided by the caller).
fn check(plan: &Plan, f: &SayFields, months: &[String]) -> Result<NewContribution, AppError> {
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    let outcome = f.outcome.trim().parse::<u8>().ok().filter(|n| plan.outcome(*n).is_some());
    if outcome.is_none() {
        problems.push(("outcome", "Select what your experience is about".into()));
    }
    let area = match f.area.trim() {
        "none" => None,
        a if say_areas(plan).iter().any(|(id, _)| *id == a) => Some(a.to_owned()),
        _ => {
            problems.push(("area", "Select where you live, or 'Prefer not to say'".into()));
            None
        }
    };
    let commitment = match f.commitment.trim() {
        "" => None,
        c => match (plan.commitment(c), outcome) {
            (Some(x), Some(n)) if *x.outcome.get_ref() == n => Some(c.to_owned()),
            (Some(_), Some(n)) => {
                problems.push(("commitment", format!("Select a commitment of outcome {n}, or none")));
                None
            }
            _ => {
                problems.push(("commitment", "Select a commitment from the list, or none".into()));
                None
            }
        },
    };
    let body = f.body.trim();
    problems.extend(body_problems(body).into_iter().map(|p| ("body", p)));
    if !months.iter().any(|m| *m == f.experienced.trim()) {
        problems.push(("experienced", "Select the month when this happened".into()));
    }
    let first_name = f.name_choice == "first_name";
    let display_name = if first_name {
        let name = f.first_name.trim();
        if name.is_empty() {
            problems.push(("first_name", "Enter your first name, or choose a made-up name".into()));
        } else if name.split_whitespace().count() > 1
            || name.chars().count() > 30
            || !text_problems(name).is_empty()
            || name.contains('@')
        {
            problems.push(("first_name", "Enter your first name only".into()));
        }
        name.to_owned()
    } else if f.name_choice == "pseudonym" {
        pseudonym()
    } else {
        problems.push(("name_choice", "Choose how your name appears".into()));
        String::new()
    };
    let email = f.email.trim();
    let email = if f.consent_contact {
        let ok = email.split_once('@').is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.ends_with('.'))
            && !email.contains(char::is_whitespace)
            && email.len() <= 254;
        if !ok {
            problems
                .push(("email", "Enter an email address like name@example.com, or do not tick 'contact me'".into()));
        }
        Some(email.to_lowercase())
    } else {
        None
    };
    let age_band = match f.age_band.trim() {
        "" => None,
        a if AGE_BANDS.contains(&a) => Some(a.to_owned()),
        _ => {
            problems.push(("age_band", "Select an age band from the list, or leave it blank".into()));
            None
        }
    };
    if !problems.is_empty() {
        return Err(AppError::Rejected(problems));
    }
    Ok(NewContribution {
        outcome: outcome.unwrap_or_default(),
        area,
        commitment,
        body: body.to_owned(),
        experienced: f.experienced.trim().to_owned(),
        display_name,
        first_name,
        consent_publish: f.consent_publish,
        consent_contact: f.consent_contact,
        consent_health: f.consent_health,
        age_band,
        channel: Channel::Web,
        state: ContributionState::Pending,
        hold_reason: None,
        recorded_by: None,
        event: None,
        receipt: None,
        email,
    })
}

/// Whether this person moderates residents' voice: admins, and accounts with the
/// moderator permission. (An editor without it never moderates, so never an item about
/// their own organisation.)
pub fn may_moderate(app: &App, account: &Account) -> Result<bool, AppError> {
    Ok(account.role == Role::Admin || app.store.has_permission(account.id, Permission::Moderator)?)
}

/// What a moderator decides, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionFields {
    /// The new state's name.
    pub decision: String,
    /// A code of [`REASON_CODES`].
    pub reason_code: String,
    /// The note the author and the public see.
    pub public_note: String,
    /// The text with words removed (for "published with redactions").
    pub redacted: String,
    /// Theme ids confirmed.
    pub themes: Vec<String>,
}

/// A group of voices recorded by a partner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListeningFields {
    /// `assisted`, `listening_event` or `paper`.
    pub channel: String,
    /// The event's name (for a listening event).
    pub event: String,
    /// When (`YYYY-MM`).
    pub experienced: String,
    /// Each voice: outcome, area (`none` allowed), text, consent to publish.
    pub voices: Vec<(String, String, String, bool)>,
}

/// A response, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseFields {
    /// `theme`, `outcome` or `place`, and which (`theme:ID`, `outcome:N`, `place:AREA`).
    pub about: String,
    /// You said.
    pub you_said: String,
    /// We did.
    pub we_did: String,
    /// The status's name.
    pub status: String,
    /// The reason (required for not taking forward and referred).
    pub reason: String,
    /// The organisation responding.
    pub organisation: String,
    /// Milestone ids linked.
    pub milestones: Vec<String>,
    /// Delivering plan ids linked.
    pub plans: Vec<String>,
    /// Commitment ids linked.
    pub commitments: Vec<String>,
    /// Contribution numbers linked.
    pub contributions: Vec<String>,
}

impl App {
    /// A signed stamp for the public form (when it was drawn).
    pub fn say_form_stamp(&self) -> Result<String, AppError> {
        Ok(self.store.form_stamp()?)
    }

    /// A resident's submission from the web: a robot's (honeypot, a form too fast or too
    /// old) is ignored; too many from one address or email is refused with how long to
    /// wait; bad fields are refused, every one named, with nothing stored; the same text
    /// within a day, or one suggesting someone is at risk, is held. Nothing is ever
    /// published without a moderator.
    pub fn say(&self, plan: &Plan, request: &SayRequest, now: SystemTime) -> Result<Said, AppError> {
        if !request.honeypot.trim().is_empty() {
            return Ok(Said::Ignored);
        }
        match self.store.form_stamp_age(&request.stamp)? {
            Some(age) if age >= MIN_FORM_AGE.as_secs() && age <= MAX_FORM_AGE.as_secs() => {}
            _ => return Ok(Said::Ignored),
        }
        let address = self.store.rate_key("address", &request.client)?;
        self.check_rate("address", &address, ADDRESS_LIMIT, ADDRESS_WINDOW, now)?;
        let mut c = check(plan, &request.fields, &recent_months(now))?;
        let mut keys = vec![("address", address)];
        if let Some(email) = &c.email {
            let key = self.store.rate_key("email", email)?;
            self.check_rate("email", &key, EMAIL_LIMIT, EMAIL_WINDOW, now)?;
            keys.push(("email", key));
        }
        let plan_id = plan.meta.id.get_ref();
        let safeguarding = safeguarding_concern(&c.body);
        if safeguarding {
            c.state = ContributionState::Safeguarding;
            c.hold_reason = Some("safeguarding");
        } else if self.store.same_text_since(plan_id, &c.body, &rfc3339(now - DUPLICATE_WINDOW))? {
            c.hold_reason = Some("duplicate");
        }
        // With a relay and an email, the author confirms first (instead of a CAPTCHA);
        // what suggests someone is at risk never waits for that.
        let email = c.email.clone().filter(|_| self.mail_configured() && !safeguarding);
        if email.is_some() {
            c.state = ContributionState::Unconfirmed;
        }
        let receipt = receipt_code();
        c.receipt = Some(receipt.clone());
        let ids = self.store.add_contributions(plan_id, std::slice::from_ref(&c), &keys, "public")?;
        let id = ids.first().copied().ok_or_else(|| AppError::Report("nothing was stored".into()))?;
        if safeguarding {
            self.tell_safeguarding_lead(id)?;
        }
        let confirmation = match email {
            None => Confirmation::NotAsked,
            Some(to) => match self.ask_to_confirm(id, &to) {
                Ok(true) => Confirmation::Emailed,
                Ok(false) => {
                    self.store.confirm_contribution(id, "public")?;
                    Confirmation::NotAsked
                }
                Err(e) => {
                    self.store.confirm_contribution(id, "mail-failed")?;
                    Confirmation::Failed(e.to_string())
                }
            },
        };
        Ok(Said::Received { id, receipt, safeguarding, confirmation })
    }

    /// Email the author the link that confirms their item: a signed, single-use link
    /// whose page asks them to press a button (a link scanner that only follows links
    /// confirms nothing). The message holds none of their words.
    fn ask_to_confirm(&self, id: i64, to: &str) -> Result<bool, AppError> {
        let token = self.store.confirmation_token(id)?;
        let days = UNCONFIRMED_KEPT.as_secs() / 86400;
        self.send_email(&crate::Email {
            to: to.to_owned(),
            subject: "Have your say: confirm what you sent".to_owned(),
            text: format!(
                "Thank you for having your say.\n\n\
                 To send what you wrote to our moderators, open this link and press 'Confirm':\n\
                 {}/have-your-say/confirm/{token}\n\n\
                 If it is not confirmed within {days} days, what you wrote is deleted. If you did not write to us, \
                 ignore this email: nothing will be published.\n",
                self.public_url()
            ),
            unsubscribe: None,
        })
    }

    /// The item a confirmation link was sent for, if the link is genuine and the item
    /// still exists (for the page that asks the author to press "Confirm").
    pub fn confirmation(&self, token: &str) -> Result<Option<Contribution>, AppError> {
        Ok(self.store.contribution_by_confirmation(token)?)
    }

    /// The author presses "Confirm": an unconfirmed item goes to the moderators. Returns
    /// the item and whether this confirmed it (a link used before changes nothing);
    /// `None` for a link that is not genuine or whose item was deleted.
    pub fn confirm(&self, token: &str) -> Result<Option<(Contribution, bool)>, AppError> {
        match self.store.contribution_by_confirmation(token)? {
            Some(c) => Ok(Some(self.store.confirm_contribution(c.id, "author")?)),
            None => Ok(None),
        }
    }

    /// This application, telling `lead` (an email address) of every item held for
    /// safeguarding.
    pub fn with_safeguarding_lead(mut self, lead: &str) -> App {
        self.safeguarding_lead = Some(lead.trim().to_owned()).filter(|l| !l.is_empty());
        self
    }

    /// Email the safeguarding lead (when one and a relay are configured) that an item is
    /// held: a link to it, never its words (email is not where they should travel).
    /// The item is stored and in the moderators' queue first, so a relay that fails
    /// loses nothing; the failure is returned for the face to report.
    fn tell_safeguarding_lead(&self, id: i64) -> Result<bool, AppError> {
        let Some(lead) = &self.safeguarding_lead else { return Ok(false) };
        self.send_email(&crate::Email {
            to: lead.clone(),
            subject: format!("Have your say: item {id} is held for safeguarding"),
            text: format!(
                "What a resident wrote on Have your say suggests that they or someone else may be at risk.\n\n\
                 It is held and will not be published. Read it (sign in first):\n{}/moderation/{id}\n",
                self.public_url()
            ),
            unsubscribe: None,
        })
    }

    /// Tell the author what the moderator decided and why, when they left an email and
    /// agreed to be contacted.
    fn tell_author(&self, c: &Contribution, reason: &str, note: &str) -> Result<bool, AppError> {
        if !c.consent_contact {
            return Ok(false);
        }
        let Some(to) = self.store.contribution_contact(c.id)? else { return Ok(false) };
        let reason = REASON_CODES.iter().find(|(code, _)| *code == reason).map_or(reason, |(_, l)| l);
        self.send_email(&crate::Email {
            to,
            subject: format!("Have your say: {}", c.state.label().to_lowercase()),
            text: format!(
                "Thank you for having your say.\n\nA moderator has decided: {}.\nWhy: {reason}.\n{note}\n\n\
                 With your receipt code you can see it, withdraw it, or appeal a decision not to publish it:\n\
                 {}/have-your-say/receipt\n",
                c.state.label(),
                self.public_url()
            ),
            unsubscribe: None,
        })
    }

    fn check_rate(&self, kind: &str, key: &str, limit: u64, window: Duration, now: SystemTime) -> Result<(), AppError> {
        let (n, first) = self.store.submissions_since(kind, key, &rfc3339(now - window))?;
        if n >= limit {
            let first = first.and_then(|f| humantime::parse_rfc3339_weak(&f).ok()).unwrap_or(now);
            let free_at = first + window;
            let wait = free_at.duration_since(now).map_or(60, |d| d.as_secs().max(1));
            return Err(AppError::TooMany { retry_after: wait });
        }
        Ok(())
    }

    /// A partner records what they heard (at a listening event, on paper, or helping
    /// someone): several voices at once, each checked as the public form checks it
    /// (contact details refused), each waiting for a moderator.
    pub fn record_listening(
        &self,
        account: &Account,
        plan: &Plan,
        fields: &ListeningFields,
        now: SystemTime,
    ) -> Result<Vec<i64>, AppError> {
        if account.role == Role::Viewer {
            return Err(AppError::Forbidden("Viewers cannot record what residents said.".into()));
        }
        let channel = match Channel::parse(fields.channel.trim()) {
            Some(c) if c != Channel::Web => c,
            _ => return Err(AppError::Rejected(vec![("channel", "Select how you heard these voices".into())])),
        };
        let months = recent_months(now);
        let mut problems = Vec::new();
        let mut items = Vec::new();
        for (k, (outcome, area, text, publish)) in fields.voices.iter().enumerate() {
            if text.trim().is_empty() {
                continue;
            }
            let f = SayFields {
                outcome: outcome.clone(),
                area: if area.is_empty() { "none".into() } else { area.clone() },
                body: text.clone(),
                experienced: fields.experienced.clone(),
                name_choice: "pseudonym".into(),
                consent_publish: *publish,
                ..SayFields::default()
            };
            match check(plan, &f, &months) {
                Ok(mut c) => {
                    c.channel = channel;
                    c.recorded_by = Some(account.username.clone());
                    c.event = Some(fields.event.trim().to_owned()).filter(|e| !e.is_empty());
                    if safeguarding_concern(&c.body) {
                        c.state = ContributionState::Safeguarding;
                        c.hold_reason = Some("safeguarding");
                    }
                    items.push(c);
                }
                Err(AppError::Rejected(ps)) => {
                    for (field, message) in ps {
                        let field: &'static str = match (field, k) {
                            ("outcome", _) => VOICE_FIELDS[k.min(VOICE_FIELDS.len() - 1)].0,
                            ("area", _) => VOICE_FIELDS[k.min(VOICE_FIELDS.len() - 1)].1,
                            ("experienced", _) => "experienced",
                            _ => VOICE_FIELDS[k.min(VOICE_FIELDS.len() - 1)].2,
                        };
                        problems.push((field, format!("Voice {}: {message}", k + 1)));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        if items.is_empty() && problems.is_empty() {
            problems.push((VOICE_FIELDS[0].2, "Enter what at least one person said".into()));
        }
        if !problems.is_empty() {
            return Err(AppError::Rejected(problems));
        }
        Ok(self.store.add_contributions(plan.meta.id.get_ref(), &items, &[], &account.username)?)
    }

    /// The moderation queue: items waiting for a decision (pending, held for
    /// safeguarding, hidden after reports), oldest first. Moderators only.
    pub fn moderation_queue(&self, account: &Account, plan_id: &str) -> Result<Vec<Contribution>, AppError> {
        self.require_moderator(account)?;
        Ok(self.store.contributions(
            plan_id,
            &[ContributionState::Pending, ContributionState::Safeguarding, ContributionState::Hidden],
        )?)
    }

    /// One contribution and its contact email, for a moderator.
    pub fn moderation_item(&self, account: &Account, id: i64) -> Result<(Contribution, Option<String>), AppError> {
        self.require_moderator(account)?;
        Ok((self.store.contribution(id)?, self.store.contribution_contact(id)?))
    }

    fn require_moderator(&self, account: &Account) -> Result<(), AppError> {
        if may_moderate(self, account)? {
            Ok(())
        } else {
            Err(AppError::Forbidden("Only moderators review what residents say.".into()))
        }
    }

    /// A moderator's decision, with its reason code and public note; "published with
    /// redactions" overwrites the text with the redacted text, which must differ.
    pub fn moderate(
        &self,
        account: &Account,
        plan: &Plan,
        id: i64,
        f: &DecisionFields,
    ) -> Result<Contribution, AppError> {
        self.require_moderator(account)?;
        let c = self.store.contribution(id)?;
        if c.state == ContributionState::Unconfirmed {
            return Err(AppError::Rejected(vec![(
                "decision",
                "Its author has not confirmed it by email yet: it cannot be moderated until they do".into(),
            )]));
        }
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        let state = match ContributionState::parse(f.decision.trim()) {
            Some(
                s @ (ContributionState::Published
                | ContributionState::PublishedRedacted
                | ContributionState::ChangesRequested
                | ContributionState::Private
                | ContributionState::Rejected
                | ContributionState::Safeguarding),
            ) => Some(s),
            _ => {
                problems.push(("decision", "Select a decision".into()));
                None
            }
        };
        if !REASON_CODES.iter().any(|(code, _)| *code == f.reason_code.trim()) {
            problems.push(("reason_code", "Select the reason for the decision".into()));
        }
        if f.public_note.trim().is_empty() {
            problems.push(("public_note", "Enter a note saying why, for the author and the public".into()));
        }
        if state.is_some_and(ContributionState::is_public) && !c.consent_publish {
            problems
                .push(("decision", "The author did not agree to publish this: keep it private or reject it".into()));
        }
        let redacted = f.redacted.trim();
        let redacted_body = match state {
            Some(ContributionState::PublishedRedacted) => {
                if redacted.is_empty() || redacted == c.body.trim() {
                    problems.push(("redacted", "Enter the text with the words removed".into()));
                }
                for p in text_problems(redacted) {
                    problems.push(("redacted", p));
                }
                Some(redacted.to_owned())
            }
            _ => None,
        };
        let themes: Vec<String> = f.themes.iter().filter(|t| !t.is_empty()).cloned().collect();
        let known = self.store.themes(plan.meta.id.get_ref())?;
        if themes.iter().any(|t| !known.iter().any(|k| &k.id == t && k.outcome == c.outcome)) {
            problems.push(("themes", format!("Select themes of outcome {}", c.outcome)));
        }
        if !problems.is_empty() {
            return Err(AppError::Rejected(problems));
        }
        let request = DecisionRequest {
            state: state.unwrap_or(ContributionState::Pending),
            reason_code: f.reason_code.trim().to_owned(),
            public_note: f.public_note.trim().to_owned(),
            redacted_body,
            themes,
        };
        let decided = self.store.decide(id, &request, &account.username)?;
        self.tell_author(&decided, &request.reason_code, &request.public_note)?;
        Ok(decided)
    }

    /// The item a receipt code was given for.
    pub fn receipt(&self, code: &str) -> Result<Option<Contribution>, AppError> {
        if code.trim().is_empty() {
            return Ok(None);
        }
        Ok(self.store.contribution_by_receipt(code)?)
    }

    /// The author withdraws their item (its text and contact details are deleted).
    pub fn withdraw(&self, code: &str) -> Result<Contribution, AppError> {
        let c = self.receipt(code)?.ok_or_else(|| not_found_receipt(code))?;
        Ok(self.store.withdraw_contribution(c.id)?)
    }

    /// The author changes an item a moderator asked them to change, with their receipt
    /// code: the new text is checked as the form checks it, overwrites the old (which is
    /// kept nowhere), and goes back to the moderators, or to the safeguarding hold (the
    /// lead told) when it suggests someone is at risk.
    pub fn resubmit(&self, code: &str, body: &str) -> Result<Contribution, AppError> {
        let c = self.receipt(code)?.ok_or_else(|| not_found_receipt(code))?;
        if c.state != ContributionState::ChangesRequested {
            return Err(AppError::Rejected(vec![(
                "body",
                "Only something a moderator asked you to change can be changed".into(),
            )]));
        }
        let body = body.trim();
        let problems = body_problems(body);
        if !problems.is_empty() {
            return Err(AppError::Rejected(problems.into_iter().map(|p| ("body", p)).collect()));
        }
        let safeguarding = safeguarding_concern(body);
        let (state, hold) = if safeguarding {
            (ContributionState::Safeguarding, Some("safeguarding"))
        } else {
            (ContributionState::Pending, None)
        };
        let after = self.store.resubmit_contribution(c.id, body, state, hold)?;
        if safeguarding {
            self.tell_safeguarding_lead(c.id)?;
        }
        Ok(after)
    }

    /// The author appeals a hidden or rejected item, once.
    pub fn appeal(&self, code: &str, reason: &str) -> Result<Contribution, AppError> {
        let c = self.receipt(code)?.ok_or_else(|| not_found_receipt(code))?;
        if reason.trim().is_empty() {
            return Err(AppError::Rejected(vec![("reason", "Say why it should be published".into())]));
        }
        if let Some(p) = text_problems(reason).into_iter().next() {
            return Err(AppError::Rejected(vec![("reason", p)]));
        }
        Ok(self.store.appeal_contribution(c.id, reason.trim())?)
    }

    /// A member of the public reports a published item; the third distinct reporter
    /// hides it until a moderator reviews it. Returns whether it is now hidden.
    pub fn report_contribution(&self, id: i64, client: &str, reason: &str) -> Result<bool, AppError> {
        let key = self.store.rate_key("reporter", client)?;
        let reason: String = reason.trim().chars().take(500).collect();
        Ok(self.store.report_contribution(id, &key, &reason, HIDE_AFTER_REPORTS)?.1)
    }

    /// What the public may see of residents' voice in a plan.
    pub fn public_voice(&self, plan_id: &str) -> Result<PublicVoice, AppError> {
        let mut contributions: Vec<PublicContribution> = self
            .store
            .contributions(plan_id, &[ContributionState::Published, ContributionState::PublishedRedacted])?
            .iter()
            .map(PublicContribution::of)
            .collect();
        contributions.reverse();
        Ok(PublicVoice {
            contributions,
            themes: self.store.themes(plan_id)?,
            responses: self.store.responses(plan_id)?,
        })
    }

    /// Add a theme to an outcome (admins).
    pub fn add_theme(&self, account: &Account, plan: &Plan, outcome: &str, label: &str) -> Result<Theme, AppError> {
        crate::require_admin(account)?;
        let n = outcome.trim().parse::<u8>().ok().filter(|n| plan.outcome(*n).is_some());
        let Some(n) = n else { return Err(AppError::Rejected(vec![("outcome", "Select an outcome".into())])) };
        Ok(self.store.add_theme(plan.meta.id.get_ref(), n, label, &account.username)?)
    }

    /// Publish a response for an organisation the person works for (admins and
    /// moderators for any): "change made" needs a linked milestone or delivering plan,
    /// "not taking forward" and "referred" a reason.
    pub fn respond(
        &self,
        account: &Account,
        plan: &Plan,
        delivery: &assure_tracking::delivery::Delivery,
        f: &ResponseFields,
    ) -> Result<Response, AppError> {
        let moderator = may_moderate(self, account)?;
        if account.role == Role::Viewer && !moderator {
            return Err(AppError::Forbidden("Viewers cannot publish responses.".into()));
        }
        let plan_id = plan.meta.id.get_ref();
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        let themes = self.store.themes(plan_id)?;
        let scope = match f.about.split_once(':') {
            Some(("theme", id)) if themes.iter().any(|t| t.id == id) => Some((ResponseScope::Theme, id.to_owned())),
            Some(("outcome", n)) if n.parse::<u8>().ok().and_then(|n| plan.outcome(n)).is_some() => {
                Some((ResponseScope::Outcome, n.to_owned()))
            }
            Some(("place", a)) if plan.area(a).is_some() => Some((ResponseScope::Place, a.to_owned())),
            _ => {
                problems.push(("about", "Select what the response is about".into()));
                None
            }
        };
        if f.you_said.trim().is_empty() {
            problems.push(("you_said", "Enter what residents said".into()));
        }
        if f.we_did.trim().is_empty() {
            problems.push(("we_did", "Enter what was done, or will be".into()));
        }
        for (field, text) in [("you_said", &f.you_said), ("we_did", &f.we_did), ("reason", &f.reason)] {
            if let Some(p) = text_problems(text).into_iter().find(|p| !p.contains("web address")) {
                problems.push((field, p));
            }
        }
        let status = ResponseStatus::parse(f.status.trim());
        if status.is_none() {
            problems.push(("status", "Select the response's status".into()));
        }
        let organisation = f.organisation.trim();
        if plan.organisation(organisation).is_none() {
            problems.push(("organisation", "Select the organisation responding".into()));
        } else if account.role != Role::Admin && !moderator && !account.organisations.iter().any(|o| o == organisation)
        {
            problems.push(("organisation", "You can respond only for your own organisations".into()));
        }
        let clean = |v: &[String]| v.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect::<Vec<_>>();
        let (milestones, plans) = (clean(&f.milestones), clean(&f.plans));
        let (commitments, contributions) = (clean(&f.commitments), clean(&f.contributions));
        if milestones.iter().any(|m| delivery.milestone(plan, m).is_none()) {
            problems.push(("milestones", "Select milestones of the plan".into()));
        }
        if plans.iter().any(|p| plan.delivering_plan(p).is_none()) {
            problems.push(("plans", "Select strategies or plans of the plan".into()));
        }
        if commitments.iter().any(|c| plan.commitment(c).is_none()) {
            problems.push(("commitments", "Select commitments of the plan".into()));
        }
        let published = self.public_voice(plan_id)?;
        if contributions.iter().any(|c| !published.contributions.iter().any(|p| p.id.to_string() == *c)) {
            problems.push(("contributions", "Link only published items".into()));
        }
        if status == Some(ResponseStatus::ChangeMade) && milestones.is_empty() && plans.is_empty() {
            problems.push(("milestones", "A change made must be linked to a milestone or a strategy or plan".into()));
        }
        if matches!(status, Some(ResponseStatus::NotTakingForward | ResponseStatus::Referred))
            && f.reason.trim().is_empty()
        {
            problems.push(("reason", "Say why it is not taken forward, or to whom it was referred".into()));
        }
        if !problems.is_empty() {
            return Err(AppError::Rejected(problems));
        }
        let (scope, scope_id) = scope.unwrap_or((ResponseScope::Outcome, String::new()));
        let mut links = Vec::new();
        links.extend(milestones.into_iter().map(|m| ("milestone".to_owned(), m)));
        links.extend(plans.into_iter().map(|m| ("plan".to_owned(), m)));
        links.extend(commitments.into_iter().map(|m| ("commitment".to_owned(), m)));
        links.extend(contributions.into_iter().map(|m| ("contribution".to_owned(), m)));
        let r = NewResponse {
            scope,
            scope_id,
            you_said: f.you_said.trim().to_owned(),
            we_did: f.we_did.trim().to_owned(),
            status: status.unwrap_or(ResponseStatus::Acknowledged),
            reason: Some(f.reason.trim().to_owned()).filter(|r| !r.is_empty()),
            organisation: organisation.to_owned(),
            links,
        };
        Ok(self.store.add_response(plan_id, &r, &account.username)?)
    }

    /// Delete what is kept no longer, as of `now`: unconfirmed items after 7 days,
    /// contact details after 24 months, rate-limit keys after a day.
    pub fn purge_voice(&self, now: jiff::Timestamp, actor: &str) -> Result<Purged, AppError> {
        let now = SystemTime::UNIX_EPOCH + Duration::from_millis(u64::try_from(now.as_millisecond()).unwrap_or(0));
        Ok(self.store.purge_voice(
            &rfc3339(now - UNCONFIRMED_KEPT),
            &rfc3339(now - CONTACT_KEPT),
            &rfc3339(now - Duration::from_secs(24 * 3600)),
            actor,
        )?)
    }
}

/// The daily job: [`App::purge_voice`] as at `now`.
pub(crate) fn purge_job(app: &App, now: jiff::Timestamp) -> Result<String, AppError> {
    Ok(app.purge_voice(now, "engagement-purge")?.to_string())
}

/// The field names of the voices on the listening form: (outcome, area, text) of each.
pub const VOICE_FIELDS: [(&str, &str, &str); 5] = [
    ("outcome-1", "area-1", "text-1"),
    ("outcome-2", "area-2", "text-2"),
    ("outcome-3", "area-3", "text-3"),
    ("outcome-4", "area-4", "text-4"),
    ("outcome-5", "area-5", "text-5"),
];

fn not_found_receipt(_code: &str) -> AppError {
    AppError::NotFound { what: "item with this receipt code", id: "the code you entered".into() }
}

/// Which items a report's "What residents told us" covers.
pub(crate) enum ReportScope<'a> {
    /// Everything published.
    All,
    /// One outcome.
    Outcome(u8),
    /// These areas.
    Areas(Vec<&'a str>),
}

impl App {
    /// "What residents told us" for a report, from published items only.
    pub(crate) fn residents(
        &self,
        plan: &Plan,
        scope: &ReportScope<'_>,
    ) -> Result<assure_report::residents::Residents, AppError> {
        let voice = self.public_voice(plan.meta.id.get_ref())?;
        let items: Vec<&PublicContribution> = match scope {
            ReportScope::All => voice.contributions.iter().collect(),
            ReportScope::Outcome(n) => voice.about_outcome(*n),
            ReportScope::Areas(areas) => voice.in_areas(areas),
        };
        let responses: Vec<&Response> = match scope {
            ReportScope::All => voice.responses.iter().collect(),
            ReportScope::Outcome(n) => voice.responses_on_outcome(*n),
            ReportScope::Areas(areas) => voice.responses_in_areas(areas),
        };
        let mut by_channel: std::collections::BTreeMap<&str, usize> = Default::default();
        for c in &items {
            *by_channel.entry(c.channel.label()).or_default() += 1;
        }
        let quotes = items
            .iter()
            .take(10)
            .map(|c| {
                let mut who = c.display_name.clone();
                if let Some(a) = c.area.as_deref().and_then(|a| plan.area(a)) {
                    who.push_str(&format!(", {}", a.name));
                }
                who.push_str(&format!(", {}", month_label(&c.experienced)));
                (c.text.clone(), who)
            })
            .collect();
        Ok(assure_report::residents::Residents {
            by_theme: voice.theme_counts(&items),
            by_channel: by_channel.into_iter().map(|(c, n)| (c.to_owned(), n)).collect(),
            quotes,
            responses: responses
                .iter()
                .map(|r| {
                    (
                        r.you_said.clone(),
                        r.we_did.clone(),
                        r.status.label().to_owned(),
                        plan.organisation_name(&r.organisation).to_owned(),
                    )
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_details_and_nhs_numbers_are_found() {
        assert!(text_problems("The GP was kind and listened").is_empty());
        assert!(text_problems("mail me at jo.bloggs@example.com please")[0].contains("email"));
        assert!(text_problems("see https://example.org/x")[0].contains("web address"));
        assert!(text_problems("see www.example.org")[0].contains("web address"));
        assert!(text_problems("see example.co.uk for more")[0].contains("web address"));
        assert!(text_problems("ring 01795 123456 after 6")[0].contains("phone"));
        assert!(text_problems("ring +44 7700 900123")[0].contains("phone"));
        assert!(text_problems("my number is 943 476 5919")[0].contains("NHS number"));
        assert!(text_problems("my number is 9434765919.")[0].contains("NHS number"));
        // Dates, years and small numbers are not phone numbers.
        assert!(text_problems("In 2025 I waited 12 weeks, from 3 March to 2 June 2025").is_empty());
        assert!(text_problems("It took 3.5 hours").is_empty());
    }

    #[test]
    fn counts_of_one_to_four_are_not_shown() {
        assert_eq!(shown_count(0), "0");
        assert_eq!(shown_count(1), "fewer than 5");
        assert_eq!(shown_count(4), "fewer than 5");
        assert_eq!(shown_count(5), "5");
    }

    #[test]
    fn safeguarding_terms_are_found_and_months_listed() {
        assert!(safeguarding_concern("Some days I want to die"));
        assert!(!safeguarding_concern("I felt lonely after moving"));
        let months = recent_months(humantime::parse_rfc3339("2026-01-15T00:00:00Z").unwrap());
        assert_eq!(months[0], "2026-01");
        assert_eq!(months[1], "2025-12");
        assert_eq!(months.len(), 24);
        assert_eq!(month_label("2025-12"), "December 2025");
        assert!(receipt_code().len() == 14);
    }
}

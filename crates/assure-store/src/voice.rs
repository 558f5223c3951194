//! Residents' voice: what residents say about the plan (contributions), their contact
//! details (a table of their own, read only through the moderators' use-cases),
//! moderation decisions, the public's reports, authors' appeals, themes, partners'
//! responses, the moderator permission, and the keys the rate limits count.
//!
//! The text of a contribution is never written to the audit log or anywhere else but
//! its row: a redaction overwrites it and a withdrawal empties it, so that no copy of
//! removed words survives. Each change is audited (who, when, what state, why) against
//! the plan, so that the public pages of that plan are drawn afresh.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit::{self, NewEntry};
use crate::sql::{Tx, Value, returned_id};
use crate::{Store, StoreError, now};

/// Where a contribution is in moderation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContributionState {
    /// Waiting for the author to confirm by email.
    Unconfirmed,
    /// Waiting for a moderator.
    Pending,
    /// Public, as written.
    Published,
    /// Public, with words removed by a moderator.
    PublishedRedacted,
    /// The author is asked to change it.
    ChangesRequested,
    /// Kept, read by partners, never public.
    Private,
    /// Not kept public.
    Rejected,
    /// Held for the safeguarding lead; never public.
    Safeguarding,
    /// Hidden after reports from the public, until a moderator reviews it.
    Hidden,
    /// Withdrawn by its author (the text is gone).
    Withdrawn,
}

impl ContributionState {
    /// Every state.
    pub const ALL: [ContributionState; 10] = [
        ContributionState::Unconfirmed,
        ContributionState::Pending,
        ContributionState::Published,
        ContributionState::PublishedRedacted,
        ContributionState::ChangesRequested,
        ContributionState::Private,
        ContributionState::Rejected,
        ContributionState::Safeguarding,
        ContributionState::Hidden,
        ContributionState::Withdrawn,
    ];

    /// The name used in data.
    pub fn as_str(self) -> &'static str {
        match self {
            ContributionState::Unconfirmed => "unconfirmed",
            ContributionState::Pending => "pending",
            ContributionState::Published => "published",
            ContributionState::PublishedRedacted => "published_redacted",
            ContributionState::ChangesRequested => "changes_requested",
            ContributionState::Private => "private",
            ContributionState::Rejected => "rejected",
            ContributionState::Safeguarding => "safeguarding",
            ContributionState::Hidden => "hidden",
            ContributionState::Withdrawn => "withdrawn",
        }
    }

    /// Read a state's name.
    pub fn parse(s: &str) -> Option<ContributionState> {
        ContributionState::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            ContributionState::Unconfirmed => "Waiting for you to confirm your email",
            ContributionState::Pending => "Waiting for a moderator",
            ContributionState::Published => "Published",
            ContributionState::PublishedRedacted => "Published with some words removed",
            ContributionState::ChangesRequested => "Changes requested",
            ContributionState::Private => "Shared with partners only, not published",
            ContributionState::Rejected => "Not published",
            ContributionState::Safeguarding => "Held for our safeguarding lead",
            ContributionState::Hidden => "Hidden while a moderator reviews reports",
            ContributionState::Withdrawn => "Withdrawn",
        }
    }

    /// Whether the public may read it (and count it).
    pub fn is_public(self) -> bool {
        matches!(self, ContributionState::Published | ContributionState::PublishedRedacted)
    }
}

/// How a contribution reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The resident, on the web site.
    Web,
    /// Someone helped the resident to say it.
    Assisted,
    /// Heard by a partner at a listening event.
    ListeningEvent,
    /// Written on paper.
    Paper,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 4] = [Channel::Web, Channel::Assisted, Channel::ListeningEvent, Channel::Paper];

    /// The name used in data.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Assisted => "assisted",
            Channel::ListeningEvent => "listening_event",
            Channel::Paper => "paper",
        }
    }

    /// Read a channel's name.
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Channel::Web => "Web",
            Channel::Assisted => "Assisted",
            Channel::ListeningEvent => "Listening event",
            Channel::Paper => "Paper",
        }
    }
}

/// A contribution as stored (its contact details are not part of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contribution {
    /// Its number.
    pub id: i64,
    /// The plan it is about.
    pub plan_id: String,
    /// The outcome it is about.
    pub outcome: u8,
    /// The district or unitary area, or `None` (preferred not to say).
    pub area: Option<String>,
    /// The commitment it is about, if one was chosen.
    pub commitment: Option<String>,
    /// What they said (empty once withdrawn).
    pub body: String,
    /// The month it happened (`YYYY-MM`).
    pub experienced: String,
    /// How they appear: a pseudonym or a first name.
    pub display_name: String,
    /// Whether `display_name` is their first name (else a generated pseudonym).
    pub first_name: bool,
    /// Consent to publish.
    pub consent_publish: bool,
    /// Consent to be contacted.
    pub consent_contact: bool,
    /// Consent to the use of health information they included.
    pub consent_health: bool,
    /// Their age band, if given (never public).
    pub age_band: Option<String>,
    /// How it reached us.
    pub channel: Channel,
    /// Where it is in moderation.
    pub state: ContributionState,
    /// Why it is held, when it is (`duplicate`, `safeguarding`, `appeal`, `reported`).
    pub hold_reason: Option<String>,
    /// Who recorded it for the resident (listening, paper), if someone did.
    pub recorded_by: Option<String>,
    /// The listening event, if any.
    pub event: Option<String>,
    /// Whether its author has appealed (once only).
    pub appealed: bool,
    /// When it was received (RFC 3339, UTC).
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// When it was published, if it was.
    pub published_at: Option<String>,
    /// The themes moderators confirmed on it.
    pub themes: Vec<String>,
}

/// A contribution to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContribution {
    /// The outcome.
    pub outcome: u8,
    /// The area, or `None`.
    pub area: Option<String>,
    /// The commitment, if any.
    pub commitment: Option<String>,
    /// The text, already checked.
    pub body: String,
    /// The month (`YYYY-MM`).
    pub experienced: String,
    /// How they appear.
    pub display_name: String,
    /// Whether that is their first name.
    pub first_name: bool,
    /// Consents: publish, contact, health information.
    pub consent_publish: bool,
    /// See `consent_publish`.
    pub consent_contact: bool,
    /// See `consent_publish`.
    pub consent_health: bool,
    /// Age band, if given.
    pub age_band: Option<String>,
    /// How it reached us.
    pub channel: Channel,
    /// The state it starts in.
    pub state: ContributionState,
    /// Why it is held, if it is.
    pub hold_reason: Option<&'static str>,
    /// Who recorded it, for listening and paper.
    pub recorded_by: Option<String>,
    /// The listening event.
    pub event: Option<String>,
    /// The receipt code given to the author (only its SHA-256 is kept).
    pub receipt: Option<String>,
    /// The author's email, kept apart, when they agreed to be contacted.
    pub email: Option<String>,
}

/// A moderator's decision on a contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The state it put the contribution in.
    pub state: ContributionState,
    /// Why, as a code from the published list.
    pub reason_code: String,
    /// What the author and the public are told.
    pub public_note: String,
    /// Who decided.
    pub moderator: String,
    /// When.
    pub at: String,
}

/// What a moderator decides, to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRequest {
    /// The new state.
    pub state: ContributionState,
    /// Why.
    pub reason_code: String,
    /// The note.
    pub public_note: String,
    /// The text with words removed (a redaction), overwriting the stored text.
    pub redacted_body: Option<String>,
    /// The themes confirmed on it (replacing those before).
    pub themes: Vec<String>,
}

/// A theme of an outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Theme {
    /// Its id (a slug).
    pub id: String,
    /// The outcome it belongs to.
    pub outcome: u8,
    /// Its name.
    pub label: String,
}

/// What a response is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseScope {
    /// A theme.
    Theme,
    /// An outcome.
    Outcome,
    /// A place (an area).
    Place,
}

impl ResponseScope {
    /// The name used in data.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseScope::Theme => "theme",
            ResponseScope::Outcome => "outcome",
            ResponseScope::Place => "place",
        }
    }

    /// Read one.
    pub fn parse(s: &str) -> Option<ResponseScope> {
        [ResponseScope::Theme, ResponseScope::Outcome, ResponseScope::Place].into_iter().find(|r| r.as_str() == s)
    }
}

/// Where a response stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseStatus {
    /// Heard.
    Acknowledged,
    /// Being considered.
    Considering,
    /// A change is planned.
    ChangePlanned,
    /// A change was made.
    ChangeMade,
    /// Not taken forward (with the reason).
    NotTakingForward,
    /// Passed to someone else.
    Referred,
}

impl ResponseStatus {
    /// Every status.
    pub const ALL: [ResponseStatus; 6] = [
        ResponseStatus::Acknowledged,
        ResponseStatus::Considering,
        ResponseStatus::ChangePlanned,
        ResponseStatus::ChangeMade,
        ResponseStatus::NotTakingForward,
        ResponseStatus::Referred,
    ];

    /// The name used in data.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseStatus::Acknowledged => "acknowledged",
            ResponseStatus::Considering => "considering",
            ResponseStatus::ChangePlanned => "change_planned",
            ResponseStatus::ChangeMade => "change_made",
            ResponseStatus::NotTakingForward => "not_taking_forward",
            ResponseStatus::Referred => "referred",
        }
    }

    /// Read one.
    pub fn parse(s: &str) -> Option<ResponseStatus> {
        ResponseStatus::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            ResponseStatus::Acknowledged => "Acknowledged",
            ResponseStatus::Considering => "Considering",
            ResponseStatus::ChangePlanned => "Change planned",
            ResponseStatus::ChangeMade => "Change made",
            ResponseStatus::NotTakingForward => "Not taking forward",
            ResponseStatus::Referred => "Referred",
        }
    }
}

/// A partner's response: "You said … / We did …".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Response {
    /// Its number.
    pub id: i64,
    /// What it is about.
    pub scope: ResponseScope,
    /// Which theme, outcome (its number) or area.
    pub scope_id: String,
    /// What residents said, summarised.
    pub you_said: String,
    /// What partners did or will do.
    pub we_did: String,
    /// Where it stands.
    pub status: ResponseStatus,
    /// Why it is not taken forward, or where it was referred.
    pub reason: Option<String>,
    /// The organisation responding (an id of the registry).
    pub organisation: String,
    /// Who wrote it.
    pub author: String,
    /// When.
    pub at: String,
    /// What it is linked to: (`contribution` | `commitment` | `milestone` | `plan`, id).
    pub links: Vec<(String, String)>,
}

/// A response to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewResponse {
    /// What it is about.
    pub scope: ResponseScope,
    /// Which one.
    pub scope_id: String,
    /// You said.
    pub you_said: String,
    /// We did.
    pub we_did: String,
    /// The status.
    pub status: ResponseStatus,
    /// The reason, if any.
    pub reason: Option<String>,
    /// The organisation.
    pub organisation: String,
    /// Links, as in [`Response::links`].
    pub links: Vec<(String, String)>,
}

/// What a purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Purged {
    /// Unconfirmed contributions deleted.
    pub unconfirmed: u64,
    /// Contact details deleted.
    pub contacts: u64,
    /// Rate-limit keys deleted.
    pub attempts: u64,
}

impl std::fmt::Display for Purged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "deleted {} unconfirmed item(s), {} contact detail(s) and {} rate-limit key(s)",
            self.unconfirmed, self.contacts, self.attempts
        )
    }
}

/// The SHA-256 of a receipt code, as stored (the code's letters upper-cased, spaces and
/// dashes ignored, so that it can be typed loosely).
pub fn receipt_hash(code: &str) -> String {
    let normal: String = code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
    crate::sessions::hex(&Sha256::digest(format!("assure receipt\0{normal}").as_bytes()))
}

const COLUMNS: &str = "id, plan_id, outcome, area_id, commitment_id, body, experienced, display_name, name_kind, \
     consent_publish, consent_contact, consent_health, age_band, channel, state, hold_reason, recorded_by, event, \
     appealed, created_at, updated_at, published_at";

fn read(tx: &mut Tx<'_>, filter: &str, params: &[Value]) -> Result<Vec<Contribution>, StoreError> {
    let rows =
        tx.rows("contribution", &format!("SELECT {COLUMNS} FROM contribution WHERE {filter} ORDER BY id"), params)?;
    let mut out = rows
        .iter()
        .map(|r| {
            Ok(Contribution {
                id: r.int(0)?,
                plan_id: r.text(1)?,
                outcome: u8::try_from(r.int(2)?).map_err(|_| r.corrupt(2, "an outcome number"))?,
                area: r.opt_text(3)?,
                commitment: r.opt_text(4)?,
                body: r.text(5)?,
                experienced: r.text(6)?,
                display_name: r.text(7)?,
                first_name: r.text(8)? == "first_name",
                consent_publish: r.bool(9)?,
                consent_contact: r.bool(10)?,
                consent_health: r.bool(11)?,
                age_band: r.opt_text(12)?,
                channel: r.parsed(13, "a channel", Channel::parse)?,
                state: r.parsed(14, "a contribution state", ContributionState::parse)?,
                hold_reason: r.opt_text(15)?,
                recorded_by: r.opt_text(16)?,
                event: r.opt_text(17)?,
                appealed: r.bool(18)?,
                created_at: r.text(19)?,
                updated_at: r.text(20)?,
                published_at: r.opt_text(21)?,
                themes: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    if !out.is_empty() {
        let themes = tx.rows(
            "contribution_theme",
            &format!(
                "SELECT contribution_id, theme_id FROM contribution_theme WHERE contribution_id IN \
                 (SELECT id FROM contribution WHERE {filter}) ORDER BY theme_id"
            ),
            params,
        )?;
        for t in &themes {
            let (id, theme) = (t.int(0)?, t.text(1)?);
            if let Some(c) = out.iter_mut().find(|c| c.id == id) {
                c.themes.push(theme);
            }
        }
    }
    Ok(out)
}

fn one(tx: &mut Tx<'_>, id: i64) -> Result<Contribution, StoreError> {
    read(tx, "id = $1", &[Value::Int(id)])?.pop().ok_or(StoreError::NoSuchContribution(id))
}

/// The audit entry of a change to a contribution: its state and what moved it, never
/// its text or contact details.
fn audit_contribution(
    tx: &mut Tx<'_>,
    c: &Contribution,
    action: &str,
    actor: &str,
    detail: serde_json::Value,
) -> Result<(), StoreError> {
    let after = serde_json::json!({
        "state": c.state.as_str(),
        "outcome": c.outcome,
        "area": c.area,
        "channel": c.channel.as_str(),
        "detail": detail,
    });
    audit::record(
        tx,
        &NewEntry {
            at: &now(),
            actor,
            action,
            entity: "contribution",
            entity_id: &c.id.to_string(),
            plan_id: Some(&c.plan_id),
            before: None,
            after: Some(&after.to_string()),
        },
    )
}

fn set_state(tx: &mut Tx<'_>, id: i64, state: ContributionState, hold_reason: Option<&str>) -> Result<(), StoreError> {
    let at = now();
    let published = state.is_public().then_some(at.as_str());
    tx.execute(
        "UPDATE contribution SET state = $1, hold_reason = $2, updated_at = $3, \
         published_at = COALESCE($4, published_at) WHERE id = $5",
        &[state.as_str().into(), Value::text(hold_reason), at.as_str().into(), Value::text(published), Value::Int(id)],
    )?;
    Ok(())
}

fn read_responses(tx: &mut Tx<'_>, plan_id: &str) -> Result<Vec<Response>, StoreError> {
    let rows = tx.rows(
        "engagement_response",
        "SELECT id, scope_kind, scope_id, you_said, we_did, status, reason, organisation, author, at \
         FROM engagement_response WHERE plan_id = $1 ORDER BY at DESC, id DESC",
        &[plan_id.into()],
    )?;
    let mut out = rows
        .iter()
        .map(|r| {
            Ok(Response {
                id: r.int(0)?,
                scope: r.parsed(1, "a response scope", ResponseScope::parse)?,
                scope_id: r.text(2)?,
                you_said: r.text(3)?,
                we_did: r.text(4)?,
                status: r.parsed(5, "a response status", ResponseStatus::parse)?,
                reason: r.opt_text(6)?,
                organisation: r.text(7)?,
                author: r.text(8)?,
                at: r.text(9)?,
                links: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let links = tx.rows(
        "response_link",
        "SELECT l.response_id, l.kind, l.item_id FROM response_link l \
         JOIN engagement_response r ON r.id = l.response_id WHERE r.plan_id = $1 ORDER BY l.kind, l.item_id",
        &[plan_id.into()],
    )?;
    for l in &links {
        let id = l.int(0)?;
        if let Some(r) = out.iter_mut().find(|r| r.id == id) {
            r.links.push((l.text(1)?, l.text(2)?));
        }
    }
    Ok(out)
}

/// Residents' voice.
impl Store {
    /// Store contributions in one transaction, each with its audit entry (and, for a
    /// submission from the web, the rate-limit keys: an HMAC of the address and of the
    /// email). Returns their numbers.
    pub fn add_contributions(
        &self,
        plan_id: &str,
        items: &[NewContribution],
        keys: &[(&str, String)],
        actor: &str,
    ) -> Result<Vec<i64>, StoreError> {
        self.pool.write(|tx| {
            let at = now();
            let mut ids = Vec::new();
            for c in items {
                let rows = tx.rows(
                    "contribution",
                    "INSERT INTO contribution (plan_id, outcome, area_id, commitment_id, body, experienced, \
                     display_name, name_kind, consent_publish, consent_contact, consent_health, age_band, channel, \
                     state, hold_reason, receipt_hash, recorded_by, event, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19) \
                     RETURNING id",
                    &[
                        plan_id.into(),
                        Value::Int(c.outcome.into()),
                        Value::text(c.area.as_deref()),
                        Value::text(c.commitment.as_deref()),
                        c.body.as_str().into(),
                        c.experienced.as_str().into(),
                        c.display_name.as_str().into(),
                        if c.first_name { "first_name" } else { "pseudonym" }.into(),
                        Value::Bool(c.consent_publish),
                        Value::Bool(c.consent_contact),
                        Value::Bool(c.consent_health),
                        Value::text(c.age_band.as_deref()),
                        c.channel.as_str().into(),
                        c.state.as_str().into(),
                        Value::text(c.hold_reason),
                        Value::text(c.receipt.as_deref().map(receipt_hash).as_deref()),
                        Value::text(c.recorded_by.as_deref()),
                        Value::text(c.event.as_deref()),
                        at.as_str().into(),
                    ],
                )?;
                let id = returned_id(&rows, "contribution")?;
                if let Some(email) = &c.email {
                    tx.execute(
                        "INSERT INTO contribution_contact (contribution_id, email, created_at) VALUES ($1, $2, $3)",
                        &[Value::Int(id), email.as_str().into(), at.as_str().into()],
                    )?;
                }
                let stored = one(tx, id)?;
                audit_contribution(tx, &stored, "create", actor, serde_json::json!({"hold": c.hold_reason}))?;
                ids.push(id);
            }
            for (kind, key) in keys {
                tx.execute(
                    "INSERT INTO submission_attempt (key_kind, key_hash, at) VALUES ($1, $2, $3)",
                    &[(*kind).into(), key.as_str().into(), at.as_str().into()],
                )?;
            }
            Ok(ids)
        })
    }

    /// A key for a rate limit: the HMAC of `value` under the database's secret, so that
    /// neither an address nor an email is kept in clear for counting.
    pub fn rate_key(&self, kind: &str, value: &str) -> Result<String, StoreError> {
        Ok(crate::sessions::keyed(&self.form_secret()?, &format!("rate {kind}"), value.trim().to_lowercase().as_str()))
    }

    /// How many submissions carried this key at or after `since` (RFC 3339), and the
    /// time of the earliest of them.
    pub fn submissions_since(&self, kind: &str, key: &str, since: &str) -> Result<(u64, Option<String>), StoreError> {
        self.pool.read(|tx| {
            let rows = tx.rows(
                "submission_attempt",
                "SELECT COUNT(*), MIN(at) FROM submission_attempt WHERE key_kind = $1 AND key_hash = $2 AND at >= $3",
                &[kind.into(), key.into(), since.into()],
            )?;
            let r = rows.first().ok_or_else(|| StoreError::Corrupt("a count returned no row".into()))?;
            Ok((r.count(0)?, r.opt_text(1)?))
        })
    }

    /// Whether the same text was received at or after `since`.
    pub fn same_text_since(&self, plan_id: &str, body: &str, since: &str) -> Result<bool, StoreError> {
        self.pool.read(|tx| {
            let rows = tx.rows(
                "contribution",
                "SELECT COUNT(*) FROM contribution WHERE plan_id = $1 AND body = $2 AND created_at >= $3",
                &[plan_id.into(), body.into(), since.into()],
            )?;
            Ok(rows.first().map(|r| r.count(0)).transpose()?.unwrap_or(0) > 0)
        })
    }

    /// A signed stamp for a public form: when it was drawn and an HMAC of that time.
    pub fn form_stamp(&self) -> Result<String, StoreError> {
        let issued = crate::sessions::unix_now().to_string();
        let mac = crate::sessions::keyed(&self.form_secret()?, "form stamp", &issued);
        Ok(format!("{issued}.{mac}"))
    }

    /// How many seconds ago a stamp this database signed was drawn; `None` for a forged
    /// or malformed stamp, or one from the future.
    pub fn form_stamp_age(&self, stamp: &str) -> Result<Option<u64>, StoreError> {
        let Some((issued, mac)) = stamp.split_once('.') else { return Ok(None) };
        let Ok(at) = issued.parse::<u64>() else { return Ok(None) };
        let expected = crate::sessions::keyed(&self.form_secret()?, "form stamp", issued);
        if !crate::sessions::same(&expected, mac) {
            return Ok(None);
        }
        Ok(crate::sessions::unix_now().checked_sub(at))
    }

    fn form_secret(&self) -> Result<String, StoreError> {
        self.sign_in_secret()
    }

    /// The token of the link that confirms a contribution by email: its number and an
    /// HMAC of the number and the time it was received, under the database's secret (so
    /// it cannot be made for another item, nor for a later item given a purged one's
    /// number). It is single-use because confirming moves the item out of `unconfirmed`.
    pub fn confirmation_token(&self, id: i64) -> Result<String, StoreError> {
        let c = self.contribution(id)?;
        let mac =
            crate::sessions::keyed(&self.form_secret()?, "confirm contribution", &format!("{id}.{}", c.created_at));
        Ok(format!("{id}.{mac}"))
    }

    /// The contribution a confirmation token was made for; `None` for a forged or
    /// malformed token, or one whose item no longer exists (withdrawn text stays, purged
    /// items go).
    pub fn contribution_by_confirmation(&self, token: &str) -> Result<Option<Contribution>, StoreError> {
        let Some((id, mac)) = token.trim().split_once('.') else { return Ok(None) };
        let Ok(id) = id.parse::<i64>() else { return Ok(None) };
        let Some(c) = self.pool.read(|tx| read(tx, "id = $1", &[Value::Int(id)]))?.pop() else { return Ok(None) };
        let expected =
            crate::sessions::keyed(&self.form_secret()?, "confirm contribution", &format!("{id}.{}", c.created_at));
        Ok(crate::sessions::same(&expected, mac).then_some(c))
    }

    /// One contribution.
    pub fn contribution(&self, id: i64) -> Result<Contribution, StoreError> {
        self.pool.read(|tx| one(tx, id))
    }

    /// The contribution a receipt code was given for, if any.
    pub fn contribution_by_receipt(&self, code: &str) -> Result<Option<Contribution>, StoreError> {
        self.pool.read(|tx| Ok(read(tx, "receipt_hash = $1", &[receipt_hash(code).into()])?.pop()))
    }

    /// A plan's contributions in these states (all when empty), oldest first.
    pub fn contributions(&self, plan_id: &str, states: &[ContributionState]) -> Result<Vec<Contribution>, StoreError> {
        self.pool.read(|tx| {
            let all = read(tx, "plan_id = $1", &[plan_id.into()])?;
            Ok(all.into_iter().filter(|c| states.is_empty() || states.contains(&c.state)).collect())
        })
    }

    /// The email a contribution's author left, if any (for the moderators' use-cases).
    pub fn contribution_contact(&self, id: i64) -> Result<Option<String>, StoreError> {
        self.pool.read(|tx| {
            let rows = tx.rows(
                "contribution_contact",
                "SELECT email FROM contribution_contact WHERE contribution_id = $1",
                &[Value::Int(id)],
            )?;
            rows.first().map(|r| r.text(0)).transpose()
        })
    }

    /// The decisions taken on a contribution, oldest first.
    pub fn decisions(&self, id: i64) -> Result<Vec<Decision>, StoreError> {
        self.pool.read(|tx| {
            let rows = tx.rows(
                "moderation_decision",
                "SELECT decision, reason_code, public_note, moderator, at FROM moderation_decision \
                 WHERE contribution_id = $1 ORDER BY id",
                &[Value::Int(id)],
            )?;
            rows.iter()
                .map(|r| {
                    Ok(Decision {
                        state: r.parsed(0, "a contribution state", ContributionState::parse)?,
                        reason_code: r.text(1)?,
                        public_note: r.text(2)?,
                        moderator: r.text(3)?,
                        at: r.text(4)?,
                    })
                })
                .collect()
        })
    }

    /// Record a moderator's decision: the new state, the reason and note, the themes;
    /// with a redaction, the stored text is overwritten (the removed words are kept
    /// nowhere: the audit entry says that text was redacted, by whom and why).
    pub fn decide(&self, id: i64, d: &DecisionRequest, moderator: &str) -> Result<Contribution, StoreError> {
        self.pool.write(|tx| {
            one(tx, id)?;
            if let Some(body) = &d.redacted_body {
                tx.execute("UPDATE contribution SET body = $1 WHERE id = $2", &[body.as_str().into(), Value::Int(id)])?;
            }
            set_state(tx, id, d.state, None)?;
            tx.execute("DELETE FROM contribution_theme WHERE contribution_id = $1", &[Value::Int(id)])?;
            for t in &d.themes {
                tx.execute(
                    "INSERT INTO contribution_theme (contribution_id, theme_id) VALUES ($1, $2)",
                    &[Value::Int(id), t.as_str().into()],
                )?;
            }
            let at = now();
            tx.execute(
                "INSERT INTO moderation_decision (contribution_id, decision, reason_code, public_note, moderator, at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    Value::Int(id),
                    d.state.as_str().into(),
                    d.reason_code.as_str().into(),
                    d.public_note.as_str().into(),
                    moderator.into(),
                    at.as_str().into(),
                ],
            )?;
            let after = one(tx, id)?;
            audit_contribution(
                tx,
                &after,
                "moderate",
                moderator,
                serde_json::json!({
                    "reason_code": d.reason_code,
                    "public_note": d.public_note,
                    "redacted": d.redacted_body.is_some(),
                    "themes": d.themes,
                }),
            )?;
            Ok(after)
        })
    }

    /// The author withdraws their contribution: its text is emptied and its contact
    /// details deleted.
    pub fn withdraw_contribution(&self, id: i64) -> Result<Contribution, StoreError> {
        self.pool.write(|tx| {
            tx.execute("UPDATE contribution SET body = '' WHERE id = $1", &[Value::Int(id)])?;
            tx.execute("DELETE FROM contribution_contact WHERE contribution_id = $1", &[Value::Int(id)])?;
            set_state(tx, id, ContributionState::Withdrawn, None)?;
            let after = one(tx, id)?;
            audit_contribution(tx, &after, "withdraw", "author", serde_json::Value::Null)?;
            Ok(after)
        })
    }

    /// A member of the public reports a published contribution (each reporter, by key,
    /// once); at `hide_at` distinct reports it is hidden until a moderator reviews it.
    /// Returns the number of reports and whether it is now hidden.
    pub fn report_contribution(
        &self,
        id: i64,
        reporter_key: &str,
        reason: &str,
        hide_at: u64,
    ) -> Result<(u64, bool), StoreError> {
        self.pool.write(|tx| {
            let c = one(tx, id)?;
            if !c.state.is_public() {
                return Err(StoreError::NoSuchContribution(id));
            }
            let at = now();
            tx.execute(
                "INSERT INTO contribution_report (contribution_id, reporter_hash, reason, at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (contribution_id, reporter_hash) DO NOTHING",
                &[Value::Int(id), reporter_key.into(), reason.into(), at.as_str().into()],
            )?;
            let rows = tx.rows(
                "contribution_report",
                "SELECT COUNT(*) FROM contribution_report WHERE contribution_id = $1",
                &[Value::Int(id)],
            )?;
            let n = rows.first().map(|r| r.count(0)).transpose()?.unwrap_or(0);
            let hide = n >= hide_at;
            if hide {
                set_state(tx, id, ContributionState::Hidden, Some("reported"))?;
            }
            let after = one(tx, id)?;
            audit_contribution(tx, &after, "report", "public", serde_json::json!({"reports": n}))?;
            Ok((n, hide))
        })
    }

    /// How many distinct reports a contribution has had.
    pub fn report_count(&self, id: i64) -> Result<u64, StoreError> {
        self.pool.read(|tx| {
            let rows = tx.rows(
                "contribution_report",
                "SELECT COUNT(*) FROM contribution_report WHERE contribution_id = $1",
                &[Value::Int(id)],
            )?;
            Ok(rows.first().map(|r| r.count(0)).transpose()?.unwrap_or(0))
        })
    }

    /// The author changes a contribution a moderator asked them to change: the new text
    /// overwrites the old (kept nowhere: the audit entry records the state, not the
    /// text), and it goes to `state` (pending, or the safeguarding hold).
    pub fn resubmit_contribution(
        &self,
        id: i64,
        body: &str,
        state: ContributionState,
        hold_reason: Option<&str>,
    ) -> Result<Contribution, StoreError> {
        self.pool.write(|tx| {
            let moved = tx.execute(
                "UPDATE contribution SET body = $1 WHERE id = $2 AND state = 'changes_requested'",
                &[body.into(), Value::Int(id)],
            )?;
            if moved == 0 {
                return Err(StoreError::Rejected {
                    field: "body",
                    message: "Only something a moderator asked you to change can be changed".into(),
                });
            }
            set_state(tx, id, state, hold_reason)?;
            let after = one(tx, id)?;
            audit_contribution(tx, &after, "resubmit", "author", serde_json::Value::Null)?;
            Ok(after)
        })
    }

    /// The author appeals a hidden or rejected contribution (once): it goes back to the
    /// moderators.
    pub fn appeal_contribution(&self, id: i64, reason: &str) -> Result<Contribution, StoreError> {
        self.pool.write(|tx| {
            let c = one(tx, id)?;
            if c.appealed || !matches!(c.state, ContributionState::Hidden | ContributionState::Rejected) {
                return Err(StoreError::Rejected {
                    field: "appeal",
                    message: "Only a hidden or rejected item can be appealed, and only once".into(),
                });
            }
            tx.execute(
                "INSERT INTO contribution_appeal (contribution_id, reason, at) VALUES ($1, $2, $3)",
                &[Value::Int(id), reason.into(), now().into()],
            )?;
            tx.execute("UPDATE contribution SET appealed = $1 WHERE id = $2", &[Value::Bool(true), Value::Int(id)])?;
            set_state(tx, id, ContributionState::Pending, Some("appeal"))?;
            let after = one(tx, id)?;
            audit_contribution(tx, &after, "appeal", "author", serde_json::Value::Null)?;
            Ok(after)
        })
    }

    /// An unconfirmed contribution goes to the moderators (its author followed the link
    /// in the email, or `actor` sent it on when the email could not be sent). Returns it,
    /// and whether this call moved it: a contribution no longer unconfirmed is left as it
    /// is, so a second use of the link changes nothing.
    pub fn confirm_contribution(&self, id: i64, actor: &str) -> Result<(Contribution, bool), StoreError> {
        self.pool.write(|tx| {
            // One statement decides, so that two uses of the link at once move it once.
            let moved = tx.execute(
                "UPDATE contribution SET state = 'pending', updated_at = $1 WHERE id = $2 AND state = 'unconfirmed'",
                &[now().into(), Value::Int(id)],
            )?;
            let after = one(tx, id)?;
            if moved == 1 {
                audit_contribution(tx, &after, "confirm", actor, serde_json::Value::Null)?;
            }
            Ok((after, moved == 1))
        })
    }

    /// A plan's themes, by outcome and name.
    pub fn themes(&self, plan_id: &str) -> Result<Vec<Theme>, StoreError> {
        self.pool.read(|tx| {
            let rows = tx.rows(
                "engagement_theme",
                "SELECT id, outcome, label FROM engagement_theme WHERE plan_id = $1 ORDER BY outcome, label",
                &[plan_id.into()],
            )?;
            rows.iter()
                .map(|r| {
                    Ok(Theme {
                        id: r.text(0)?,
                        outcome: u8::try_from(r.int(1)?).map_err(|_| r.corrupt(1, "an outcome number"))?,
                        label: r.text(2)?,
                    })
                })
                .collect()
        })
    }

    /// Add a theme to an outcome (its id from its name).
    pub fn add_theme(&self, plan_id: &str, outcome: u8, label: &str, actor: &str) -> Result<Theme, StoreError> {
        let label = label.trim();
        let slug: String = label
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        if slug.is_empty() {
            return Err(StoreError::Rejected { field: "label", message: "Enter the theme's name".into() });
        }
        let theme = Theme { id: format!("{outcome}-{slug}"), outcome, label: label.to_owned() };
        self.pool.write(|tx| {
            let n = tx.execute(
                "INSERT INTO engagement_theme (plan_id, id, outcome, label) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (plan_id, id) DO NOTHING",
                &[plan_id.into(), theme.id.as_str().into(), Value::Int(outcome.into()), label.into()],
            )?;
            if n == 0 {
                return Err(StoreError::Rejected {
                    field: "label",
                    message: format!("Outcome {outcome} already has the theme '{label}'"),
                });
            }
            let after = serde_json::to_string(&theme).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            audit::record(
                tx,
                &NewEntry {
                    at: &now(),
                    actor,
                    action: "create",
                    entity: "theme",
                    entity_id: &theme.id,
                    plan_id: Some(plan_id),
                    before: None,
                    after: Some(&after),
                },
            )?;
            Ok(theme.clone())
        })
    }

    /// Publish a response.
    pub fn add_response(&self, plan_id: &str, r: &NewResponse, author: &str) -> Result<Response, StoreError> {
        self.pool.write(|tx| {
            let rows = tx.rows(
                "engagement_response",
                "INSERT INTO engagement_response (plan_id, scope_kind, scope_id, you_said, we_did, status, reason, \
                 organisation, author, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                &[
                    plan_id.into(),
                    r.scope.as_str().into(),
                    r.scope_id.as_str().into(),
                    r.you_said.as_str().into(),
                    r.we_did.as_str().into(),
                    r.status.as_str().into(),
                    Value::text(r.reason.as_deref()),
                    r.organisation.as_str().into(),
                    author.into(),
                    now().into(),
                ],
            )?;
            let id = returned_id(&rows, "response")?;
            for (kind, item) in &r.links {
                tx.execute(
                    "INSERT INTO response_link (response_id, kind, item_id) VALUES ($1, $2, $3) \
                     ON CONFLICT (response_id, kind, item_id) DO NOTHING",
                    &[Value::Int(id), kind.as_str().into(), item.as_str().into()],
                )?;
            }
            let stored = read_responses(tx, plan_id)?
                .into_iter()
                .find(|x| x.id == id)
                .ok_or_else(|| StoreError::Corrupt("a new response vanished".into()))?;
            let after = serde_json::to_string(&stored).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            audit::record(
                tx,
                &NewEntry {
                    at: &stored.at,
                    actor: author,
                    action: "create",
                    entity: "response",
                    entity_id: &id.to_string(),
                    plan_id: Some(plan_id),
                    before: None,
                    after: Some(&after),
                },
            )?;
            Ok(stored)
        })
    }

    /// A plan's responses, newest first.
    pub fn responses(&self, plan_id: &str) -> Result<Vec<Response>, StoreError> {
        self.pool.read(|tx| read_responses(tx, plan_id))
    }

    /// Delete what is kept no longer: unconfirmed contributions received before
    /// `unconfirmed_before`, contact details given before `contacts_before`, and
    /// rate-limit keys older than `attempts_before` (all RFC 3339). Audited.
    pub fn purge_voice(
        &self,
        unconfirmed_before: &str,
        contacts_before: &str,
        attempts_before: &str,
        actor: &str,
    ) -> Result<Purged, StoreError> {
        self.pool.write(|tx| {
            let unconfirmed = tx.execute(
                "DELETE FROM contribution WHERE state = 'unconfirmed' AND created_at < $1",
                &[unconfirmed_before.into()],
            )?;
            let contacts =
                tx.execute("DELETE FROM contribution_contact WHERE created_at < $1", &[contacts_before.into()])?;
            let attempts = tx.execute("DELETE FROM submission_attempt WHERE at < $1", &[attempts_before.into()])?;
            let purged = Purged { unconfirmed, contacts, attempts };
            let after = serde_json::to_string(&purged).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            audit::record(
                tx,
                &NewEntry {
                    at: &now(),
                    actor,
                    action: "purge",
                    entity: "contribution",
                    entity_id: "retention",
                    plan_id: None,
                    before: None,
                    after: Some(&after),
                },
            )?;
            Ok(purged)
        })
    }
}

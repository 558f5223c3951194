//! People and permissions: accounts with a role, sessions, API tokens and throttled
//! sign-in.
//!
//! Passwords are hashed with Argon2id (its default, OWASP-recommended parameters).
//! Session and API tokens are random 256-bit values given to the holder once; the
//! database keeps only their SHA-256, so a copy of the database does not let anyone in.
//! Failed sign-ins are rows in `login_failure`, so the limits hold however many server
//! processes share the database.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit::{self, NewEntry};
use crate::sql::{Tx, Value};
use crate::{StoreError, now};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything: accounts, settings, approvals, every item.
    Admin,
    /// Updates the items their organisations (and their directorates) lead; uploads data.
    Editor,
    /// Sees drafts and internal notes; changes nothing but their own password and tokens.
    Viewer,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Editor, Role::Viewer];

    /// The name used in data and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }

    /// Read a role's name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim().to_lowercase())
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Editor => "Editor",
            Role::Viewer => "Viewer",
        }
    }
}

/// A person who can sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// Its number.
    pub id: i64,
    /// What they sign in with (lower case).
    pub username: String,
    /// Their name, as shown.
    pub display_name: String,
    /// What they may do.
    pub role: Role,
    /// The organisations they work for (ids in the plan's registry); an editor's scope.
    pub organisations: Vec<String>,
    /// A disabled account cannot sign in, and its sessions and tokens no longer work.
    pub disabled: bool,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
}

/// The fields of an account that an admin sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountFields {
    /// Their name, as shown.
    pub display_name: String,
    /// What they may do.
    pub role: Role,
    /// The organisations they work for.
    pub organisations: Vec<String>,
    /// Whether they are shut out.
    pub disabled: bool,
}

/// A signed-in session: the token for the cookie (given once), and the CSRF token its
/// forms carry.
#[derive(Debug, Clone)]
pub struct Session {
    /// The secret for the session cookie.
    pub token: String,
    /// The secret every form of this session carries.
    pub csrf: String,
    /// Who.
    pub account: Account,
}

/// Why a sign-in was refused. The messages never say whether an account exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The username and password do not match an enabled account.
    WrongCredentials,
    /// Too many failures for this username lately; wait.
    LockedUsername,
    /// Too many failures from this client lately; wait.
    LockedClient,
}

impl Refusal {
    /// The message for the person signing in.
    pub fn message(self) -> String {
        let minutes = LOCKOUT_WINDOW.as_secs() / 60;
        match self {
            Refusal::WrongCredentials => "The username or password is not right. Check them and try again.".to_owned(),
            Refusal::LockedUsername => format!(
                "There have been too many failed attempts to sign in with this username. Wait {minutes} minutes, then try again."
            ),
            Refusal::LockedClient => format!(
                "There have been too many failed attempts to sign in from your network. Wait {minutes} minutes, then try again."
            ),
        }
    }
}

/// An API token, as listed (the secret itself is shown only when it is created).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// Its number.
    pub id: i64,
    /// Whose it is; it can do what they can.
    pub username: String,
    /// What it is for, in the holder's words.
    pub name: String,
    /// When it was created.
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// How long a session lasts from sign-in.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// Failed sign-ins are counted over this window, and a lock lasts as long.
pub const LOCKOUT_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures for one username within the window that lock it.
pub const MAX_FAILURES_PER_USERNAME: i64 = 5;
/// Failures from one client within the window that lock it.
pub const MAX_FAILURES_PER_CLIENT: i64 = 30;
/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// A random secret: 32 bytes from the operating system, as 64 hex digits.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    // The operating system's generator does not fail on the platforms we run on; if it
    // ever did, a zero secret must never be handed out, so this is the one place we stop.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a token, as stored.
fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// A new password someone can type: 20 characters from an unambiguous alphabet (about 100 bits).
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect()
}

/// Why a password is not acceptable, if it is not.
pub fn password_problem(password: &str) -> Option<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Some(format!("Password must be at least {MIN_PASSWORD_CHARS} characters long"));
    }
    if password.chars().count() > 256 {
        return Some("Password must be at most 256 characters long".to_owned());
    }
    None
}

/// Why a username is not acceptable, if it is not.
pub fn username_problem(username: &str) -> Option<String> {
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_' | '@');
    if username.is_empty() || username.len() > 64 || !username.chars().all(ok) {
        return Some(
            "Username must be 1 to 64 characters: lower-case letters, digits, '.', '-', '_' or '@'".to_owned(),
        );
    }
    None
}

fn hash_password(password: &str) -> Result<String, StoreError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| StoreError::Rejected { field: "password", message: e.to_string() })?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Corrupt(format!("cannot hash a password: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash nobody's password matches, checked when the username is unknown so that a
/// wrong username takes as long as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password(&random_secret()).unwrap_or_default());

fn time_ago(d: Duration) -> String {
    humantime::format_rfc3339_millis(SystemTime::now() - d).to_string()
}

fn time_ahead(d: Duration) -> String {
    humantime::format_rfc3339_millis(SystemTime::now() + d).to_string()
}

const ACCOUNT_COLUMNS: &str = "id, username, display_name, role, disabled, created_at, updated_at";

fn read_accounts(tx: &mut Tx<'_>, filter: &str, params: &[Value]) -> Result<Vec<Account>, StoreError> {
    let rows = tx.query(&format!("SELECT {ACCOUNT_COLUMNS} FROM account {filter} ORDER BY username"), params)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id = r[0].as_i64().unwrap_or_default();
        let s = |i: usize| r[i].as_str().unwrap_or_default().to_owned();
        let role = Role::parse(&s(3)).ok_or_else(|| StoreError::Corrupt(format!("account {id}: role '{}'", s(3))))?;
        let organisations = tx
            .query(
                "SELECT organisation_id FROM account_organisation WHERE account_id = $1 ORDER BY organisation_id",
                &[Value::Int(id)],
            )?
            .into_iter()
            .filter_map(|o| o[0].as_str().map(str::to_owned))
            .collect();
        out.push(Account {
            id,
            username: s(1),
            display_name: s(2),
            role,
            organisations,
            disabled: r[4].as_i64().unwrap_or_default() != 0,
            created_at: s(5),
            updated_at: s(6),
        });
    }
    Ok(out)
}

pub(crate) fn account(tx: &mut Tx<'_>, username: &str) -> Result<Option<Account>, StoreError> {
    Ok(read_accounts(tx, "WHERE username = $1", &[username.trim().to_lowercase().into()])?.into_iter().next())
}

pub(crate) fn accounts(tx: &mut Tx<'_>) -> Result<Vec<Account>, StoreError> {
    read_accounts(tx, "", &[])
}

fn account_json(a: &Account) -> Result<String, StoreError> {
    serde_json::to_string(a).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn audit_account(
    tx: &mut Tx<'_>,
    actor: &str,
    action: &str,
    username: &str,
    before: Option<&Account>,
    after: Option<&Account>,
) -> Result<(), StoreError> {
    let before = before.map(account_json).transpose()?;
    let after = after.map(account_json).transpose()?;
    audit::record(
        tx,
        &NewEntry {
            at: &now(),
            actor,
            action,
            entity: "account",
            entity_id: username,
            plan_id: None,
            before: before.as_deref(),
            after: after.as_deref(),
        },
    )
}

fn set_organisations(tx: &mut Tx<'_>, id: i64, organisations: &[String]) -> Result<(), StoreError> {
    tx.execute("DELETE FROM account_organisation WHERE account_id = $1", &[Value::Int(id)])?;
    let mut seen: Vec<&str> = Vec::new();
    for o in organisations {
        if !seen.contains(&o.as_str()) {
            seen.push(o);
            tx.execute(
                "INSERT INTO account_organisation (account_id, organisation_id) VALUES ($1, $2)",
                &[Value::Int(id), o.as_str().into()],
            )?;
        }
    }
    Ok(())
}

fn check_fields(fields: &AccountFields) -> Result<(), StoreError> {
    if fields.display_name.trim().is_empty() {
        return Err(StoreError::Rejected { field: "display_name", message: "Enter the person's name".into() });
    }
    if fields.role == Role::Editor && fields.organisations.is_empty() {
        return Err(StoreError::Rejected {
            field: "organisations",
            message: "An editor must work for at least one organisation".into(),
        });
    }
    Ok(())
}

pub(crate) fn create(
    tx: &mut Tx<'_>,
    username: &str,
    password: &str,
    fields: &AccountFields,
    actor: &str,
) -> Result<Account, StoreError> {
    let username = username.trim().to_lowercase();
    if let Some(message) = username_problem(&username) {
        return Err(StoreError::Rejected { field: "username", message });
    }
    if let Some(message) = password_problem(password) {
        return Err(StoreError::Rejected { field: "password", message });
    }
    check_fields(fields)?;
    if account(tx, &username)?.is_some() {
        return Err(StoreError::Rejected {
            field: "username",
            message: format!("There is already an account '{username}'"),
        });
    }
    let at = now();
    let hash = hash_password(password)?;
    let id = tx
        .query(
            "INSERT INTO account (username, display_name, role, password_hash, disabled, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            &[
                username.as_str().into(),
                fields.display_name.trim().into(),
                fields.role.as_str().into(),
                hash.into(),
                Value::Bool(fields.disabled),
                at.as_str().into(),
            ],
        )?
        .first()
        .and_then(|r| r[0].as_i64())
        .ok_or_else(|| StoreError::Corrupt("no id for a new account".into()))?;
    set_organisations(tx, id, &fields.organisations)?;
    let created = account(tx, &username)?.ok_or_else(|| StoreError::Corrupt("a new account vanished".into()))?;
    audit_account(tx, actor, "create", &username, None, Some(&created))?;
    Ok(created)
}

fn existing(tx: &mut Tx<'_>, username: &str) -> Result<Account, StoreError> {
    account(tx, username)?.ok_or_else(|| StoreError::NoSuchAccount(username.trim().to_lowercase()))
}

pub(crate) fn update(
    tx: &mut Tx<'_>,
    username: &str,
    fields: &AccountFields,
    actor: &str,
) -> Result<Account, StoreError> {
    check_fields(fields)?;
    let before = existing(tx, username)?;
    tx.execute(
        "UPDATE account SET display_name = $1, role = $2, disabled = $3, updated_at = $4 WHERE id = $5",
        &[
            fields.display_name.trim().into(),
            fields.role.as_str().into(),
            Value::Bool(fields.disabled),
            now().into(),
            Value::Int(before.id),
        ],
    )?;
    set_organisations(tx, before.id, &fields.organisations)?;
    if fields.disabled || fields.role != before.role || fields.organisations != before.organisations {
        // Whoever holds a session signed in under the old terms signs in again.
        tx.execute("DELETE FROM session WHERE account_id = $1", &[Value::Int(before.id)])?;
    }
    let after = existing(tx, username)?;
    audit_account(tx, actor, "update", &after.username, Some(&before), Some(&after))?;
    Ok(after)
}

pub(crate) fn set_password(tx: &mut Tx<'_>, username: &str, password: &str, actor: &str) -> Result<(), StoreError> {
    if let Some(message) = password_problem(password) {
        return Err(StoreError::Rejected { field: "password", message });
    }
    let a = existing(tx, username)?;
    tx.execute(
        "UPDATE account SET password_hash = $1, updated_at = $2 WHERE id = $3",
        &[hash_password(password)?.into(), now().into(), Value::Int(a.id)],
    )?;
    tx.execute("DELETE FROM session WHERE account_id = $1", &[Value::Int(a.id)])?;
    audit_account(tx, actor, "set_password", &a.username, None, None)
}

/// Check a password against the stored hash, for someone who is already signed in.
pub(crate) fn check_password(tx: &mut Tx<'_>, username: &str, password: &str) -> Result<bool, StoreError> {
    let rows = tx.query("SELECT password_hash FROM account WHERE username = $1", &[username.into()])?;
    Ok(rows.first().and_then(|r| r[0].as_str()).is_some_and(|h| verify_password(password, h)))
}

fn failures(tx: &mut Tx<'_>, column: &str, key: &str) -> Result<i64, StoreError> {
    let since = time_ago(LOCKOUT_WINDOW);
    let rows = tx.query(
        &format!("SELECT count(*) FROM login_failure WHERE {column} = $1 AND at >= $2"),
        &[key.into(), since.into()],
    )?;
    Ok(rows.first().and_then(|r| r[0].as_i64()).unwrap_or_default())
}

/// Sign in: the throttles first, then the password; a new session on success (a fresh
/// token every time, so a token planted before sign-in is never the one that works).
pub(crate) fn sign_in(
    tx: &mut Tx<'_>,
    username: &str,
    password: &str,
    client: &str,
) -> Result<Result<Session, Refusal>, StoreError> {
    let username = username.trim().to_lowercase();
    if failures(tx, "username", &username)? >= MAX_FAILURES_PER_USERNAME {
        return Ok(Err(Refusal::LockedUsername));
    }
    if failures(tx, "client", client)? >= MAX_FAILURES_PER_CLIENT {
        return Ok(Err(Refusal::LockedClient));
    }
    let stored =
        tx.query("SELECT password_hash, disabled FROM account WHERE username = $1", &[username.as_str().into()])?;
    let ok = match stored.first() {
        Some(r) => {
            let matches = verify_password(password, r[0].as_str().unwrap_or_default());
            matches && r[1].as_i64().unwrap_or_default() == 0
        }
        None => {
            verify_password(password, &DUMMY_HASH);
            false
        }
    };
    if !ok {
        tx.execute("DELETE FROM login_failure WHERE at < $1", &[time_ago(LOCKOUT_WINDOW).into()])?;
        tx.execute(
            "INSERT INTO login_failure (username, client, at) VALUES ($1, $2, $3)",
            &[username.as_str().into(), client.into(), now().into()],
        )?;
        return Ok(Err(Refusal::WrongCredentials));
    }
    tx.execute("DELETE FROM login_failure WHERE username = $1", &[username.as_str().into()])?;
    let account = existing(tx, &username)?;
    let token = random_secret();
    let csrf = random_secret();
    tx.execute(
        "INSERT INTO session (token_hash, account_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        &[
            token_hash(&token).into(),
            Value::Int(account.id),
            csrf.as_str().into(),
            now().into(),
            time_ahead(SESSION_LIFETIME).into(),
        ],
    )?;
    tx.execute("DELETE FROM session WHERE expires_at < $1", &[now().into()])?;
    Ok(Ok(Session { token, csrf, account }))
}

/// The live session with this token, if any (not expired, account enabled).
pub(crate) fn session(tx: &mut Tx<'_>, token: &str) -> Result<Option<Session>, StoreError> {
    let rows = tx.query(
        "SELECT a.username, s.csrf_token FROM session s JOIN account a ON a.id = s.account_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled = $3",
        &[token_hash(token).into(), now().into(), Value::Bool(false)],
    )?;
    let Some(r) = rows.first() else { return Ok(None) };
    let (username, csrf) = (r[0].as_str().unwrap_or_default().to_owned(), r[1].as_str().unwrap_or_default().to_owned());
    Ok(account(tx, &username)?.map(|account| Session { token: token.to_owned(), csrf, account }))
}

pub(crate) fn end_session(tx: &mut Tx<'_>, token: &str) -> Result<bool, StoreError> {
    Ok(tx.execute("DELETE FROM session WHERE token_hash = $1", &[token_hash(token).into()])? > 0)
}

pub(crate) fn create_token(
    tx: &mut Tx<'_>,
    username: &str,
    name: &str,
    actor: &str,
) -> Result<(ApiToken, String), StoreError> {
    let a = existing(tx, username)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::Rejected { field: "name", message: "Say what the token is for".into() });
    }
    let secret = format!("assure_{}", random_secret());
    let at = now();
    let id = tx
        .query(
            "INSERT INTO api_token (account_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            &[Value::Int(a.id), name.into(), token_hash(&secret).into(), at.as_str().into()],
        )?
        .first()
        .and_then(|r| r[0].as_i64())
        .ok_or_else(|| StoreError::Corrupt("no id for a new token".into()))?;
    let token = ApiToken { id, username: a.username.clone(), name: name.to_owned(), created_at: at, revoked_at: None };
    let after = serde_json::to_string(&token).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    audit::record(
        tx,
        &NewEntry {
            at: &token.created_at,
            actor,
            action: "create",
            entity: "api_token",
            entity_id: &id.to_string(),
            plan_id: None,
            before: None,
            after: Some(&after),
        },
    )?;
    Ok((token, secret))
}

pub(crate) fn tokens(tx: &mut Tx<'_>, username: Option<&str>) -> Result<Vec<ApiToken>, StoreError> {
    let (filter, params) = match username {
        Some(u) => ("WHERE a.username = $1", vec![Value::from(u.trim().to_lowercase())]),
        None => ("", vec![]),
    };
    let rows = tx.query(
        &format!(
            "SELECT t.id, a.username, t.name, t.created_at, t.revoked_at FROM api_token t \
             JOIN account a ON a.id = t.account_id {filter} ORDER BY t.id"
        ),
        &params,
    )?;
    Ok(rows
        .into_iter()
        .map(|r| ApiToken {
            id: r[0].as_i64().unwrap_or_default(),
            username: r[1].as_str().unwrap_or_default().to_owned(),
            name: r[2].as_str().unwrap_or_default().to_owned(),
            created_at: r[3].as_str().unwrap_or_default().to_owned(),
            revoked_at: r[4].as_str().map(str::to_owned),
        })
        .collect())
}

pub(crate) fn revoke_token(tx: &mut Tx<'_>, id: i64, actor: &str) -> Result<ApiToken, StoreError> {
    let token = tokens(tx, None)?.into_iter().find(|t| t.id == id).ok_or(StoreError::NoSuchToken(id))?;
    if token.revoked_at.is_some() {
        return Ok(token);
    }
    let at = now();
    tx.execute("UPDATE api_token SET revoked_at = $1 WHERE id = $2", &[at.as_str().into(), Value::Int(id)])?;
    audit::record(
        tx,
        &NewEntry {
            at: &at,
            actor,
            action: "revoke",
            entity: "api_token",
            entity_id: &id.to_string(),
            plan_id: None,
            before: None,
            after: None,
        },
    )?;
    Ok(ApiToken { revoked_at: Some(at), ..token })
}

/// The enabled account an unrevoked token belongs to.
pub(crate) fn token_account(tx: &mut Tx<'_>, secret: &str) -> Result<Option<Account>, StoreError> {
    let rows = tx.query(
        "SELECT a.username FROM api_token t JOIN account a ON a.id = t.account_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND a.disabled = $2",
        &[token_hash(secret).into(), Value::Bool(false)],
    )?;
    match rows.first().and_then(|r| r[0].as_str()) {
        Some(u) => {
            let u = u.to_owned();
            account(tx, &u)
        }
        None => Ok(None),
    }
}

/// A setting's stored value.
pub(crate) fn setting(tx: &mut Tx<'_>, key: &str) -> Result<Option<String>, StoreError> {
    Ok(tx
        .query("SELECT value FROM setting WHERE key = $1", &[key.into()])?
        .first()
        .and_then(|r| r[0].as_str().map(str::to_owned)))
}

pub(crate) fn set_setting(tx: &mut Tx<'_>, key: &str, value: &str, actor: &str) -> Result<(), StoreError> {
    let before = setting(tx, key)?;
    tx.execute("DELETE FROM setting WHERE key = $1", &[key.into()])?;
    tx.execute("INSERT INTO setting (key, value) VALUES ($1, $2)", &[key.into(), value.into()])?;
    let json = |v: &str| serde_json::to_string(v).unwrap_or_default();
    audit::record(
        tx,
        &NewEntry {
            at: &now(),
            actor,
            action: "set",
            entity: "setting",
            entity_id: key,
            plan_id: None,
            before: before.as_deref().map(json).as_deref(),
            after: Some(&json(value)),
        },
    )
}

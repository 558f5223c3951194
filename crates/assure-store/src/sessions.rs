//! Signing in and staying signed in: sessions, throttled sign-in, and API tokens.
//!
//! Session and API tokens are random 256-bit values given to the holder once; the
//! database keeps only their SHA-256, so a copy of the database does not let anyone in.
//! Failed sign-ins are rows in `login_failure`, so the limits hold however many server
//! processes share the database.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::accounts::{Account, account, existing, hash_password, verify_password};
use crate::audit::{self, NewEntry};
use crate::sql::{Row, Tx, Value, returned_id};
use crate::{Store, StoreError, now};

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

/// A random secret: 32 bytes from the operating system, as 64 hex digits.
pub(crate) fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    // The operating system's generator does not fail on the platforms we run on; if it
    // ever did, a zero secret must never be handed out, so this is the one place we stop.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    hex(&bytes)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a token, as stored.
fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
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

fn failures(tx: &mut Tx<'_>, column: &str, key: &str) -> Result<i64, StoreError> {
    let since = time_ago(LOCKOUT_WINDOW);
    let rows = tx.rows(
        "login_failure",
        &format!("SELECT count(*) FROM login_failure WHERE {column} = $1 AND at >= $2"),
        &[key.into(), since.into()],
    )?;
    rows.first().map_or(Ok(0), |r| r.int(0))
}

fn read_tokens(tx: &mut Tx<'_>, username: Option<&str>) -> Result<Vec<ApiToken>, StoreError> {
    let (filter, params) = match username {
        Some(u) => ("WHERE a.username = $1", vec![Value::from(u.trim().to_lowercase())]),
        None => ("", vec![]),
    };
    let rows = tx.rows(
        "api_token",
        &format!(
            "SELECT t.id, a.username, t.name, t.created_at, t.revoked_at FROM api_token t \
             JOIN account a ON a.id = t.account_id {filter} ORDER BY t.id"
        ),
        &params,
    )?;
    rows.iter().map(token_from_row).collect()
}

fn token_from_row(r: &Row) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: r.int(0)?,
        username: r.text(1)?,
        name: r.text(2)?,
        created_at: r.text(3)?,
        revoked_at: r.opt_text(4)?,
    })
}

/// Sessions and API tokens: who is signed in, and as whom a token acts.
impl Store {
    /// Sign in from `client` (an address): a new session, or why not. Failures are
    /// counted in the database; too many for the username or the client lock them for
    /// [`LOCKOUT_WINDOW`], whether or not the account exists. The throttles are checked
    /// first, then the password; a session gets a fresh token every time, so a token
    /// planted before sign-in is never the one that works.
    pub fn sign_in(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> Result<Result<Session, Refusal>, StoreError> {
        let username = username.trim().to_lowercase();
        self.pool.write(|tx| {
            if failures(tx, "username", &username)? >= MAX_FAILURES_PER_USERNAME {
                return Ok(Err(Refusal::LockedUsername));
            }
            if failures(tx, "client", client)? >= MAX_FAILURES_PER_CLIENT {
                return Ok(Err(Refusal::LockedClient));
            }
            let stored = tx.rows(
                "account",
                "SELECT password_hash, disabled FROM account WHERE username = $1",
                &[username.as_str().into()],
            )?;
            let ok = match stored.first() {
                Some(r) => {
                    let (hash, disabled) = (r.text(0)?, r.bool(1)?);
                    verify_password(password, &hash) && !disabled
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
                "INSERT INTO session (token_hash, account_id, csrf_token, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
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
        })
    }

    /// The live session for a cookie's token, if any (not expired, account enabled).
    pub fn session(&self, token: &str) -> Result<Option<Session>, StoreError> {
        self.pool.read(|tx| {
            let rows = tx.rows(
                "session",
                "SELECT a.username, s.csrf_token FROM session s JOIN account a ON a.id = s.account_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled = $3",
                &[token_hash(token).into(), now().into(), Value::Bool(false)],
            )?;
            let Some(r) = rows.first() else { return Ok(None) };
            let (username, csrf) = (r.text(0)?, r.text(1)?);
            Ok(account(tx, &username)?.map(|account| Session { token: token.to_owned(), csrf, account }))
        })
    }

    /// End a session (sign out); whether there was one.
    pub fn end_session(&self, token: &str) -> Result<bool, StoreError> {
        self.pool
            .write(|tx| Ok(tx.execute("DELETE FROM session WHERE token_hash = $1", &[token_hash(token).into()])? > 0))
    }

    /// Create an API token for an account: the record, and the secret (shown once).
    pub fn create_token(&self, username: &str, name: &str, actor: &str) -> Result<(ApiToken, String), StoreError> {
        self.pool.write(|tx| {
            let a = existing(tx, username)?;
            let name = name.trim();
            if name.is_empty() {
                return Err(StoreError::Rejected { field: "name", message: "Say what the token is for".into() });
            }
            let secret = format!("assure_{}", random_secret());
            let at = now();
            let rows = tx.rows(
                "api_token",
                "INSERT INTO api_token (account_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                &[Value::Int(a.id), name.into(), token_hash(&secret).into(), at.as_str().into()],
            )?;
            let id = returned_id(&rows, "token")?;
            let token =
                ApiToken { id, username: a.username.clone(), name: name.to_owned(), created_at: at, revoked_at: None };
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
        })
    }

    /// API tokens, of one account or all.
    pub fn tokens(&self, username: Option<&str>) -> Result<Vec<ApiToken>, StoreError> {
        self.pool.read(|tx| read_tokens(tx, username))
    }

    /// Revoke an API token (revoking twice is harmless).
    pub fn revoke_token(&self, id: i64, actor: &str) -> Result<ApiToken, StoreError> {
        self.pool.write(|tx| {
            let token = read_tokens(tx, None)?.into_iter().find(|t| t.id == id).ok_or(StoreError::NoSuchToken(id))?;
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
        })
    }

    /// The enabled account behind an unrevoked API token.
    pub fn token_account(&self, secret: &str) -> Result<Option<Account>, StoreError> {
        self.pool.read(|tx| {
            let rows = tx.rows(
                "api_token",
                "SELECT a.username FROM api_token t JOIN account a ON a.id = t.account_id \
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND a.disabled = $2",
                &[token_hash(secret).into(), Value::Bool(false)],
            )?;
            match rows.first() {
                Some(r) => account(tx, &r.text(0)?),
                None => Ok(None),
            }
        })
    }
}

/// How long a sign-in form stays good after it was drawn.
pub const SIGN_IN_FORM_LIFETIME: Duration = Duration::from_secs(2 * 3600);

/// The `setting` key of the database's secret for sign-in forms (never shown, never
/// audited; settings ignore keys they do not know).
const SIGN_IN_SECRET: &str = "sign_in_form_secret";

/// A sign-in form's pair: a nonce for a cookie, and the token for the form that proves
/// this database issued that nonce. A client can set any cookie it likes, so a token
/// that only had to equal the cookie would prove nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInForm {
    /// For the cookie: when it was issued (Unix seconds) and a random part.
    pub nonce: String,
    /// For the form: HMAC-SHA256 of the nonce under the database's secret, in hex.
    pub token: String,
}

pub(crate) fn unix_now() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn sign_in_token(secret: &str, nonce: &str) -> String {
    use hmac::{KeyInit, Mac};
    // Any key length is accepted by HMAC; the error arm cannot happen.
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(b"assure sign-in form\0");
    mac.update(nonce.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// HMAC-SHA256 of `value` under `secret`, for one `purpose` (so that a value signed
/// for one use is not accepted for another), in hex.
pub(crate) fn keyed(secret: &str, purpose: &str, value: &str) -> String {
    use hmac::{KeyInit, Mac};
    // Any key length is accepted by HMAC; the error arm cannot happen.
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(purpose.as_bytes());
    mac.update(b"\0");
    mac.update(value.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Equal, compared in time that does not depend on where they differ.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Store {
    /// The database's secret for sign-in forms, created the first time it is asked for
    /// (by whichever process asks first; every process then uses the same one, so a
    /// form drawn by one server is accepted by another on the same database).
    pub(crate) fn sign_in_secret(&self) -> Result<String, StoreError> {
        let read = |tx: &mut Tx<'_>| -> Result<Option<String>, StoreError> {
            let rows = tx.rows("setting", "SELECT value FROM setting WHERE key = $1", &[SIGN_IN_SECRET.into()])?;
            rows.first().map(|r| r.text(0)).transpose()
        };
        if let Some(secret) = self.pool.read(read)? {
            return Ok(secret);
        }
        self.pool.write(|tx| {
            let fresh = random_secret();
            tx.execute(
                "INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                &[SIGN_IN_SECRET.into(), fresh.as_str().into()],
            )?;
            read(tx)?.ok_or_else(|| StoreError::Corrupt("the sign-in secret was not kept".to_owned()))
        })
    }

    /// A new sign-in form: a fresh nonce and the token bound to it.
    pub fn sign_in_form(&self) -> Result<SignInForm, StoreError> {
        let nonce = format!("{}.{}", unix_now(), random_secret());
        let token = sign_in_token(&self.sign_in_secret()?, &nonce);
        Ok(SignInForm { nonce, token })
    }

    /// Whether `token` is the one this database issued with `nonce`, within
    /// [`SIGN_IN_FORM_LIFETIME`]. A forged pair (any nonce, any token) is not.
    pub fn sign_in_form_valid(&self, nonce: &str, token: &str) -> Result<bool, StoreError> {
        let Some(issued) = nonce.split_once('.').and_then(|(t, _)| t.parse::<u64>().ok()) else { return Ok(false) };
        let now = unix_now();
        // A little clock difference between servers is allowed, not a nonce from the future.
        if issued > now + 60 || now.saturating_sub(issued) > SIGN_IN_FORM_LIFETIME.as_secs() {
            return Ok(false);
        }
        Ok(same(&sign_in_token(&self.sign_in_secret()?, nonce), token))
    }
}

//! Accounts: who can sign in, with a role and the organisations they work for, and
//! their passwords.
//!
//! Passwords are hashed with Argon2id (its default, OWASP-recommended parameters); the
//! database never holds one in clear. Sessions, sign-in and API tokens are in
//! `sessions`.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::Serialize;

use crate::audit::{self, NewEntry};
use crate::sql::{Tx, Value, returned_id};
use crate::{Store, StoreError, now};

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
    /// Where reminders go; none: they get no email.
    pub email: Option<String>,
    /// Whether they want reminders of reporting rounds (opening, deadline, late).
    pub round_reminders: bool,
    /// Whether they want the weekly digest of their overdue and stale items.
    pub weekly_digest: bool,
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

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

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

pub(crate) fn hash_password(password: &str) -> Result<String, StoreError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| StoreError::Rejected { field: "password", message: e.to_string() })?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Corrupt(format!("cannot hash a password: {e}")))
}

pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

const ACCOUNT_COLUMNS: &str =
    "id, username, display_name, role, disabled, created_at, updated_at, email, round_reminders, weekly_digest";

fn read_accounts(tx: &mut Tx<'_>, filter: &str, params: &[Value]) -> Result<Vec<Account>, StoreError> {
    let rows =
        tx.rows("account", &format!("SELECT {ACCOUNT_COLUMNS} FROM account {filter} ORDER BY username"), params)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id = r.int(0)?;
        let organisations = tx
            .rows(
                "account_organisation",
                "SELECT organisation_id FROM account_organisation WHERE account_id = $1 ORDER BY organisation_id",
                &[Value::Int(id)],
            )?
            .iter()
            .map(|o| o.text(0))
            .collect::<Result<_, _>>()?;
        out.push(Account {
            id,
            username: r.text(1)?,
            display_name: r.text(2)?,
            role: r.parsed(3, "admin, editor or viewer", Role::parse)?,
            organisations,
            disabled: r.bool(4)?,
            email: r.opt_text(7)?,
            round_reminders: r.bool(8)?,
            weekly_digest: r.bool(9)?,
            created_at: r.text(5)?,
            updated_at: r.text(6)?,
        });
    }
    Ok(out)
}

/// The account with this username (any case), if there is one.
pub(crate) fn account(tx: &mut Tx<'_>, username: &str) -> Result<Option<Account>, StoreError> {
    Ok(read_accounts(tx, "WHERE username = $1", &[username.trim().to_lowercase().into()])?.into_iter().next())
}

/// The account with this username, or [`StoreError::NoSuchAccount`].
pub(crate) fn existing(tx: &mut Tx<'_>, username: &str) -> Result<Account, StoreError> {
    account(tx, username)?.ok_or_else(|| StoreError::NoSuchAccount(username.trim().to_lowercase()))
}

fn account_json(a: &Account) -> Result<String, StoreError> {
    serde_json::to_string(a).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn audit_account(
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
    match fields.problems().into_iter().next() {
        Some((field, message)) => Err(StoreError::Rejected { field, message }),
        None => Ok(()),
    }
}

impl AccountFields {
    /// What is wrong with these fields, by field (the one place they are checked: the
    /// admin page shows these before it asks the store, which refuses the same).
    pub fn problems(&self) -> Vec<assure_plan::delivery::FieldProblem> {
        let mut problems = Vec::new();
        if self.display_name.trim().is_empty() {
            problems.push(("display_name", "Enter the person's name".into()));
        } else if let Some(p) = assure_plan::delivery::text_problem(&self.display_name, 200, false) {
            problems.push(("display_name", p));
        }
        if self.role == Role::Editor && self.organisations.is_empty() {
            problems.push(("organisations", "An editor must work for at least one organisation".into()));
        }
        problems
    }
}

/// People: creating and changing accounts, and their passwords.
impl Store {
    /// Create an account with this password (checked: at least [`MIN_PASSWORD_CHARS`]).
    pub fn create_account(
        &self,
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
        let hash = hash_password(password)?;
        self.pool.write(|tx| {
            if account(tx, &username)?.is_some() {
                return Err(StoreError::Rejected {
                    field: "username",
                    message: format!("There is already an account '{username}'"),
                });
            }
            let at = now();
            let rows = tx.rows(
                "account",
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
            )?;
            let id = returned_id(&rows, "account")?;
            set_organisations(tx, id, &fields.organisations)?;
            let created =
                account(tx, &username)?.ok_or_else(|| StoreError::Corrupt("a new account vanished".into()))?;
            audit_account(tx, actor, "create", &username, None, Some(&created))?;
            Ok(created)
        })
    }

    /// Change an account's name, role, organisations or whether it is disabled. A change
    /// of role or organisations, or disabling, ends its sessions.
    pub fn update_account(&self, username: &str, fields: &AccountFields, actor: &str) -> Result<Account, StoreError> {
        check_fields(fields)?;
        self.pool.write(|tx| {
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
        })
    }

    /// Set a new password; every session of the account ends.
    pub fn set_password(&self, username: &str, password: &str, actor: &str) -> Result<(), StoreError> {
        if let Some(message) = password_problem(password) {
            return Err(StoreError::Rejected { field: "password", message });
        }
        let hash = hash_password(password)?;
        self.pool.write(|tx| {
            let a = existing(tx, username)?;
            tx.execute(
                "UPDATE account SET password_hash = $1, updated_at = $2 WHERE id = $3",
                &[hash.into(), now().into(), Value::Int(a.id)],
            )?;
            tx.execute("DELETE FROM session WHERE account_id = $1", &[Value::Int(a.id)])?;
            audit_account(tx, actor, "set_password", &a.username, None, None)
        })
    }

    /// Whether this is the account's password (for changing it while signed in).
    pub fn check_password(&self, username: &str, password: &str) -> Result<bool, StoreError> {
        let rows = self.pool.read(|tx| {
            tx.rows("account", "SELECT password_hash FROM account WHERE username = $1", &[username.into()])
        })?;
        match rows.first() {
            Some(r) => Ok(verify_password(password, &r.text(0)?)),
            None => Ok(false),
        }
    }

    /// An account by username.
    pub fn account(&self, username: &str) -> Result<Option<Account>, StoreError> {
        self.pool.read(|tx| account(tx, username))
    }

    /// Every account, by username.
    pub fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        self.pool.read(|tx| read_accounts(tx, "", &[]))
    }
}

/// What an account may do beyond its role; only an admin gives or takes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Permission {
    /// Reviews what residents say.
    Moderator,
    /// Starts, edits and publishes draft versions of the plan.
    PlanEditor,
}

impl Permission {
    /// Its name in the database (`moderator`, `plan-editor`).
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Moderator => "moderator",
            Permission::PlanEditor => "plan-editor",
        }
    }
}

/// Permissions beyond a role.
impl Store {
    /// Whether an account has the permission.
    pub fn has_permission(&self, account_id: i64, permission: Permission) -> Result<bool, StoreError> {
        self.pool.read(|tx| {
            let rows = tx.rows(
                "account_permission",
                "SELECT COUNT(*) FROM account_permission WHERE account_id = $1 AND permission = $2",
                &[Value::Int(account_id), permission.as_str().into()],
            )?;
            Ok(rows.first().map(|r| r.count(0)).transpose()?.unwrap_or(0) > 0)
        })
    }

    /// The usernames of the accounts with the permission.
    pub fn with_permission(&self, permission: Permission) -> Result<Vec<String>, StoreError> {
        self.pool.read(|tx| {
            let rows = tx.rows(
                "account_permission",
                "SELECT a.username FROM account_permission p JOIN account a ON a.id = p.account_id \
                 WHERE p.permission = $1 ORDER BY a.username",
                &[permission.as_str().into()],
            )?;
            rows.iter().map(|r| r.text(0)).collect()
        })
    }

    /// Give or take away a permission, audited.
    pub fn set_permission(
        &self,
        username: &str,
        permission: Permission,
        on: bool,
        actor: &str,
    ) -> Result<(), StoreError> {
        let account = self.account(username)?.ok_or_else(|| StoreError::NoSuchAccount(username.to_owned()))?;
        self.pool.write(|tx| {
            let params = [Value::Int(account.id), permission.as_str().into()];
            if on {
                tx.execute(
                    "INSERT INTO account_permission (account_id, permission) VALUES ($1, $2) \
                     ON CONFLICT (account_id, permission) DO NOTHING",
                    &params,
                )?;
            } else {
                tx.execute("DELETE FROM account_permission WHERE account_id = $1 AND permission = $2", &params)?;
            }
            let after = format!("{{\"{}\": {on}}}", permission.as_str());
            audit::record(
                tx,
                &NewEntry {
                    at: &now(),
                    actor,
                    action: "permission",
                    entity: "account",
                    entity_id: &account.username,
                    plan_id: None,
                    before: None,
                    after: Some(&after),
                },
            )
        })
    }
}

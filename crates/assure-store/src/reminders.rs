//! Reminders by email: each account's address and choices, the record of reminders sent
//! (the claim that makes each go once across servers, like `job_run`), and the signature
//! of the links that stop them without signing in.

use crate::accounts::{audit_account, existing};
use crate::sql::Value;
use crate::{Account, Store, StoreError, now};

/// One reminder to one person: which kind, about which round (0: none), for which slot
/// (`opened`, `due`, an ISO week such as `2027-W05`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderKey {
    /// The account it goes to.
    pub account_id: i64,
    /// `round-open`, `round-due`, `round-late` or `weekly`.
    pub kind: &'static str,
    /// The round it is about; 0 for the weekly digest.
    pub round_id: i64,
    /// The slot it is sent once in.
    pub slot: String,
}

/// What an account chooses about email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderChoices {
    /// Where reminders go; none: nothing is sent.
    pub email: Option<String>,
    /// Reminders of reporting rounds.
    pub round_reminders: bool,
    /// The weekly digest.
    pub weekly_digest: bool,
}

impl ReminderChoices {
    /// The account's choices as they are.
    pub fn of(account: &Account) -> ReminderChoices {
        ReminderChoices {
            email: account.email.clone(),
            round_reminders: account.round_reminders,
            weekly_digest: account.weekly_digest,
        }
    }
}

const KEY: &str = "account_id = $1 AND kind = $2 AND round_id = $3 AND slot = $4";

fn key_params(key: &ReminderKey) -> [Value; 4] {
    [Value::Int(key.account_id), key.kind.into(), Value::Int(key.round_id), key.slot.as_str().into()]
}

/// Reminders.
impl Store {
    /// Set an account's email address and reminder choices (audited).
    pub fn set_reminder_choices(
        &self,
        username: &str,
        choices: &ReminderChoices,
        actor: &str,
    ) -> Result<Account, StoreError> {
        self.pool.write(|tx| {
            let before = existing(tx, username)?;
            let email = choices.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
            tx.execute(
                "UPDATE account SET email = $1, round_reminders = $2, weekly_digest = $3, updated_at = $4 \
                 WHERE id = $5",
                &[
                    email.map_or(Value::Null, Into::into),
                    Value::Bool(choices.round_reminders),
                    Value::Bool(choices.weekly_digest),
                    now().into(),
                    Value::Int(before.id),
                ],
            )?;
            let after = existing(tx, username)?;
            audit_account(tx, actor, "reminders", &after.username, Some(&before), Some(&after))?;
            Ok(after)
        })
    }

    /// Whether this reminder was sent (or is being sent) already.
    pub fn reminder_claimed(&self, key: &ReminderKey) -> Result<bool, StoreError> {
        let rows = self.pool.read(|tx| {
            tx.rows("reminder_sent", &format!("SELECT slot FROM reminder_sent WHERE {KEY}"), &key_params(key))
        })?;
        Ok(!rows.is_empty())
    }

    /// Claim a reminder for this server (`by`) before sending it to `email` with `items`
    /// items: `true`, send it now; `false`, another server (or an earlier run) has it.
    pub fn claim_reminder(&self, key: &ReminderKey, email: &str, items: usize, by: &str) -> Result<bool, StoreError> {
        self.pool.write(|tx| {
            let inserted = tx.execute(
                "INSERT INTO reminder_sent (account_id, kind, round_id, slot, email, items, claimed_at, claimed_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (account_id, kind, round_id, slot) DO NOTHING",
                &[
                    Value::Int(key.account_id),
                    key.kind.into(),
                    Value::Int(key.round_id),
                    key.slot.as_str().into(),
                    email.into(),
                    Value::Int(i64::try_from(items).unwrap_or(i64::MAX)),
                    now().into(),
                    by.into(),
                ],
            )?;
            Ok(inserted == 1)
        })
    }

    /// Record how a claimed reminder ended: sent, or not (the claim is given up, so that
    /// a later run tries again).
    pub fn finish_reminder(&self, key: &ReminderKey, sent: bool) -> Result<(), StoreError> {
        self.pool.write(|tx| {
            if sent {
                let mut params = vec![now().into()];
                params.extend(key_params(key));
                tx.execute(
                    "UPDATE reminder_sent SET sent_at = $1 \
                     WHERE account_id = $2 AND kind = $3 AND round_id = $4 AND slot = $5",
                    &params,
                )?;
            } else {
                tx.execute(&format!("DELETE FROM reminder_sent WHERE {KEY}"), &key_params(key))?;
            }
            Ok(())
        })
    }

    /// How many reminders have been sent, in all (for the record and the tests).
    pub fn reminders_sent(&self) -> Result<u64, StoreError> {
        let rows = self
            .pool
            .read(|tx| tx.rows("reminder_sent", "SELECT COUNT(*) FROM reminder_sent WHERE sent_at IS NOT NULL", &[]))?;
        rows.first().map_or(Ok(0), |r| r.count(0))
    }

    /// The signature of `value` for one `purpose` (HMAC-SHA256 under the database's
    /// secret, in hex): what a link that works without signing in carries.
    pub fn sign(&self, purpose: &str, value: &str) -> Result<String, StoreError> {
        Ok(crate::sessions::keyed(&self.sign_in_secret()?, purpose, value))
    }

    /// Whether `signature` is this database's for `value` and `purpose` (compared in
    /// constant time).
    pub fn signature_valid(&self, purpose: &str, value: &str, signature: &str) -> Result<bool, StoreError> {
        Ok(crate::sessions::same(&self.sign(purpose, value)?, signature))
    }
}

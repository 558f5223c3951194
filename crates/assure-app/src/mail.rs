//! Email, sent once from here for every use-case that needs it (confirmations, reminder
//! digests, notices to a lead): an SMTP [`Mailer`] configured from a URL, and the plain-text
//! [`Email`] a use-case writes. Without a mailer nothing is sent and the use-cases say so.

use std::fmt;
use std::time::Duration;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::{SmtpTransport, Transport};

use crate::{App, AppError};

/// What Assure sends from when the sender is not configured.
pub const DEFAULT_SENDER: &str = "Assure <assure@localhost>";

/// How long one SMTP conversation may take before sending fails.
const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

/// An SMTP relay and the address mail comes from.
#[derive(Clone)]
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
    shown: String,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer").field("relay", &self.shown).field("from", &self.from.to_string()).finish()
    }
}

/// Why a mailer could not be configured or a message not sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The SMTP URL is not one lettre understands (`smtp://host:port`, `smtps://…`,
    /// `smtp://user:pass@host:587?tls=required`).
    #[error("ASSURE_SMTP_URL '{url}': {message}")]
    Url {
        /// The URL, without its password.
        url: String,
        /// What is wrong with it.
        message: String,
    },
    /// The sender is not an email address (`Name <address>` or `address`).
    #[error("ASSURE_MAIL_FROM '{0}' is not an email address")]
    Sender(String),
    /// A recipient that is not an email address.
    #[error("'{0}' is not an email address")]
    Recipient(String),
    /// The message could not be built (a header that cannot be written).
    #[error("the message could not be written: {0}")]
    Message(String),
    /// The relay refused the message or could not be reached.
    #[error("sending through {relay} failed: {message}")]
    Send {
        /// The relay, without its password.
        relay: String,
        /// What went wrong.
        message: String,
    },
}

/// One plain-text message to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The recipient's address.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The body, plain text.
    pub text: String,
    /// A link that stops this kind of message with one click: sent as `List-Unsubscribe`
    /// with `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
    pub unsubscribe: Option<String>,
}

/// `List-Unsubscribe: <https://…>`.
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.trim_matches(['<', '>']).to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

impl Mailer {
    /// A mailer through the relay at `url` (`smtp://host:port` for a local relay,
    /// `smtps://user:password@host` or `smtp://…?tls=required` for TLS), sending as `from`.
    pub fn from_url(url: &str, from: &str) -> Result<Mailer, MailError> {
        let shown = without_password(url);
        let builder =
            SmtpTransport::from_url(url).map_err(|e| MailError::Url { url: shown.clone(), message: e.to_string() })?;
        let from: Mailbox = from.parse().map_err(|_| MailError::Sender(from.to_owned()))?;
        Ok(Mailer { transport: builder.timeout(Some(SMTP_TIMEOUT)).build(), from, shown })
    }

    /// Send one message now (blocking).
    pub fn send(&self, email: &Email) -> Result<(), MailError> {
        let to: Mailbox = email.to.parse().map_err(|_| MailError::Recipient(email.to.clone()))?;
        let mut builder =
            Message::builder().from(self.from.clone()).to(to).subject(&email.subject).header(ContentType::TEXT_PLAIN);
        if let Some(link) = &email.unsubscribe {
            builder = builder.header(ListUnsubscribe(link.clone())).header(ListUnsubscribePost);
        }
        let message = builder.body(email.text.clone()).map_err(|e| MailError::Message(e.to_string()))?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| MailError::Send { relay: self.shown.clone(), message: e.to_string() })
    }
}

/// The URL with any password replaced by `***`, for messages and logs.
fn without_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Email.
impl App {
    /// This application, sending mail through `mailer`.
    pub fn with_mailer(mut self, mailer: Mailer) -> App {
        self.mailer = Some(std::sync::Arc::new(mailer));
        self
    }

    /// Whether mail can be sent (a relay is configured).
    pub fn mail_configured(&self) -> bool {
        self.mailer.is_some()
    }

    /// Send one message now: `Ok(true)` sent, `Ok(false)` no relay is configured and
    /// nothing was sent, `Err(AppError::Mail)` the relay could not take it.
    pub fn send_email(&self, email: &Email) -> Result<bool, AppError> {
        match &self.mailer {
            Some(mailer) => mailer.send(email).map(|()| true).map_err(AppError::Mail),
            None => Ok(false),
        }
    }

    /// This application, writing links in messages under `url` (the site's public
    /// address, e.g. `https://assure.kentandmedway.icp.nhs.uk`).
    pub fn with_public_url(mut self, url: &str) -> App {
        self.public_url = url.trim_end_matches('/').to_owned();
        self
    }

    /// The site's public address, without a trailing slash: what links in messages start with.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(without_password("smtps://me:secret@mail.example:465"), "smtps://me:***@mail.example:465");
        assert_eq!(without_password("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
        assert_eq!(without_password("smtp://user@host"), "smtp://user@host");
    }

    #[test]
    fn bad_configuration_is_named() {
        let e = Mailer::from_url("http://x", DEFAULT_SENDER).unwrap_err();
        assert!(e.to_string().starts_with("ASSURE_SMTP_URL 'http://x'"), "{e}");
        let e = Mailer::from_url("smtp://127.0.0.1:2525", "not an address").unwrap_err();
        assert_eq!(e.to_string(), "ASSURE_MAIL_FROM 'not an address' is not an email address");
        let mailer = Mailer::from_url("smtp://127.0.0.1:2525", DEFAULT_SENDER).unwrap();
        let email = Email { to: "nobody".into(), subject: "s".into(), text: "t".into(), unsubscribe: None };
        assert_eq!(mailer.send(&email).unwrap_err().to_string(), "'nobody' is not an email address");
    }
}

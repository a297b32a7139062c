//! Outgoing mail: through an SMTP server when `LEDGER_SMTP_URL` is set, otherwise written to
//! the log (so someone running the ledger locally can follow the link) and kept in a small
//! in-memory outbox that tests can read with [`logged_mails`]; with `LEDGER_MAIL_DIR` set, each
//! logged mail is also written into that folder as a file (see [`write_mail_file`]), which is how
//! the web end-to-end tests, running the server as a separate process, follow mailed links.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::error::{AppError, AppResult};

/// Where mail goes (`LEDGER_SMTP_URL`, `LEDGER_MAIL_FROM`, `LEDGER_MAIL_DIR`).
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// SMTP server URL (with credentials); absent or blank: mails go to the log.
    pub smtp_url: Option<String>,
    /// The sender address.
    pub mail_from: String,
    /// Folder every logged mail is also written into.
    pub mail_dir: Option<PathBuf>,
}

/// How long one SMTP delivery may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// How many logged mails the in-memory outbox keeps.
const OUTBOX_CAPACITY: usize = 256;

/// A mail as written to the log instead of being sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// What a cached mailer depends on: the SMTP URL, the sender and the mail folder.
type CacheKey = (Option<String>, String, Option<PathBuf>);

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// To the log, and into the folder when one is set.
    Log(Option<PathBuf>),
}

/// Sends mail; cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let transport = match self.transport {
            Transport::Smtp(_) => "smtp",
            Transport::Log(_) => "log",
        };
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("transport", &transport)
            .finish()
    }
}

impl Mailer {
    /// Builds a mailer from the settings (no connection is made yet).
    pub fn from_settings(settings: &MailSettings) -> AppResult<Self> {
        let from: Mailbox = settings.mail_from.parse().map_err(|e| {
            AppError::internal(format!("LEDGER_MAIL_FROM is not a valid address: {e}"))
        })?;
        let transport = match settings
            .smtp_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            // The URL holds credentials: never put it in an error message.
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| AppError::internal(format!("LEDGER_SMTP_URL is not usable: {e}")))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            ),
            None => Transport::Log(settings.mail_dir.clone()),
        };
        Ok(Self { from, transport })
    }

    /// The mailer for these settings, built once per distinct (SMTP URL, sender, mail folder)
    /// and reused.
    pub fn shared(settings: &MailSettings) -> AppResult<Self> {
        static CACHE: OnceLock<Mutex<HashMap<CacheKey, Mailer>>> = OnceLock::new();
        let key = (
            settings.smtp_url.clone(),
            settings.mail_from.clone(),
            settings.mail_dir.clone(),
        );
        let cache = CACHE.get_or_init(Default::default);
        if let Some(m) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(m.clone());
        }
        let mailer = Self::from_settings(settings)?;
        cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, mailer.clone());
        Ok(mailer)
    }

    /// Whether mails only go to the log.
    pub fn logs_only(&self) -> bool {
        matches!(self.transport, Transport::Log(_))
    }

    /// Sends a plain-text mail and waits for the server to accept it.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> AppResult<()> {
        match &self.transport {
            Transport::Log(dir) => {
                tracing::info!(
                    to,
                    subject,
                    body,
                    "mail not sent: no SMTP server is configured (LEDGER_SMTP_URL); its text follows"
                );
                record(LoggedMail {
                    to: to.to_string(),
                    subject: subject.to_string(),
                    body: body.to_string(),
                });
                if let Some(dir) = dir {
                    // The log already holds the mail: a folder that cannot be written is
                    // reported, not a reason to fail the request that sent it.
                    if let Err(e) = write_mail_file(dir, to, subject, body).await {
                        tracing::warn!(error = %e, dir = %dir.display(), "a mail could not be written to LEDGER_MAIL_DIR");
                    }
                }
                Ok(())
            }
            Transport::Smtp(smtp) => {
                let recipient: Mailbox = to.parse().map_err(|e| {
                    AppError::invalid("email", format!("cannot send mail to this address: {e}"))
                })?;
                let message = Message::builder()
                    .from(self.from.clone())
                    .to(recipient)
                    .subject(subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(body.to_string())
                    .map_err(AppError::internal)?;
                smtp.send(message)
                    .await
                    .map_err(|e| AppError::internal(format!("sending mail: {e}")))?;
                Ok(())
            }
        }
    }

    /// Sends without making the caller wait for an SMTP server (whose speed would otherwise
    /// reveal whether an account exists); failures are logged. Logged mails are written before
    /// this returns.
    pub async fn dispatch(&self, to: String, subject: String, body: String) {
        match self.transport {
            Transport::Log(_) => {
                let _ = self.send(&to, &subject, &body).await;
            }
            Transport::Smtp(_) => {
                let mailer = self.clone();
                tokio::spawn(async move {
                    if let Err(e) = mailer.send(&to, &subject, &body).await {
                        tracing::error!(error = %e, subject, "a mail could not be sent");
                    }
                });
            }
        }
    }
}

/// Writes one mail as `<uuid v7>.eml` (names sort in sending order) holding `To:` and
/// `Subject:` headers, a blank line and the body. It is written under a temporary name and
/// renamed, so a reader never sees half a mail.
async fn write_mail_file(
    dir: &Path,
    to: &str,
    subject: &str,
    body: &str,
) -> std::io::Result<PathBuf> {
    tokio::fs::create_dir_all(dir).await?;
    let name = uuid::Uuid::now_v7().to_string();
    let tmp = dir.join(format!(".{name}.tmp"));
    let path = dir.join(format!("{name}.eml"));
    tokio::fs::write(&tmp, format!("To: {to}\nSubject: {subject}\n\n{body}\n")).await?;
    tokio::fs::rename(&tmp, &path).await?;
    Ok(path)
}

fn outbox() -> &'static Mutex<VecDeque<LoggedMail>> {
    static OUTBOX: OnceLock<Mutex<VecDeque<LoggedMail>>> = OnceLock::new();
    OUTBOX.get_or_init(|| Mutex::new(VecDeque::with_capacity(OUTBOX_CAPACITY)))
}

fn record(mail: LoggedMail) {
    let mut outbox = outbox().lock().unwrap_or_else(|e| e.into_inner());
    if outbox.len() == OUTBOX_CAPACITY {
        outbox.pop_front();
    }
    outbox.push_back(mail);
}

/// The most recent mails written to the log (oldest first), for tests and local use.
pub fn logged_mails() -> Vec<LoggedMail> {
    outbox()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .cloned()
        .collect()
}

/// The most recent logged mail to `to` (compared case-insensitively), if any.
pub fn last_logged_mail_to(to: &str) -> Option<LoggedMail> {
    outbox()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .rev()
        .find(|m| m.to.eq_ignore_ascii_case(to))
        .cloned()
}

/// The value of the `token` query parameter of the first link in `body` containing `path`
/// (e.g. `/confirm-email`), for following mailed links.
pub fn token_from_link(body: &str, path: &str) -> Option<String> {
    let start = body.find(path)?;
    let rest = &body[start..];
    let query = &rest[rest.find("?token=")? + "?token=".len()..];
    let token: String = query
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!token.is_empty()).then_some(token)
}

/// Joins the public base URL and a path with exactly one slash between them.
pub fn link(public_url: &str, path: &str, token: &str) -> String {
    format!(
        "{}/{}?token={}",
        public_url.trim_end_matches('/'),
        path.trim_start_matches('/'),
        token
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> MailSettings {
        MailSettings {
            smtp_url: None,
            mail_from: "Ledger <ledger@localhost>".into(),
            mail_dir: None,
        }
    }

    #[test]
    fn links_have_one_slash_and_the_token() {
        assert_eq!(
            link("http://h:8080/", "/confirm-email", "abc"),
            "http://h:8080/confirm-email?token=abc"
        );
        assert_eq!(
            link("http://h", "reset-password", "x-_y"),
            "http://h/reset-password?token=x-_y"
        );
    }

    #[test]
    fn tokens_are_found_in_mailed_links() {
        let body = "Hello,\n\nconfirm: http://h/confirm-email?token=Ab-_9z\n\nThanks";
        assert_eq!(
            token_from_link(body, "/confirm-email").as_deref(),
            Some("Ab-_9z")
        );
        assert_eq!(token_from_link(body, "/reset-password"), None);
        assert_eq!(
            token_from_link("http://h/confirm-email?token=", "/confirm-email"),
            None
        );
    }

    #[test]
    fn without_smtp_mails_go_to_the_log() {
        let mailer = Mailer::from_settings(&settings()).unwrap();
        assert!(mailer.logs_only());
        assert!(format!("{mailer:?}").contains("log"));
    }

    #[test]
    fn an_smtp_url_selects_smtp() {
        let mut s = settings();
        s.smtp_url = Some("smtp://user:secret@127.0.0.1:2525".into());
        let mailer = Mailer::from_settings(&s).unwrap();
        assert!(!mailer.logs_only());
        assert!(!format!("{mailer:?}").contains("secret"));
    }

    #[test]
    fn bad_settings_are_refused() {
        let mut s = settings();
        s.mail_from = "not an address".into();
        assert!(Mailer::from_settings(&s).is_err());
        let mut s = settings();
        s.smtp_url = Some("ftp://nope".into());
        let e = Mailer::from_settings(&s).unwrap_err();
        assert!(!e.to_string().contains("ftp://nope"));
    }

    #[test]
    fn shared_mailers_are_reused() {
        let s = settings();
        let a = Mailer::shared(&s).unwrap();
        let b = Mailer::shared(&s).unwrap();
        assert!(a.logs_only() && b.logs_only());
    }

    #[tokio::test]
    async fn with_a_mail_dir_logged_mails_are_also_files() {
        let dir = std::env::temp_dir().join(format!("ledger-mail-{}", uuid::Uuid::new_v4()));
        let mut s = settings();
        s.mail_dir = Some(dir.clone());
        let mailer = Mailer::from_settings(&s).unwrap();
        assert!(mailer.logs_only());
        for token in ["First", "Second"] {
            let body = format!("see http://h/reset-password?token={token}");
            mailer
                .dispatch("a@example.test".into(), "Reset".into(), body)
                .await;
        }
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names.len(), 2, "only finished .eml files: {names:?}");
        assert!(names.iter().all(|n| n.ends_with(".eml")));
        let last = std::fs::read_to_string(dir.join(&names[1])).unwrap();
        assert!(last.starts_with("To: a@example.test\nSubject: Reset\n\n"));
        assert_eq!(
            token_from_link(&last, "/reset-password").as_deref(),
            Some("Second")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn logged_mails_are_kept_for_reading() {
        let mailer = Mailer::from_settings(&settings()).unwrap();
        let to = format!("{}@example.test", uuid::Uuid::new_v4());
        mailer
            .dispatch(
                to.clone(),
                "Subject".into(),
                "see http://h/confirm-email?token=T0k".into(),
            )
            .await;
        let mail = last_logged_mail_to(&to.to_uppercase()).unwrap();
        assert_eq!(mail.subject, "Subject");
        assert_eq!(
            token_from_link(&mail.body, "/confirm-email").as_deref(),
            Some("T0k")
        );
        assert!(logged_mails().contains(&mail));
    }
}

//! Turns an outbox e-mail into a MIME message and hands it on: to an SMTP
//! server when one is configured, otherwise to a folder of `.eml` files (the
//! zero-set-up default, where an operator reads the mail with any mail client).

use std::{
    fmt,
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use lettre::{
    Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
};
use openprm_store::outbox::OutgoingEmail;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::JobError;

/// How long one SMTP conversation may take. It stays well below the outbox
/// lease, so no other worker takes a message while it is still being sent.
pub(crate) const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where e-mail goes and how it is signed.
#[derive(Clone, PartialEq, Eq)]
pub struct MailConfig {
    /// `smtp://user:pass@host:port` or `smtps://…`; `None` writes `.eml` files.
    pub smtp_url: Option<String>,
    /// The folder for `.eml` files when there is no SMTP server.
    pub mail_dir: PathBuf,
    /// The sender, with or without a display name: `OpenPRM <no-reply@example.com>`.
    pub from_address: String,
    /// The host part of every Message-ID, usually the portal's host name.
    pub message_domain: String,
}

impl fmt::Debug for MailConfig {
    // The SMTP URL may carry a password; logs must not.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_password))
            .field("mail_dir", &self.mail_dir)
            .field("from_address", &self.from_address)
            .field("message_domain", &self.message_domain)
            .finish()
    }
}

/// The URL with its user information hidden.
fn redact_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://***@{}", &url[..scheme_end], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// Why one message was not delivered this time.
#[derive(Debug, thiserror::Error)]
pub(crate) enum MailError {
    #[error("the outbox payload is not an e-mail: {0}")]
    Payload(#[from] serde_json::Error),
    #[error("the recipient {address:?} is not an e-mail address: {source}")]
    Recipient {
        address: String,
        #[source]
        source: lettre::address::AddressError,
    },
    #[error("the message cannot be built: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("writing to the mail folder: {0}")]
    Folder(#[from] std::io::Error),
}

impl MailError {
    /// Whether trying again soon cannot help: the message itself is bad, or
    /// the server refused it for good.
    pub(crate) fn is_permanent(&self) -> bool {
        match self {
            MailError::Payload(_) | MailError::Recipient { .. } | MailError::Build(_) => true,
            MailError::Smtp(e) => e.is_permanent(),
            MailError::Folder(_) => false,
        }
    }
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(PathBuf),
}

/// Composes and sends e-mail as one [`MailConfig`] says.
pub(crate) struct Mailer {
    transport: Transport,
    from: Mailbox,
    message_domain: String,
}

impl Mailer {
    /// Checks the configuration once, so a typo fails at start and not on
    /// every message.
    pub(crate) fn new(config: &MailConfig) -> Result<Mailer, JobError> {
        let from =
            config
                .from_address
                .parse::<Mailbox>()
                .map_err(|source| JobError::FromAddress {
                    address: config.from_address.clone(),
                    source,
                })?;
        let transport = match config.smtp_url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(JobError::SmtpUrl)?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build();
                Transport::Smtp(transport)
            }
            _ => {
                std::fs::create_dir_all(&config.mail_dir).map_err(|source| JobError::MailDir {
                    path: config.mail_dir.clone(),
                    source,
                })?;
                Transport::Folder(config.mail_dir.clone())
            }
        };
        let domain = config.message_domain.trim();
        let message_domain = if domain.is_empty() {
            "localhost"
        } else {
            domain
        };
        Ok(Mailer {
            transport,
            from,
            message_domain: message_domain.to_owned(),
        })
    }

    /// The Message-ID of outbox message `id`: the same on every attempt.
    pub(crate) fn message_id(&self, id: Uuid) -> String {
        format!("<{id}@{}>", self.message_domain)
    }

    /// A multipart/alternative message with a plain-text and an HTML part.
    pub(crate) fn compose(
        &self,
        id: Uuid,
        email: &OutgoingEmail,
        date: OffsetDateTime,
    ) -> Result<Message, MailError> {
        let address =
            email
                .to
                .trim()
                .parse::<Address>()
                .map_err(|source| MailError::Recipient {
                    address: email.to.clone(),
                    source,
                })?;
        let name = one_line(&email.to_name);
        let to = Mailbox::new((!name.is_empty()).then_some(name), address);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(one_line(&email.subject))
            .message_id(Some(self.message_id(id)))
            .date(SystemTime::from(date))
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))?;
        Ok(message)
    }

    /// Hands a composed message on.
    pub(crate) async fn send(
        &self,
        id: Uuid,
        message: Message,
        email: &OutgoingEmail,
    ) -> Result<(), MailError> {
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
                tracing::info!(%id, to = %email.to, subject = %email.subject, "e-mail sent");
            }
            Transport::Folder(dir) => {
                let path = write_eml(dir, id, &message.formatted()).await?;
                tracing::info!(
                    %id,
                    to = %email.to,
                    subject = %email.subject,
                    path = %path.display(),
                    "e-mail written to the mail folder"
                );
            }
        }
        Ok(())
    }
}

/// Header values are one line: a stray line break must not start a header.
fn one_line(value: &str) -> String {
    value
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes `<id>.eml` whole or not at all: into a hidden temporary file first,
/// synced, then renamed, so a reader never sees half a message.
async fn write_eml(dir: &Path, id: Uuid, bytes: &[u8]) -> std::io::Result<PathBuf> {
    tokio::fs::create_dir_all(dir).await?;
    let path = dir.join(format!("{id}.eml"));
    let temp = dir.join(format!(".{id}.eml.tmp"));
    let written = async {
        let mut file = tokio::fs::File::create(&temp).await?;
        tokio::io::AsyncWriteExt::write_all(&mut file, bytes).await?;
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(&temp, &path).await
    }
    .await;
    if let Err(e) = written {
        let _ = tokio::fs::remove_file(&temp).await;
        return Err(e);
    }
    Ok(path)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn config(dir: &Path) -> MailConfig {
        MailConfig {
            smtp_url: None,
            mail_dir: dir.to_path_buf(),
            from_address: "OpenPRM <no-reply@portal.example>".to_owned(),
            message_domain: "portal.example".to_owned(),
        }
    }

    fn email() -> OutgoingEmail {
        OutgoingEmail {
            to: "jens@partner.example".to_owned(),
            to_name: "Jens Ærø".to_owned(),
            subject: "Velkommen\r\nBcc: evil@example.com".to_owned(),
            text: "Hej".to_owned(),
            html: "<p>Hej</p>".to_owned(),
        }
    }

    #[test]
    fn debug_hides_the_smtp_password() {
        let mut config = config(Path::new("mail"));
        config.smtp_url = Some("smtp://user:secret@mail.example:587".to_owned());
        let shown = format!("{config:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("mail.example:587"), "{shown}");
    }

    #[test]
    fn a_line_break_in_the_subject_cannot_add_a_header() {
        let dir = std::env::temp_dir().join(format!("openprm-mailer-{}", Uuid::new_v4()));
        let mailer = Mailer::new(&config(&dir)).unwrap_or_else(|e| panic!("mailer: {e}"));
        let id = Uuid::now_v7();
        let message = mailer
            .compose(id, &email(), OffsetDateTime::now_utc())
            .unwrap_or_else(|e| panic!("compose: {e}"));
        let raw = String::from_utf8_lossy(&message.formatted()).into_owned();
        assert!(!raw.contains("\r\nBcc:"), "{raw}");
        assert!(
            raw.contains(&format!("Message-ID: <{id}@portal.example>")),
            "{raw}"
        );
        assert!(raw.contains("multipart/alternative"), "{raw}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_bad_recipient_is_a_permanent_failure() {
        let dir = std::env::temp_dir().join(format!("openprm-mailer-{}", Uuid::new_v4()));
        let mailer = Mailer::new(&config(&dir)).unwrap_or_else(|e| panic!("mailer: {e}"));
        let mut bad = email();
        bad.to = "not an address".to_owned();
        let err = mailer.compose(Uuid::now_v7(), &bad, OffsetDateTime::now_utc());
        assert!(matches!(&err, Err(e) if e.is_permanent()), "{err:?}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_bad_sender_or_smtp_url_fails_at_start() {
        let dir = std::env::temp_dir();
        let mut bad_from = config(&dir);
        bad_from.from_address = "nobody".to_owned();
        assert!(matches!(
            Mailer::new(&bad_from),
            Err(JobError::FromAddress { .. })
        ));
        let mut bad_url = config(&dir);
        bad_url.smtp_url = Some("imap://mail.example".to_owned());
        assert!(matches!(Mailer::new(&bad_url), Err(JobError::SmtpUrl(_))));
    }
}

//! A real SMTP server for tests: it listens on a random port of 127.0.0.1,
//! accepts whatever mail it is given and keeps it for the test to read.
//!
//! It speaks the part of SMTP a sending client needs: `EHLO`/`HELO`,
//! `AUTH PLAIN`/`LOGIN` (any credentials pass), `MAIL FROM`, `RCPT TO`,
//! `DATA` with dot-unstuffing, `RSET`, `NOOP`, `VRFY` and `QUIT`. No TLS.
//! [`SmtpCatcher::fail_next`] makes it refuse messages with a 451, so tests
//! can watch a sender retry. The MIME parsing is `mail-parser`'s.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use mail_parser::{Message, MessageParser, PartType};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    sync::watch,
    task::JoinHandle,
};

/// Longest command line accepted; RFC 5321 asks for 512, extensions add some.
const MAX_LINE: u64 = 4096;
/// Largest message accepted, as announced in `EHLO`.
const MAX_MESSAGE: usize = 10 * 1024 * 1024;

/// A message as the server received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaughtMail {
    /// The envelope sender (`MAIL FROM`).
    pub from: String,
    /// The envelope recipients (`RCPT TO`).
    pub to: Vec<String>,
    /// The message after dot-unstuffing, lines ending in CRLF.
    pub raw: String,
}

impl CaughtMail {
    /// A message read from elsewhere, e.g. an `.eml` file, with no envelope.
    pub fn from_raw(raw: impl Into<String>) -> CaughtMail {
        CaughtMail {
            from: String::new(),
            to: Vec::new(),
            raw: raw.into(),
        }
    }

    fn parsed(&self) -> Option<Message<'_>> {
        MessageParser::default().parse(self.raw.as_bytes())
    }

    /// The first header of that name (any case), unfolded, with encoded
    /// words (`=?utf-8?…?=`) decoded; angle brackets and quotes are kept, so
    /// `header("Message-ID")` reads `<id@host>`.
    pub fn header(&self, name: &str) -> Option<String> {
        let value = raw_header(&self.raw, name)?;
        if !value.contains("=?") {
            return Some(value);
        }
        // mail-parser decodes encoded words in unstructured headers; lend it
        // this value as a Subject to decode it.
        let probe = format!("Subject: {value}\r\n\r\n");
        let decoded = MessageParser::default()
            .parse(probe.as_bytes())
            .and_then(|m| m.subject().map(str::to_owned));
        Some(decoded.unwrap_or(value))
    }

    /// The decoded subject, or "" when there is none.
    pub fn subject(&self) -> String {
        self.parsed()
            .and_then(|m| m.subject().map(str::to_owned))
            .unwrap_or_default()
    }

    /// The decoded text/plain part, or "" when there is none (an HTML-only
    /// message is not converted).
    pub fn text_body(&self) -> String {
        self.parsed()
            .and_then(|m| {
                m.text_bodies().find_map(|part| match &part.body {
                    PartType::Text(text) => Some(text.to_string()),
                    _ => None,
                })
            })
            .unwrap_or_default()
    }

    /// The decoded text/html part, or "" when there is none.
    pub fn html_body(&self) -> String {
        self.parsed()
            .and_then(|m| {
                m.html_bodies().find_map(|part| match &part.body {
                    PartType::Html(html) => Some(html.to_string()),
                    _ => None,
                })
            })
            .unwrap_or_default()
    }

    /// The http(s) URLs in the text part, in order.
    pub fn links(&self) -> Vec<String> {
        find_links(&self.text_body())
    }
}

/// The raw value of the first header called `name`, unfolded and trimmed.
fn raw_header(raw: &str, name: &str) -> Option<String> {
    let head = raw
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .split("\n\n")
        .next()
        .unwrap_or_default();
    let mut found: Option<String> = None;
    for line in head.lines() {
        let line = line.trim_end_matches('\r');
        let continued = line.starts_with([' ', '\t']);
        match (&mut found, continued) {
            (Some(value), true) => value.push_str(line),
            (Some(_), false) => break,
            (None, false) => {
                if let Some((field, value)) = line.split_once(':')
                    && field.trim().eq_ignore_ascii_case(name)
                {
                    found = Some(value.to_owned());
                }
            }
            (None, true) => {}
        }
    }
    found.map(|v| v.trim().to_owned())
}

fn find_links(text: &str) -> Vec<String> {
    let mut links = Vec::new();
    let mut rest = text;
    while let Some(start) = ["http://", "https://"]
        .iter()
        .filter_map(|scheme| rest.find(scheme))
        .min()
    {
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '`'))
            .unwrap_or(tail.len());
        // Punctuation that ends a sentence is not part of the link.
        let link = tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']']);
        if link.len() > "https://".len() {
            links.push(link.to_owned());
        }
        rest = &tail[end..];
    }
    links
}

#[derive(Debug)]
struct Shared {
    caught: Mutex<Vec<CaughtMail>>,
    rejected: Mutex<Vec<CaughtMail>>,
    fail_next: AtomicUsize,
    logins: Mutex<Vec<(String, String)>>,
    /// Counts messages caught, to wake [`SmtpCatcher::wait_for`].
    arrived: watch::Sender<usize>,
}

impl Shared {
    fn lock(list: &Mutex<Vec<CaughtMail>>) -> std::sync::MutexGuard<'_, Vec<CaughtMail>> {
        list.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lock_logins(
        logins: &Mutex<Vec<(String, String)>>,
    ) -> std::sync::MutexGuard<'_, Vec<(String, String)>> {
        logins
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn first_to(&self, to: &str) -> Option<CaughtMail> {
        Shared::lock(&self.caught)
            .iter()
            .find(|m| m.to.iter().any(|r| r.eq_ignore_ascii_case(to)))
            .cloned()
    }
}

/// The running server; it stops when dropped.
#[derive(Debug)]
pub struct SmtpCatcher {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl SmtpCatcher {
    pub async fn start() -> SmtpCatcher {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("SMTP catcher: bind 127.0.0.1:0: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("SMTP catcher: local address: {e}"));
        let shared = Arc::new(Shared {
            caught: Mutex::new(Vec::new()),
            rejected: Mutex::new(Vec::new()),
            fail_next: AtomicUsize::new(0),
            logins: Mutex::new(Vec::new()),
            arrived: watch::Sender::new(0),
        });
        let accept = tokio::spawn(accept_loop(listener, shared.clone()));
        SmtpCatcher {
            addr,
            shared,
            accept,
        }
    }

    /// `smtp://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every message accepted so far, oldest first.
    pub fn messages(&self) -> Vec<CaughtMail> {
        Shared::lock(&self.shared.caught).clone()
    }

    /// Every message refused through [`SmtpCatcher::fail_next`], oldest first.
    pub fn rejected(&self) -> Vec<CaughtMail> {
        Shared::lock(&self.shared.rejected).clone()
    }

    /// The user names and passwords clients signed in with, oldest first.
    pub fn logins(&self) -> Vec<(String, String)> {
        Shared::lock_logins(&self.shared.logins).clone()
    }

    /// The first message accepted for envelope recipient `to`, waiting for
    /// it at most `timeout`.
    pub async fn wait_for(&self, to: &str, timeout: Duration) -> Option<CaughtMail> {
        let deadline = tokio::time::Instant::now() + timeout;
        // Subscribing before looking means no arrival in between is missed.
        let mut arrivals = self.shared.arrived.subscribe();
        loop {
            if let Some(mail) = self.shared.first_to(to) {
                return Some(mail);
            }
            match tokio::time::timeout_at(deadline, arrivals.changed()).await {
                Ok(Ok(())) => {}
                _ => return self.shared.first_to(to),
            }
        }
    }

    /// Every message accepted for a `To:` header naming `to`, oldest first.
    pub fn messages_to(&self, to: &str) -> Vec<CaughtMail> {
        self.messages()
            .into_iter()
            .filter(|m| m.header("To").is_some_and(|h| h.contains(to)))
            .collect()
    }

    /// Waits (up to `wait`) until `to` has `n` messages, then `quiet` more
    /// to see that no further one comes, and panics unless there are
    /// exactly `n`: for "one e-mail, not one per lead" and "none at all".
    pub async fn expect_exactly(
        &self,
        to: &str,
        n: usize,
        wait: Duration,
        quiet: Duration,
    ) -> Vec<CaughtMail> {
        let deadline = tokio::time::Instant::now() + wait;
        while self.messages_to(to).len() < n && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(quiet).await;
        let mails = self.messages_to(to);
        assert_eq!(
            mails.len(),
            n,
            "e-mails to {to}: {:?}",
            mails.iter().map(CaughtMail::subject).collect::<Vec<_>>()
        );
        mails
    }

    /// Answers the next `n` messages with `451` after their data arrived, as
    /// a server with a passing fault would.
    pub fn fail_next(&self, n: usize) {
        self.shared.fail_next.store(n, Ordering::SeqCst);
    }
}

impl Drop for SmtpCatcher {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut sessions = tokio::task::JoinSet::new();
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let shared = shared.clone();
                sessions.spawn(async move {
                    if let Err(e) = session(stream, &shared).await {
                        tracing::debug!(error = %e, "SMTP catcher: session ended");
                    }
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "SMTP catcher: accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        // Reap finished sessions; the rest end with the set when aborted.
        while sessions.try_join_next().is_some() {}
    }
}

async fn reply<W: AsyncWrite + Unpin>(w: &mut W, text: &str) -> std::io::Result<()> {
    w.write_all(text.as_bytes()).await?;
    w.write_all(b"\r\n").await?;
    w.flush().await
}

/// One line without its line ending, or `None` at the end of the stream.
async fn read_line<R: AsyncBufReadExt + Unpin>(r: &mut R) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let n = r.take(MAX_LINE).read_until(b'\n', &mut line).await?;
    if n == 0 {
        return Ok(None);
    }
    while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        line.pop();
    }
    Ok(Some(line))
}

/// The address inside `FROM:<…>` / `TO:<…>`, parameters after it ignored.
fn path_argument(arg: &str, keyword: &str) -> Option<String> {
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg[keyword.len()..].trim_start();
    let path = match rest.strip_prefix('<') {
        Some(inner) => inner.split('>').next()?.to_owned(),
        None => rest.split_whitespace().next()?.to_owned(),
    };
    Some(path)
}

async fn session(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let _ = stream.set_nodelay(true);
    let (read, mut w) = stream.into_split();
    let mut r = BufReader::new(read);
    reply(&mut w, "220 127.0.0.1 ESMTP openprm-testkit").await?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    while let Some(line) = read_line(&mut r).await? {
        let line = String::from_utf8_lossy(&line).into_owned();
        let (verb, arg) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        let arg = arg.trim();
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                let greeting = format!(
                    "250-127.0.0.1 greets {arg}\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n\
                     250-PIPELINING\r\n250-SIZE {MAX_MESSAGE}\r\n250-AUTH PLAIN LOGIN\r\n250 HELP"
                );
                reply(&mut w, &greeting).await?;
            }
            "HELO" => reply(&mut w, "250 127.0.0.1").await?,
            "AUTH" => auth(&mut r, &mut w, arg, shared).await?,
            "MAIL" => match path_argument(arg, "FROM:") {
                Some(path) => {
                    from = Some(path);
                    to.clear();
                    reply(&mut w, "250 2.1.0 OK").await?;
                }
                None => reply(&mut w, "501 5.5.4 Syntax: MAIL FROM:<address>").await?,
            },
            "RCPT" if from.is_none() => reply(&mut w, "503 5.5.1 MAIL first").await?,
            "RCPT" => match path_argument(arg, "TO:") {
                Some(path) if !path.is_empty() => {
                    to.push(path);
                    reply(&mut w, "250 2.1.5 OK").await?;
                }
                _ => reply(&mut w, "501 5.5.4 Syntax: RCPT TO:<address>").await?,
            },
            "DATA" if to.is_empty() => reply(&mut w, "503 5.5.1 RCPT first").await?,
            "DATA" => {
                reply(&mut w, "354 End data with <CR><LF>.<CR><LF>").await?;
                let Some(data) = read_data(&mut r).await? else {
                    return Ok(());
                };
                let mail = CaughtMail {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    raw: String::from_utf8_lossy(&data.bytes).into_owned(),
                };
                if data.too_big {
                    reply(&mut w, "552 5.3.4 Message too big").await?;
                } else if take_one(&shared.fail_next) {
                    Shared::lock(&shared.rejected).push(mail);
                    reply(&mut w, "451 4.3.0 Try again later").await?;
                } else {
                    Shared::lock(&shared.caught).push(mail);
                    shared.arrived.send_modify(|n| *n += 1);
                    reply(&mut w, "250 2.0.0 OK queued").await?;
                }
            }
            "RSET" => {
                from = None;
                to.clear();
                reply(&mut w, "250 2.0.0 OK").await?;
            }
            "NOOP" => reply(&mut w, "250 2.0.0 OK").await?,
            "VRFY" => reply(&mut w, "252 2.0.0 Cannot verify, will accept").await?,
            "STARTTLS" => reply(&mut w, "454 4.7.0 TLS not available").await?,
            "QUIT" => {
                reply(&mut w, "221 2.0.0 Bye").await?;
                return Ok(());
            }
            _ => reply(&mut w, "502 5.5.2 Command not recognized").await?,
        }
    }
    Ok(())
}

fn take_one(counter: &AtomicUsize) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

/// Accepts any credentials and records them; a test of the sender only
/// needs the dialogue.
async fn auth<R, W>(r: &mut R, w: &mut W, arg: &str, shared: &Shared) -> std::io::Result<()>
where
    R: AsyncBufReadExt + Unpin,
    W: AsyncWrite + Unpin,
{
    let (mechanism, initial) = arg.split_once(' ').unwrap_or((arg, ""));
    let mechanism = mechanism.to_ascii_uppercase();
    let mut answers: Vec<Vec<u8>> = Vec::new();
    if !initial.is_empty() {
        answers.push(initial.as_bytes().to_vec());
    }
    let prompts: &[&str] = match (mechanism.as_str(), initial.is_empty()) {
        ("PLAIN", true) => &["334 "],
        ("PLAIN", false) => &[],
        ("LOGIN", true) => &["334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6"],
        ("LOGIN", false) => &["334 UGFzc3dvcmQ6"],
        _ => return reply(w, "504 5.5.4 Unrecognized authentication type").await,
    };
    for prompt in prompts {
        reply(w, prompt).await?;
        match read_line(r).await? {
            Some(answer) if answer != b"*" => answers.push(answer),
            Some(_) => return reply(w, "501 5.0.0 Authentication cancelled").await,
            None => return Ok(()),
        }
    }
    let decoded: Option<Vec<String>> = answers
        .iter()
        .map(|a| {
            BASE64
                .decode(a)
                .ok()
                .map(|d| String::from_utf8_lossy(&d).into_owned())
        })
        .collect();
    let login = match (mechanism.as_str(), decoded.as_deref()) {
        // PLAIN: authorisation id, user and password, separated by NUL.
        ("PLAIN", Some([plain])) => {
            let mut fields = plain.split('\0').skip(1);
            fields
                .next()
                .zip(fields.next())
                .map(|(u, p)| (u.to_owned(), p.to_owned()))
        }
        ("LOGIN", Some([user, password])) => Some((user.clone(), password.clone())),
        _ => None,
    };
    let Some(login) = login else {
        return reply(w, "501 5.5.2 Cannot decode the credentials").await;
    };
    Shared::lock_logins(&shared.logins).push(login);
    reply(w, "235 2.7.0 Authentication successful").await
}

struct Data {
    bytes: Vec<u8>,
    too_big: bool,
}

/// Reads message data up to the lone `.` line, undoing dot-stuffing; `None`
/// when the client hung up first.
async fn read_data<R: AsyncBufReadExt + Unpin>(r: &mut R) -> std::io::Result<Option<Data>> {
    let mut data = Data {
        bytes: Vec::new(),
        too_big: false,
    };
    let mut line = Vec::new();
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        let content = line
            .strip_suffix(b"\r\n")
            .or_else(|| line.strip_suffix(b"\n"))
            .unwrap_or(&line);
        if content == b"." {
            return Ok(Some(data));
        }
        let content = content.strip_prefix(b".").unwrap_or(content);
        if data.bytes.len() + content.len() + 2 > MAX_MESSAGE {
            data.too_big = true;
            continue;
        }
        data.bytes.extend_from_slice(content);
        data.bytes.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncBufReadExt;

    /// A hand-driven client: sends a line, returns the reply's last line.
    struct Client {
        r: BufReader<tokio::net::tcp::OwnedReadHalf>,
        w: tokio::net::tcp::OwnedWriteHalf,
    }

    impl Client {
        async fn connect(catcher: &SmtpCatcher) -> Client {
            let stream = TcpStream::connect(catcher.addr())
                .await
                .unwrap_or_else(|e| panic!("connect: {e}"));
            let (r, w) = stream.into_split();
            let mut client = Client {
                r: BufReader::new(r),
                w,
            };
            let greeting = client.read_reply().await;
            assert!(greeting.starts_with("220"), "{greeting}");
            client
        }

        async fn read_reply(&mut self) -> String {
            loop {
                let mut line = String::new();
                self.r
                    .read_line(&mut line)
                    .await
                    .unwrap_or_else(|e| panic!("read: {e}"));
                if line.len() < 4 || line.as_bytes()[3] != b'-' {
                    return line.trim_end().to_owned();
                }
            }
        }

        async fn send(&mut self, text: &str) -> String {
            self.w
                .write_all(text.as_bytes())
                .await
                .unwrap_or_else(|e| panic!("write: {e}"));
            self.w
                .write_all(b"\r\n")
                .await
                .unwrap_or_else(|e| panic!("write: {e}"));
            self.read_reply().await
        }
    }

    const MESSAGE: &str = "From: a@example.com\r\nTo: Bo <b@example.com>\r\n\
        Subject: =?utf-8?q?=C3=A6=C3=B8=C3=A5?=\r\nMessage-ID:\r\n <1@example.com>\r\n\r\n\
        ..leading dot\r\nSee https://portal.example/a?b=1.\r\n.";

    #[tokio::test]
    async fn a_dialogue_with_reset_auth_and_dot_stuffing() {
        let catcher = SmtpCatcher::start().await;
        let mut c = Client::connect(&catcher).await;
        assert!(c.send("EHLO client.example").await.starts_with("250 "));
        assert!(
            c.send("AUTH PLAIN AHVzZXIAcGFzcw==")
                .await
                .starts_with("235")
        );
        assert!(c.send("DATA").await.starts_with("503"));
        assert!(c.send("MAIL FROM:<x@example.com>").await.starts_with("250"));
        assert!(c.send("RSET").await.starts_with("250"));
        assert!(c.send("RCPT TO:<b@example.com>").await.starts_with("503"));
        assert!(
            c.send("mail from:<a@example.com> SIZE=100")
                .await
                .starts_with("250")
        );
        assert!(c.send("RCPT TO:<b@example.com>").await.starts_with("250"));
        assert!(c.send("NOOP").await.starts_with("250"));
        assert!(c.send("DATA").await.starts_with("354"));
        assert!(c.send(MESSAGE).await.starts_with("250"));
        assert!(c.send("QUIT").await.starts_with("221"));

        let mail = catcher
            .wait_for("B@example.com", Duration::from_secs(5))
            .await
            .unwrap_or_else(|| panic!("no mail caught"));
        assert_eq!(mail.from, "a@example.com");
        assert_eq!(mail.to, vec!["b@example.com".to_owned()]);
        assert!(mail.raw.contains("\r\n.leading dot\r\n"), "{}", mail.raw);
        assert_eq!(mail.subject(), "æøå");
        assert_eq!(mail.header("subject").as_deref(), Some("æøå"));
        assert_eq!(
            mail.header("Message-ID").as_deref(),
            Some("<1@example.com>")
        );
        assert_eq!(mail.header("To").as_deref(), Some("Bo <b@example.com>"));
        assert_eq!(
            mail.links(),
            vec!["https://portal.example/a?b=1".to_owned()]
        );
    }

    #[tokio::test]
    async fn fail_next_refuses_that_many_messages_then_accepts() {
        let catcher = SmtpCatcher::start().await;
        catcher.fail_next(1);
        let mut c = Client::connect(&catcher).await;
        assert!(c.send("HELO client.example").await.starts_with("250"));
        for expected in ["451", "250"] {
            assert!(c.send("MAIL FROM:<a@example.com>").await.starts_with("250"));
            assert!(c.send("RCPT TO:<b@example.com>").await.starts_with("250"));
            assert!(c.send("DATA").await.starts_with("354"));
            let answer = c.send("Subject: hi\r\n\r\nbody\r\n.").await;
            assert!(answer.starts_with(expected), "{answer}");
        }
        assert_eq!(catcher.rejected().len(), 1);
        assert_eq!(catcher.messages().len(), 1);
    }

    #[tokio::test]
    async fn wait_for_gives_up_after_its_timeout() {
        let catcher = SmtpCatcher::start().await;
        assert!(
            catcher
                .wait_for("nobody@example.com", Duration::from_millis(50))
                .await
                .is_none()
        );
    }

    #[test]
    fn links_end_before_markup_and_punctuation() {
        let text = "Open <https://a.example/x>, then http://b.example/y). Not: http:// or ftp://c";
        assert_eq!(
            find_links(text),
            vec![
                "https://a.example/x".to_owned(),
                "http://b.example/y".to_owned()
            ]
        );
    }
}

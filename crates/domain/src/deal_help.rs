//! Asking for help on a deal and answering it (spec flow 11): the texts a
//! partner and a channel manager write, the links they attach, and which
//! uploaded files are accepted.
//!
//! Every value is parsed here once, so the store keeps only what passed. A file
//! is accepted by what its bytes are *and* what its name says, both of which
//! must agree: a renamed executable is neither a PDF nor a picture.

use crate::{DomainError, LeadId, OpportunityId, Role};

/// The longest help request, answer or note, in characters.
pub const TEXT_MAX_CHARS: usize = 4000;
/// The longest resource title, in characters.
pub const TITLE_MAX_CHARS: usize = 200;
/// The longest link, in characters.
pub const URL_MAX_CHARS: usize = 2000;
/// The largest file a resource may hold.
pub const FILE_MAX_BYTES: usize = 10 * 1024 * 1024;

/// A lead or an opportunity: the records help and resources attach to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DealRef {
    Lead(LeadId),
    Opportunity(OpportunityId),
}

impl DealRef {
    /// `lead` or `opportunity`, as stored and as live events name records.
    pub fn kind(self) -> &'static str {
        match self {
            DealRef::Lead(_) => "lead",
            DealRef::Opportunity(_) => "opportunity",
        }
    }

    pub fn uuid(self) -> uuid::Uuid {
        match self {
            DealRef::Lead(id) => id.0,
            DealRef::Opportunity(id) => id.0,
        }
    }

    /// The record's page.
    pub fn path(self) -> String {
        match self {
            DealRef::Lead(id) => format!("/leads/{id}"),
            DealRef::Opportunity(id) => format!("/opportunities/{id}"),
        }
    }

    pub fn parse(kind: &str, id: uuid::Uuid) -> Option<DealRef> {
        match kind {
            "lead" => Some(DealRef::Lead(LeadId(id))),
            "opportunity" => Some(DealRef::Opportunity(OpportunityId(id))),
            _ => None,
        }
    }
}

/// Who may ask for help: partner staff (vendor staff are the ones asked).
pub fn may_ask_for_help(role: Role) -> Result<(), DomainError> {
    if role.is_partner() {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// Who may answer and attach resources: vendor staff.
pub fn may_answer(role: Role) -> Result<(), DomainError> {
    if role.is_partner() {
        Err(DomainError::Forbidden)
    } else {
        Ok(())
    }
}

/// A help request's or an answer's text: trimmed, not empty, at most
/// [`TEXT_MAX_CHARS`], no control characters but line breaks and tabs; line
/// breaks become `\n`.
pub fn parse_text(field: &str, text: &str) -> Result<String, DomainError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DomainError::field(field, "error-required"));
    }
    if text.chars().count() > TEXT_MAX_CHARS {
        return Err(DomainError::field(field, "error-too-long"));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(DomainError::field(field, "error-invalid-characters"));
    }
    Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// A resource's title: one line, not empty, at most [`TITLE_MAX_CHARS`].
pub fn parse_title(title: &str) -> Result<String, DomainError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(DomainError::field("title", "error-required"));
    }
    if title.chars().count() > TITLE_MAX_CHARS {
        return Err(DomainError::field("title", "error-too-long"));
    }
    if title.chars().any(char::is_control) {
        return Err(DomainError::field("title", "error-invalid-characters"));
    }
    Ok(title.to_owned())
}

/// A link: `http://` or `https://`, a host, no spaces or control characters.
/// Anything else (`javascript:`, `data:`, `file:`) is refused: a link is
/// shown to partners as something to click.
pub fn parse_url(url: &str) -> Result<String, DomainError> {
    let url = url.trim();
    let bad = || DomainError::field("url", "error-url-invalid");
    if url.is_empty() {
        return Err(DomainError::field("url", "error-required"));
    }
    if url.chars().count() > URL_MAX_CHARS {
        return Err(DomainError::field("url", "error-too-long"));
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(bad());
    }
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // Credentials in a link are a phishing trick (`https://bank.com@evil.example`).
    if authority.contains('@') {
        return Err(bad());
    }
    let host = authority.rsplit_once(':').map_or(authority, |(h, port)| {
        if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            authority
        }
    });
    let host_ok = !host.is_empty()
        && !host.starts_with('.')
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    if !host_ok {
        return Err(bad());
    }
    Ok(url.to_owned())
}

/// The kinds of file a resource may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Docx,
    Xlsx,
    Pptx,
    Text,
    Csv,
}

impl FileKind {
    /// The content type the file is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            FileKind::Text => "text/plain; charset=utf-8",
            FileKind::Csv => "text/csv; charset=utf-8",
        }
    }

    /// What the name's extension claims.
    fn from_extension(name: &str) -> Option<FileKind> {
        let (_, ext) = name.rsplit_once('.')?;
        Some(match ext.to_ascii_lowercase().as_str() {
            "pdf" => FileKind::Pdf,
            "png" => FileKind::Png,
            "jpg" | "jpeg" => FileKind::Jpeg,
            "docx" => FileKind::Docx,
            "xlsx" => FileKind::Xlsx,
            "pptx" => FileKind::Pptx,
            "txt" => FileKind::Text,
            "csv" => FileKind::Csv,
            _ => return None,
        })
    }

    /// Whether the bytes are what the kind says.
    fn matches(self, bytes: &[u8]) -> bool {
        match self {
            FileKind::Pdf => bytes.starts_with(b"%PDF-"),
            FileKind::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            FileKind::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
            // Office files are ZIP archives whose part names say which
            // application they belong to.
            FileKind::Docx => office(bytes, b"word/"),
            FileKind::Xlsx => office(bytes, b"xl/"),
            FileKind::Pptx => office(bytes, b"ppt/"),
            FileKind::Text | FileKind::Csv => {
                !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
            }
        }
    }
}

fn office(bytes: &[u8], folder: &[u8]) -> bool {
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|window| window == needle);
    bytes.starts_with(b"PK\x03\x04") && contains(b"[Content_Types].xml") && contains(folder)
}

/// An uploaded file that passed: its cleaned name and kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptedFile {
    pub file_name: String,
    pub kind: FileKind,
}

/// Checks an upload: not empty, at most [`FILE_MAX_BYTES`], an allowed
/// extension, and content that is what the extension says.
pub fn check_file(file_name: &str, bytes: &[u8]) -> Result<AcceptedFile, DomainError> {
    let file_name = clean_file_name(file_name);
    if file_name.is_empty() {
        return Err(DomainError::field("file", "error-required"));
    }
    if bytes.is_empty() {
        return Err(DomainError::field("file", "error-file-empty"));
    }
    if bytes.len() > FILE_MAX_BYTES {
        return Err(DomainError::field("file", "error-file-too-large"));
    }
    let kind = FileKind::from_extension(&file_name)
        .ok_or_else(|| DomainError::field("file", "error-file-type"))?;
    if !kind.matches(bytes) {
        return Err(DomainError::field("file", "error-file-type"));
    }
    Ok(AcceptedFile { file_name, kind })
}

/// The last part of a path a browser may send (`C:\Users\x\offer.pdf`),
/// without control characters or quotes, at most 200 characters.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    base.chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .collect::<String>()
        .trim()
        .chars()
        .rev()
        .take(200)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(e: DomainError, field: &str) -> String {
        match e {
            DomainError::Validation(f) => f.0.get(field).cloned().unwrap_or_default(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn links_must_be_http_or_https_to_a_host() {
        assert!(parse_url("https://example.com/deck.pdf").is_ok());
        assert!(parse_url("http://intranet:8080/x?y=1#z").is_ok());
        assert!(parse_url(" HTTPS://Example.com ").is_ok());
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "ftp://example.com",
            "https://",
            "https:///path",
            "https://exa mple.com",
            "https://user@evil.example",
            "example.com",
        ] {
            assert_eq!(
                key(parse_url(bad).unwrap_err(), "url"),
                "error-url-invalid",
                "{bad}"
            );
        }
        assert_eq!(key(parse_url("").unwrap_err(), "url"), "error-required");
    }

    #[test]
    fn files_are_accepted_by_content_and_extension_together() {
        assert_eq!(
            check_file("offer.pdf", b"%PDF-1.7 rest").unwrap().kind,
            FileKind::Pdf
        );
        assert_eq!(
            check_file("C:\\Users\\x\\Price list.CSV", b"a;b\n1;2\n")
                .unwrap()
                .file_name,
            "Price list.CSV"
        );
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml";
        assert_eq!(check_file("a.docx", docx).unwrap().kind, FileKind::Docx);
        assert_eq!(
            key(check_file("a.xlsx", docx).unwrap_err(), "file"),
            "error-file-type"
        );
        // A renamed program, a page pretending to be text, an unknown extension.
        assert_eq!(
            key(check_file("a.pdf", b"MZ\x90\x00").unwrap_err(), "file"),
            "error-file-type"
        );
        assert_eq!(
            key(check_file("a.txt", b"\x00\x01bin").unwrap_err(), "file"),
            "error-file-type"
        );
        assert_eq!(
            key(check_file("a.html", b"<html>").unwrap_err(), "file"),
            "error-file-type"
        );
        assert_eq!(
            key(check_file("a.exe", b"%PDF-").unwrap_err(), "file"),
            "error-file-type"
        );
        assert_eq!(
            key(check_file("a.pdf", b"").unwrap_err(), "file"),
            "error-file-empty"
        );
        let big = vec![b'a'; FILE_MAX_BYTES + 1];
        assert_eq!(
            key(check_file("a.txt", &big).unwrap_err(), "file"),
            "error-file-too-large"
        );
        assert_eq!(
            key(check_file("", b"x").unwrap_err(), "file"),
            "error-required"
        );
    }

    #[test]
    fn texts_are_trimmed_and_checked() {
        assert_eq!(
            parse_text("message", " Need a quote\r\nplease ").unwrap(),
            "Need a quote\nplease"
        );
        assert_eq!(
            key(parse_text("message", "  ").unwrap_err(), "message"),
            "error-required"
        );
        assert_eq!(
            key(parse_text("message", "a\u{7}").unwrap_err(), "message"),
            "error-invalid-characters"
        );
        assert!(parse_text("message", &"x".repeat(TEXT_MAX_CHARS + 1)).is_err());
        assert!(parse_title("Reference case").is_ok());
        assert!(parse_title("two\nlines").is_err());
    }

    #[test]
    fn partners_ask_and_vendor_staff_answer() {
        assert!(may_ask_for_help(Role::PartnerUser).is_ok());
        assert!(may_ask_for_help(Role::ChannelManager).is_err());
        assert!(may_answer(Role::Admin).is_ok());
        assert!(may_answer(Role::PartnerManager).is_err());
    }
}

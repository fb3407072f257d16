//! Multipart form bodies (file uploads), read from bytes already buffered.
//!
//! The CSRF check and the upload handlers both need the fields of one body;
//! reading it from bytes lets each parse it whole, with one size limit set
//! where the body is buffered.

use std::collections::HashMap;

use axum::body::Bytes;

use crate::error::AppError;

/// The largest upload request: the largest file and room for the form's
/// other fields. A file a little over the file limit still arrives whole, so
/// it is refused as a field error (422) rather than cut off.
pub const UPLOAD_BODY_LIMIT: usize = openprm_domain::deal_help::FILE_MAX_BYTES + 2 * 1024 * 1024;

/// One uploaded file.
#[derive(Debug)]
pub struct UploadedFile {
    pub file_name: String,
    pub content: Vec<u8>,
}

/// A parsed multipart form: its text fields, and its file field `file`.
#[derive(Debug, Default)]
pub struct MultipartForm {
    pub fields: HashMap<String, String>,
    pub file: Option<UploadedFile>,
}

impl MultipartForm {
    pub fn text(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// Whether a request's content type is a multipart form.
pub fn is_multipart(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|c| {
        c.trim_start()
            .to_ascii_lowercase()
            .starts_with("multipart/form-data")
    })
}

/// Parses a multipart body. A malformed one is a bad request; a text field
/// that is not UTF-8 or holds a NUL is one too.
pub async fn parse(content_type: &str, body: Bytes) -> Result<MultipartForm, AppError> {
    let boundary =
        multer::parse_boundary(content_type).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let stream = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut form = MultipartForm::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.to_string()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        match file_name {
            Some(file_name) if name == "file" => {
                // A file input left empty sends a part with no name and no bytes.
                if !(file_name.is_empty() && bytes.is_empty()) {
                    form.file = Some(UploadedFile {
                        file_name,
                        content: bytes.to_vec(),
                    });
                }
            }
            _ => {
                let text = String::from_utf8(bytes.to_vec())
                    .map_err(|_| AppError::BadRequest("a form field is not UTF-8".into()))?;
                if text.contains('\0') {
                    return Err(AppError::BadRequest("a NUL character in a form".into()));
                }
                form.fields.entry(name).or_insert(text);
            }
        }
    }
    Ok(form)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn fields_and_the_file_are_read() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\
                    Content-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n";
        let form = parse("multipart/form-data; boundary=XyZ", Bytes::from(body))
            .await
            .unwrap();
        assert_eq!(form.text("_csrf"), "tok");
        let file = form.file.unwrap();
        assert_eq!(file.file_name, "a.txt");
        assert_eq!(file.content, b"hello");
        assert!(
            parse("multipart/form-data", Bytes::from(body))
                .await
                .is_err()
        );
        assert!(is_multipart(Some("Multipart/Form-Data; boundary=x")));
        assert!(!is_multipart(Some("application/x-www-form-urlencoded")));
    }
}

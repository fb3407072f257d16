//! Bytes of an uploaded file to text, the way spreadsheets write CSV files:
//! UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's
//! "Unicode text"), and otherwise Windows-1252 (Excel's "CSV" on a Danish or
//! English Windows writes æøå that way). A charset named by the upload wins
//! over guessing.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

use super::FileProblem;

/// The text of the file, or why it is not a text file at all.
///
/// `charset` is the label from a `Content-Type` such as
/// `text/csv; charset=windows-1252`, if the upload gave one.
pub fn decode(bytes: &[u8], charset: Option<&str>) -> Result<String, FileProblem> {
    let named = charset.and_then(|label| Encoding::for_label(label.trim().as_bytes()));
    let text = match Encoding::for_bom(bytes) {
        // A byte-order mark is the file's own word and beats a label.
        Some((encoding, bom)) => strict(encoding, &bytes[bom..])?,
        None => match named {
            Some(encoding) => strict(encoding, bytes)?,
            None => match std::str::from_utf8(bytes) {
                Ok(text) => text.to_owned(),
                // Not UTF-8: every byte means something in Windows-1252.
                Err(_) => WINDOWS_1252
                    .decode_without_bom_handling(bytes)
                    .0
                    .into_owned(),
            },
        },
    };
    if looks_binary(&text) {
        return Err(FileProblem::NotText);
    }
    Ok(text)
}

/// Decodes with `encoding`, refusing bytes that do not belong to it (a file
/// that says it is UTF-8 but is not would otherwise import as `�`).
fn strict(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, FileProblem> {
    if encoding == UTF_8 {
        return std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| FileProblem::NotText);
    }
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(FileProblem::NotText);
    }
    Ok(text.into_owned())
}

/// A NUL anywhere, or more than one control character in a hundred at the
/// start, means this is not a spreadsheet's text (an image, a zip, an .xlsx).
fn looks_binary(text: &str) -> bool {
    if text.contains('\0') {
        return true;
    }
    let start: Vec<char> = text.chars().take(4096).collect();
    let controls = start
        .iter()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    controls * 100 > start.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(
            decode("Navn;Æblegård".as_bytes(), None).unwrap(),
            "Navn;Æblegård"
        );
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice("Navn;Ø".as_bytes());
        assert_eq!(decode(&with_bom, None).unwrap(), "Navn;Ø");
    }

    #[test]
    fn windows_1252_when_not_utf8() {
        // "Søren;Blåbær" as Excel writes it on Windows.
        let bytes = b"S\xF8ren;Bl\xE5b\xE6r \x80";
        assert_eq!(decode(bytes, None).unwrap(), "Søren;Blåbær €");
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Navn\tÅse".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&bytes, None).unwrap(), "Navn\tÅse");
    }

    #[test]
    fn a_named_charset_wins_over_guessing() {
        assert_eq!(decode(b"K\xF8ge", Some("windows-1252")).unwrap(), "Køge");
        assert_eq!(decode(b"K\xF8ge", Some("iso-8859-1")).unwrap(), "Køge");
        assert_eq!(decode(b"K\xF8ge", Some("utf-8")), Err(FileProblem::NotText));
        // An unknown label is ignored.
        assert_eq!(decode("Køge".as_bytes(), Some("klingon")).unwrap(), "Køge");
    }

    #[test]
    fn binary_files_are_refused() {
        assert_eq!(
            decode(b"PK\x03\x04\x00\x00", None),
            Err(FileProblem::NotText)
        );
        let controls: Vec<u8> = (0..200)
            .map(|i| if i % 20 == 0 { 0x01 } else { b'a' })
            .collect();
        assert_eq!(decode(&controls, None), Err(FileProblem::NotText));
        assert!(decode(b"Name,Company\r\n\tA,B\r\n", None).is_ok());
    }
}

//! Reading a posted file: the one way a page takes an upload (`multipart/form-data`),
//! with the size refused before the body is read, the form's token checked before the
//! file is, and the file streamed to a temporary file rather than gathered in memory.

use axum::extract::{Multipart, Request};
use axum::http::StatusCode;

use crate::WebError;
use crate::access::{self, Signed};

/// The largest file accepted from a browser (larger files: the command line).
pub const MAX_UPLOAD_BYTES: usize = 256 * 1024 * 1024;

/// A posted form with a file: its other fields as trimmed text, in order, and the file
/// (`None` when none was chosen, or it was empty).
#[derive(Debug, Default)]
pub struct Uploaded {
    /// The fields other than the file and the token.
    pub fields: Vec<(String, String)>,
    /// The file's name as sent, and the temporary file it was streamed to (removed when
    /// dropped): an import reads it from disk, so an upload is never held whole.
    pub file: Option<(String, tempfile::NamedTempFile)>,
}

impl Uploaded {
    /// The first value of a field ("" when absent).
    pub fn field(&self, name: &str) -> &str {
        self.fields.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every value of a field (checkboxes).
    pub fn values(&self, name: &str) -> Vec<String> {
        self.fields.iter().filter(|(n, _)| n == name).map(|(_, v)| v.clone()).collect()
    }
}

/// A body larger than a page takes; `cli` names the command that takes larger files.
fn too_large(cli: &str) -> WebError {
    WebError::TooLarge(format!(
        "The file is larger than {} MB, the most a page takes. Import it with `{cli}`.",
        MAX_UPLOAD_BYTES / (1024 * 1024)
    ))
}

fn expired() -> WebError {
    WebError::Forbidden(
        "This form has expired or did not come from this site. Go back, reload the page and try again.".into(),
    )
}

/// Read a posted form whose file field is `file`, for the signed-in person `s` (whose
/// right to post it the caller has checked). `cli` is the command to suggest for a file
/// over [`MAX_UPLOAD_BYTES`]. A form without its token is refused before the file is read.
pub async fn read_upload(request: Request, s: &Signed, cli: &str) -> Result<Uploaded, WebError> {
    // Refused writes say `Connection: close`, so the sender of a large body stops.
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_UPLOAD_BYTES as u64) {
        return Err(too_large(cli));
    }
    let body_error = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return too_large(cli);
        }
        WebError::BadRequest { field: "form".into(), detail: e.body_text() }
    };
    let mut multipart = <Multipart as axum::extract::FromRequest<()>>::from_request(request, &())
        .await
        .map_err(|e| WebError::BadRequest { field: "form".into(), detail: e.body_text() })?;
    let mut csrf_checked = false;
    let mut form = Uploaded::default();
    let mut spooled = None;
    while let Some(mut field) = multipart.next_field().await.map_err(body_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            // The form sends its token first: no file is read from a form without it.
            if !csrf_checked {
                return Err(expired());
            }
            let file_name = field.file_name().map_or_else(|| "upload.csv".to_owned(), str::to_owned);
            let mut spool =
                tempfile::NamedTempFile::new().map_err(|e| WebError::Internal(format!("temporary file: {e}")))?;
            let mut size = 0usize;
            while let Some(chunk) = field.chunk().await.map_err(body_error)? {
                size += chunk.len();
                if size > MAX_UPLOAD_BYTES {
                    return Err(too_large(cli));
                }
                std::io::Write::write_all(spool.as_file_mut(), &chunk)
                    .map_err(|e| WebError::Internal(format!("temporary file: {e}")))?;
            }
            spooled = Some((file_name, spool, size));
            continue;
        }
        let bytes = field.bytes().await.map_err(body_error)?;
        let text = String::from_utf8_lossy(&bytes).trim().to_owned();
        match name.as_str() {
            "csrf" if access::csrf_matches(s, &text) => csrf_checked = true,
            "csrf" => return Err(expired()),
            _ => form.fields.push((name, text)),
        }
    }
    if !csrf_checked {
        return Err(expired());
    }
    form.file = spooled.filter(|(_, _, size)| *size > 0).map(|(name, spool, _)| (name, spool));
    Ok(form)
}

/// The whole of a small uploaded file (an areas file), read from where it was spooled.
pub fn read_spooled(spool: &tempfile::NamedTempFile) -> Result<Vec<u8>, WebError> {
    std::fs::read(spool.path()).map_err(|e| WebError::Internal(format!("temporary file: {e}")))
}

//! The `multipart/form-data` bodies of the upload operations (`media.upload`, the DingPan
//! uploads): text fields and files, read from the whole body (bounded by the upload limit).
//!
//! A part is a file when the operation declares its name as a file parameter; it must then carry
//! a file name, as DingTalk's upload pages require. Every other part is a text field. Files are
//! put into "the request" as their description (`{"filename", "content_type", "length"}`), which
//! the typed check reads and measures against the documented size limits; their bytes go to the
//! fake's media store.

use axum::body::Bytes;
use serde_json::{Map, Value, json};

use crate::answer::Failure;
use crate::shared::Incoming;
use dingtalk_openapi_runtime::operation::{Location, OperationInfo};

/// One uploaded file.
#[derive(Debug, Clone)]
pub(crate) struct UploadedFile {
    /// The form part name, e.g. `media`.
    pub(crate) part: String,
    pub(crate) filename: String,
    pub(crate) content_type: String,
    pub(crate) bytes: Bytes,
}

/// A form read from a multipart body.
#[derive(Debug, Default)]
pub(crate) struct Form {
    /// Text fields, in order.
    pub(crate) fields: Vec<(String, String)>,
    /// Files, in order.
    pub(crate) files: Vec<UploadedFile>,
}

impl Form {
    /// "The request" as the form gives it, and the names whose values arrived as text.
    pub(crate) fn params(&self) -> Result<(Map<String, Value>, Vec<String>), Failure> {
        let mut params = Map::new();
        let mut coercible = Vec::new();
        for (name, value) in &self.fields {
            if params.contains_key(name) {
                return Err(Failure::invalid(name, "the form field is sent twice"));
            }
            params.insert(name.clone(), Value::String(value.clone()));
            coercible.push(name.clone());
        }
        for file in &self.files {
            if params.contains_key(&file.part) {
                return Err(Failure::invalid(&file.part, "the form part is sent twice"));
            }
            params.insert(
                file.part.clone(),
                json!({
                    "filename": file.filename,
                    "content_type": file.content_type,
                    "length": file.bytes.len(),
                }),
            );
        }
        Ok((params, coercible))
    }
}

/// Reads the form of a multipart request to `info`; a body that is not `multipart/form-data` is
/// refused for its content type, a malformed one as an invalid parameter.
pub(crate) async fn read(info: &OperationInfo, request: &Incoming) -> Result<Form, Failure> {
    let content_type = request.header("content-type").unwrap_or_default();
    let boundary =
        multer::parse_boundary(content_type).map_err(|_| Failure::form_content_type())?;
    let body = request.body.clone();
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let malformed =
        |e: multer::Error| Failure::invalid("", &format!("the multipart body is malformed: {e}"));
    let mut form = Form::default();
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        let part = field.name().unwrap_or_default().to_owned();
        let is_file = info
            .params
            .iter()
            .any(|p| p.name == part && p.location == Location::File);
        if is_file {
            let Some(filename) = field.file_name().map(str::to_owned) else {
                return Err(Failure::invalid(&part, "the file part has no filename"));
            };
            let content_type = field.content_type().map_or_else(
                || "application/octet-stream".to_owned(),
                ToString::to_string,
            );
            let bytes = field.bytes().await.map_err(malformed)?;
            form.files.push(UploadedFile {
                part,
                filename,
                content_type,
                bytes,
            });
        } else {
            let text = field.text().await.map_err(malformed)?;
            form.fields.push((part, text));
        }
    }
    Ok(form)
}

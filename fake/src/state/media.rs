//! Uploaded files: `media.upload` and `file.upload.single` store what they receive and answer a
//! new `media_id`; the message operations accept only `media_id`s a fake could have issued
//! (errcode 40007 otherwise, as DingTalk refuses an unknown one); `GET /__mock/media/{media_id}` serves a
//! stored file back, so downloads can be tested.
//!
//! The store is bounded: the oldest files are dropped beyond [`KEEP_FILES`] files or
//! [`KEEP_BYTES`] bytes.

use std::collections::VecDeque;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use serde_json::{Value, json};

use crate::answer::Failure;
use crate::multipart::UploadedFile;

/// The most files kept.
const KEEP_FILES: usize = 256;
/// The most bytes kept, over all files.
const KEEP_BYTES: usize = 256 << 20;

/// How the fake's `media_id`s begin. An id of this form is accepted even when this fake did not
/// store it (another `dingtalk --mock` process did, or it was dropped from the bounded store):
/// only ids no fake could have issued are refused.
const FAKE_MEDIA_PREFIX: &str = "@lADfake";

/// The operations whose `msg` may name uploaded files.
const MESSAGE_OPERATIONS: &[&str] = &[
    "message.corpconversation.asyncsend_v2",
    "message.send_to_conversation",
    "chat.send",
];

/// One stored file.
#[derive(Debug, Clone)]
pub(crate) struct StoredMedia {
    pub(crate) media_id: String,
    pub(crate) filename: String,
    pub(crate) content_type: String,
    pub(crate) bytes: Bytes,
}

/// The uploaded files, oldest first.
#[derive(Debug, Default)]
pub(crate) struct MediaStore {
    files: VecDeque<StoredMedia>,
    bytes: usize,
}

impl MediaStore {
    /// Keeps a file under `media_id`.
    fn insert(&mut self, media: StoredMedia) {
        self.bytes += media.bytes.len();
        self.files.push_back(media);
        while self.files.len() > KEEP_FILES || (self.bytes > KEEP_BYTES && self.files.len() > 1) {
            if let Some(old) = self.files.pop_front() {
                self.bytes -= old.bytes.len();
            }
        }
    }

    /// The file stored under `media_id`.
    pub(crate) fn get(&self, media_id: &str) -> Option<&StoredMedia> {
        self.files.iter().find(|m| m.media_id == media_id)
    }
}

impl super::State {
    /// The answer of an upload operation that stores its file, or `None` for any other.
    pub(crate) fn store_upload(
        &mut self,
        id: &str,
        request: &Value,
        files: &[UploadedFile],
        mut answer: Value,
    ) -> Option<Value> {
        let part = match id {
            "media.upload" => "media",
            "file.upload.single" => "file",
            _ => return None,
        };
        let file = files.iter().find(|f| f.part == part)?;
        let media_id = self.new_id(FAKE_MEDIA_PREFIX);
        let created_at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let kind = request
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_owned);
        self.media.insert(StoredMedia {
            media_id: media_id.clone(),
            filename: file.filename.clone(),
            content_type: file.content_type.clone(),
            bytes: file.bytes.clone(),
        });
        if let Value::Object(o) = &mut answer {
            o.insert("media_id".into(), json!(media_id));
            if id == "media.upload" {
                o.insert("type".into(), json!(kind));
                o.insert("created_at".into(), json!(created_at));
            }
        }
        Some(answer)
    }

    /// Refuses a message whose `msg` names a `media_id` the store does not hold.
    pub(crate) fn check_media_ids(&self, id: &str, request: &Value) -> Result<(), Failure> {
        if !MESSAGE_OPERATIONS.contains(&id) {
            return Ok(());
        }
        let Some(msg) = request.get("msg") else {
            return Ok(());
        };
        let mut found = Vec::new();
        media_ids(msg, "msg", &mut found);
        for (path, media_id) in found {
            if self.media.get(&media_id).is_none() && !media_id.starts_with(FAKE_MEDIA_PREFIX) {
                return Err(Failure::unknown_media(&path, &media_id));
            }
        }
        Ok(())
    }

    /// The stored file `media_id`.
    pub(crate) fn media(&self, media_id: &str) -> Option<&StoredMedia> {
        self.media.get(media_id)
    }
}

/// Every string under a `media_id` key, with its path.
fn media_ids(value: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(o) => {
            for (k, v) in o {
                let here = format!("{path}.{k}");
                match (k.as_str(), v) {
                    ("media_id", Value::String(id)) => out.push((here, id.clone())),
                    _ => media_ids(v, &here, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                media_ids(v, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(id: &str, len: usize) -> StoredMedia {
        StoredMedia {
            media_id: id.into(),
            filename: "f".into(),
            content_type: "x/y".into(),
            bytes: Bytes::from(vec![0u8; len]),
        }
    }

    #[test]
    fn the_store_is_bounded_by_count_and_bytes() {
        let mut store = MediaStore::default();
        for i in 0..KEEP_FILES + 5 {
            store.insert(media(&format!("m{i}"), 1));
        }
        assert_eq!(store.files.len(), KEEP_FILES);
        assert!(store.get("m0").is_none() && store.get("m260").is_some());
        let mut store = MediaStore::default();
        store.insert(media("a", KEEP_BYTES / 2 + 1));
        store.insert(media("b", KEEP_BYTES / 2 + 1));
        assert!(store.get("a").is_none() && store.get("b").is_some());
        assert_eq!(store.bytes, KEEP_BYTES / 2 + 1);
    }

    #[test]
    fn media_ids_are_found_anywhere_in_a_message() {
        let msg = json!({"msgtype": "file", "file": {"media_id": "@x"},
                         "oa": {"body": {"form": [{"media_id": "@y"}]}}});
        let mut found = Vec::new();
        media_ids(&msg, "msg", &mut found);
        assert_eq!(
            found,
            [
                ("msg.file.media_id".to_owned(), "@x".to_owned()),
                ("msg.oa.body.form[0].media_id".to_owned(), "@y".to_owned())
            ]
        );
    }
}

//! Files sent as parts of a `multipart/form-data` request (`media.upload`, the DingPan uploads).
//!
//! A [`FilePart`] is a file name, a content type, a length known before anything is sent, and
//! where the bytes come from: memory, a path (opened anew for every attempt, streamed, never read
//! whole into memory) or a caller's stream (sent once; a retry cannot replay it). Knowing the
//! length up front lets the generated `validate()` refuse a file over DingTalk's documented size
//! before a single byte goes out.
//!
//! In "the request" (the JSON form of a request that the command line, the fake and logs use) a
//! file part is written as a description, `{"filename", "content_type", "length"}`, never its
//! content. Read back, a JSON object names the file in one of three ways:
//!
//! - `{"path": "logo.png"}`: a file on disk (`dingtalk call --file media=@logo.png` writes this);
//! - `{"filename": "a.txt", "content": "hello"}`: UTF-8 text given inline (examples, tests),
//!   written back the same way;
//! - `{"filename": "a.png", "length": 1024}`: a description only, which can be checked against
//!   the limits but not sent.
//!
//! `content_type` may be given in each form; otherwise it is guessed from the file name's
//! extension among the formats DingTalk accepts, and is `application/octet-stream` for others.

use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The bytes of a streamed file part, as the caller produces them.
pub type ByteStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send + 'static>>;

/// One file of a `multipart/form-data` request: its name, content type, length and bytes.
///
/// Cloning is cheap (bytes are shared). A part made by [`FilePart::stream`] can be sent once:
/// its clones share the one stream, and an attempt after the first (a retry) fails with
/// [`Error::File`](crate::Error::File) instead of sending an empty file.
#[derive(Clone)]
pub struct FilePart {
    filename: String,
    content_type: String,
    len: u64,
    source: Source,
}

#[derive(Clone)]
enum Source {
    Bytes(Bytes),
    /// UTF-8 text given inline (`{"filename", "content"}`): written back the same way.
    Text(Bytes),
    Path(PathBuf),
    Stream(Arc<Mutex<Option<ByteStream>>>),
    Described,
}

impl FilePart {
    /// A file held in memory.
    pub fn bytes(filename: impl Into<String>, content: impl Into<Bytes>) -> FilePart {
        let filename = filename.into();
        let content = content.into();
        FilePart {
            content_type: guess_content_type(&filename).to_owned(),
            filename,
            len: content.len() as u64,
            source: Source::Bytes(content),
        }
    }

    /// A file on disk, named by its last path component. Only its length is read now (so that
    /// size limits can be checked before sending); each attempt opens it again and streams it.
    ///
    /// # Errors
    ///
    /// When the file's metadata cannot be read or it is not a regular file.
    pub fn path(path: impl AsRef<Path>) -> std::io::Result<FilePart> {
        let path = path.as_ref();
        let metadata = std::fs::metadata(path)?;
        if !metadata.is_file() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{} is not a regular file", path.display()),
            ));
        }
        let filename = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(FilePart {
            content_type: guess_content_type(&filename).to_owned(),
            filename,
            len: metadata.len(),
            source: Source::Path(path.to_owned()),
        })
    }

    /// A file produced by a stream of exactly `len` bytes. The stream is sent once: a retry of
    /// the request fails rather than replaying it. A stream that yields more or fewer bytes than
    /// `len` fails the request.
    pub fn stream<S>(filename: impl Into<String>, len: u64, stream: S) -> FilePart
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    {
        let filename = filename.into();
        FilePart {
            content_type: guess_content_type(&filename).to_owned(),
            filename,
            len,
            source: Source::Stream(Arc::new(Mutex::new(Some(Box::pin(stream))))),
        }
    }

    /// The same file under another name (the name DingTalk shows).
    #[must_use]
    pub fn with_filename(mut self, filename: impl Into<String>) -> FilePart {
        self.filename = filename.into();
        self
    }

    /// The same file with this content type instead of the one guessed from its name.
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> FilePart {
        self.content_type = content_type.into();
        self
    }

    /// The file name sent with the part.
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// The content type sent with the part.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the part can be sent again after a failed attempt (bytes and paths can; a
    /// stream cannot).
    pub fn is_replayable(&self) -> bool {
        matches!(
            self.source,
            Source::Bytes(_) | Source::Text(_) | Source::Path(_)
        )
    }

    /// The part as reqwest sends it, for one attempt.
    pub(crate) async fn to_part(&self) -> std::io::Result<reqwest::multipart::Part> {
        let body = match &self.source {
            Source::Bytes(bytes) | Source::Text(bytes) => reqwest::Body::from(bytes.clone()),
            Source::Path(path) => {
                let file = tokio::fs::File::open(path).await?;
                let now = file.metadata().await?.len();
                if now != self.len {
                    return Err(std::io::Error::other(format!(
                        "{} is {now} bytes now, but was {} bytes when the request was made",
                        path.display(),
                        self.len
                    )));
                }
                let reader = tokio::io::AsyncReadExt::take(file, self.len);
                reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(reader))
            }
            Source::Stream(slot) => {
                let stream = slot
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take()
                    .ok_or_else(|| {
                        std::io::Error::other(
                            "the stream was consumed by an earlier attempt and cannot be sent \
                             again (use FilePart::bytes or FilePart::path to allow retries)",
                        )
                    })?;
                reqwest::Body::wrap_stream(Exact {
                    inner: stream,
                    remaining: self.len,
                })
            }
            Source::Described => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the file was given by its description only (filename and length), \
                     without content",
                ));
            }
        };
        reqwest::multipart::Part::stream_with_length(body, self.len)
            .file_name(self.filename.clone())
            .mime_str(&self.content_type)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    }
}

/// A stream that must yield exactly `remaining` bytes.
struct Exact {
    inner: ByteStream,
    remaining: u64,
}

impl Stream for Exact {
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                let len = chunk.len() as u64;
                if len > self.remaining {
                    self.remaining = 0;
                    return Poll::Ready(Some(Err(std::io::Error::other(
                        "the stream yielded more bytes than the length it was declared with",
                    ))));
                }
                self.remaining -= len;
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(None) if self.remaining > 0 => {
                let missing = self.remaining;
                self.remaining = 0;
                Poll::Ready(Some(Err(std::io::Error::other(format!(
                    "the stream ended {missing} bytes short of the length it was declared with"
                )))))
            }
            other => other,
        }
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            Source::Bytes(_) | Source::Text(_) => "bytes",
            Source::Path(_) => "path",
            Source::Stream(_) => "stream",
            Source::Described => "description",
        };
        f.debug_struct("FilePart")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("len", &self.len)
            .field("source", &source)
            .finish()
    }
}

impl PartialEq for FilePart {
    /// Equal when name, type and length agree and the bytes come from the same place: equal
    /// contents, the same path, the same stream, or both descriptions.
    fn eq(&self, other: &FilePart) -> bool {
        let same_source = match (&self.source, &other.source) {
            (Source::Bytes(a) | Source::Text(a), Source::Bytes(b) | Source::Text(b)) => a == b,
            (Source::Path(a), Source::Path(b)) => a == b,
            (Source::Stream(a), Source::Stream(b)) => Arc::ptr_eq(a, b),
            (Source::Described, Source::Described) => true,
            _ => false,
        };
        same_source
            && self.filename == other.filename
            && self.content_type == other.content_type
            && self.len == other.len
    }
}

/// The description a file part is written as in "the request".
#[derive(Serialize)]
struct Description<'a> {
    filename: &'a str,
    content_type: &'a str,
    length: u64,
}

/// An inline text file as it was given: the content type only when it is not the guessed one.
#[derive(Serialize)]
struct Inline<'a> {
    filename: &'a str,
    content: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_type: Option<&'a str>,
}

impl Serialize for FilePart {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if let Source::Text(bytes) = &self.source
            && let Ok(content) = std::str::from_utf8(bytes)
        {
            let guessed = guess_content_type(&self.filename);
            return Inline {
                filename: &self.filename,
                content,
                content_type: (self.content_type != guessed).then_some(&self.content_type),
            }
            .serialize(serializer);
        }
        Description {
            filename: &self.filename,
            content_type: &self.content_type,
            length: self.len,
        }
        .serialize(serializer)
    }
}

/// The ways "the request" may name a file; see the module docs.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Named {
    #[serde(default)]
    path: Option<PathBuf>,
    #[serde(default)]
    filename: Option<String>,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    length: Option<u64>,
}

impl<'de> Deserialize<'de> for FilePart {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<FilePart, D::Error> {
        let named = Named::deserialize(deserializer)?;
        let part = match (named.path, named.content, named.length) {
            (Some(path), None, None) => {
                let part = FilePart::path(&path).map_err(|e| {
                    D::Error::custom(format_args!("cannot read {}: {e}", path.display()))
                })?;
                match named.filename {
                    Some(name) => part.with_filename(name),
                    None => part,
                }
            }
            (None, Some(content), None) => {
                let filename = named
                    .filename
                    .ok_or_else(|| D::Error::missing_field("filename"))?;
                FilePart {
                    content_type: guess_content_type(&filename).to_owned(),
                    len: content.len() as u64,
                    filename,
                    source: Source::Text(Bytes::from(content)),
                }
            }
            (None, None, Some(length)) => {
                let filename = named
                    .filename
                    .ok_or_else(|| D::Error::missing_field("filename"))?;
                FilePart {
                    content_type: guess_content_type(&filename).to_owned(),
                    filename,
                    len: length,
                    source: Source::Described,
                }
            }
            _ => {
                return Err(D::Error::custom(
                    "a file is {\"path\": …}, {\"filename\": …, \"content\": …} or \
                     {\"filename\": …, \"length\": …}",
                ));
            }
        };
        Ok(match named.content_type {
            Some(content_type) => part.with_content_type(content_type),
            None => part,
        })
    }
}

/// The content type of the formats DingTalk's media upload accepts, by extension;
/// `application/octet-stream` for anything else.
fn guess_content_type(filename: &str) -> &'static str {
    let extension = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "amr" => "audio/amr",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "zip" => "application/zip",
        "rar" => "application/vnd.rar",
        "txt" => "text/plain",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_follows_the_extension() {
        assert_eq!(FilePart::bytes("Logo.PNG", "x").content_type(), "image/png");
        assert_eq!(FilePart::bytes("a.amr", "x").content_type(), "audio/amr");
        assert_eq!(
            FilePart::bytes("noext", "x").content_type(),
            "application/octet-stream"
        );
        let part = FilePart::bytes("a.bin", "x").with_content_type("image/jpeg");
        assert_eq!(part.content_type(), "image/jpeg");
    }

    #[test]
    fn serializes_as_a_description_and_reads_three_forms() {
        let text = serde_json::json!({"filename": "a.txt", "content": "hi"});
        let inline: FilePart = serde_json::from_value(text.clone()).unwrap();
        assert_eq!(
            serde_json::to_value(&inline).unwrap(),
            text,
            "inline text round-trips"
        );
        let part = FilePart::bytes("a.txt", "hello");
        let json = serde_json::to_value(&part).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"filename": "a.txt", "content_type": "text/plain", "length": 5})
        );
        let described: FilePart = serde_json::from_value(json).unwrap();
        assert_eq!(described.len(), 5);
        assert!(!described.is_replayable());
        let inline: FilePart =
            serde_json::from_value(serde_json::json!({"filename": "a.txt", "content": "hello"}))
                .unwrap();
        assert_eq!(inline, part);

        let dir = std::env::temp_dir().join(format!("filepart-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("logo.png");
        std::fs::write(&file, [1u8; 300]).unwrap();
        let from_path: FilePart =
            serde_json::from_value(serde_json::json!({"path": file})).unwrap();
        assert_eq!(from_path.filename(), "logo.png");
        assert_eq!(from_path.len(), 300);
        assert_eq!(from_path.content_type(), "image/png");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_descriptions_are_refused_with_a_reason() {
        let err = |v: serde_json::Value| serde_json::from_value::<FilePart>(v).unwrap_err();
        assert!(err(serde_json::json!({})).to_string().contains("a file is"));
        assert!(
            err(serde_json::json!({"content": "x"}))
                .to_string()
                .contains("filename")
        );
        assert!(
            err(serde_json::json!({"path": "/no/such/file.png"}))
                .to_string()
                .contains("cannot read /no/such/file.png")
        );
        assert!(
            err(serde_json::json!({"filename": "a", "length": 1, "x": 2}))
                .to_string()
                .contains("unknown field")
        );
    }

    #[test]
    fn debug_shows_no_content() {
        let part = FilePart::bytes("a.txt", "top secret words");
        let debug = format!("{part:?}");
        assert!(!debug.contains("secret"), "{debug}");
        assert!(debug.contains("a.txt") && debug.contains("16"), "{debug}");
    }

    #[tokio::test]
    async fn a_stream_is_sent_once() {
        let chunks = futures_util::stream::iter([Ok(Bytes::from_static(b"abc"))]);
        let part = FilePart::stream("s.bin", 3, chunks);
        let copy = part.clone();
        assert!(part.to_part().await.is_ok());
        let again = copy.to_part().await.unwrap_err();
        assert!(again.to_string().contains("earlier attempt"), "{again}");
    }

    #[tokio::test]
    async fn a_description_cannot_be_sent() {
        let part: FilePart =
            serde_json::from_value(serde_json::json!({"filename": "a.png", "length": 3})).unwrap();
        assert!(part.to_part().await.is_err());
    }

    #[tokio::test]
    async fn a_stream_must_match_its_length() {
        use futures_util::StreamExt;
        let long = Exact {
            inner: Box::pin(futures_util::stream::iter([Ok(Bytes::from_static(
                b"abcd",
            ))])),
            remaining: 3,
        };
        let items: Vec<_> = long.collect().await;
        assert!(items[0].is_err());
        let short = Exact {
            inner: Box::pin(futures_util::stream::iter([Ok(Bytes::from_static(b"ab"))])),
            remaining: 3,
        };
        let items: Vec<_> = short.collect().await;
        assert!(items[0].is_ok());
        assert!(
            items[1]
                .as_ref()
                .unwrap_err()
                .to_string()
                .contains("1 bytes short")
        );
    }
}

//! Downloads from the temporary URLs DingTalk hands out (a robot message's file, a storage
//! file's download info), streamed to the caller chunk by chunk: the file is never held whole
//! in memory, and the client's answer-size limit does not apply.
//!
//! Such URLs are signed: their query is a credential. It never appears in an error, a log line or
//! `Debug` output; only the scheme, host and path do.

use std::fmt;

use bytes::Bytes;
use futures_util::Stream;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::Client;
use super::base_url::is_loopback;
use crate::error::Error;

/// The operation name downloads report in errors.
const DOWNLOAD: &str = "download";

/// The most bytes of an error answer's body kept for its message.
const EXCERPT_BYTES: usize = 200;

impl Client {
    /// Starts downloading `url` and returns as soon as the answer's headers are in; read the
    /// body with [`Download::chunk`], [`Download::into_stream`] or [`Download::write_to`].
    ///
    /// `url` is a temporary download URL DingTalk gave out (for example the `downloadUrl` of
    /// `robot/messageFiles/download`); it must be `https`, or plain `http` on a loopback host.
    /// No access token is added. `headers` are sent as given (storage download infos come with
    /// headers the download needs). Not retried: call again for a new attempt.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a URL that is not https (or loopback http), [`Error::Transport`] or
    /// [`Error::Timeout`] when the server cannot be reached, [`Error::Http`] for a status other than
    /// 2xx (with the start of the body as its message).
    pub async fn download(&self, url: &str, headers: &[(&str, &str)]) -> Result<Download, Error> {
        let parsed =
            reqwest::Url::parse(url).map_err(|e| Error::Config(format!("download URL: {e}")))?;
        let shown = shown(&parsed);
        let host = parsed.host_str().unwrap_or_default();
        match parsed.scheme() {
            "https" => {}
            "http" if is_loopback(host) => {}
            other => {
                return Err(Error::Config(format!(
                    "download URL `{shown}` has scheme `{other}`; expected https (or http on a \
                     loopback host)"
                )));
            }
        }
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::Config(format!(
                    "download header `{name}` is not a valid header name"
                ))
            })?;
            let mut value = HeaderValue::from_str(value).map_err(|_| {
                Error::Config(format!(
                    "the value of download header `{name}` is not valid"
                ))
            })?;
            // Download headers are often signatures: keep them out of any debug output.
            value.set_sensitive(true);
            map.insert(name, value);
        }
        tracing::debug!(url = %shown, "download started");
        let response = self
            .inner
            .transport
            .http()
            .get(parsed)
            .headers(map)
            .send()
            .await
            .map_err(|e| Error::from_reqwest(DOWNLOAD, e.without_url()))?;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            let request_id = response
                .headers()
                .get("x-acs-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let mut download = Download { status, response };
            let mut excerpt = Vec::new();
            while excerpt.len() < EXCERPT_BYTES {
                match download.chunk().await {
                    Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk),
                    _ => break,
                }
            }
            excerpt.truncate(EXCERPT_BYTES);
            return Err(Error::Http {
                operation: DOWNLOAD,
                status,
                code: String::new(),
                message: String::from_utf8_lossy(&excerpt).into_owned(),
                request_id,
            });
        }
        Ok(Download { status, response })
    }
}

/// A download in progress: the answer's headers are in, the body is read as it arrives.
pub struct Download {
    status: u16,
    response: reqwest::Response,
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("status", &self.status)
            .field("content_length", &self.content_length())
            .field("content_type", &self.content_type())
            .finish_non_exhaustive()
    }
}

impl Download {
    /// The HTTP status (2xx).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The length the server announced, if it did.
    pub fn content_length(&self) -> Option<u64> {
        self.response.content_length()
    }

    /// The content type the server announced, if it did.
    pub fn content_type(&self) -> Option<&str> {
        self.response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    /// The next chunk of the body; `None` at its end.
    ///
    /// # Errors
    ///
    /// [`Error::Transport`] or [`Error::Timeout`] when the connection fails midway.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        self.response
            .chunk()
            .await
            .map_err(|e| Error::from_reqwest(DOWNLOAD, e.without_url()))
    }

    /// The body as a stream of chunks.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, Error>> + Send {
        futures_util::stream::try_unfold(self, |mut download| async move {
            Ok(download.chunk().await?.map(|chunk| (chunk, download)))
        })
    }

    /// Writes the whole body to `writer` as it arrives and returns how many bytes were written.
    ///
    /// # Errors
    ///
    /// The errors of [`Download::chunk`], and [`Error::File`] (part `download`) when writing
    /// fails.
    pub async fn write_to<W: AsyncWrite + Unpin>(mut self, writer: &mut W) -> Result<u64, Error> {
        let mut written = 0u64;
        while let Some(chunk) = self.chunk().await? {
            writer.write_all(&chunk).await.map_err(write_error)?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(write_error)?;
        Ok(written)
    }
}

fn write_error(source: std::io::Error) -> Error {
    Error::File {
        operation: DOWNLOAD,
        part: DOWNLOAD,
        source,
    }
}

/// The URL as logs and errors may show it: scheme, host, port and path, never the query.
fn shown(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_urls_carry_no_signature() {
        let url = reqwest::Url::parse(
            "https://u:p@files.example.com/a/b.png?Signature=secret&Expires=1#frag",
        )
        .unwrap();
        assert_eq!(shown(&url), "https://files.example.com/a/b.png");
    }
}

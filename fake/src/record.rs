//! The requests a fake server received, kept for tests (`MockServer::requests`,
//! `GET /__mock/requests`), and the query-string decoding they share with the handlers.
//!
//! The record is bounded: at most [`KEEP`] requests and [`KEEP_BYTES`] of them (bodies, paths,
//! queries and headers), the oldest dropped first; of a body longer than [`BODY_KEPT`] only its
//! start is kept, with its whole length.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use serde_json::{Value, json};

/// How many requests are kept at most; older ones are dropped first.
const KEEP: usize = 10_000;
/// How many bytes of requests are kept at most (16 MiB); older ones are dropped first.
const KEEP_BYTES: usize = 16 << 20;
/// How much of a body is kept (64 KiB); a longer one is cut there.
pub(crate) const BODY_KEPT: usize = 64 << 10;

/// One request as the fake received it.
///
/// Nothing is redacted: this is a test fake, and tests check where the credential went.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The path, e.g. `/topapi/blackboard/create`.
    pub path: String,
    /// The query string, each name and value decoded once, in order.
    pub query: Vec<(String, String)>,
    /// The headers, names in lower case, in order (values that are not text are left out).
    pub headers: Vec<(String, String)>,
    /// The body as received, or its first 64 KiB when it was longer (see
    /// [`body_len`](RecordedRequest::body_len)).
    pub body: Vec<u8>,
    /// The length of the body as received, in bytes.
    pub body_len: usize,
    /// The operation id the request was routed to, if any.
    pub operation: Option<&'static str>,
    /// When the request was received, as the time since the fake started (on tokio's clock, so
    /// a test with a paused clock sees its own time): what rate-limit tests compare.
    pub received: Duration,
}

impl RecordedRequest {
    /// The first query parameter called `name`.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body read as JSON, if it is (and was kept whole).
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Whether only the start of the body was kept.
    pub fn body_truncated(&self) -> bool {
        self.body.len() < self.body_len
    }

    /// The request as received, its body cut to [`BODY_KEPT`] bytes.
    pub(crate) fn new(
        method: &str,
        path: &str,
        query: Vec<(String, String)>,
        headers: Vec<(String, String)>,
        body: &[u8],
        operation: Option<&'static str>,
    ) -> RecordedRequest {
        RecordedRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            query,
            headers,
            body: body.get(..BODY_KEPT).unwrap_or(body).to_vec(),
            body_len: body.len(),
            operation,
            received: Duration::ZERO,
        }
    }

    /// What keeping the request costs, roughly, in bytes.
    fn weight(&self) -> usize {
        let pairs = |list: &[(String, String)]| -> usize {
            list.iter().map(|(k, v)| k.len() + v.len()).sum()
        };
        self.method.len()
            + self.path.len()
            + pairs(&self.query)
            + pairs(&self.headers)
            + self.body.len()
    }

    /// The request as JSON, for `GET /__mock/requests`: the body as JSON when it is, as text
    /// otherwise (a cut body is text), with its whole length as `body_len`.
    pub(crate) fn to_json(&self) -> Value {
        let body = self
            .json()
            .unwrap_or_else(|| Value::String(String::from_utf8_lossy(&self.body).into_owned()));
        let pairs = |list: &[(String, String)]| -> Vec<Value> {
            list.iter().map(|(k, v)| json!([k, v])).collect()
        };
        json!({
            "method": self.method,
            "path": self.path,
            "operation": self.operation,
            "query": pairs(&self.query),
            "headers": pairs(&self.headers),
            "body": body,
            "body_len": self.body_len,
            "received_ms": self.received.as_secs_f64() * 1000.0,
        })
    }
}

/// The requests received so far, newest last, each stamped with its time since the start.
#[derive(Debug)]
pub(crate) struct Recorder {
    started: Instant,
    requests: Mutex<Kept>,
}

impl Default for Recorder {
    fn default() -> Recorder {
        Recorder {
            started: Instant::now(),
            requests: Mutex::default(),
        }
    }
}

/// The kept requests and their [`weight`](RecordedRequest::weight) in all.
#[derive(Debug, Default)]
struct Kept {
    requests: VecDeque<RecordedRequest>,
    bytes: usize,
}

impl Recorder {
    pub(crate) fn push(&self, mut request: RecordedRequest) {
        request.received = self.started.elapsed();
        let mut kept = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
        let weight = request.weight();
        while !kept.requests.is_empty()
            && (kept.requests.len() >= KEEP || kept.bytes.saturating_add(weight) > KEEP_BYTES)
        {
            if let Some(old) = kept.requests.pop_front() {
                kept.bytes = kept.bytes.saturating_sub(old.weight());
            }
        }
        kept.bytes = kept.bytes.saturating_add(weight);
        kept.requests.push_back(request);
    }

    pub(crate) fn all(&self) -> Vec<RecordedRequest> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .requests
            .iter()
            .cloned()
            .collect()
    }

    pub(crate) fn clear(&self) {
        *self.requests.lock().unwrap_or_else(PoisonError::into_inner) = Kept::default();
    }
}

/// Splits a raw query string into decoded `(name, value)` pairs.
pub(crate) fn parse_query(raw: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: usize) -> RecordedRequest {
        RecordedRequest::new(
            "POST",
            "/p",
            Vec::new(),
            Vec::new(),
            &vec![b'x'; body],
            None,
        )
    }

    #[test]
    fn the_record_is_bounded_by_count_and_bytes_and_cuts_long_bodies() {
        let recorder = Recorder::default();
        for _ in 0..KEEP + 10 {
            recorder.push(request(0));
        }
        assert_eq!(recorder.all().len(), KEEP);
        recorder.clear();
        let cut = request(4 << 20);
        assert_eq!((cut.body.len(), cut.body_len), (BODY_KEPT, 4 << 20));
        assert!(cut.body_truncated() && !request(10).body_truncated());
        for _ in 0..1_000 {
            recorder.push(request(4 << 20));
        }
        let all = recorder.all();
        let bytes: usize = all.iter().map(RecordedRequest::weight).sum();
        assert!(bytes <= KEEP_BYTES, "{bytes}");
        assert_eq!(all.len(), KEEP_BYTES / (BODY_KEPT + 6));
        assert_eq!(all[0].to_json()["body_len"], 4 << 20);
    }

    #[test]
    fn queries_decode_once() {
        let q = parse_query("access_token=a%2Bb&sign=x%253D&empty=&flag&sp=a+b");
        assert_eq!(
            q,
            vec![
                ("access_token".into(), "a+b".into()),
                ("sign".into(), "x%3D".into()),
                ("empty".into(), String::new()),
                ("flag".into(), String::new()),
                ("sp".into(), "a b".into()),
            ]
        );
        assert_eq!(parse_query("bad=%zz"), vec![("bad".into(), "%zz".into())]);
    }
}

//! The requests a fake server received, kept for tests (`MockServer::requests`,
//! `GET /__mock/requests`), and the query-string decoding they share with the handlers.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use serde_json::{Value, json};

/// How many requests are kept; older ones are dropped first.
const KEEP: usize = 10_000;

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
    /// The body as received.
    pub body: Vec<u8>,
    /// The operation id the request was routed to, if any.
    pub operation: Option<&'static str>,
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

    /// The body read as JSON, if it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The request as JSON, for `GET /__mock/requests`: the body as JSON when it is, as text
    /// otherwise.
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
        })
    }
}

/// The requests received so far, newest last.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    requests: Mutex<VecDeque<RecordedRequest>>,
}

impl Recorder {
    pub(crate) fn push(&self, request: RecordedRequest) {
        let mut requests = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
        if requests.len() >= KEEP {
            requests.pop_front();
        }
        requests.push_back(request);
    }

    pub(crate) fn all(&self) -> Vec<RecordedRequest> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    pub(crate) fn clear(&self) {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
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

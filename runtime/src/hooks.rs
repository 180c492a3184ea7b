//! Interceptors: one documented way to see and adjust every outgoing request and every answer.
//!
//! An [`Interceptor`] registered with
//! [`ClientBuilder::interceptor`](crate::ClientBuilder::interceptor) is called for every HTTP
//! attempt the client makes, token requests and retries included:
//!
//! 1. [`on_request`](Interceptor::on_request) with the request exactly as it is about to go on
//!    the wire (credential, signature and headers in place), which it may change: add a header
//!    for an auth proxy, tag a trace, rewrite the URL for a gateway;
//! 2. [`on_response`](Interceptor::on_response) with the whole answer before the client checks
//!    and decodes it: status, headers and body, which it may change too;
//! 3. or [`on_failure`](Interceptor::on_failure) when the attempt got no complete answer
//!    (connection refused or broken, timeout, an answer over the client's size limit).
//!
//! Interceptors run in the order they were added, and an error from one stops the call with
//! [`Error::Interceptor`](crate::Error::Interceptor) (never retried; nothing is sent when
//! `on_request` fails). They are synchronous and run on the caller's task: keep them quick.
//!
//! **Secrets.** The requests an interceptor sees carry credentials: the access token in the
//! query string (`access_token=`) or in the `x-acs-dingtalk-access-token` header, the robot's
//! token and signature, the `signature` of a signed query, and for the token endpoints the
//! AppSecret itself. Never log a request
//! as it is: [`redacted_url`] gives its URL with every credential replaced by `***`, and
//! [`AttemptInfo`] holds what is safe to record (operation id, method, path, host, attempt).
//!
//! ```
//! use std::sync::atomic::{AtomicU64, Ordering};
//!
//! use dingtalk_openapi_runtime::BoxError;
//! use dingtalk_openapi_runtime::hooks::{AttemptInfo, HttpResponse, Interceptor};
//!
//! /// Counts answers by status class, and adds a header an egress proxy wants.
//! #[derive(Debug, Default)]
//! struct Metrics {
//!     ok: AtomicU64,
//!     failed: AtomicU64,
//! }
//!
//! impl Interceptor for Metrics {
//!     fn on_request(&self, _: &AttemptInfo, request: &mut reqwest::Request) -> Result<(), BoxError> {
//!         request.headers_mut().insert("x-egress-team", "payroll".parse()?);
//!         Ok(())
//!     }
//!
//!     fn on_response(&self, _: &AttemptInfo, response: &mut HttpResponse) -> Result<(), BoxError> {
//!         let counter = if response.status() < 400 { &self.ok } else { &self.failed };
//!         counter.fetch_add(1, Ordering::Relaxed);
//!         Ok(())
//!     }
//! }
//! # fn build() -> Result<(), dingtalk_openapi_runtime::Error> {
//! let client = dingtalk_openapi_runtime::Client::builder()
//!     .app_credentials("dingkey", "secret")
//!     .interceptor(Metrics::default())
//!     .build()?;
//! # Ok(()) }
//! ```

use std::fmt;

use reqwest::header::HeaderMap;

use crate::error::BoxError;
use crate::operation::{Method, OperationInfo};

/// Sees, and may change, every request the client sends and every answer it receives.
///
/// Every method has a default that does nothing, so an interceptor implements only what it
/// needs. See the [module docs](self) for when each is called and what the requests carry.
pub trait Interceptor: Send + Sync + fmt::Debug + 'static {
    /// Called with each attempt's request just before it is sent. An error stops the call
    /// before anything is sent.
    fn on_request(
        &self,
        attempt: &AttemptInfo,
        request: &mut reqwest::Request,
    ) -> Result<(), BoxError> {
        let _ = (attempt, request);
        Ok(())
    }

    /// Called with each complete answer, before the client checks its envelope and decodes
    /// it. An error stops the call.
    fn on_response(
        &self,
        attempt: &AttemptInfo,
        response: &mut HttpResponse,
    ) -> Result<(), BoxError> {
        let _ = (attempt, response);
        Ok(())
    }

    /// Called when an attempt got no complete answer (the connection failed or broke, the
    /// answer did not arrive in time, or it was larger than the client accepts:
    /// [`Error::AnswerTooLarge`](crate::Error::AnswerTooLarge)); `error` is what the call reports
    /// if it is not retried.
    fn on_failure(&self, attempt: &AttemptInfo, error: &crate::Error) {
        let _ = (attempt, error);
    }
}

/// What is known about one HTTP attempt, all of it safe to log.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct AttemptInfo {
    /// The operation (for token requests, the token endpoint's own: `gettoken`).
    pub operation: &'static OperationInfo,
    /// 1 for the first attempt of a call, 2 for its first retry, and so on.
    pub attempt: u32,
}

impl AttemptInfo {
    pub(crate) fn new(operation: &'static OperationInfo, attempt: u32) -> AttemptInfo {
        AttemptInfo { operation, attempt }
    }

    /// The operation id, e.g. `report.list`.
    pub fn operation_id(&self) -> &'static str {
        self.operation.id
    }

    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.operation.method
    }
}

/// One complete answer, as an interceptor sees it.
#[non_exhaustive]
pub struct HttpResponse {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl HttpResponse {
    pub(crate) fn new(status: u16, headers: HeaderMap, body: Vec<u8>) -> HttpResponse {
        HttpResponse {
            status,
            headers,
            body,
        }
    }

    pub(crate) fn into_parts(self) -> (u16, HeaderMap, Vec<u8>) {
        (self.status, self.headers, self.body)
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Replaces the status code the client will act on.
    pub fn set_status(&mut self, status: u16) {
        self.status = status;
    }

    /// The answer's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The answer's headers, to change.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// The body as received (JSON for every DingTalk answer).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body, to change or replace.
    pub fn body_mut(&mut self) -> &mut Vec<u8> {
        &mut self.body
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body of a token endpoint's answer is a token: only its length.
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The query parameters that carry credentials, whatever the endpoint.
const SECRET_QUERY_KEYS: &[&str] = &[
    "access_token",
    "appsecret",
    "corpsecret",
    "sign",
    "signature",
    "suiteSecret",
    "suite_ticket",
];

/// `url` with the value of every credential in its query string (`access_token`, `appsecret`,
/// `corpsecret`, the robot's `sign`, …) replaced by `***`, and any user name or password
/// removed: safe to log.
pub fn redacted_url(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let secret = SECRET_QUERY_KEYS.iter().any(|s| s.eq_ignore_ascii_case(&k));
                let value = if secret { "***".into() } else { v.into_owned() };
                (k.into_owned(), value)
            })
            .collect();
        shown
            .query_pairs_mut()
            .clear()
            .extend_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    }
    shown.to_string()
}

/// The interceptors of one client, in order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Interceptors(Vec<std::sync::Arc<dyn Interceptor>>);

impl Interceptors {
    pub(crate) fn push(&mut self, interceptor: std::sync::Arc<dyn Interceptor>) {
        self.0.push(interceptor);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn on_request(
        &self,
        attempt: &AttemptInfo,
        request: &mut reqwest::Request,
    ) -> Result<(), crate::Error> {
        for i in &self.0 {
            i.on_request(attempt, request)
                .map_err(|source| interceptor_error(attempt, source))?;
        }
        Ok(())
    }

    pub(crate) fn on_response(
        &self,
        attempt: &AttemptInfo,
        response: &mut HttpResponse,
    ) -> Result<(), crate::Error> {
        for i in &self.0 {
            i.on_response(attempt, response)
                .map_err(|source| interceptor_error(attempt, source))?;
        }
        Ok(())
    }

    pub(crate) fn on_failure(&self, attempt: &AttemptInfo, error: &crate::Error) {
        for i in &self.0 {
            i.on_failure(attempt, error);
        }
    }
}

fn interceptor_error(attempt: &AttemptInfo, source: BoxError) -> crate::Error {
    crate::Error::Interceptor {
        operation: attempt.operation.id,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_urls_hide_every_credential() {
        let url = reqwest::Url::parse(
            "https://u:pw@oapi.dingtalk.com/gettoken?appkey=k&appsecret=s3cr3t&access_token=t0k&sign=a%2Bb&signature=c2ln%2Fx&x=1",
        )
        .unwrap();
        let shown = redacted_url(&url);
        for secret in ["s3cr3t", "t0k", "a%2Bb", "a+b", "c2ln", "pw", "u:"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(
            shown.contains("appkey=k") && shown.contains("x=1"),
            "{shown}"
        );
        assert!(shown.contains("access_token=***") || shown.contains("access_token=%2A%2A%2A"));
    }

    #[test]
    fn an_answer_shows_its_body_length_not_its_body() {
        let mut headers = HeaderMap::new();
        headers.insert("x-acs-request-id", "r-1".parse().unwrap());
        let response = HttpResponse::new(200, headers, br#"{"access_token":"t0k3n"}"#.to_vec());
        let shown = format!("{response:?}");
        assert!(!shown.contains("t0k3n"), "{shown}");
        assert!(
            shown.contains("body_len: 24") && shown.contains("r-1"),
            "{shown}"
        );
    }

    #[test]
    fn a_url_without_a_query_is_unchanged() {
        let url = reqwest::Url::parse("https://api.dingtalk.com/v1.0/oauth2/accessToken").unwrap();
        assert_eq!(redacted_url(&url), url.as_str());
    }
}

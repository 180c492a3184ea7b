//! One HTTP exchange: the request laid out as the operation says ([`layout`]), sent once
//! through the client's interceptors, and the answer read and checked against the operation's
//! envelope ([`envelope`]).
//!
//! Retries, tokens and pacing live in the client; this module only knows how a request looks on
//! the wire. It is careful about secrets: the URL (which carries `access_token` for oapi calls,
//! or the `signature` of a signed query) never reaches an error, and the token header is marked
//! sensitive.

mod envelope;
mod layout;
mod tls;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::{PoisonError, RwLock};

use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use crate::error::Error;
use crate::hooks::{AttemptInfo, HttpResponse, Interceptors};
use crate::operation::{Host, OperationInfo};
use crate::primitives::Secret;

pub(crate) use envelope::{check, decode};
use layout::Body;
use layout::push_pair;
pub(crate) use layout::{Prepared, prepare};
pub(crate) use tls::{HttpSettings, build_http_client};

/// The header v1.0 endpoints read the access token from.
pub(crate) const TOKEN_HEADER: &str = "x-acs-dingtalk-access-token";

/// The header DingTalk names a request with.
const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-acs-request-id");

/// The most a body's buffer holds before its first bytes arrive, whatever `Content-Length` says.
const INITIAL_BODY_CAPACITY: usize = 1 << 20;

/// The user agent of every request.
pub(crate) const USER_AGENT: &str = concat!("dingtalk-openapi/", env!("CARGO_PKG_VERSION"));

/// Where requests go, and the HTTP client that takes them there.
pub(crate) struct Transport {
    http: reqwest::Client,
    /// Called for every attempt, in order.
    interceptors: Interceptors,
    /// The oapi host; the robot webhook lives here too.
    oapi: BaseUrl,
    /// The v1.0 host.
    api: BaseUrl,
    /// Each operation's URLs, built on first use, keyed by the address of its (static) facts.
    urls: RwLock<HashMap<usize, OperationUrls>>,
    /// The most bytes an answer's body may have.
    max_answer_bytes: usize,
}

/// The URLs of one operation, kept so that most calls clone a URL instead of building one.
struct OperationUrls {
    /// The base URL with the operation's path, without a query.
    bare: Url,
    /// With `?access_token=` for the token last used, when that is the whole query (the common
    /// oapi case).
    with_token: Option<(Secret, Url)>,
}

/// A base URL, parsed once.
#[derive(Clone)]
struct BaseUrl {
    url: Url,
    /// The path the base carries (a gateway prefix), without a trailing slash; usually empty.
    prefix: Box<str>,
}

impl BaseUrl {
    fn parse(text: &str) -> Result<BaseUrl, Error> {
        let url =
            Url::parse(text).map_err(|e| Error::Config(format!("`{text}` is not a URL: {e}")))?;
        let prefix = url.path().trim_end_matches('/').into();
        Ok(BaseUrl { url, prefix })
    }

    /// The base URL without a trailing slash.
    fn as_str(&self) -> &str {
        self.url.as_str().trim_end_matches('/')
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("oapi_base", &self.oapi.as_str())
            .field("api_base", &self.api.as_str())
            .field("max_answer_bytes", &self.max_answer_bytes)
            .finish_non_exhaustive()
    }
}

/// The credential one attempt carries.
pub(crate) enum Credential<'a> {
    /// None (token endpoints).
    None,
    /// `?access_token=` first in the query string.
    Query(&'a Secret),
    /// The `x-acs-dingtalk-access-token` header.
    Header(&'a Secret),
    /// The robot's `access_token`, then `timestamp` and `sign` when it has a secret.
    #[cfg_attr(not(feature = "robot"), allow(dead_code))]
    Robot {
        /// The webhook's access token.
        token: &'a Secret,
        /// `(timestamp_ms, base64 signature)`, not yet URL-encoded.
        signature: Option<(i64, String)>,
    },
    /// The app's signed query (SNS and login-free calls): `accessKey`, `timestamp` and
    /// `signature`, made for this attempt.
    AppSignature {
        /// The AppKey.
        app_key: &'a str,
        /// Unix milliseconds, as signed.
        timestamp: i64,
        /// The Base64 signature, not yet URL-encoded; a credential like a token.
        signature: Secret,
    },
}

/// A complete answer: status, the request id header and the body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    /// The answer's headers; `x-acs-request-id` is read from them only when an error needs it.
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    /// The request id from the answer's header.
    pub(super) fn header_request_id(&self) -> Option<String> {
        self.headers
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

impl Transport {
    /// A transport to these base URLs (checked by the builder).
    pub(crate) fn new(
        http: reqwest::Client,
        interceptors: Interceptors,
        oapi_base: &str,
        api_base: &str,
        max_answer_bytes: usize,
    ) -> Result<Transport, Error> {
        Ok(Transport {
            http,
            interceptors,
            oapi: BaseUrl::parse(oapi_base)?,
            api: BaseUrl::parse(api_base)?,
            urls: RwLock::new(HashMap::new()),
            max_answer_bytes,
        })
    }

    /// The HTTP client every request goes through.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The oapi base URL, without a trailing slash.
    pub(crate) fn oapi_base(&self) -> &str {
        self.oapi.as_str()
    }

    /// The v1.0 base URL, without a trailing slash.
    pub(crate) fn api_base(&self) -> &str {
        self.api.as_str()
    }

    /// The host an operation is sent to (OpenTelemetry's `server.address`).
    pub(crate) fn host_name(&self, info: &'static OperationInfo) -> &str {
        let base = match info.host {
            Host::Oapi | Host::Robot => &self.oapi,
            Host::Api => &self.api,
        };
        base.url.host_str().unwrap_or_default()
    }

    /// The full URL of one attempt, credential first in the query string.
    fn url(
        &self,
        info: &'static OperationInfo,
        prepared: &Prepared,
        credential: &Credential<'_>,
    ) -> Url {
        if let Cow::Owned(path) = &prepared.path {
            // A path filled with this request's values: its URL is its own, never cached.
            let mut url = self.path_url(info, path);
            let query = query_string(prepared, credential);
            if !query.is_empty() {
                url.set_query(Some(&query));
            }
            return url;
        }
        let key = std::ptr::from_ref(info) as usize;
        // Only the token in the query: the URL can be reused while the token is the same.
        let token_only = match credential {
            Credential::Query(token) if prepared.query.is_empty() => Some(*token),
            _ => None,
        };
        let no_query = prepared.query.is_empty()
            && matches!(credential, Credential::None | Credential::Header(_));
        let cached = {
            // The map is only ever extended or updated by whole values: a poisoned lock still
            // holds good URLs.
            let urls = self.urls.read().unwrap_or_else(PoisonError::into_inner);
            let entry = urls.get(&key);
            if let (
                Some(token),
                Some(OperationUrls {
                    with_token: Some((used, url)),
                    ..
                }),
            ) = (token_only, entry)
                && used == token
            {
                return url.clone();
            }
            match entry {
                Some(entry) if no_query => return entry.bare.clone(),
                Some(entry) => Some(entry.bare.clone()),
                None => None,
            }
        };
        let first_use = cached.is_none();
        let bare = cached.unwrap_or_else(|| self.path_url(info, info.path));
        let mut url = bare.clone();
        let query = query_string(prepared, credential);
        if !query.is_empty() {
            url.set_query(Some(&query));
        }
        // Written the first time and when the token changed: once per operation and token.
        if first_use || token_only.is_some() {
            let mut urls = self.urls.write().unwrap_or_else(PoisonError::into_inner);
            let entry = urls.entry(key).or_insert_with(|| OperationUrls {
                bare,
                with_token: None,
            });
            if let Some(token) = token_only {
                entry.with_token = Some((token.clone(), url.clone()));
            }
        }
        url
    }

    /// The base URL of the operation's host with `path` (already percent-encoded).
    fn path_url(&self, info: &'static OperationInfo, path: &str) -> Url {
        let base = match info.host {
            Host::Oapi | Host::Robot => &self.oapi,
            Host::Api => &self.api,
        };
        let mut url = base.url.clone();
        if base.prefix.is_empty() {
            url.set_path(path);
        } else {
            url.set_path(&format!("{}{}", base.prefix, path));
        }
        url
    }

    /// Sends the request once and reads the whole answer, up to the answer limit; `attempt`
    /// counts from 1 within a call, for the interceptors.
    pub(crate) async fn send(
        &self,
        info: &'static OperationInfo,
        prepared: &Prepared,
        credential: &Credential<'_>,
        attempt: u32,
    ) -> Result<Answer, Error> {
        let url = self.url(info, prepared, credential);
        let mut builder = self.http.request(prepared.method.clone(), url);
        if !prepared.headers.is_empty() {
            builder = builder.headers(prepared.headers.clone());
        }
        if let Credential::Header(token) = credential {
            let mut value = HeaderValue::from_str(token.expose()).map_err(|_| Error::Token {
                operation: info.id,
                source: "the access token is not a valid HTTP header value".into(),
            })?;
            value.set_sensitive(true);
            builder = builder.header(TOKEN_HEADER, value);
        }
        match &prepared.body {
            Some(Body::Json(body)) => {
                builder = builder
                    .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                    .body(body.clone());
            }
            // The form sets its own content type, with the boundary.
            Some(Body::Multipart { fields, files }) => {
                builder = builder.multipart(Body::form(fields, files, info.id).await?);
            }
            None => {}
        }
        if self.interceptors.is_empty() {
            return receive(info, builder.send().await, self.max_answer_bytes).await;
        }
        let attempt = AttemptInfo::new(info, attempt);
        let mut request = builder
            .build()
            .map_err(|e| Error::from_reqwest(info.id, e))?;
        self.interceptors.on_request(&attempt, &mut request)?;
        let sent = self.http.execute(request).await;
        let answer = match receive(info, sent, self.max_answer_bytes).await {
            Ok(answer) => answer,
            Err(error) => {
                self.interceptors.on_failure(&attempt, &error);
                return Err(error);
            }
        };
        let mut response = HttpResponse::new(answer.status, answer.headers, answer.body);
        self.interceptors.on_response(&attempt, &mut response)?;
        let (status, headers, body) = response.into_parts();
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

/// The query string of one attempt: the credential first, then the request's parameters, each
/// form-encoded once.
fn query_string(prepared: &Prepared, credential: &Credential<'_>) -> String {
    let mut query = String::with_capacity(128);
    match credential {
        Credential::Query(token) => push_pair(&mut query, "access_token", token.expose()),
        Credential::Robot { token, signature } => {
            push_pair(&mut query, "access_token", token.expose());
            if let Some((timestamp, sign)) = signature {
                push_pair(&mut query, "timestamp", &timestamp.to_string());
                // `+`, `/` and `=` of the base64 signature are percent-encoded here, once.
                push_pair(&mut query, "sign", sign);
            }
        }
        Credential::AppSignature {
            app_key,
            timestamp,
            signature,
        } => {
            push_pair(&mut query, "accessKey", app_key);
            push_pair(&mut query, "timestamp", &timestamp.to_string());
            // Percent-encoded here, once, like the robot's `sign`.
            push_pair(&mut query, "signature", signature.expose());
        }
        Credential::None | Credential::Header(_) => {}
    }
    for (name, value) in &prepared.query {
        push_pair(&mut query, name, value);
    }
    query
}

/// Reads the whole answer of a sent request, chunk by chunk, refusing a body of more than
/// `limit` bytes before it is read (by its `Content-Length`) or as soon as it outgrows the limit.
/// Dropping the response then closes the connection: the rest is never read.
async fn receive(
    info: &'static OperationInfo,
    sent: Result<reqwest::Response, reqwest::Error>,
    limit: usize,
) -> Result<Answer, Error> {
    let mut response = sent.map_err(|e| Error::from_reqwest(info.id, e))?;
    let status = response.status().as_u16();
    let content_length = response.content_length();
    let too_large = |received| Error::AnswerTooLarge {
        operation: info.id,
        status,
        limit,
        content_length,
        received,
    };
    let announced = match content_length.map(usize::try_from) {
        Some(Ok(length)) if length <= limit => Some(length),
        Some(_) => return Err(too_large(0)),
        None => None,
    };
    // Kept whole (a move, not a lookup): only an error reads the request id from it.
    let headers = std::mem::take(response.headers_mut());
    // Room for what was announced, but not more than a lie could cost before it shows.
    let mut body = Vec::with_capacity(announced.unwrap_or(0).min(INITIAL_BODY_CAPACITY));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Error::from_reqwest(info.id, e))?
    {
        let received = body.len() + chunk.len();
        if received > limit {
            return Err(too_large(received));
        }
        if received > body.capacity() {
            // Grow as `Vec` would, but never past the limit.
            let target = received.max(body.capacity().saturating_mul(2)).min(limit);
            body.reserve_exact(target - body.len());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer {
        status,
        headers,
        body,
    })
}

//! One HTTP exchange: the request laid out as the operation says, sent once, and the answer read
//! and checked against the operation's envelope.
//!
//! Retries, tokens and pacing live in the client; this module only knows how a request looks on
//! the wire. It is careful about secrets: the URL (which carries `access_token` for oapi calls)
//! never reaches an error, and the token header is marked sensitive.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde::de::{self, DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ErrcodeAnswer, Error, excerpt};
use crate::operation::{Envelope, Host, Location, Method, OperationInfo};
use crate::primitives::Secret;
use crate::validate::FieldPath;

/// The header v1.0 endpoints read the access token from.
pub(crate) const TOKEN_HEADER: &str = "x-acs-dingtalk-access-token";

/// The header DingTalk names a request with.
const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-acs-request-id");

/// The user agent of every request.
pub(crate) const USER_AGENT: &str = concat!("dingtalk-openapi/", env!("CARGO_PKG_VERSION"));

/// Where requests go, and the HTTP client that takes them there.
pub(crate) struct Transport {
    http: reqwest::Client,
    /// The oapi host; the robot webhook lives here too.
    oapi: BaseUrl,
    /// The v1.0 host.
    api: BaseUrl,
    /// Each operation's URLs, built on first use, keyed by the address of its (static) facts.
    urls: RwLock<HashMap<usize, OperationUrls>>,
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
}

/// A request laid out for the wire, ready to be sent any number of times.
pub(crate) struct Prepared {
    method: reqwest::Method,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Parameters may be secrets (gettoken's appsecret): show only their names.
        let query: Vec<&str> = self.query.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Prepared")
            .field("method", &self.method)
            .field("query", &query)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

/// A complete answer: status, the request id header and the body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    /// The answer's headers; `x-acs-request-id` is read from them only when an error needs it.
    headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    /// The request id from the answer's header.
    fn header_request_id(&self) -> Option<String> {
        self.headers
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// Lays a request out as its operation says: each top-level key goes to the query string, a
/// header or the JSON body.
pub(crate) fn prepare<T: Serialize>(
    info: &'static OperationInfo,
    request: &T,
) -> Result<Prepared, Error> {
    let method = http_method(info.method);
    let root = FieldPath::root(info.id);
    let encode_error = |e: serde_json::Error| -> Error {
        Error::Validation(root.error(format!("cannot be written as JSON: {e}")))
    };
    // The common case: every parameter is in the body, so serialize straight to bytes.
    if info.all_body() && info.method != Method::Get {
        let body = serde_json::to_vec(request).map_err(encode_error)?;
        let prepared = Prepared {
            method,
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: Some(body),
        };
        return check_robot_body(info, prepared);
    }
    let value = serde_json::to_value(request).map_err(encode_error)?;
    let Value::Object(object) = value else {
        return Err(Error::Validation(root.error("is not a JSON object")));
    };
    let mut query = Vec::new();
    let mut headers = HeaderMap::new();
    let mut body = serde_json::Map::new();
    for (key, value) in object {
        let location = info
            .params
            .iter()
            .find(|p| p.name == key)
            .map_or(Location::Body, |p| p.location);
        // GET has no body: every parameter goes to the query string.
        let location = if info.method == Method::Get && location == Location::Body {
            Location::Query
        } else {
            location
        };
        match location {
            Location::Body => {
                body.insert(key, value);
            }
            Location::Query => {
                if let Some(text) = as_text(&value) {
                    query.push((key, text));
                }
            }
            Location::Header => {
                let Some(text) = as_text(&value) else {
                    continue;
                };
                let field = root.field(&key);
                let name = HeaderName::from_bytes(key.as_bytes()).map_err(|_| {
                    Error::Validation(field.error("is not a valid HTTP header name"))
                })?;
                let mut value = HeaderValue::from_str(&text).map_err(|_| {
                    Error::Validation(field.error("is not a valid HTTP header value"))
                })?;
                let secret = info.params.iter().any(|p| p.name == key && p.secret);
                value.set_sensitive(secret);
                headers.insert(name, value);
            }
        }
    }
    let body = match info.method {
        Method::Get => None,
        Method::Delete if body.is_empty() => None,
        _ => Some(serde_json::to_vec(&body).map_err(encode_error)?),
    };
    check_robot_body(
        info,
        Prepared {
            method,
            query,
            headers,
            body,
        },
    )
}

/// The robot rejects bodies over 20,000 bytes (errcode 460101): [`robot::check_body_size`]
/// says so before anything is sent, as [`Error::RobotGuard`].
///
/// [`robot::check_body_size`]: crate::robot::check_body_size
#[cfg(feature = "robot")]
fn check_robot_body(info: &'static OperationInfo, prepared: Prepared) -> Result<Prepared, Error> {
    if info.host == Host::Robot
        && let Some(body) = &prepared.body
    {
        crate::robot::check_body_size(body).map_err(|source| Error::RobotGuard {
            operation: info.id,
            source,
        })?;
    }
    Ok(prepared)
}

/// Without the `robot` feature the client sends no robot operation at all.
#[cfg(not(feature = "robot"))]
fn check_robot_body(_info: &'static OperationInfo, prepared: Prepared) -> Result<Prepared, Error> {
    Ok(prepared)
}

/// A query or header value as text: strings as they are, numbers and booleans written out,
/// arrays and objects as JSON; `None` for null (an unset optional parameter).
fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(_) | Value::Object(_) => Some(value.to_string()),
    }
}

/// Appends `name=value` to a query string, `application/x-www-form-urlencoded` as browsers and
/// DingTalk's own SDKs write it: alphanumerics and `*-._` as they are, space as `+`, every other
/// byte as `%XX`.
fn push_pair(query: &mut String, name: &str, value: &str) {
    if !query.is_empty() {
        query.push('&');
    }
    push_form_encoded(query, name);
    query.push('=');
    push_form_encoded(query, value);
}

fn push_form_encoded(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_');
    if text.bytes().all(plain) {
        out.push_str(text);
        return;
    }
    for &b in text.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0f)]));
            }
        }
    }
}

fn http_method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Delete => reqwest::Method::DELETE,
    }
}

impl Transport {
    /// A transport to these base URLs (checked by the builder).
    pub(crate) fn new(
        http: reqwest::Client,
        oapi_base: &str,
        api_base: &str,
    ) -> Result<Transport, Error> {
        Ok(Transport {
            http,
            oapi: BaseUrl::parse(oapi_base)?,
            api: BaseUrl::parse(api_base)?,
            urls: RwLock::new(HashMap::new()),
        })
    }

    /// The oapi base URL, without a trailing slash.
    pub(crate) fn oapi_base(&self) -> &str {
        self.oapi.as_str()
    }

    /// The v1.0 base URL, without a trailing slash.
    pub(crate) fn api_base(&self) -> &str {
        self.api.as_str()
    }

    /// The full URL of one attempt, credential first in the query string.
    fn url(
        &self,
        info: &'static OperationInfo,
        prepared: &Prepared,
        credential: &Credential<'_>,
    ) -> Url {
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
        let bare = cached.unwrap_or_else(|| self.bare_url(info));
        let mut url = bare.clone();
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
            Credential::None | Credential::Header(_) => {}
        }
        for (name, value) in &prepared.query {
            push_pair(&mut query, name, value);
        }
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

    /// The base URL with the operation's path.
    fn bare_url(&self, info: &'static OperationInfo) -> Url {
        let base = match info.host {
            Host::Oapi | Host::Robot => &self.oapi,
            Host::Api => &self.api,
        };
        let mut url = base.url.clone();
        if base.prefix.is_empty() {
            url.set_path(info.path);
        } else {
            url.set_path(&format!("{}{}", base.prefix, info.path));
        }
        url
    }

    /// Sends the request once and reads the whole answer.
    pub(crate) async fn send(
        &self,
        info: &'static OperationInfo,
        prepared: &Prepared,
        credential: &Credential<'_>,
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
        if let Some(body) = &prepared.body {
            builder = builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.clone());
        }
        let mut response = builder
            .send()
            .await
            .map_err(|e| Error::from_reqwest(info.id, e))?;
        let status = response.status().as_u16();
        // Kept whole (a move, not a lookup): only an error reads the request id from it.
        let headers = std::mem::take(response.headers_mut());
        let body = response
            .bytes()
            .await
            .map_err(|e| Error::from_reqwest(info.id, e))?;
        Ok(Answer {
            status,
            headers,
            body: body.into(),
        })
    }
}

/// Checks an answer against the operation's envelope: `Ok` when it carries a success.
pub(crate) fn check(info: &'static OperationInfo, answer: &Answer) -> Result<(), Error> {
    let success = (200..300).contains(&answer.status);
    match info.envelope {
        // The common case, decided without parsing the body twice.
        Envelope::Errcode if success && errcode_is_zero(&answer.body) => Ok(()),
        Envelope::Errcode => {
            let envelope: ErrcodeEnvelope = match serde_json::from_slice(&answer.body) {
                Ok(envelope) => envelope,
                Err(_) if !success => return Err(http_error_from_text(info, answer)),
                Err(source) => {
                    return Err(Error::Decode {
                        operation: info.id,
                        status: answer.status,
                        excerpt: excerpt(&answer.body),
                        source,
                    });
                }
            };
            let errcode = envelope.errcode.unwrap_or(0);
            if errcode != 0 {
                let fields = ErrcodeAnswer {
                    errcode,
                    errmsg: envelope.errmsg.unwrap_or_default(),
                    sub_code: envelope.sub_code,
                    sub_msg: envelope.sub_msg,
                    request_id: envelope.request_id.or_else(|| answer.header_request_id()),
                };
                #[cfg(feature = "robot")]
                if info.host == Host::Robot {
                    return Err(Error::from_robot_errcode(info.id, fields));
                }
                return Err(Error::from_errcode(info.id, fields));
            }
            if !success {
                return Err(Error::from_http(
                    info.id,
                    answer.status,
                    envelope.code.unwrap_or_default(),
                    envelope.errmsg.or(envelope.message).unwrap_or_default(),
                    envelope.request_id.or_else(|| answer.header_request_id()),
                ));
            }
            Ok(())
        }
        Envelope::Bare if success => Ok(()),
        Envelope::Bare => match serde_json::from_slice::<BareError>(&answer.body) {
            Ok(e) => Err(Error::from_http(
                info.id,
                answer.status,
                e.code.unwrap_or_default(),
                e.message.unwrap_or_default(),
                e.request_id.or_else(|| answer.header_request_id()),
            )),
            Err(_) => Err(http_error_from_text(info, answer)),
        },
    }
}

/// Whether an oapi body plainly reports success: its top-level `errcode` is `0`, `"0"` or null,
/// or it has none. The scan skips nested values without parsing them; `false` means "look
/// closer" (the full envelope parse decides), never "failed".
fn errcode_is_zero(body: &[u8]) -> bool {
    let mut i = skip_ws(body, 0);
    if body.get(i) != Some(&b'{') {
        return false;
    }
    i += 1;
    loop {
        i = skip_ws(body, i);
        match body.get(i) {
            Some(b'}') => return true,
            Some(b'"') => {}
            _ => return false,
        }
        let Some(key_end) = string_end(body, i) else {
            return false;
        };
        let key = &body[i + 1..key_end];
        if key.contains(&b'\\') {
            return false;
        }
        i = skip_ws(body, key_end + 1);
        if body.get(i) != Some(&b':') {
            return false;
        }
        i = skip_ws(body, i + 1);
        if key == b"errcode" {
            let rest = &body[i..];
            return [&b"0"[..], b"\"0\"", b"null"].iter().any(|zero| {
                rest.starts_with(zero)
                    && matches!(
                        rest.get(zero.len()),
                        Some(b',' | b'}' | b' ' | b'\n' | b'\r' | b'\t')
                    )
            });
        }
        let Some(end) = value_end(body, i) else {
            return false;
        };
        i = skip_ws(body, end);
        match body.get(i) {
            Some(b',') => i += 1,
            Some(b'}') => return true,
            _ => return false,
        }
    }
}

fn skip_ws(body: &[u8], mut i: usize) -> usize {
    while matches!(body.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// The index of the quote closing the string that opens at `start`.
fn string_end(body: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while let Some(&b) = body.get(i) {
        match b {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The index just past the value that starts at `start`.
fn value_end(body: &[u8], start: usize) -> Option<usize> {
    match body.get(start)? {
        b'"' => string_end(body, start).map(|e| e + 1),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = start;
            while let Some(&b) = body.get(i) {
                match b {
                    b'"' => i = string_end(body, i)?,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let len = body[start..]
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'))
                .unwrap_or(body.len() - start);
            (len > 0).then_some(start + len)
        }
    }
}

/// An HTTP error whose body is not JSON (a proxy's or load balancer's page): keep an excerpt.
fn http_error_from_text(info: &'static OperationInfo, answer: &Answer) -> Error {
    Error::from_http(
        info.id,
        answer.status,
        String::new(),
        excerpt(&answer.body),
        answer.header_request_id(),
    )
}

/// Reads a successful answer as the operation's response type.
pub(crate) fn decode<R: DeserializeOwned>(
    info: &'static OperationInfo,
    answer: &Answer,
) -> Result<R, Error> {
    let body = &answer.body;
    let result = if body.iter().all(u8::is_ascii_whitespace) {
        // An empty success (some v1.0 updates): read it as `null`, or failing that as `{}`.
        serde_json::from_slice(b"null").or_else(|_| serde_json::from_slice(b"{}"))
    } else {
        serde_json::from_slice(body)
    };
    result.map_err(|source| Error::Decode {
        operation: info.id,
        status: answer.status,
        excerpt: excerpt(body),
        source,
    })
}

/// The error fields of an oapi answer; everything else is skipped.
#[derive(Deserialize)]
struct ErrcodeEnvelope {
    #[serde(default, deserialize_with = "int_or_numeric_string")]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Option<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    sub_code: Option<String>,
    #[serde(default)]
    sub_msg: Option<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    request_id: Option<String>,
    /// Some gateways answer oapi calls in the v1.0 style.
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// A v1.0 error body.
#[derive(Deserialize)]
struct BareError {
    #[serde(default, deserialize_with = "string_or_number")]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(
        default,
        alias = "requestId",
        alias = "request_id",
        rename = "requestid"
    )]
    request_id: Option<String>,
}

/// A JSON scalar that may be a string or a number.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
}

/// `errcode` arrives as a number or a numeric string (the robot); null counts as absent.
fn int_or_numeric_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<Scalar>::deserialize(d)? {
        None => Ok(None),
        Some(Scalar::Int(n)) => Ok(Some(n)),
        Some(Scalar::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(Scalar::Text(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| de::Error::custom(format!("errcode `{s}` is not a number"))),
        Some(Scalar::Float(_) | Scalar::Bool(_)) => {
            Err(de::Error::custom("errcode is not an integer"))
        }
    }
}

/// A code that is a string in one answer and a number in another.
fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Scalar>::deserialize(d)? {
        None => None,
        Some(Scalar::Int(n)) => Some(n.to_string()),
        Some(Scalar::Float(n)) => Some(n.to_string()),
        Some(Scalar::Text(s)) => Some(s),
        Some(Scalar::Bool(b)) => Some(b.to_string()),
    })
}

/// Settings for the HTTP client the runtime builds itself.
pub(crate) struct HttpSettings {
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    /// Whether any base URL uses `https`; without it, missing CA certificates are no error.
    pub(crate) needs_tls: bool,
}

/// Builds the reqwest client: rustls with the ring provider and the platform's certificate
/// verifier (no process-wide provider is installed), no redirects (a redirect would carry the
/// token elsewhere), the SDK's user agent and the timeouts.
pub(crate) fn build_http_client(settings: &HttpSettings) -> Result<reqwest::Client, Error> {
    let tls = tls_config(settings.needs_tls)?;
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .user_agent(USER_AGENT)
        .connect_timeout(settings.connect_timeout)
        .timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {}", e.without_url())))
}

fn tls_config(needs_tls: bool) -> Result<rustls::ClientConfig, Error> {
    use rustls_platform_verifier::BuilderVerifierExt;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("cannot set up TLS: {e}")))?;
    let mut config = match builder.clone().with_platform_verifier() {
        Ok(builder) => builder.with_no_client_auth(),
        Err(e) if needs_tls => {
            return Err(Error::Config(format!(
                "cannot set up TLS certificate checks: {e}"
            )));
        }
        // Plain-HTTP loopback only (tests, local fakes): a machine without CA certificates
        // still works, and any TLS connection is refused.
        Err(_) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(no_roots::RejectAll(provider)))
            .with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

mod no_roots {
    //! A certificate verifier that trusts nothing, for clients that only speak plain HTTP.

    use std::sync::Arc;

    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};

    #[derive(Debug)]
    pub(super) struct RejectAll(pub(super) Arc<CryptoProvider>);

    fn refuse() -> rustls::Error {
        rustls::Error::General("no CA certificates were found on this machine".into())
    }

    impl ServerCertVerifier for RejectAll {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp_response: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Err(refuse())
        }

        fn verify_tls12_signature(
            &self,
            _message: &[u8],
            _cert: &CertificateDer<'_>,
            _dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            Err(refuse())
        }

        fn verify_tls13_signature(
            &self,
            _message: &[u8],
            _cert: &CertificateDer<'_>,
            _dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            Err(refuse())
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::{Auth, Param};

    const QUERY_AND_BODY: OperationInfo =
        OperationInfo::new("x.query_and_body", Method::Post, Host::Api, "/v1.0/x")
            .with_auth(Auth::HeaderToken)
            .with_envelope(Envelope::Bare)
            .with_params(&[
                Param::new("unionId", Location::Query, true, false),
                Param::new("x-trace", Location::Header, false, false),
                Param::new("body", Location::Body, false, false),
            ]);

    #[test]
    fn parameters_go_where_the_table_says() {
        let request =
            serde_json::json!({"unionId": "u 1", "x-trace": 7, "body": {"a": [1]}, "unset": null});
        let p = prepare(&QUERY_AND_BODY, &request).unwrap();
        assert_eq!(p.query, vec![("unionId".to_owned(), "u 1".to_owned())]);
        assert_eq!(p.headers.get("x-trace").unwrap(), "7");
        assert_eq!(
            p.body.as_deref(),
            Some(&br#"{"body":{"a":[1]},"unset":null}"#[..])
        );
    }

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    const ERRCODE: OperationInfo = QUERY_AND_BODY.with_envelope(Envelope::Errcode);

    #[test]
    fn errcode_forms() {
        assert!(check(&ERRCODE, &answer(200, r#"{"errcode":0,"errmsg":"ok"}"#)).is_ok());
        assert!(check(&ERRCODE, &answer(200, r#"{"result":1}"#)).is_ok());
        assert!(check(&ERRCODE, &answer(200, r#"{"errcode":"0"}"#)).is_ok());
        let e = check(
            &ERRCODE,
            &answer(200, r#"{"errcode":"310000","errmsg":"sign not match"}"#),
        )
        .unwrap_err();
        assert_eq!(e.errcode(), Some(310000));
        let e = check(
            &ERRCODE,
            &answer(200, r#"{"errcode":88,"sub_code":40014,"request_id":"r"}"#),
        )
        .unwrap_err();
        assert!(e.is_token_error());
        assert_eq!(e.request_id(), Some("r"));
        let e = check(&ERRCODE, &answer(200, "<html>banned</html>")).unwrap_err();
        assert!(
            matches!(e, Error::Decode { status: 200, ref excerpt, .. } if excerpt == "<html>banned</html>")
        );
        let e = check(&ERRCODE, &answer(502, "<html>bad gateway</html>")).unwrap_err();
        assert!(matches!(e, Error::Http { status: 502, .. }) && e.is_retryable());
    }

    #[test]
    fn query_values_are_form_encoded_once() {
        let mut q = String::new();
        push_pair(&mut q, "sign", "Ouzz+x/Y=");
        push_pair(&mut q, "name", "周 a&b");
        assert_eq!(q, "sign=Ouzz%2Bx%2FY%3D&name=%E5%91%A8+a%26b");
        let mut url = Url::parse("https://oapi.dingtalk.com/robot/send").unwrap();
        url.set_query(Some(&q));
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            [
                ("sign".into(), "Ouzz+x/Y=".into()),
                ("name".into(), "周 a&b".into())
            ]
        );
    }

    #[test]
    fn the_fast_errcode_scan_agrees_with_the_parser() {
        let cases: &[(&str, bool)] = &[
            (r#"{"errcode":0,"errmsg":"ok"}"#, true),
            (r#" { "errcode" : 0 } "#, true),
            (r#"{"errcode":"0"}"#, true),
            (r#"{"errcode":null}"#, true),
            (r#"{"result":{"errcode":5},"errcode":0}"#, true),
            (r#"{"result":[1,{"a":"}"}],"x":"\"errcode\":1"}"#, true),
            (r#"{}"#, true),
            (r#"{"errcode":00}"#, false),
            (r#"{"errcode":0.5}"#, false),
            (r#"{"errcode":-1}"#, false),
            (r#"{"errcode":"60011"}"#, false),
            (r#"{"result":{"errcode":0},"errcode":40014}"#, false),
            (r#"{"errcod\u0065":40014}"#, false),
            (r#"<html>"#, false),
            (r#"{"errcode":0"#, false),
            (r#"{"a":1"#, false),
        ];
        for (body, zero) in cases {
            assert_eq!(errcode_is_zero(body.as_bytes()), *zero, "{body}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_scan_never_hides_an_error(
            entries in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["errcode", "errmsg", "result", "x"]),
                    proptest::sample::select(vec![
                        "0", "-1", "88", "\"0\"", "\"40014\"", "null", "{\"errcode\":1}", "[0,\"}\"]", "\"a\\\"b\"",
                    ]),
                ),
                0..5,
            ),
            spaced in proptest::bool::ANY,
        ) {
            let sep = if spaced { " , " } else { "," };
            let body = format!(
                "{{{}}}",
                entries.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect::<Vec<_>>().join(sep)
            );
            if errcode_is_zero(body.as_bytes()) {
                let parsed: Result<ErrcodeEnvelope, _> = serde_json::from_slice(body.as_bytes());
                if let Ok(envelope) = parsed {
                    proptest::prop_assert_eq!(envelope.errcode.unwrap_or(0), 0, "{}", body);
                }
            }
        }
    }

    #[test]
    fn bare_errors() {
        assert!(check(&QUERY_AND_BODY, &answer(200, "anything")).is_ok());
        let e = check(
            &QUERY_AND_BODY,
            &answer(
                400,
                r#"{"code":"InvalidAuthentication","message":"m","requestid":"r"}"#,
            ),
        )
        .unwrap_err();
        assert!(e.is_token_error());
        assert_eq!(e.request_id(), Some("r"));
    }

    #[test]
    fn empty_success_bodies_decode() {
        let unit: () = decode(&QUERY_AND_BODY, &answer(200, "")).unwrap();
        let () = unit;
        #[derive(Deserialize)]
        struct Loose {
            #[allow(dead_code)]
            a: Option<i32>,
        }
        assert!(decode::<Loose>(&QUERY_AND_BODY, &answer(204, " ")).is_ok());
    }
}

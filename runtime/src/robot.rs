//! The custom group robot (自定义机器人): webhook credentials, request signing, local guards for
//! DingTalk's documented limits, and a typed reading of the robot's error codes.
//!
//! A robot is addressed by the `access_token` of its webhook URL. When the robot has the
//! "加签" security setting, every request also carries `timestamp` (Unix milliseconds) and
//! `sign = base64(HMAC-SHA256(key = secret, msg = timestamp + "\n" + secret))`, computed fresh
//! for each request and percent-encoded exactly once in the query string.
//!
//! DingTalk allows 20 messages a minute per robot and bodies of at most 20,000 bytes;
//! [`RobotLimiter`] and [`check_body_size`] enforce both before anything is sent, so a burst
//! does not earn the robot a server-side throttle (DingTalk then refuses its messages for ten
//! minutes).
//!
//! The [`Client`](crate::client::Client) uses all of this for its robot operations: build one
//! with [`Client::for_robot`](crate::client::Client::for_robot) (a robot-only client, from a
//! webhook URL or token) or add a robot to an app client with
//! [`ClientBuilder::robot_webhook`](crate::client::ClientBuilder::robot_webhook). It signs every
//! attempt afresh, paces messages with one [`RobotLimiter`] per client
//! ([`ClientBuilder::robot_limit_policy`](crate::client::ClientBuilder::robot_limit_policy)),
//! checks the body size, and turns the robot's answers into typed errors:
//! [`Error::Robot`](crate::error::Error::Robot) with a [`RobotErrorKind`],
//! [`Error::RateLimited`](crate::error::Error::RateLimited) for the minute limit, and
//! [`Error::RobotGuard`](crate::error::Error::RobotGuard) when a local guard stopped the message.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::primitives::{EpochMillis, Secret};

mod limiter;

pub use crate::ratelimit::LimitPolicy;
pub use limiter::RobotLimiter;

/// The largest robot message body DingTalk accepts, in bytes (errcode 460101 beyond it).
pub const MAX_BODY_BYTES: usize = 20_000;

/// How many messages DingTalk accepts from one robot in [`RATE_WINDOW`].
pub const MESSAGES_PER_WINDOW: u32 = 20;

/// The window over which [`MESSAGES_PER_WINDOW`] is counted: one minute.
pub const RATE_WINDOW: Duration = Duration::from_secs(60);

/// Computes the robot signature for `timestamp_ms`: the standard-alphabet base64 of
/// HMAC-SHA256 with `secret` as the key over `timestamp_ms + "\n" + secret`.
///
/// The result is **not** percent-encoded: it contains `+`, `/` and `=`, which the caller must
/// encode exactly once when putting it in a URL (a query builder such as reqwest's does;
/// [`RobotWebhook::signed_query`] does it itself).
///
/// For timestamp `1700000000000` and secret `secret` the signature is
/// `OuzzJR5+xZ4/EYwqtNt6sMYZQMTa/HEGvc9miJe7XzY=`.
#[must_use]
pub fn sign(secret: &str, timestamp_ms: i64) -> String {
    // ring's HMAC (the TLS provider's, already in the build) takes keys of any length.
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let mut mac = ring::hmac::Context::with_key(&key);
    mac.update(timestamp_ms.to_string().as_bytes());
    mac.update(b"\n");
    mac.update(secret.as_bytes());
    BASE64.encode(mac.sign())
}

/// Percent-encodes `s` once for a URL query component (`application/x-www-form-urlencoded`, as
/// DingTalk's own samples encode the signature).
pub(crate) fn percent_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The credentials of one custom robot: its webhook `access_token` and, when the robot uses the
/// "加签" security setting, its signing secret; plus, when it was read from a webhook URL, that
/// URL's base.
///
/// `Debug` shows neither secret value.
///
/// Where messages go: [`Client::for_robot`](crate::client::Client::for_robot) sends to the
/// webhook URL's own base ([`RobotWebhook::base_url`]; DingTalk's `https://oapi.dingtalk.com`
/// for a robot made from a bare token), while a client built with
/// [`ClientBuilder::robot_webhook`](crate::client::ClientBuilder::robot_webhook) sends to its oapi
/// base URL (`DINGTALK_OAPI_BASE_URL`), which its other oapi operations share. Either way, plain
/// `http` is accepted for loopback hosts only (unless the builder opts in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RobotWebhook {
    access_token: Secret,
    secret: Option<Secret>,
    /// The webhook URL without its query and without the trailing `/robot/send`.
    base_url: Option<String>,
}

impl RobotWebhook {
    /// A robot addressed by its webhook `access_token`, without a signing secret.
    ///
    /// Fails with [`RobotError::InvalidToken`] when the token is empty or contains whitespace
    /// or control characters (a common copy-and-paste slip).
    pub fn new(access_token: impl Into<String>) -> Result<Self, RobotError> {
        let access_token = access_token.into();
        check_credential(&access_token).map_err(|problem| RobotError::InvalidToken { problem })?;
        Ok(RobotWebhook {
            access_token: Secret::new(access_token),
            secret: None,
            base_url: None,
        })
    }

    /// Reads the `access_token` from a webhook URL such as
    /// `https://oapi.dingtalk.com/robot/send?access_token=XXX`, and remembers the URL's base
    /// ([`RobotWebhook::base_url`], here `https://oapi.dingtalk.com`).
    ///
    /// Other query parameters (a stale `timestamp` or `sign`, say) are ignored. Fails with
    /// [`RobotError::InvalidWebhookUrl`] when the text is not an `http(s)` URL with an
    /// `access_token` parameter; the error never repeats the URL, which holds the credential.
    pub fn from_url(url: &str) -> Result<Self, RobotError> {
        let invalid = |problem| RobotError::InvalidWebhookUrl { problem };
        let url = url.trim();
        let scheme_end = url.find("://").ok_or(invalid("has no scheme"))?;
        let scheme = url.get(..scheme_end).unwrap_or_default();
        if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
            return Err(invalid("is not an http or https URL"));
        }
        let without_fragment = url.split('#').next().unwrap_or_default();
        let (_, query) = without_fragment
            .split_once('?')
            .ok_or(invalid("has no query string"))?;
        // form_urlencoded decodes leniently (a bad `%` escape passes through); a token with one
        // was mangled on the way, so it is refused rather than used.
        let well_formed = |raw: &str| {
            raw.split('%').skip(1).all(|rest| {
                rest.len() >= 2 && rest.as_bytes()[..2].iter().all(u8::is_ascii_hexdigit)
            })
        };
        let raw = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("access_token="));
        if raw.is_some_and(|raw| !well_formed(raw)) {
            return Err(invalid("has a malformed `access_token` value"));
        }
        let token = form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "access_token")
            .map(|(_, value)| value.into_owned());
        let token = token.ok_or(invalid("has no `access_token` parameter"))?;
        let mut webhook = RobotWebhook::new(token)?;
        webhook.base_url = base_of(url);
        Ok(webhook)
    }

    /// Adds the signing secret of a robot with the "加签" security setting.
    ///
    /// DingTalk's secrets start with `SEC`; any other non-empty value is accepted too (a test
    /// server may use its own), but values that are empty or contain whitespace or control
    /// characters fail with [`RobotError::InvalidSecret`].
    pub fn with_secret(mut self, secret: impl Into<String>) -> Result<Self, RobotError> {
        let secret = secret.into();
        check_credential(&secret).map_err(|problem| RobotError::InvalidSecret { problem })?;
        self.secret = Some(Secret::new(secret));
        Ok(self)
    }

    /// The webhook `access_token`.
    pub fn access_token(&self) -> &Secret {
        &self.access_token
    }

    /// The signing secret, if the robot has one.
    pub fn secret(&self) -> Option<&Secret> {
        self.secret.as_ref()
    }

    /// The base of the webhook URL this robot was read from: scheme, host, port and any path
    /// before `/robot/send`, without the query (`https://oapi.dingtalk.com` for DingTalk's
    /// webhooks, `http://127.0.0.1:8080` for a local fake). `None` for a robot made from a bare
    /// token with [`RobotWebhook::new`].
    pub fn base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    /// The query parameters of a request sent at `timestamp_ms`, **not** percent-encoded:
    /// `access_token`, then `timestamp` and `sign` when the robot has a secret. Hand them to a
    /// query builder that encodes (reqwest's `RequestBuilder::query`).
    #[must_use]
    pub fn query_params(&self, timestamp_ms: i64) -> Vec<(&'static str, String)> {
        let mut params = vec![("access_token", self.access_token.expose().to_owned())];
        if let Some(secret) = &self.secret {
            params.push(("timestamp", timestamp_ms.to_string()));
            params.push(("sign", sign(secret.expose(), timestamp_ms)));
        }
        params
    }

    /// The query string of a request sent at `timestamp_ms`, each value percent-encoded exactly
    /// once: `access_token=…&timestamp=…&sign=…` (just `access_token=…` without a secret).
    #[must_use]
    pub fn signed_query(&self, timestamp_ms: i64) -> String {
        self.query_params(timestamp_ms)
            .iter()
            .map(|(name, value)| format!("{name}={}", percent_encode(value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// [`RobotWebhook::signed_query`] for the current time.
    #[must_use]
    pub fn signed_query_now(&self) -> String {
        self.signed_query(EpochMillis::now().as_millis())
    }
}

impl FromStr for RobotWebhook {
    type Err = RobotError;

    /// Parses a webhook URL; see [`RobotWebhook::from_url`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RobotWebhook::from_url(s)
    }
}

/// The base of a webhook URL (see [`RobotWebhook::base_url`]); `None` when the URL does not
/// parse or carries user credentials.
fn base_of(url: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url).ok()?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return None;
    }
    let host = parsed.host_str().filter(|h| !h.is_empty())?;
    let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = parsed.path().trim_end_matches('/');
    let prefix = path.strip_suffix("/robot/send").unwrap_or_default();
    Some(format!("{}://{host}{port}{prefix}", parsed.scheme()))
}

/// Why a token or secret is unusable, or `Ok`.
fn check_credential(value: &str) -> Result<(), &'static str> {
    if value.is_empty() {
        Err("is empty")
    } else if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err("contains whitespace or control characters")
    } else {
        Ok(())
    }
}

/// Fails with [`RobotError::BodyTooLarge`] when a serialized message body is over
/// [`MAX_BODY_BYTES`] (20,000 bytes), which DingTalk would refuse with errcode 460101.
pub fn check_body_size(body: &[u8]) -> Result<(), RobotError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(RobotError::BodyTooLarge {
            size: body.len(),
            limit: MAX_BODY_BYTES,
        });
    }
    Ok(())
}

/// A robot request stopped on this side, before anything was sent. Messages never contain the
/// access token, the secret or a webhook URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RobotError {
    /// The webhook URL could not be read; `problem` says why (the URL itself is not repeated,
    /// since it holds the token).
    #[error("the robot webhook URL {problem}")]
    InvalidWebhookUrl {
        /// What is wrong with the URL.
        problem: &'static str,
    },
    /// The access token is unusable (empty, or holds whitespace or control characters).
    #[error("the robot access token {problem}")]
    InvalidToken {
        /// What is wrong with the token.
        problem: &'static str,
    },
    /// The signing secret is unusable (empty, or holds whitespace or control characters).
    #[error("the robot secret {problem}")]
    InvalidSecret {
        /// What is wrong with the secret.
        problem: &'static str,
    },
    /// The robot already sent `max_messages` within `window` and the limiter's policy is
    /// [`LimitPolicy::Fail`] (or [`RobotLimiter::try_acquire`] was used). A message is allowed
    /// again after `retry_after`; nothing was sent.
    #[error(
        "robot message limit reached ({max_messages} per {}s); the next message is allowed in {:.3}s",
        .window.as_secs(),
        .retry_after.as_secs_f64()
    )]
    RateLimited {
        /// The number of messages allowed per window.
        max_messages: u32,
        /// The window length.
        window: Duration,
        /// How long until a message would be allowed.
        retry_after: Duration,
    },
    /// The shared limiter set with
    /// [`RobotLimiter::with_shared`] could not decide (for example its Redis is unreachable
    /// under a strict policy); nothing was sent. `reason` is the limiter's error as text.
    #[error("the shared robot limiter could not decide: {reason}")]
    SharedLimiter {
        /// What the limiter said.
        reason: String,
    },
    /// The serialized body is larger than DingTalk accepts; nothing was sent.
    #[error("the robot message body is {size} bytes, more than the limit of {limit}")]
    BodyTooLarge {
        /// The body size in bytes.
        size: usize,
        /// The limit, [`MAX_BODY_BYTES`].
        limit: usize,
    },
}

/// What a robot `errcode` (with its `errmsg`) means; see [`classify`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RobotErrorKind {
    /// 310000: a security setting refused the message; the reason is read from `errmsg`.
    SecurityCheck(SecurityFailure),
    /// 300005: no robot has this access token (deleted, or a typo in the webhook).
    TokenNotFound,
    /// 130101 or 660026: more than 20 messages in a minute. DingTalk's documentation says the
    /// robot is then throttled for ten minutes, so sending again at once is pointless.
    TooManyMessages,
    /// 460101: the message body is over 20,000 bytes.
    BodyTooLarge,
    /// Any other errcode, including 0 (success, which callers check before classifying).
    Other(i64),
}

impl RobotErrorKind {
    /// Whether the robot is being rate limited (retry later, not at once).
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, RobotErrorKind::TooManyMessages)
    }
}

impl fmt::Display for RobotErrorKind {
    /// A short lowercase description, e.g. `robot security check failed: signature mismatch`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RobotErrorKind::SecurityCheck(failure) => {
                write!(f, "robot security check failed: {failure}")
            }
            RobotErrorKind::TokenNotFound => f.write_str("no robot has this access token"),
            RobotErrorKind::TooManyMessages => f.write_str("too many robot messages a minute"),
            RobotErrorKind::BodyTooLarge => f.write_str("robot message body too large"),
            RobotErrorKind::Other(errcode) => write!(f, "robot errcode {errcode}"),
        }
    }
}

/// Which robot security setting refused a message (errcode 310000).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecurityFailure {
    /// `sign not match`: the secret is wrong, or the signature was encoded twice or not at all.
    SignMismatch,
    /// `keywords not in content`: the robot requires a keyword the message does not contain.
    KeywordsNotInContent,
    /// `invalid timestamp`: the timestamp is more than an hour away from DingTalk's clock, or
    /// not in milliseconds.
    InvalidTimestamp,
    /// `ip X.X.X.X not in whitelist`: the sender's address is not in the robot's IP allow list.
    IpNotAllowed {
        /// The address DingTalk saw, when `errmsg` names it.
        ip: Option<String>,
    },
    /// Another reason; `errmsg` is kept as DingTalk wrote it.
    Other(String),
}

impl fmt::Display for SecurityFailure {
    /// A short lowercase description, e.g. `signature mismatch`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecurityFailure::SignMismatch => f.write_str("signature mismatch"),
            SecurityFailure::KeywordsNotInContent => {
                f.write_str("the message lacks the robot's keyword")
            }
            SecurityFailure::InvalidTimestamp => f.write_str("invalid timestamp"),
            SecurityFailure::IpNotAllowed { ip: Some(ip) } => {
                write!(f, "sender address {ip} not allowed")
            }
            SecurityFailure::IpNotAllowed { ip: None } => f.write_str("sender address not allowed"),
            SecurityFailure::Other(_) => f.write_str("another reason"),
        }
    }
}

/// Reads a robot answer's `errcode` and `errmsg`.
///
/// `classify(310000, "sign not match, more: [...]")` is
/// `SecurityCheck(SecurityFailure::SignMismatch)`; `classify(130101, "send too fast")` is
/// `TooManyMessages`.
#[must_use]
pub fn classify(errcode: i64, errmsg: &str) -> RobotErrorKind {
    match errcode {
        310000 => RobotErrorKind::SecurityCheck(security_failure(errmsg)),
        300005 => RobotErrorKind::TokenNotFound,
        130101 | 660026 => RobotErrorKind::TooManyMessages,
        460101 => RobotErrorKind::BodyTooLarge,
        other => RobotErrorKind::Other(other),
    }
}

fn security_failure(errmsg: &str) -> SecurityFailure {
    let lower = errmsg.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == ':'))
        .filter(|w| !w.is_empty())
        .collect();
    let ip_word = words.contains(&"ip");
    if lower.contains("sign not match") || lower.contains("sign mismatch") {
        SecurityFailure::SignMismatch
    } else if lower.contains("keyword") {
        SecurityFailure::KeywordsNotInContent
    } else if lower.contains("timestamp") {
        SecurityFailure::InvalidTimestamp
    } else if ip_word
        && ["whitelist", "white list", "not allowed"]
            .iter()
            .any(|p| lower.contains(p))
    {
        // "ip 1.2.3.4 not in whitelist": the address is the word after "ip".
        let ip = words
            .iter()
            .skip_while(|w| **w != "ip")
            .nth(1)
            .filter(|w| {
                w.chars()
                    .all(|c| c.is_ascii_hexdigit() || c == '.' || c == ':')
                    && w.len() > 1
            })
            .map(|w| (*w).to_owned());
        SecurityFailure::IpNotAllowed { ip }
    } else {
        SecurityFailure::Other(errmsg.to_owned())
    }
}

/// Reads an `errcode` that DingTalk may send as a number (`310000`) or as a numeric string
/// (`"310000"`); `None` for anything else (missing, `null`, a fraction, text).
/// Pass the field itself: `parse_errcode(&body["errcode"])`.
#[must_use]
pub fn parse_errcode(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_encoded_once() {
        let enc = percent_encode("OuzzJR5+xZ4/EYwqtNt6sMYZQMTa/HEGvc9miJe7XzY=");
        assert_eq!(enc, "OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D");
    }
}

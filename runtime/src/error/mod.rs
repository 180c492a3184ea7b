//! The one error type of every call, and how DingTalk's answers map onto it.
//!
//! DingTalk reports failures three ways: the oapi hosts answer HTTP 200 with a non-zero `errcode`
//! ([`Error::Api`]), the v1.0 host answers an HTTP error status with `{code, message, requestid}`
//! ([`Error::Http`]), and both have their own spellings of "too many calls"
//! ([`Error::RateLimited`]). The group robot's own refusals are typed too (`Error::Robot`, with
//! the `robot` feature). Everything the client itself detects has a variant of its own.
//!
//! No variant ever holds a URL, an access token or a secret: transport errors are stripped of
//! their URL (DingTalk puts `access_token` in the query string) before they are stored.

mod classify;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;

pub(crate) use classify::{ErrcodeAnswer, excerpt};

use crate::operation::Cursor;
use crate::validate::ValidationError;

#[cfg(feature = "robot")]
use crate::robot::{RobotError, RobotErrorKind};

/// A boxed error from outside the runtime, such as a custom [`TokenStore`](crate::token::TokenStore).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Which DingTalk limit a [`Error::RateLimited`] answer reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RateLimit {
    /// The per-app, per-API QPS limit (errcode 90018, `Forbidden.AccessDenied.QpsLimitForAppkeyAndApi`;
    /// 20 calls a second by default). Retried after at least one second.
    PerAppQps,
    /// The global per-API QPS limit (errcode 90002, `Forbidden.AccessDenied.QpsLimitForApi`). Retried.
    GlobalQps,
    /// The organisation's monthly call quota (errcode 90020, `Forbidden.AccessDenied.ApiCountLimitForOrg`).
    /// Never retried: waiting seconds does not help.
    MonthlyQuota,
    /// The group robot's limit of 20 messages a minute (errcode 130101 or 660026). Not retried:
    /// DingTalk's documentation says an offending robot is throttled for ten minutes, so calling
    /// again at once is pointless (and not [`transient`](RateLimit::is_transient)). The client
    /// paces its robot messages itself to stay under the limit (see `RobotLimiter`).
    Robot,
}

impl RateLimit {
    /// Whether waiting a moment and calling again may succeed.
    pub const fn is_transient(self) -> bool {
        matches!(self, RateLimit::PerAppQps | RateLimit::GlobalQps)
    }

    const fn describe(self) -> &'static str {
        match self {
            RateLimit::PerAppQps => "per-app QPS limit",
            RateLimit::GlobalQps => "global QPS limit",
            RateLimit::MonthlyQuota => "monthly call quota",
            RateLimit::Robot => "robot message limit",
        }
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Why a call failed.
///
/// Match on the variant for details, or use the predicates ([`is_retryable`](Error::is_retryable),
/// [`is_rate_limited`](Error::is_rate_limited), [`is_token_error`](Error::is_token_error)) and
/// accessors ([`errcode`](Error::errcode), [`request_id`](Error::request_id), …), which also look
/// through [`Error::Token`] to the failure behind it. By the time an error is returned, the client
/// has already done the retries its policy allows.
///
/// Group robot failures (with the `robot` feature): the robot's refusals are `Error::Robot`, its
/// minute limit [`Error::RateLimited`] with [`RateLimit::Robot`], and messages stopped before
/// sending (the local limiter under `LimitPolicy::Fail`, a body over 20,000 bytes)
/// `Error::RobotGuard`; `Error::robot_kind` names the reason for all of them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An oapi endpoint answered with a non-zero `errcode`.
    ///
    /// DingTalk processed the request and refused it; `errmsg` (and for errcode 88, `sub_code`
    /// and `sub_msg`) say why. Calling again unchanged fails the same way unless
    /// [`is_retryable`](Error::is_retryable) says otherwise (system busy, errcode -1).
    #[error(
        "{operation}: errcode {errcode}{}: {errmsg}{}{}",
        Labeled(" (sub_code ", .sub_code.as_deref(), ")"),
        Labeled("; ", .sub_msg.as_deref(), ""),
        Labeled(" (request id ", .request_id.as_deref(), ")")
    )]
    Api {
        /// The operation id, e.g. `blackboard.create`.
        operation: &'static str,
        /// DingTalk's error code (never 0).
        errcode: i64,
        /// DingTalk's message.
        errmsg: String,
        /// The detailed code behind errcode 88 (e.g. `40014` invalid token, `60011` no permission).
        sub_code: Option<String>,
        /// The message that goes with `sub_code`.
        sub_msg: Option<String>,
        /// The id DingTalk gave the request, for support tickets.
        request_id: Option<String>,
    },

    /// A v1.0 endpoint answered with an HTTP error status.
    ///
    /// For 4xx DingTalk refused the request and calling again unchanged fails the same way;
    /// 5xx answers are retried (unless the operation creates something and the caller did not opt in).
    #[error(
        "{operation}: HTTP {status}{}: {message}{}",
        Labeled(" ", Some(.code.as_str()).filter(|c| !c.is_empty()), ""),
        Labeled(" (request id ", .request_id.as_deref(), ")")
    )]
    Http {
        /// The operation id.
        operation: &'static str,
        /// The HTTP status code.
        status: u16,
        /// DingTalk's error code, e.g. `InvalidAuthentication`; empty when the body carried none.
        code: String,
        /// DingTalk's message, or an excerpt of the body when it was not JSON.
        message: String,
        /// The id DingTalk gave the request.
        request_id: Option<String>,
    },

    /// DingTalk refused the call because a call limit was reached.
    ///
    /// Nothing was processed. Transient limits ([`RateLimit::is_transient`]) have already been
    /// retried with a wait of at least one second; the monthly quota and the robot's minute
    /// limit ([`RateLimit::Robot`]: errcode 130101 or 660026, as a number or a numeric string)
    /// are returned at once and are not [`retryable`](Error::is_retryable).
    #[error(
        "{operation}: rate limited ({limit}){}{}: {message}{}",
        Labeled(", errcode ", *.errcode, ""),
        Labeled(", ", .code.as_deref(), ""),
        Labeled(" (request id ", .request_id.as_deref(), ")")
    )]
    RateLimited {
        /// The operation id.
        operation: &'static str,
        /// Which limit.
        limit: RateLimit,
        /// The oapi errcode (90018, 90002, 90020, 130101, 660026), when the answer had one.
        errcode: Option<i64>,
        /// The v1.0 code (`Forbidden.AccessDenied.…`), when the answer had one.
        code: Option<String>,
        /// The HTTP status, for v1.0 answers.
        status: Option<u16>,
        /// DingTalk's message.
        message: String,
        /// The id DingTalk gave the request.
        request_id: Option<String>,
    },

    /// The group robot refused the message: a security setting (errcode 310000: signature,
    /// keyword, timestamp or IP allow list, told apart by `kind`), an unknown access token
    /// (300005) or a body over 20,000 bytes (460101). `errcode` may have arrived as a number or a
    /// numeric string.
    ///
    /// The message was not posted, and sending it again unchanged fails the same way, so these
    /// are never retried. The robot's minute limit is [`Error::RateLimited`] with
    /// [`RateLimit::Robot`], and robot errcodes the SDK does not name are [`Error::Api`];
    /// [`Error::robot_kind`] reads all of them.
    #[cfg(feature = "robot")]
    #[cfg_attr(docsrs, doc(cfg(feature = "robot")))]
    #[error(
        "{operation}: {kind} (errcode {errcode}: {errmsg}){}",
        Labeled(" (request id ", .request_id.as_deref(), ")")
    )]
    Robot {
        /// The operation id, `robot.send`.
        operation: &'static str,
        /// What went wrong, read from `errcode` and `errmsg` by
        /// [`robot::classify`](crate::robot::classify).
        kind: RobotErrorKind,
        /// DingTalk's error code: 310000, 300005 or 460101.
        errcode: i64,
        /// DingTalk's message, e.g. `sign not match, more: [...]`.
        errmsg: String,
        /// The id DingTalk gave the request, when the answer carried one.
        request_id: Option<String>,
    },

    /// A robot message was stopped on this side and **nothing was sent**: the client's limiter
    /// found the robot's 20 messages of the last minute used up and its policy is
    /// `LimitPolicy::Fail` (`source` is `RobotError::RateLimited`, which says when a message is
    /// allowed again), the body is over 20,000 bytes (`RobotError::BodyTooLarge`), or the
    /// shared limiter of [`ClientBuilder::rate_limiter`](crate::ClientBuilder::rate_limiter)
    /// could not decide (`RobotError::SharedLimiter`).
    ///
    /// Not retried by the client. A rate-limited one counts as
    /// [`is_rate_limited`](Error::is_rate_limited); [`Error::robot_kind`] names both.
    #[cfg(feature = "robot")]
    #[cfg_attr(docsrs, doc(cfg(feature = "robot")))]
    #[error("{operation}: not sent: {source}")]
    RobotGuard {
        /// The operation id, `robot.send`.
        operation: &'static str,
        /// Which guard refused the message, with its figures.
        #[source]
        source: RobotError,
    },

    /// The request broke a documented limit. Nothing was sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),

    /// The HTTP exchange failed: no connection, or the connection broke.
    ///
    /// When [`reqwest::Error::is_connect`] is true on `source` the request never left;
    /// otherwise DingTalk may or may not have processed it. `source` carries no URL.
    #[error("{operation}: {} failed", TransportStage(.source))]
    Transport {
        /// The operation id.
        operation: &'static str,
        /// The underlying error, stripped of its URL.
        #[source]
        source: reqwest::Error,
    },

    /// No complete answer arrived within the configured request timeout.
    ///
    /// DingTalk may or may not have processed the request.
    #[error("{operation}: timed out waiting for the answer")]
    Timeout {
        /// The operation id.
        operation: &'static str,
    },

    /// The answer's body was larger than the client accepts
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes), 16 MiB
    /// unless set): its `Content-Length` announced more, or more arrived. The client stopped
    /// reading there and closed the connection; nothing of the body is kept.
    ///
    /// Not retried: the same request would get the same answer. The request reached the server
    /// and may have been processed.
    #[error(
        "{operation}: the HTTP {status} answer is larger than the limit of {limit} bytes{}{}",
        Labeled(" (Content-Length ", *.content_length, ")"),
        Labeled(" (stopped after ", Some(*.received).filter(|n| *n > 0), " bytes)")
    )]
    AnswerTooLarge {
        /// The operation id (for a token request, the token endpoint's: `gettoken`).
        operation: &'static str,
        /// The HTTP status of the answer.
        status: u16,
        /// The limit, in bytes.
        limit: usize,
        /// The length the answer's `Content-Length` header announced, when it had one.
        content_length: Option<u64>,
        /// How many bytes of the body had arrived when the client stopped reading: 0 when the
        /// `Content-Length` alone was enough to refuse it, else more than `limit` by at most one
        /// network read.
        received: usize,
    },

    /// The answer was not the JSON the operation expects: an HTML page (DingTalk answers an IP ban
    /// that way), a truncated body, or a shape the typed response cannot hold.
    ///
    /// The request reached DingTalk and may have been processed.
    #[error(
        "{operation}: HTTP {status} answer could not be read as the expected JSON: {excerpt:?}"
    )]
    Decode {
        /// The operation id.
        operation: &'static str,
        /// The HTTP status of the answer.
        status: u16,
        /// At most 200 characters of the body.
        excerpt: String,
        /// What the JSON parser said.
        #[source]
        source: serde_json::Error,
    },

    /// A paginated walk stopped because the server sent back the cursor it had just been asked for.
    ///
    /// The pages before it were delivered; going on would loop forever.
    #[error("{operation}: the server returned cursor {cursor} again; pagination stopped")]
    Pagination {
        /// The operation id.
        operation: &'static str,
        /// The cursor that did not advance: a number, or a text token.
        cursor: Cursor,
    },

    /// The client could not obtain an access token, so the call was not sent.
    ///
    /// `source` is usually an [`Error`] from the token endpoint (wrong app key or secret: errcode
    /// 40096 or 40089), or the error of a custom token store.
    #[error("{operation}: could not obtain an access token: {source}")]
    Token {
        /// The operation that needed the token.
        operation: &'static str,
        /// Why.
        #[source]
        source: BoxError,
    },

    /// The client's shared rate limiter
    /// ([`ClientBuilder::rate_limiter`](crate::ClientBuilder::rate_limiter)) could not decide
    /// whether the call may start (for example its Redis is unreachable under a strict policy),
    /// so the call was not sent. Not retried by the client.
    #[error("{operation}: the rate limiter could not admit the call: {source}")]
    Limiter {
        /// The operation that was to be paced.
        operation: &'static str,
        /// Why, as the limiter said.
        #[source]
        source: BoxError,
    },

    /// The client is misconfigured (builder or environment); nothing was sent.
    #[error("configuration error: {0}")]
    Config(String),

    /// A file part of a `multipart/form-data` request could not be sent: its file could not be
    /// opened or changed size since the request was made, its stream failed or did not hold the
    /// declared length, a streamed part was already used by an earlier attempt, or the part was
    /// only a description. Also a [`Download`](crate::client::Download) whose writer failed
    /// (operation and part `download`). Not retried.
    #[error("{operation}: file part `{part}`: {source}")]
    File {
        /// The operation id.
        operation: &'static str,
        /// The form part name, e.g. `media`.
        part: &'static str,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },

    /// An [`Interceptor`](crate::hooks::Interceptor) refused the call: its `on_request` failed
    /// (nothing was sent) or its `on_response` failed (the answer was not read). Not retried.
    #[error("{operation}: stopped by an interceptor: {source}")]
    Interceptor {
        /// The operation id (for a token request, the token endpoint's).
        operation: &'static str,
        /// What the interceptor returned.
        #[source]
        source: BoxError,
    },
}

impl Error {
    /// Whether calling again may succeed: system busy, a transient QPS limit, HTTP 5xx, a broken
    /// connection or a timeout.
    ///
    /// The client has already retried such failures as its policy allows; an operation that
    /// creates something is not retried after an ambiguous failure unless the caller opted in.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api {
                errcode, sub_code, ..
            } => is_busy(*errcode, sub_code.as_deref()),
            Error::RateLimited { limit, .. } => limit.is_transient(),
            Error::Http { status, .. } => *status >= 500,
            Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::Token { source, .. } => cause(source).is_some_and(Error::is_retryable),
            #[cfg(feature = "robot")]
            Error::Robot { .. } | Error::RobotGuard { .. } => false,
            Error::Validation(_)
            | Error::AnswerTooLarge { .. }
            | Error::Decode { .. }
            | Error::Pagination { .. }
            | Error::Config(_)
            | Error::File { .. }
            | Error::Limiter { .. }
            | Error::Interceptor { .. } => false,
        }
    }

    /// Whether DingTalk refused the call because a call limit was reached ([`Error::RateLimited`]),
    /// or the client's robot limiter refused to send a message ([`Error::RobotGuard`] under
    /// `LimitPolicy::Fail`).
    pub fn is_rate_limited(&self) -> bool {
        match self {
            Error::RateLimited { .. } => true,
            #[cfg(feature = "robot")]
            Error::RobotGuard {
                source: RobotError::RateLimited { .. },
                ..
            } => true,
            Error::Token { source, .. } => cause(source).is_some_and(Error::is_rate_limited),
            _ => false,
        }
    }

    /// Whether DingTalk rejected the access token (invalid, expired or missing).
    ///
    /// The client drops such a token and retries once with a fresh one before returning this.
    pub fn is_token_error(&self) -> bool {
        match self {
            Error::Api {
                errcode, sub_code, ..
            } => is_token_errcode(*errcode, sub_code.as_deref()),
            Error::Http { code, .. } => code.starts_with("InvalidAuthentication"),
            _ => false,
        }
    }

    /// What the group robot's answer, or the client's robot guard, says went wrong: the `kind`
    /// of [`Error::Robot`], [`RobotErrorKind::TooManyMessages`] for a robot
    /// [`Error::RateLimited`] and for the local limiter's refusal, and
    /// [`RobotErrorKind::BodyTooLarge`] for a body the local check refused. `None` for every
    /// other error, including robot answers with an errcode the SDK does not name (those are
    /// [`Error::Api`]).
    #[cfg(feature = "robot")]
    #[cfg_attr(docsrs, doc(cfg(feature = "robot")))]
    pub fn robot_kind(&self) -> Option<&RobotErrorKind> {
        static TOO_MANY_MESSAGES: RobotErrorKind = RobotErrorKind::TooManyMessages;
        static BODY_TOO_LARGE: RobotErrorKind = RobotErrorKind::BodyTooLarge;
        match self {
            Error::Robot { kind, .. } => Some(kind),
            Error::RateLimited {
                limit: RateLimit::Robot,
                ..
            } => Some(&TOO_MANY_MESSAGES),
            Error::RobotGuard { source, .. } => match source {
                RobotError::RateLimited { .. } => Some(&TOO_MANY_MESSAGES),
                RobotError::BodyTooLarge { .. } => Some(&BODY_TOO_LARGE),
                _ => None,
            },
            _ => None,
        }
    }

    /// The operation id the error belongs to; `None` for configuration errors.
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Error::Api { operation, .. }
            | Error::Http { operation, .. }
            | Error::RateLimited { operation, .. }
            | Error::Transport { operation, .. }
            | Error::Timeout { operation }
            | Error::AnswerTooLarge { operation, .. }
            | Error::Decode { operation, .. }
            | Error::Pagination { operation, .. }
            | Error::Token { operation, .. }
            | Error::Limiter { operation, .. }
            | Error::File { operation, .. }
            | Error::Interceptor { operation, .. } => Some(operation),
            #[cfg(feature = "robot")]
            Error::Robot { operation, .. } | Error::RobotGuard { operation, .. } => Some(operation),
            Error::Validation(e) => Some(e.operation),
            Error::Config(_) => None,
        }
    }

    /// DingTalk's numeric `errcode`, for oapi and robot answers.
    pub fn errcode(&self) -> Option<i64> {
        match self {
            Error::Api { errcode, .. } => Some(*errcode),
            #[cfg(feature = "robot")]
            Error::Robot { errcode, .. } => Some(*errcode),
            Error::RateLimited { errcode, .. } => *errcode,
            Error::Token { source, .. } => cause(source).and_then(Error::errcode),
            _ => None,
        }
    }

    /// DingTalk's textual `code`, for v1.0 answers (e.g. `InvalidAuthentication`).
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Http { code, .. } if !code.is_empty() => Some(code),
            Error::RateLimited { code, .. } => code.as_deref(),
            Error::Token { source, .. } => cause(source).and_then(Error::code),
            _ => None,
        }
    }

    /// The `sub_code` of an errcode 88 answer.
    pub fn sub_code(&self) -> Option<&str> {
        match self {
            Error::Api { sub_code, .. } => sub_code.as_deref(),
            Error::Token { source, .. } => cause(source).and_then(Error::sub_code),
            _ => None,
        }
    }

    /// The id DingTalk gave the request, when the answer carried one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. }
            | Error::Http { request_id, .. }
            | Error::RateLimited { request_id, .. } => request_id.as_deref(),
            #[cfg(feature = "robot")]
            Error::Robot { request_id, .. } => request_id.as_deref(),
            Error::Token { source, .. } => cause(source).and_then(Error::request_id),
            _ => None,
        }
    }

    /// The HTTP status of the answer, when one arrived and it matters (v1.0 errors, undecodable or
    /// oversized bodies).
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Http { status, .. }
            | Error::AnswerTooLarge { status, .. }
            | Error::Decode { status, .. } => Some(*status),
            Error::RateLimited { status, .. } => *status,
            Error::Transport { source, .. } => source.status().map(|s| s.as_u16()),
            Error::Token { source, .. } => cause(source).and_then(Error::status),
            _ => None,
        }
    }
}

/// A failure shared by several callers (one token fetch that many calls waited for).
///
/// Displays and sources as the error itself; [`Error`]'s accessors look through it.
#[derive(Debug, Clone)]
pub(crate) struct SharedError(pub(crate) Arc<Error>);

impl fmt::Display for SharedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for SharedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&*self.0)
    }
}

/// The runtime error behind an [`Error::Token`] source, if it is one.
fn cause(source: &BoxError) -> Option<&Error> {
    source.downcast_ref::<Error>().or_else(|| {
        source
            .downcast_ref::<SharedError>()
            .map(|shared| &*shared.0)
    })
}

/// System busy: errcode -1, or errcode 15 with sub_code `isp.-1`.
fn is_busy(errcode: i64, sub_code: Option<&str>) -> bool {
    errcode == -1 || (errcode == 15 && sub_code == Some("isp.-1"))
}

/// The errcodes that mean the access token is invalid, expired or missing.
fn is_token_errcode(errcode: i64, sub_code: Option<&str>) -> bool {
    match errcode {
        40014 | 42001 | 40001 | 33001 => true,
        88 => matches!(sub_code, Some("40014" | "40000")),
        _ => false,
    }
}

/// Formats `prefix value suffix` when the value is present, nothing otherwise.
struct Labeled<'a, T>(&'a str, Option<T>, &'a str);

impl<T: fmt::Display> fmt::Display for Labeled<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.1 {
            Some(v) => write!(f, "{}{v}{}", self.0, self.2),
            None => Ok(()),
        }
    }
}

/// Names the stage of an HTTP exchange that failed, from a `reqwest::Error`'s flags.
struct TransportStage<'a>(&'a reqwest::Error);

impl fmt::Display for TransportStage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        let stage = if e.is_connect() {
            if e.is_timeout() {
                "connecting (timed out)"
            } else {
                "connecting"
            }
        } else if e.is_body() || e.is_decode() {
            "reading the answer"
        } else if e.is_builder() {
            "building the request"
        } else {
            "sending the request"
        };
        f.write_str(stage)
    }
}

//! The errors of the Stream client: why [`run`](crate::StreamClient::run) gave up, why a
//! client could not be built, and why a robot reply was not sent.
//!
//! None of them carries a secret: not the app secret, not a ticket, not a session webhook's
//! token.

/// Why the Stream client could not be built or stopped running for good.
///
/// Passing failures (a dropped socket, a 5xx from the open call, a refused ticket) are not
/// errors: the client reconnects. Only what retrying cannot fix comes back here.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// The open call (`POST /v1.0/gateway/connections/open`) answered with a 4xx: wrong
    /// credentials, an app without Stream mode, a bad subscription.
    #[error(
        "DingTalk refused to open a Stream connection (POST {url}): HTTP {status}, code {code}: {message}{}",
        request_id.as_deref().map(|id| format!(" (request id {id})")).unwrap_or_default()
    )]
    OpenRejected {
        /// The open URL (no credentials in it).
        url: String,
        /// The HTTP status.
        status: u16,
        /// DingTalk's error code, such as `InvalidAuthentication` (empty when the body had none).
        code: String,
        /// DingTalk's message.
        message: String,
        /// DingTalk's request id, for a support ticket.
        request_id: Option<String>,
    },
    /// The open call returned a `ws://` endpoint on a host that is not loopback.
    #[error(
        "the Stream endpoint {endpoint} uses plain ws:// on a host that is not loopback \
         (127.0.0.1, ::1, localhost); only wss:// is allowed there"
    )]
    InsecureEndpoint {
        /// The endpoint, without the ticket.
        endpoint: String,
    },
    /// The open call returned an endpoint that is not a WebSocket URL.
    #[error("the Stream endpoint {endpoint:?} returned by the open call is unusable: {reason}")]
    InvalidEndpoint {
        /// The endpoint as returned (it never holds the ticket).
        endpoint: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The builder was given settings that cannot work.
    #[error("invalid Stream client settings: {0}")]
    Config(String),
}

/// Why a robot reply over the session webhook was not sent or not accepted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplyError {
    /// The message has no `sessionWebhook`.
    #[error("the robot message {msg_id:?} has no sessionWebhook to reply to")]
    NoWebhook {
        /// The message's `msgId`.
        msg_id: String,
    },
    /// The session webhook expired (`sessionWebhookExpiredTime` is past): DingTalk would refuse
    /// it. Reply through the robot API instead.
    #[error(
        "the session webhook of robot message {msg_id:?} expired at {expired_at_ms} ms \
         (now {now_ms} ms); reply through the robot API instead"
    )]
    WebhookExpired {
        /// The message's `msgId`.
        msg_id: String,
        /// When it expired (ms since the Unix epoch).
        expired_at_ms: i64,
        /// The time of the check (ms since the Unix epoch).
        now_ms: i64,
    },
    /// The message was not delivered by a [`StreamClient`](crate::StreamClient), so there is
    /// no HTTP client to reply with.
    #[error("the robot message {msg_id:?} was not delivered by a StreamClient and cannot reply")]
    Detached {
        /// The message's `msgId`.
        msg_id: String,
    },
    /// The request did not get an answer (the URL is left out: it holds a session token).
    #[error("the reply to robot message {msg_id:?} failed on the way: {reason}")]
    Transport {
        /// The message's `msgId`.
        msg_id: String,
        /// What failed.
        reason: String,
    },
    /// DingTalk answered with an error status or a non-zero `errcode`.
    #[error(
        "DingTalk refused the reply to robot message {msg_id:?}: HTTP {status}, errcode {errcode}: {errmsg}"
    )]
    Rejected {
        /// The message's `msgId`.
        msg_id: String,
        /// The HTTP status.
        status: u16,
        /// DingTalk's `errcode` (0 when the body had none).
        errcode: i64,
        /// DingTalk's `errmsg` (or the start of the body).
        errmsg: String,
    },
}

//! The [`Client`]: configuration, and the path every call takes.
//!
//! A call is validated, laid out for the wire once, then attempted: token (cached), pace (per
//! operation id, by the client's `CallLimiter`), send, check the envelope. A rejected token is
//! dropped and the call tried once more with a fresh one; other failures are retried as the
//! client's retry policy allows.
//! Each call runs in a `dingtalk.call` tracing span that records the operation id, the attempt,
//! the latency and the error code, and the OpenTelemetry HTTP client attributes
//! `http.request.method`, `server.address`, `url.path` and `http.response.status_code`; never a
//! token or secret (the path carries none: DingTalk's tokens travel in the query string or a
//! header). `url.path` is the path as sent: a path template's `{name}`s filled with the
//! request's path parameters (ids, not secrets).
//!
//! The SNS and login-free calls (`auth: app_signature`) carry no token either: each attempt signs
//! the client's clock time with the AppSecret (`accessKey`, `timestamp`, `signature` in the query;
//! see [`login::sns_signature`](crate::login::sns_signature)), so a retry is signed afresh.
//!
//! Group robot operations (with the `robot` feature) take the robot's webhook credential
//! instead of an access token: [`Client::for_robot`] builds a client for one robot alone, and
//! [`ClientBuilder::robot_webhook`] adds a robot to an app's client. Each attempt is paced by the
//! client's robot limiter (20 messages a minute, waiting or failing as
//! [`ClientBuilder::robot_limit_policy`] says) and signed afresh when the robot has a secret.

mod base_url;
mod builder;
mod download;
pub mod env;

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use serde::de::DeserializeOwned;
use tracing::Instrument;
use tracing::field::Empty;

use crate::error::Error;
use crate::future::ResponseFuture;
use crate::operation::{Auth, Operation, OperationInfo};
use crate::primitives::Secret;
use crate::ratelimit::RateLimiter;
use crate::retry::RetryPolicy;
#[cfg(feature = "robot")]
use crate::robot::{RobotLimiter, RobotWebhook};
use crate::time::TimeSource;
use crate::token::TokenProvider;
use crate::transport::{self, Answer, Credential, Prepared, Transport};

pub use builder::ClientBuilder;
pub use download::Download;

/// The documented oapi host.
pub const DEFAULT_OAPI_BASE_URL: &str = "https://oapi.dingtalk.com";
/// The documented v1.0 host.
pub const DEFAULT_API_BASE_URL: &str = "https://api.dingtalk.com";
/// The most bytes an answer's body may have unless [`ClientBuilder::max_response_bytes`] says
/// otherwise: 16 MiB, far more than DingTalk's JSON answers need and far less than would hurt a
/// process that receives an endless or lying answer.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// A DingTalk client: cheap to clone (clones share the connection pool, the token cache and the
/// pacing), and safe to use from many tasks at once.
///
/// Build one with [`Client::builder`] (`.app_credentials(key, secret).build()`) or
/// [`Client::from_env`] (or, for a group robot alone, `Client::for_robot`), then send requests
/// with [`Client::execute`] or walk paginated ones with [`Client::pages`] and [`Client::items`].
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    tokens: Option<TokenProvider>,
    #[cfg(feature = "robot")]
    robot: Option<RobotSender>,
    /// Built by `for_robot`: only robot operations may be called.
    robot_only: bool,
    agent_id: Option<i64>,
    retry: RetryPolicy,
    limiter: RateLimiter,
    /// The wall clock of robot signatures, signed queries and JSAPI tickets (the token provider
    /// holds its own).
    clock: Arc<dyn TimeSource>,
}

/// The group robot's credentials and the one guard that paces its messages.
#[cfg(feature = "robot")]
struct RobotSender {
    webhook: RobotWebhook,
    /// `None` when robot pacing is off.
    limiter: Option<RobotLimiter>,
}

#[cfg(feature = "robot")]
impl fmt::Debug for RobotSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Neither the token nor the secret: only whether there is a secret.
        f.debug_struct("RobotSender")
            .field("signed", &self.webhook.secret().is_some())
            .field("limiter", &self.limiter)
            .finish()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        let mut f = f.debug_struct("Client");
        f.field("oapi_base_url", &inner.transport.oapi_base())
            .field("api_base_url", &inner.transport.api_base())
            .field("tokens", &inner.tokens);
        #[cfg(feature = "robot")]
        f.field("robot", &inner.robot);
        f.field("robot_only", &inner.robot_only)
            .field("agent_id", &inner.agent_id)
            .field("retry", &inner.retry)
            .field("limiter", &inner.limiter)
            .finish()
    }
}

impl Client {
    /// A builder; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the environment: `DINGTALK_APP_KEY`, `DINGTALK_APP_SECRET`,
    /// `DINGTALK_OAPI_BASE_URL`, `DINGTALK_API_BASE_URL`, `DINGTALK_ROBOT_TOKEN`,
    /// `DINGTALK_ROBOT_SECRET` (see [`env`](mod@env)). The error names a missing variable.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env().build()
    }

    /// A client for one group robot and nothing else: no app credentials, only robot operations
    /// (`client.robot().send(..)`); any other operation fails with [`Error::Config`] before
    /// anything is sent.
    ///
    /// Messages go to the base of the webhook URL the robot was read from
    /// ([`RobotWebhook::base_url`]; `https://oapi.dingtalk.com` for one made from a bare token),
    /// which must be `https`, or plain `http` on a loopback host (a local fake). The environment
    /// is not read. They are paced at 20 a minute, waiting when the budget is spent; use
    /// [`ClientBuilder::for_robot`] to change that or any other setting.
    ///
    /// Fails with [`Error::Config`] when the webhook's base URL is not acceptable.
    #[cfg(feature = "robot")]
    #[cfg_attr(docsrs, doc(cfg(feature = "robot")))]
    pub fn for_robot(webhook: RobotWebhook) -> Result<Client, Error> {
        ClientBuilder::for_robot(webhook).build()
    }

    /// The AgentId configured on the builder, for operations that take one.
    pub fn agent_id(&self) -> Option<i64> {
        self.inner.agent_id
    }

    /// The wall-clock time as the client's time source tells it.
    pub(crate) fn now(&self) -> std::time::SystemTime {
        self.inner.clock.now()
    }

    /// The current access token, fetched if the cache holds none that is fresh.
    ///
    /// For calling endpoints this SDK does not cover; take care where it goes.
    pub async fn access_token(&self) -> Result<Secret, Error> {
        self.token("gettoken").await
    }

    /// Sends one request and returns its typed answer.
    ///
    /// The request is checked against its documented limits first ([`Error::Validation`], nothing
    /// sent). Failures that may pass are retried as configured; a rejected access token is
    /// replaced once.
    pub fn execute<O: Operation>(&self, request: O) -> ResponseFuture<'_, O::Response> {
        // The generic part is small and synchronous: check and lay out the request, and decode
        // the answer. The call itself (span, token, pacing, retries) is one future for every
        // operation, compiled once rather than once per operation type.
        let prepared = self.prepare(&request);
        drop(request);
        let call = self.traced(O::INFO, prepared, decode_any::<O::Response>);
        ResponseFuture::new(async move {
            let decoded = call.await?;
            match decoded.downcast::<O::Response>() {
                Ok(response) => Ok(*response),
                Err(_) => unreachable!("decode_any::<O::Response> boxes an O::Response"),
            }
        })
    }

    /// Checks `request` against the client and its documented limits, and lays it out for the
    /// wire.
    fn prepare<O: Operation>(&self, request: &O) -> Result<Prepared, Error> {
        let info = O::INFO;
        if self.inner.robot_only && info.auth != Auth::Robot {
            return Err(Error::Config(format!(
                "{} is not a group robot operation, and this client was built for a robot alone \
                 (Client::for_robot); build one with app credentials for it",
                info.id
            )));
        }
        request.validate()?;
        transport::prepare(info, request, request.files())
    }

    /// The call inside its `dingtalk.call` span.
    async fn traced(
        &self,
        info: &'static OperationInfo,
        prepared: Result<Prepared, Error>,
        decode: Decode,
    ) -> Result<Box<dyn Any + Send>, Error> {
        let span = tracing::info_span!(
            "dingtalk.call",
            operation = info.id,
            "http.request.method" = info.method.as_str(),
            "server.address" = Empty,
            // A path with `{name}` in it is recorded once it is filled, in `run`.
            "url.path" = (!info.path.contains('{')).then_some(info.path),
            attempt = Empty,
            latency_ms = Empty,
            "http.response.status_code" = Empty,
            errcode = Empty,
        );
        if span.is_disabled() {
            // Nobody listens: skip the clock and the records.
            return self.run(info, prepared, decode, &span).await;
        }
        span.record("server.address", self.inner.transport.host_name(info));
        let started = Instant::now();
        let result = self
            .run(info, prepared, decode, &span)
            .instrument(span.clone())
            .await;
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        span.record("latency_ms", latency_ms);
        let _entered = span.enter();
        match &result {
            Ok(_) => tracing::debug!(latency_ms, "call succeeded"),
            Err(error) => {
                record_error(&span, error);
                tracing::debug!(latency_ms, %error, "call failed");
            }
        }
        result
    }

    /// Sends a prepared request and decodes its answer.
    async fn run(
        &self,
        info: &'static OperationInfo,
        prepared: Result<Prepared, Error>,
        decode: Decode,
        span: &tracing::Span,
    ) -> Result<Box<dyn Any + Send>, Error> {
        let prepared = prepared?;
        if let Cow::Owned(path) = &prepared.path {
            // The ids in a filled path are not secrets.
            span.record("url.path", path.as_str());
        }
        let answer = self.send(info, &prepared, span).await?;
        decode(info, &answer)
    }

    /// Attempts a prepared request until it succeeds or may not be retried; records the number
    /// of attempts on the span.
    async fn send(
        &self,
        info: &'static OperationInfo,
        prepared: &Prepared,
        span: &tracing::Span,
    ) -> Result<Answer, Error> {
        let mut attempt: u32 = 0;
        let result = self.send_counting(info, prepared, &mut attempt).await;
        if !span.is_disabled() {
            // Recorded once: a fmt subscriber would show every value recorded along the way.
            span.record("attempt", attempt);
            if let Ok(answer) = &result {
                span.record("http.response.status_code", answer.status);
            }
        }
        result
    }

    async fn send_counting(
        &self,
        info: &'static OperationInfo,
        prepared: &Prepared,
        attempt: &mut u32,
    ) -> Result<Answer, Error> {
        let inner = &*self.inner;
        let mut retries: u32 = 0;
        let mut token_replaced = false;
        loop {
            *attempt += 1;
            let (result, token) = self.attempt(info, prepared, *attempt).await;
            let error = match result {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
            // A streamed file part went with the first attempt: nothing is left to send again.
            if !prepared.is_replayable() {
                return Err(error);
            }
            if error.is_token_error()
                && !token_replaced
                && let (Some(tokens), Some(rejected)) = (&inner.tokens, token)
            {
                token_replaced = true;
                tracing::debug!(attempt = *attempt, %error, "access token rejected; fetching anew");
                Box::pin(tokens.invalidate(&rejected, info.id)).await?;
                continue;
            }
            let Some(delay) = inner.retry.backoff(&error, info.effect, retries) else {
                return Err(error);
            };
            retries += 1;
            let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
            tracing::info!(attempt = *attempt, delay_ms, %error, "retrying");
            Box::pin(tokio::time::sleep(delay)).await;
        }
    }

    /// One attempt; also returns the token it used, so a rejected one can be dropped.
    async fn attempt(
        &self,
        info: &'static OperationInfo,
        prepared: &Prepared,
        attempt: u32,
    ) -> (Result<Answer, Error>, Option<Secret>) {
        let token = match info.auth {
            Auth::QueryToken | Auth::HeaderToken => match self.token(info.id).await {
                Ok(token) => Some(token),
                Err(error) => return (Err(error), None),
            },
            Auth::None | Auth::Robot | Auth::AppSignature => None,
        };
        // Paced after the token, right before sending: a slow token fetch must not hold calls
        // past their slots and then let them through together with the next ones.
        if let Err(error) = self.inner.limiter.acquire(info).await {
            return (Err(error), None);
        }
        let credential = match (info.auth, &token) {
            (Auth::QueryToken, Some(token)) => Credential::Query(token),
            (Auth::HeaderToken, Some(token)) => Credential::Header(token),
            // Boxed: the robot's limiter and signing are rare, and keep every call's future small.
            (Auth::Robot, _) => match Box::pin(self.robot_credential(info)).await {
                Ok(credential) => credential,
                Err(error) => return (Err(error), None),
            },
            // Signed after any wait for pacing, so the timestamp is fresh for each attempt.
            (Auth::AppSignature, _) => match self.app_signature(info) {
                Ok(credential) => credential,
                Err(error) => return (Err(error), None),
            },
            _ => Credential::None,
        };
        let transport = &self.inner.transport;
        let result = match transport.send(info, prepared, &credential, attempt).await {
            Ok(answer) => transport::check(info, &answer).map(|()| answer),
            Err(error) => Err(error),
        };
        (result, token)
    }

    async fn token(&self, operation: &'static str) -> Result<Secret, Error> {
        match &self.inner.tokens {
            Some(tokens) => tokens.token(&self.inner.transport, operation).await,
            None => Err(Error::Config(format!(
                "{operation} needs an access token, but the client has no app credentials \
                 (set {} and {}, or call app_credentials)",
                env::APP_KEY,
                env::APP_SECRET
            ))),
        }
    }

    /// The signed query of one attempt (`auth: app_signature`): the AppKey, the client's clock
    /// now in milliseconds, and the signature of that time keyed with the AppSecret.
    fn app_signature(&self, info: &'static OperationInfo) -> Result<Credential<'_>, Error> {
        let Some((app_key, app_secret)) = self
            .inner
            .tokens
            .as_ref()
            .and_then(TokenProvider::app_credentials)
        else {
            return Err(Error::Config(format!(
                "{} signs its query with the app's AppKey and AppSecret, but the client has none \
                 (set {} and {}, or call app_credentials)",
                info.id,
                env::APP_KEY,
                env::APP_SECRET
            )));
        };
        let timestamp = crate::primitives::EpochMillis::from(self.inner.clock.now()).as_millis();
        Ok(Credential::AppSignature {
            app_key,
            timestamp,
            signature: Secret::new(crate::login::sns_signature(app_secret, timestamp)),
        })
    }

    /// The robot's credential for one attempt: a slot from the robot's limiter (waiting, or
    /// [`Error::RobotGuard`] under [`LimitPolicy::Fail`]), then, when the robot has a secret, a
    /// signature over the current time, made after any wait so it is fresh.
    #[cfg(feature = "robot")]
    async fn robot_credential(
        &self,
        info: &'static OperationInfo,
    ) -> Result<Credential<'_>, Error> {
        let Some(robot) = &self.inner.robot else {
            return Err(Error::Config(format!(
                "{} needs the robot's webhook token (set {} or call robot_webhook)",
                info.id,
                env::ROBOT_TOKEN
            )));
        };
        if let Some(limiter) = &robot.limiter {
            limiter
                .acquire(&robot.webhook)
                .await
                .map_err(|source| Error::RobotGuard {
                    operation: info.id,
                    source,
                })?;
        }
        let signature = robot.webhook.secret().map(|secret| {
            let timestamp =
                crate::primitives::EpochMillis::from(self.inner.clock.now()).as_millis();
            (timestamp, crate::robot::sign(secret.expose(), timestamp))
        });
        Ok(Credential::Robot {
            token: robot.webhook.access_token(),
            signature,
        })
    }

    /// Without the `robot` feature there is no robot to send with.
    #[cfg(not(feature = "robot"))]
    async fn robot_credential(
        &self,
        info: &'static OperationInfo,
    ) -> Result<Credential<'_>, Error> {
        Err(Error::Config(format!(
            "{} is a group robot operation, which needs the `robot` feature",
            info.id
        )))
    }
}

/// Decodes an answer into an operation's response type, boxed: what lets the call future be
/// the same for every operation.
type Decode = fn(&'static OperationInfo, &Answer) -> Result<Box<dyn Any + Send>, Error>;

/// The [`Decode`] of the response type `R`.
fn decode_any<R: DeserializeOwned + Send + 'static>(
    info: &'static OperationInfo,
    answer: &Answer,
) -> Result<Box<dyn Any + Send>, Error> {
    transport::decode::<R>(info, answer).map(|response| Box::new(response) as Box<dyn Any + Send>)
}

/// Puts the error's code on the call's span.
fn record_error(span: &tracing::Span, error: &Error) {
    if let Some(status) = error.status() {
        span.record("http.response.status_code", status);
    }
    if let Some(errcode) = error.errcode() {
        span.record("errcode", errcode);
    } else if let Some(code) = error.code() {
        span.record("errcode", code);
    }
}

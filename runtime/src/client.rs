//! The [`Client`]: configuration, and the path every call takes.
//!
//! A call is validated, laid out for the wire once, then attempted: pace (per operation id),
//! token (cached), send, check the envelope. A rejected token is dropped and the call tried once
//! more with a fresh one; other failures are retried as the client's retry policy allows.
//! Each call runs in a `dingtalk.call` tracing span that records the operation id, the attempt,
//! the latency and the error code, and never a token or secret.
//!
//! Group robot operations (with the `robot` feature) take the robot's webhook credential
//! instead of an access token: [`Client::for_robot`] builds a client for one robot alone, and
//! [`ClientBuilder::robot_webhook`] adds a robot to an app's client. Each attempt is paced by the
//! client's robot limiter (20 messages a minute, waiting or failing as
//! [`ClientBuilder::robot_limit_policy`] says) and signed afresh when the robot has a secret.

use std::fmt;
use std::marker::PhantomData;
use std::net::IpAddr;
#[cfg(feature = "robot")]
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::Instrument;
use tracing::field::Empty;

use crate::error::Error;
use crate::future::ResponseFuture;
use crate::operation::{Auth, Operation, OperationInfo};
use crate::primitives::Secret;
use crate::ratelimit::{CallRate, RateLimiter, RateLimits};
use crate::retry::RetryPolicy;
#[cfg(feature = "robot")]
use crate::robot::{LimitPolicy, RobotLimiter, RobotWebhook};
use crate::token::{Credentials, MemoryTokenStore, TokenProvider, TokenStore};
use crate::transport::{self, Answer, Credential, HttpSettings, Prepared, Transport};

/// The documented oapi host.
pub const DEFAULT_OAPI_BASE_URL: &str = "https://oapi.dingtalk.com";
/// The documented v1.0 host.
pub const DEFAULT_API_BASE_URL: &str = "https://api.dingtalk.com";

/// The environment variables [`Client::from_env`] reads.
pub mod env {
    /// The app's AppKey.
    pub const APP_KEY: &str = "DINGTALK_APP_KEY";
    /// The app's AppSecret.
    pub const APP_SECRET: &str = "DINGTALK_APP_SECRET";
    /// Overrides the oapi host (and with it the robot webhook).
    pub const OAPI_BASE_URL: &str = "DINGTALK_OAPI_BASE_URL";
    /// Overrides the v1.0 host.
    pub const API_BASE_URL: &str = "DINGTALK_API_BASE_URL";
    /// The group robot's webhook `access_token` (read with the `robot` feature only).
    pub const ROBOT_TOKEN: &str = "DINGTALK_ROBOT_TOKEN";
    /// The group robot's signing secret (`SEC…`; read with the `robot` feature only).
    pub const ROBOT_SECRET: &str = "DINGTALK_ROBOT_SECRET";
}

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
        ResponseFuture::new(self.traced(request))
    }

    /// [`Client::execute`] inside its `dingtalk.call` span.
    async fn traced<O: Operation>(&self, request: O) -> Result<O::Response, Error> {
        let info = O::INFO;
        let span = tracing::info_span!(
            "dingtalk.call",
            operation = info.id,
            attempt = Empty,
            latency_ms = Empty,
            status = Empty,
            errcode = Empty,
        );
        if span.is_disabled() {
            // Nobody listens: skip the clock and the records.
            return self.run(request, &span).await;
        }
        let started = Instant::now();
        let result = self.run(request, &span).instrument(span.clone()).await;
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

    /// Validates, lays out, sends and decodes one request.
    async fn run<O: Operation>(
        &self,
        request: O,
        span: &tracing::Span,
    ) -> Result<O::Response, Error> {
        let info = O::INFO;
        if self.inner.robot_only && info.auth != Auth::Robot {
            return Err(Error::Config(format!(
                "{} is not a group robot operation, and this client was built for a robot alone \
                 (Client::for_robot); build one with app credentials for it",
                info.id
            )));
        }
        request.validate()?;
        let prepared = transport::prepare(info, &request)?;
        drop(request);
        let answer = self.send(info, &prepared, span).await?;
        transport::decode::<O::Response>(info, &answer)
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
                span.record("status", answer.status);
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
            inner.limiter.acquire(info).await;
            let (result, token) = self.attempt(info, prepared).await;
            let error = match result {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
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
    ) -> (Result<Answer, Error>, Option<Secret>) {
        let token = match info.auth {
            Auth::QueryToken | Auth::HeaderToken => match self.token(info.id).await {
                Ok(token) => Some(token),
                Err(error) => return (Err(error), None),
            },
            Auth::None | Auth::Robot => None,
        };
        let credential = match (info.auth, &token) {
            (Auth::QueryToken, Some(token)) => Credential::Query(token),
            (Auth::HeaderToken, Some(token)) => Credential::Header(token),
            // Boxed: the robot's limiter and signing are rare, and keep every call's future small.
            (Auth::Robot, _) => match Box::pin(self.robot_credential(info)).await {
                Ok(credential) => credential,
                Err(error) => return (Err(error), None),
            },
            _ => Credential::None,
        };
        let transport = &self.inner.transport;
        let result = match transport.send(info, prepared, &credential).await {
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
            let timestamp = crate::primitives::EpochMillis::now().as_millis();
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

/// Puts the error's code on the call's span.
fn record_error(span: &tracing::Span, error: &Error) {
    if let Some(status) = error.status() {
        span.record("status", status);
    }
    if let Some(errcode) = error.errcode() {
        span.record("errcode", errcode);
    } else if let Some(code) = error.code() {
        span.record("errcode", code);
    }
}

/// Configures a [`Client`]. Every setting is optional; problems are reported by
/// [`build`](ClientBuilder::build).
///
/// `C` is what `build` gives: this crate's [`Client`], or a client type that wraps one (the
/// generated `dingtalk_openapi::Client`, whose `builder()` returns a `ClientBuilder` of its own
/// type).
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder<C = Client> {
    credentials: Option<Credentials>,
    agent_id: Option<i64>,
    robot_token: Option<Secret>,
    robot_secret: Option<Secret>,
    /// The robot limiter's budget; `None` turns robot pacing off.
    robot_rate: Option<CallRate>,
    #[cfg(feature = "robot")]
    robot_policy: LimitPolicy,
    /// Set by [`ClientBuilder::for_robot`].
    robot_only: bool,
    oapi_base_url: String,
    api_base_url: String,
    allow_insecure_http: bool,
    connect_timeout: Duration,
    timeout: Duration,
    http: Option<reqwest::Client>,
    token_store: Option<Arc<dyn TokenStore>>,
    refresh_margin: Duration,
    retry: RetryPolicy,
    limits: RateLimits,
    problems: Vec<String>,
    target: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("ClientBuilder");
        f.field("credentials", &self.credentials)
            .field("agent_id", &self.agent_id)
            .field("robot_token", &self.robot_token.as_ref().map(|_| "***"))
            .field("robot_secret", &self.robot_secret.as_ref().map(|_| "***"))
            .field("robot_rate", &self.robot_rate);
        #[cfg(feature = "robot")]
        f.field("robot_policy", &self.robot_policy);
        f.field("robot_only", &self.robot_only)
            .field("oapi_base_url", &self.oapi_base_url)
            .field("api_base_url", &self.api_base_url)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("custom_http_client", &self.http.is_some())
            .field("custom_token_store", &self.token_store.is_some())
            .field("refresh_margin", &self.refresh_margin)
            .field("retry", &self.retry)
            .field("limits", &self.limits)
            .finish()
    }
}

impl<C> Default for ClientBuilder<C> {
    fn default() -> Self {
        ClientBuilder::new()
    }
}

impl<C> ClientBuilder<C> {
    /// A builder with the defaults: the documented hosts, a 10 s connect and 30 s request timeout,
    /// tokens refreshed 5 minutes before expiry, 3 retries from a 200 ms backoff, and 20 calls a
    /// second per operation (20 messages a minute for the robot, waiting when they are spent).
    pub fn new() -> Self {
        ClientBuilder {
            credentials: None,
            agent_id: None,
            robot_token: None,
            robot_secret: None,
            robot_rate: Some(CallRate::per_minute(20)),
            #[cfg(feature = "robot")]
            robot_policy: LimitPolicy::Wait,
            robot_only: false,
            oapi_base_url: DEFAULT_OAPI_BASE_URL.to_owned(),
            api_base_url: DEFAULT_API_BASE_URL.to_owned(),
            allow_insecure_http: false,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            http: None,
            token_store: None,
            refresh_margin: Duration::from_secs(300),
            retry: RetryPolicy::default(),
            limits: RateLimits::default(),
            problems: Vec::new(),
            target: PhantomData,
        }
    }

    /// A builder configured from the environment variables listed in [`env`](mod@env); further settings
    /// may follow. A missing variable is reported by [`build`](ClientBuilder::build), by name.
    pub fn from_env() -> Self {
        ClientBuilder::new().env_from(|name| std::env::var(name).ok())
    }

    /// A builder for a client of one group robot alone, as [`Client::for_robot`] builds it:
    /// the webhook's credentials, the base of its URL as the oapi base URL
    /// ([`RobotWebhook::base_url`], else `https://oapi.dingtalk.com`), no app credentials and
    /// only robot operations. Further settings may follow (a
    /// [`robot_limit_policy`](ClientBuilder::robot_limit_policy), timeouts, retries, or
    /// [`oapi_base_url`](ClientBuilder::oapi_base_url) to send elsewhere); app credentials may
    /// not.
    #[cfg(feature = "robot")]
    #[cfg_attr(docsrs, doc(cfg(feature = "robot")))]
    pub fn for_robot(webhook: RobotWebhook) -> Self {
        let base = webhook
            .base_url()
            .unwrap_or(DEFAULT_OAPI_BASE_URL)
            .to_owned();
        let mut builder = ClientBuilder::new()
            .oapi_base_url(base)
            .robot_webhook(webhook);
        builder.robot_only = true;
        builder
    }

    /// Reads the settings of [`from_env`](ClientBuilder::from_env) through `lookup`.
    fn env_from(mut self, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        // Without the `robot` feature the robot's variables mean nothing to this client.
        let get_robot = |name: &str| get(name).filter(|_| cfg!(feature = "robot"));
        let robot_token = get_robot(env::ROBOT_TOKEN);
        match (get(env::APP_KEY), get(env::APP_SECRET)) {
            (Some(key), Some(secret)) => self = self.app_credentials(key, secret),
            (Some(_), None) => self.problems.push(format!(
                "{} is not set ({} is)",
                env::APP_SECRET,
                env::APP_KEY
            )),
            (None, Some(_)) => self.problems.push(format!(
                "{} is not set ({} is)",
                env::APP_KEY,
                env::APP_SECRET
            )),
            (None, None) if robot_token.is_none() => {
                self.problems.push(format!(
                    "{} and {} are not set",
                    env::APP_KEY,
                    env::APP_SECRET
                ));
            }
            (None, None) => {}
        }
        if let Some(url) = get(env::OAPI_BASE_URL) {
            self = self.oapi_base_url(url);
        }
        if let Some(url) = get(env::API_BASE_URL) {
            self = self.api_base_url(url);
        }
        match (robot_token, get_robot(env::ROBOT_SECRET)) {
            (Some(token), secret) => {
                self = self.robot_token(token);
                if let Some(secret) = secret {
                    self = self.robot_secret(secret);
                }
            }
            (None, Some(_)) => self.problems.push(format!(
                "{} is not set ({} is)",
                env::ROBOT_TOKEN,
                env::ROBOT_SECRET
            )),
            (None, None) => {}
        }
        self
    }

    /// Authenticates with an app's AppKey and AppSecret (tokens from `gettoken?appkey=&appsecret=`).
    pub fn app_credentials(
        mut self,
        app_key: impl Into<String>,
        app_secret: impl Into<Secret>,
    ) -> Self {
        self.credentials = Some(Credentials::App {
            key: app_key.into(),
            secret: app_secret.into(),
        });
        self
    }

    /// Authenticates with the legacy CorpId and CorpSecret (tokens from `gettoken?corpid=&corpsecret=`).
    pub fn corp_credentials(
        mut self,
        corp_id: impl Into<String>,
        corp_secret: impl Into<Secret>,
    ) -> Self {
        self.credentials = Some(Credentials::Corp {
            corp_id: corp_id.into(),
            secret: corp_secret.into(),
        });
        self
    }

    /// The app's AgentId, for operations that take one.
    pub fn agent_id(mut self, agent_id: i64) -> Self {
        self.agent_id = Some(agent_id);
        self
    }

    /// The group robot's webhook `access_token`: the robot part of
    /// [`robot_webhook`](ClientBuilder::robot_webhook), for a token held as text (checked by
    /// [`build`](ClientBuilder::build) as `RobotWebhook::new` checks it). Robot operations need
    /// the `robot` feature.
    pub fn robot_token(mut self, token: impl Into<Secret>) -> Self {
        self.robot_token = Some(token.into());
        self
    }

    /// The group robot's signing secret (`SEC…`); every robot request is then signed afresh.
    /// Needs a [`robot_token`](ClientBuilder::robot_token).
    pub fn robot_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.robot_secret = Some(secret.into());
        self
    }

    /// The group robot to send robot operations with: its token and, if it has one, its secret
    /// (replacing any set before, a secret included).
    ///
    /// Its messages go to this client's oapi base URL (default `https://oapi.dingtalk.com`,
    /// moved by [`oapi_base_url`](ClientBuilder::oapi_base_url) or `DINGTALK_OAPI_BASE_URL`),
    /// which the app's oapi operations share; the host of the URL the webhook was read from is
    /// not used here. [`Client::for_robot`] sends to that host instead.
    #[cfg(feature = "robot")]
    #[cfg_attr(docsrs, doc(cfg(feature = "robot")))]
    pub fn robot_webhook(mut self, webhook: RobotWebhook) -> Self {
        self.robot_token = Some(webhook.access_token().clone());
        self.robot_secret = webhook.secret().cloned();
        self
    }

    /// What the robot limiter does when the robot has used up its messages for the window:
    /// [`LimitPolicy::Wait`] (the default) waits until a message is allowed, then sends;
    /// [`LimitPolicy::Fail`] returns [`Error::RobotGuard`] at once, without sending.
    #[cfg(feature = "robot")]
    #[cfg_attr(docsrs, doc(cfg(feature = "robot")))]
    pub fn robot_limit_policy(mut self, policy: LimitPolicy) -> Self {
        self.robot_policy = policy;
        self
    }

    /// The oapi host (default `https://oapi.dingtalk.com`); the robot webhook moves with it.
    pub fn oapi_base_url(mut self, url: impl Into<String>) -> Self {
        self.oapi_base_url = url.into();
        self
    }

    /// The v1.0 host (default `https://api.dingtalk.com`).
    pub fn api_base_url(mut self, url: impl Into<String>) -> Self {
        self.api_base_url = url.into();
        self
    }

    /// Accepts plain `http://` base URLs for hosts other than loopback (127.0.0.1, localhost,
    /// `[::1]`, which are always accepted). Tokens then cross the network unencrypted.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// How long to wait for a connection (default 10 s). Ignored with [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt may take, answer included (default 30 s). Ignored with
    /// [`http_client`](Self::http_client).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Uses this reqwest client instead of building one; its own timeouts, TLS and user agent apply.
    /// Configure it not to follow redirects: a redirect would carry the access token elsewhere.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Keeps tokens in `store` (shared by several service instances) instead of this process's memory.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_store = Some(store);
        self
    }

    /// How long before expiry a token is replaced (default 5 minutes).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// How many times a failed call may be retried (default 3; 0 turns retries off).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry.max_retries = retries;
        self
    }

    /// The backoff before the first retry, doubled for each further one, with jitter (default 200 ms).
    pub fn retry_base_delay(mut self, delay: Duration) -> Self {
        self.retry.base_delay = delay;
        self
    }

    /// The longest backoff between retries (default 10 s).
    pub fn retry_max_delay(mut self, delay: Duration) -> Self {
        self.retry.max_delay = delay;
        self
    }

    /// The least wait before retrying after a QPS limit (default 1 s, as DingTalk asks).
    pub fn rate_limit_retry_wait(mut self, wait: Duration) -> Self {
        self.retry.rate_limit_wait = wait;
        self
    }

    /// Whether an operation that creates something is retried after a failure that leaves open
    /// whether it was processed (a timeout, HTTP 5xx, a connection broken mid-answer). Off by
    /// default: such a retry may create the thing twice.
    pub fn retry_ambiguous_creates(mut self, retry: bool) -> Self {
        self.retry.retry_ambiguous_creates = retry;
        self
    }

    /// Paces every operation without its own setting (default 20 calls a second); `None` turns
    /// pacing off. Robot operations are paced by the robot limiter instead
    /// ([`robot_rate_limit`](ClientBuilder::robot_rate_limit)).
    pub fn rate_limit(mut self, rate: Option<CallRate>) -> Self {
        self.limits.default = rate;
        self
    }

    /// The budget of the robot limiter, the one guard of robot messages: at most `rate.calls()`
    /// messages per robot within any `rate.period()` (default 20 a minute, DingTalk's limit);
    /// `None` turns robot pacing off. What happens when the budget is spent is the
    /// [`robot_limit_policy`](ClientBuilder::robot_limit_policy). The limiter belongs to the
    /// client and its clones; DingTalk counts every sender of the robot.
    pub fn robot_rate_limit(mut self, rate: Option<CallRate>) -> Self {
        self.robot_rate = rate;
        self
    }

    /// Paces one operation, by id (e.g. `report.list`); `None` turns its pacing off. Robot
    /// operations are not paced per operation: see
    /// [`robot_rate_limit`](ClientBuilder::robot_rate_limit).
    pub fn operation_rate_limit(
        mut self,
        operation: impl Into<String>,
        rate: Option<CallRate>,
    ) -> Self {
        self.limits.overrides.insert(operation.into(), rate);
        self
    }

    /// Turns client-side pacing off for every operation, the robot's included.
    pub fn no_rate_limit(mut self) -> Self {
        self.limits = RateLimits::off();
        self.robot_rate = None;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<C, Error>
    where
        C: From<Client>,
    {
        let mut problems = self.problems;
        let oapi = check_base_url(
            "oapi base URL",
            &self.oapi_base_url,
            self.allow_insecure_http,
        );
        let api = check_base_url("api base URL", &self.api_base_url, self.allow_insecure_http);
        let (oapi, api) = match (oapi, api) {
            (Ok(oapi), Ok(api)) => (oapi, api),
            (oapi, api) => {
                problems.extend(oapi.err());
                problems.extend(api.err());
                (String::new(), String::new())
            }
        };
        if self.robot_secret.is_some() && self.robot_token.is_none() {
            problems.push("a robot secret was set without a robot token".into());
        }
        if self.robot_only && self.credentials.is_some() {
            problems.push(
                "a client built for a robot alone (for_robot) takes no app credentials; \
                 use Client::builder() with robot_webhook for a client with both"
                    .into(),
            );
        }
        #[cfg(feature = "robot")]
        let robot = match robot_webhook(self.robot_token, self.robot_secret) {
            Ok(webhook) => webhook.map(|webhook| RobotSender {
                webhook,
                limiter: self.robot_rate.map(|rate| {
                    let calls = NonZeroU32::new(rate.calls()).unwrap_or(NonZeroU32::MIN);
                    RobotLimiter::with_limit(self.robot_policy, calls, rate.period())
                }),
            }),
            Err(problem) => {
                problems.push(problem);
                None
            }
        };
        if !problems.is_empty() {
            return Err(Error::Config(problems.join("; ")));
        }
        let http = match self.http {
            Some(http) => http,
            None => transport::build_http_client(&HttpSettings {
                connect_timeout: self.connect_timeout,
                timeout: self.timeout,
                needs_tls: oapi.starts_with("https:") || api.starts_with("https:"),
            })?,
        };
        let store = self
            .token_store
            .unwrap_or_else(|| Arc::new(MemoryTokenStore::new()));
        let tokens = self
            .credentials
            .map(|c| TokenProvider::new(c, store, self.refresh_margin));
        let transport = Transport::new(http, &oapi, &api)?;
        let inner = Inner {
            transport,
            tokens,
            #[cfg(feature = "robot")]
            robot,
            robot_only: self.robot_only,
            agent_id: self.agent_id,
            retry: self.retry,
            limiter: RateLimiter::new(self.limits),
        };
        Ok(C::from(Client {
            inner: Arc::new(inner),
        }))
    }
}

/// The robot of a token and an optional secret, checked as [`RobotWebhook`] checks them; the
/// problem otherwise (which never repeats the values).
#[cfg(feature = "robot")]
fn robot_webhook(
    token: Option<Secret>,
    secret: Option<Secret>,
) -> Result<Option<RobotWebhook>, String> {
    let Some(token) = token else {
        return Ok(None);
    };
    let webhook = RobotWebhook::new(token.expose()).map_err(|e| e.to_string())?;
    match secret {
        Some(secret) => webhook
            .with_secret(secret.expose())
            .map(Some)
            .map_err(|e| e.to_string()),
        None => Ok(Some(webhook)),
    }
}

/// Checks a base URL and returns it without a trailing slash.
fn check_base_url(what: &str, url: &str, allow_insecure_http: bool) -> Result<String, String> {
    let parsed =
        reqwest::Url::parse(url.trim()).map_err(|e| format!("{what} `{url}` is not a URL: {e}"))?;
    let host = parsed.host_str().unwrap_or_default();
    if host.is_empty() {
        return Err(format!("{what} `{url}` has no host"));
    }
    match parsed.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(host) => {}
        "http" => {
            return Err(format!(
                "{what} `{url}` uses plain http for a host that is not loopback (call allow_insecure_http to permit it)"
            ));
        }
        other => {
            return Err(format!(
                "{what} `{url}` has scheme `{other}`; expected https"
            ));
        }
    }
    if parsed.query().is_some()
        || parsed.fragment().is_some()
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return Err(format!(
            "{what} `{url}` must not carry a query, fragment or credentials"
        ));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// 127.0.0.0/8, ::1 and `localhost`.
fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.get(name).cloned()
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            check_base_url("x", "https://oapi.dingtalk.com/", false).unwrap(),
            "https://oapi.dingtalk.com"
        );
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
            "http://127.1.2.3",
        ] {
            assert!(check_base_url("x", ok, false).is_ok(), "{ok}");
        }
        assert!(
            check_base_url("x", "http://example.com", false)
                .unwrap_err()
                .contains("allow_insecure_http")
        );
        assert!(check_base_url("x", "http://example.com", true).is_ok());
        assert!(check_base_url("x", "ftp://example.com", true).is_err());
        assert!(check_base_url("x", "https://example.com/?access_token=x", true).is_err());
        assert!(check_base_url("x", "not a url", true).is_err());
        assert_eq!(
            check_base_url("x", "https://gw.example.com/dingtalk/", false).unwrap(),
            "https://gw.example.com/dingtalk"
        );
    }

    #[test]
    fn env_names_the_missing_variable() {
        let e = Client::builder()
            .env_from(env_of(&[(env::APP_KEY, "k")]))
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("DINGTALK_APP_SECRET"), "{e}");
        let e = Client::builder()
            .env_from(env_of(&[(env::APP_SECRET, "s")]))
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("DINGTALK_APP_KEY"), "{e}");
        let e = Client::builder().env_from(env_of(&[])).build().unwrap_err();
        assert!(e.to_string().contains("DINGTALK_APP_KEY"), "{e}");
        #[cfg(feature = "robot")]
        {
            let e = Client::builder()
                .env_from(env_of(&[
                    (env::APP_KEY, "k"),
                    (env::APP_SECRET, "s"),
                    (env::ROBOT_SECRET, "SEC1"),
                ]))
                .build()
                .unwrap_err();
            assert!(e.to_string().contains("DINGTALK_ROBOT_TOKEN"), "{e}");
        }
        let e = Client::builder()
            .env_from(env_of(&[
                (env::APP_KEY, "k"),
                (env::APP_SECRET, "s"),
                (env::OAPI_BASE_URL, "http://10.0.0.1"),
            ]))
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("oapi base URL"), "{e}");
    }

    #[test]
    fn env_configures_the_client() {
        let client = Client::builder()
            .env_from(env_of(&[
                (env::APP_KEY, "dingkey"),
                (env::APP_SECRET, "hunter2"),
                (env::OAPI_BASE_URL, "http://127.0.0.1:1/"),
                (env::API_BASE_URL, "http://127.0.0.1:2"),
                (env::ROBOT_TOKEN, "robottoken"),
            ]))
            .build()
            .unwrap();
        assert_eq!(client.inner.transport.oapi_base(), "http://127.0.0.1:1");
        assert_eq!(client.inner.transport.api_base(), "http://127.0.0.1:2");
        let shown = format!("{client:?}");
        assert!(shown.contains("dingkey"));
        assert!(
            !shown.contains("hunter2") && !shown.contains("robottoken"),
            "{shown}"
        );
        // Only the robot, no app: fine when the client knows robots.
        assert_eq!(
            Client::builder()
                .env_from(env_of(&[(env::ROBOT_TOKEN, "t")]))
                .build()
                .is_ok(),
            cfg!(feature = "robot")
        );
    }

    #[cfg(feature = "robot")]
    #[test]
    fn robot_clients() {
        let webhook =
            RobotWebhook::from_url("http://127.0.0.1:9/gw/robot/send?access_token=tok123").unwrap();
        let client = Client::for_robot(webhook.clone()).unwrap();
        assert_eq!(client.inner.transport.oapi_base(), "http://127.0.0.1:9/gw");
        assert!(client.inner.robot_only && client.inner.tokens.is_none());
        let shown = format!("{client:?}");
        assert!(!shown.contains("tok123"), "{shown}");
        // From a bare token: DingTalk's host.
        let client = Client::for_robot(RobotWebhook::new("tok").unwrap()).unwrap();
        assert_eq!(client.inner.transport.oapi_base(), DEFAULT_OAPI_BASE_URL);
        // Plain http elsewhere than loopback is refused, as for any base URL.
        let remote = RobotWebhook::from_url("http://10.0.0.1/robot/send?access_token=t").unwrap();
        let e = Client::for_robot(remote).unwrap_err();
        assert!(e.to_string().contains("allow_insecure_http"), "{e}");
        // A robot-only client takes no app credentials.
        let e = ClientBuilder::<Client>::for_robot(webhook.clone())
            .app_credentials("k", "s")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("for_robot"), "{e}");
        // The builder's robot: its own oapi base URL; a webhook replaces token and secret.
        let client = Client::builder()
            .robot_token("old")
            .robot_secret("SECold")
            .robot_webhook(webhook)
            .build()
            .unwrap();
        assert_eq!(client.inner.transport.oapi_base(), DEFAULT_OAPI_BASE_URL);
        let robot = client.inner.robot.as_ref().unwrap();
        assert_eq!(robot.webhook.access_token().expose(), "tok123");
        assert!(robot.webhook.secret().is_none());
        assert!(robot.limiter.is_some());
        // Tokens held as text are checked at build time, without being repeated.
        let e = Client::builder()
            .robot_token("bad token")
            .build()
            .unwrap_err();
        assert!(
            e.to_string().contains("whitespace") && !e.to_string().contains("bad token"),
            "{e}"
        );
        let client = Client::builder()
            .robot_token("t")
            .no_rate_limit()
            .build()
            .unwrap();
        assert!(client.inner.robot.as_ref().unwrap().limiter.is_none());
    }

    #[test]
    fn builder_debug_hides_secrets() {
        let b = Client::builder()
            .app_credentials("k", "hunter2")
            .robot_token("tok")
            .robot_secret("SECx");
        let shown = format!("{b:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("tok\"") && !shown.contains("SECx"),
            "{shown}"
        );
    }

    #[test]
    fn client_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Client>();
    }
}

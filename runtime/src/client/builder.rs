//! [`ClientBuilder`]: every setting of a [`Client`], checked together by `build`.

use std::fmt;
use std::marker::PhantomData;
#[cfg(feature = "robot")]
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

#[cfg(feature = "robot")]
use super::RobotSender;
use super::base_url::check_base_url;
use super::{
    Client, DEFAULT_API_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_OAPI_BASE_URL, Inner,
};
use crate::error::Error;
use crate::hooks::{Interceptor, Interceptors};
use crate::primitives::Secret;
use crate::ratelimit::{CallLimiter, CallRate, RateLimiter, RateLimits};
use crate::retry::RetryPolicy;
#[cfg(feature = "robot")]
use crate::robot::{LimitPolicy, RobotLimiter, RobotWebhook};
use crate::time::{SystemClock, TimeSource};
use crate::token::{Credentials, MemoryTokenStore, TokenProvider, TokenStore};
use crate::transport::{self, HttpSettings, Transport};

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
    max_response_bytes: usize,
    http: Option<reqwest::Client>,
    token_store: Option<Arc<dyn TokenStore>>,
    rate_limiter: Option<Arc<dyn CallLimiter>>,
    refresh_margin: Duration,
    retry: RetryPolicy,
    limits: RateLimits,
    interceptors: Interceptors,
    clock: Arc<dyn TimeSource>,
    pub(super) problems: Vec<String>,
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
            .field("max_response_bytes", &self.max_response_bytes)
            .field("custom_http_client", &self.http.is_some())
            .field("custom_token_store", &self.token_store.is_some())
            .field("rate_limiter", &self.rate_limiter)
            .field("refresh_margin", &self.refresh_margin)
            .field("retry", &self.retry)
            .field("limits", &self.limits)
            .field("interceptors", &self.interceptors)
            .field("clock", &self.clock)
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
    /// answers of at most 16 MiB, tokens refreshed 5 minutes before expiry, 3 retries from a
    /// 200 ms backoff, and 20 calls a second per operation (20 messages a minute for the robot,
    /// waiting when they are spent).
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
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            http: None,
            token_store: None,
            rate_limiter: None,
            refresh_margin: Duration::from_secs(300),
            retry: RetryPolicy::default(),
            limits: RateLimits::default(),
            interceptors: Interceptors::default(),
            clock: Arc::new(SystemClock),
            problems: Vec::new(),
            target: PhantomData,
        }
    }

    /// A builder configured from the environment variables listed in [`env`](crate::client::env); further settings
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

    /// The most bytes the body of one answer may have (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`](crate::client::DEFAULT_MAX_RESPONSE_BYTES), 16 MiB, far more
    /// than DingTalk's JSON answers need). An answer whose
    /// `Content-Length` announces more is refused before its body is read, and one that grows past
    /// it while arriving is refused as soon as it does; either is [`Error::AnswerTooLarge`], not
    /// retried. The limit holds for every answer, token requests' included, and also with
    /// [`http_client`](Self::http_client). It must be at least 1.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
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

    /// Lets `limiter` decide when calls may start, instead of a limiter in this process's memory:
    /// for operations (under the budgets of [`rate_limit`](Self::rate_limit) and
    /// [`operation_rate_limit`](Self::operation_rate_limit), keyed by app key and operation id)
    /// and for the robot (under [`robot_rate_limit`](Self::robot_rate_limit), keyed by a hash of
    /// its token). A limiter shared by every instance of the app (such as
    /// `dingtalk-openapi-redis`'s) keeps the fleet within DingTalk's per-app budget. A failure
    /// to decide is [`Error::Limiter`] (for the robot, [`Error::RobotGuard`]); nothing is sent.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use dingtalk_openapi_runtime::Client;
    /// use dingtalk_openapi_runtime::ratelimit::MemoryLimiter;
    ///
    /// let limiter = Arc::new(MemoryLimiter::new());
    /// let client: Client = Client::builder()
    ///     .app_credentials("dingabc", "secret")
    ///     .rate_limiter(limiter)
    ///     .build()
    ///     .unwrap();
    /// # drop(client);
    /// ```
    pub fn rate_limiter(mut self, limiter: Arc<dyn CallLimiter>) -> Self {
        self.rate_limiter = Some(limiter);
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
    /// client and its clones; DingTalk counts every sender of the robot, which a shared
    /// [`rate_limiter`](ClientBuilder::rate_limiter) lets the limiter see.
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

    /// Adds an interceptor, called for every HTTP attempt of the client (token requests and
    /// retries included) after the ones added before it: it sees and may change each request
    /// before it is sent and each answer before it is read. See [`hooks`](crate::hooks).
    pub fn interceptor(mut self, interceptor: impl Interceptor) -> Self {
        self.interceptors.push(Arc::new(interceptor));
        self
    }

    /// Where the client reads the wall-clock time (token expiry, robot signatures): the system
    /// clock unless set. Tests set a [`ManualClock`](crate::time::ManualClock) to move time on
    /// purpose.
    pub fn time_source(mut self, clock: impl TimeSource) -> Self {
        self.clock = Arc::new(clock);
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
        if self.max_response_bytes == 0 {
            problems.push("max_response_bytes must be at least 1".into());
        }
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
                    let limiter = RobotLimiter::with_limit(self.robot_policy, calls, rate.period());
                    match &self.rate_limiter {
                        Some(shared) => limiter.with_shared(shared.clone()),
                        None => limiter,
                    }
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
        let scope = self
            .credentials
            .as_ref()
            .map(|c| c.key().to_owned())
            .unwrap_or_default();
        let tokens = self
            .credentials
            .map(|c| TokenProvider::new(c, store, self.refresh_margin, self.clock.clone()));
        let transport = Transport::new(
            http,
            self.interceptors,
            &oapi,
            &api,
            self.max_response_bytes,
        )?;
        let inner = Inner {
            transport,
            tokens,
            #[cfg(feature = "robot")]
            robot,
            robot_only: self.robot_only,
            agent_id: self.agent_id,
            retry: self.retry,
            clock: self.clock,
            limiter: RateLimiter::with_backend(self.limits, scope, self.rate_limiter),
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

#[cfg(test)]
mod tests {
    use super::*;

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

    /// The builder is generic over the client it builds: a type wrapping the runtime's client
    /// (as the generated crate's does) gets itself from `build`, with every setting.
    #[test]
    fn a_builder_builds_a_wrapping_client() {
        #[derive(Debug)]
        struct Wrapper(Client);
        impl From<Client> for Wrapper {
            fn from(client: Client) -> Self {
                Wrapper(client)
            }
        }
        let wrapped: Wrapper = ClientBuilder::<Wrapper>::new()
            .app_credentials("k", "s")
            .oapi_base_url("http://127.0.0.1:7")
            .build()
            .unwrap();
        assert_eq!(wrapped.0.inner.transport.oapi_base(), "http://127.0.0.1:7");
        let err = ClientBuilder::<Wrapper>::new()
            .oapi_base_url("http://10.0.0.1")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("oapi base URL"), "{err}");
    }
}

//! The [`Client`]: configuration, and the path every call takes.
//!
//! A call is validated, laid out for the wire once, then attempted: pace (per operation id),
//! token (cached), send, check the envelope. A rejected token is dropped and the call tried once
//! more with a fresh one; other failures are retried as the client's retry policy allows.
//! Each call runs in a `dingtalk.call` tracing span that records the operation id, the attempt,
//! the latency and the error code, and never a token or secret.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::Instrument;
use tracing::field::Empty;

use super::error::Error;
use super::operation::{Auth, Operation, OperationInfo};
use super::primitives::Secret;
use super::ratelimit::{CallRate, RateLimiter, RateLimits};
use super::retry::RetryPolicy;
use super::token::{Credentials, MemoryTokenStore, TokenProvider, TokenStore};
use super::transport::{self, Answer, Credential, HttpSettings, Prepared, Transport};

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
    /// The group robot's webhook `access_token`.
    pub const ROBOT_TOKEN: &str = "DINGTALK_ROBOT_TOKEN";
    /// The group robot's signing secret (`SEC…`).
    pub const ROBOT_SECRET: &str = "DINGTALK_ROBOT_SECRET";
}

/// A DingTalk client: cheap to clone (clones share the connection pool, the token cache and the
/// pacing), and safe to use from many tasks at once.
///
/// Build one with [`Client::builder`] (`.app_credentials(key, secret).build()`) or
/// [`Client::from_env`], then send requests with [`Client::execute`] or walk paginated ones with
/// [`Client::pages`] and [`Client::items`].
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    tokens: Option<TokenProvider>,
    robot: Option<RobotCredentials>,
    agent_id: Option<i64>,
    retry: RetryPolicy,
    limiter: RateLimiter,
}

/// The group robot's webhook token and optional signing secret.
struct RobotCredentials {
    token: Secret,
    secret: Option<Secret>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("oapi_base_url", &inner.transport.oapi_base())
            .field("api_base_url", &inner.transport.api_base())
            .field("tokens", &inner.tokens)
            .field(
                "robot",
                &inner.robot.as_ref().map(|r| {
                    if r.secret.is_some() {
                        "signed"
                    } else {
                        "unsigned"
                    }
                }),
            )
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
    pub async fn execute<O: Operation>(&self, request: O) -> Result<O::Response, Error> {
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
            (Auth::Robot, _) => match self.robot_credential(info) {
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

    /// The robot's credential, signed afresh for this attempt when the robot has a secret.
    fn robot_credential(&self, info: &'static OperationInfo) -> Result<Credential<'_>, Error> {
        let Some(robot) = &self.inner.robot else {
            return Err(Error::Config(format!(
                "{} needs the robot's webhook token (set {} or call robot_token)",
                info.id,
                env::ROBOT_TOKEN
            )));
        };
        let signature = match &robot.secret {
            None => None,
            Some(secret) => Some(sign(secret)?),
        };
        Ok(Credential::Robot {
            token: &robot.token,
            signature,
        })
    }
}

/// `(timestamp_ms, base64 signature)` for now.
#[cfg(feature = "robot")]
fn sign(secret: &Secret) -> Result<(i64, String), Error> {
    let timestamp = super::primitives::EpochMillis::now().as_millis();
    Ok((timestamp, super::robot::sign(secret.expose(), timestamp)))
}

#[cfg(not(feature = "robot"))]
fn sign(_secret: &Secret) -> Result<(i64, String), Error> {
    Err(Error::Config(
        "signing robot messages needs the `robot` feature".into(),
    ))
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
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder {
    credentials: Option<Credentials>,
    agent_id: Option<i64>,
    robot_token: Option<Secret>,
    robot_secret: Option<Secret>,
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
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("agent_id", &self.agent_id)
            .field("robot_token", &self.robot_token.as_ref().map(|_| "***"))
            .field("robot_secret", &self.robot_secret.as_ref().map(|_| "***"))
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

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder::new()
    }
}

impl ClientBuilder {
    /// A builder with the defaults: the documented hosts, a 10 s connect and 30 s request timeout,
    /// tokens refreshed 5 minutes before expiry, 3 retries from a 200 ms backoff, and 20 calls a
    /// second per operation (20 a minute for the robot).
    pub fn new() -> Self {
        ClientBuilder {
            credentials: None,
            agent_id: None,
            robot_token: None,
            robot_secret: None,
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
        }
    }

    /// A builder configured from the environment variables listed in [`env`](mod@env); further settings
    /// may follow. A missing variable is reported by [`build`](ClientBuilder::build), by name.
    pub fn from_env() -> Self {
        ClientBuilder::new().env_from(|name| std::env::var(name).ok())
    }

    /// Reads the settings of [`from_env`](ClientBuilder::from_env) through `lookup`.
    fn env_from(mut self, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let robot_token = get(env::ROBOT_TOKEN);
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
        match (robot_token, get(env::ROBOT_SECRET)) {
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

    /// The group robot's webhook `access_token`.
    pub fn robot_token(mut self, token: impl Into<Secret>) -> Self {
        self.robot_token = Some(token.into());
        self
    }

    /// The group robot's signing secret; every robot request is then signed afresh.
    pub fn robot_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.robot_secret = Some(secret.into());
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
    /// pacing off.
    pub fn rate_limit(mut self, rate: Option<CallRate>) -> Self {
        self.limits.default = rate;
        self
    }

    /// Paces the robot webhook (default 20 messages a minute); `None` turns pacing off.
    pub fn robot_rate_limit(mut self, rate: Option<CallRate>) -> Self {
        self.limits.robot = rate;
        self
    }

    /// Paces one operation, by id (e.g. `report.list`); `None` turns its pacing off.
    pub fn operation_rate_limit(
        mut self,
        operation: impl Into<String>,
        rate: Option<CallRate>,
    ) -> Self {
        self.limits.overrides.insert(operation.into(), rate);
        self
    }

    /// Turns client-side pacing off for every operation.
    pub fn no_rate_limit(mut self) -> Self {
        self.limits = RateLimits {
            default: None,
            robot: None,
            overrides: HashMap::new(),
        };
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
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
        if cfg!(not(feature = "robot")) && self.robot_secret.is_some() {
            problems.push("signing robot messages needs the `robot` feature".into());
        }
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
        let robot = self.robot_token.map(|token| RobotCredentials {
            token,
            secret: self.robot_secret,
        });
        let transport = Transport::new(http, &oapi, &api)?;
        let inner = Inner {
            transport,
            tokens,
            robot,
            agent_id: self.agent_id,
            retry: self.retry,
            limiter: RateLimiter::new(self.limits),
        };
        Ok(Client {
            inner: Arc::new(inner),
        })
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
        let e = ClientBuilder::new()
            .env_from(env_of(&[(env::APP_KEY, "k")]))
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("DINGTALK_APP_SECRET"), "{e}");
        let e = ClientBuilder::new()
            .env_from(env_of(&[(env::APP_SECRET, "s")]))
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("DINGTALK_APP_KEY"), "{e}");
        let e = ClientBuilder::new()
            .env_from(env_of(&[]))
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("DINGTALK_APP_KEY"), "{e}");
        let e = ClientBuilder::new()
            .env_from(env_of(&[
                (env::APP_KEY, "k"),
                (env::APP_SECRET, "s"),
                (env::ROBOT_SECRET, "SEC1"),
            ]))
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("DINGTALK_ROBOT_TOKEN"), "{e}");
        let e = ClientBuilder::new()
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
        let client = ClientBuilder::new()
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
        // Only the robot, no app: fine.
        assert!(
            ClientBuilder::new()
                .env_from(env_of(&[(env::ROBOT_TOKEN, "t")]))
                .build()
                .is_ok()
        );
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

//! Starting and stopping a fake: [`MockBuilder`], [`MockServer`] and [`serve`].

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{any, post};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::check::{MockOperation, example_request};
use crate::conn::{Connection, ConnectionLimits, MockListener};
use crate::dispatch;
use crate::faults::Faults;
use crate::gateway::{self, Gateway};
use crate::record::{RecordedRequest, Recorder};
use crate::route::Routes;
use crate::shared::{Config, Shared};
use crate::state::State;
use dingtalk_openapi::auth::{GettokenRequest, Oauth2AccessTokenRequest, SsoGettokenRequest};
use dingtalk_openapi::primitives::Secret;
use dingtalk_openapi_runtime::time::{SystemClock, TimeSource};

/// How long [`MockServer::shutdown`] waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// The default of [`MockBuilder::header_read_timeout`].
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The default of [`MockBuilder::body_read_timeout`].
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The default of [`MockBuilder::idle_timeout`].
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// The default of [`MockBuilder::max_connections`]: twice what one client with a thousand
/// calls in flight was seen to open.
const MAX_CONNECTIONS: usize = 1024;

/// Configures a fake DingTalk; start it with [`start`](MockBuilder::start).
#[must_use = "a builder does nothing until `start` is called"]
pub struct MockBuilder {
    operations: Vec<MockOperation>,
    port: u16,
    app_key: String,
    app_secret: String,
    corp_id: String,
    corp_secret: String,
    sso_secret: String,
    robot_token: String,
    robot_secret: Option<String>,
    token_ttl: Duration,
    seed: bool,
    limits: ConnectionLimits,
    body_read_timeout: Duration,
    disconnect_grace: Duration,
    clock: Arc<dyn TimeSource>,
}

impl fmt::Debug for MockBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockBuilder")
            .field("operations", &self.operations.len())
            .field("port", &self.port)
            .field("app_key", &self.app_key)
            .field("corp_id", &self.corp_id)
            .field("robot_signed", &self.robot_secret.is_some())
            .field("token_ttl", &self.token_ttl)
            .field("seed", &self.seed)
            .field("header_read_timeout", &self.limits.header_read_timeout)
            .field("body_read_timeout", &self.body_read_timeout)
            .field("idle_timeout", &self.limits.idle_timeout)
            .field("max_connections", &self.limits.max_connections)
            .field("stream_disconnect_grace", &self.disconnect_grace)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl MockBuilder {
    /// A fake of `operations` (usually [`operations()`](crate::operations)) with the defaults: any
    /// free port, app key `mock-app-key` / secret `mock-app-secret`, corp id `mock-corp-id` /
    /// secret `mock-corp-secret` (SSO secret `mock-sso-secret`), robot token `mock-robot-token`
    /// signed with `SECmock-robot-secret`, tokens valid 7200 s, seeded data; connections held to
    /// 10 s for a request's headers, 30 s for its body, 30 s idle between requests, at most 1024
    /// at once; signed timestamps checked against the system clock.
    pub fn new(operations: Vec<MockOperation>) -> Self {
        MockBuilder {
            operations,
            port: 0,
            app_key: "mock-app-key".into(),
            app_secret: "mock-app-secret".into(),
            corp_id: "mock-corp-id".into(),
            corp_secret: "mock-corp-secret".into(),
            sso_secret: "mock-sso-secret".into(),
            robot_token: "mock-robot-token".into(),
            robot_secret: Some("SECmock-robot-secret".into()),
            token_ttl: Duration::from_secs(7200),
            seed: true,
            limits: ConnectionLimits {
                header_read_timeout: HEADER_READ_TIMEOUT,
                idle_timeout: IDLE_TIMEOUT,
                max_connections: MAX_CONNECTIONS,
            },
            body_read_timeout: BODY_READ_TIMEOUT,
            disconnect_grace: gateway::DISCONNECT_GRACE,
            clock: Arc::new(SystemClock),
        }
    }

    /// The port on 127.0.0.1 to listen on; 0 (the default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The app key `gettoken` and `oauth2.accessToken` accept, and the `accessKey` of a signed
    /// query (signed with the app secret).
    pub fn app_key(mut self, key: impl Into<String>) -> Self {
        self.app_key = key.into();
        self
    }

    /// The app secret that goes with the app key.
    pub fn app_secret(mut self, secret: impl Into<String>) -> Self {
        self.app_secret = secret.into();
        self
    }

    /// The corp id of the legacy `gettoken?corpid=&corpsecret=` form and of `sso/gettoken`.
    pub fn corp_id(mut self, id: impl Into<String>) -> Self {
        self.corp_id = id.into();
        self
    }

    /// The corp secret of the legacy `gettoken` form.
    pub fn corp_secret(mut self, secret: impl Into<String>) -> Self {
        self.corp_secret = secret.into();
        self
    }

    /// The SSO secret `sso/gettoken` accepts with the corp id.
    pub fn sso_secret(mut self, secret: impl Into<String>) -> Self {
        self.sso_secret = secret.into();
        self
    }

    /// The group robot's webhook `access_token`.
    pub fn robot_token(mut self, token: impl Into<String>) -> Self {
        self.robot_token = token.into();
        self
    }

    /// The group robot's signing secret: every message must carry a fresh `timestamp` and its `sign`.
    pub fn robot_secret(mut self, secret: impl Into<String>) -> Self {
        self.robot_secret = Some(secret.into());
        self
    }

    /// A robot without the signing setting: `timestamp` and `sign` are not checked.
    pub fn unsigned_robot(mut self) -> Self {
        self.robot_secret = None;
        self
    }

    /// How long issued tokens are valid (default 7200 s, as DingTalk's); `expires_in` says so
    /// (at most `i64::MAX` seconds). A time-to-live too long for the clock never runs out.
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Whether to start with data (default true): 7 items in each paginated operation, the
    /// blackboards and credentials the documented examples name, 7 reports. Without it, lists
    /// are empty until something is created.
    pub fn seed(mut self, seed: bool) -> Self {
        self.seed = seed;
        self
    }

    /// How long a request's headers may take to arrive (default 10 s, on tokio's clock), counted
    /// from their first byte, or from the accept for a connection's first request: a peer that
    /// sends them slowly or not at all has its connection closed without an answer. A limit past
    /// 30 years is not timed.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }

    /// How long a request's body may take to arrive once its headers have (default 30 s, on
    /// tokio's clock): past it the answer is HTTP 408 `RequestTimeout` and the connection is
    /// closed.
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// How long a kept-alive connection may wait for its next request (default 30 s), counted
    /// from the last byte of the previous answer; then it is closed. The time must pass on tokio's
    /// clock and on the real one: a test that pauses tokio's clock and advances it (to expire a
    /// token, or a robot's minute) keeps its kept-alive connections, where closing them under the
    /// client would race its next request. A limit past 30 years is not timed.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle_timeout = timeout;
        self
    }

    /// How many connections are served at once (default 1024). A connection beyond them is
    /// answered HTTP 503 `ServiceUnavailable` (if it takes the answer at once) and closed without
    /// being read; the connections being served go on.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.limits.max_connections = max;
        self
    }

    /// How long the Stream gateway keeps a connection open after sending it a SYSTEM
    /// `disconnect` frame ([`StreamFault::Disconnect`](crate::StreamFault::Disconnect)) before
    /// closing it (default 1 s, on tokio's clock).
    pub fn stream_disconnect_grace(mut self, grace: Duration) -> Self {
        self.disconnect_grace = grace;
        self
    }

    /// Where the fake reads the wall-clock time that signed timestamps are checked against (the
    /// robot's `timestamp`, the `timestamp` of a signed query): the system clock unless set. A
    /// test gives the fake and its client the same [`ManualClock`] (or two, to put them a set
    /// time apart) instead of depending on the real time.
    ///
    /// [`ManualClock`]: dingtalk_openapi_runtime::time::ManualClock
    pub fn time_source(mut self, clock: impl TimeSource) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Binds 127.0.0.1 and starts serving on the current tokio runtime.
    pub async fn start(self) -> io::Result<MockServer> {
        let listener =
            TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))).await?;
        let addr = listener.local_addr()?;
        let mut config = Config {
            apps: vec![(self.app_key, self.app_secret)],
            corps: vec![(self.corp_id.clone(), self.corp_secret)],
            sso: vec![(self.corp_id, self.sso_secret)],
            robot_token: self.robot_token,
            robot_secret: self.robot_secret,
            token_ttl: self.token_ttl,
            seed: self.seed,
            body_read_timeout: self.body_read_timeout,
            clock: self.clock,
        };
        if self.seed {
            accept_example_credentials(&mut config, &self.operations);
        }
        let gateway = Gateway::new(
            config
                .apps
                .first()
                .map(|(k, _)| k.clone())
                .unwrap_or_default(),
            config
                .corps
                .first()
                .map(|(c, _)| c.clone())
                .unwrap_or_default(),
            addr,
            self.disconnect_grace,
        );
        let faults = Arc::new(Faults::serving(
            self.operations.iter().map(|op| op.info().id),
        ));
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(&self.operations, self.seed)),
            routes: Routes::new(&self.operations),
            operations: self.operations,
            config,
            faults: faults.clone(),
            recorder: Recorder::default(),
            tokens: Mutex::default(),
            robot_sends: Mutex::new(HashMap::new()),
            gateway: gateway.clone(),
        });
        let router = Router::new()
            .route(gateway::OPEN_PATH, post(gateway::open))
            .route(gateway::CONNECT_PATH, any(gateway::upgrade))
            .route(gateway::SESSION_PATH, post(gateway::session_send))
            .fallback(dispatch::handle)
            .with_state(shared.clone());
        let limits = self.limits;
        let (stop, stopped) = oneshot::channel::<()>();
        let service = router.into_make_service_with_connect_info::<Connection>();
        let task = tokio::spawn(async move {
            let server = axum::serve(MockListener::new(listener, limits), service)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                });
            if let Err(error) = server.await {
                tracing::warn!(%error, "the DingTalk fake stopped");
            }
        });
        tracing::debug!(%addr, "the DingTalk fake is listening");
        Ok(MockServer {
            addr,
            gateway,
            shared,
            faults,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// With seeding on, the credentials of the token operations' documented examples are accepted
/// too, so calling them with their example bodies succeeds.
fn accept_example_credentials(config: &mut Config, operations: &[MockOperation]) {
    let pair =
        |key: Option<String>, secret: Option<Secret>| Some((key?, secret?.expose().to_owned()));
    if let Some(example) = example_request::<GettokenRequest>(operations) {
        config.apps.extend(pair(example.appkey, example.appsecret));
        config
            .corps
            .extend(pair(example.corpid, example.corpsecret));
    }
    if let Some(example) = example_request::<SsoGettokenRequest>(operations) {
        config
            .sso
            .extend(pair(Some(example.corpid), Some(example.corpsecret)));
    }
    if let Some(example) = example_request::<Oauth2AccessTokenRequest>(operations) {
        config
            .apps
            .extend(pair(Some(example.app_key), Some(example.app_secret)));
    }
    // The Stream gateway's open call (`gateway.OpenConnection` of the v1.0 API) takes the app
    // credentials as `clientId` and `clientSecret`.
    let open = operations
        .iter()
        .map(MockOperation::info)
        .find(|info| info.path == gateway::OPEN_PATH);
    if let Some(example) =
        open.and_then(|info| serde_json::from_str::<Value>(info.example_request).ok())
    {
        let text = |key: &str| example.get(key)?.as_str().map(str::to_owned);
        if let (Some(id), Some(secret)) = (text("clientId"), text("clientSecret")) {
            config.apps.push((id, secret));
        }
    }
}

/// A running fake DingTalk on 127.0.0.1, serving both the oapi and the v1.0 host (and the
/// robot webhook) at [`base_url`](MockServer::base_url).
///
/// Dropping it stops the server too; [`shutdown`](MockServer::shutdown) also waits for it.
pub struct MockServer {
    addr: SocketAddr,
    gateway: Gateway,
    shared: Arc<Shared>,
    faults: Arc<Faults>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// A builder for a fake of `operations` (usually [`operations()`](crate::operations)).
    pub fn builder(operations: Vec<MockOperation>) -> MockBuilder {
        MockBuilder::new(operations)
    }

    /// `http://127.0.0.1:PORT`: the base URL of both hosts.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the fake listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The app key the fake accepts.
    pub fn app_key(&self) -> &str {
        self.shared
            .config
            .apps
            .first()
            .map_or("", |(k, _)| k.as_str())
    }

    /// The app secret the fake accepts.
    pub fn app_secret(&self) -> &str {
        self.shared
            .config
            .apps
            .first()
            .map_or("", |(_, s)| s.as_str())
    }

    /// The robot's webhook token.
    pub fn robot_token(&self) -> &str {
        &self.shared.config.robot_token
    }

    /// The robot's signing secret, if it signs.
    pub fn robot_secret(&self) -> Option<&str> {
        self.shared.config.robot_secret.as_deref()
    }

    /// The Stream gateway of this fake (always on: the open endpoint at
    /// `POST {base_url}/v1.0/gateway/connections/open`).
    pub fn gateway(&self) -> &Gateway {
        &self.gateway
    }

    /// Fault injection and counters.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// A shared handle on the faults, for tasks that outlive a borrow of the server.
    pub fn faults_handle(&self) -> Arc<Faults> {
        self.faults.clone()
    }

    /// Every request received so far (control requests excluded), oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.recorder.all()
    }

    /// Forgets faults, requests, counters and tokens, and puts the data back as it started; the
    /// Stream gateway forgets its queued and in-flight messages, records, tickets, sessions and
    /// faults (its live connections stay).
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Stops accepting connections, closes the Stream gateway's WebSockets, waits up to 5 s for
    /// requests in flight, then stops.
    pub async fn shutdown(mut self) {
        self.gateway.stop();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.gateway.stop();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Runs a fake until Ctrl-C, printing where it listens and the environment that points the
/// `dingtalk` command at it: the body of `dingtalk mock serve`.
pub async fn serve(builder: MockBuilder) -> io::Result<()> {
    let server = builder.start().await?;
    let base = server.base_url();
    // The `export` lines go to stdout (so `eval "$(dingtalk mock serve)"`-style use works), the
    // rest to stderr; a closed stdout is not worth a panic.
    macro_rules! say {
        ($($arg:tt)*) => {{
            use std::io::Write as _;
            let _ = writeln!(std::io::stdout(), $($arg)*);
        }};
    }
    eprintln!("DingTalk fake listening on {base} (oapi, v1.0 and robot hosts); Ctrl-C stops it.");
    say!("export DINGTALK_OAPI_BASE_URL={base}");
    say!("export DINGTALK_API_BASE_URL={base}");
    say!("export DINGTALK_APP_KEY={}", server.app_key());
    say!("export DINGTALK_APP_SECRET={}", server.app_secret());
    say!("export DINGTALK_ROBOT_TOKEN={}", server.robot_token());
    if let Some(secret) = server.robot_secret() {
        say!("export DINGTALK_ROBOT_SECRET={secret}");
    }
    eprintln!(
        "Control API: {base}/__mock/ (faults, expire-tokens, requests, calls, operations, media/{{media_id}}, reset, \
         stream/push, stream/acks, stream/faults)"
    );
    eprintln!(
        "Stream gateway: POST {base}{} (app key {}); `dingtalk stream listen` connects to it. \
         Push a message with:\n  curl -s {base}/__mock/stream/push -H 'Content-Type: application/json' \
         -d '{{\"type\":\"EVENT\",\"topic\":\"user_add_org\",\"data\":{{\"userId\":[\"u1\"]}}}}'",
        gateway::OPEN_PATH,
        server.app_key()
    );
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    Ok(())
}

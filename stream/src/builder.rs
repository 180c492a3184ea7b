//! [`StreamClientBuilder`]: credentials, handlers and the knobs of a [`StreamClient`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use dingtalk_openapi_runtime::time::{SystemClock, TimeSource};
use tokio::sync::{Semaphore, watch};

use crate::backoff::BackoffSettings;
use crate::client::{ShutdownHandle, StreamClient};
use crate::config::{Config, Secret, Shared};
use crate::dedup::{DedupStore, MemoryDedupStore};
use crate::error::StreamError;
use crate::frame::Subscription;
use crate::handler::{BOT_MESSAGE_TOPIC, CARD_CALLBACK_TOPIC, Handlers, IntoOutcome, boxed};
use crate::message::{BotMessage, CardCallback, Event, RawMessage, Replier};
use crate::open::tls_config;

/// The default API base.
pub const DEFAULT_API_BASE: &str = "https://api.dingtalk.com";

/// Builds a [`StreamClient`]. Handlers are async closures; each registration subscribes to
/// its topic.
///
/// ```no_run
/// use std::{sync::Arc, time::Duration};
/// use dingtalk_openapi_stream::{CardCallback, RawMessage, StreamClient, Subscription};
/// use dingtalk_openapi_stream::dedup::MemoryDedupStore;
///
/// # fn f() -> Result<(), dingtalk_openapi_stream::StreamError> {
/// let client = StreamClient::builder("ding-app-key", "app-secret")
///     .on_card_callback(|cb: CardCallback| async move {
///         serde_json::json!({"cardData": {"cardParamMap": {"status": "done"}}})
///     })
///     .on_message(|msg: RawMessage| async move {
///         println!("{} {} {}", msg.kind, msg.topic, msg.data);
///     })
///     .subscribe(Subscription::event("*"))
///     .max_concurrent_handlers(16)
///     .dedup_store(Arc::new(MemoryDedupStore::new(10_000)))
///     .ping_interval(Duration::from_secs(30))
///     .build()?;
/// # Ok(()) }
/// ```
pub struct StreamClientBuilder {
    config: Config,
    handlers: Handlers,
    store: Option<Arc<dyn DedupStore>>,
    clock: Arc<dyn TimeSource>,
    idle_timeout: Option<Duration>,
    shutdown: watch::Sender<Option<Duration>>,
}

impl fmt::Debug for StreamClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamClientBuilder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl StreamClientBuilder {
    pub(crate) fn new(app_key: String, app_secret: String) -> StreamClientBuilder {
        StreamClientBuilder {
            config: Config {
                app_key,
                app_secret: Secret(app_secret),
                api_base: DEFAULT_API_BASE.to_owned(),
                user_agent: concat!("dingtalk-openapi-stream/", env!("CARGO_PKG_VERSION"))
                    .to_owned(),
                local_ip: None,
                subscriptions: Vec::new(),
                ping_interval: Duration::from_secs(60),
                idle_timeout: Duration::from_secs(180),
                dedup_window: Duration::from_secs(600),
                claim_lease: Duration::from_secs(300),
                max_concurrent: 64,
                queue_capacity: 1024,
                backoff: BackoffSettings::default(),
                max_message_size: 1 << 20,
                max_buffered_bytes: 32 << 20,
                shutdown_timeout: Duration::from_secs(10),
                open_timeout: Duration::from_secs(10),
            },
            handlers: Handlers::default(),
            store: None,
            clock: Arc::new(SystemClock),
            idle_timeout: None,
            shutdown: watch::channel(None).0,
        }
    }

    /// The API base of the open call (default `https://api.dingtalk.com`; a fake's URL in tests).
    pub fn api_base_url(mut self, url: impl Into<String>) -> Self {
        self.config.api_base = url.into().trim_end_matches('/').to_owned();
        self
    }

    /// The `ua` sent with the open call.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.config.user_agent = ua.into();
        self
    }

    /// The `localIp` sent with the open call (default: the address the system uses towards
    /// the API host).
    pub fn local_ip(mut self, ip: impl Into<String>) -> Self {
        self.config.local_ip = Some(ip.into());
        self
    }

    /// Adds a subscription with no handler of its own (the [`on_message`](Self::on_message)
    /// handler sees its messages).
    pub fn subscribe(mut self, subscription: Subscription) -> Self {
        if !self.config.subscriptions.contains(&subscription) {
            self.config.subscriptions.push(subscription);
        }
        self
    }

    /// Handles events: `topic` is `*` for every event, or one event type. The handler returns
    /// `()`, an [`Outcome`](crate::Outcome) or a `Result` of them; an error or
    /// `Outcome::Later` acks `LATER`.
    pub fn on_event<F, Fut, R>(mut self, topic: impl Into<String>, handler: F) -> Self
    where
        F: Fn(Event) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoOutcome + 'static,
    {
        let topic = topic.into();
        self.handlers.events.insert(topic.clone(), boxed(handler));
        self.subscribe(Subscription::event(topic))
    }

    /// Handles robot messages (topic `/v1.0/im/bot/messages/get`).
    pub fn on_bot_message<F, Fut, R>(mut self, handler: F) -> Self
    where
        F: Fn(BotMessage) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoOutcome + 'static,
    {
        self.handlers.bot = Some(boxed(handler));
        self.subscribe(Subscription::callback(BOT_MESSAGE_TOPIC))
    }

    /// Handles card callbacks (topic `/v1.0/card/instances/callback`); a returned JSON value
    /// becomes the ack's `{"response": …}`.
    pub fn on_card_callback<F, Fut, R>(mut self, handler: F) -> Self
    where
        F: Fn(CardCallback) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoOutcome + 'static,
    {
        self.handlers.card = Some(boxed(handler));
        self.subscribe(Subscription::callback(CARD_CALLBACK_TOPIC))
    }

    /// Handles another callback topic, raw.
    pub fn on_callback<F, Fut, R>(mut self, topic: impl Into<String>, handler: F) -> Self
    where
        F: Fn(RawMessage) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoOutcome + 'static,
    {
        let topic = topic.into();
        self.handlers
            .callbacks
            .insert(topic.clone(), boxed(handler));
        self.subscribe(Subscription::callback(topic))
    }

    /// A handler that sees every `EVENT` and `CALLBACK` message first, raw. When a typed
    /// handler also matches, the typed one decides the ack (unless this one returns
    /// `Outcome::Later`, which stops the message here); otherwise this one does.
    pub fn on_message<F, Fut, R>(mut self, handler: F) -> Self
    where
        F: Fn(RawMessage) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoOutcome + 'static,
    {
        self.handlers.raw = Some(boxed(handler));
        self
    }

    /// How often the client pings the server when connected (default 60 s).
    pub fn ping_interval(mut self, every: Duration) -> Self {
        self.config.ping_interval = every;
        self
    }

    /// How long a connection may go without a frame from the server (pongs do not count)
    /// before it is replaced (default three ping intervals).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = Some(timeout);
        self
    }

    /// How long a handled `messageId` is remembered, so that a redelivery is acked without
    /// being handled again (default 10 min).
    pub fn dedup_window(mut self, window: Duration) -> Self {
        self.config.dedup_window = window;
        self
    }

    /// How long a claim on a message being handled holds if its handler never finishes (a
    /// crashed instance; default 5 min).
    pub fn claim_lease(mut self, lease: Duration) -> Self {
        self.config.claim_lease = lease;
        self
    }

    /// Where claims are kept (default: a [`MemoryDedupStore`] in this process); a shared
    /// store dedups across instances.
    pub fn dedup_store(mut self, store: Arc<dyn DedupStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// How many handlers may run at once (default 64, at most 2^20).
    pub fn max_concurrent_handlers(mut self, n: usize) -> Self {
        self.config.max_concurrent = n;
        self
    }

    /// How many received messages may wait for a handler slot (default 1024); beyond that a
    /// message is left unacked and DingTalk redelivers it.
    pub fn queue_capacity(mut self, n: usize) -> Self {
        self.config.queue_capacity = n;
        self
    }

    /// The reconnect backoff: `initial` doubled after each failure up to `max`, with jitter,
    /// never below 100 ms (defaults 1 s and 60 s).
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.config.backoff = BackoffSettings { initial, max };
        self
    }

    /// The largest frame or message accepted from the server (default 1 MiB); a larger one
    /// ends the connection.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.config.max_message_size = bytes;
        self
    }

    /// How many bytes of received messages may wait for or sit in handlers at once (default
    /// 32 MiB); beyond that a message is left unacked and DingTalk redelivers it.
    pub fn max_buffered_bytes(mut self, bytes: usize) -> Self {
        self.config.max_buffered_bytes = bytes;
        self
    }

    /// The bound [`run_until`](StreamClient::run_until) gives running handlers (default 10 s).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.config.shutdown_timeout = timeout;
        self
    }

    /// The time limit of the open call and of the WebSocket upgrade (default 10 s).
    pub fn open_timeout(mut self, timeout: Duration) -> Self {
        self.config.open_timeout = timeout;
        self
    }

    /// The wall clock used to check robot session webhooks' expiry (default the system clock).
    pub fn time_source(mut self, clock: Arc<dyn TimeSource>) -> Self {
        self.clock = clock;
        self
    }

    /// A handle that shuts down the client this builder builds: for handlers that stop their
    /// own client (see [`ShutdownHandle`]).
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            tx: self.shutdown.clone(),
        }
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<StreamClient, StreamError> {
        let mut config = self.config;
        if config.app_key.is_empty() || config.app_secret.0.is_empty() {
            return Err(StreamError::Config(
                "the app key and the app secret are required".into(),
            ));
        }
        if self.handlers.is_empty() {
            return Err(StreamError::Config("no handler is registered".into()));
        }
        if config.subscriptions.is_empty() {
            return Err(StreamError::Config(
                "no subscription: register a typed handler or call subscribe()".into(),
            ));
        }
        if config.ping_interval.is_zero() {
            return Err(StreamError::Config(
                "the ping interval must not be zero".into(),
            ));
        }
        config.idle_timeout = self.idle_timeout.unwrap_or(config.ping_interval * 3);
        if config.idle_timeout.is_zero() {
            return Err(StreamError::Config(
                "the idle timeout must not be zero".into(),
            ));
        }
        // Shutdown waits for every permit at once, which takes at most u32::MAX of them.
        config.max_concurrent = config.max_concurrent.clamp(1, 1 << 20);
        config.queue_capacity = config.queue_capacity.max(1);
        config.max_message_size = config.max_message_size.max(1024);
        // Every message that fits a frame must fit the budget, or it could never be taken.
        config.max_buffered_bytes = config.max_buffered_bytes.clamp(
            config.max_message_size,
            Semaphore::MAX_PERMITS.min(u32::MAX as usize),
        );
        let base = url::Url::parse(&config.api_base).map_err(|e| {
            StreamError::Config(format!(
                "the API base {:?} is not a URL: {e}",
                config.api_base
            ))
        })?;
        let needs_tls = base.scheme() == "https";
        let mut tls = tls_config(needs_tls)?;
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls.clone())
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.open_timeout)
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                StreamError::Config(format!("cannot build the HTTP client: {}", e.without_url()))
            })?;
        let (abort, _) = watch::channel(false);
        let shared = Shared {
            permits: Arc::new(Semaphore::new(config.max_concurrent)),
            buffered: Arc::new(Semaphore::new(config.max_buffered_bytes)),
            config,
            handlers: self.handlers,
            store: self
                .store
                .unwrap_or_else(|| Arc::new(MemoryDedupStore::default())),
            replier: Replier {
                http: http.clone(),
                clock: self.clock,
            },
            http,
            tls: Arc::new(tls),
            abort,
            shutdown: self.shutdown,
        };
        Ok(StreamClient {
            shared: Arc::new(shared),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let b = StreamClient::builder("key", "TOP-SECRET").on_message(|_m: RawMessage| async {});
        assert!(!format!("{b:?}").contains("TOP-SECRET"));
        let c = b.subscribe(Subscription::event("*")).build().unwrap();
        let debug = format!("{c:?}");
        assert!(
            !debug.contains("TOP-SECRET") && debug.contains("key"),
            "{debug}"
        );
    }

    #[test]
    fn settings_that_cannot_work_are_refused() {
        assert!(StreamClient::builder("k", "s").build().is_err());
        let raw_only = StreamClient::builder("k", "s").on_message(|_m: RawMessage| async {});
        assert!(raw_only.build().is_err(), "no subscription");
        let c = StreamClient::builder("k", "s")
            .on_event("*", |_e: Event| async {})
            .ping_interval(Duration::from_secs(7))
            .build()
            .unwrap();
        assert_eq!(c.shared.config.idle_timeout, Duration::from_secs(21));
        assert_eq!(c.shared.config.subscriptions, [Subscription::event("*")]);
    }
}

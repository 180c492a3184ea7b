//! The settings of a [`StreamClient`](crate::StreamClient) and the state its tasks share.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, watch};

use crate::backoff::BackoffSettings;
use crate::dedup::DedupStore;
use crate::frame::Subscription;
use crate::handler::Handlers;
use crate::message::Replier;

/// The app secret: shown as `<redacted>` by Debug.
#[derive(Clone)]
pub(crate) struct Secret(pub(crate) String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Settings, fixed at build time.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) app_key: String,
    pub(crate) app_secret: Secret,
    pub(crate) api_base: String,
    pub(crate) user_agent: String,
    pub(crate) local_ip: Option<String>,
    pub(crate) subscriptions: Vec<Subscription>,
    pub(crate) ping_interval: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) dedup_window: Duration,
    pub(crate) claim_lease: Duration,
    pub(crate) max_concurrent: usize,
    pub(crate) queue_capacity: usize,
    pub(crate) backoff: BackoffSettings,
    pub(crate) max_message_size: usize,
    pub(crate) max_buffered_bytes: usize,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) open_timeout: Duration,
}

/// What the client's tasks share.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) handlers: Handlers,
    pub(crate) store: Arc<dyn DedupStore>,
    pub(crate) http: reqwest::Client,
    pub(crate) tls: Arc<rustls::ClientConfig>,
    pub(crate) replier: Replier,
    /// One permit per running handler.
    pub(crate) permits: Arc<Semaphore>,
    /// The bytes of received messages waiting for or in a handler.
    pub(crate) buffered: Arc<Semaphore>,
    /// Set when running handlers must give up (the shutdown bound passed).
    pub(crate) abort: watch::Sender<bool>,
    /// `Some(bound)` once a shutdown was asked for.
    pub(crate) shutdown: watch::Sender<Option<Duration>>,
}

impl Shared {
    /// Waits until no handler runs (every permit is back), at most until `deadline`.
    pub(crate) async fn wait_idle(&self, deadline: tokio::time::Instant) -> bool {
        let n = u32::try_from(self.config.max_concurrent).unwrap_or(u32::MAX);
        matches!(
            tokio::time::timeout_at(deadline, self.permits.acquire_many(n)).await,
            Ok(Ok(_))
        )
    }
}

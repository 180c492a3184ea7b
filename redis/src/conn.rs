//! The connection every part of the shared state uses: a redis `ConnectionManager` (which
//! reconnects by itself), a timeout on every operation, and the outage bookkeeping behind the
//! [`FaultPolicy`](crate::FaultPolicy): one `warn!` when Redis goes away, one `info!` when it is
//! back, and no new attempt for [`retry_after`](crate::RedisOptions::retry_after) after a failure.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::error::RedisStoreError;
use crate::options::{FaultPolicy, RedisOptions};

/// A shared handle on one Redis: cheap to clone.
#[derive(Clone)]
pub(crate) struct Redis {
    inner: Arc<Inner>,
}

struct Inner {
    manager: ConnectionManager,
    options: RedisOptions,
    /// Whether the last operation failed (an outage is going on).
    down: AtomicBool,
    /// While down: not before this moment is Redis tried again.
    next_try: Mutex<Option<Instant>>,
    /// For unique lease, claim and reservation ids.
    counter: AtomicU64,
    /// This process's part of those ids.
    origin: String,
}

impl fmt::Debug for Redis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the URL: it may carry a password.
        f.debug_struct("Redis")
            .field("prefix", &self.inner.options.key_prefix)
            .field("policy", &self.inner.options.policy)
            .field("down", &self.inner.down.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Redis {
    /// A handle on the Redis at `url` (`redis://` or `rediss://`). It connects lazily, so an
    /// unreachable Redis is no error here: the first operations fail (and fall back) instead.
    pub(crate) fn open(url: &str, options: RedisOptions) -> Result<Redis, RedisStoreError> {
        let url_error = |e: redis::RedisError| RedisStoreError::Url {
            // The kind and the detail of a parse error, never the URL.
            reason: format!("{:?}", e.kind()),
        };
        let client = redis::Client::open(url).map_err(url_error)?;
        // The connection manager spawns a task, which panics outside a runtime.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(RedisStoreError::NoRuntime);
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(options.connect_timeout))
            .set_response_timeout(Some(options.op_timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let manager =
            ConnectionManager::new_lazy_with_config(client, config).map_err(|source| {
                RedisStoreError::Redis {
                    what: "connect",
                    source,
                }
            })?;
        let origin = format!(
            "{}.{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        );
        Ok(Redis {
            inner: Arc::new(Inner {
                manager,
                options,
                down: AtomicBool::new(false),
                next_try: Mutex::new(None),
                counter: AtomicU64::new(0),
                origin,
            }),
        })
    }

    pub(crate) fn options(&self) -> &RedisOptions {
        &self.inner.options
    }

    /// Whether failures fall back to this process.
    pub(crate) fn falls_back(&self) -> bool {
        self.inner.options.policy == FaultPolicy::Fallback
    }

    /// `{prefix}:{scope}:{rest}`.
    pub(crate) fn key(&self, scope: &str, rest: &str) -> String {
        format!("{}:{scope}:{rest}", self.inner.options.key_prefix)
    }

    /// An id unique to this call in the whole fleet: process, start time, counter.
    pub(crate) fn unique_id(&self) -> String {
        let n = self.inner.counter.fetch_add(1, Ordering::Relaxed);
        format!("{}.{n}", self.inner.origin)
    }

    /// Whether Redis is known to be away right now.
    pub(crate) fn is_down(&self) -> bool {
        self.inner.down.load(Ordering::Relaxed)
    }

    /// Runs one operation on Redis within the operation timeout, keeping the outage books.
    pub(crate) async fn run<T, F, Fut>(
        &self,
        what: &'static str,
        op: F,
    ) -> Result<T, RedisStoreError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        if self.is_down() {
            let next = *self
                .inner
                .next_try
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if next.is_some_and(|at| Instant::now() < at) {
                return Err(RedisStoreError::Unavailable { what });
            }
        }
        let timeout = self.inner.options.op_timeout;
        let result = match tokio::time::timeout(timeout, op(self.inner.manager.clone())).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(source)) => Err(RedisStoreError::Redis { what, source }),
            Err(_) => Err(RedisStoreError::Timeout {
                what,
                after: timeout,
            }),
        };
        match &result {
            Ok(_) => self.up(),
            Err(error) => self.fail(error),
        }
        result
    }

    /// Redis answered: end any outage.
    fn up(&self) {
        if self.inner.down.swap(false, Ordering::AcqRel) {
            tracing::info!(target: "dingtalk_openapi_redis", "Redis answers again; shared state is back in use");
        }
    }

    /// Redis failed: start an outage (one `warn!`) and leave Redis alone for a while.
    fn fail(&self, error: &RedisStoreError) {
        *self
            .inner
            .next_try
            .lock()
            .unwrap_or_else(PoisonError::into_inner) =
            Some(Instant::now() + self.inner.options.retry_after);
        if !self.inner.down.swap(true, Ordering::AcqRel) {
            match self.inner.options.policy {
                FaultPolicy::Fallback => tracing::warn!(
                    target: "dingtalk_openapi_redis",
                    %error,
                    "Redis is unreachable; falling back to this process's token cache, limiter and dedup until it answers again"
                ),
                FaultPolicy::Strict => tracing::warn!(
                    target: "dingtalk_openapi_redis",
                    %error,
                    "Redis is unreachable; calls fail until it answers again (strict policy)"
                ),
            }
        }
    }
}

//! Shared state on Redis for many instances of one DingTalk app.
//!
//! DingTalk counts per app: one access token per app (fetching a new one while the old one is
//! valid just extends it), 20 calls a second per app and API (errcode 90018 beyond), 20
//! messages a minute per group robot. A service that runs N instances of one app, each with its
//! own token cache and pacing, asks for N tokens, spends the budget N times over and handles a
//! redelivered Stream message once per instance. This crate moves that state into one Redis:
//!
//! - [`RedisTokenStore`]: the runtime's `TokenStore`; one fetch per app and expiry across the
//!   fleet (a `SET NX PX` lease elects the fetcher, the others poll for its token), and a token
//!   DingTalk rejected is replaced once (a compare-and-delete script).
//! - [`RedisLimiter`]: the runtime's `CallLimiter`; one sliding-window log per app and API, and
//!   per robot, decided by one atomic Lua script on the Redis server's clock (see
//!   [`limiter`](RedisLimiter) for why not GCRA).
//! - `RedisDedupStore` (feature `stream`): the Stream client's `DedupStore`.
//! - [`SharedState`]: all of it on one connection, installed on a `ClientBuilder` in one call.
//!
//! Every Redis operation has a timeout ([`RedisOptions::op_timeout`]). While Redis is slow or
//! gone, [`FaultPolicy::Fallback`] (the default) keeps calls going on this process's token
//! cache and limiter, with one `warn!` per outage, and uses Redis again once it answers;
//! [`FaultPolicy::Strict`] fails calls with a typed error instead.
//!
//! # Keys and secrets
//!
//! Keys are `{prefix}:{app key or corp id}:token`, `…:token:lease`, `…:rate:{operation id}`,
//! `{prefix}:robot:rate:{hash}` and `{prefix}:{namespace}:dedup:{message id}`. The app key and
//! corp id are identifiers, not secrets (the secret never leaves the client), and plain keys let
//! an ACL give each service only its own app (`~dingtalk:dingabc:*`); a robot is named by a hash
//! of its webhook token, never the token. **The access token itself is stored as DingTalk gave
//! it**, since every instance must send it: anyone who can read the Redis can call DingTalk as
//! the app until it expires. Give the service a Redis user limited to its keys and commands
//! (`ACL SETUSER svc on >pw ~dingtalk:* +@read +@write +@scripting -@dangerous`) and use TLS
//! (`rediss://`) to any Redis off the host.
//!
//! # Example
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use dingtalk_openapi_redis::{RedisOptions, SharedState};
//! use dingtalk_openapi_runtime::Client;
//!
//! let shared = SharedState::connect("rediss://user:pw@redis.internal:6380", RedisOptions::new()).await?;
//! let client: Client = shared
//!     .install(Client::builder().app_credentials("dingabc", "secret"))
//!     .build()?;
//! # drop(client); Ok(()) }
//! ```
#![deny(missing_docs)]

mod conn;
#[cfg(feature = "stream")]
mod dedup;
mod error;
mod limiter;
mod options;
mod token;

use std::fmt;
use std::sync::Arc;

use dingtalk_openapi_runtime::ClientBuilder;

use crate::conn::Redis;

#[cfg(feature = "stream")]
pub use dedup::RedisDedupStore;
pub use error::RedisStoreError;
pub use limiter::RedisLimiter;
pub use options::{FaultPolicy, RedisOptions};
pub use token::RedisTokenStore;

/// The token store and the limiter on one Redis connection, for a `ClientBuilder` in one call:
/// what a command-line `--redis-url` (or `DINGTALK_REDIS_URL`) needs.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use dingtalk_openapi_redis::{RedisOptions, SharedState};
///
/// let shared = SharedState::connect("redis://127.0.0.1:6379", RedisOptions::new()).await?;
/// let builder = shared.install(dingtalk_openapi_runtime::Client::builder());
/// # drop(builder); Ok(()) }
/// ```
#[derive(Clone)]
pub struct SharedState {
    redis: Redis,
    tokens: Arc<RedisTokenStore>,
    limiter: Arc<RedisLimiter>,
}

impl fmt::Debug for SharedState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedState")
            .field("redis", &self.redis)
            .finish_non_exhaustive()
    }
}

impl SharedState {
    /// Connects to the Redis at `url` (`redis://` or `rediss://`, with a user and password if
    /// the server has ACLs) and checks it with a `PING`. An unreadable URL is an error; an
    /// unreachable Redis is one only under [`FaultPolicy::Strict`] (under the default policy
    /// the state starts in fallback and uses Redis as soon as it answers).
    pub async fn connect(url: &str, options: RedisOptions) -> Result<Self, RedisStoreError> {
        let redis = Redis::open(url, options)?;
        let ping = redis
            .run("ping", |mut c| async move {
                redis::cmd("PING").query_async::<String>(&mut c).await
            })
            .await;
        if let Err(error) = ping
            && !redis.falls_back()
        {
            return Err(error);
        }
        Ok(SharedState::on(redis))
    }

    fn on(redis: Redis) -> Self {
        SharedState {
            tokens: Arc::new(RedisTokenStore::with(redis.clone())),
            limiter: Arc::new(RedisLimiter::with(redis.clone())),
            redis,
        }
    }

    /// Sets the shared token store and limiter on `builder`; its other settings (rates,
    /// policies, credentials) stay as they are.
    pub fn install<C>(&self, builder: ClientBuilder<C>) -> ClientBuilder<C> {
        builder
            .token_store(self.tokens.clone())
            .rate_limiter(self.limiter.clone())
    }

    /// The shared token store.
    pub fn token_store(&self) -> Arc<RedisTokenStore> {
        self.tokens.clone()
    }

    /// The shared limiter.
    pub fn limiter(&self) -> Arc<RedisLimiter> {
        self.limiter.clone()
    }

    /// A Stream dedup store on the same connection; `namespace` (for example the app key)
    /// separates the message ids of different apps.
    #[cfg(feature = "stream")]
    pub fn dedup_store(&self, namespace: &str) -> RedisDedupStore {
        RedisDedupStore::with(self.redis.clone(), namespace)
    }

    /// Whether Redis is known to be away right now (the state is in fallback or failing).
    pub fn is_degraded(&self) -> bool {
        self.redis.is_down()
    }
}

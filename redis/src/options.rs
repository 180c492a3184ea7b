//! [`RedisOptions`]: timeouts, the fault policy, key prefix and the knobs of the token lease,
//! the limiter and Stream dedup.

use std::time::Duration;

/// What happens when Redis is slow or unreachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum FaultPolicy {
    /// Fall back to this process's token cache, limiter and dedup, with one `warn!` per outage,
    /// and use Redis again as soon as it answers. Calls go on; the fleet's budget is then only
    /// kept as well as [`RedisOptions::fleet_size`] says.
    #[default]
    Fallback,
    /// Fail with a typed error ([`RedisStoreError`](crate::RedisStoreError), inside the client's
    /// `Error::Token` or `Error::Limiter`): nothing is sent while Redis is away.
    Strict,
}

/// How the shared state talks to Redis. Every setting has a default; see each method.
///
/// ```
/// use std::time::Duration;
/// use dingtalk_openapi_redis::{FaultPolicy, RedisOptions};
///
/// let options = RedisOptions::new()
///     .op_timeout(Duration::from_millis(200))
///     .policy(FaultPolicy::Strict)
///     .key_prefix("billing-svc")
///     .fleet_size(8);
/// assert_eq!(options.get_fleet_size(), 8);
/// ```
#[derive(Debug, Clone)]
pub struct RedisOptions {
    pub(crate) op_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) policy: FaultPolicy,
    pub(crate) retry_after: Duration,
    pub(crate) key_prefix: String,
    pub(crate) lease: Duration,
    pub(crate) lease_wait: Duration,
    pub(crate) poll: Duration,
    pub(crate) fleet_size: u32,
    pub(crate) rate_padding: Duration,
}

impl Default for RedisOptions {
    fn default() -> Self {
        RedisOptions {
            op_timeout: Duration::from_millis(500),
            connect_timeout: Duration::from_secs(2),
            policy: FaultPolicy::Fallback,
            retry_after: Duration::from_secs(1),
            key_prefix: "dingtalk".to_owned(),
            lease: Duration::from_secs(10),
            lease_wait: Duration::from_secs(15),
            poll: Duration::from_millis(50),
            fleet_size: 1,
            rate_padding: Duration::from_millis(100),
        }
    }
}

impl RedisOptions {
    /// The defaults: 500 ms per Redis operation, 2 s to connect, [`FaultPolicy::Fallback`],
    /// Redis tried again 1 s after a failure, keys under `dingtalk:`, a 10 s fetch lease waited
    /// for at most 15 s and polled every 50 ms, a fleet of 1 and 100 ms of rate padding.
    pub fn new() -> Self {
        RedisOptions::default()
    }

    /// The longest any one Redis operation may take (default 500 ms); a slower one counts as a
    /// failure. No call ever waits on Redis for longer.
    pub fn op_timeout(mut self, timeout: Duration) -> Self {
        self.op_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The longest a connection attempt may take (default 2 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// What happens while Redis is away (default [`FaultPolicy::Fallback`]).
    pub fn policy(mut self, policy: FaultPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// After a failure, how long Redis is left alone before it is tried again (default 1 s):
    /// meanwhile calls do not pay the operation timeout over and over.
    pub fn retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = wait;
        self
    }

    /// The first part of every key (default `dingtalk`): keys are `{prefix}:{app}:…`.
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// How long the instance elected to fetch a token holds the right to (default 10 s): a
    /// crashed holder's lease lapses after it, and another instance fetches. Make it longer than
    /// a token request takes.
    pub fn token_lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(10));
        self
    }

    /// The longest an instance waits for another's token before fetching one itself (default
    /// 15 s).
    pub fn token_lease_wait(mut self, wait: Duration) -> Self {
        self.lease_wait = wait;
        self
    }

    /// How often a waiting instance looks for the token another is fetching (default 50 ms).
    pub fn token_poll(mut self, every: Duration) -> Self {
        self.poll = every.max(Duration::from_millis(1));
        self
    }

    /// How many instances share the app (default 1). While Redis is away each instance paces
    /// itself at `max(1, calls / fleet_size)` per period, so the fleet stays near the budget
    /// instead of spending it `fleet_size` times over.
    pub fn fleet_size(mut self, instances: u32) -> Self {
        self.fleet_size = instances.max(1);
        self
    }

    /// The configured fleet size.
    pub fn get_fleet_size(&self) -> u32 {
        self.fleet_size
    }

    /// Added to every rate period in Redis (default 100 ms: at most 20 calls in any 1.1 s, not
    /// 1 s). DingTalk counts calls as they arrive, the limiter as they start; the padding
    /// absorbs the difference in delay between instances (network, and a busy host scheduling a
    /// process late), so a call that started a period after another does not arrive just inside
    /// the same second. Measured with 100 `dingtalk call` processes started at once on 2 cores:
    /// 20 ms let 22 calls arrive within one second, 100 ms at most 21 (one call at the window's
    /// edge). Lower it on a quiet, close network to get back throughput.
    pub fn rate_padding(mut self, padding: Duration) -> Self {
        self.rate_padding = padding;
        self
    }
}

//! [`RedisLimiter`]: one rate budget per app and API (and per robot) for the whole fleet.
//!
//! # The algorithm: a sliding-window log, one Lua script per decision
//!
//! Each budget is a sorted set, `{prefix}:{app}:rate:{operation}` (for a robot
//! `{prefix}:robot:rate:{hash}`, the hash of its webhook token), holding the start times of the
//! last `calls` calls let through, in microseconds of the Redis server's clock. One script,
//! atomic in Redis, makes each decision: drop starts older than the period, read the start
//! `calls` places back, and reserve the earliest start at or after now that is at least one
//! period after it; under `LimitPolicy::Fail` it refuses instead of reserving a later start.
//!
//! Why not GCRA? GCRA (a token bucket in one timestamp) is cheaper, but with a burst of `N` it
//! lets `N` calls through at once and the next one `period / N` later: `N + 1` calls within
//! one period, which DingTalk counts as over its limit (errcode 90018). The log never lets more
//! than `calls` calls start within any window of one period, which is the rule DingTalk
//! enforces, and it is what the client does in process, so moving a fleet onto Redis changes
//! no pacing. Its cost is `calls` entries per budget (20 by default), trimmed by the script and
//! expired with the last reservation.
//!
//! The Redis server's clock decides (`TIME` in the script), so instances with skewed clocks
//! still share one timeline. Each period is lengthened by
//! [`rate_padding`](crate::RedisOptions::rate_padding) to absorb network delay differences.
//! A waiting call reserves a start at most one period ahead; a call that would have to wait
//! longer sleeps and asks again, so that the log never holds more than one period of promises
//! (a crashed instance wastes at most that, and an outage leaves no queue behind it).
//!
//! While Redis is away each instance decides alone at its share of the budget, and the starts
//! Redis granted it are counted there too, so it does not add a burst on top of its own
//! reserved calls.

use std::fmt;

use dingtalk_openapi_runtime::ratelimit::{Admission, LimitKey, MemoryLimiter};
use dingtalk_openapi_runtime::{BoxError, CallLimiter, CallRate, LimitPolicy};
use futures_util::future::BoxFuture;

use crate::conn::Redis;
use crate::error::RedisStoreError;

/// The decision. KEYS[1]: the budget; ARGV: calls, period (µs), 1 to refuse rather than wait,
/// the reservation's unique id, the horizon (µs; 0 for none): a start further ahead is not
/// reserved. Returns {1, wait µs} when granted, {0, µs until the slot} when refused.
const ADMIT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local calls = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
local n = redis.call('ZCARD', KEYS[1])
local start = now
if n >= calls then
  local earlier = redis.call('ZRANGE', KEYS[1], n - calls, n - calls, 'WITHSCORES')
  start = math.max(now, tonumber(earlier[2]) + period)
end
local horizon = tonumber(ARGV[5])
if start > now and (ARGV[3] == '1' or (horizon > 0 and start - now > horizon)) then
  return {0, start - now}
end
redis.call('ZADD', KEYS[1], start, ARGV[4])
if n >= calls then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - calls)
end
redis.call('PEXPIRE', KEYS[1], math.floor((start - now + period) / 1000) + 1000)
return {1, start - now}
";

/// A [`CallLimiter`] on Redis: the fleet shares each budget. See the module docs for the
/// algorithm; the client's `LimitPolicy` (wait, or fail with a typed error) applies as with
/// the in-process limiter.
///
/// While Redis is away it decides in this process at `max(1, calls / fleet_size)` per period,
/// as the [`FaultPolicy`](crate::FaultPolicy) says.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use dingtalk_openapi_redis::{RedisLimiter, RedisOptions};
///
/// let limiter = RedisLimiter::connect("redis://127.0.0.1:6379", RedisOptions::new().fleet_size(4))?;
/// let builder = dingtalk_openapi_runtime::Client::builder().rate_limiter(Arc::new(limiter));
/// # drop(builder); Ok(()) }
/// ```
pub struct RedisLimiter {
    redis: Redis,
    local: MemoryLimiter,
    script: redis::Script,
}

impl fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLimiter")
            .field("redis", &self.redis)
            .field("local", &self.local)
            .finish()
    }
}

impl RedisLimiter {
    /// A limiter on the Redis at `url` (`redis://` or `rediss://`). Connects lazily.
    pub fn connect(url: &str, options: crate::RedisOptions) -> Result<Self, RedisStoreError> {
        Ok(RedisLimiter::with(Redis::open(url, options)?))
    }

    pub(crate) fn with(redis: Redis) -> Self {
        RedisLimiter {
            redis,
            local: MemoryLimiter::new(),
            script: redis::Script::new(ADMIT),
        }
    }

    /// The decision in Redis, waiting (outside Redis) while a slot is more than one period
    /// ahead under [`LimitPolicy::Wait`].
    async fn admit_in_redis(
        &self,
        key: LimitKey<'_>,
        rate: CallRate,
        policy: LimitPolicy,
    ) -> Result<Admission, RedisStoreError> {
        let period = rate.period() + self.redis.options().rate_padding;
        loop {
            let horizon = match policy {
                LimitPolicy::Fail => None,
                _ => Some(period),
            };
            match self.ask_redis(key, rate, policy, horizon).await? {
                Admission::Refused { retry_after } if policy != LimitPolicy::Fail => {
                    // Asks again once the slot is within one period.
                    tokio::time::sleep(retry_after.saturating_sub(period)).await;
                }
                admission => return Ok(admission),
            }
        }
    }

    /// One run of the script.
    async fn ask_redis(
        &self,
        key: LimitKey<'_>,
        rate: CallRate,
        policy: LimitPolicy,
        horizon: Option<std::time::Duration>,
    ) -> Result<Admission, RedisStoreError> {
        let horizon_us = horizon.map_or(0, |h| u64::try_from(h.as_micros()).unwrap_or(u64::MAX));
        let redis_key = self.redis.key(key.scope(), &format!("rate:{}", key.name()));
        let period = rate.period() + self.redis.options().rate_padding;
        let period_us = u64::try_from(period.as_micros()).unwrap_or(u64::MAX);
        let fail = if policy == LimitPolicy::Fail {
            "1"
        } else {
            "0"
        };
        let id = self.redis.unique_id();
        let script = &self.script;
        let (granted, micros): (i64, i64) = self
            .redis
            .run("rate admit", |mut c| async move {
                script
                    .key(&redis_key)
                    .arg(rate.calls())
                    .arg(period_us)
                    .arg(fail)
                    .arg(&id)
                    .arg(horizon_us)
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        let after = std::time::Duration::from_micros(u64::try_from(micros).unwrap_or(0));
        Ok(if granted == 1 {
            Admission::Granted { wait: after }
        } else {
            Admission::Refused { retry_after: after }
        })
    }

    /// The budget of one instance while Redis is away: its share of the calls, over the
    /// padded period.
    fn fallback_rate(&self, rate: CallRate) -> CallRate {
        let options = self.redis.options();
        let share = (rate.calls() / options.get_fleet_size()).max(1);
        CallRate::new(share, rate.period() + options.rate_padding)
    }
}

impl CallLimiter for RedisLimiter {
    fn admit<'a>(
        &'a self,
        key: LimitKey<'a>,
        rate: CallRate,
        policy: LimitPolicy,
    ) -> BoxFuture<'a, Result<Admission, BoxError>> {
        Box::pin(async move {
            match self.admit_in_redis(key, rate, policy).await {
                Ok(admission) => {
                    if let Admission::Granted { wait } = admission {
                        // Known to the fallback, should Redis go away before the call starts.
                        self.local.note(key, self.fallback_rate(rate), wait);
                    }
                    Ok(admission)
                }
                Err(_) if self.redis.falls_back() => {
                    Ok(self.local.admit_now(key, self.fallback_rate(rate), policy))
                }
                Err(error) => Err(Box::new(error) as BoxError),
            }
        })
    }
}

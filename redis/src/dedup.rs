//! [`RedisDedupStore`]: the Stream client's [`DedupStore`] on Redis, so that a message
//! DingTalk redelivers to another instance is handled once by the fleet.
//!
//! A message id's state is the key `{prefix}:{namespace}:dedup:{messageId}`: absent (new), a
//! claim id (in flight, expiring after the lease) or `done` (expiring after the window). Each
//! call is one atomic script: claim sets the claim only if the key is absent (`SET NX PX`) and
//! otherwise reads it; complete sets `done`; release deletes the key only while it still holds
//! this store's claim, so a message that is done stays done and another instance's later claim
//! is left alone.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use dingtalk_openapi_stream::dedup::{Claim, DedupError, DedupStore};
use futures_util::future::BoxFuture;

use crate::conn::Redis;
use crate::error::RedisStoreError;

/// The value of a message handled to completion.
const DONE: &str = "done";

/// Returns 0 (new: claimed now), 1 (in flight) or 2 (done).
const CLAIM: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 0
end
if redis.call('GET', KEYS[1]) == 'done' then
  return 2
end
return 1
";

/// Deletes the claim only while it is this store's.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// What this process remembers of a message while Redis is away.
#[derive(Debug, Clone, Copy)]
enum LocalState {
    InFlight(Instant),
    Done(Instant),
}

/// A [`DedupStore`] on Redis, shared by every instance of a Stream client. Its claims are
/// separate from those of other stores (even in one process), so release only ever drops a
/// claim this store made.
///
/// While Redis is away it claims in this process (as the
/// [`FaultPolicy`](crate::FaultPolicy) says), which keeps one instance from handling a message
/// twice but not two instances.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
/// use std::time::Duration;
/// use dingtalk_openapi_redis::{RedisDedupStore, RedisOptions};
/// use dingtalk_openapi_stream::dedup::{Claim, DedupStore};
///
/// let store = RedisDedupStore::connect("redis://127.0.0.1:6379", RedisOptions::new(), "dingabc")?;
/// if store.claim("msg-1", Duration::from_secs(60)).await? == Claim::New {
///     // handle it, then:
///     store.complete("msg-1", Duration::from_secs(600)).await?;
/// }
/// # Ok(()) }
/// ```
pub struct RedisDedupStore {
    redis: Redis,
    namespace: String,
    /// This store's claim ids, by message id.
    claims: Mutex<HashMap<String, String>>,
    /// The fallback while Redis is away.
    local: Mutex<HashMap<String, LocalState>>,
    claim: redis::Script,
    release: redis::Script,
}

impl fmt::Debug for RedisDedupStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisDedupStore")
            .field("redis", &self.redis)
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

impl RedisDedupStore {
    /// A store on the Redis at `url`, for the message ids of `namespace` (for example the app
    /// key). Connects lazily.
    pub fn connect(
        url: &str,
        options: crate::RedisOptions,
        namespace: &str,
    ) -> Result<Self, RedisStoreError> {
        Ok(RedisDedupStore::with(Redis::open(url, options)?, namespace))
    }

    pub(crate) fn with(redis: Redis, namespace: &str) -> Self {
        RedisDedupStore {
            redis,
            namespace: namespace.to_owned(),
            claims: Mutex::new(HashMap::new()),
            local: Mutex::new(HashMap::new()),
            claim: redis::Script::new(CLAIM),
            release: redis::Script::new(RELEASE),
        }
    }

    fn key(&self, message_id: &str) -> String {
        self.redis
            .key(&self.namespace, &format!("dedup:{message_id}"))
    }

    fn fallback<T>(
        &self,
        error: RedisStoreError,
        local: impl FnOnce() -> T,
    ) -> Result<T, DedupError> {
        if self.redis.falls_back() {
            Ok(local())
        } else {
            Err(Box::new(error))
        }
    }

    /// A claim in this process alone.
    fn claim_locally(&self, message_id: &str, lease: Duration) -> Claim {
        let now = Instant::now();
        let mut local = self.local.lock().unwrap_or_else(PoisonError::into_inner);
        local.retain(|_, state| match state {
            LocalState::InFlight(until) | LocalState::Done(until) => *until > now,
        });
        match local.get(message_id) {
            Some(LocalState::Done(_)) => Claim::Done,
            Some(LocalState::InFlight(_)) => Claim::InFlight,
            None => {
                local.insert(message_id.to_owned(), LocalState::InFlight(now + lease));
                Claim::New
            }
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl DedupStore for RedisDedupStore {
    fn claim<'a>(
        &'a self,
        message_id: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Claim, DedupError>> {
        Box::pin(async move {
            let key = self.key(message_id);
            let id = format!("claim:{}", self.redis.unique_id());
            let script = &self.claim;
            let claim_id = id.clone();
            let answer = self
                .redis
                .run("dedup claim", |mut c| async move {
                    script
                        .key(&key)
                        .arg(&claim_id)
                        .arg(millis(lease))
                        .invoke_async::<i64>(&mut c)
                        .await
                })
                .await;
            match answer {
                Ok(0) => {
                    self.claims
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(message_id.to_owned(), id);
                    Ok(Claim::New)
                }
                Ok(2) => Ok(Claim::Done),
                Ok(_) => Ok(Claim::InFlight),
                Err(error) => self.fallback(error, || self.claim_locally(message_id, lease)),
            }
        })
    }

    fn complete<'a>(
        &'a self,
        message_id: &'a str,
        window: Duration,
    ) -> BoxFuture<'a, Result<(), DedupError>> {
        Box::pin(async move {
            self.claims
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(message_id);
            self.local
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(
                    message_id.to_owned(),
                    LocalState::Done(Instant::now() + window),
                );
            let key = self.key(message_id);
            let answer = self
                .redis
                .run("dedup complete", |mut c| async move {
                    redis::cmd("SET")
                        .arg(&key)
                        .arg(DONE)
                        .arg("PX")
                        .arg(millis(window))
                        .query_async::<()>(&mut c)
                        .await
                })
                .await;
            match answer {
                Ok(()) => Ok(()),
                Err(error) => self.fallback(error, || ()),
            }
        })
    }

    fn release<'a>(&'a self, message_id: &'a str) -> BoxFuture<'a, Result<(), DedupError>> {
        Box::pin(async move {
            {
                let mut local = self.local.lock().unwrap_or_else(PoisonError::into_inner);
                if matches!(local.get(message_id), Some(LocalState::InFlight(_))) {
                    local.remove(message_id);
                }
            }
            let id = self
                .claims
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(message_id);
            let Some(id) = id else {
                // Not claimed here (or already completed): nothing of this store's to drop.
                return Ok(());
            };
            let key = self.key(message_id);
            let script = &self.release;
            let answer = self
                .redis
                .run("dedup release", |mut c| async move {
                    script.key(&key).arg(&id).invoke_async::<i64>(&mut c).await
                })
                .await;
            match answer {
                Ok(_) => Ok(()),
                // The claim lapses with its lease.
                Err(error) => self.fallback(error, || ()),
            }
        })
    }
}

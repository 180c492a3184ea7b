//! [`RedisTokenStore`]: one access token per app for the whole fleet.
//!
//! The token of app `K` is the hash `{prefix}:K:token` with the fields `token` (the value
//! exactly as DingTalk gave it) and `expires_at_ms` (Unix milliseconds), expiring in Redis with
//! the token. The right to fetch the next one is the key `{prefix}:K:token:lease`, taken with
//! `SET NX PX` by one instance; the others poll for the new token (every
//! [`token_poll`](crate::RedisOptions::token_poll), for at most
//! [`token_lease_wait`](crate::RedisOptions::token_lease_wait)), and a crashed holder's lease
//! lapses after [`token_lease`](crate::RedisOptions::token_lease). A token DingTalk rejected is
//! deleted by a compare-and-delete script only while it is still the stored one, so the fleet
//! replaces it once.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use dingtalk_openapi_runtime::primitives::Secret;
use dingtalk_openapi_runtime::token::TokenCheck;
use dingtalk_openapi_runtime::{BoxError, CachedToken, MemoryTokenStore, TokenLease, TokenStore};
use futures_util::future::BoxFuture;

use crate::conn::Redis;
use crate::error::RedisStoreError;

/// Deletes the token only while it is the rejected one.
const INVALIDATE: &str = r"
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Deletes the lease only while this instance holds it.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// A [`TokenStore`] on Redis, shared by every instance of an app: one token fetch per app and
/// expiry across the fleet. Keys are named by the app key (or corp id), which is not secret.
///
/// While Redis is away it serves from (and keeps) a copy in this process, as the
/// [`FaultPolicy`](crate::FaultPolicy) says. Made by [`SharedState`](crate::SharedState), or
/// directly:
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use dingtalk_openapi_redis::{RedisOptions, RedisTokenStore};
///
/// let store = RedisTokenStore::connect("redis://127.0.0.1:6379", RedisOptions::new())?;
/// let builder = dingtalk_openapi_runtime::Client::builder().token_store(Arc::new(store));
/// # drop(builder); Ok(()) }
/// ```
pub struct RedisTokenStore {
    redis: Redis,
    /// The fallback, and a copy of every token seen in Redis.
    local: MemoryTokenStore,
    /// The lease ids this instance holds, by store key.
    leases: Mutex<HashMap<String, String>>,
    invalidate: redis::Script,
    release: redis::Script,
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("redis", &self.redis)
            .finish_non_exhaustive()
    }
}

impl RedisTokenStore {
    /// A store on the Redis at `url` (`redis://` or `rediss://`). Connects lazily: an
    /// unreachable Redis is not an error here.
    pub fn connect(url: &str, options: crate::RedisOptions) -> Result<Self, RedisStoreError> {
        Ok(RedisTokenStore::with(Redis::open(url, options)?))
    }

    pub(crate) fn with(redis: Redis) -> Self {
        RedisTokenStore {
            redis,
            local: MemoryTokenStore::new(),
            leases: Mutex::new(HashMap::new()),
            invalidate: redis::Script::new(INVALIDATE),
            release: redis::Script::new(RELEASE),
        }
    }

    fn token_key(&self, key: &str) -> String {
        self.redis.key(key, "token")
    }

    fn lease_key(&self, key: &str) -> String {
        self.redis.key(key, "token:lease")
    }

    /// The token stored in Redis for `key`.
    async fn redis_get(&self, key: &str) -> Result<Option<CachedToken>, RedisStoreError> {
        let redis_key = self.token_key(key);
        let (token, expires): (Option<String>, Option<u64>) = self
            .redis
            .run("token get", |mut c| async move {
                redis::cmd("HMGET")
                    .arg(&redis_key)
                    .arg("token")
                    .arg("expires_at_ms")
                    .query_async(&mut c)
                    .await
            })
            .await?;
        let (Some(token), Some(expires)) = (token, expires) else {
            return Ok(None);
        };
        let token = CachedToken::new(
            Secret::new(token),
            UNIX_EPOCH + Duration::from_millis(expires),
        );
        // Kept here too, for an outage.
        let _ = self.local.put(key, token.clone()).await;
        Ok(Some(token))
    }

    /// The local copy when the policy allows falling back, else the error.
    fn fallback<T>(&self, error: RedisStoreError, local: T) -> Result<T, BoxError> {
        if self.redis.falls_back() {
            Ok(local)
        } else {
            Err(Box::new(error))
        }
    }

    /// Drops the lease this instance holds for `key`, if it still holds it.
    async fn release_lease(&self, key: &str) -> Result<(), RedisStoreError> {
        let id = self
            .leases
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
        let Some(id) = id else {
            return Ok(());
        };
        let lease_key = self.lease_key(key);
        let script = &self.release;
        self.redis
            .run("token release", |mut c| async move {
                script
                    .key(&lease_key)
                    .arg(&id)
                    .invoke_async::<i64>(&mut c)
                    .await
            })
            .await
            .map(drop)
    }

    /// Takes the fetch lease, or waits (bounded) for another holder's token.
    async fn lease_or_wait(
        &self,
        key: &str,
        usable: TokenCheck<'_>,
    ) -> Result<TokenLease, RedisStoreError> {
        let options = self.redis.options().clone();
        let deadline = Instant::now() + options.lease_wait;
        let lease_key = self.lease_key(key);
        let id = self.redis.unique_id();
        let lease_ms = u64::try_from(options.lease.as_millis()).unwrap_or(u64::MAX);
        loop {
            if let Some(token) = self.redis_get(key).await?
                && usable(&token)
            {
                return Ok(TokenLease::Fetched(token));
            }
            let (k, v) = (lease_key.clone(), id.clone());
            let taken: Option<String> = self
                .redis
                .run("token lease", |mut c| async move {
                    redis::cmd("SET")
                        .arg(&k)
                        .arg(&v)
                        .arg("NX")
                        .arg("PX")
                        .arg(lease_ms)
                        .query_async(&mut c)
                        .await
                })
                .await?;
            if taken.is_some() {
                self.leases
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(key.to_owned(), id);
                // The previous holder may have stored its token and released the lease between
                // the read above and the SET: look once more before fetching again.
                if let Some(token) = self.redis_get(key).await?
                    && usable(&token)
                {
                    self.release_lease(key).await?;
                    return Ok(TokenLease::Fetched(token));
                }
                return Ok(TokenLease::Fetch);
            }
            if Instant::now() >= deadline {
                tracing::warn!(
                    target: "dingtalk_openapi_redis",
                    app = key,
                    "no token appeared while another instance held the fetch lease; fetching here"
                );
                return Ok(TokenLease::Fetch);
            }
            tokio::time::sleep(options.poll).await;
        }
    }
}

impl TokenStore for RedisTokenStore {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<CachedToken>, BoxError>> {
        Box::pin(async move {
            match self.redis_get(key).await {
                Ok(token) => Ok(token),
                Err(error) => {
                    let local = self.local.get(key).await?;
                    self.fallback(error, local)
                }
            }
        })
    }

    fn put<'a>(&'a self, key: &'a str, token: CachedToken) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(async move {
            self.local.put(key, token.clone()).await?;
            let redis_key = self.token_key(key);
            let expires_ms = token
                .expires_at
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
            // Kept in Redis as long as the token lives (at least a second).
            let ttl_ms = token
                .expires_at
                .duration_since(SystemTime::now())
                .map_or(1000, |d| {
                    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1000)
                });
            let value = token.token.expose().to_owned();
            let stored = self
                .redis
                .run("token put", |mut c| async move {
                    redis::pipe()
                        .atomic()
                        .hset_multiple(
                            &redis_key,
                            &[("token", value), ("expires_at_ms", expires_ms.to_string())],
                        )
                        .ignore()
                        .pexpire(&redis_key, i64::try_from(ttl_ms).unwrap_or(i64::MAX))
                        .ignore()
                        .query_async::<()>(&mut c)
                        .await
                })
                .await;
            match stored {
                Ok(()) => Ok(()),
                Err(error) => self.fallback(error, ()),
            }
        })
    }

    fn invalidate<'a>(
        &'a self,
        key: &'a str,
        rejected: &'a Secret,
    ) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(async move {
            self.local.invalidate(key, rejected).await?;
            let redis_key = self.token_key(key);
            let script = &self.invalidate;
            let result = self
                .redis
                .run("token invalidate", |mut c| async move {
                    script
                        .key(&redis_key)
                        .arg(rejected.expose())
                        .invoke_async::<i64>(&mut c)
                        .await
                })
                .await;
            match result {
                Ok(_) => Ok(()),
                Err(error) => self.fallback(error, ()),
            }
        })
    }

    fn lease<'a>(
        &'a self,
        key: &'a str,
        usable: TokenCheck<'a>,
    ) -> BoxFuture<'a, Result<TokenLease, BoxError>> {
        Box::pin(async move {
            match self.lease_or_wait(key, usable).await {
                Ok(lease) => Ok(lease),
                // Redis away: this process's single flight elects the fetcher, as without Redis.
                Err(error) => self.fallback(error, TokenLease::Fetch),
            }
        })
    }

    fn release<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), BoxError>> {
        Box::pin(async move {
            match self.release_lease(key).await {
                Ok(()) => Ok(()),
                // The lease lapses by itself.
                Err(error) => self.fallback(error, ()),
            }
        })
    }
}

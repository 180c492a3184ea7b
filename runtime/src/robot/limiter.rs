//! [`RobotLimiter`]: the local guard for DingTalk's 20 messages a minute per robot, and its seam
//! to a [`CallLimiter`] shared by every instance that sends through the same robots.
//!
//! A shared limiter sees each robot under [`LimitKey`] `("robot", hash)`, where `hash` is the
//! hex SHA-256 of the webhook's access token (the first 16 bytes): never the token itself, so
//! it may name a Redis key.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::{MESSAGES_PER_WINDOW, RATE_WINDOW, RobotError, RobotWebhook};
use crate::ratelimit::{Admission, CallLimiter, CallRate, LimitKey, LimitPolicy};

/// The scope of robot budgets in a shared [`CallLimiter`].
pub(crate) const ROBOT_SCOPE: &str = "robot";

/// A local guard for DingTalk's limit of 20 messages a minute per robot, counted over a sliding
/// window for each `access_token` separately.
///
/// Share one limiter (behind an `Arc`) among everything that sends through the same robots.
/// DingTalk counts per robot across all senders; alone, this guard cannot see messages sent by
/// other processes and only keeps one process from tripping the limit on its own. With
/// [`with_shared`](RobotLimiter::with_shared) it asks a limiter shared by every instance (such
/// as `dingtalk-openapi-redis`'s), keyed by a hash of the robot's token.
pub struct RobotLimiter {
    policy: LimitPolicy,
    max_messages: NonZeroU32,
    window: Duration,
    /// Send times within the window, oldest first, per access token.
    sent: Mutex<HashMap<String, VecDeque<Instant>>>,
    /// The limiter shared by every instance, when set: it decides instead of `sent`.
    shared: Option<Arc<dyn CallLimiter>>,
}

/// [`MESSAGES_PER_WINDOW`] as the limiter stores it.
const DEFAULT_MAX_MESSAGES: NonZeroU32 = match NonZeroU32::new(MESSAGES_PER_WINDOW) {
    Some(n) => n,
    None => NonZeroU32::MIN,
};

/// Above this many tracked robots, idle entries are dropped on the next call.
const PRUNE_THRESHOLD: usize = 64;

impl RobotLimiter {
    /// A limiter with DingTalk's limit: [`MESSAGES_PER_WINDOW`] messages per [`RATE_WINDOW`].
    pub fn new(policy: LimitPolicy) -> Self {
        RobotLimiter::with_limit(policy, DEFAULT_MAX_MESSAGES, RATE_WINDOW)
    }

    /// A limiter allowing `max_messages` per `window` for each robot (for tests, or a stricter
    /// budget than DingTalk's).
    pub fn with_limit(policy: LimitPolicy, max_messages: NonZeroU32, window: Duration) -> Self {
        RobotLimiter {
            policy,
            max_messages,
            window,
            sent: Mutex::new(HashMap::new()),
            shared: None,
        }
    }

    /// Lets `shared` decide for [`acquire`](RobotLimiter::acquire), so that every instance
    /// sending through a robot spends one budget ([`try_acquire`](RobotLimiter::try_acquire),
    /// which cannot wait for it, stays local). The robot is named to it by a hash of its token.
    pub fn with_shared(mut self, shared: Arc<dyn CallLimiter>) -> Self {
        self.shared = Some(shared);
        self
    }

    /// The policy applied when a robot's window is full.
    pub fn policy(&self) -> LimitPolicy {
        self.policy
    }

    /// Takes a slot for one message through `robot`, waiting or failing as the policy says.
    ///
    /// Cancel-safe: a slot is only taken when the future completes with `Ok`.
    pub async fn acquire(&self, robot: &RobotWebhook) -> Result<(), RobotError> {
        if let Some(shared) = &self.shared {
            return self.acquire_shared(shared.as_ref(), robot).await;
        }
        loop {
            match self.try_acquire(robot) {
                Err(RobotError::RateLimited { retry_after, .. })
                    if self.policy == LimitPolicy::Wait =>
                {
                    tokio::time::sleep(retry_after).await;
                }
                other => return other,
            }
        }
    }

    /// [`acquire`](RobotLimiter::acquire) through the shared limiter.
    async fn acquire_shared(
        &self,
        shared: &dyn CallLimiter,
        robot: &RobotWebhook,
    ) -> Result<(), RobotError> {
        let name = robot_key(robot);
        let rate = CallRate::new(self.max_messages.get(), self.window);
        let admission = shared
            .admit(LimitKey::new(ROBOT_SCOPE, &name), rate, self.policy)
            .await
            .map_err(|error| RobotError::SharedLimiter {
                reason: error.to_string(),
            })?;
        match admission {
            Admission::Granted { wait } => {
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                Ok(())
            }
            Admission::Refused { retry_after } => Err(RobotError::RateLimited {
                max_messages: self.max_messages.get(),
                window: self.window,
                retry_after,
            }),
        }
    }

    /// Takes a slot for one message through `robot` if one is free now; never waits, whatever
    /// the policy. Fails with [`RobotError::RateLimited`] otherwise.
    pub fn try_acquire(&self, robot: &RobotWebhook) -> Result<(), RobotError> {
        let now = Instant::now();
        let mut sent = self.sent.lock().unwrap_or_else(PoisonError::into_inner);
        if sent.len() > PRUNE_THRESHOLD {
            sent.retain(|_, times| {
                self.expire(times, now);
                !times.is_empty()
            });
        }
        let times = sent
            .entry(robot.access_token.expose().to_owned())
            .or_default();
        self.expire(times, now);
        let limit = usize::try_from(self.max_messages.get()).unwrap_or(usize::MAX);
        if times.len() < limit {
            times.push_back(now);
            return Ok(());
        }
        let retry_after = times
            .front()
            .and_then(|oldest| oldest.checked_add(self.window))
            .map_or(self.window, |free_at| {
                free_at.saturating_duration_since(now)
            });
        Err(RobotError::RateLimited {
            max_messages: self.max_messages.get(),
            window: self.window,
            retry_after,
        })
    }

    /// Drops send times that have left the window ending at `now`.
    fn expire(&self, times: &mut VecDeque<Instant>, now: Instant) {
        while let Some(oldest) = times.front() {
            match oldest.checked_add(self.window) {
                Some(free_at) if free_at <= now => {
                    times.pop_front();
                }
                _ => break,
            }
        }
    }
}

impl Default for RobotLimiter {
    /// DingTalk's limit with [`LimitPolicy::Wait`].
    fn default() -> Self {
        RobotLimiter::new(LimitPolicy::Wait)
    }
}

impl fmt::Debug for RobotLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The map is keyed by access tokens: show how many robots are tracked, never which.
        let robots = self
            .sent
            .lock()
            .map_or_else(|e| e.into_inner().len(), |m| m.len());
        f.debug_struct("RobotLimiter")
            .field("policy", &self.policy)
            .field("max_messages", &self.max_messages)
            .field("window", &self.window)
            .field("robots", &robots)
            .field("shared", &self.shared)
            .finish()
    }
}

/// The name of `robot` in a shared limiter: the hex of the first 16 bytes of the SHA-256 of its
/// access token. Not reversible, and never the token.
pub(crate) fn robot_key(robot: &RobotWebhook) -> String {
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        robot.access_token.expose().as_bytes(),
    );
    digest
        .as_ref()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratelimit::MemoryLimiter;

    #[derive(Debug, Default)]
    struct Recording {
        inner: MemoryLimiter,
        keys: Mutex<Vec<(String, String)>>,
    }

    impl CallLimiter for Recording {
        fn admit<'a>(
            &'a self,
            key: LimitKey<'a>,
            rate: CallRate,
            policy: LimitPolicy,
        ) -> futures_util::future::BoxFuture<'a, Result<Admission, crate::BoxError>> {
            self.keys
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((key.scope().to_owned(), key.name().to_owned()));
            self.inner.admit(key, rate, policy)
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_shared_limiter_decides_by_a_hash_of_the_token() {
        let shared = Arc::new(Recording::default());
        let limiter = RobotLimiter::with_limit(
            LimitPolicy::Fail,
            NonZeroU32::new(2).unwrap_or(NonZeroU32::MIN),
            Duration::from_secs(60),
        )
        .with_shared(shared.clone());
        let robot = RobotWebhook::new("supersecrettoken123").unwrap();
        limiter.acquire(&robot).await.unwrap();
        limiter.acquire(&robot).await.unwrap();
        let refused = limiter.acquire(&robot).await.unwrap_err();
        assert!(
            matches!(refused, RobotError::RateLimited { .. }),
            "{refused:?}"
        );
        let keys = shared
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        assert_eq!(keys.len(), 3);
        let (scope, name) = &keys[0];
        assert_eq!(scope, "robot");
        assert_eq!(name.len(), 32);
        assert!(!name.contains("supersecret"));
        assert!(!format!("{limiter:?}").contains("supersecret"));
    }
}

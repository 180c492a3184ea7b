//! When a failed call is tried again, and after how long.
//!
//! Retries are bounded (three by default) and spaced by exponential backoff with jitter. Only
//! failures that may pass are retried: system busy (errcode -1, or 15 with sub_code `isp.-1`),
//! the transient QPS limits (after at least one second), HTTP 5xx, broken connections and
//! timeouts. An operation with [`Effect::Create`] is retried only when the failure shows the
//! request was not processed, unless the caller opted into retrying ambiguous failures too:
//! retrying a create that DingTalk did process would create the thing twice.
//!
//! A rejected access token is not handled here: the client drops the token and retries once
//! by itself, outside this budget.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use crate::error::Error;
use crate::operation::Effect;

/// The retry settings of a client.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    /// How many times a call may be retried after its first attempt.
    pub(crate) max_retries: u32,
    /// The backoff before the first retry; doubled for each further one.
    pub(crate) base_delay: Duration,
    /// The longest backoff.
    pub(crate) max_delay: Duration,
    /// The least wait after a transient QPS limit (DingTalk asks for one second).
    pub(crate) rate_limit_wait: Duration,
    /// Whether a create is retried after a failure that leaves open whether it was processed.
    pub(crate) retry_ambiguous_creates: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            rate_limit_wait: Duration::from_secs(1),
            retry_ambiguous_creates: false,
        }
    }
}

impl RetryPolicy {
    /// How long to wait before retrying after `error`, or `None` when the call must not be
    /// retried. `retries_done` counts the retries already made.
    pub(crate) fn backoff(
        &self,
        error: &Error,
        effect: Effect,
        retries_done: u32,
    ) -> Option<Duration> {
        if retries_done >= self.max_retries || !error.is_retryable() {
            return None;
        }
        if effect == Effect::Create && !self.retry_ambiguous_creates && !error.shows_unprocessed() {
            return None;
        }
        let delay = jittered(exponential(self.base_delay, self.max_delay, retries_done));
        if error.is_rate_limited() {
            return Some(delay.max(self.rate_limit_wait));
        }
        Some(delay)
    }
}

/// `base * 2^n`, capped at `max`.
fn exponential(base: Duration, max: Duration, n: u32) -> Duration {
    let factor = 1u32.checked_shl(n.min(31)).unwrap_or(u32::MAX);
    base.checked_mul(factor).map_or(max, |d| d.min(max))
}

/// "Equal jitter": half the delay fixed, the other half random, so retries of many callers
/// spread out but none retries at once.
fn jittered(delay: Duration) -> Duration {
    let half = delay / 2;
    let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
    if nanos == 0 {
        return delay;
    }
    half + Duration::from_nanos(random_u64() % (nanos + 1))
}

/// A random number from the standard library's randomly keyed hasher; enough for jitter.
fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    hasher.write_u32(now);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrcodeAnswer;

    fn api(errcode: i64) -> Error {
        Error::from_errcode(
            "x.y",
            ErrcodeAnswer {
                errcode,
                ..ErrcodeAnswer::default()
            },
        )
    }

    #[test]
    fn exponential_doubles_and_caps() {
        let b = Duration::from_millis(100);
        let m = Duration::from_secs(1);
        assert_eq!(exponential(b, m, 0), b);
        assert_eq!(exponential(b, m, 2), Duration::from_millis(400));
        assert_eq!(exponential(b, m, 4), m);
        assert_eq!(exponential(b, m, 200), m);
    }

    #[test]
    fn jitter_stays_within_half_and_whole() {
        let d = Duration::from_millis(100);
        for _ in 0..100 {
            let j = jittered(d);
            assert!(j >= d / 2 && j <= d, "{j:?}");
        }
    }

    #[test]
    fn decisions() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(1),
            ..RetryPolicy::default()
        };
        assert!(p.backoff(&api(-1), Effect::Create, 0).is_some());
        assert!(p.backoff(&api(-1), Effect::Read, 3).is_none());
        assert!(p.backoff(&api(90020), Effect::Read, 0).is_none());
        assert!(p.backoff(&api(40014), Effect::Read, 0).is_none());
        let wait = p.backoff(&api(90018), Effect::Create, 0);
        assert!(wait.is_some_and(|w| w >= Duration::from_secs(1)));
        let e500 = Error::from_http("x.y", 500, "systemError".into(), String::new(), None);
        assert!(p.backoff(&e500, Effect::Read, 0).is_some());
        assert!(p.backoff(&e500, Effect::Create, 0).is_none());
        let opt_in = RetryPolicy {
            retry_ambiguous_creates: true,
            ..p
        };
        assert!(opt_in.backoff(&e500, Effect::Create, 0).is_some());
    }
}

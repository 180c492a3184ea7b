//! Client-side call pacing, per operation id, so a burst waits instead of earning errcode 90018;
//! and the [`CallLimiter`] seam that lets several instances of one app share one budget.
//!
//! DingTalk allows each app 20 calls a second per API by default. The limiter keeps, for each
//! operation id, the times of the last `calls` calls it let through (a sliding-window log): a
//! call may start only once the call `calls` places before it is at least one period old.
//! Unlike a token bucket, this never lets more than `calls` calls start within any window of one
//! period, which is what DingTalk counts.
//!
//! A waiting call reserves its slot before it sleeps, so callers are served in arrival order
//! and the lock is held only for a few instructions.
//!
//! The decision is made by a [`CallLimiter`]: [`MemoryLimiter`] in this process (the default),
//! or one shared by every instance of the app (the `dingtalk-openapi-redis` crate has one), set
//! with [`ClientBuilder::rate_limiter`](crate::ClientBuilder::rate_limiter). DingTalk counts
//! per app, so instances that pace themselves alone spend the budget N times over.
//!
//! Group robot operations are not paced here: DingTalk counts their 20 messages a minute per
//! robot, not per operation, and the client guards them with the robot module's `RobotLimiter`
//! (which can also fail instead of waiting, and also asks the client's `CallLimiter` when one is
//! set). One guard, not two.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::time::Instant;

use crate::error::{BoxError, Error};
use crate::operation::{Auth, OperationInfo};

/// How many calls may start within one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallRate {
    calls: u32,
    period: Duration,
}

impl CallRate {
    /// `calls` calls per `period`; `calls` is at least 1 and `period` at least 1 ms.
    pub fn new(calls: u32, period: Duration) -> Self {
        CallRate {
            calls: calls.max(1),
            period: period.max(Duration::from_millis(1)),
        }
    }

    /// `calls` calls per second.
    pub fn per_second(calls: u32) -> Self {
        CallRate::new(calls, Duration::from_secs(1))
    }

    /// `calls` calls per minute.
    pub fn per_minute(calls: u32) -> Self {
        CallRate::new(calls, Duration::from_secs(60))
    }

    /// How many calls may start within one period.
    pub const fn calls(&self) -> u32 {
        self.calls
    }

    /// The period.
    pub const fn period(&self) -> Duration {
        self.period
    }
}

/// The limiter's settings: a default for every operation and overrides by operation id (`None`
/// switches pacing off). Robot operations (`Auth::Robot`) are never paced here (see the module
/// docs).
#[derive(Debug, Clone)]
pub(crate) struct RateLimits {
    /// For every operation without an override (DingTalk's default: 20 a second).
    pub(crate) default: Option<CallRate>,
    /// By operation id.
    pub(crate) overrides: HashMap<String, Option<CallRate>>,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            default: Some(CallRate::per_second(20)),
            overrides: HashMap::new(),
        }
    }
}

impl RateLimits {
    /// No pacing at all.
    pub(crate) fn off() -> Self {
        RateLimits {
            default: None,
            overrides: HashMap::new(),
        }
    }

    fn for_operation(&self, info: &OperationInfo) -> Option<CallRate> {
        if info.auth == Auth::Robot {
            return None;
        }
        match self.overrides.get(info.id) {
            Some(rate) => *rate,
            None => self.default,
        }
    }

    fn is_off(&self) -> bool {
        self.default.is_none() && self.overrides.values().all(Option::is_none)
    }
}

/// What a limiter does when the budget is spent for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum LimitPolicy {
    /// Sleep (with `tokio::time`) until a slot is free; the slot is reserved before the sleep.
    #[default]
    Wait,
    /// Refuse at once, saying when a slot would be free; nothing is reserved.
    Fail,
}

/// Which budget a call spends: a `scope` (the app key or corp id for operations, `robot` for
/// group robots) and a `name` within it (the operation id, or for a robot a hash of its webhook
/// token, never the token).
///
/// ```
/// use dingtalk_openapi_runtime::ratelimit::LimitKey;
///
/// let key = LimitKey::new("dingabc", "report.getunreadcount");
/// assert_eq!((key.scope(), key.name()), ("dingabc", "report.getunreadcount"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LimitKey<'a> {
    scope: &'a str,
    name: &'a str,
}

impl<'a> LimitKey<'a> {
    /// The budget `name` within `scope`.
    pub const fn new(scope: &'a str, name: &'a str) -> Self {
        LimitKey { scope, name }
    }

    /// The app key or corp id of operations; `robot` for group robots.
    pub const fn scope(&self) -> &'a str {
        self.scope
    }

    /// The operation id, or the hash that names a robot.
    pub const fn name(&self) -> &'a str {
        self.name
    }
}

/// What a [`CallLimiter`] decided for one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Admission {
    /// A slot is reserved: the call may start once `wait` has passed (zero: now).
    Granted {
        /// How long to wait before starting.
        wait: Duration,
    },
    /// No slot is free now and the policy is [`LimitPolicy::Fail`]: nothing was reserved, and
    /// a slot is free again after `retry_after`.
    Refused {
        /// How long until a slot is free.
        retry_after: Duration,
    },
}

/// Decides when a call may start so that at most `rate.calls()` calls of one [`LimitKey`] start
/// within any `rate.period()`.
///
/// [`MemoryLimiter`] (the default) counts the calls of this process; a shared implementation
/// (such as `dingtalk-openapi-redis`'s) counts those of every instance of the app, which is what
/// DingTalk counts. Set one with [`ClientBuilder::rate_limiter`](crate::ClientBuilder::rate_limiter).
/// An error means no decision could be made; the client returns it as [`Error::Limiter`]
/// without sending anything.
///
/// ```
/// use std::time::Duration;
/// use dingtalk_openapi_runtime::ratelimit::{
///     Admission, CallLimiter, CallRate, LimitKey, LimitPolicy, MemoryLimiter,
/// };
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let limiter = MemoryLimiter::new();
/// let key = LimitKey::new("dingabc", "report.list");
/// let rate = CallRate::per_second(1);
/// let first = limiter.admit(key, rate, LimitPolicy::Fail).await.unwrap();
/// assert_eq!(first, Admission::Granted { wait: Duration::ZERO });
/// let second = limiter.admit(key, rate, LimitPolicy::Fail).await.unwrap();
/// assert!(matches!(second, Admission::Refused { .. }));
/// # }
/// ```
pub trait CallLimiter: Send + Sync + fmt::Debug + 'static {
    /// Reserves a start for one call of `key` within `rate`, or (under [`LimitPolicy::Fail`])
    /// refuses when the call could not start now.
    fn admit<'a>(
        &'a self,
        key: LimitKey<'a>,
        rate: CallRate,
        policy: LimitPolicy,
    ) -> BoxFuture<'a, Result<Admission, BoxError>>;
}

/// A [`CallLimiter`] in this process's memory: a sliding-window log per key (see the module
/// docs), on tokio's clock. The default.
#[derive(Default)]
pub struct MemoryLimiter {
    /// Reserved starts, oldest first, by scope and name.
    windows: Mutex<HashMap<String, HashMap<String, VecDeque<Instant>>>>,
}

impl fmt::Debug for MemoryLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let keys: usize = windows.values().map(HashMap::len).sum();
        f.debug_struct("MemoryLimiter")
            .field("keys", &keys)
            .finish()
    }
}

impl MemoryLimiter {
    /// An empty limiter.
    pub fn new() -> Self {
        MemoryLimiter::default()
    }

    /// The decision for one call at `now`, without waiting.
    pub fn admit_now(&self, key: LimitKey<'_>, rate: CallRate, policy: LimitPolicy) -> Admission {
        self.admit_at(key, rate, policy, Instant::now())
    }

    /// Counts a call of `key` that another limiter let start `after` from now, so that later
    /// decisions here keep their distance from it: for a limiter that decides elsewhere (a
    /// shared one) and falls back to this one when it cannot.
    pub fn note(&self, key: LimitKey<'_>, rate: CallRate, after: Duration) {
        let start = Instant::now() + after;
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let window = windows
            .entry(key.scope.to_owned())
            .or_default()
            .entry(key.name.to_owned())
            .or_default();
        let at = window.partition_point(|t| *t <= start);
        window.insert(at, start);
        let capacity = usize::try_from(rate.calls).unwrap_or(usize::MAX);
        while window.len() > capacity {
            window.pop_front();
        }
    }

    /// The earliest start at or after `now` that keeps the key's window within `rate`; reserved
    /// unless the policy is [`LimitPolicy::Fail`] and the start is later than `now`.
    fn admit_at(
        &self,
        key: LimitKey<'_>,
        rate: CallRate,
        policy: LimitPolicy,
        now: Instant,
    ) -> Admission {
        // The map holds only instants, so a panic elsewhere cannot leave it inconsistent.
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let names = match windows.get_mut(key.scope) {
            Some(names) => names,
            None => windows.entry(key.scope.to_owned()).or_default(),
        };
        let window = match names.get_mut(key.name) {
            Some(window) => window,
            None => names.entry(key.name.to_owned()).or_default(),
        };
        let capacity = usize::try_from(rate.calls).unwrap_or(usize::MAX);
        // Starts are reserved in non-decreasing order, so the front is the oldest; the start
        // `capacity` places before the new one decides.
        let start = match window
            .len()
            .checked_sub(capacity)
            .and_then(|i| window.get(i))
        {
            Some(earlier) => now.max(*earlier + rate.period),
            None => now,
        };
        if start > now && policy == LimitPolicy::Fail {
            return Admission::Refused {
                retry_after: start - now,
            };
        }
        while window.len() >= capacity {
            window.pop_front();
        }
        window.push_back(start);
        Admission::Granted { wait: start - now }
    }
}

impl CallLimiter for MemoryLimiter {
    fn admit<'a>(
        &'a self,
        key: LimitKey<'a>,
        rate: CallRate,
        policy: LimitPolicy,
    ) -> BoxFuture<'a, Result<Admission, BoxError>> {
        Box::pin(std::future::ready(Ok(self.admit_now(key, rate, policy))))
    }
}

/// Who decides: the built-in limiter (called without a boxed future) or a custom one.
#[derive(Debug)]
enum Backend {
    Memory(MemoryLimiter),
    Custom(Arc<dyn CallLimiter>),
}

/// Paces calls per operation id.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limits: RateLimits,
    off: bool,
    /// The app key or corp id: the scope of every key.
    scope: String,
    backend: Backend,
}

impl RateLimiter {
    /// A limiter with these settings, in this process.
    #[cfg(test)]
    pub(crate) fn new(limits: RateLimits) -> Self {
        RateLimiter::with_backend(limits, String::new(), None)
    }

    /// A limiter with these settings for the app `scope`, deciding with `custom` when set.
    pub(crate) fn with_backend(
        limits: RateLimits,
        scope: String,
        custom: Option<Arc<dyn CallLimiter>>,
    ) -> Self {
        let off = limits.is_off();
        RateLimiter {
            limits,
            off,
            scope,
            backend: match custom {
                Some(limiter) => Backend::Custom(limiter),
                None => Backend::Memory(MemoryLimiter::new()),
            },
        }
    }

    /// Waits until the operation may start another call, and counts that call. Fails only when
    /// a custom limiter could not decide ([`Error::Limiter`]).
    pub(crate) async fn acquire(&self, info: &'static OperationInfo) -> Result<(), Error> {
        if self.off {
            return Ok(());
        }
        let Some(rate) = self.limits.for_operation(info) else {
            return Ok(());
        };
        let key = LimitKey::new(&self.scope, info.id);
        loop {
            let admission = match &self.backend {
                Backend::Memory(memory) => memory.admit_now(key, rate, LimitPolicy::Wait),
                Backend::Custom(custom) => custom
                    .admit(key, rate, LimitPolicy::Wait)
                    .await
                    .map_err(|source| Error::Limiter {
                        operation: info.id,
                        source,
                    })?,
            };
            // Operations always wait. A slot granted ahead is waited for; a limiter that refuses
            // anyway is obeyed by waiting as it says and asking again, so that every call sent
            // was counted.
            let (wait, granted) = match admission {
                Admission::Granted { wait } => (wait, true),
                Admission::Refused { retry_after } => (retry_after, false),
            };
            if !wait.is_zero() {
                // Boxed: the timer is rare, and keeping it out of line keeps every call's future
                // small.
                Box::pin(tokio::time::sleep(wait)).await;
            } else if !granted {
                // A refusal with no time to wait: yield rather than spin.
                tokio::task::yield_now().await;
            }
            if granted {
                return Ok(());
            }
        }
    }

    /// Reserves the earliest start time at or after `now` that keeps the window within `rate`.
    #[cfg(test)]
    fn reserve(&self, id: &'static str, rate: CallRate, now: Instant) -> Instant {
        let Backend::Memory(memory) = &self.backend else {
            return now;
        };
        match memory.admit_at(LimitKey::new("", id), rate, LimitPolicy::Wait, now) {
            Admission::Granted { wait } => now + wait,
            Admission::Refused { retry_after } => now + retry_after,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_window_holds_more_than_the_rate() {
        let limiter = RateLimiter::new(RateLimits::default());
        let rate = CallRate::per_second(20);
        let t0 = Instant::now();
        let starts: Vec<Instant> = (0..65).map(|_| limiter.reserve("a.b", rate, t0)).collect();
        for (i, s) in starts.iter().enumerate() {
            let within = starts[i..]
                .iter()
                .filter(|t| **t < *s + Duration::from_secs(1))
                .count();
            assert!(within <= 20, "window at {i} holds {within}");
        }
        assert_eq!(starts[19], t0);
        assert_eq!(starts[20], t0 + Duration::from_secs(1));
        assert_eq!(starts[64], t0 + Duration::from_secs(3));
    }

    #[test]
    fn operations_are_paced_separately() {
        let limiter = RateLimiter::new(RateLimits::default());
        let rate = CallRate::per_second(1);
        let t0 = Instant::now();
        assert_eq!(limiter.reserve("a", rate, t0), t0);
        assert_eq!(limiter.reserve("b", rate, t0), t0);
        assert_eq!(limiter.reserve("a", rate, t0), t0 + Duration::from_secs(1));
    }

    #[test]
    fn a_smaller_rate_later_is_honoured() {
        let limiter = RateLimiter::new(RateLimits::default());
        let t0 = Instant::now();
        for _ in 0..5 {
            limiter.reserve("a", CallRate::per_second(5), t0);
        }
        assert_eq!(
            limiter.reserve("a", CallRate::per_second(2), t0),
            t0 + Duration::from_secs(1)
        );
    }

    #[test]
    fn robot_operations_are_left_to_the_robot_limiter() {
        use crate::operation::{Host, Method};

        const ROBOT: OperationInfo =
            OperationInfo::new("robot.send", Method::Post, Host::Robot, "/robot/send")
                .with_auth(Auth::Robot);
        const OAPI: OperationInfo =
            OperationInfo::new("a.b", Method::Post, Host::Oapi, "/topapi/a/b");
        let mut limits = RateLimits::default();
        limits
            .overrides
            .insert("robot.send".into(), Some(CallRate::per_second(1)));
        assert_eq!(limits.for_operation(&ROBOT), None);
        assert_eq!(limits.for_operation(&OAPI), Some(CallRate::per_second(20)));
    }

    #[test]
    fn off_when_nothing_is_set() {
        assert!(RateLimiter::new(RateLimits::off()).off);
        let mut limits = RateLimits::off();
        limits
            .overrides
            .insert("a.b".into(), Some(CallRate::per_second(1)));
        assert!(!RateLimiter::new(limits).off);
    }

    #[test]
    fn fail_refuses_without_reserving() {
        let limiter = MemoryLimiter::new();
        let key = LimitKey::new("app", "a.b");
        let rate = CallRate::per_second(2);
        let t0 = Instant::now();
        for _ in 0..2 {
            assert_eq!(
                limiter.admit_at(key, rate, LimitPolicy::Fail, t0),
                Admission::Granted {
                    wait: Duration::ZERO
                }
            );
        }
        let later = t0 + Duration::from_millis(400);
        assert_eq!(
            limiter.admit_at(key, rate, LimitPolicy::Fail, later),
            Admission::Refused {
                retry_after: Duration::from_millis(600)
            }
        );
        // The refusal reserved nothing: waiting takes the slot a second after the first call.
        assert_eq!(
            limiter.admit_at(key, rate, LimitPolicy::Wait, later),
            Admission::Granted {
                wait: Duration::from_millis(600)
            }
        );
        // Scopes are separate budgets.
        assert_eq!(
            limiter.admit_at(
                LimitKey::new("other", "a.b"),
                rate,
                LimitPolicy::Fail,
                later
            ),
            Admission::Granted {
                wait: Duration::ZERO
            }
        );
    }

    #[tokio::test(start_paused = true)]
    async fn noted_calls_count() {
        let limiter = MemoryLimiter::new();
        let key = LimitKey::new("app", "a.b");
        let rate = CallRate::per_second(1);
        limiter.note(key, rate, Duration::from_millis(300));
        assert_eq!(
            limiter.admit_now(key, rate, LimitPolicy::Wait),
            Admission::Granted {
                wait: Duration::from_millis(1300)
            }
        );
    }

    #[derive(Debug)]
    struct Broken;

    impl CallLimiter for Broken {
        fn admit<'a>(
            &'a self,
            _key: LimitKey<'a>,
            _rate: CallRate,
            _policy: LimitPolicy,
        ) -> BoxFuture<'a, Result<Admission, BoxError>> {
            Box::pin(std::future::ready(Err(
                "the shared budget is unreachable".into()
            )))
        }
    }

    #[tokio::test]
    async fn a_custom_limiter_decides_and_its_failure_is_typed() {
        const OAPI: OperationInfo = OperationInfo::new(
            "a.b",
            crate::operation::Method::Post,
            crate::operation::Host::Oapi,
            "/topapi/a/b",
        );
        let limiter =
            RateLimiter::with_backend(RateLimits::default(), "app".into(), Some(Arc::new(Broken)));
        let error = limiter.acquire(&OAPI).await.unwrap_err();
        assert!(
            matches!(
                error,
                Error::Limiter {
                    operation: "a.b",
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(!error.is_retryable());
        assert!(error.to_string().contains("unreachable"), "{error}");
    }
}

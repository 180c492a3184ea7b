//! Client-side call pacing, per operation id, so a burst waits instead of earning errcode 90018.
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
//! Group robot operations are not paced here: DingTalk counts their 20 messages a minute per
//! robot, not per operation, and the client guards them with the robot module's `RobotLimiter`
//! (which can also fail instead of waiting). One guard, not two.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

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

/// Paces calls per operation id.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limits: RateLimits,
    off: bool,
    windows: Mutex<HashMap<&'static str, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// A limiter with these settings.
    pub(crate) fn new(limits: RateLimits) -> Self {
        let off = limits.is_off();
        RateLimiter {
            limits,
            off,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until the operation may start another call, and counts that call.
    pub(crate) async fn acquire(&self, info: &'static OperationInfo) {
        if self.off {
            return;
        }
        let Some(rate) = self.limits.for_operation(info) else {
            return;
        };
        let start = self.reserve(info.id, rate, Instant::now());
        if start > Instant::now() {
            // Boxed: the timer is rare, and keeping it out of line keeps every call's future small.
            Box::pin(tokio::time::sleep_until(start)).await;
        }
    }

    /// Reserves the earliest start time at or after `now` that keeps the window within `rate`.
    fn reserve(&self, id: &'static str, rate: CallRate, now: Instant) -> Instant {
        // The map holds only instants, so a panic elsewhere cannot leave it inconsistent.
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let window = windows.entry(id).or_default();
        let capacity = usize::try_from(rate.calls).unwrap_or(usize::MAX);
        // Starts are reserved in non-decreasing order, so the front is the oldest.
        let start = if window.len() >= capacity {
            let oldest = window.pop_front().unwrap_or(now);
            now.max(oldest + rate.period)
        } else {
            now
        };
        while window.len() >= capacity {
            window.pop_front();
        }
        window.push_back(start);
        start
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
}

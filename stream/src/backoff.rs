//! Jittered exponential backoff between reconnect attempts.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// The floor of every delay: reconnect storms must stay polite even when misconfigured.
pub(crate) const MIN_DELAY: Duration = Duration::from_millis(100);

/// Settings of the reconnect backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BackoffSettings {
    pub(crate) initial: Duration,
    pub(crate) max: Duration,
}

impl Default for BackoffSettings {
    fn default() -> Self {
        BackoffSettings {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(60),
        }
    }
}

/// The state of one series of failed attempts.
#[derive(Debug)]
pub(crate) struct Backoff {
    settings: BackoffSettings,
    attempt: u32,
}

impl Backoff {
    pub(crate) fn new(settings: BackoffSettings) -> Backoff {
        let initial = settings.initial.max(MIN_DELAY);
        Backoff {
            settings: BackoffSettings {
                initial,
                max: settings.max.max(initial),
            },
            attempt: 0,
        }
    }

    /// The delay before the next attempt: `initial * 2^n` capped at `max`, with "equal
    /// jitter" (half fixed, half random), never below [`MIN_DELAY`].
    pub(crate) fn next_delay(&mut self) -> Duration {
        let factor = 1u32.checked_shl(self.attempt.min(20)).unwrap_or(u32::MAX);
        self.attempt = self.attempt.saturating_add(1);
        let delay = self
            .settings
            .initial
            .saturating_mul(factor)
            .min(self.settings.max);
        jittered(delay).max(MIN_DELAY)
    }

    /// Forgets the failures: the next delay is the initial one again.
    pub(crate) fn reset(&mut self) {
        self.attempt = 0;
    }
}

fn jittered(delay: Duration) -> Duration {
    let half = delay / 2;
    let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
    let random = random_u64() % nanos.saturating_add(1);
    half + Duration::from_nanos(random)
}

/// A random number from the standard library's randomly keyed hasher: enough for jitter.
fn random_u64() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0x5eed);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_with_jitter_in_the_upper_half() {
        let mut b = Backoff::new(BackoffSettings {
            initial: Duration::from_millis(200),
            max: Duration::from_secs(2),
        });
        let expected = [200u64, 400, 800, 1600, 2000, 2000];
        for ms in expected {
            let d = b.next_delay();
            let full = Duration::from_millis(ms);
            assert!(
                d >= full / 2 && d <= full,
                "{d:?} not within [{:?}, {full:?}]",
                full / 2
            );
        }
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(200));
    }

    #[test]
    fn no_delay_is_below_the_floor_even_when_configured_lower() {
        let mut b = Backoff::new(BackoffSettings {
            initial: Duration::ZERO,
            max: Duration::ZERO,
        });
        for _ in 0..50 {
            assert!(b.next_delay() >= MIN_DELAY);
        }
    }

    #[test]
    fn a_long_series_does_not_overflow() {
        let mut b = Backoff::new(BackoffSettings::default());
        for _ in 0..200 {
            assert!(b.next_delay() <= Duration::from_secs(60));
        }
    }
}

//! [`RedisStoreError`]: why the shared state could not use Redis. Never holds a token, a secret,
//! a key name or the Redis URL (which may carry a password).

use std::time::Duration;

/// Why an operation on the shared state failed. `what` names the operation, e.g. `token get`
/// or `rate admit`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedisStoreError {
    /// The URL could not be read (the URL itself is not repeated: it may hold a password).
    #[error("the Redis URL is not usable: {reason}")]
    Url {
        /// What the redis client said about it.
        reason: String,
    },
    /// The connection was made outside a tokio runtime (it runs a task of its own there).
    #[error("the Redis connection must be created inside a tokio runtime")]
    NoRuntime,
    /// Redis did not answer within the configured operation timeout.
    #[error("Redis {what}: no answer within {}ms", .after.as_millis())]
    Timeout {
        /// The operation.
        what: &'static str,
        /// The timeout.
        after: Duration,
    },
    /// Redis failed recently and is left alone until its retry time (see
    /// [`RedisOptions::retry_after`](crate::RedisOptions::retry_after)).
    #[error("Redis {what}: Redis failed recently and is not tried again yet")]
    Unavailable {
        /// The operation.
        what: &'static str,
    },
    /// Redis answered with an error, or the connection failed.
    #[error("Redis {what}: {source}")]
    Redis {
        /// The operation.
        what: &'static str,
        /// The redis client's error.
        #[source]
        source: redis::RedisError,
    },
    /// Redis answered something the shared state did not write (a key changed by hand?).
    #[error("Redis {what}: unexpected reply: {reason}")]
    Reply {
        /// The operation.
        what: &'static str,
        /// What was wrong with it.
        reason: &'static str,
    },
}

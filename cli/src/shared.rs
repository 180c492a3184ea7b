//! `--redis-url` / `DINGTALK_REDIS_URL`: one access token, one rate budget per operation and one
//! Stream dedup window for every `dingtalk` process (and every service) on the same Redis.
//!
//! The Redis runs under the default fault policy of `dingtalk-openapi-redis`: while it is slow
//! or gone the command goes on with its own token and pacing (with a warning on stderr), so a
//! Redis outage never fails a call by itself. A URL that cannot be read is a usage error (exit 2);
//! its password is masked wherever the command prints it.

use dingtalk_openapi_redis::{RedisOptions, SharedState};

use crate::{CallError, redact};

/// The URL of `--redis-url`/`DINGTALK_REDIS_URL`, if set and not blank.
pub(crate) fn url(flag: &Option<String>) -> Option<&str> {
    flag.as_deref().map(str::trim).filter(|u| !u.is_empty())
}

/// Connects to the Redis at `url`; its password is registered as a secret first.
pub(crate) async fn connect(url: &str) -> Result<SharedState, CallError> {
    if let Ok(parsed) = reqwest::Url::parse(url)
        && let Some(password) = parsed.password()
    {
        redact::register(password);
    }
    SharedState::connect(url, RedisOptions::new())
        .await
        .map_err(|e| {
            CallError::usage(redact::scrub(&format!(
                "--redis-url/DINGTALK_REDIS_URL: {e}"
            )))
        })
}

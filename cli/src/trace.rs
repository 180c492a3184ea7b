//! What the command does, on stderr: `-v` shows every HTTP attempt (method, URL with its
//! credentials masked, status, attempt number, time taken) and the client's retries with their
//! reason, `-vv` adds the debug events, and `RUST_LOG`, when set, replaces both with its own
//! filter (`RUST_LOG=debug` shows the HTTP stack's own logs too).
//!
//! The runtime traces each call in a `dingtalk.call` span (operation, method, path, host, status,
//! attempts, latency) and logs its retries; [`HttpLog`], an interceptor on the client the
//! command builds, adds one event per attempt, with the URL as `hooks::redacted_url` shows it.
//! Every line passes through [`redact::scrub`] on its way to stderr, so a secret never reaches
//! it whatever a filter lets through; stdout keeps only the answer.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use dingtalk_openapi_runtime::BoxError;
use dingtalk_openapi_runtime::hooks::{AttemptInfo, HttpResponse, Interceptor, redacted_url};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::fmt::time::uptime;

use crate::redact;

/// The target of the command's own events.
const TARGET: &str = "dingtalk::http";

/// The crates whose events `-v` and `-vv` show (a filter's target matches by prefix).
const CRATES: &[&str] = &[
    "dingtalk",
    "dingtalk_openapi_runtime",
    "dingtalk_openapi_fake",
];

/// Whether a subscriber was installed, so calls are worth tracing.
static ON: AtomicBool = AtomicBool::new(false);

/// Installs the stderr subscriber for `-v` (`verbose` 1), `-vv` (2 or more) or `RUST_LOG`; with
/// neither, nothing is installed and nothing is traced.
pub(crate) fn init(verbose: u8) {
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .and_then(|value| match EnvFilter::try_new(&value) {
            Ok(filter) => Some(filter),
            Err(e) => {
                let value = redact::scrub(&value);
                eprintln!("warning: RUST_LOG `{value}` is not a filter ({e}); ignored");
                None
            }
        });
    let Some(filter) = from_env.or_else(|| filter_for(verbose)) else {
        return;
    };
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(ScrubbedStderr)
        .with_ansi(io::stderr().is_terminal())
        .with_timer(uptime())
        .with_span_events(FmtSpan::CLOSE)
        .try_init()
        .is_ok();
    ON.store(installed, Ordering::Relaxed);
}

/// `-v`: info from the command, the runtime and the fake; `-vv`: debug.
fn filter_for(verbose: u8) -> Option<EnvFilter> {
    let level = match verbose {
        0 => return None,
        1 => "info",
        _ => "debug",
    };
    let directives: Vec<String> = CRATES.iter().map(|c| format!("{c}={level}")).collect();
    EnvFilter::try_new(directives.join(",")).ok()
}

/// Whether calls are traced (a subscriber is installed).
pub(crate) fn enabled() -> bool {
    ON.load(Ordering::Relaxed)
}

/// Stderr, one scrubbed event at a time.
struct ScrubbedStderr;

impl<'a> MakeWriter<'a> for ScrubbedStderr {
    type Writer = Line;

    fn make_writer(&'a self) -> Line {
        Line(Vec::new())
    }
}

/// One event as the formatter writes it; scrubbed and written to stderr when dropped.
struct Line(Vec<u8>);

impl Write for Line {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        let text = redact::scrub(&String::from_utf8_lossy(&self.0));
        let _ = io::stderr().lock().write_all(text.as_bytes());
    }
}

/// One event per HTTP attempt: its request (debug) and its answer or failure (info).
#[derive(Debug, Default)]
pub(crate) struct HttpLog {
    sending: Mutex<Vec<Sending>>,
}

/// An attempt on its way.
#[derive(Debug)]
struct Sending {
    operation: &'static str,
    attempt: u32,
    method: String,
    url: String,
    started: Instant,
}

impl HttpLog {
    /// The attempt `attempt` started as, with its time so far in milliseconds.
    fn finished(&self, attempt: &AttemptInfo) -> Option<(Sending, u64)> {
        let mut sending = self.sending.lock().unwrap_or_else(PoisonError::into_inner);
        let index = sending
            .iter()
            .rposition(|s| s.operation == attempt.operation_id() && s.attempt == attempt.attempt)?;
        let started = sending.remove(index);
        let ms = u64::try_from(started.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Some((started, ms))
    }
}

impl Interceptor for HttpLog {
    fn on_request(
        &self,
        attempt: &AttemptInfo,
        request: &mut reqwest::Request,
    ) -> Result<(), BoxError> {
        // Learn the credentials this request carries, so no line ever shows them.
        for (key, value) in request.url().query_pairs() {
            if redact::secret_key(&key) {
                redact::register(&value);
            }
        }
        for (name, value) in request.headers() {
            if name.as_str().contains("token") || name.as_str().contains("secret") {
                redact::register(value.to_str().unwrap_or_default());
            }
        }
        let method = request.method().to_string();
        let url = redacted_url(request.url());
        tracing::debug!(target: TARGET, attempt = attempt.attempt, "sending {method} {url}");
        let mut sending = self.sending.lock().unwrap_or_else(PoisonError::into_inner);
        sending.push(Sending {
            operation: attempt.operation_id(),
            attempt: attempt.attempt,
            method,
            url,
            started: Instant::now(),
        });
        Ok(())
    }

    fn on_response(
        &self,
        attempt: &AttemptInfo,
        response: &mut HttpResponse,
    ) -> Result<(), BoxError> {
        learn_tokens(response.body());
        if let Some((sent, latency_ms)) = self.finished(attempt) {
            tracing::info!(
                target: TARGET,
                status = response.status(),
                attempt = attempt.attempt,
                latency_ms,
                "{} {}",
                sent.method,
                sent.url
            );
        }
        Ok(())
    }

    fn on_failure(&self, attempt: &AttemptInfo, error: &dingtalk_openapi_runtime::Error) {
        if let Some((sent, latency_ms)) = self.finished(attempt) {
            tracing::info!(
                target: TARGET,
                attempt = attempt.attempt,
                latency_ms,
                %error,
                "{} {} got no answer",
                sent.method,
                sent.url
            );
        }
    }
}

/// Registers the access token of a token endpoint's answer (`access_token`, `accessToken`).
fn learn_tokens(body: &[u8]) {
    if !body.windows(5).any(|w| w == b"ccess") {
        return;
    }
    let Ok(serde_json::Value::Object(answer)) = serde_json::from_slice(body) else {
        return;
    };
    for key in [
        "access_token",
        "accessToken",
        "refreshToken",
        "refresh_token",
    ] {
        if let Some(token) = answer.get(key).and_then(|t| t.as_str()) {
            redact::register(token);
        }
    }
}

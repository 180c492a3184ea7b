//! [`StreamClient`]: the reconnect loop, and [`ShutdownHandle`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;
use tracing::Instrument;

use crate::backoff::Backoff;
use crate::builder::StreamClientBuilder;
use crate::config::Shared;
use crate::connection::{self, ConnectFailure, End};
use crate::error::StreamError;
use crate::open::{self, OpenError};

/// A DingTalk Stream-mode client: it opens a connection (a fresh ticket each time), hands
/// every message to its handler, acks it, and reconnects whenever the connection ends, until
/// it is shut down.
///
/// ```no_run
/// use std::time::Duration;
/// use dingtalk_openapi_stream::{BotMessage, Event, Outcome, StreamClient};
///
/// # async fn main_() -> Result<(), Box<dyn std::error::Error>> {
/// let client = StreamClient::builder("ding-app-key", "app-secret")
///     .on_bot_message(|msg: BotMessage| async move {
///         let text = msg.text.as_ref().map(|t| t.content.clone()).unwrap_or_default();
///         msg.reply_text(format!("echo: {text}")).await
///     })
///     .on_event("*", |event: Event| async move {
///         println!("{} {}", event.event_type, event.data);
///         Outcome::Success
///     })
///     .build()?;
/// client.run_until(async { tokio::signal::ctrl_c().await.ok(); }).await?;
/// # Ok(()) }
/// ```
pub struct StreamClient {
    pub(crate) shared: Arc<Shared>,
}

impl fmt::Debug for StreamClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamClient")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

/// Asks a running [`StreamClient`] to stop: it stops taking messages, lets running handlers
/// finish within the bound, sends their acks, closes the socket, and
/// [`run`](StreamClient::run) returns. Clones share the client.
///
/// A handle can be taken from the builder
/// ([`StreamClientBuilder::shutdown_handle`]) so that a handler can stop its own client, as a
/// listener that stops after N messages does:
///
/// ```no_run
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::time::Duration;
/// use dingtalk_openapi_stream::{RawMessage, StreamClient, Subscription};
///
/// # async fn f() -> Result<(), dingtalk_openapi_stream::StreamError> {
/// let builder = StreamClient::builder("ding-app-key", "app-secret");
/// let stop = builder.shutdown_handle();
/// let seen = AtomicUsize::new(0);
/// let client = builder
///     .subscribe(Subscription::event("*"))
///     .on_message(move |m: RawMessage| {
///         println!("{} {} {}", m.kind, m.topic, m.data);
///         if seen.fetch_add(1, Ordering::SeqCst) + 1 == 10 {
///             stop.shutdown(Duration::from_secs(5)); // this message is still acked
///         }
///         async {}
///     })
///     .build()?;
/// client.run().await // returns once the last ack is on the wire
/// # }
/// ```
#[derive(Clone)]
pub struct ShutdownHandle {
    pub(crate) tx: watch::Sender<Option<Duration>>,
}

impl fmt::Debug for ShutdownHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShutdownHandle")
            .field("requested", &self.is_requested())
            .finish()
    }
}

impl ShutdownHandle {
    /// Asks for the shutdown; handlers get at most `timeout` to finish. A second call does not
    /// change the first one's bound. Returns at once: await [`run`](StreamClient::run) for the
    /// end.
    pub fn shutdown(&self, timeout: Duration) {
        self.tx.send_if_modified(|s| {
            if s.is_none() {
                *s = Some(timeout);
                true
            } else {
                false
            }
        });
    }

    /// Whether a shutdown was asked for.
    pub fn is_requested(&self) -> bool {
        self.tx.borrow().is_some()
    }
}

impl StreamClient {
    /// A builder for the app's credentials (the app key, also called client id, and the app
    /// secret).
    pub fn builder(
        app_key: impl Into<String>,
        app_secret: impl Into<String>,
    ) -> StreamClientBuilder {
        StreamClientBuilder::new(app_key.into(), app_secret.into())
    }

    /// A handle to shut the client down from anywhere (a handler, a signal task).
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            tx: self.shared.shutdown.clone(),
        }
    }

    /// Runs until `signal` completes, then shuts down with the builder's
    /// [`shutdown_timeout`](StreamClientBuilder::shutdown_timeout).
    pub async fn run_until<F: Future>(&self, signal: F) -> Result<(), StreamError> {
        let handle = self.shutdown_handle();
        let bound = self.shared.config.shutdown_timeout;
        let run = self.run();
        tokio::pin!(run, signal);
        tokio::select! {
            r = &mut run => r,
            _ = &mut signal => {
                handle.shutdown(bound);
                run.await
            }
        }
    }

    /// Connects and handles messages until a shutdown is asked for (then `Ok`), reconnecting
    /// after every failure. Returns an error only for what retrying cannot fix: a 4xx from the
    /// open call (wrong credentials…) or an unsafe endpoint.
    pub async fn run(&self) -> Result<(), StreamError> {
        let shared = &self.shared;
        let mut backoff = Backoff::new(shared.config.backoff);
        let mut shutdown = shared.shutdown.subscribe();
        let mut opens: u64 = 0;
        loop {
            if shutdown.borrow().is_some() {
                break;
            }
            opens += 1;
            let span = tracing::info_span!("stream_connection", attempt = opens);
            let opened = tokio::select! {
                biased;
                _ = shutdown.wait_for(Option::is_some) => break,
                r = open::open(shared) => r,
            };
            let url = match opened {
                Ok(url) => url,
                Err(OpenError::Fatal(e)) => {
                    tracing::error!(error = %e, "Stream mode cannot connect");
                    return Err(e);
                }
                Err(OpenError::Transient(why)) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(%why, ?delay, "the open call failed; retrying");
                    if sleep_or_shutdown(&mut shutdown, delay).await {
                        break;
                    }
                    continue;
                }
            };
            let connected = tokio::select! {
                biased;
                _ = shutdown.wait_for(Option::is_some) => break,
                r = connection::connect(shared, &url) => r,
            };
            let ws = match connected {
                Ok(ws) => ws,
                Err(ConnectFailure::Refused(why)) | Err(ConnectFailure::Failed(why)) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(%why, ?delay, "the upgrade failed; opening again");
                    if sleep_or_shutdown(&mut shutdown, delay).await {
                        break;
                    }
                    continue;
                }
            };
            tracing::info!(parent: &span, endpoint = %url.endpoint, "Stream connection up");
            let connected_at = Instant::now();
            let end = connection::run(shared.clone(), ws).instrument(span).await;
            // A connection that lasted resets the backoff; one that ended at once (a flapping
            // gateway) does not, and is not replaced without a delay either.
            let lasted = connected_at.elapsed() >= HEALTHY_AFTER;
            if lasted {
                backoff.reset();
            }
            match end {
                End::Shutdown => return Ok(()),
                End::Reconnect { now: true, why } if lasted => {
                    tracing::info!(%why, "reconnecting now with a fresh ticket");
                }
                End::Reconnect { why, .. } => {
                    let delay = backoff.next_delay();
                    tracing::warn!(%why, ?delay, "the connection ended; reconnecting");
                    if sleep_or_shutdown(&mut shutdown, delay).await {
                        break;
                    }
                }
            }
        }
        // Shut down between connections: let running handlers finish (their acks cannot be
        // sent any more; DingTalk redelivers and the dedup store acks again).
        let bound = shared
            .shutdown
            .borrow()
            .unwrap_or(shared.config.shutdown_timeout);
        if !shared.wait_idle(Instant::now() + bound).await {
            let _ = shared.abort.send(true);
            shared
                .wait_idle(Instant::now() + Duration::from_secs(2))
                .await;
        }
        Ok(())
    }
}

/// How long a connection must last for its end to be taken as a passing event (reconnect at
/// once, backoff reset) rather than a failure.
const HEALTHY_AFTER: Duration = Duration::from_secs(1);

/// Sleeps; true if a shutdown was asked for meanwhile.
async fn sleep_or_shutdown(
    shutdown: &mut tokio::sync::watch::Receiver<Option<Duration>>,
    delay: Duration,
) -> bool {
    tokio::select! {
        biased;
        _ = shutdown.wait_for(Option::is_some) => true,
        _ = tokio::time::sleep(delay) => false,
    }
}

//! Helpers: a fake, a client builder pointed at it, and bounded waits.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use dingtalk_openapi_fake::{MockServer, operations};
use dingtalk_openapi_stream::{
    Event, ShutdownHandle, StreamClient, StreamClientBuilder, StreamError,
};
use tokio::task::JoinHandle;

/// The bound of every wait, in (paused) tokio time.
pub const WAIT: Duration = Duration::from_secs(900);

pub async fn fake() -> MockServer {
    MockServer::builder(operations())
        .start()
        .await
        .expect("the fake starts")
}

/// A builder for the fake's app, with quick backoff.
pub fn builder(server: &MockServer) -> StreamClientBuilder {
    StreamClient::builder(server.app_key(), server.app_secret())
        .api_base_url(server.base_url())
        .local_ip("127.0.0.1")
        .backoff(Duration::from_millis(100), Duration::from_secs(2))
}

/// The client of `builder` with one handler for every event, which counts the events it is
/// given and takes `takes` (tokio time) to handle each.
pub fn counting(builder: StreamClientBuilder, takes: Duration) -> (Arc<AtomicUsize>, StreamClient) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let client = builder
        .on_event("*", move |_e: Event| {
            counted.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(takes)
        })
        .build()
        .unwrap();
    (calls, client)
}

pub struct Running {
    pub handle: ShutdownHandle,
    pub task: JoinHandle<Result<(), StreamError>>,
}

pub fn spawn(client: StreamClient) -> Running {
    let handle = client.shutdown_handle();
    let task = tokio::spawn(async move { client.run().await });
    Running { handle, task }
}

impl Running {
    pub async fn stop(self) {
        self.handle.shutdown(Duration::from_secs(10));
        within("the client stops", self.task)
            .await
            .unwrap()
            .unwrap();
    }
}

pub async fn within<F: Future>(what: &str, f: F) -> F::Output {
    match tokio::time::timeout(WAIT, f).await {
        Ok(out) => out,
        Err(_) => panic!("timed out waiting for: {what}"),
    }
}

/// Polls `check` every 10 ms of tokio time until it holds.
pub async fn until(what: &str, mut check: impl FnMut() -> bool) {
    within(what, async {
        while !check() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
}

/// The `status` of an event ack's data.
pub fn status(ack: &dingtalk_openapi_fake::RecordedAck) -> &str {
    ack.data
        .get("status")
        .and_then(|s| s.as_str())
        .unwrap_or("")
}

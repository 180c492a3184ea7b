//! Graceful shutdown: running handlers finish within the bound and their acks are sent.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use dingtalk_openapi_fake::Push;
use dingtalk_openapi_stream::{Event, RawMessage, Subscription};
use serde_json::json;
use tokio::time::Instant;

use crate::common::*;

#[tokio::test(start_paused = true)]
async fn shutdown_finishes_running_handlers_and_sends_their_acks_within_the_bound() {
    let server = fake().await;
    let gw = server.gateway();
    let running = Arc::new(AtomicUsize::new(0));
    let r = running.clone();
    let client = builder(&server)
        .on_event("*", move |_e: Event| {
            r.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_secs(5))
        })
        .build()
        .unwrap();
    let run = spawn(client);
    for i in 0..3 {
        gw.push(Push::event("user_add_org", json!({"i": i})));
    }
    until("three handlers run", || running.load(Ordering::SeqCst) == 3).await;
    let asked = Instant::now();
    run.handle.shutdown(Duration::from_secs(30));
    within("run returns", run.task).await.unwrap().unwrap();
    let took = asked.elapsed();
    assert!(took < Duration::from_secs(30), "took {took:?}");
    let acks = gw.acks();
    assert_eq!(
        acks.len(),
        3,
        "every finished handler's ack is on the wire: {acks:?}"
    );
    assert!(
        acks.iter()
            .all(|a| status(a) == "SUCCESS" && a.connection == 1)
    );
    within("the socket is closed", gw.wait_disconnected()).await;
}

#[tokio::test(start_paused = true)]
async fn a_handler_past_the_bound_is_given_up_unacked_and_new_messages_are_not_taken() {
    let server = fake().await;
    let gw = server.gateway();
    let running = Arc::new(AtomicUsize::new(0));
    let r = running.clone();
    let client = builder(&server)
        .on_event("*", move |_e: Event| {
            r.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_secs(3600))
        })
        .build()
        .unwrap();
    let run = spawn(client);
    let id = gw.push(Push::event("user_add_org", json!({})));
    until("the handler runs", || running.load(Ordering::SeqCst) == 1).await;
    let asked = Instant::now();
    run.handle.shutdown(Duration::from_secs(2));
    within("run returns", run.task).await.unwrap().unwrap();
    assert!(
        asked.elapsed() < Duration::from_secs(15),
        "took {:?}",
        asked.elapsed()
    );
    assert!(gw.acks().is_empty(), "an unfinished message is not acked");
    assert_eq!(gw.deliveries(&id), 1);
    assert_eq!(running.load(Ordering::SeqCst), 1);
}

/// What the CLI's `stream listen --max-messages N` does: print each message, ask for a
/// shutdown after N, and exit only once the last ack is on the wire.
#[tokio::test(start_paused = true)]
async fn a_handler_can_ask_for_the_shutdown_and_its_own_ack_is_still_sent() {
    let server = fake().await;
    let gw = server.gateway();
    let printed = Arc::new(std::sync::Mutex::new(Vec::new()));
    let builder = builder(&server);
    let stop = builder.shutdown_handle();
    let p = printed.clone();
    let client = builder
        .subscribe(Subscription::event("*"))
        .on_message(move |m: RawMessage| {
            let mut lines = p.lock().unwrap();
            lines.push(
                json!({"type": m.kind.as_str(), "topic": m.topic,
                              "messageId": m.message_id, "data": m.data})
                .to_string(),
            );
            if lines.len() == 2 {
                stop.shutdown(Duration::from_secs(5));
            }
            async {}
        })
        .build()
        .unwrap();
    let task = tokio::spawn(async move { client.run().await });
    gw.push(Push::event("a", json!({})));
    gw.push(Push::event("b", json!({})));
    within("run returns", task).await.unwrap().unwrap();
    assert_eq!(printed.lock().unwrap().len(), 2);
    assert_eq!(
        gw.acks().len(),
        2,
        "both acks, the last included, were sent before run returned"
    );
}

#[tokio::test(start_paused = true)]
async fn run_until_shuts_down_when_the_signal_fires() {
    let server = fake().await;
    let gw = server.gateway();
    let client = builder(&server)
        .on_event("*", |_e: Event| async {})
        .build()
        .unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        client
            .run_until(async {
                let _ = rx.await;
            })
            .await
    });
    within("a connection", gw.wait_connections(1)).await;
    tx.send(()).unwrap();
    within("run_until returns", task).await.unwrap().unwrap();
    within("the socket is closed", gw.wait_disconnected()).await;
}

//! Reconnects with a fresh ticket after every kind of fault, and the idle watchdog.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use dingtalk_openapi_fake::{Push, StreamFault};
use dingtalk_openapi_stream::{Event, StreamError};
use serde_json::json;

use crate::common::*;

/// Runs a client, applies `fault` to its first connection, and checks that a second one is
/// opened with a new ticket and delivers.
async fn reconnects_after(fault: StreamFault) {
    let server = fake().await;
    let gw = server.gateway();
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    let client = builder(&server)
        .on_event("*", move |_e: Event| {
            s.fetch_add(1, Ordering::SeqCst);
            async {}
        })
        .build()
        .unwrap();
    let run = spawn(client);
    within("first connection", gw.wait_connections(1)).await;
    gw.fault(fault.clone());
    within("second connection", gw.wait_connections(2)).await;
    assert_eq!(
        gw.opens(),
        2,
        "{fault:?}: each connection has its own open and ticket"
    );
    let id = gw.push(Push::event("user_add_org", json!({"n": 1})));
    let acks = within("the ack", gw.wait_acks(1)).await;
    assert_eq!(acks[0].message_id, id);
    assert_eq!(acks[0].connection, 2);
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    run.stop().await;
}

#[tokio::test(start_paused = true)]
async fn reconnects_with_a_new_ticket_after_a_disconnect_frame() {
    reconnects_after(StreamFault::Disconnect).await;
}

#[tokio::test(start_paused = true)]
async fn reconnects_with_a_new_ticket_after_an_abrupt_close() {
    reconnects_after(StreamFault::AbruptClose).await;
}

#[tokio::test(start_paused = true)]
async fn reconnects_with_a_new_ticket_after_a_clean_close() {
    reconnects_after(StreamFault::Close).await;
}

#[tokio::test(start_paused = true)]
async fn reconnects_with_a_new_ticket_after_a_policy_close() {
    reconnects_after(StreamFault::PolicyClose).await;
}

#[tokio::test(start_paused = true)]
async fn a_refused_ticket_means_opening_again() {
    let server = fake().await;
    let gw = server.gateway();
    gw.fault(StreamFault::RefuseTicket);
    let client = builder(&server)
        .on_event("*", |_e: Event| async {})
        .build()
        .unwrap();
    let run = spawn(client);
    within("a connection", gw.wait_connections(1)).await;
    assert_eq!(
        gw.opens(),
        2,
        "the refused ticket was replaced by a fresh one"
    );
    run.stop().await;
}

#[tokio::test(start_paused = true)]
async fn failed_opens_are_retried_until_one_succeeds() {
    let server = fake().await;
    let gw = server.gateway();
    gw.fault(StreamFault::FailOpen {
        status: 503,
        code: "systemError".into(),
        message: "busy".into(),
        times: 3,
    });
    let client = builder(&server)
        .on_event("*", |_e: Event| async {})
        .build()
        .unwrap();
    let run = spawn(client);
    within("a connection", gw.wait_connections(1)).await;
    assert_eq!(
        gw.open_requests().len(),
        4,
        "three failures, then a success"
    );
    assert_eq!(gw.opens(), 1);
    run.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_4xx_from_the_open_call_is_a_typed_error_without_the_secret() {
    let server = fake().await;
    let client =
        dingtalk_openapi_stream::StreamClient::builder(server.app_key(), "WRONG-SECRET-42")
            .api_base_url(server.base_url())
            .on_event("*", |_e: Event| async {})
            .build()
            .unwrap();
    let err = within("the refusal", client.run()).await.unwrap_err();
    match &err {
        StreamError::OpenRejected {
            status,
            code,
            request_id,
            ..
        } => {
            assert_eq!(*status, 401);
            assert_eq!(code, "authFailed");
            assert!(request_id.is_some());
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!err.to_string().contains("WRONG-SECRET-42"));
    assert!(!format!("{err:?}").contains("WRONG-SECRET-42"));

    // A 4xx queued as a fault is just as final.
    let gw = server.gateway();
    gw.fault(StreamFault::FailOpen {
        status: 400,
        code: "InvalidParameter".into(),
        message: "bad subscription".into(),
        times: 1,
    });
    let client = builder(&server)
        .on_event("*", |_e: Event| async {})
        .build()
        .unwrap();
    let err = within("the refusal", client.run()).await.unwrap_err();
    assert!(
        matches!(err, StreamError::OpenRejected { status: 400, .. }),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_zombie_connection_is_replaced_by_the_watchdog() {
    let server = fake().await;
    let gw = server.gateway();
    let client = builder(&server)
        .ping_interval(Duration::from_secs(10))
        .idle_timeout(Duration::from_secs(30))
        .on_event("*", |_e: Event| async {})
        .build()
        .unwrap();
    let run = spawn(client);
    within("first connection", gw.wait_connections(1)).await;
    gw.fault(StreamFault::Zombie);
    let started = tokio::time::Instant::now();
    let id = gw.push(Push::event("user_add_org", json!({})));
    within("a replacement", gw.wait_connections(2)).await;
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(29),
        "replaced after {waited:?}: pongs must not count"
    );
    let acks = within("the ack", gw.wait_acks(1)).await;
    assert_eq!(
        (acks[0].message_id.as_str(), acks[0].connection),
        (id.as_str(), 2)
    );
    run.stop().await;
}

#[tokio::test(start_paused = true)]
async fn subscriptions_and_the_open_request_follow_the_protocol() {
    let server = fake().await;
    let gw = server.gateway();
    let client = builder(&server)
        .on_event("*", |_e: Event| async {})
        .on_bot_message(|_m: dingtalk_openapi_stream::BotMessage| async {})
        .build()
        .unwrap();
    let run = spawn(client);
    within("a connection", gw.wait_connections(1)).await;
    let mut subs = gw.subscriptions();
    subs.sort();
    assert_eq!(
        subs,
        [
            (
                "CALLBACK".to_owned(),
                "/v1.0/im/bot/messages/get".to_owned()
            ),
            ("EVENT".to_owned(), "*".to_owned())
        ]
    );
    let req = &gw.open_requests()[0];
    assert_eq!(req["clientId"], server.app_key());
    assert_eq!(req["localIp"], "127.0.0.1");
    assert!(
        req["ua"]
            .as_str()
            .unwrap()
            .starts_with("dingtalk-openapi-stream/")
    );
    run.stop().await;
}

#[tokio::test(start_paused = true)]
async fn after_a_disconnect_frame_running_handlers_still_ack_on_the_old_socket() {
    let server = dingtalk_openapi_fake::MockServer::builder(dingtalk_openapi_fake::operations())
        .stream_disconnect_grace(Duration::from_secs(10))
        .start()
        .await
        .unwrap();
    let gw = server.gateway();
    let started = Arc::new(tokio::sync::Notify::new());
    let st = started.clone();
    let client = builder(&server)
        .on_event("*", move |_e: Event| {
            st.notify_one();
            tokio::time::sleep(Duration::from_secs(2))
        })
        .build()
        .unwrap();
    let run = spawn(client);
    let id = gw.push(Push::event("user_add_org", json!({})));
    within("the handler starts", started.notified()).await;
    gw.fault(StreamFault::Disconnect);
    within("the next connection", gw.wait_connections(2)).await;
    let acks = within("the ack", gw.wait_acks(1)).await;
    assert_eq!(
        (acks[0].message_id.as_str(), acks[0].connection),
        (id.as_str(), 1)
    );
    assert_eq!(gw.deliveries(&id), 1, "acked in time: no redelivery");
    run.stop().await;
}

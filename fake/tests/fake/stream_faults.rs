//! The Stream gateway misbehaving on purpose ([`StreamFault`]), the robot session webhook, the
//! `/__mock/stream` control API, and a live WebSocket outlasting the fake's HTTP timeouts.

use std::time::Duration;

use dingtalk_openapi_fake::{Push, StreamFault};
use serde_json::json;
use tokio::time::Instant;

use crate::common::{Fake, builder};
use crate::stream_client::{
    BOT, Client, Seen, data, fake, id, open, open_body, open_raw, refused_status,
};

const MINUTE: Duration = Duration::from_secs(60);

#[tokio::test(start_paused = true)]
async fn disconnect_sends_a_system_frame_then_closes_after_the_grace() {
    let fake =
        Fake::start_timerless(builder().stream_disconnect_grace(Duration::from_secs(3))).await;
    let gateway = fake.server.gateway().clone();
    let mut client = Client::start(&fake, &[("CALLBACK", BOT)]).await;
    gateway.wait_connections(1).await;
    let started = Instant::now();
    gateway.fault(StreamFault::Disconnect);
    let frame = client.frame().await;
    assert_eq!(frame["type"], "SYSTEM");
    assert_eq!(frame["headers"]["topic"], "disconnect");
    // Nothing is pushed on a connection being closed: the message waits for the next one.
    let sent = gateway.push(Push::bot_message(json!({})));
    match client.next().await {
        Seen::Closed(Some(close)) => assert_eq!(u16::from(close.code), 1000),
        other => panic!("expected a clean close, saw {other:?}"),
    }
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(3) && waited < Duration::from_secs(4),
        "{waited:?}"
    );
    gateway.wait_disconnected().await;
    assert_eq!(gateway.deliveries(&sent), 0);
    let mut next = Client::start(&fake, &[("CALLBACK", BOT)]).await;
    assert_eq!(id(&next.frame().await), sent);
    assert_eq!(gateway.connections(), 2);
    fake.server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn abrupt_close_drops_the_socket_and_the_unacked_message_comes_again_later() {
    let fake = fake().await;
    let gateway = fake.server.gateway().clone();
    let mut client = Client::start(&fake, &[("CALLBACK", BOT)]).await;
    let sent = gateway.push(Push::bot_message(json!({"n": 1})));
    client.frame().await;
    let started = Instant::now();
    gateway.fault(StreamFault::AbruptClose);
    match client.next().await {
        Seen::Ended(_) => {}
        other => panic!("expected the socket to end without a close frame, saw {other:?}"),
    }
    gateway.wait_disconnected().await;
    let mut next = Client::start(&fake, &[("CALLBACK", BOT)]).await;
    let again = next.frame().await;
    assert_eq!(id(&again), sent);
    assert!(started.elapsed() >= MINUTE, "{:?}", started.elapsed());
    next.ack(&again, 200, json!({"response": null})).await;
    let acks = gateway.wait_acks(1).await;
    assert_eq!(acks[0].connection, 2);
    fake.server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn close_is_a_clean_close_and_a_fault_without_a_connection_waits_for_the_next() {
    let fake = fake().await;
    let gateway = fake.server.gateway().clone();
    gateway.fault(StreamFault::Close);
    let mut client = Client::start(&fake, &[("CALLBACK", BOT)]).await;
    match client.next().await {
        Seen::Closed(Some(close)) => assert_eq!(u16::from(close.code), 1000),
        other => panic!("expected a clean close, saw {other:?}"),
    }
    gateway.wait_disconnected().await;
    assert!(!gateway.is_live());
    fake.server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn policy_close_closes_with_1008() {
    let fake = fake().await;
    let gateway = fake.server.gateway().clone();
    let mut client = Client::start(&fake, &[("CALLBACK", BOT)]).await;
    gateway.wait_connections(1).await;
    gateway.fault(StreamFault::PolicyClose);
    match client.next().await {
        Seen::Closed(Some(close)) => assert_eq!(u16::from(close.code), 1008),
        other => panic!("expected a 1008 close, saw {other:?}"),
    }
    gateway.wait_disconnected().await;
    fake.server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_zombie_answers_pings_but_sends_nothing_and_the_next_connection_gets_the_message() {
    let fake = fake().await;
    let gateway = fake.server.gateway().clone();
    let mut zombie = Client::start(&fake, &[("CALLBACK", BOT)]).await;
    gateway.wait_connections(1).await;
    gateway.fault(StreamFault::Zombie);
    let sent = gateway.push(Push::bot_message(json!({})));
    assert!(zombie.ping_pong().await.is_empty(), "nothing but the pong");
    assert!(zombie.frame_within(MINUTE * 2).await.is_none());
    assert!(zombie.ping_pong().await.is_empty());
    assert!(gateway.is_live());
    assert_eq!(gateway.deliveries(&sent), 0);
    let mut next = Client::start(&fake, &[("CALLBACK", BOT)]).await;
    assert_eq!(id(&next.frame().await), sent);
    fake.server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn late_ack_redelivery_sends_the_next_message_twice() {
    let fake = fake().await;
    let gateway = fake.server.gateway().clone();
    let mut client = Client::start(&fake, &[("EVENT", "*")]).await;
    gateway.fault(StreamFault::LateAckRedelivery);
    let sent = gateway.push(Push::event("user_add_org", json!({})));
    let (first, second) = (client.frame().await, client.frame().await);
    assert_eq!((id(&first), id(&second)), (sent.clone(), sent.clone()));
    assert_eq!(gateway.deliveries(&sent), 2);
    client.ack_event(&first, "SUCCESS").await;
    client.ack_event(&second, "SUCCESS").await;
    assert_eq!(gateway.wait_acks(2).await.len(), 2);
    // Only the next message: the one after it is sent once.
    let after = gateway.push(Push::event("user_add_org", json!({})));
    let frame = client.frame().await;
    client.ack_event(&frame, "SUCCESS").await;
    gateway.wait_acks(3).await;
    assert_eq!(gateway.deliveries(&after), 1);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn refuse_ticket_refuses_the_next_upgrade_only() {
    let fake = fake().await;
    let gateway = fake.server.gateway().clone();
    gateway.fault(StreamFault::RefuseTicket);
    let url = open(&fake, &[("CALLBACK", BOT)]).await;
    assert_eq!(refused_status(&url).await, 403);
    assert_eq!(gateway.connections(), 0);
    let _client = Client::start(&fake, &[("CALLBACK", BOT)]).await;
    assert_eq!(gateway.connections(), 1);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn fail_open_fails_the_next_open_calls_with_the_v1_envelope() {
    let fake = fake().await;
    let gateway = fake.server.gateway().clone();
    gateway.fault(StreamFault::FailOpen {
        status: 503,
        code: "ServiceUnavailable".into(),
        message: "try later".into(),
        times: 2,
    });
    let body = open_body(&fake, &[("CALLBACK", BOT)]);
    for _ in 0..2 {
        let answer = open_raw(&fake, &body).await;
        assert_eq!(answer.status, 503, "{}", answer.text);
        let json = answer.json();
        assert_eq!(json["code"], "ServiceUnavailable");
        assert_eq!(json["message"], "try later");
        assert!(json["requestid"].is_string());
        assert!(answer.request_id.is_some());
    }
    assert_eq!(open_raw(&fake, &body).await.status, 200);
    assert_eq!(gateway.opens(), 1);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn the_session_webhook_records_replies_and_refuses_unknown_or_expired_sessions() {
    let fake = fake().await;
    let gateway = fake.server.gateway().clone();
    let mut client = Client::start(&fake, &[("CALLBACK", BOT)]).await;
    gateway.push(gateway.bot_text("ping?", Duration::from_secs(3600)));
    let frame = client.frame().await;
    let message = data(&frame);
    assert_eq!(message["text"]["content"], "ping?");
    assert_eq!(message["msgtype"], "text");
    assert_eq!(message["robotCode"], fake.server.app_key());
    for field in [
        "conversationId",
        "senderStaffId",
        "senderId",
        "senderNick",
        "chatbotUserId",
        "msgId",
    ] {
        assert!(message[field].is_string(), "{field}: {message}");
    }
    let webhook = message["sessionWebhook"].as_str().expect("sessionWebhook");
    assert!(
        webhook.starts_with(&fake.url("/robot/sendBySession?session=")),
        "{webhook}"
    );
    assert!(message["sessionWebhookExpiredTime"].as_u64().is_some());
    let reply = json!({"msgtype": "text", "text": {"content": "pong"}});
    let answer = fake.send(fake.http.post(webhook).json(&reply)).await;
    assert_eq!(answer.json(), json!({"errcode": 0, "errmsg": "ok"}));
    assert_eq!(gateway.session_replies(), vec![reply.clone()]);

    let unknown = fake.url("/robot/sendBySession?session=made-up");
    let answer = fake.send(fake.http.post(unknown).json(&reply)).await;
    assert_eq!(answer.errcode(), 300001);
    let expired = gateway.bot_text("old", Duration::ZERO);
    let url = expired_webhook(&gateway, expired, &mut client).await;
    assert_eq!(
        fake.send(fake.http.post(url).json(&reply)).await.errcode(),
        300001
    );
    assert_eq!(gateway.session_replies().len(), 1);
    fake.server.shutdown().await;
}

/// Pushes `push`, receives it and returns its session webhook.
async fn expired_webhook(
    gateway: &dingtalk_openapi_fake::Gateway,
    push: Push,
    client: &mut Client,
) -> String {
    gateway.push(push);
    let frame = client.frame().await;
    data(&frame)["sessionWebhook"]
        .as_str()
        .expect("sessionWebhook")
        .to_owned()
}

#[tokio::test]
async fn the_control_api_pushes_lists_acks_and_applies_faults() {
    let fake = fake().await;
    let mut client = Client::start(&fake, &[("EVENT", "*"), ("CALLBACK", BOT)]).await;
    let push =
        json!({"type": "CALLBACK", "topic": BOT, "data": {"k": "v"}, "messageId": "from-control"});
    let answer = fake
        .send(fake.http.post(fake.url("/__mock/stream/push")).json(&push))
        .await;
    assert_eq!(answer.json(), json!({"messageId": "from-control"}));
    let frame = client.frame().await;
    assert_eq!(id(&frame), "from-control");
    assert_eq!(data(&frame), json!({"k": "v"}));
    client.ack(&frame, 200, json!({"response": "done"})).await;
    fake.server.gateway().wait_acks(1).await;
    let acks = fake.get("/__mock/stream/acks", &[]).await.json();
    assert_eq!(acks[0]["messageId"], "from-control");
    assert_eq!(acks[0]["data"], json!({"response": "done"}));
    assert_eq!(acks[0]["connection"], 1);
    let state = fake.get("/__mock/stream", &[]).await.json();
    assert_eq!(state["connections"], 1);
    assert_eq!(state["live"], true);

    for (body, status) in [
        (json!({"type": "SYSTEM", "topic": "x"}), 400),
        (json!({"type": "EVENT", "topic": ""}), 400),
        (json!({"type": "EVENT", "topic": "t", "extra": 1}), 400),
    ] {
        let answer = fake
            .send(fake.http.post(fake.url("/__mock/stream/push")).json(&body))
            .await;
        assert_eq!(answer.status, status, "{body}: {}", answer.text);
    }
    let faults = fake.url("/__mock/stream/faults");
    let answer = fake
        .send(
            fake.http
                .post(&faults)
                .json(&json!({"fault": {"fail_open": {"status": 500, "times": 1}}})),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let failed = open_raw(&fake, &open_body(&fake, &[("CALLBACK", BOT)])).await;
    assert_eq!(
        (failed.status, failed.code()),
        (500, "systemError".to_owned())
    );
    let bad = fake
        .send(fake.http.post(&faults).json(&json!({"fault": "explode"})))
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    let answer = fake
        .send(fake.http.post(&faults).json(&json!({"fault": "close"})))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(matches!(client.next().await, Seen::Closed(_)));
    fake.server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_live_websocket_outlasts_the_header_and_idle_timeouts() {
    let limited = builder()
        .header_read_timeout(Duration::from_secs(2))
        // Under the clocks' slack: the idle limit then runs on tokio's clock alone.
        .idle_timeout(Duration::from_millis(50));
    let fake = Fake::start_timerless(limited).await;
    let gateway = fake.server.gateway().clone();
    let mut client = Client::start(&fake, &[("CALLBACK", BOT)]).await;
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert!(client.ping_pong().await.is_empty());
    }
    let sent = gateway.push(Push::bot_message(json!({})));
    let frame = client.frame().await;
    assert_eq!(id(&frame), sent);
    client.ack(&frame, 200, json!({"response": null})).await;
    gateway.wait_acks(1).await;
    fake.server.shutdown().await;
}

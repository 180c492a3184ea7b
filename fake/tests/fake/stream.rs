//! The Stream gateway's protocol: the open call, tickets, delivery, acks, topic filtering and
//! redelivery, driven by the raw client of `stream_client` over loopback sockets, on tokio's
//! paused clock wherever time matters.

use std::time::Duration;

use dingtalk_openapi_fake::Push;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::stream_client::{
    BOT, Client, data, fake, id, open, open_body, open_raw, refused_status,
};

const MINUTE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn the_open_call_checks_credentials_body_and_subscriptions() {
    let fake = fake().await;
    let mut wrong = open_body(&fake, &[("CALLBACK", BOT)]);
    wrong["clientSecret"] = json!("not-the-secret");
    let answer = open_raw(&fake, &wrong).await;
    assert_eq!(answer.status, 401, "{}", answer.text);
    assert_eq!(answer.code(), "authFailed");
    assert!(answer.json()["requestid"].is_string(), "{}", answer.text);

    let mut none = open_body(&fake, &[]);
    let answer = open_raw(&fake, &none).await;
    assert_eq!(answer.status, 400, "{}", answer.text);
    assert_eq!(answer.code(), "InvalidParameter");
    none.as_object_mut()
        .expect("object")
        .remove("subscriptions");
    assert_eq!(open_raw(&fake, &none).await.code(), "MissingParameter");
    let bad_type = open_body(&fake, &[("WHATEVER", BOT)]);
    assert_eq!(open_raw(&fake, &bad_type).await.status, 400);
    let not_object = open_raw(&fake, &json!(["clientId"])).await;
    assert_eq!(not_object.status, 400, "{}", not_object.text);
    assert_eq!(fake.server.gateway().opens(), 0, "no ticket was issued");

    let url = open(&fake, &[("EVENT", "*"), ("CALLBACK", BOT)]).await;
    assert!(
        url.starts_with(&format!("ws://{}/", fake.server.addr())),
        "{url}"
    );
    let gateway = fake.server.gateway();
    assert_eq!(gateway.opens(), 1);
    assert_eq!(
        gateway.subscriptions(),
        vec![
            ("EVENT".to_owned(), "*".to_owned()),
            ("CALLBACK".to_owned(), BOT.to_owned())
        ]
    );
    let recorded = gateway.open_requests();
    assert_eq!(recorded.len(), 6);
    for body in &recorded {
        let text = body.to_string();
        assert!(!text.contains(fake.server.app_secret()), "{text}");
        assert!(!text.contains("not-the-secret"), "{text}");
    }
    assert_eq!(recorded[5]["clientSecret"], "<redacted>");
    assert_eq!(recorded[5]["ua"], "dingtalk-openapi-fake-tests/1");
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_ticket_serves_one_connection_and_an_unknown_one_none() {
    let fake = fake().await;
    let url = open(&fake, &[("CALLBACK", BOT)]).await;
    let _client = Client::connect(&url).await;
    assert_eq!(refused_status(&url).await, 403, "a used ticket");
    let (endpoint, _) = url.split_once('?').expect("a query");
    assert_eq!(
        refused_status(&format!("{endpoint}?ticket=made-up")).await,
        403
    );
    assert_eq!(refused_status(endpoint).await, 403, "no ticket");
    let gateway = fake.server.gateway();
    assert_eq!(gateway.connections(), 1);
    assert!(gateway.is_live());
    fake.server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_pushed_callback_is_delivered_and_its_ack_recorded() {
    let fake = fake().await;
    let gateway = fake.server.gateway().clone();
    // Pushed before anyone connects: it waits in the queue.
    let sent = gateway.push(Push::bot_message(json!({"text": {"content": "hi"}})));
    assert_eq!(gateway.deliveries(&sent), 0);
    let mut client = Client::start(&fake, &[("CALLBACK", BOT)]).await;
    let frame = client.frame().await;
    assert_eq!(frame["specVersion"], "1.0");
    assert_eq!(frame["type"], "CALLBACK");
    assert_eq!(id(&frame), sent);
    let headers = &frame["headers"];
    assert_eq!(headers["topic"], BOT);
    assert_eq!(headers["contentType"], "application/json");
    for name in ["time", "appId", "connectionId"] {
        assert!(headers[name].is_string(), "{name}: {frame}");
    }
    assert_eq!(data(&frame)["text"]["content"], "hi");
    client
        .ack(&frame, 200, json!({"response": {"ok": true}}))
        .await;
    let acks = gateway.wait_acks(1).await;
    assert_eq!(acks[0].message_id, sent);
    assert_eq!(acks[0].code, 200);
    assert_eq!(acks[0].message, "OK");
    assert_eq!(acks[0].data, json!({"response": {"ok": true}}));
    assert_eq!(acks[0].connection, 1);
    // Acked: never sent again.
    tokio::time::sleep(MINUTE * 5).await;
    assert_eq!(gateway.deliveries(&sent), 1);
    assert!(client.frame_within(MINUTE).await.is_none());
    fake.server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn events_carry_event_headers_and_an_ack_success_ends_them() {
    let fake = fake().await;
    let gateway = fake.server.gateway().clone();
    let mut client = Client::start(&fake, &[("EVENT", "*")]).await;
    let sent = gateway.push(Push::event("chat_update_title", json!({"title": "new"})));
    let frame = client.frame().await;
    assert_eq!(frame["type"], "EVENT");
    let headers = &frame["headers"];
    assert_eq!(headers["topic"], "chat_update_title");
    assert_eq!(headers["eventType"], "chat_update_title");
    for name in ["eventId", "eventBornTime", "eventCorpId"] {
        assert!(
            headers[name].as_str().is_some_and(|v| !v.is_empty()),
            "{name}: {frame}"
        );
    }
    assert!(
        headers["eventBornTime"]
            .as_str()
            .and_then(|t| t.parse::<u64>().ok())
            .is_some()
    );
    client.ack_event(&frame, "SUCCESS").await;
    gateway.wait_acks(1).await;
    tokio::time::sleep(MINUTE * 3).await;
    assert_eq!(gateway.deliveries(&sent), 1);
    fake.server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn only_subscribed_topics_are_delivered_the_rest_wait() {
    let fake = fake().await;
    let gateway = fake.server.gateway().clone();
    let mut client = Client::start(&fake, &[("CALLBACK", BOT)]).await;
    let card = gateway.push(Push::card_callback(json!({"value": 1})));
    let event = gateway.push(Push::event("user_add_org", json!({})));
    let bot = gateway.push(Push::bot_message(json!({"n": 1})));
    let frame = client.frame().await;
    assert_eq!(id(&frame), bot, "only the bot message is subscribed");
    client.ack(&frame, 200, json!({"response": null})).await;
    gateway.wait_acks(1).await;
    assert!(client.frame_within(Duration::from_secs(5)).await.is_none());
    assert_eq!(
        (gateway.deliveries(&card), gateway.deliveries(&event)),
        (0, 0)
    );
    // A connection that subscribes them gets them.
    let mut other = Client::start(
        &fake,
        &[
            ("EVENT", "*"),
            ("CALLBACK", "/v1.0/card/instances/callback"),
        ],
    )
    .await;
    let mut ids = vec![id(&other.frame().await), id(&other.frame().await)];
    ids.sort();
    let mut expected = vec![card, event];
    expected.sort();
    assert_eq!(ids, expected);
    fake.server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_unacked_message_is_redelivered_after_the_interval() {
    let fake = fake().await;
    let gateway = fake.server.gateway().clone();
    let mut client = Client::start(&fake, &[("EVENT", "*")]).await;
    let sent = gateway.push(Push::event("user_add_org", json!({"userId": "u1"})));
    let first = client.frame().await;
    let started = Instant::now();
    let second = client.frame().await;
    let waited = started.elapsed();
    assert!(
        waited >= MINUTE && waited < MINUTE + Duration::from_secs(1),
        "{waited:?}"
    );
    assert_eq!(id(&second), sent);
    assert_eq!(data(&first), data(&second));
    assert_eq!(gateway.deliveries(&sent), 2);
    client.ack_event(&second, "SUCCESS").await;
    gateway.wait_acks(1).await;
    tokio::time::sleep(MINUTE * 3).await;
    assert_eq!(gateway.deliveries(&sent), 2);
    fake.server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_ack_later_or_a_failure_code_is_redelivered_an_interval_after_the_ack() {
    let fake = fake().await;
    let gateway = fake.server.gateway().clone();
    let mut client = Client::start(&fake, &[("EVENT", "*"), ("CALLBACK", BOT)]).await;
    let sent = gateway.push(Push::event("user_add_org", json!({})));
    let frame = client.frame().await;
    tokio::time::sleep(Duration::from_secs(30)).await;
    client.ack_event(&frame, "LATER").await;
    let acked = Instant::now();
    gateway.wait_acks(1).await;
    let again = client.frame().await;
    let waited = acked.elapsed();
    assert!(
        waited >= MINUTE && waited < MINUTE + Duration::from_secs(1),
        "{waited:?}"
    );
    assert_eq!(id(&again), sent);
    client.ack_event(&again, "SUCCESS").await;
    gateway.wait_acks(2).await;

    // A callback acked with a failure code comes again too.
    let callback = gateway.push(Push::bot_message(json!({})));
    let frame = client.frame().await;
    client.ack(&frame, 500, json!({"response": "boom"})).await;
    let again = client.frame().await;
    assert_eq!(id(&again), callback);
    assert_eq!(gateway.deliveries(&callback), 2);
    fake.server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_redelivery_interval_is_configurable() {
    let fake = fake().await;
    let gateway = fake.server.gateway().clone();
    gateway.fault(dingtalk_openapi_fake::StreamFault::RedeliverAfter(
        Duration::from_secs(5),
    ));
    let mut client = Client::start(&fake, &[("CALLBACK", BOT)]).await;
    gateway.push(Push::bot_message(json!({})));
    client.frame().await;
    let started = Instant::now();
    client.frame().await;
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(5) && waited < Duration::from_secs(6),
        "{waited:?}"
    );
    fake.server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn system_pings_are_answered_with_their_data() {
    let fake = fake().await;
    let gateway = fake.server.gateway().clone();
    let mut client = Client::start(&fake, &[("CALLBACK", BOT)]).await;
    gateway.wait_connections(1).await;
    let ping = gateway.send_system_ping();
    let frame = client.frame().await;
    assert_eq!(frame["type"], "SYSTEM");
    assert_eq!(frame["headers"]["topic"], "ping");
    assert_eq!(id(&frame), ping);
    let opaque = data(&frame);
    assert!(opaque["opaque"].is_string(), "{frame}");
    client.ack(&frame, 200, opaque.clone()).await;
    let reply = loop {
        if let Some(reply) = gateway.system_replies().pop() {
            break reply;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(reply.message_id, ping);
    assert_eq!(reply.code, 200);
    assert_eq!(reply.data, opaque);
    assert!(gateway.acks().is_empty(), "a ping reply is not an ack");
    fake.server.shutdown().await;
}

#[tokio::test]
async fn frames_that_are_not_acks_are_ignored_and_big_ones_refused() {
    let fake = fake().await;
    let gateway = fake.server.gateway().clone();
    let mut client = Client::start(&fake, &[("CALLBACK", BOT)]).await;
    client.send_text("not json".to_owned()).await;
    client.send_text(json!({"code": 200}).to_string()).await;
    client.send_text(json!([1, 2]).to_string()).await;
    assert!(client.ping_pong().await.is_empty());
    assert!(gateway.acks().is_empty());
    // An ack whose data is not JSON keeps the text.
    let frame = json!({"headers": {"messageId": "unknown-id"}});
    client.ack(&frame, 200, Value::Null).await;
    let raw = json!({"code": 200, "headers": {"messageId": "raw"}, "message": "", "data": "plain"});
    client.send_text(raw.to_string()).await;
    let acks = gateway.wait_acks(2).await;
    assert_eq!(acks[1].data, json!("plain"));
    // A frame over 1 MiB ends the connection.
    client.send_text("x".repeat((1 << 20) + 1)).await;
    gateway.wait_disconnected().await;
    fake.server.shutdown().await;
}

#[tokio::test]
async fn the_open_call_is_the_operation_gateway_open_connection_for_counts_records_and_faults() {
    use dingtalk_openapi_fake::Fault;

    let fake = fake().await;
    let op = "gateway.OpenConnection";
    fake.server
        .faults()
        .push_for(op, Fault::http(503, "systemError"));
    let body = open_body(&fake, &[("CALLBACK", BOT)]);
    let answer = open_raw(&fake, &body).await;
    assert_eq!(answer.status, 503, "the queued fault: {}", answer.text);
    assert_eq!(fake.server.gateway().opens(), 0, "no ticket behind a fault");
    let answer = open_raw(&fake, &body).await;
    assert_eq!(
        answer.status, 200,
        "the fault was played once: {}",
        answer.text
    );
    assert_eq!(fake.server.faults().calls(op), 2);
    let recorded: Vec<_> = fake
        .server
        .requests()
        .into_iter()
        .filter(|r| r.operation == Some(op))
        .collect();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[1].method, "POST");
    let sent: Value = serde_json::from_slice(&recorded[1].body).expect("the body as sent");
    assert_eq!(sent, body);
}

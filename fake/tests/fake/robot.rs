//! The group robot's webhook (`robot.send`): its token, its signature (fresh `timestamp`,
//! matching `sign`), its size limit and its 20-a-minute rate limit (on tokio's paused clock),
//! and a robot without the signing setting.

use std::time::Duration;

use dingtalk_openapi::operation::Operation;
use dingtalk_openapi::primitives::EpochMillis;
use dingtalk_openapi::robot::{RobotSendRequest, RobotText};
use serde_json::{Value, json};

use crate::common::{Answer, Fake, builder};

const SEND: &str = RobotSendRequest::INFO.path;

fn hello() -> RobotSendRequest {
    RobotSendRequest::new(RobotText::new("hello"))
}

/// A text message of `chars` characters.
fn long(chars: usize) -> RobotSendRequest {
    RobotSendRequest::new(RobotText::new("x".repeat(chars)))
}

/// `body` sent to the webhook with `query` as it is.
async fn send_with(fake: &Fake, query: &[(&str, String)], body: &Value) -> Answer {
    fake.send(fake.http.post(fake.at(SEND, query)).json(body))
        .await
}

#[tokio::test]
async fn a_signed_message_is_accepted_and_recorded_as_sent() {
    let fake = Fake::start(true).await;
    let token = fake.server.robot_token().to_owned();
    let ok = fake.call(&token, &hello()).await;
    assert_eq!(ok.errcode(), 0, "{}", ok.text);
    let recorded = fake.server.requests().pop().expect("recorded");
    assert_eq!(recorded.query_value("access_token"), Some(token.as_str()));
    assert_eq!(
        recorded.json(),
        Some(json!({"msgtype": "text", "text": {"content": "hello"}}))
    );
    assert_eq!(recorded.operation, Some(RobotSendRequest::INFO.id));
    fake.server.shutdown().await;
}

#[tokio::test]
async fn the_typed_client_sends_to_the_fake_robot() {
    let fake = Fake::start(true).await;
    let answer = fake.client().robot().send(hello()).await.expect("send");
    assert_eq!(answer.errcode, Some(0));
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_wrong_token_or_signature_is_refused() {
    let fake = Fake::start(true).await;
    let token = fake.server.robot_token().to_owned();
    let text = serde_json::to_value(hello()).expect("serialize");

    assert_eq!(fake.call("wrong-token", &hello()).await.errcode(), 300005);
    let unsigned = send_with(&fake, &[("access_token", token.clone())], &text).await;
    assert_eq!(unsigned.errcode(), 310000, "{}", unsigned.text);

    let stale = fake.robot_query(&token, 1_700_000_000_000);
    let old = send_with(&fake, &stale, &text).await;
    assert_eq!(
        (old.errcode(), old.errmsg().as_str()),
        (310000, "invalid timestamp")
    );
    let mut bad_sign = fake.robot_query(&token, EpochMillis::now().as_millis());
    bad_sign.retain(|(k, _)| *k != "sign");
    bad_sign.push(("sign", "bad".to_owned()));
    let bad = send_with(&fake, &bad_sign, &text).await;
    assert_eq!(
        (bad.errcode(), bad.errmsg().as_str()),
        (310000, "sign not match")
    );
    fake.server.shutdown().await;
}

/// A `timestamp` may be any number: the ends of `i64` are refused like any stale one (they once
/// overflowed the freshness check).
#[tokio::test]
async fn a_timestamp_at_the_ends_of_i64_is_an_invalid_timestamp() {
    let fake = Fake::start(true).await;
    let token = fake.server.robot_token().to_owned();
    let text = json!({"msgtype": "text", "text": {"content": "hi"}});
    let now = EpochMillis::now().as_millis();
    for timestamp in [
        i64::MIN,
        i64::MIN + 1,
        i64::MAX,
        now - 3_700_000,
        now + 3_700_000,
    ] {
        let query = [
            ("access_token", token.clone()),
            ("timestamp", timestamp.to_string()),
            ("sign", "abc".to_owned()),
        ];
        let refused = send_with(&fake, &query, &text).await;
        assert_eq!(
            (refused.errcode(), refused.errmsg().as_str()),
            (310000, "invalid timestamp"),
            "{timestamp}"
        );
    }
    let fresh = send_with(&fake, &fake.robot_query(&token, now), &text).await;
    assert_eq!(fresh.errcode(), 0, "{}", fresh.text);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_message_over_20000_bytes_is_too_long() {
    let fake = Fake::start(true).await;
    let token = fake.server.robot_token().to_owned();
    assert_eq!(fake.call(&token, &long(20_001)).await.errcode(), 460101);
    fake.server.shutdown().await;
}

/// On tokio's paused clock, which the fake measures the minute on: the 20 messages fall in one
/// minute whatever the machine is doing, and the minute passes without waiting for it.
#[tokio::test(start_paused = true)]
async fn the_21st_accepted_message_within_a_minute_is_too_fast() {
    let fake = Fake::start_timerless(builder()).await;
    let token = fake.server.robot_token().to_owned();
    assert_eq!(fake.call(&token, &hello()).await.errcode(), 0, "message 1");
    // Refused messages do not count.
    assert_eq!(fake.call(&token, &long(20_001)).await.errcode(), 460101);
    assert_eq!(fake.call("wrong-token", &hello()).await.errcode(), 300005);
    tokio::time::advance(Duration::from_secs(30)).await;
    for i in 2..=20 {
        assert_eq!(
            fake.call(&token, &hello()).await.errcode(),
            0,
            "message {i}"
        );
    }
    let fast = fake.call(&token, &hello()).await;
    assert_eq!(fast.errcode(), 660026, "the 21st message in a minute");
    assert_eq!(fast.errmsg(), "send too fast, exceed 20 times per minute");
    // A minute after the first message, it leaves the window: one more fits, then no more.
    tokio::time::advance(Duration::from_secs(30)).await;
    assert_eq!(fake.call(&token, &hello()).await.errcode(), 0);
    assert_eq!(fake.call(&token, &hello()).await.errcode(), 660026);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn an_unsigned_robot_needs_only_its_token() {
    let fake = Fake::start_with(builder().unsigned_robot()).await;
    assert_eq!(fake.server.robot_secret(), None);
    let text = serde_json::to_value(hello()).expect("serialize");
    let plain = send_with(
        &fake,
        &[("access_token", "mock-robot-token".to_owned())],
        &text,
    )
    .await;
    assert_eq!(plain.errcode(), 0, "{}", plain.text);
    fake.server.shutdown().await;
}

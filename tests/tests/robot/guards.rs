//! The local guards, which send nothing: a body over 20,000 bytes, and the 20-messages-a-minute
//! limiter under the fail policy (an error) and the wait policy (the 21st message waits).

use std::time::{Duration, Instant};

use dingtalk_openapi::robot::*;
use dingtalk_openapi::{CallRate, Client, ClientBuilder, Error};

use crate::server::{Seen, Server, check_wire, webhook};

#[tokio::test]
async fn a_body_over_20000_bytes_is_refused_before_sending() {
    let server = Server::start().await;
    let client = Client::for_robot(webhook(&server, true)).expect("robot client");
    let overhead = serde_json::to_vec(&RobotSendRequest::new(RobotText::new("")))
        .expect("JSON")
        .len();
    let of_size = |size: usize| RobotSendRequest::new(RobotText::new("x".repeat(size - overhead)));
    assert_eq!(
        serde_json::to_vec(&of_size(20_001)).expect("JSON").len(),
        20_001
    );

    let error = client
        .robot()
        .send(of_size(20_001))
        .await
        .expect_err("too large");
    assert!(
        matches!(
            error,
            Error::RobotGuard {
                operation: "robot.send",
                source: RobotError::BodyTooLarge {
                    size: 20_001,
                    limit: MAX_BODY_BYTES
                },
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.robot_kind(), Some(&RobotErrorKind::BodyTooLarge));
    assert!(!error.is_retryable());
    assert!(server.seen().is_empty(), "nothing reached the server");

    // Exactly at the limit it is sent.
    client
        .robot()
        .send(of_size(20_000))
        .await
        .expect("20,000 bytes are allowed");
    let [seen] = <[Seen; 1]>::try_from(server.seen()).expect("one request");
    assert_eq!(seen.body.len(), 20_000);
}

#[tokio::test]
async fn the_21st_message_in_a_minute_fails_locally_under_the_fail_policy() {
    let server = Server::start().await;
    let client = ClientBuilder::for_robot(webhook(&server, false))
        .robot_limit_policy(LimitPolicy::Fail)
        .build()
        .expect("robot client");
    for i in 0..20 {
        client
            .robot()
            .send(RobotSendRequest::new(RobotText::new(format!(
                "message {i}"
            ))))
            .await
            .unwrap_or_else(|e| panic!("message {i}: {e}"));
    }
    let error = client
        .robot()
        .send(RobotSendRequest::new(RobotText::new("one too many")))
        .await
        .expect_err("over the limit");
    match &error {
        Error::RobotGuard {
            source:
                RobotError::RateLimited {
                    max_messages,
                    window,
                    retry_after,
                },
            ..
        } => {
            assert_eq!(*max_messages, MESSAGES_PER_WINDOW);
            assert_eq!(*window, RATE_WINDOW);
            assert!(*retry_after > Duration::from_secs(50), "{retry_after:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(error.is_rate_limited() && !error.is_retryable());
    assert_eq!(error.robot_kind(), Some(&RobotErrorKind::TooManyMessages));
    assert_eq!(server.seen().len(), 20, "the 21st was not sent");

    // Clones share the limiter: the budget is the client's, not the handle's.
    let clone = client.clone();
    let error = clone
        .robot()
        .send(RobotSendRequest::new(RobotText::new("still too many")))
        .await
        .expect_err("over the limit");
    assert!(error.is_rate_limited(), "{error}");
    assert_eq!(server.seen().len(), 20);
}

#[tokio::test]
async fn the_21st_message_waits_under_the_wait_policy() {
    let window = Duration::from_millis(700);
    let server = Server::start().await;
    let client = ClientBuilder::for_robot(webhook(&server, true))
        .robot_rate_limit(Some(CallRate::new(MESSAGES_PER_WINDOW, window)))
        .robot_limit_policy(LimitPolicy::Wait)
        .build()
        .expect("robot client");
    let started = Instant::now();
    for i in 0..21 {
        client
            .robot()
            .send(RobotSendRequest::new(RobotText::new(format!(
                "message {i}"
            ))))
            .await
            .unwrap_or_else(|e| panic!("message {i}: {e}"));
    }
    let seen = server.seen();
    assert_eq!(seen.len(), 21, "all sent, none refused");
    let first_20 = seen[19].at.duration_since(seen[0].at);
    assert!(first_20 < window, "the first 20 went at once: {first_20:?}");
    let waited = seen[20].at.duration_since(seen[0].at);
    assert!(
        waited >= window - Duration::from_millis(20),
        "the 21st left {waited:?} after the first"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    // Signed after the wait: its timestamp is fresh, not from before it.
    let ts_first = check_wire(&seen[0], true).expect("signed");
    let ts_last = check_wire(&seen[20], true).expect("signed");
    assert!(ts_last - ts_first >= 600, "{ts_first} → {ts_last}");
}

//! The Redis limiter against a real redis-server: two limiters on separate connections share
//! one sliding window per app and API, `Fail` refuses without reserving, and a robot's budget
//! is keyed by a hash of its token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::RedisServer;
use dingtalk_openapi_redis::{RedisLimiter, RedisOptions, SharedState};
use dingtalk_openapi_runtime::ratelimit::{Admission, LimitKey};
use dingtalk_openapi_runtime::{CallLimiter, CallRate, LimitPolicy};

/// The most starts within any window of `period` (starts sorted).
fn densest(starts: &mut [Duration], period: Duration) -> usize {
    starts.sort();
    (0..starts.len())
        .map(|i| {
            starts[i..]
                .iter()
                .take_while(|t| **t - starts[i] < period)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn two_instances_share_one_window() {
    let Some(redis) = RedisServer::start("two_instances_share_one_window") else {
        return;
    };
    let options = RedisOptions::new().rate_padding(Duration::ZERO);
    let a = RedisLimiter::connect(&redis.url(), options.clone()).unwrap();
    let b = RedisLimiter::connect(&redis.url(), options).unwrap();
    let key = LimitKey::new("dingapp", "report.list");
    let rate = CallRate::per_second(5);
    let t0 = Instant::now();
    let mut starts = Vec::new();
    for i in 0..15 {
        let limiter = if i % 2 == 0 { &a } else { &b };
        match limiter.admit(key, rate, LimitPolicy::Wait).await.unwrap() {
            Admission::Granted { wait } => starts.push(t0.elapsed() + wait),
            other => panic!("waiting never refuses: {other:?}"),
        }
    }
    // Reserved, not slept: 15 starts at 5 a second span two periods, five per window.
    assert_eq!(
        densest(&mut starts, Duration::from_millis(990)),
        5,
        "{starts:?}"
    );
    assert!(starts[14] >= Duration::from_millis(1990), "{starts:?}");
    // Another operation and another app have budgets of their own.
    for other in [
        LimitKey::new("dingapp", "report.get"),
        LimitKey::new("other", "report.list"),
    ] {
        assert_eq!(
            a.admit(other, rate, LimitPolicy::Fail).await.unwrap(),
            Admission::Granted {
                wait: Duration::ZERO
            }
        );
    }
}

#[tokio::test]
async fn fail_refuses_without_reserving() {
    let Some(redis) = RedisServer::start("fail_refuses_without_reserving") else {
        return;
    };
    let limiter = RedisLimiter::connect(&redis.url(), RedisOptions::new()).unwrap();
    let key = LimitKey::new("dingapp", "blackboard.create");
    let rate = CallRate::per_minute(2);
    for _ in 0..2 {
        assert!(matches!(
            limiter.admit(key, rate, LimitPolicy::Fail).await.unwrap(),
            Admission::Granted { .. }
        ));
    }
    for _ in 0..3 {
        match limiter.admit(key, rate, LimitPolicy::Fail).await.unwrap() {
            Admission::Refused { retry_after } => {
                assert!(
                    retry_after > Duration::from_secs(55) && retry_after <= Duration::from_secs(61)
                );
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    // Refusals reserved nothing: a waiting call gets the slot a minute after the first.
    match limiter.admit(key, rate, LimitPolicy::Wait).await.unwrap() {
        Admission::Granted { wait } => assert!(wait <= Duration::from_secs(61), "{wait:?}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_robot_budget_is_shared_under_a_hash_of_its_token() {
    let Some(redis) = RedisServer::start("the_robot_budget_is_shared_under_a_hash_of_its_token")
    else {
        return;
    };
    let fake = dingtalk_openapi_fake::MockServer::builder(dingtalk_openapi_fake::operations())
        .start()
        .await
        .unwrap();
    let mut clients = Vec::new();
    for _ in 0..2 {
        let shared = SharedState::connect(&redis.url(), RedisOptions::new())
            .await
            .unwrap();
        let mut builder = dingtalk_openapi::Client::builder()
            .oapi_base_url(fake.base_url())
            .api_base_url(fake.base_url())
            .robot_token(fake.robot_token())
            .robot_rate_limit(Some(CallRate::per_minute(3)))
            .robot_limit_policy(LimitPolicy::Fail)
            .max_retries(0);
        if let Some(secret) = fake.robot_secret() {
            builder = builder.robot_secret(secret);
        }
        clients.push(shared.install(builder).build().unwrap());
    }
    let mut sent = 0;
    let mut refused = 0;
    for i in 0..6 {
        let text = dingtalk_openapi::robot::RobotSendRequest::new(
            dingtalk_openapi::robot::RobotText::new(format!("message {i}")),
        );
        match clients[i % 2].robot().send(text).await {
            Ok(_) => sent += 1,
            Err(error) if error.is_rate_limited() => refused += 1,
            Err(error) => panic!("{error:?}"),
        }
    }
    assert_eq!((sent, refused), (3, 3));
    let keys = redis.keys();
    assert!(
        keys.iter().any(|k| k.starts_with("dingtalk:robot:rate:")
            && k.len() == "dingtalk:robot:rate:".len() + 32),
        "{keys:?}"
    );
    assert!(
        keys.iter().all(|k| !k.contains(fake.robot_token())),
        "{keys:?}"
    );
}

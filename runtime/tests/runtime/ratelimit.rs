//! Client-side pacing: a burst queues instead of earning errcode 90018.

use std::time::{Duration, Instant};

use dingtalk_openapi_runtime::CallRate;
use futures_util::future::join_all;
use serde_json::json;

use crate::common::*;

fn ping(fake: &Fake) {
    fake.on("/v1.0/test/ping", |_| Reply::json(json!({})));
}

/// The most requests the fake saw start within any window of `window`.
fn densest(fake: &Fake, window: Duration) -> usize {
    let mut at: Vec<Instant> = fake.requests().iter().map(|r| r.at).collect();
    at.sort();
    (0..at.len())
        .map(|i| at[i..].iter().take_while(|t| **t - at[i] < window).count())
        .max()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_is_paced_to_the_rate() {
    let fake = Fake::start().await;
    ping(&fake);
    let client = fake
        .builder()
        .rate_limit(Some(CallRate::per_second(20)))
        .build()
        .unwrap();
    client.access_token().await.unwrap();
    let started = Instant::now();
    let calls = (0..30).map(|n| {
        let client = client.clone();
        tokio::spawn(async move { client.execute(Ping { n }).await })
    });
    for result in join_all(calls).await {
        result.unwrap().unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    // Allow a little for requests delayed in flight; 21 in one window would be the bug.
    assert!(
        densest(&fake, Duration::from_millis(950)) <= 20,
        "{}",
        densest(&fake, Duration::from_millis(950))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pacing_can_be_turned_off() {
    let fake = Fake::start().await;
    ping(&fake);
    let client = fake.builder().rate_limit(None).build().unwrap();
    let calls = (0..30).map(|n| client.execute(Ping { n }));
    for result in join_all(calls).await {
        result.unwrap();
    }
    // Paced at the default 20 a second this would take a second; unpaced, the fake saw all 30
    // within one (a bound that holds however busy the machine is).
    assert_eq!(densest(&fake, Duration::from_secs(1)), 30);
}

#[tokio::test]
async fn one_operation_can_have_its_own_rate() {
    let fake = Fake::start().await;
    ping(&fake);
    fake.on("/topapi/wire/query_only", |_| Reply::ok());
    let client = fake
        .builder()
        .rate_limit(None)
        .operation_rate_limit(
            "test.ping",
            Some(CallRate::new(2, Duration::from_millis(300))),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    for n in 0..5 {
        client.execute(Ping { n }).await.unwrap();
    }
    // 2 per 300 ms: calls 3-4 wait one period, call 5 two.
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    for _ in 0..5 {
        client
            .execute(QueryOnly { userid: "u".into() })
            .await
            .unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_millis(600),
        "other operations are not paced: {:?}",
        started.elapsed()
    );
}

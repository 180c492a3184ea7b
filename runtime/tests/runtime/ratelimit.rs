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

/// Records what it is asked, then lets the in-process limiter decide (or fails, when broken).
#[derive(Debug, Default)]
struct Recording {
    inner: dingtalk_openapi_runtime::ratelimit::MemoryLimiter,
    asked: std::sync::Mutex<Vec<(String, String)>>,
    broken: bool,
    /// How many of the first questions are refused (retry after 200 ms) before it decides.
    refusals: std::sync::atomic::AtomicUsize,
}

impl dingtalk_openapi_runtime::CallLimiter for Recording {
    fn admit<'a>(
        &'a self,
        key: dingtalk_openapi_runtime::ratelimit::LimitKey<'a>,
        rate: CallRate,
        policy: dingtalk_openapi_runtime::LimitPolicy,
    ) -> futures_util::future::BoxFuture<
        'a,
        Result<dingtalk_openapi_runtime::ratelimit::Admission, dingtalk_openapi_runtime::BoxError>,
    > {
        self.asked
            .lock()
            .unwrap()
            .push((key.scope().to_owned(), key.name().to_owned()));
        if self.broken {
            return Box::pin(std::future::ready(Err("budget store unreachable".into())));
        }
        let refuse = self
            .refusals
            .fetch_update(
                std::sync::atomic::Ordering::SeqCst,
                std::sync::atomic::Ordering::SeqCst,
                |n| n.checked_sub(1),
            )
            .is_ok();
        if refuse {
            return Box::pin(std::future::ready(Ok(
                dingtalk_openapi_runtime::ratelimit::Admission::Refused {
                    retry_after: Duration::from_millis(200),
                },
            )));
        }
        self.inner.admit(key, rate, policy)
    }
}

#[tokio::test]
async fn a_custom_limiter_is_asked_by_app_and_operation() {
    let fake = Fake::start().await;
    ping(&fake);
    let limiter = std::sync::Arc::new(Recording::default());
    let client = fake
        .builder()
        .rate_limit(Some(CallRate::per_second(20)))
        .rate_limiter(limiter.clone())
        .build()
        .unwrap();
    client.execute(Ping { n: 1 }).await.unwrap();
    let asked = limiter.asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(asked[0].1, "test.ping");
    assert!(!asked[0].0.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_refusal_is_waited_out_and_asked_again_before_sending() {
    let fake = Fake::start().await;
    ping(&fake);
    let limiter = std::sync::Arc::new(Recording {
        refusals: 2.into(),
        ..Recording::default()
    });
    let client = fake
        .builder()
        .rate_limit(Some(CallRate::per_second(20)))
        .rate_limiter(limiter.clone())
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    client.execute(Ping { n: 1 }).await.unwrap();
    // Two refusals waited out, then a grant: three questions, one request, 400 ms later.
    assert_eq!(limiter.asked.lock().unwrap().len(), 3);
    assert_eq!(fake.requests_to("/v1.0/test/ping").len(), 1);
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn a_limiter_that_cannot_decide_fails_the_call_before_sending() {
    let fake = Fake::start().await;
    ping(&fake);
    let limiter = std::sync::Arc::new(Recording {
        broken: true,
        ..Recording::default()
    });
    let client = fake
        .builder()
        .rate_limit(Some(CallRate::per_second(20)))
        .rate_limiter(limiter)
        .build()
        .unwrap();
    let error = client.execute(Ping { n: 1 }).await.unwrap_err();
    assert!(
        matches!(error, dingtalk_openapi_runtime::Error::Limiter { .. }),
        "{error:?}"
    );
    assert!(fake.requests_to("/v1.0/test/ping").is_empty());
}

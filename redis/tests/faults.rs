//! Redis slow or gone: calls are never blocked for long and never panic. Under the default
//! policy they go on with this process's token cache and limiter (one `warn!` per outage) and
//! use Redis again once it is back; under the strict policy they fail with typed errors. The
//! outages are real: the redis-server is stopped and restarted mid-test, or replaced by a
//! server that accepts connections and never answers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{RedisServer, silent_server};
use dingtalk_openapi::Client;
use dingtalk_openapi::report::ReportGetunreadcountRequest;
use dingtalk_openapi_fake::MockServer;
use dingtalk_openapi_redis::{FaultPolicy, RedisOptions, RedisStoreError, SharedState};
use dingtalk_openapi_runtime::{CallRate, Error};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

/// Counts the crate's `warn!` and `info!` events.
#[derive(Clone, Default)]
struct Count {
    warns: Arc<AtomicUsize>,
    infos: Arc<AtomicUsize>,
}

impl<S: Subscriber> Layer<S> for Count {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let meta = event.metadata();
        if meta.target() == "dingtalk_openapi_redis" {
            match *meta.level() {
                tracing::Level::WARN => self.warns.fetch_add(1, Ordering::SeqCst),
                tracing::Level::INFO => self.infos.fetch_add(1, Ordering::SeqCst),
                _ => 0,
            };
        }
    }
}

fn options(policy: FaultPolicy) -> RedisOptions {
    RedisOptions::new()
        .policy(policy)
        .op_timeout(Duration::from_millis(200))
        .connect_timeout(Duration::from_millis(200))
        .retry_after(Duration::from_millis(100))
}

async fn client(fake: &MockServer, shared: &SharedState) -> Client {
    shared
        .install(
            Client::builder()
                .app_credentials(fake.app_key(), fake.app_secret())
                .oapi_base_url(fake.base_url())
                .api_base_url(fake.base_url())
                .rate_limit(Some(CallRate::per_second(1000)))
                .max_retries(0),
        )
        .build()
        .unwrap()
}

async fn unread(client: &Client) -> Result<(), Error> {
    client
        .report()
        .getunreadcount(ReportGetunreadcountRequest::new("user123"))
        .await
        .map(drop)
}

#[tokio::test]
async fn fallback_keeps_calls_going_warns_once_and_returns_to_redis() {
    let Some(mut redis) =
        RedisServer::start("fallback_keeps_calls_going_warns_once_and_returns_to_redis")
    else {
        return;
    };
    let count = Count::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(count.clone()));
    let fake = MockServer::builder(dingtalk_openapi_fake::operations())
        .start()
        .await
        .unwrap();
    let shared = SharedState::connect(&redis.url(), options(FaultPolicy::Fallback))
        .await
        .unwrap();
    let client = client(&fake, &shared).await;
    unread(&client).await.unwrap();
    assert!(!shared.is_degraded());

    redis.stop();
    let started = Instant::now();
    for _ in 0..50 {
        unread(&client).await.unwrap();
    }
    // A fresh token is needed during the outage too: fetched here, not waited for.
    fake.faults().expire_tokens();
    unread(&client).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(shared.is_degraded());
    assert_eq!(count.warns.load(Ordering::SeqCst), 1, "one warn per outage");

    redis.restart();
    // Redis is tried again after `retry_after`; poll (bounded) until it is in use again.
    let deadline = Instant::now() + Duration::from_secs(10);
    while shared.is_degraded() {
        assert!(Instant::now() < deadline, "Redis was not used again");
        tokio::time::sleep(Duration::from_millis(50)).await;
        unread(&client).await.unwrap();
    }
    unread(&client).await.unwrap();
    assert!(count.infos.load(Ordering::SeqCst) >= 1);
    assert_eq!(count.warns.load(Ordering::SeqCst), 1);
    let keys = redis.keys();
    assert!(keys.iter().any(|k| k.contains(":rate:")), "{keys:?}");

    // A second outage warns once more.
    redis.stop();
    for _ in 0..10 {
        unread(&client).await.unwrap();
    }
    assert_eq!(count.warns.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn strict_fails_with_typed_errors_and_recovers() {
    let Some(mut redis) = RedisServer::start("strict_fails_with_typed_errors_and_recovers") else {
        return;
    };
    let fake = MockServer::builder(dingtalk_openapi_fake::operations())
        .start()
        .await
        .unwrap();
    let shared = SharedState::connect(&redis.url(), options(FaultPolicy::Strict))
        .await
        .unwrap();
    let client = client(&fake, &shared).await;
    unread(&client).await.unwrap();
    let before = fake.faults().calls("report.getunreadcount");

    redis.stop();
    let error = unread(&client).await.unwrap_err();
    let Error::Limiter { source, .. } = &error else {
        panic!("expected a limiter error, got {error:?}");
    };
    assert!(
        source.downcast_ref::<RedisStoreError>().is_some(),
        "{source:?}"
    );
    assert_eq!(
        fake.faults().calls("report.getunreadcount"),
        before,
        "nothing was sent"
    );

    // A client with a cold token cache cannot get a token either.
    let cold = client_without_pacing(&fake, &shared);
    let error = cold.access_token().await.unwrap_err();
    assert!(matches!(error, Error::Token { .. }), "{error:?}");
    assert!(!error.to_string().contains(fake.app_secret()));

    redis.restart();
    let deadline = Instant::now() + Duration::from_secs(10);
    while unread(&client).await.is_err() {
        assert!(Instant::now() < deadline, "Redis was not used again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    cold.access_token().await.unwrap();
}

fn client_without_pacing(fake: &MockServer, shared: &SharedState) -> Client {
    shared
        .install(
            Client::builder()
                .app_credentials(fake.app_key(), fake.app_secret())
                .oapi_base_url(fake.base_url())
                .api_base_url(fake.base_url())
                .max_retries(0),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_redis_that_never_answers_costs_at_most_the_timeout() {
    let (addr, _server) = silent_server();
    let url = format!("redis://{addr}");
    let fake = MockServer::builder(dingtalk_openapi_fake::operations())
        .start()
        .await
        .unwrap();

    let started = Instant::now();
    let strict = SharedState::connect(&url, options(FaultPolicy::Strict)).await;
    assert!(
        matches!(
            strict,
            Err(RedisStoreError::Timeout { .. } | RedisStoreError::Redis { .. })
        ),
        "{strict:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    let started = Instant::now();
    let shared = SharedState::connect(&url, options(FaultPolicy::Fallback))
        .await
        .unwrap();
    let client = client(&fake, &shared).await;
    for _ in 0..5 {
        unread(&client).await.unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(shared.is_degraded());
}

#[tokio::test]
async fn an_unreadable_url_is_an_error_that_does_not_repeat_it() {
    let error = SharedState::connect("http://user:hunter2@host", RedisOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(error, RedisStoreError::Url { .. }), "{error:?}");
    assert!(!format!("{error} {error:?}").contains("hunter2"));
}

#[test]
fn outside_a_runtime_connecting_is_an_error_not_a_panic() {
    let error =
        dingtalk_openapi_redis::RedisLimiter::connect("redis://127.0.0.1:1", RedisOptions::new())
            .unwrap_err();
    assert!(matches!(error, RedisStoreError::NoRuntime), "{error:?}");
}

//! The Redis token store against a real redis-server: compare-and-delete, the fetch lease
//! (one holder, bounded waits, a crashed holder's lease lapsing), key names without secrets,
//! one token request for three clients on separate connections against the fake, and one
//! jsapi_ticket request for three instances.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use common::RedisServer;
use dingtalk_openapi::report::ReportGetunreadcountRequest;
use dingtalk_openapi_fake::MockServer;
use dingtalk_openapi_redis::{RedisOptions, RedisTokenStore, SharedState};
use dingtalk_openapi_runtime::primitives::Secret;
use dingtalk_openapi_runtime::{CachedToken, TokenLease, TokenStore};

fn token(value: &str) -> CachedToken {
    CachedToken::new(
        Secret::new(value),
        SystemTime::now() + Duration::from_secs(7200),
    )
}

fn always(_: &CachedToken) -> bool {
    true
}

#[tokio::test]
async fn a_rejected_token_is_deleted_only_while_it_is_stored() {
    let Some(redis) = RedisServer::start("a_rejected_token_is_deleted_only_while_it_is_stored")
    else {
        return;
    };
    let a = RedisTokenStore::connect(&redis.url(), RedisOptions::new()).unwrap();
    let b = RedisTokenStore::connect(&redis.url(), RedisOptions::new()).unwrap();
    a.put("dingapp", token("tok-old")).await.unwrap();
    let seen = b.get("dingapp").await.unwrap().unwrap();
    assert_eq!(seen.token.expose(), "tok-old");
    // Another instance already stored a newer token: the old one's rejection leaves it.
    b.put("dingapp", token("tok-new")).await.unwrap();
    a.invalidate("dingapp", &Secret::new("tok-old"))
        .await
        .unwrap();
    assert_eq!(
        b.get("dingapp").await.unwrap().unwrap().token.expose(),
        "tok-new"
    );
    a.invalidate("dingapp", &Secret::new("tok-new"))
        .await
        .unwrap();
    assert!(b.get("dingapp").await.unwrap().is_none());
    assert!(!format!("{a:?}").contains("tok-"));
}

#[tokio::test]
async fn one_instance_holds_the_lease_and_the_other_gets_its_token() {
    let Some(redis) =
        RedisServer::start("one_instance_holds_the_lease_and_the_other_gets_its_token")
    else {
        return;
    };
    let options = RedisOptions::new().token_poll(Duration::from_millis(10));
    let a = Arc::new(RedisTokenStore::connect(&redis.url(), options.clone()).unwrap());
    let b = Arc::new(RedisTokenStore::connect(&redis.url(), options).unwrap());
    assert_eq!(
        a.lease("dingapp", &always).await.unwrap(),
        TokenLease::Fetch
    );
    let waiter = {
        let b = b.clone();
        tokio::spawn(async move { b.lease("dingapp", &always).await.unwrap() })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        !waiter.is_finished(),
        "the second instance must wait for the holder"
    );
    a.put("dingapp", token("tok-1")).await.unwrap();
    a.release("dingapp").await.unwrap();
    match waiter.await.unwrap() {
        TokenLease::Fetched(t) => assert_eq!(t.token.expose(), "tok-1"),
        other => panic!("expected the holder's token, got {other:?}"),
    }
}

#[tokio::test]
async fn a_crashed_holders_lease_lapses_and_a_waiter_never_waits_unbounded() {
    let Some(redis) =
        RedisServer::start("a_crashed_holders_lease_lapses_and_a_waiter_never_waits_unbounded")
    else {
        return;
    };
    let options = RedisOptions::new()
        .token_lease(Duration::from_millis(300))
        .token_poll(Duration::from_millis(10));
    let crashed = RedisTokenStore::connect(&redis.url(), options.clone()).unwrap();
    let b = RedisTokenStore::connect(&redis.url(), options.clone()).unwrap();
    assert_eq!(
        crashed.lease("dingapp", &always).await.unwrap(),
        TokenLease::Fetch
    );
    drop(crashed);
    let started = Instant::now();
    assert_eq!(
        b.lease("dingapp", &always).await.unwrap(),
        TokenLease::Fetch
    );
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(3), "{waited:?}");

    // A holder that never stores anything: the waiter gives up after its bound and fetches.
    let options = options
        .token_lease(Duration::from_secs(60))
        .token_lease_wait(Duration::from_millis(200));
    let holder = RedisTokenStore::connect(&redis.url(), options.clone()).unwrap();
    let c = RedisTokenStore::connect(&redis.url(), options).unwrap();
    assert_eq!(
        holder.lease("other", &always).await.unwrap(),
        TokenLease::Fetch
    );
    let started = Instant::now();
    assert_eq!(c.lease("other", &always).await.unwrap(), TokenLease::Fetch);
    assert!(started.elapsed() < Duration::from_secs(3));
}

/// One instance of the app: its own Redis connection, and a client aimed at the fake with the
/// shared token store and limiter installed.
async fn instance(
    redis: &RedisServer,
    fake: &MockServer,
) -> (SharedState, dingtalk_openapi::Client) {
    let shared = SharedState::connect(&redis.url(), RedisOptions::new())
        .await
        .unwrap();
    let client = shared
        .install(
            dingtalk_openapi::Client::builder()
                .app_credentials(fake.app_key(), fake.app_secret())
                .oapi_base_url(fake.base_url())
                .api_base_url(fake.base_url()),
        )
        .build()
        .unwrap();
    (shared, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_clients_on_separate_connections_fetch_one_token() {
    let Some(redis) = RedisServer::start("three_clients_on_separate_connections_fetch_one_token")
    else {
        return;
    };
    let fake = MockServer::builder(dingtalk_openapi_fake::operations())
        .start()
        .await
        .unwrap();
    let mut clients = Vec::new();
    for _ in 0..3 {
        clients.push(instance(&redis, &fake).await.1);
    }
    let calls = clients.iter().flat_map(|client| {
        (0..20).map(move |_| async move {
            client
                .report()
                .getunreadcount(ReportGetunreadcountRequest::new("user123"))
                .await
        })
    });
    for result in futures_util::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(fake.faults().token_requests(), 1);
    // Key names carry the app key, never the token or the secret.
    let keys = redis.keys();
    assert!(keys.iter().any(|k| k.contains(fake.app_key())), "{keys:?}");
    let stored = clients[0].access_token().await.unwrap();
    for key in &keys {
        assert!(!key.contains(stored.expose()), "{key}");
        assert!(!key.contains(fake.app_secret()), "{key}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_share_one_jsapi_ticket() {
    let Some(redis) = RedisServer::start("three_instances_share_one_jsapi_ticket") else {
        return;
    };
    let fake = MockServer::builder(dingtalk_openapi_fake::operations())
        .start()
        .await
        .unwrap();
    let mut instances = Vec::new();
    for _ in 0..3 {
        let (shared, client) = instance(&redis, &fake).await;
        let key = format!("{}:jsapi", fake.app_key());
        instances.push(dingtalk_openapi_runtime::login::JsapiTickets::with_store(
            (*client).clone(),
            shared.token_store(),
            key,
        ));
    }
    let asks = instances
        .iter()
        .flat_map(|tickets| (0..5).map(move |_| tickets.ticket()));
    let tickets: Vec<String> = futures_util::future::join_all(asks)
        .await
        .into_iter()
        .map(|t| t.unwrap().expose().to_owned())
        .collect();
    assert!(tickets.windows(2).all(|w| w[0] == w[1]), "{tickets:?}");
    assert_eq!(fake.faults().calls("get_jsapi_ticket"), 1);
    for key in redis.keys() {
        assert!(!key.contains(tickets[0].as_str()), "{key}");
    }
}

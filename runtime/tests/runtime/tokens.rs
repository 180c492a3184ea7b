//! Access tokens: one fetch for many callers, refresh ahead of expiry, one replacement on rejection.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use dingtalk_openapi_runtime::time::ManualClock;
use dingtalk_openapi_runtime::{Client, Error, MemoryTokenStore};
use futures_util::future::join_all;
use serde_json::json;

use crate::common::*;

fn ping_ok(fake: &Fake) {
    fake.on("/v1.0/test/ping", |_| Reply::json(json!({"pong": true})));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_on_a_cold_cache_fetch_one_token() {
    let fake = Fake::start().await;
    ping_ok(&fake);
    fake.token_delay(Duration::from_millis(50));
    let client = fake.client();
    let calls = (0..1000).map(|n| {
        let client = client.clone();
        tokio::spawn(async move { client.execute(Ping { n }).await })
    });
    for result in join_all(calls).await {
        result.unwrap().unwrap();
    }
    assert_eq!(fake.token_requests(), 1);
    assert_eq!(fake.requests().len(), 1000);
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.token() == Some(issued_token(1)))
    );
}

/// Eight calls at once through `client`; all must succeed.
async fn eight_calls(client: &Client) {
    let calls = (0..8).map(|n| {
        let client = client.clone();
        tokio::spawn(async move { client.execute(Ping { n }).await })
    });
    for result in join_all(calls).await {
        result.unwrap().unwrap();
    }
}

/// The client's clock is injected and moved by the test: no waiting, nothing depends on how
/// busy the machine is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_is_refreshed_once_when_it_nears_expiry() {
    let fake = Fake::start().await;
    ping_ok(&fake);
    // Valid for 2 s, replaced 1 s before: fresh for the first second only.
    fake.token_expires_in(2);
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let client = fake
        .builder()
        .token_refresh_margin(Duration::from_secs(1))
        .time_source(clock.clone())
        .build()
        .unwrap();

    eight_calls(&client).await;
    clock.advance(Duration::from_millis(900));
    eight_calls(&client).await;
    assert_eq!(fake.token_requests(), 1, "still fresh at 0.9 s");
    clock.advance(Duration::from_millis(200));
    eight_calls(&client).await;
    assert_eq!(
        fake.token_requests(),
        2,
        "one refresh for eight callers at 1.1 s"
    );
    eight_calls(&client).await;
    assert_eq!(fake.token_requests(), 2);

    let tokens: Vec<String> = fake.requests().iter().filter_map(|r| r.token()).collect();
    assert_eq!(tokens.len(), 32);
    assert!(
        tokens[..16].iter().all(|t| *t == issued_token(1)),
        "{tokens:?}"
    );
    // Once the new token is in use the old one is never sent again.
    assert!(
        tokens[16..].iter().all(|t| *t == issued_token(2)),
        "{tokens:?}"
    );
}

async fn rejected_token_is_replaced_once(
    fake: &Fake,
    call: impl AsyncFn(&Client) -> Result<(), Error>,
) {
    let client = fake.client();
    call(&client).await.unwrap();
    fake.revoke(&issued_token(1));
    call(&client).await.unwrap();
    assert_eq!(fake.token_requests(), 2);
    let tokens: Vec<String> = fake.requests().iter().filter_map(|r| r.token()).collect();
    assert_eq!(tokens, [issued_token(1), issued_token(1), issued_token(2)]);
}

#[tokio::test]
async fn errcode_88_sub_code_40014_replaces_the_token_and_retries_once() {
    let fake = Fake::start().await;
    fake.on("/topapi/wire/query_only", |_| Reply::ok());
    rejected_token_is_replaced_once(&fake, async |c| {
        c.execute(QueryOnly { userid: "u".into() }).await.map(drop)
    })
    .await;
}

#[tokio::test]
async fn errcode_42001_replaces_the_token_and_retries_once() {
    let fake = Fake::start().await;
    fake.on("/topapi/wire/query_only", |_| Reply::ok());
    fake.revoked_oapi_reply(Reply::errcode(42001, "access_token expired"));
    rejected_token_is_replaced_once(&fake, async |c| {
        c.execute(QueryOnly { userid: "u".into() }).await.map(drop)
    })
    .await;
}

#[tokio::test]
async fn errcode_40014_replaces_the_token_and_retries_once() {
    let fake = Fake::start().await;
    fake.on("/topapi/wire/query_only", |_| Reply::ok());
    fake.revoked_oapi_reply(Reply::errcode(40014, "invalid access_token"));
    rejected_token_is_replaced_once(&fake, async |c| {
        c.execute(QueryOnly { userid: "u".into() }).await.map(drop)
    })
    .await;
}

#[tokio::test]
async fn v1_invalid_authentication_replaces_the_token_and_retries_once() {
    let fake = Fake::start().await;
    ping_ok(&fake);
    rejected_token_is_replaced_once(&fake, async |c| c.execute(Ping { n: 1 }).await.map(drop))
        .await;
}

#[tokio::test]
async fn a_token_rejected_twice_is_an_error_after_one_replacement() {
    let fake = Fake::start().await;
    ping_ok(&fake);
    fake.revoke(&issued_token(1));
    fake.revoke(&issued_token(2));
    let client = fake.client();
    let error = client.execute(Ping { n: 1 }).await.unwrap_err();
    assert!(error.is_token_error(), "{error:?}");
    assert_eq!(error.code(), Some("InvalidAuthentication"));
    assert_eq!(error.status(), Some(400));
    assert_eq!(fake.token_requests(), 2);
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_calls_rejected_at_once_replace_the_token_once() {
    let fake = Fake::start().await;
    ping_ok(&fake);
    let client = fake.client();
    client.execute(Ping { n: 0 }).await.unwrap();
    fake.revoke(&issued_token(1));
    fake.token_delay(Duration::from_millis(30));
    let calls = (0..50).map(|n| {
        let client = client.clone();
        tokio::spawn(async move { client.execute(Ping { n }).await })
    });
    for result in join_all(calls).await {
        result.unwrap().unwrap();
    }
    assert_eq!(fake.token_requests(), 2);
}

#[tokio::test]
async fn a_failing_token_endpoint_gives_a_token_error_and_sends_nothing() {
    let fake = Fake::start().await;
    ping_ok(&fake);
    fake.script(
        "/gettoken",
        [Reply::errcode(40096, "invalid appkey or appsecret")],
    );
    let client = fake.client();
    let error = client.execute(Ping { n: 1 }).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Token {
                operation: "test.ping",
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.errcode(), Some(40096));
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("40096"), "{error}");
    assert_eq!(fake.token_requests(), 1);
    assert!(fake.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_waiting_on_a_failed_fetch_share_its_error() {
    let fake = Fake::start().await;
    ping_ok(&fake);
    fake.token_delay(Duration::from_millis(100));
    fake.script(
        "/gettoken",
        [Reply::errcode(40096, "invalid appkey or appsecret")],
    );
    let client = fake.client();
    let calls = (0..20).map(|n| {
        let client = client.clone();
        tokio::spawn(async move { client.execute(Ping { n }).await })
    });
    for result in join_all(calls).await {
        let error = result.unwrap().unwrap_err();
        assert_eq!(error.errcode(), Some(40096), "{error:?}");
    }
    assert_eq!(fake.token_requests(), 1);
}

#[tokio::test]
async fn a_busy_token_endpoint_is_retried() {
    let fake = Fake::start().await;
    ping_ok(&fake);
    fake.script("/gettoken", [Reply::errcode(-1, "系统繁忙")]);
    let client = fake.client();
    client.execute(Ping { n: 1 }).await.unwrap();
    assert_eq!(fake.token_requests(), 2);
}

#[tokio::test]
async fn a_shared_token_store_serves_several_clients() {
    let fake = Fake::start().await;
    ping_ok(&fake);
    let store = Arc::new(MemoryTokenStore::new());
    let a = fake.builder().token_store(store.clone()).build().unwrap();
    let b = fake.builder().token_store(store).build().unwrap();
    a.execute(Ping { n: 1 }).await.unwrap();
    b.execute(Ping { n: 2 }).await.unwrap();
    assert_eq!(fake.token_requests(), 1);
}

#[tokio::test]
async fn one_token_serves_both_hosts() {
    let fake = Fake::start().await;
    ping_ok(&fake);
    fake.on("/topapi/wire/query_only", |_| Reply::ok());
    let client = fake.client();
    client.execute(Ping { n: 1 }).await.unwrap();
    client
        .execute(QueryOnly { userid: "u".into() })
        .await
        .unwrap();
    assert_eq!(
        client.access_token().await.unwrap().expose(),
        issued_token(1)
    );
    assert_eq!(fake.token_requests(), 1);
}

#[tokio::test]
async fn calls_needing_a_token_without_credentials_are_a_configuration_error() {
    let fake = Fake::start().await;
    let client = Client::builder()
        .oapi_base_url(fake.url())
        .api_base_url(fake.url())
        .build()
        .unwrap();
    let error = client.execute(Ping { n: 1 }).await.unwrap_err();
    assert!(
        matches!(error, Error::Config(ref m) if m.contains("DINGTALK_APP_KEY")),
        "{error}"
    );
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn a_token_shorter_lived_than_the_margin_is_not_fetched_for_every_call() {
    let fake = Fake::start().await;
    ping_ok(&fake);
    // Default margin is 5 minutes; a 2-second token is then kept for half its life.
    fake.token_expires_in(2);
    let client = fake.client();
    for n in 0..20 {
        client.execute(Ping { n }).await.unwrap();
    }
    assert_eq!(fake.token_requests(), 1);
}

/// A token answer the client cannot read is a decode error whose excerpt would show the token:
/// the excerpt is withheld then, and kept for answers that hold none (an HTML page).
#[tokio::test]
async fn an_unreadable_token_answer_does_not_show_the_token() {
    let fake = Fake::start().await;
    ping_ok(&fake);
    let leaked = "at-leak-4d2e9b";
    fake.script(
        "/gettoken",
        [
            // `expires_in` of the wrong type: the typed answer cannot hold it.
            Reply::raw(
                200,
                "application/json",
                &format!(r#"{{"errcode":0,"access_token":"{leaked}","expires_in":"soon"}}"#),
            ),
            // Cut short: not even the envelope can be read.
            Reply::raw(
                200,
                "application/json",
                &format!(r#"{{"errcode":0,"access_token":"{leaked}""#),
            ),
            Reply::raw(200, "text/html", "<html>ip banned</html>"),
        ],
    );
    let client = fake.client();
    for _ in 0..2 {
        let error = client.access_token().await.unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(
            shown.contains("withheld") && !shown.contains(leaked),
            "{shown}"
        );
    }
    let error = client.access_token().await.unwrap_err();
    assert!(error.to_string().contains("ip banned"), "{error}");
    assert_eq!(fake.token_requests(), 3);
}

/// A store whose lease says another instance has just fetched a token.
#[derive(Default)]
struct FetchedElsewhere {
    inner: MemoryTokenStore,
    leases: std::sync::atomic::AtomicUsize,
    releases: std::sync::atomic::AtomicUsize,
}

impl dingtalk_openapi_runtime::TokenStore for FetchedElsewhere {
    fn get<'a>(
        &'a self,
        key: &'a str,
    ) -> futures_util::future::BoxFuture<
        'a,
        Result<Option<dingtalk_openapi_runtime::CachedToken>, dingtalk_openapi_runtime::BoxError>,
    > {
        self.inner.get(key)
    }

    fn put<'a>(
        &'a self,
        key: &'a str,
        token: dingtalk_openapi_runtime::CachedToken,
    ) -> futures_util::future::BoxFuture<'a, Result<(), dingtalk_openapi_runtime::BoxError>> {
        self.inner.put(key, token)
    }

    fn invalidate<'a>(
        &'a self,
        key: &'a str,
        rejected: &'a dingtalk_openapi_runtime::primitives::Secret,
    ) -> futures_util::future::BoxFuture<'a, Result<(), dingtalk_openapi_runtime::BoxError>> {
        self.inner.invalidate(key, rejected)
    }

    fn lease<'a>(
        &'a self,
        _key: &'a str,
        usable: dingtalk_openapi_runtime::token::TokenCheck<'a>,
    ) -> futures_util::future::BoxFuture<
        'a,
        Result<dingtalk_openapi_runtime::TokenLease, dingtalk_openapi_runtime::BoxError>,
    > {
        use std::sync::atomic::Ordering;
        let n = self.leases.fetch_add(1, Ordering::SeqCst);
        let token = dingtalk_openapi_runtime::CachedToken::new(
            dingtalk_openapi_runtime::primitives::Secret::new("at-elsewhere"),
            SystemTime::now() + Duration::from_secs(7200),
        );
        assert!(usable(&token));
        // The first caller is handed another instance's token; a later one fetches.
        let answer = if n == 0 {
            dingtalk_openapi_runtime::TokenLease::Fetched(token)
        } else {
            dingtalk_openapi_runtime::TokenLease::Fetch
        };
        Box::pin(std::future::ready(Ok(answer)))
    }

    fn release<'a>(
        &'a self,
        _key: &'a str,
    ) -> futures_util::future::BoxFuture<'a, Result<(), dingtalk_openapi_runtime::BoxError>> {
        self.releases
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(std::future::ready(Ok(())))
    }
}

#[tokio::test]
async fn a_token_fetched_by_another_lease_holder_is_used_without_a_fetch() {
    use std::sync::atomic::Ordering;
    let fake = Fake::start().await;
    ping_ok(&fake);
    let store = Arc::new(FetchedElsewhere::default());
    let client = fake.builder().token_store(store.clone()).build().unwrap();
    eight_calls(&client).await;
    assert_eq!(fake.token_requests(), 0);
    assert_eq!(store.leases.load(Ordering::SeqCst), 1);
    assert_eq!(store.releases.load(Ordering::SeqCst), 0);
    // A rejected token: the next lease says fetch, and the lease is released after the fetch.
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.token().as_deref() == Some("at-elsewhere"))
    );
    fake.revoke("at-elsewhere");
    client.execute(Ping { n: 1 }).await.unwrap();
    assert_eq!(fake.token_requests(), 1);
    assert_eq!(store.leases.load(Ordering::SeqCst), 2);
    assert_eq!(store.releases.load(Ordering::SeqCst), 1);
}

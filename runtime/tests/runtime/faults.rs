//! Each fault gives its typed error, or the right number of bounded retries.

use std::time::{Duration, Instant};

use dingtalk_openapi_runtime::{Error, RateLimit};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::*;

const PATH: &str = "/topapi/wire/query_only";

fn query_only() -> QueryOnly {
    QueryOnly {
        userid: "u1".into(),
    }
}

fn system_error() -> Reply {
    Reply::json(json!({"code": "systemError", "message": "系统错误", "requestid": "r500"}))
        .status(500)
}

#[tokio::test]
async fn system_busy_is_retried_then_succeeds() {
    let fake = Fake::start().await;
    fake.script(
        PATH,
        [
            Reply::errcode(-1, "系统繁忙"),
            Reply::errcode(-1, "系统繁忙"),
        ],
    );
    fake.on(PATH, |_| Reply::ok());
    fake.client().execute(query_only()).await.unwrap();
    assert_eq!(fake.requests().len(), 3);
}

#[tokio::test]
async fn system_busy_gives_up_after_max_retries() {
    let fake = Fake::start().await;
    fake.on(PATH, |_| Reply::errcode(-1, "系统繁忙"));
    let client = fake.builder().max_retries(2).build().unwrap();
    let error = client.execute(query_only()).await.unwrap_err();
    assert!(matches!(error, Error::Api { errcode: -1, .. }), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(fake.requests().len(), 3);
}

#[tokio::test]
async fn default_retry_budget_is_three() {
    let fake = Fake::start().await;
    fake.on(PATH, |_| Reply::errcode(-1, "系统繁忙"));
    fake.client().execute(query_only()).await.unwrap_err();
    assert_eq!(fake.requests().len(), 4);
}

#[tokio::test]
async fn busy_variant_errcode_15_isp_is_retried() {
    let fake = Fake::start().await;
    fake.script(
        PATH,
        [Reply::json(
            json!({"errcode": 15, "errmsg": "Remote service error", "sub_code": "isp.-1"}),
        )],
    );
    fake.on(PATH, |_| Reply::ok());
    fake.client().execute(query_only()).await.unwrap();
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn per_app_qps_limit_waits_at_least_the_configured_minimum() {
    let fake = Fake::start().await;
    fake.script(PATH, [Reply::errcode(90018, "too many requests")]);
    fake.on(PATH, |_| Reply::ok());
    let client = fake
        .builder()
        .rate_limit_retry_wait(Duration::from_millis(300))
        .build()
        .unwrap();
    client.execute(query_only()).await.unwrap();
    let [first, second] = fake.requests().try_into().unwrap();
    assert!(
        second.at - first.at >= Duration::from_millis(300),
        "{:?}",
        second.at - first.at
    );
}

#[tokio::test]
async fn per_app_qps_limit_waits_a_second_by_default() {
    let fake = Fake::start().await;
    fake.script(PATH, [Reply::errcode(90018, "too many requests")]);
    fake.on(PATH, |_| Reply::ok());
    let client = dingtalk_openapi_runtime::Client::builder()
        .app_credentials(APP_KEY, APP_SECRET)
        .oapi_base_url(fake.url())
        .build()
        .unwrap();
    client.execute(query_only()).await.unwrap();
    let [first, second] = fake.requests().try_into().unwrap();
    assert!(
        second.at - first.at >= Duration::from_secs(1),
        "{:?}",
        second.at - first.at
    );
}

#[tokio::test]
async fn global_qps_limit_is_retried() {
    let fake = Fake::start().await;
    fake.script(PATH, [Reply::errcode(90002, "api qps limit")]);
    fake.on(PATH, |_| Reply::ok());
    fake.client().execute(query_only()).await.unwrap();
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn qps_limit_that_persists_is_typed() {
    let fake = Fake::start().await;
    fake.on(PATH, |_| Reply::errcode(90002, "api qps limit"));
    let client = fake.builder().max_retries(1).build().unwrap();
    let error = client.execute(query_only()).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::RateLimited {
                limit: RateLimit::GlobalQps,
                errcode: Some(90002),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_rate_limited() && error.is_retryable());
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn monthly_quota_is_not_retried() {
    let fake = Fake::start().await;
    fake.on(PATH, |_| Reply::errcode(90020, "monthly quota exceeded"));
    let error = fake.client().execute(query_only()).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::RateLimited {
                limit: RateLimit::MonthlyQuota,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(error.request_id(), Some("req-fake"));
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn no_permission_is_not_retried() {
    let fake = Fake::start().await;
    fake.on(PATH, |_| {
        Reply::json(json!({"errcode": 88, "errmsg": "ding talk error", "sub_code": "60011", "sub_msg": "没有调用该接口的权限"}))
    });
    let error = fake.client().execute(query_only()).await.unwrap_err();
    assert_eq!(error.sub_code(), Some("60011"));
    assert!(!error.is_token_error() && !error.is_retryable());
    assert!(
        error.to_string().contains("没有调用该接口的权限"),
        "{error}"
    );
    assert_eq!(fake.requests().len(), 1);
    assert_eq!(fake.token_requests(), 1);
}

#[tokio::test]
async fn http_500_is_retried_for_reads() {
    let fake = Fake::start().await;
    fake.script("/v1.0/test/ping", [system_error()]);
    fake.on("/v1.0/test/ping", |_| Reply::json(json!({})));
    fake.client().execute(Ping { n: 1 }).await.unwrap();
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn http_500_that_persists_is_typed() {
    let fake = Fake::start().await;
    fake.on("/v1.0/test/ping", |_| system_error());
    let error = fake
        .builder()
        .max_retries(1)
        .build()
        .unwrap()
        .execute(Ping { n: 1 })
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Http { status: 500, ref code, .. } if code == "systemError"),
        "{error:?}"
    );
    assert_eq!(error.request_id(), Some("r500"));
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn v1_qps_limit_is_rate_limited_and_retried() {
    let fake = Fake::start().await;
    let limited = || {
        Reply::json(json!({"code": "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", "message": "qps", "requestid": "rq"}))
            .status(403)
    };
    fake.script("/v1.0/test/ping", [limited()]);
    fake.on("/v1.0/test/ping", |_| Reply::json(json!({})));
    let client = fake.client();
    client.execute(Ping { n: 1 }).await.unwrap();
    let [first, second] = fake.requests().try_into().unwrap();
    assert!(second.at - first.at >= Duration::from_millis(50));

    fake.script("/v1.0/test/ping", [limited()]);
    let error = fake
        .builder()
        .max_retries(0)
        .build()
        .unwrap()
        .execute(Ping { n: 1 })
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::RateLimited {
                limit: RateLimit::PerAppQps,
                status: Some(403),
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.code(),
        Some("Forbidden.AccessDenied.QpsLimitForAppkeyAndApi")
    );
}

#[tokio::test]
async fn v1_monthly_quota_is_not_retried() {
    let fake = Fake::start().await;
    fake.on("/v1.0/test/ping", |_| {
        Reply::json(
            json!({"code": "Forbidden.AccessDenied.ApiCountLimitForOrg", "message": "quota"}),
        )
        .status(403)
    });
    let error = fake.client().execute(Ping { n: 1 }).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::RateLimited {
                limit: RateLimit::MonthlyQuota,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn malformed_json_is_a_decode_error() {
    let fake = Fake::start().await;
    fake.on(PATH, |_| {
        Reply::raw(
            200,
            "application/json",
            r#"{"errcode": 0, "errmsg": "ok",}"#,
        )
    });
    let error = fake.client().execute(query_only()).await.unwrap_err();
    assert!(
        matches!(error, Error::Decode { status: 200, ref excerpt, .. } if excerpt.contains("\"errcode\"")),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn an_html_page_is_a_decode_error_with_a_short_excerpt() {
    let fake = Fake::start().await;
    let page = format!(
        "<html><body><h1>访问被拒绝</h1>{}</body></html>",
        "<p>your ip is banned</p>".repeat(50)
    );
    fake.on(PATH, move |_| Reply::raw(200, "text/html", &page));
    let error = fake.client().execute(query_only()).await.unwrap_err();
    let Error::Decode { excerpt, .. } = &error else {
        panic!("{error:?}")
    };
    assert!(excerpt.starts_with("<html><body><h1>访问被拒绝</h1>"));
    assert!(
        excerpt.chars().count() <= 201,
        "{}",
        excerpt.chars().count()
    );
    assert!(error.to_string().len() < 400);
}

#[tokio::test]
async fn a_response_that_does_not_fit_the_type_is_a_decode_error() {
    let fake = Fake::start().await;
    fake.on("/topapi/blackboard/create", |_| {
        Reply::json(json!({"errcode": 0, "result": {"unexpected": "object"}}))
    });
    let error = fake
        .client()
        .execute(blackboard_create())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
}

/// Serves `response` (raw HTTP) to every connection after reading the request head.
async fn raw(response: &'static str) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let (addr, accepted) = raw_server(move |mut stream| async move {
        let mut buf = vec![0u8; 8192];
        let _ = stream.read(&mut buf).await;
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
    (format!("http://{addr}"), accepted)
}

#[tokio::test]
async fn a_truncated_body_is_a_transport_error_retried_for_reads() {
    let (url, accepted) = raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"errcode\":0").await;
    let client = dingtalk_openapi_runtime::Client::builder()
        .api_base_url(url)
        .no_rate_limit()
        .max_retries(1)
        .retry_base_delay(Duration::from_millis(1))
        .build()
        .unwrap();
    let error = client.execute(NoAuthPing { n: 1 }).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(error.to_string().contains("reading the answer"), "{error}");
    assert!(error.is_retryable());
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_reads_but_not_for_creates() {
    let (addr, accepted) = raw_server(|stream| async move { drop(stream) }).await;
    let url = format!("http://{addr}");
    let client = dingtalk_openapi_runtime::Client::builder()
        .api_base_url(url.clone())
        .oapi_base_url(url)
        .no_rate_limit()
        .max_retries(2)
        .retry_base_delay(Duration::from_millis(1))
        .build()
        .unwrap();
    let error = client.execute(NoAuthPing { n: 1 }).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 3);

    accepted.store(0, std::sync::atomic::Ordering::SeqCst);
    let error = client.execute(NoAuthCreate { n: 1 }).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(
        accepted.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "an ambiguous create is not retried"
    );
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_creates() {
    // A port that was just free: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = dingtalk_openapi_runtime::Client::builder()
        .oapi_base_url(format!("http://{addr}"))
        .no_rate_limit()
        .max_retries(2)
        .retry_base_delay(Duration::from_millis(20))
        .retry_max_delay(Duration::from_millis(20))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.execute(NoAuthCreate { n: 1 }).await.unwrap_err();
    let Error::Transport { source, .. } = &error else {
        panic!("{error:?}")
    };
    assert!(source.is_connect());
    // Two backoffs of at least 10 ms (half of 20 ms, jittered) show two retries happened.
    assert!(
        started.elapsed() >= Duration::from_millis(20),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let fake = Fake::start().await;
    fake.on("/v1.0/test/ping", |_| {
        Reply::json(json!({})).after(Duration::from_millis(400))
    });
    let client = fake
        .builder()
        .timeout(Duration::from_millis(100))
        .max_retries(1)
        .build()
        .unwrap();
    let error = client.execute(Ping { n: 1 }).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                operation: "test.ping"
            }
        ),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(
        fake.requests().len(),
        2,
        "a read is retried after a timeout"
    );
}

#[tokio::test]
async fn a_create_is_not_retried_after_a_timeout() {
    let fake = Fake::start().await;
    fake.on("/topapi/blackboard/create", |_| {
        Reply::ok().after(Duration::from_millis(400))
    });
    let client = fake
        .builder()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let error = client.execute(blackboard_create()).await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_eq!(fake.requests_to("/topapi/blackboard/create").len(), 1);
}

#[tokio::test]
async fn a_create_is_not_retried_after_an_ambiguous_500() {
    let fake = Fake::start().await;
    fake.on("/topapi/blackboard/create", |_| {
        Reply::raw(500, "text/html", "<html>Internal Server Error</html>")
    });
    let error = fake
        .client()
        .execute(blackboard_create())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Http { status: 500, .. }),
        "{error:?}"
    );
    assert!(
        error.is_retryable(),
        "retryable in itself; the create's effect forbids it"
    );
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn a_create_is_retried_after_a_500_when_the_caller_opts_in() {
    let fake = Fake::start().await;
    fake.script(
        "/topapi/blackboard/create",
        [Reply::raw(
            500,
            "text/html",
            "<html>Internal Server Error</html>",
        )],
    );
    fake.on("/topapi/blackboard/create", |_| {
        Reply::json(json!({"errcode": 0, "result": "bb-2"}))
    });
    let client = fake
        .builder()
        .retry_ambiguous_creates(true)
        .build()
        .unwrap();
    let response = client.execute(blackboard_create()).await.unwrap();
    assert_eq!(response.result.as_deref(), Some("bb-2"));
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn a_create_is_retried_when_the_answer_shows_it_was_not_processed() {
    let fake = Fake::start().await;
    fake.script(
        "/topapi/blackboard/create",
        [Reply::errcode(-1, "系统繁忙"), Reply::errcode(90018, "qps")],
    );
    fake.on("/topapi/blackboard/create", |_| {
        Reply::json(json!({"errcode": 0, "result": "bb-3"}))
    });
    let response = fake.client().execute(blackboard_create()).await.unwrap();
    assert_eq!(response.result.as_deref(), Some("bb-3"));
    assert_eq!(fake.requests().len(), 3);
}

// Operations without a credential, for the raw servers (which answer no token requests); the
// hostile servers use the ping too.

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NoAuthPing {
    pub n: i64,
}

static NO_AUTH_PING: dingtalk_openapi_runtime::operation::OperationInfo =
    dingtalk_openapi_runtime::operation::OperationInfo::new(
        "test.noauth_ping",
        dingtalk_openapi_runtime::operation::Method::Post,
        dingtalk_openapi_runtime::operation::Host::Api,
        "/v1.0/test/ping",
    )
    .with_auth(dingtalk_openapi_runtime::operation::Auth::None)
    .with_envelope(dingtalk_openapi_runtime::operation::Envelope::Bare);

impl dingtalk_openapi_runtime::operation::Operation for NoAuthPing {
    type Response = serde_json::Value;
    const INFO: &'static dingtalk_openapi_runtime::operation::OperationInfo = &NO_AUTH_PING;
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NoAuthCreate {
    n: i64,
}

static NO_AUTH_CREATE: dingtalk_openapi_runtime::operation::OperationInfo =
    dingtalk_openapi_runtime::operation::OperationInfo::new(
        "test.noauth_create",
        dingtalk_openapi_runtime::operation::Method::Post,
        dingtalk_openapi_runtime::operation::Host::Oapi,
        "/topapi/test/create",
    )
    .with_auth(dingtalk_openapi_runtime::operation::Auth::None)
    .with_effect(dingtalk_openapi_runtime::operation::Effect::Create);

impl dingtalk_openapi_runtime::operation::Operation for NoAuthCreate {
    type Response = serde_json::Value;
    const INFO: &'static dingtalk_openapi_runtime::operation::OperationInfo = &NO_AUTH_CREATE;
}

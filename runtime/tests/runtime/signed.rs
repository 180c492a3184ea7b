//! The signed query of `auth: app_signature` operations: `accessKey`, `timestamp` from the
//! client's clock and `signature`, exactly as DingTalk's sample computes them, made afresh for
//! every attempt, with no access token fetched.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use dingtalk_openapi_runtime::Error;
use dingtalk_openapi_runtime::login::sns_signature;
use dingtalk_openapi_runtime::primitives::Secret;
use dingtalk_openapi_runtime::time::ManualClock;
use serde_json::json;

use crate::common::*;

/// DingTalk's sample: this secret and timestamp give this signature, URL-encoded once.
const SAMPLE_SECRET: &str = "testappSecret";
const SAMPLE_TIMESTAMP: u64 = 1_546_084_445_901;
const SAMPLE_SIGNATURE: &str = "HCbG3xNE3vzhO%2Bu7qCUL1jS5hsu2n5r2cFhnTrtyDAE%3D";

fn sample_clock() -> ManualClock {
    ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_millis(SAMPLE_TIMESTAMP))
}

fn by_code() -> SnsByCode {
    SnsByCode {
        tmp_auth_code: "code-1".into(),
    }
}

#[tokio::test]
async fn the_query_is_signed_with_the_clock_and_the_app_secret() {
    let fake = Fake::start().await;
    fake.on("/sns/getuserinfo_bycode", |_| {
        Reply::json(json!({"errcode": 0, "errmsg": "ok", "user_info": {"nick": "张三"}}))
    });
    let client = fake
        .builder()
        .app_credentials("dingkey", SAMPLE_SECRET)
        .time_source(sample_clock())
        .build()
        .unwrap();
    let answer = client.execute(by_code()).await.unwrap();
    assert_eq!(answer["user_info"]["nick"], "张三");

    let sent = fake.requests_to("/sns/getuserinfo_bycode");
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].raw_query,
        format!("accessKey=dingkey&timestamp={SAMPLE_TIMESTAMP}&signature={SAMPLE_SIGNATURE}")
    );
    assert_eq!(sent[0].json(), json!({"tmp_auth_code": "code-1"}));
    assert!(sent[0].token().is_none(), "no token on a signed call");
    assert_eq!(fake.token_requests(), 0, "no token is fetched for it");
}

#[tokio::test]
async fn a_retry_is_signed_again_at_its_own_time() {
    let fake = Fake::start().await;
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_000));
    let calls = Arc::new(AtomicUsize::new(0));
    let (moved, seen) = (clock.clone(), calls.clone());
    fake.on("/sns/getuserinfo_bycode", move |_| {
        // The first attempt finds DingTalk busy, and time passes before the retry.
        if seen.fetch_add(1, Ordering::SeqCst) == 0 {
            moved.advance(Duration::from_millis(1500));
            Reply::errcode(-1, "系统繁忙")
        } else {
            Reply::ok()
        }
    });
    let client = fake.builder().time_source(clock).build().unwrap();
    client.execute(by_code()).await.unwrap();

    let sent = fake.requests_to("/sns/getuserinfo_bycode");
    assert_eq!(sent.len(), 2, "one retry");
    let secret = Secret::new(APP_SECRET);
    let mut stamps = Vec::new();
    for request in &sent {
        let names: Vec<&str> = request.query.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["accessKey", "timestamp", "signature"]);
        assert_eq!(request.query_value("accessKey"), Some(APP_KEY));
        let timestamp: i64 = request.query_value("timestamp").unwrap().parse().unwrap();
        assert_eq!(
            request.query_value("signature"),
            Some(sns_signature(&secret, timestamp).as_str()),
            "each attempt signs its own timestamp"
        );
        stamps.push(timestamp);
    }
    assert_eq!(stamps, [1_700_000_000_000, 1_700_000_001_500]);
}

#[tokio::test]
async fn without_app_credentials_nothing_is_sent() {
    let fake = Fake::start().await;
    let client = dingtalk_openapi_runtime::Client::builder()
        .oapi_base_url(fake.url())
        .build()
        .unwrap();
    let error = client.execute(by_code()).await.unwrap_err();
    assert!(
        matches!(&error, Error::Config(text) if text.contains("AppKey and AppSecret")),
        "{error:?}"
    );
    // A CorpId and CorpSecret fetch tokens but do not sign.
    let corp = dingtalk_openapi_runtime::Client::builder()
        .corp_credentials("dingcorp", "corp-secret")
        .oapi_base_url(fake.url())
        .build()
        .unwrap();
    assert!(matches!(
        corp.execute(by_code()).await,
        Err(Error::Config(_))
    ));
    assert!(fake.requests().is_empty());
}

//! `sns.getuserinfo_bycode` end to end: the typed client signs its query (`accessKey`,
//! `timestamp`, `signature`) and the fake checks it as DingTalk does, both on one injected
//! clock, so the test never depends on the real time.

use std::time::{Duration, SystemTime};

use dingtalk_openapi::Error;
use dingtalk_openapi::primitives::Secret;
use dingtalk_openapi::runtime::login::sns_signature;
use dingtalk_openapi::sns::SnsGetuserinfoBycodeRequest;
use dingtalk_openapi::time::ManualClock;
use dingtalk_openapi_fake::{MockServer, operations};

const NOW_MS: u64 = 1_700_000_000_000;

fn at(ms: u64) -> ManualClock {
    ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_millis(ms))
}

async fn fake() -> MockServer {
    MockServer::builder(operations())
        .time_source(at(NOW_MS))
        .start()
        .await
        .expect("start the fake")
}

/// Calls the operation with a client whose app key, secret and clock are these; the errcode of
/// the refusal, or `None` when the fake accepted the call.
async fn call(server: &MockServer, key: &str, secret: &str, clock_ms: u64) -> Option<i64> {
    let client = tests::fake_client(server)
        .app_credentials(key, secret)
        .time_source(at(clock_ms))
        .max_retries(0)
        .build()
        .expect("client");
    match client
        .sns()
        .getuserinfo_bycode(SnsGetuserinfoBycodeRequest::new("code-1"))
        .await
    {
        Ok(answer) => {
            assert_eq!(answer.errcode, Some(0));
            assert!(answer.user_info.is_some(), "the documented answer");
            None
        }
        Err(Error::Api { errcode, .. }) => Some(errcode),
        Err(other) => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_fake_accepts_the_clients_signed_query() {
    let server = fake().await;
    assert_eq!(
        call(&server, server.app_key(), server.app_secret(), NOW_MS).await,
        None
    );
    let sent = server.requests();
    let request = sent
        .iter()
        .find(|r| r.operation == Some("sns.getuserinfo_bycode"))
        .expect("the call reached the fake");
    let secret = Secret::new(server.app_secret());
    assert_eq!(
        request.query,
        [
            ("accessKey".to_owned(), server.app_key().to_owned()),
            ("timestamp".to_owned(), NOW_MS.to_string()),
            (
                "signature".to_owned(),
                sns_signature(&secret, NOW_MS as i64)
            ),
        ]
    );
    assert_eq!(
        request.json(),
        Some(serde_json::json!({"tmp_auth_code": "code-1"}))
    );
    assert_eq!(server.faults().calls("gettoken"), 0, "no token needed");
    // Within a minute of the fake's clock either way is still fresh.
    let key = server.app_key().to_owned();
    let secret = server.app_secret().to_owned();
    assert_eq!(call(&server, &key, &secret, NOW_MS + 59_000).await, None);
    assert_eq!(call(&server, &key, &secret, NOW_MS - 59_000).await, None);
    server.shutdown().await;
}

#[tokio::test]
async fn the_fake_refuses_a_wrong_secret_key_or_time_with_dingtalks_codes() {
    let server = fake().await;
    let key = server.app_key().to_owned();
    let secret = server.app_secret().to_owned();
    // Signed with another secret: the signature does not match.
    assert_eq!(
        call(&server, &key, "not-the-secret", NOW_MS).await,
        Some(853004)
    );
    // A key the fake does not know.
    assert_eq!(
        call(&server, "ding-unknown", &secret, NOW_MS).await,
        Some(853003)
    );
    // More than a minute off the fake's clock, late or early.
    assert_eq!(
        call(&server, &key, &secret, NOW_MS + 61_000).await,
        Some(853002)
    );
    assert_eq!(
        call(&server, &key, &secret, NOW_MS - 61_000).await,
        Some(853002)
    );
    server.shutdown().await;
}

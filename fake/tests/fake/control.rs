//! The control API under `/__mock/`, as `dingtalk mock serve` users drive it from any language:
//! faults, token expiry, the request log and counters, the operation list, and reset.

use dingtalk_openapi::auth::GettokenRequest;
use dingtalk_openapi::blackboard::BlackboardListidsRequest;
use dingtalk_openapi::operation::Operation;
use serde_json::{Value, json};

use crate::common::{Answer, Fake, listids};

const LISTIDS: &str = BlackboardListidsRequest::INFO.id;

/// A control request: `body` POSTed as JSON to `path`.
async fn control(fake: &Fake, path: &str, body: Value) -> Answer {
    fake.send(fake.http.post(fake.url(path)).json(&body)).await
}

#[tokio::test]
async fn faults_are_queued_times_over_and_applied_to_their_operation() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let pushed = control(
        &fake,
        "/__mock/faults",
        json!({"op": LISTIDS, "fault": {"errcode": 90018}, "times": 2}),
    )
    .await;
    assert_eq!(pushed.json()["pending"], 2, "{}", pushed.text);
    for _ in 0..2 {
        assert_eq!(fake.call(&token, &listids(1, 3)).await.errcode(), 90018);
    }
    assert_eq!(fake.call(&token, &listids(1, 3)).await.errcode(), 0);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn every_fault_kind_is_accepted_a_bad_one_refused_and_the_queue_dropped() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    for fault in [
        json!("reset"),
        json!({"status": 500}),
        json!({"delay_ms": 1}),
    ] {
        let pushed = control(&fake, "/__mock/faults", json!({"fault": fault})).await;
        assert_eq!(pushed.status, 200, "{fault}: {}", pushed.text);
    }
    assert_eq!(fake.server.faults().pending(), 3);
    let bad = control(&fake, "/__mock/faults", json!({"fault": "explode"})).await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert_eq!(
        fake.send(fake.http.delete(fake.url("/__mock/faults")))
            .await
            .json()["pending"],
        0
    );
    assert_eq!(
        fake.call(&token, &listids(1, 3)).await.errcode(),
        0,
        "the dropped faults are not applied"
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn expire_tokens_may_answer_42001() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let expired = control(&fake, "/__mock/expire-tokens", json!({"answer": "expired"})).await;
    assert_eq!(expired.status, 200, "{}", expired.text);
    assert_eq!(fake.call(&token, &listids(1, 3)).await.errcode(), 42001);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn the_request_log_and_counters_are_listed() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    fake.server
        .faults()
        .push_for(LISTIDS, dingtalk_openapi_fake::Fault::errcode(90018));
    for page in 1..=3 {
        fake.call(&token, &listids(page, 3)).await;
    }

    let requests = fake.get("/__mock/requests", &[]).await.json();
    let paths: Vec<&str> = requests
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["path"].as_str())
        .collect();
    assert_eq!(
        paths,
        [
            GettokenRequest::INFO.path,
            BlackboardListidsRequest::INFO.path,
            BlackboardListidsRequest::INFO.path,
            BlackboardListidsRequest::INFO.path,
        ]
    );
    assert_eq!(requests[1]["body"]["query_request"]["page"], 1);
    assert_eq!(requests[1]["operation"], LISTIDS);
    let calls = fake.get("/__mock/calls", &[]).await.json();
    assert_eq!(
        (
            calls["token_requests"].as_u64(),
            calls["calls"][LISTIDS].as_u64()
        ),
        (Some(1), Some(3))
    );
    let operations = fake.get("/__mock/operations", &[]).await.json();
    assert_eq!(
        operations.as_array().map(Vec::len),
        Some(dingtalk_openapi_fake::operations().len())
    );
    assert!(
        operations
            .as_array()
            .into_iter()
            .flatten()
            .any(|op| op["id"] == LISTIDS
                && op["method"] == "POST"
                && op["path"] == BlackboardListidsRequest::INFO.path),
        "{operations}"
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn reset_forgets_requests_counters_and_tokens() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    fake.call(&token, &listids(1, 3)).await;
    assert_eq!(control(&fake, "/__mock/reset", json!({})).await.status, 200);
    assert!(fake.server.requests().is_empty());
    assert_eq!(fake.server.faults().token_requests(), 0);
    assert_eq!(fake.server.faults().calls(LISTIDS), 0);
    assert_eq!(
        fake.call(&token, &listids(1, 3)).await.sub_code(),
        "40014",
        "the token is forgotten"
    );
    fake.server.shutdown().await;
}

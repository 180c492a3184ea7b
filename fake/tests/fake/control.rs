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

#[tokio::test]
async fn a_fault_for_millions_of_requests_is_one_entry_and_counts_down() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let pushed = control(
        &fake,
        "/__mock/faults",
        json!({"op": LISTIDS, "fault": {"errcode": 90018}, "times": u32::MAX}),
    )
    .await;
    assert_eq!(pushed.json()["pending"], u32::MAX, "{}", pushed.text);
    assert_eq!(fake.call(&token, &listids(1, 3)).await.errcode(), 90018);
    assert_eq!(
        fake.server.faults().pending(),
        usize::try_from(u32::MAX - 1).expect("fits")
    );
    let over = control(
        &fake,
        "/__mock/faults",
        json!({"fault": "html", "times": u64::from(u32::MAX) + 1}),
    )
    .await;
    assert_eq!(over.status, 400, "{}", over.text);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn the_fault_queue_is_capped_with_an_error_naming_the_limit() {
    let fake = Fake::start(true).await;
    // Alternating faults cannot share an entry: each is one of the 1,000.
    for n in 0..1_000 {
        let pushed = control(
            &fake,
            "/__mock/faults",
            json!({"fault": {"errcode": n % 2}}),
        )
        .await;
        assert_eq!(pushed.status, 200, "fault {n}: {}", pushed.text);
    }
    let full = control(&fake, "/__mock/faults", json!({"fault": {"errcode": 7}})).await;
    assert_eq!(full.status, 400, "{}", full.text);
    let error = full.json()["error"].as_str().unwrap_or_default().to_owned();
    assert!(error.contains("at most 1000 faults"), "{error}");
    assert_eq!(fake.server.faults().pending(), 1_000);
    // The same fault again only adds to the last one's count.
    let again = control(&fake, "/__mock/faults", json!({"fault": {"errcode": 1}})).await;
    assert_eq!(again.json()["pending"], 1_001, "{}", again.text);
    let long = control(
        &fake,
        "/__mock/faults",
        json!({"fault": {"errcode": 1, "errmsg": "x".repeat(1_025)}}),
    )
    .await;
    assert_eq!(long.status, 400, "{}", long.text);
    assert!(long.text.contains("at most 1024"), "{}", long.text);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_fault_for_an_unknown_operation_is_refused_naming_the_nearest() {
    let fake = Fake::start(true).await;
    let typo = control(
        &fake,
        "/__mock/faults",
        json!({"op": "blackboard.listid", "fault": {"errcode": 90018}}),
    )
    .await;
    assert_eq!(typo.status, 400, "{}", typo.text);
    let error = typo.json()["error"].as_str().unwrap_or_default().to_owned();
    assert!(
        error.contains("`blackboard.listid`")
            && error.contains(&format!("did you mean `{LISTIDS}`")),
        "{error}"
    );
    let far = control(
        &fake,
        "/__mock/faults",
        json!({"op": "x".repeat(1 << 20), "fault": "reset"}),
    )
    .await;
    assert_eq!(far.status, 400);
    assert!(
        far.text.len() < 1_000,
        "the error is kept short: {}",
        far.text.len()
    );
    assert_eq!(fake.server.faults().pending(), 0, "nothing was queued");
    // The token endpoints take faults even though they are not paged operations.
    let token = control(
        &fake,
        "/__mock/faults",
        json!({"op": GettokenRequest::INFO.id, "fault": {"errcode": -1}}),
    )
    .await;
    assert_eq!(token.status, 200, "{}", token.text);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_delay_over_ten_minutes_is_refused() {
    let fake = Fake::start(true).await;
    for delay in [600_001, u64::MAX] {
        let huge = control(
            &fake,
            "/__mock/faults",
            json!({"fault": {"delay_ms": delay}}),
        )
        .await;
        assert_eq!(huge.status, 400, "{delay}: {}", huge.text);
        assert!(huge.text.contains("600000"), "{}", huge.text);
    }
    let most = control(
        &fake,
        "/__mock/faults",
        json!({"fault": {"delay_ms": 600_000}}),
    )
    .await;
    assert_eq!(most.status, 200, "{}", most.text);
    assert_eq!(fake.server.faults().pending(), 1);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn the_request_log_is_bounded_by_bytes_and_cuts_long_bodies() {
    let fake = Fake::start(true).await;
    let mega = "x".repeat(1 << 20);
    for _ in 0..4 {
        let answer = fake
            .send(fake.http.post(fake.url("/nowhere")).body(mega.clone()))
            .await;
        assert_eq!(answer.status, 404);
    }
    let recorded = fake.server.requests();
    assert_eq!(recorded.len(), 4);
    assert!(
        recorded
            .iter()
            .all(|r| r.body.len() == 64 << 10 && r.body_len == 1 << 20 && r.body_truncated()),
        "bodies are cut to 64 KiB"
    );
    let listed = fake.get("/__mock/requests", &[]).await.json();
    assert_eq!(listed[0]["body_len"], 1 << 20);
    // 300 bodies of 64 KiB are more than the 16 MiB kept: the oldest go.
    let body = "y".repeat(64 << 10);
    for _ in 0..300 {
        fake.send(fake.http.post(fake.url("/nowhere")).body(body.clone()))
            .await;
    }
    let recorded = fake.server.requests();
    let kept: usize = recorded.iter().map(|r| r.body.len()).sum();
    assert!(kept <= 16 << 20, "{kept} bytes of bodies kept");
    assert!(
        (200..300).contains(&recorded.len()),
        "{} requests kept",
        recorded.len()
    );
    assert!(
        recorded.iter().all(|r| r.body.starts_with(b"y")),
        "the oldest went first"
    );
    fake.server.shutdown().await;
}
